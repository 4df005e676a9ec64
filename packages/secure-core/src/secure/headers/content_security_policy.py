"""The ``Content-Security-Policy`` builder: one fluent method per directive.

What each directive may hold (the CSP Level 3 grammar) lives in ``_csp_grammar``; this
module only edits and renders a policy. References are to W3C Content Security Policy
Level 3 (CSP3): §3.1/§3.2 (the enforced and report-only header fields) and §6 (the
directives themselves).
"""

from __future__ import annotations

from typing import Final, TypeVar

from secure._compat._builders import ContentSecurityPolicyCompat
from secure._docs import see_header
from secure._suggest import suggest
from secure._validation import check_str
from secure.headers._base import PolicyHeader
from secure.headers._csp_grammar import (
    BASE64,
    DIRECTIVE_NAME,
    DIRECTIVES,
    KEYWORDS,
    Kind,
    check_values,
    fail,
    parse_policy,
)
from secure.nonce import NONCE

__all__ = ["ContentSecurityPolicy"]

_C = TypeVar("_C", bound="ContentSecurityPolicy")

_HEADER: Final = "Content-Security-Policy"
_REPORT_ONLY_HEADER: Final = "Content-Security-Policy-Report-Only"
# What a builder with no directive sends: same-origin everything, no plugins, no framing
# by other origins, forms and <base> same-origin only.
_DEFAULT_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)


class ContentSecurityPolicy(ContentSecurityPolicyCompat, PolicyHeader[tuple[str, ...]]):
    """Build a ``Content-Security-Policy`` one directive at a time (CSP Level 3).

    Each directive method replaces that directive's values; directives render in the order
    they were first set. Values are validated when the method is called. With no directive
    at all the builder sends a same-origin default policy (``default-src 'self'; ...``).

    >>> ContentSecurityPolicy().default_src("'self'").img_src("'self'", "data:").header_value
    "default-src 'self'; img-src 'self' data:"
    """

    __slots__ = ()

    # CSP3 §3.1 and §3.2: the enforced and the report-only header field.
    _NAME = _HEADER
    _REPORT_ONLY_NAME = _REPORT_ONLY_HEADER
    _DEFAULT = _DEFAULT_POLICY

    # -- identity -------------------------------------------------------------------------

    @property
    def has_nonce(self) -> bool:
        """True when a directive holds the per-request nonce slot :data:`secure.nonce.NONCE`."""
        return any(NONCE in values for values in self._members.values())

    @property
    def directives(self) -> dict[str, tuple[str, ...]]:
        """A copy of the policy: directive name -> its values, in rendering order."""
        return dict(self._members)

    # -- generic editing ------------------------------------------------------------------

    def custom_directive(self: _C, name: str, *values: str) -> _C:
        """Set any directive by name, e.g. ``custom_directive("navigate-to", "'self'")``.

        A directive this class knows is validated as usual; any other needs a valid name
        (lower-case letters, digits, ``-``) and values without whitespace, ``;`` or ``,``.
        """
        directive = self._directive_name(name)
        return self._put(directive, DIRECTIVES.get(directive, "custom"), values)

    def add_sources(self: _C, directive: str, *sources: str) -> _C:
        """Append sources to a directive (created if missing); sources already there are skipped.

        >>> ContentSecurityPolicy().script_src("'self'").add_sources("script-src", "https:")
        ContentSecurityPolicy(Content-Security-Policy: "script-src 'self' https:")
        """
        name = self._known_or_present(directive)
        for source in sources:
            if not isinstance(source, str):
                raise TypeError(
                    see_header(
                        f"{self.header_name} {name}: sources must be str, got "
                        f"{type(source).__name__} {source!r}",
                        _HEADER,
                    )
                )
        current = self._members.get(name, ())
        added = tuple(dict.fromkeys(s for s in sources if s not in current))
        return self._put(name, DIRECTIVES.get(name, "custom"), current + added)

    def remove(self: _C, directive: str) -> _C:
        """Remove a directive; removing one that is not set does nothing."""
        self._discard(self._known_or_present(directive))
        return self

    # -- fetch directives (CSP3 §6.1) ------------------------------------------------------

    def child_src(self: _C, *sources: str) -> _C:
        """``child-src``: workers and nested browsing contexts (CSP3 §6.1)."""
        return self._put("child-src", "sources", sources)

    def connect_src(self: _C, *sources: str) -> _C:
        """``connect-src``: fetch, XHR, WebSocket, EventSource and beacon targets."""
        return self._put("connect-src", "sources", sources)

    def default_src(self: _C, *sources: str) -> _C:
        """``default-src``: the fallback for every other fetch directive."""
        return self._put("default-src", "sources", sources)

    def fenced_frame_src(self: _C, *sources: str) -> _C:
        """``fenced-frame-src``: ``<fencedframe>`` sources (Fenced Frame spec)."""
        return self._put("fenced-frame-src", "sources", sources)

    def font_src(self: _C, *sources: str) -> _C:
        """``font-src``: font loads."""
        return self._put("font-src", "sources", sources)

    def frame_src(self: _C, *sources: str) -> _C:
        """``frame-src``: ``<iframe>`` and ``<frame>`` sources."""
        return self._put("frame-src", "sources", sources)

    def img_src(self: _C, *sources: str) -> _C:
        """``img-src``: images and favicons."""
        return self._put("img-src", "sources", sources)

    def manifest_src(self: _C, *sources: str) -> _C:
        """``manifest-src``: application manifests."""
        return self._put("manifest-src", "sources", sources)

    def media_src(self: _C, *sources: str) -> _C:
        """``media-src``: ``<audio>``, ``<video>`` and ``<track>`` sources."""
        return self._put("media-src", "sources", sources)

    def object_src(self: _C, *sources: str) -> _C:
        """``object-src``: ``<object>`` and ``<embed>`` (usually ``"'none'"``)."""
        return self._put("object-src", "sources", sources)

    def prefetch_src(self: _C, *sources: str) -> _C:
        """``prefetch-src``: prefetch and prerender (dropped from CSP3; kept for old browsers)."""
        return self._put("prefetch-src", "sources", sources)

    def script_src(self: _C, *sources: str) -> _C:
        """``script-src``: scripts, e.g. ``script_src("'self'", NONCE, "'strict-dynamic'")``."""
        return self._put("script-src", "sources", sources)

    def script_src_elem(self: _C, *sources: str) -> _C:
        """``script-src-elem``: ``<script>`` elements."""
        return self._put("script-src-elem", "sources", sources)

    def script_src_attr(self: _C, *sources: str) -> _C:
        """``script-src-attr``: inline event handlers such as ``onclick``."""
        return self._put("script-src-attr", "sources", sources)

    def style_src(self: _C, *sources: str) -> _C:
        """``style-src``: stylesheets."""
        return self._put("style-src", "sources", sources)

    def style_src_elem(self: _C, *sources: str) -> _C:
        """``style-src-elem``: ``<style>`` and ``<link rel=stylesheet>`` elements."""
        return self._put("style-src-elem", "sources", sources)

    def style_src_attr(self: _C, *sources: str) -> _C:
        """``style-src-attr``: inline ``style`` attributes."""
        return self._put("style-src-attr", "sources", sources)

    def worker_src(self: _C, *sources: str) -> _C:
        """``worker-src``: Worker, SharedWorker and ServiceWorker scripts."""
        return self._put("worker-src", "sources", sources)

    # -- document and navigation directives (CSP3 §6.3, §6.4) -------------------------------

    def base_uri(self: _C, *sources: str) -> _C:
        """``base-uri``: URLs allowed in ``<base href>``."""
        return self._put("base-uri", "sources", sources)

    def sandbox(self: _C, *tokens: str) -> _C:
        """``sandbox``: sandbox the page like an iframe; tokens lift restrictions.

        ``sandbox()`` with no tokens applies every restriction.
        """
        return self._put("sandbox", "sandbox", tokens)

    def form_action(self: _C, *sources: str) -> _C:
        """``form-action``: where forms may submit."""
        return self._put("form-action", "sources", sources)

    def frame_ancestors(self: _C, *sources: str) -> _C:
        """``frame-ancestors``: who may embed this page ('self', 'none', hosts, schemes)."""
        return self._put("frame-ancestors", "ancestors", sources)

    # -- reporting directives (CSP3 §6.5) ---------------------------------------------------

    def report_uri(self: _C, *uris: str) -> _C:
        """``report-uri``: URLs that receive violation reports (deprecated by ``report-to``)."""
        return self._put("report-uri", "uris", uris)

    def report_to(self: _C, group: str) -> _C:
        """``report-to``: the ``Reporting-Endpoints`` name that receives violation reports."""
        return self._put("report-to", "token", (group,))

    # -- other directives ---------------------------------------------------------------------

    def upgrade_insecure_requests(self: _C, enabled: bool = True) -> _C:
        """``upgrade-insecure-requests``: load ``http:`` subresources over ``https:``."""
        return self._flag("upgrade-insecure-requests", enabled)

    def block_all_mixed_content(self: _C, enabled: bool = True) -> _C:
        """``block-all-mixed-content`` (deprecated: prefer ``upgrade_insecure_requests()``)."""
        return self._flag("block-all-mixed-content", enabled)

    def require_trusted_types_for(self: _C, *sinks: str) -> _C:
        """``require-trusted-types-for``: ``"'script'"`` (the default and only sink group)."""
        return self._put("require-trusted-types-for", "sinks", sinks or ("'script'",))

    def trusted_types(self: _C, *policies: str) -> _C:
        """``trusted-types``: allowed policy names, ``"'allow-duplicates'"``, ``"'none'"``, ``*``.

        With no arguments no policy may be created.
        """
        return self._put("trusted-types", "policies", policies)

    def webrtc(self: _C, value: str) -> _C:
        """``webrtc``: ``"'allow'"`` or ``"'block'"`` WebRTC connections."""
        return self._put("webrtc", "webrtc", (value,))

    # -- source helpers -------------------------------------------------------------------

    @staticmethod
    def nonce(value: str) -> str:
        """The nonce source for a fixed ``value``: ``nonce("abc123")`` -> ``"'nonce-abc123'"``.

        For a fresh nonce per request use :data:`secure.nonce.NONCE` instead.
        """
        value = check_str(_HEADER, value, "nonce")
        if BASE64.fullmatch(value) is None:
            fail(
                _HEADER,
                f"invalid nonce {value!r}: a nonce is a base64-value (CSP3 §2.3.1: letters, "
                "digits, '+', '/', '-', '_', then up to two '='); use "
                "secure.nonce.generate_nonce()",
            )
        return f"'nonce-{value}'"

    @staticmethod
    def keyword(name: str) -> str:
        """A quoted keyword source: ``keyword("self")`` -> ``"'self'"`` (CSP3 §2.3.1)."""
        name = check_str(_HEADER, name, "keyword")
        quoted = name if len(name) >= 2 and name[0] == name[-1] == "'" else f"'{name}'"
        if quoted.lower() in KEYWORDS:
            return quoted.lower()
        raise ValueError(
            see_header(
                f"{_HEADER}: unknown keyword {name!r}{suggest(quoted.lower(), KEYWORDS)} "
                f"(known: {', '.join(KEYWORDS)})",
                _HEADER,
            )
        )

    # -- PolicyHeader ---------------------------------------------------------------------

    def _parse(self, value: str) -> dict[str, tuple[str, ...]]:
        return parse_policy(self.header_name, value)

    def _render_members(self) -> str:
        return "; ".join(" ".join((name, *values)) for name, values in self._members.items())

    # -- internals ------------------------------------------------------------------------

    def _put(self: _C, directive: str, kind: Kind, values: tuple[object, ...]) -> _C:
        self._members[directive] = check_values(self.header_name, directive, kind, values)
        self._raw = None
        return self

    def _flag(self: _C, directive: str, enabled: bool) -> _C:
        if not isinstance(enabled, bool):
            raise TypeError(
                see_header(
                    f"{self.header_name}: {directive.replace('-', '_')}() takes True or False, "
                    f"got {type(enabled).__name__} {enabled!r}",
                    self.header_name,
                )
            )
        if enabled:
            self._members[directive] = ()
        else:
            self._members.pop(directive, None)
        self._raw = None
        return self

    def _directive_name(self, name: object) -> str:
        # Snake case is accepted (directive names never contain "_"), so method names and
        # configuration keys both work.
        header = self.header_name
        directive = check_str(header, name, "directive name").replace("_", "-")
        if DIRECTIVE_NAME.fullmatch(directive) is None:
            hint = (
                f"; write {directive.lower()!r}"
                if DIRECTIVE_NAME.fullmatch(directive.lower())
                else ""
            )
            fail(
                header,
                f"invalid directive name {name!r}: a directive name is lower-case letters, "
                f"digits and '-' (CSP3 §2.3){hint}",
            )
        return directive

    def _known_or_present(self, directive: object) -> str:
        name = self._directive_name(directive)
        if name not in DIRECTIVES and name not in self._members:
            fail(
                self.header_name,
                f"unknown directive {name!r}{suggest(name, list(DIRECTIVES))} "
                "(use custom_directive() for a directive this library does not know)",
            )
        return name
