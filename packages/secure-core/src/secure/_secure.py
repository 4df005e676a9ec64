"""``Secure``: a set of security headers, rendered once, applied to any response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from secure import _pipeline
from secure._pipeline import (
    COMMA_JOIN_OK,
    DEFAULT_ALLOWED_HEADERS,
    MULTI_OK,
    DedupeAction,
    OnInvalid,
    OnUnexpected,
    _Entry,
)
from secure._snapshot import HeaderSnapshot
from secure._validation import check_field_name, check_field_value
from secure.errors import HeaderSetError
from secure.headers import (
    CacheControl,
    ContentSecurityPolicy,
    CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    CustomHeader,
    PermissionsPolicy,
    ReferrerPolicy,
    ReportingEndpoints,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XDnsPrefetchControl,
    XFrameOptions,
    XPermittedCrossDomainPolicies,
)
from secure.headers._base import BaseHeader
from secure.nonce import _PLACEHOLDER, generate_nonce, is_nonce

if TYPE_CHECKING:
    import logging

    from secure._presets import Preset
    from secure.audit import Finding

__all__ = ["Secure"]

# Keyword -> the header it renders; the order is the order of ``header_items()``.
_SLOTS: Final = (
    ("cache", "Cache-Control"),
    ("coep", "Cross-Origin-Embedder-Policy"),
    ("coop", "Cross-Origin-Opener-Policy"),
    ("corp", "Cross-Origin-Resource-Policy"),
    ("csp", "Content-Security-Policy"),
    ("csp_report_only", "Content-Security-Policy-Report-Only"),
    ("hsts", "Strict-Transport-Security"),
    ("permissions", "Permissions-Policy"),
    ("permissions_report_only", "Permissions-Policy-Report-Only"),
    ("referrer", "Referrer-Policy"),
    ("xpcdp", "X-Permitted-Cross-Domain-Policies"),
    ("xdfc", "X-DNS-Prefetch-Control"),
    ("server", "Server"),
    ("xcto", "X-Content-Type-Options"),
    ("xfo", "X-Frame-Options"),
    ("reporting_endpoints", "Reporting-Endpoints"),
)

_BUILDERS: Final[Mapping[str, type[BaseHeader]]] = {
    "cache": CacheControl,
    "coep": CrossOriginEmbedderPolicy,
    "coop": CrossOriginOpenerPolicy,
    "corp": CrossOriginResourcePolicy,
    "csp": ContentSecurityPolicy,
    "csp_report_only": ContentSecurityPolicy,
    "hsts": StrictTransportSecurity,
    "permissions": PermissionsPolicy,
    "permissions_report_only": PermissionsPolicy,
    "referrer": ReferrerPolicy,
    "xpcdp": XPermittedCrossDomainPolicies,
    "xdfc": XDnsPrefetchControl,
    "server": Server,
    "xcto": XContentTypeOptions,
    "xfo": XFrameOptions,
    "reporting_endpoints": ReportingEndpoints,
}


# Keywords whose builder is switched to its -Report-Only header.
_REPORT_ONLY: Final = frozenset({"csp_report_only", "permissions_report_only"})


def _render(header: BaseHeader) -> _Entry:
    # The builders validate already; checking again here means no builder bug or
    # subclass can ever put an invalid field on the wire (RFC 9110 §5.1, §5.5).
    name = check_field_name(header.header_name, header=header.header_name)
    value = check_field_value(name, header.header_value)
    return _Entry(name, value, header.has_nonce)


def _check_nonce(nonce: str) -> str:
    if not is_nonce(nonce):
        raise ValueError(
            f"Content-Security-Policy: invalid nonce {nonce!r}; a nonce is a base64 value "
            "(CSP Level 3 §2.3.1), e.g. from secure.nonce.generate_nonce()"
        )
    return nonce


def _fill(entries: Iterable[_Entry], nonce: str | None) -> list[tuple[str, str]]:
    return [
        (e.name, e.value.replace(_PLACEHOLDER, nonce) if e.templated and nonce else e.value)
        for e in entries
    ]


def _is_coroutine_function(func: object) -> bool:
    # inspect.iscoroutinefunction without importing inspect: CO_COROUTINE is 0x80.
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    return code is not None and bool(code.co_flags & 0x80)


class Secure:
    """A configured set of security headers.

    Build one from a preset, the builders, or a configuration mapping, then apply it to
    responses, or hand it to a middleware::

        secure_headers = Secure.with_default_headers()
        secure_headers.set_headers(response)

    Every value is validated when it is configured; nothing invalid is ever rendered.
    """

    __slots__ = ("_entries", "_normalized")

    def __init__(
        self,
        *,
        cache: CacheControl | None = None,
        coep: CrossOriginEmbedderPolicy | None = None,
        coop: CrossOriginOpenerPolicy | None = None,
        corp: CrossOriginResourcePolicy | None = None,
        csp: ContentSecurityPolicy | None = None,
        custom: Iterable[BaseHeader] | None = None,
        hsts: StrictTransportSecurity | None = None,
        permissions: PermissionsPolicy | None = None,
        referrer: ReferrerPolicy | None = None,
        server: Server | None = None,
        xcto: XContentTypeOptions | None = None,
        xdfc: XDnsPrefetchControl | None = None,
        xfo: XFrameOptions | None = None,
        xpcdp: XPermittedCrossDomainPolicies | None = None,
        csp_report_only: ContentSecurityPolicy | None = None,
        permissions_report_only: PermissionsPolicy | None = None,
        reporting_endpoints: ReportingEndpoints | None = None,
    ) -> None:
        given: dict[str, BaseHeader | None] = {
            "cache": cache,
            "coep": coep,
            "coop": coop,
            "corp": corp,
            "csp": csp,
            "csp_report_only": csp_report_only,
            "hsts": hsts,
            "permissions": permissions,
            "permissions_report_only": permissions_report_only,
            "referrer": referrer,
            "xpcdp": xpcdp,
            "xdfc": xdfc,
            "server": server,
            "xcto": xcto,
            "xfo": xfo,
            "reporting_endpoints": reporting_endpoints,
        }
        headers: list[BaseHeader] = []
        for keyword, _ in _SLOTS:
            builder = given[keyword]
            if builder is None:
                continue
            expected = _BUILDERS[keyword]
            if not isinstance(builder, expected):
                raise TypeError(
                    f"Secure({keyword}=...) takes a {expected.__name__}, "
                    f"got {type(builder).__name__} {builder!r}"
                )
            if keyword in _REPORT_ONLY and isinstance(
                builder, (ContentSecurityPolicy, PermissionsPolicy)
            ):
                builder = builder.copy().report_only()
            headers.append(builder)
        try:
            custom_items = list(custom or ())
        except TypeError:
            raise TypeError(
                "Secure(custom=...) takes a list of header builders such as "
                f"CustomHeader(name, value), got {type(custom).__name__} {custom!r}"
            ) from None
        for item in custom_items:
            if not isinstance(item, BaseHeader):
                raise TypeError(
                    "Secure(custom=[...]) takes header builders such as "
                    f"CustomHeader(name, value), got {type(item).__name__} {item!r}"
                )
            headers.append(item)
        # Render now: a bad value fails here, at configuration time, not per request.
        self._entries: list[_Entry] = [_render(h) for h in headers]
        self._normalized: Mapping[str, str] | None = None

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def with_default_headers(cls) -> Secure:
        """The recommended defaults: the same as ``Secure.from_preset(Preset.BALANCED)``."""
        from secure._presets import Preset

        return cls.from_preset(Preset.BALANCED)

    @classmethod
    def from_preset(cls, preset: Preset | str) -> Secure:
        """A fresh ``Secure`` for a preset: ``Preset.BALANCED``, ``BASIC`` or ``STRICT``.

        >>> Secure.from_preset(Preset.STRICT).headers["X-Frame-Options"]
        'DENY'
        """
        from secure._presets import build_preset

        return build_preset(preset)

    @classmethod
    def from_config(cls, config: Mapping[str, object], *, base: Secure | None = None) -> Secure:
        """Build from the shared configuration format (see ``docs/configuration.md``).

        ``base`` starts from that ``Secure`` instead of the ``preset`` key, so an
        integration's own preset can be edited with the same format.

        >>> Secure.from_config({"preset": "strict", "xfo": "SAMEORIGIN"}).headers["X-Frame-Options"]
        'SAMEORIGIN'
        """
        from secure.config import build

        return build(config, base=base)

    @classmethod
    def coerce(cls, value: Secure | Preset | str | Mapping[str, object] | None) -> Secure:
        """Turn what an integration was given into a ``Secure``.

        ``None`` means the BALANCED preset; a ``Secure`` is returned as is; a ``Preset``
        or preset name builds that preset; a mapping is read with :meth:`from_config`.
        """
        from secure._presets import Preset

        if value is None:
            return cls.with_default_headers()
        if isinstance(value, Secure):
            return value
        if isinstance(value, (Preset, str)):
            return cls.from_preset(value)
        if isinstance(value, Mapping):
            return cls.from_config(value)
        raise TypeError(
            "expected a secure.Secure, a Preset, a preset name or a configuration mapping, "
            f"got {type(value).__name__} {value!r}"
        )

    @classmethod
    def _from_entries(cls, entries: Iterable[_Entry]) -> Secure:
        new = cls.__new__(cls)
        new._entries = list(entries)
        new._normalized = None
        return new

    def copy(self) -> Secure:
        """An independent copy: changing one never changes the other."""
        new = Secure._from_entries(self._entries)
        new._normalized = self._normalized
        return new

    # -- rendering ----------------------------------------------------------------------

    @property
    def has_nonce(self) -> bool:
        """True when the CSP holds a nonce slot, so every response needs a fresh nonce."""
        return any(e.templated for e in self._entries)

    def header_items(self, nonce: str | None = None) -> list[tuple[str, str]]:
        """The headers as ordered ``(name, value)`` pairs.

        With a nonce slot, ``nonce`` fills it; without one a fresh nonce is generated.
        """
        if self.has_nonce:
            nonce = generate_nonce() if nonce is None else _check_nonce(nonce)
        return _fill(self._entries, nonce)

    @property
    def headers(self) -> Mapping[str, str]:
        """A read-only name -> value mapping of the headers.

        After :meth:`validate_and_normalize_headers` it is the frozen, normalised mapping.
        """
        if self._normalized is not None:
            return self._normalized
        return MappingProxyType(dict(self.header_items()))

    def snapshot(self) -> HeaderSnapshot:
        """An immutable, pre-encoded copy of the current headers, for middleware.

        Later changes to this ``Secure`` do not reach a snapshot already taken.
        """
        return HeaderSnapshot((e.name, e.value, e.templated) for e in self._entries)

    # -- applying to responses ----------------------------------------------------------

    def _items_for_response(self, nonce: str | None) -> tuple[list[tuple[str, str]], str | None]:
        if self.has_nonce:
            nonce = generate_nonce() if nonce is None else _check_nonce(nonce)
        else:
            nonce = None
        # After validate_and_normalize_headers() the entries *are* the normalised mapping.
        return _fill(self._entries, nonce), nonce

    def set_headers(self, response: Any, *, nonce: str | None = None) -> str | None:
        """Set the headers on a response object.

        The response needs a ``set_header(name, value)`` method or a mutable ``headers``
        mapping. Returns the nonce used for the CSP nonce slot, or ``None``.

        Raises ``HeaderSetError`` if the response refuses a header, ``AttributeError`` if
        it has neither interface, ``RuntimeError`` if its only setter is asynchronous.
        """
        items, used = self._items_for_response(nonce)
        setter = _setter(response)
        if _is_coroutine_function(setter):
            raise RuntimeError(
                f"{type(response).__name__}.set_header is asynchronous; "
                "use 'await secure_headers.set_headers_async(response)'"
            )
        for name, value in items:
            try:
                result = setter(name, value)
            except Exception as exc:
                raise HeaderSetError(f"{name}: could not set header: {exc!r}") from exc
            if isinstance(result, Awaitable):
                close = getattr(result, "close", None)
                if close is not None:
                    close()
                raise RuntimeError(
                    f"{type(response).__name__} sets headers asynchronously; "
                    "use 'await secure_headers.set_headers_async(response)'"
                )
        return used

    async def set_headers_async(self, response: Any, *, nonce: str | None = None) -> str | None:
        """Like :meth:`set_headers`, awaiting the setter when it is asynchronous."""
        items, used = self._items_for_response(nonce)
        setter = _setter(response)
        for name, value in items:
            try:
                result = setter(name, value)
                if isinstance(result, Awaitable):
                    await result
            except Exception as exc:
                raise HeaderSetError(f"{name}: could not set header: {exc!r}") from exc
        return used

    # -- deriving variants (per-view overrides) -----------------------------------------

    def derive(
        self,
        *,
        headers: Mapping[str, str | None] | None = None,
        csp: ContentSecurityPolicy | str | None = None,
        csp_sources: Mapping[str, Sequence[str]] | None = None,
        exempt: Iterable[str] = (),
    ) -> Secure:
        """A new ``Secure`` with some headers changed; this one is left as it is.

        ``headers`` sets or replaces headers by name (``None`` removes one), ``csp``
        replaces the Content-Security-Policy, ``csp_sources`` adds sources to CSP
        directives, ``exempt`` leaves headers out::

            checkout = secure_headers.derive(csp_sources={"script-src": ["https://js.stripe.com"]})
        """
        entries = list(self._entries)

        def index(name: str) -> int | None:
            lower = name.lower()
            return next((i for i, e in enumerate(entries) if e.name.lower() == lower), None)

        def put(entry: _Entry) -> None:
            at = index(entry.name)
            if at is None:
                entries.append(entry)
            else:
                entries[at] = entry

        if csp is not None:
            builder = csp if isinstance(csp, ContentSecurityPolicy) else None
            if builder is None:
                builder = ContentSecurityPolicy().set(
                    check_field_value("Content-Security-Policy", csp)
                )
            put(_render(builder))
        if csp_sources:
            at = index("Content-Security-Policy")
            if at is None:
                raise ValueError(
                    "Content-Security-Policy: cannot add sources, this configuration has no "
                    "CSP; pass csp=... to set one"
                )
            builder = _parse_csp(entries[at])
            for directive, sources in csp_sources.items():
                if isinstance(sources, str):
                    sources = (sources,)
                builder.add_sources(directive, *sources)
            entries[at] = _render(builder)
        for name, value in (headers or {}).items():
            check_field_name(name, header=name)
            if value is None:
                at = index(name)
                if at is not None:
                    del entries[at]
                continue
            put(_render(CustomHeader(name, value)))
        dropped = {check_field_name(n, header=n).lower() for n in exempt}
        return Secure._from_entries(e for e in entries if e.name.lower() not in dropped)

    # -- policy checker -----------------------------------------------------------------

    def audit(self) -> list[Finding]:
        """Check the configuration for weak or missing protections.

        Returns findings with a severity, the header, an explanation and a reference;
        see ``docs/security.md`` for every rule.
        """
        from secure.audit import audit_headers

        return audit_headers((e.name, e.value) for e in self._entries)

    # -- the explicit pipeline ----------------------------------------------------------

    def allowlist_headers(
        self,
        allowed: Iterable[str] = DEFAULT_ALLOWED_HEADERS,
        allow_extra: Iterable[str] | None = None,
        on_unexpected: OnUnexpected = "raise",
        allow_x_prefixed: bool = False,
        logger: logging.Logger | None = None,
    ) -> Secure:
        """Keep only allowlisted header names (case-insensitive); returns ``self``.

        ``on_unexpected``: ``"raise"`` a ``ValueError``, ``"drop"`` the header, or
        ``"warn"`` through ``logger`` and keep it.
        """
        self._entries = _pipeline.allowlist(
            self._entries,
            allowed=allowed,
            allow_extra=allow_extra,
            on_unexpected=on_unexpected,
            allow_x_prefixed=allow_x_prefixed,
            logger=logger,
        )
        self._normalized = None
        return self

    def deduplicate_headers(
        self,
        action: DedupeAction = "raise",
        comma_join_ok: Iterable[str] = COMMA_JOIN_OK,
        multi_ok: Iterable[str] = MULTI_OK,
        logger: logging.Logger | None = None,
    ) -> Secure:
        """Resolve repeated header names; returns ``self``.

        ``action``: ``"raise"``, keep the ``"first"`` or ``"last"``, or ``"concat"`` the
        values with ", " (only for names in ``comma_join_ok``). Names in ``multi_ok``
        may repeat.
        """
        self._entries = _pipeline.deduplicate(
            self._entries,
            action=action,
            comma_join_ok=comma_join_ok,
            multi_ok=multi_ok,
            logger=logger,
        )
        self._normalized = None
        return self

    def validate_and_normalize_headers(
        self,
        on_invalid: OnInvalid = "drop",
        strict: bool = False,
        allow_obs_text: bool = False,
        logger: logging.Logger | None = None,
    ) -> Secure:
        """Validate every name and value, then freeze them into :attr:`headers`.

        Invalid entries are dropped (``"drop"``, ``"warn"``) or raise (``"raise"``);
        ``strict`` also checks each known header's grammar and a 4096-character limit.
        Repeated names raise ``ValueError``. Returns ``self``.
        """
        self._entries, self._normalized = _pipeline.validate(
            self._entries,
            on_invalid=on_invalid,
            strict=strict,
            allow_obs_text=allow_obs_text,
            logger=logger,
            grammar=_GRAMMAR,
        )
        return self

    # -- dunder -------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secure):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Secure({[(e.name, e.value) for e in self._entries]!r})"


def _setter(response: Any) -> Callable[[str, str], object]:
    setter = getattr(response, "set_header", None)
    if callable(setter):
        return setter  # type: ignore[no-any-return]
    headers: object = getattr(response, "headers", None)
    setitem = getattr(headers, "__setitem__", None)
    if headers is not None and callable(setitem):
        return setitem  # type: ignore[no-any-return]
    raise AttributeError(
        f"{type(response).__name__} has neither a set_header(name, value) method nor a "
        "mutable 'headers' mapping; apply Secure.header_items() yourself"
    )


def _parse_csp(entry: _Entry) -> ContentSecurityPolicy:
    """Rebuild an editable CSP builder from a rendered entry (nonce slot included)."""
    return ContentSecurityPolicy().set(entry.value)


def _grammar_check(cls: type[BaseHeader]) -> Callable[[str], object]:
    return lambda value: cls().set(value)


_GRAMMAR: Final[Mapping[str, Callable[[str], object]]] = {
    cls().header_name.lower(): _grammar_check(cls)
    for cls in {*_BUILDERS.values()}
    if cls not in (ContentSecurityPolicy, PermissionsPolicy, ReportingEndpoints)
} | {
    "content-security-policy": _grammar_check(ContentSecurityPolicy),
    "content-security-policy-report-only": _grammar_check(ContentSecurityPolicy),
    "permissions-policy": _grammar_check(PermissionsPolicy),
    "reporting-endpoints": _grammar_check(ReportingEndpoints),
}
