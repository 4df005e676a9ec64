"""``Secure``: a set of security headers, rendered once, applied to any response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from secure import _pipeline
from secure import headers as h
from secure._docs import BUILD, CUSTOM_HEADERS, NONCES, OVERRIDES, see
from secure._pipeline import (
    COMMA_JOIN_OK,
    DEFAULT_ALLOWED_HEADERS,
    MULTI_OK,
    DedupeAction,
    OnInvalid,
    OnUnexpected,
    _Entry,
)
from secure._registry import KEYED, KEYWORDS, by_name
from secure._validation import check_field_name, check_field_value
from secure.errors import HeaderSetError
from secure.headers._base import BaseHeader

# The presets, overrides, compiled plans and nonces are imported by the methods that use
# them, so ``from secure import Secure`` loads no builder and stays cheap
# (tests/test_import_cost.py lists what it must not load).
if TYPE_CHECKING:
    import logging

    from secure._override import Override
    from secure._presets import Preset
    from secure._snapshot import HeaderSnapshot
    from secure.audit import Finding

__all__ = ["Secure"]

# Distinct per-route overrides compiled per configuration; past this many the oldest
# is compiled again when next used (a route table is far smaller in practice).
_VARIANT_CACHE_SIZE: Final = 256


def _render(header: BaseHeader) -> _Entry:
    """Render a builder the ``Secure`` now owns (callers pass a private copy)."""
    # The builders validate already; checking again here means no builder bug or
    # subclass can ever put an invalid field on the wire (RFC 9110 §5.1, §5.5).
    name = check_field_name(header.header_name, header=header.header_name)
    value = check_field_value(name, header.header_value)
    return _Entry(name, value, header.has_nonce, header)


def _nonce_for(nonce: str | None) -> str:
    """The nonce for a configuration with a nonce slot: ``nonce`` checked, or a fresh one."""
    from secure.nonce import generate_nonce, is_nonce

    if nonce is None:
        return generate_nonce()
    if not is_nonce(nonce):
        raise ValueError(
            see(
                f"Content-Security-Policy: invalid nonce {nonce!r}; a nonce is a base64 value "
                "(CSP Level 3 §2.3.1), e.g. from secure.nonce.generate_nonce()",
                NONCES,
            )
        )
    return nonce


def _fill(entries: Iterable[_Entry], nonce: str | None) -> tuple[tuple[str, str], ...]:
    if not nonce:
        return tuple([(e.name, e.value) for e in entries])
    from secure.nonce import _PLACEHOLDER

    return tuple(
        [
            (e.name, e.value.replace(_PLACEHOLDER, nonce) if e.templated else e.value)
            for e in entries
        ]
    )


_BASE_VALUE: Final = BaseHeader.header_value


def _unchecked_value(builder: BaseHeader) -> str:
    """A builder's value without the field-value check, for noticing a change cheaply.

    The check runs on the private copy whenever the value has changed (``_render``).
    A subclass that defines its own ``header_value`` is read through it.
    """
    if type(builder).header_value is not _BASE_VALUE:
        return builder.header_value
    raw = builder._raw
    return raw if raw is not None else builder._render()


# What a live builder looked like when its private copy was made: the builder itself,
# its header_name and its header_value.
_Seen = tuple[BaseHeader, str, str]


class _State:
    """One configuration: the rendered entries and what is derived from them.

    A ``Secure`` replaces its state as a whole, never changes one in place (only the
    caches below fill in), so a thread that read the state sees one consistent set of
    entries, and a plan or variant compiled from old entries can only land in the old
    state's caches.
    """

    __slots__ = ("entries", "normalized", "plan", "seen", "variants")

    def __init__(
        self,
        entries: list[_Entry],
        normalized: Mapping[str, str] | None = None,
        seen: tuple[_Seen, ...] = (),
    ) -> None:
        self.entries = entries
        #: Set by validate_and_normalize_headers(): the frozen mapping ``headers`` returns.
        self.normalized = normalized
        #: The live builders this state was rendered from (empty unless live).
        self.seen = seen
        self.plan: HeaderSnapshot | None = None
        self.variants: dict[Override, tuple[Secure, HeaderSnapshot]] = {}


def _seen(builders: list[BaseHeader]) -> tuple[_Seen, ...]:
    """What each builder looks like now (itself, its name, its value), for ``_Live.changed``."""
    return tuple((b, b.header_name, _unchecked_value(b)) for b in builders)


class _Live:
    """The builders a user can still reach and change: 2.x's ``headers_list``.

    ``builders`` is the user's own list, holding the user's own objects. ``report_only``
    holds the builders given as ``csp_report_only=``/``permissions_report_only=``, whose
    copies are switched to the report-only header.
    """

    __slots__ = ("builders", "report_only")

    def __init__(self, builders: list[BaseHeader], report_only: tuple[BaseHeader, ...] = ()):
        self.builders = builders
        self.report_only = report_only

    def changed(self, seen: tuple[_Seen, ...]) -> bool:
        """Whether the list or any builder in it differs from what ``seen`` recorded."""
        builders = self.builders
        if len(builders) != len(seen):
            return True
        # Identity first: a replaced element (maybe not a builder at all) is a change
        # before any of its attributes is read.
        return any(
            builder is not was or _unchecked_value(builder) != value or builder.header_name != name
            for builder, (was, name, value) in zip(builders, seen, strict=True)
        )

    def render(self, builders: list[BaseHeader]) -> tuple[list[_Entry], tuple[_Seen, ...]]:
        """Check, copy and render ``builders``; what each looked like, for ``changed``."""
        for builder in builders:
            if not isinstance(builder, BaseHeader):
                raise TypeError(
                    "Secure.headers_list holds header builders such as "
                    f"CustomHeader(name, value), got {type(builder).__name__} {builder!r}"
                )
        # Recorded before the copies: a change in between only causes another rebuild.
        seen = _seen(builders)
        entries: list[_Entry] = []
        for builder in builders:
            own = builder.copy()
            if any(builder is r for r in self.report_only) and isinstance(
                own, (h.ContentSecurityPolicy, h.PermissionsPolicy)
            ):
                own.report_only()
            entries.append(_render(own))
        return entries, seen


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
    ``Secure`` keeps a private copy of each builder beside its rendered value, so
    :meth:`derive` and :meth:`from_config` edit builders, never parse text back.

    Built from builder objects, it also keeps those objects in :attr:`headers_list`, as
    ``secure`` 2.x does: changing one of them, or the list, changes the headers from the
    next rendering call on (validated again, so nothing invalid is sent). Presets and
    configurations never hand their builders out and are never re-checked.
    """

    __slots__ = ("_live", "_state")

    def __init__(
        self,
        *,
        cache: h.CacheControl | None = None,
        coep: h.CrossOriginEmbedderPolicy | None = None,
        coop: h.CrossOriginOpenerPolicy | None = None,
        corp: h.CrossOriginResourcePolicy | None = None,
        csp: h.ContentSecurityPolicy | None = None,
        custom: Iterable[BaseHeader] | None = None,
        hsts: h.StrictTransportSecurity | None = None,
        permissions: h.PermissionsPolicy | None = None,
        referrer: h.ReferrerPolicy | None = None,
        server: h.Server | None = None,
        xcto: h.XContentTypeOptions | None = None,
        xdfc: h.XDnsPrefetchControl | None = None,
        xfo: h.XFrameOptions | None = None,
        xpcdp: h.XPermittedCrossDomainPolicies | None = None,
        csp_report_only: h.ContentSecurityPolicy | None = None,
        permissions_report_only: h.PermissionsPolicy | None = None,
        reporting_endpoints: h.ReportingEndpoints | None = None,
    ) -> None:
        given = locals()
        keyed = {key: given[key] for key in KEYWORDS}
        entries, builders, report_only = _assemble(keyed, custom)
        self._live: _Live | None = None
        self._state = _State(entries)
        if builders:
            # The caller can still change these objects, so each rendering call checks
            # them (2.x's behaviour); without any, there is nothing to check.
            self._live = _Live(builders, report_only)
            self._state.seen = _seen(builders)

    def _set_entries(self, entries: list[_Entry]) -> None:
        self._live = None
        self._state = _State(entries)

    def _now(self) -> _State:
        """The current state; first rebuilt from the live builders if any has changed."""
        state = self._state
        live = self._live
        if live is not None and live.changed(state.seen):
            entries, seen = live.render(list(live.builders))
            # One assignment: a racing rebuild can only replace a consistent state by
            # another consistent one (and an older one is rebuilt on the next call).
            state = self._state = _State(entries, seen=seen)
        return state

    @property
    def _entries(self) -> list[_Entry]:
        return self._now().entries

    # -- 2.x's builder list ---------------------------------------------------------------

    @property
    def headers_list(self) -> list[BaseHeader]:
        """The builders, in order: ``secure`` 2.x's way to customise a ``Secure``.

        It is a plain list you may change (append, remove, replace) or assign, and its
        builders may be changed; the headers follow from the next rendering call, and a
        value made invalid is refused there with a ``ValueError`` naming the header::

            secure_headers = Secure.from_preset(Preset.BASIC)
            secure_headers.headers_list.append(CustomHeader("X-App", "1"))

        Middleware compiles its plan when it is created and does not follow later changes.
        Each call renders one whole, validated configuration, even while another thread
        rebuilds it; a builder itself is not made for one thread to change while another
        renders it, so change builders before serving, or hand over a new ``Secure``.
        """
        live = self._live
        if live is None:
            state = self._now()
            # Fresh copies: the private ones behind the rendered values stay private.
            builders = [
                e.builder.copy() if e.builder is not None else h.CustomHeader(e.name, e.value)
                for e in state.entries
            ]
            live = _Live(builders)
            self._state = _State(state.entries, state.normalized, _seen(builders))
            self._live = live
        return live.builders

    @headers_list.setter
    def headers_list(self, builders: list[BaseHeader]) -> None:
        if not isinstance(builders, list):
            raise TypeError(
                "Secure.headers_list takes a list of header builders, "
                f"got {type(builders).__name__} {builders!r}"
            )
        live = _Live(builders, self._live.report_only if self._live is not None else ())
        entries, seen = live.render(list(builders))  # refused here, before anything changes
        self._state = _State(entries, seen=seen)
        self._live = live

    def _rewrite(self, entries: list[_Entry], normalized: Mapping[str, str] | None = None) -> None:
        """Adopt the result of a pipeline step; a live builder list follows it, as in 2.x."""
        live = self._live
        if live is None:
            self._state = _State(entries, normalized)
            return
        # Each entry holds its private copy; map it back to the live builder it came from.
        origin = {
            id(e.builder): seen[0]
            for e, seen in zip(self._state.entries, self._state.seen, strict=True)
        }
        builders: list[BaseHeader] = []
        for entry in entries:
            builder = origin.get(id(entry.builder)) if entry.builder is not None else None
            # A value joined by deduplicate_headers("concat") becomes a CustomHeader.
            builders.append(
                builder if builder is not None else h.CustomHeader(entry.name, entry.value)
            )
        live.builders[:] = builders
        self._state = _State(entries, normalized, _seen(builders))

    # -- constructors -------------------------------------------------------------------

    @classmethod
    def with_default_headers(cls) -> Secure:
        """The recommended defaults: the same as ``Secure.from_preset(Preset.BALANCED)``."""
        from secure._presets import Preset

        return cls.from_preset(Preset.BALANCED)

    @classmethod
    def from_preset(cls, preset: Preset | str) -> Secure:
        """A fresh ``Secure`` for a preset: ``Preset.BALANCED``, ``BASIC`` or ``STRICT``,
        or the name of a preset an installed package provides (``"shiny"`` with
        secure-shiny; ``secure presets`` lists them).

        >>> Secure.from_preset(Preset.STRICT).headers["X-Frame-Options"]
        'DENY'
        """
        from secure._presets import parse_preset, preset_builders

        member = parse_preset(preset)
        # Rendering a preset validates every value again; the rendered entries and the
        # builders they hold are never changed in place, so each preset is rendered
        # once and every call gets its own Secure over them.
        template = _PRESETS.get(member)
        if template is None:
            template = _PRESETS[member] = cls._from_builders(preset_builders(member))
        return template.copy()

    @classmethod
    def from_config(cls, config: Mapping[str, object], *, base: Secure | None = None) -> Secure:
        """Build from the shared configuration format (see <https://typeerror.github.io/secure/configuration/>).

        ``base`` starts from that ``Secure`` instead of the ``preset`` key, so an
        integration's own preset can be edited with the same format.

        >>> Secure.from_config({"preset": "strict", "xfo": "SAMEORIGIN"}).headers["X-Frame-Options"]
        'SAMEORIGIN'
        """
        # Imported on use: most applications never read a configuration mapping.
        from secure import _config

        start = None if base is None else base._builders()
        plan = _config.resolve(config, base=start)
        result = cls._from_builders(plan.builders)
        if plan.remove:
            try:
                result = result.derive(exempt=plan.remove)
            except (ValueError, TypeError) as exc:
                raise _config.config_error("remove", str(exc)) from None
        return result

    @classmethod
    def coerce(cls, value: Secure | Preset | str | Mapping[str, object] | None) -> Secure:
        """Turn what an integration was given into a ``Secure``.

        ``None`` means the BALANCED preset; a ``Secure`` is returned as is; a ``Preset``
        or preset name builds that preset; a mapping is read with :meth:`from_config`.
        """
        if value is None:
            return cls.with_default_headers()
        if isinstance(value, Secure):
            return value
        from secure._presets import Preset

        if isinstance(value, (Preset, str)):
            return cls.from_preset(value)
        if isinstance(value, Mapping):
            return cls.from_config(value)
        raise TypeError(
            see(
                "expected a secure.Secure, a Preset, a preset name or a configuration mapping, "
                f"got {type(value).__name__} {value!r}",
                BUILD,
            )
        )

    @classmethod
    def _from_builders(cls, builders: Mapping[str, object]) -> Secure:
        """Assemble from keyword -> builder (plus ``"custom"``), as presets and config give."""
        keyed = {k: v for k, v in builders.items() if k != "custom"}
        custom = builders.get("custom")
        new = cls.__new__(cls)
        new._set_entries(_assemble(keyed, custom)[0])
        return new

    @classmethod
    def _from_entries(cls, entries: Iterable[_Entry]) -> Secure:
        new = cls.__new__(cls)
        new._set_entries(list(entries))
        return new

    def copy(self) -> Secure:
        """An independent copy: changing one never changes the other."""
        state = self._now()
        new = Secure._from_entries(state.entries)
        new._state.normalized = state.normalized
        return new

    def _builders(self) -> dict[str, object]:
        """Copies of the builders, keyed like the constructor (``"custom"``: the rest)."""
        keyed: dict[str, object] = {}
        custom: list[BaseHeader] = []
        for entry in self._entries:
            spec = by_name(entry.name)
            builder = entry.builder
            if builder is None:  # a value joined by deduplicate_headers("concat")
                builder = h.CustomHeader(entry.name, entry.value)
            if (
                spec is not None
                and spec.key is not None
                and spec.key not in keyed
                and isinstance(builder, spec.builder or ())
            ):
                keyed[spec.key] = builder.copy()
                continue
            custom.append(builder.copy())
        keyed["custom"] = custom
        return keyed

    # -- rendering ----------------------------------------------------------------------

    @property
    def has_nonce(self) -> bool:
        """True when the CSP holds a nonce slot, so every response needs a fresh nonce."""
        return any(e.templated for e in self._entries)

    def header_items(self, nonce: str | None = None) -> tuple[tuple[str, str], ...]:
        """The headers as a tuple of ordered ``(name, value)`` pairs; a name may repeat.

        With a nonce slot, ``nonce`` fills it; without one a fresh nonce is generated.
        """
        entries = self._entries
        if any(e.templated for e in entries):
            nonce = _nonce_for(nonce)
        return _fill(entries, nonce)

    @property
    def headers(self) -> Mapping[str, str]:
        """A read-only name -> value mapping of the headers.

        A name configured twice (in any case) raises ``ValueError``, even one that may
        repeat on the wire: use :meth:`header_items` for those. After
        :meth:`validate_and_normalize_headers` it is the frozen, normalised mapping, until
        the builders in :attr:`headers_list` change.
        """
        state = self._now()
        if state.normalized is not None:
            return state.normalized
        items = self.header_items()
        mapping = dict(items)
        if len(mapping) != len(items) or len({name.lower() for name in mapping}) != len(items):
            seen: dict[str, str] = {}
            for name, _ in items:
                lower = name.lower()
                if lower in seen:
                    raise ValueError(
                        f"{name}: header is configured more than once ({seen[lower]!r} and "
                        f"{name!r}); read header_items() for every value, or run "
                        "deduplicate_headers() first"
                    )
                seen[lower] = name
        return MappingProxyType(mapping)

    def snapshot(self, override: Override | None = None) -> HeaderSnapshot:
        """The compiled, immutable per-request plan of these headers, for middleware.

        With an ``override``, the plan of :meth:`derive` ``(override)``, compiled once
        per distinct override. Later changes to this ``Secure`` do not reach a snapshot
        already taken.
        """
        if override is None:
            state = self._now()
            plan = state.plan
            if plan is None:
                from secure._snapshot import HeaderSnapshot

                plan = state.plan = HeaderSnapshot(
                    (e.name, e.value, e.templated) for e in state.entries
                )
            return plan
        return self._compiled(override)[1]

    # -- applying to responses ----------------------------------------------------------

    def _items_for_response(
        self, nonce: str | None
    ) -> tuple[tuple[tuple[str, str], ...], str | None]:
        entries = self._entries
        nonce = _nonce_for(nonce) if any(e.templated for e in entries) else None
        # After validate_and_normalize_headers() the entries *are* the normalised mapping.
        return _fill(entries, nonce), nonce

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

    # -- deriving variants (per-route overrides) ----------------------------------------

    def derive(
        self,
        override: Override | None = None,
        *,
        headers: Mapping[str, str | None] | None = None,
        csp: h.ContentSecurityPolicy | str | None = None,
        csp_sources: Mapping[str, str | Sequence[str]] | None = None,
        exempt: Iterable[str] | str = (),
        exempt_all: bool = False,
    ) -> Secure:
        """A new ``Secure`` with some headers changed; this one is left as it is.

        Takes an :class:`~secure.Override`, or its fields as keywords: ``headers`` sets
        or replaces headers by name (``None`` removes one; a managed header's value is
        checked against its grammar), ``csp`` replaces the Content-Security-Policy,
        ``csp_sources`` adds sources to CSP directives (a missing directive starts from
        its CSP Level 3 fallback), ``exempt`` leaves headers out::

            checkout = secure_headers.derive(csp_sources={"script-src": ["https://js.stripe.com"]})

        Naming a header this configuration does not send (to remove or exempt it) is a
        ``ValueError`` that suggests the closest name.
        """
        from secure._override import Override

        given = Override(
            headers=headers, csp=csp, csp_sources=csp_sources, exempt=exempt, exempt_all=exempt_all
        )
        if override is not None:
            if not isinstance(override, Override):
                raise TypeError(
                    see(f"derive() takes an Override, got {type(override).__name__}", OVERRIDES)
                )
            given = override | given
        return self._variant(given)

    def _variant(self, override: Override) -> Secure:
        """``derive(override)``: a copy of the cached variant."""
        return self._compiled(override)[0].copy()

    def _compiled(self, override: Override) -> tuple[Secure, HeaderSnapshot]:
        """The variant for ``override`` and its plan, built once (bounded cache)."""
        state = self._now()
        variants = state.variants
        compiled = variants.get(override)
        if compiled is None:
            variant = Secure._from_entries(_apply(state.entries, override))
            compiled = (variant, variant.snapshot())
            if len(variants) >= _VARIANT_CACHE_SIZE:
                del variants[next(iter(variants))]
            variants[override] = compiled
        return compiled

    # -- policy checker -----------------------------------------------------------------

    def audit(self) -> list[Finding]:
        """Check the configuration for weak or missing protections.

        Returns findings with a severity, the header, an explanation and a reference;
        every rule is on <https://typeerror.github.io/secure/security/>.
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
        self._rewrite(
            _pipeline.allowlist(
                self._entries,
                allowed=allowed,
                allow_extra=allow_extra,
                on_unexpected=on_unexpected,
                allow_x_prefixed=allow_x_prefixed,
                logger=logger,
            )
        )
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
        self._rewrite(
            _pipeline.deduplicate(
                self._entries,
                action=action,
                comma_join_ok=comma_join_ok,
                multi_ok=multi_ok,
                logger=logger,
            )
        )
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
        entries, normalized = _pipeline.validate(
            self._entries,
            on_invalid=on_invalid,
            strict=strict,
            allow_obs_text=allow_obs_text,
            logger=logger,
        )
        self._rewrite(entries, normalized)
        return self

    # -- dunder -------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secure):
            return NotImplemented
        return [e[:3] for e in self._entries] == [e[:3] for e in other._entries]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Secure({[(e.name, e.value) for e in self._entries]!r})"

    def __str__(self) -> str:
        """The headers as ``Name: value`` lines, as ``secure`` 2.x prints them."""
        return "\n".join(f"{name}: {value}" for name, value in self.header_items())


_PRESETS: dict[Preset | str, Secure] = {}


def _assemble(
    keyed: Mapping[str, object], custom: object
) -> tuple[list[_Entry], list[BaseHeader], tuple[BaseHeader, ...]]:
    """Type-check, copy and render the builders a ``Secure`` is made of.

    Returns the entries, the caller's builders in the same order, and those of them
    given as report-only policies.
    """
    entries: list[_Entry] = []
    builders: list[BaseHeader] = []
    report_only: list[BaseHeader] = []
    for spec in KEYED:
        builder = keyed.get(spec.key or "")
        if builder is None:
            continue
        expected = spec.builder
        if expected is None or not isinstance(builder, expected):
            name = expected.__name__ if expected is not None else "header builder"
            raise TypeError(
                see(
                    f"Secure({spec.key}=...) takes a {name}, got {type(builder).__name__} "
                    f"{builder!r}",
                    BUILD,
                )
            )
        # A private copy: the caller's builder can change later without changing us.
        own = builder.copy()
        if spec.report_only and isinstance(own, (h.ContentSecurityPolicy, h.PermissionsPolicy)):
            own.report_only()
            report_only.append(builder)
        entries.append(_render(own))
        builders.append(builder)
    unknown = set(keyed) - {spec.key for spec in KEYED}
    if unknown:
        raise TypeError(see(f"Secure() got unexpected keywords {sorted(unknown)}", BUILD))
    try:
        custom_items = list(custom or ())  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(
            see(
                "Secure(custom=...) takes a list of header builders such as "
                f"CustomHeader(name, value), got {type(custom).__name__} {custom!r}",
                CUSTOM_HEADERS,
            )
        ) from None
    for item in custom_items:
        if not isinstance(item, BaseHeader):
            raise TypeError(
                see(
                    "Secure(custom=[...]) takes header builders such as "
                    f"CustomHeader(name, value), got {type(item).__name__} {item!r}",
                    CUSTOM_HEADERS,
                )
            )
        entries.append(_render(item.copy()))
        builders.append(item)
    return entries, builders, tuple(report_only)


def _apply(entries: list[_Entry], override: Override) -> list[_Entry]:
    """The entries with ``override`` applied; validated against this configuration."""
    from secure import _csp_edit
    from secure._suggest import suggest

    # exempt_all starts from nothing; what the override sets is still sent.
    result = [] if override.exempt_all else list(entries)

    def index(name: str) -> int | None:
        lower = name.lower()
        return next((i for i, e in enumerate(result) if e.name.lower() == lower), None)

    def absent(name: str, action: str) -> ValueError:
        present = [e.name for e in result]
        return ValueError(
            see(
                f"{name}: cannot {action} a header this configuration does not send"
                f"{suggest(name, present)} (it sends: {', '.join(present) or 'nothing'})",
                OVERRIDES,
            )
        )

    def put(entry: _Entry) -> None:
        at = index(entry.name)
        if at is None:
            result.append(entry)
        else:
            result[at] = entry

    if override.csp is not None:
        put(_render(h.ContentSecurityPolicy().set(override.csp)))
    if override.csp_sources:
        at = index("Content-Security-Policy")
        if at is None:
            raise ValueError(
                see(
                    "Content-Security-Policy: cannot add sources, this configuration has no "
                    "CSP; pass csp=... to set one",
                    OVERRIDES,
                )
            )
        current = result[at].builder
        if not isinstance(current, h.ContentSecurityPolicy):
            raise ValueError(
                see(
                    "Content-Security-Policy: cannot add sources to a policy joined from "
                    "several values; pass csp=... to replace it",
                    OVERRIDES,
                )
            )
        edited = current.copy()
        for directive, sources in override.csp_sources:
            _csp_edit.extend(edited, directive, sources)
        result[at] = _render(edited)
    for name, value in override.headers:
        if value is None:
            at = index(name)
            if at is None:
                raise absent(name, "remove")
            del result[at]
            continue
        spec = by_name(name)
        if spec is not None and spec.builder is not None:
            builder = spec.new_builder().set(value)
        else:
            if index(name) is None:
                # A new header is fine; one that looks like a typo of a known one is not.
                known = [s.name for s in KEYED] + [e.name for e in result]
                hint = suggest(name, known, cutoff=0.85)
                if hint:
                    raise ValueError(
                        see(f"{name}: not a header this library knows{hint}", CUSTOM_HEADERS)
                    )
            builder = h.CustomHeader(name, value)
        put(_render(builder))
    for name in override.exempt:
        at = index(name)
        if at is None:
            if override.exempt_all:
                continue  # already left out with everything else
            raise absent(name, "exempt")
        del result[at]
    return result


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
