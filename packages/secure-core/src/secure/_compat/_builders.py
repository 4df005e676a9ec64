"""Builder methods that ``secure`` 2.x documents, under their 2.x names.

Each class here is a mixin that one builder lists first among its bases; its methods
only call the builder's own public methods (or, for directives this library keeps out of
its fluent API, the builder's one internal setter), so every value goes through the same
validation as the current spelling. Nothing here changes what an existing method does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar, cast

from secure._validation import check_str

if TYPE_CHECKING:
    from secure.headers.cache_control import CacheControl
    from secure.headers.content_security_policy import ContentSecurityPolicy
    from secure.headers.permissions_policy import PermissionsPolicy
    from secure.headers.referrer_policy import ReferrerPolicy
    from secure.headers.x_dns_prefetch_control import XDnsPrefetchControl
    from secure.headers.x_frame_options import XFrameOptions
    from secure.headers.x_permitted_cross_domain_policies import (
        XPermittedCrossDomainPolicies,
    )

__all__ = [
    "CacheControlCompat",
    "ContentSecurityPolicyCompat",
    "PermissionsPolicyCompat",
    "RawValueCompat",
    "ReferrerPolicyCompat",
    "ReplaceCustomCompat",
    "XDnsPrefetchControlCompat",
    "XFrameOptionsCompat",
    "XPermittedCrossDomainPoliciesCompat",
]

_V = TypeVar("_V", bound="RawValueCompat")


class RawValueCompat:
    """``value(raw)``: 2.x's name for ``set(raw)`` on every builder (``BaseHeader``)."""

    __slots__ = ()

    if TYPE_CHECKING:

        def set(self: _V, value: str) -> _V: ...

    def value(self: _V, value: str) -> _V:
        """Use ``value`` as the whole header value, validated; the same as ``set(value)``."""
        return self.set(value)


class ReplaceCustomCompat(RawValueCompat):
    """``custom(raw)``: in 2.x, another name for ``value(raw)`` on single-value headers."""

    __slots__ = ()

    def custom(self: _V, value: str) -> _V:
        """Use ``value`` as the whole header value, validated; the same as ``set(value)``."""
        return self.set(value)


class CacheControlCompat:
    """2.x's ``s_max_age``, request directives, and ``custom(directive)`` that appends."""

    __slots__ = ()

    def _cc(self) -> CacheControl:
        return cast("CacheControl", self)

    def s_max_age(self, seconds: int) -> CacheControl:
        """``s-maxage=<seconds>``: 2.x's spelling of :meth:`CacheControl.s_maxage`."""
        return self._cc().s_maxage(seconds)

    # RFC 9111 §5.2.1.2-§5.2.1.3, §5.2.1.7: request directives. 2.x offers them on the
    # same builder; caches ignore them in a response, so nothing here is weakened.
    def max_stale(self, seconds: int | None = None) -> CacheControl:
        """``max-stale`` (any staleness) or ``max-stale=<seconds>`` (RFC 9111 §5.2.1.2)."""
        cc = self._cc()
        if seconds is None:
            return cc._put("max-stale", None)
        return cc._put("max-stale", cc._seconds("max-stale", seconds))

    def min_fresh(self, seconds: int) -> CacheControl:
        """``min-fresh=<seconds>`` (RFC 9111 §5.2.1.3)."""
        cc = self._cc()
        return cc._put("min-fresh", cc._seconds("min-fresh", seconds))

    def only_if_cached(self) -> CacheControl:
        """``only-if-cached`` (RFC 9111 §5.2.1.7)."""
        return self._cc()._put("only-if-cached", None)

    def custom(self, directive: str) -> CacheControl:
        """Append one directive written as ``name`` or ``name=value``, e.g. ``"no-cache"``.

        It is parsed and checked like a value given to ``set()``: a directive outside RFC
        9111, RFC 5861 and RFC 8246 is refused with a ``ValueError`` naming it.
        """
        cc = self._cc()
        directive = check_str(cc.header_name, directive, "directive")
        parsed = type(cc)().set(directive)._directives
        trial = cc.copy()  # a conflict (public vs private) raises before cc changes
        for name, argument in parsed.items():
            trial._put(name, argument)
        for name, argument in parsed.items():
            cc._put(name, argument)
        return cc


class ContentSecurityPolicyCompat:
    """2.x's ``enforce()`` and ``custom(directive, *values)``."""

    __slots__ = ()

    def _csp(self) -> ContentSecurityPolicy:
        return cast("ContentSecurityPolicy", self)

    def enforce(self) -> ContentSecurityPolicy:
        """Send the policy as ``Content-Security-Policy`` again after ``report_only()``."""
        return self._csp().report_only(False)

    def custom(self, directive: str, *values: str) -> ContentSecurityPolicy:
        """Set any directive by name: 2.x's spelling of ``custom_directive()``."""
        return self._csp().custom_directive(directive, *values)


class PermissionsPolicyCompat:
    """2.x's ``directive()`` and the feature methods it had that the builder leaves to
    ``add_directive()``."""

    __slots__ = ()

    def _pp(self) -> PermissionsPolicy:
        return cast("PermissionsPolicy", self)

    def directive(self, directive: str, *allowlist: str) -> PermissionsPolicy:
        """Set a feature by name: 2.x's spelling of ``add_directive()``."""
        return self._pp().add_directive(directive, *allowlist)

    def aria_notify(self, *allowlist: str) -> PermissionsPolicy:
        """``aria-notify`` (ARIA Notify)."""
        return self._pp().add_directive("aria-notify", *allowlist)

    def document_domain(self, *allowlist: str) -> PermissionsPolicy:
        """``document-domain`` (HTML; browsers have removed the setter it controlled)."""
        return self._pp().add_directive("document-domain", *allowlist)

    def language_detector(self, *allowlist: str) -> PermissionsPolicy:
        """``language-detector`` (Language Detector API)."""
        return self._pp().add_directive("language-detector", *allowlist)

    def on_device_speech_recognition(self, *allowlist: str) -> PermissionsPolicy:
        """``on-device-speech-recognition`` (Web Speech API)."""
        return self._pp().add_directive("on-device-speech-recognition", *allowlist)

    def summarizer(self, *allowlist: str) -> PermissionsPolicy:
        """``summarizer`` (Summarizer API)."""
        return self._pp().add_directive("summarizer", *allowlist)

    def translator(self, *allowlist: str) -> PermissionsPolicy:
        """``translator`` (Translator API)."""
        return self._pp().add_directive("translator", *allowlist)


class ReferrerPolicyCompat(ReplaceCustomCompat):
    """2.x's ``add()``, ``fallback()`` and ``set()`` that appends; ``value()``/``custom()``
    replace the list."""

    __slots__ = ()

    def _rp(self) -> ReferrerPolicy:
        return cast("ReferrerPolicy", self)

    def _parse(self, value: str) -> list[str]:
        """The policies of ``value``, validated as a raw value (the header's grammar)."""
        fresh = type(self._rp())()
        super(ReferrerPolicyCompat, fresh).set(value)
        return fresh._tokens

    def value(self, value: str) -> ReferrerPolicy:
        """Replace the policies with ``value``, one or a comma-separated list, validated."""
        # The base class's set(): use the value as written (this class's set() appends).
        return super().set(value)._rp()

    def custom(self, value: str) -> ReferrerPolicy:
        """The same as ``value()``."""
        return self.value(value)

    def add(self, value: str) -> ReferrerPolicy:
        """Append one policy, or a comma-separated list of them, to the fallback list.

        Each token is validated as in ``set()``; one already in the list keeps its place.
        """
        rp = self._rp()
        for token in self._parse(value):
            if token not in rp._tokens:
                rp._add(token)
        return rp

    def set(self, value: str) -> ReferrerPolicy:
        """Append policies, as 2.x documents: ``add(value)``; on a new builder, ``value``.

        On a builder with nothing configured the value is used as written; otherwise its
        policies are appended and one already listed keeps its place. ``value()`` and
        ``custom()`` replace the list instead.
        """
        rp = self._rp()
        if rp._tokens or rp._raw is not None:
            return self.add(value)
        return self.value(value)

    def fallback(self, *policies: str) -> ReferrerPolicy:
        """Replace the policy with this ordered fallback list; the browser uses the last one
        it understands (Referrer Policy §8.1), so put the preferred policy last."""
        rp = self._rp()
        # Every policy is validated before the builder changes.
        tokens = [token for policy in policies for token in self._parse(policy)]
        rp.clear()
        for token in tokens:
            rp._add(token)
        return rp


class XDnsPrefetchControlCompat(ReplaceCustomCompat):
    """2.x's ``allow()``/``disable()``, and ``value()`` that normalises the case."""

    __slots__ = ()

    def _dns(self) -> XDnsPrefetchControl:
        return cast("XDnsPrefetchControl", self)

    def allow(self) -> XDnsPrefetchControl:
        """The same as ``on()``."""
        return self._dns().on()

    def disable(self) -> XDnsPrefetchControl:
        """The same as ``off()``."""
        return self._dns().off()

    def value(self, value: str) -> XDnsPrefetchControl:
        """``on`` or ``off`` in any case, sent in lower case as 2.x documents."""
        dns = self._dns()
        return dns._use(dns._match(check_str(dns.header_name, value, "value")))

    def custom(self, value: str) -> XDnsPrefetchControl:
        """The same as ``value()``."""
        return self.value(value)


class XFrameOptionsCompat(ReplaceCustomCompat):
    """2.x's ``allow_from()``, which explains why ``ALLOW-FROM`` is refused."""

    __slots__ = ()

    def allow_from(self, origin: str) -> XFrameOptions:
        """Refused: browsers ignore ``ALLOW-FROM`` (the ``ValueError`` says what to use)."""
        xfo = cast("XFrameOptions", self)
        return xfo.set(f"ALLOW-FROM {check_str(xfo.header_name, origin, 'origin')}")


class XPermittedCrossDomainPoliciesCompat(ReplaceCustomCompat):
    """2.x's ``policy(name)``."""

    __slots__ = ()

    def policy(self, policy: str) -> XPermittedCrossDomainPolicies:
        """Use one meta-policy by name, e.g. ``policy("master-only")``; others are refused."""
        return cast("XPermittedCrossDomainPolicies", self).set(policy)
