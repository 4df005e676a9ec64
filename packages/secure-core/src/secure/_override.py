"""``Override``: what one route changes about the headers, as an immutable value.

Framework packages attach an ``Override`` to a route (a decorator, a dependency, a
settings entry); ``Secure.derive(override)`` applies it and ``Secure.snapshot(override)``
compiles it, once per distinct override. Being plain data (tuples of strings), an
override is hashable, comparable and picklable: a cached response can carry it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from secure._docs import OVERRIDES, see, see_header
from secure._registry import by_name
from secure._validation import check_field_name, check_field_value
from secure.headers import ContentSecurityPolicy

__all__ = ["Override"]

_CSP: Final = "Content-Security-Policy"

HeadersArg = Mapping[str, "str | None"]
SourcesArg = Mapping[str, "str | Sequence[str]"]


def _canonical(name: str) -> str:
    spec = by_name(name)
    return spec.name if spec is not None else name


def _check_header(name: object, value: object) -> tuple[str, str | None]:
    if not isinstance(name, str):
        raise TypeError(
            see(
                f"override headers: header names must be str, got {type(name).__name__} {name!r}",
                OVERRIDES,
            )
        )
    name = _canonical(check_field_name(name, header=name))
    if value is None:
        return name, None
    if not isinstance(value, str):
        raise TypeError(
            see_header(f"{name}: override value must be a str or None, got {value!r}", name)
        )
    value = check_field_value(name, value)
    spec = by_name(name)
    if spec is not None and spec.builder is not None:
        # A managed header goes through its own grammar, exactly as in the configuration.
        spec.new_builder().set(value)
    return name, value


def _check_csp(csp: object) -> str:
    if isinstance(csp, ContentSecurityPolicy):
        return csp.header_value
    if isinstance(csp, str):
        return ContentSecurityPolicy().set(csp).header_value
    raise TypeError(
        see_header(
            f"{_CSP}: override csp must be a ContentSecurityPolicy or a policy string, "
            f"got {type(csp).__name__} {csp!r}",
            _CSP,
        )
    )


def _check_sources(directive: object, sources: object) -> tuple[str, tuple[str, ...]]:
    if not isinstance(directive, str):
        raise TypeError(see_header(f"{_CSP}: directive names must be str, got {directive!r}", _CSP))
    if isinstance(sources, str):
        sources = (sources,)
    if not isinstance(sources, (list, tuple)) or not all(isinstance(s, str) for s in sources):
        raise TypeError(
            see_header(f"{_CSP} {directive}: sources must be a list of str, got {sources!r}", _CSP)
        )
    # Validated by the builder's own grammar on a scratch policy; add_sources refuses a
    # directive name it does not know (a typo would otherwise become a new directive).
    scratch = ContentSecurityPolicy().add_sources(directive, *sources)
    ((name, values),) = scratch.directives.items()
    return name, values


def _check_exempt(exempt: object) -> tuple[str, ...]:
    names = (exempt,) if isinstance(exempt, str) else exempt
    if not isinstance(names, Iterable):
        raise TypeError(see(f"override exempt: expected header names, got {exempt!r}", OVERRIDES))
    out: dict[str, None] = {}
    for name in names:
        if not isinstance(name, str):
            raise TypeError(
                see(f"override exempt: header names must be str, got {name!r}", OVERRIDES)
            )
        out[_canonical(check_field_name(name, header=name))] = None
    return tuple(out)


class Override:
    """Changes one route makes to the configured headers; immutable and picklable.

    ``headers`` sets headers by name (``None`` removes one; a managed header's value is
    checked against its grammar), ``csp`` replaces the Content-Security-Policy,
    ``csp_sources`` allows more sources in CSP directives (a missing directive starts
    from its CSP Level 3 fallback, so ``'self'`` is kept), ``exempt`` leaves headers
    out and ``exempt_all`` sends none::

        checkout = Override(csp_sources={"script-src": ["https://js.stripe.com"]})
        embeddable = Override(exempt=["X-Frame-Options"], csp_sources={...})
        secure_headers.derive(checkout)

    Overrides combine with ``|``: the right-hand one wins where both set a header.
    """

    __slots__ = ("_hash", "csp", "csp_sources", "exempt", "exempt_all", "headers")

    headers: tuple[tuple[str, str | None], ...]
    csp: str | None
    csp_sources: tuple[tuple[str, tuple[str, ...]], ...]
    exempt: tuple[str, ...]
    exempt_all: bool
    _hash: int

    def __init__(
        self,
        *,
        headers: HeadersArg | None = None,
        csp: ContentSecurityPolicy | str | None = None,
        csp_sources: SourcesArg | None = None,
        exempt: Iterable[str] | str = (),
        exempt_all: bool = False,
    ) -> None:
        if headers is not None and not isinstance(headers, Mapping):
            raise TypeError(
                see(
                    f"override headers: expected a mapping of name -> value, got {headers!r}",
                    OVERRIDES,
                )
            )
        if csp_sources is not None and not isinstance(csp_sources, Mapping):
            raise TypeError(
                see_header(
                    f"{_CSP}: csp_sources expects a mapping of directive -> sources, "
                    f"got {csp_sources!r}",
                    _CSP,
                )
            )
        if not isinstance(exempt_all, bool):
            raise TypeError(
                see(f"override exempt_all: expected True or False, got {exempt_all!r}", OVERRIDES)
            )
        checked: dict[str, tuple[str, str | None]] = {}
        for name, value in (headers or {}).items():
            pair = _check_header(name, value)
            lower = pair[0].lower()
            if lower in checked:
                # Field names are case-insensitive (RFC 9110 §5.1): two spellings are
                # one header, and which value was meant cannot be guessed.
                raise ValueError(
                    see(
                        f"{pair[0]}: given twice in override headers "
                        f"({checked[lower][0]!r} and {name!r}); header names are case-insensitive",
                        OVERRIDES,
                    )
                )
            checked[lower] = pair
        sources: dict[str, tuple[str, ...]] = {}
        for directive, values in (csp_sources or {}).items():
            name, parsed = _check_sources(directive, values)
            sources[name] = tuple(dict.fromkeys((*sources.get(name, ()), *parsed)))
        self._init(
            tuple(checked.values()),
            None if csp is None else _check_csp(csp),
            tuple(sources.items()),
            _check_exempt(exempt),
            exempt_all,
        )

    def _init(
        self,
        headers: tuple[tuple[str, str | None], ...],
        csp: str | None,
        csp_sources: tuple[tuple[str, tuple[str, ...]], ...],
        exempt: tuple[str, ...],
        exempt_all: bool,
    ) -> None:
        setter = object.__setattr__
        setter(self, "headers", headers)
        setter(self, "csp", csp)
        setter(self, "csp_sources", csp_sources)
        setter(self, "exempt", exempt)
        setter(self, "exempt_all", exempt_all)
        # Hashed once: a framework looks its compiled plan up by override on every request.
        setter(self, "_hash", hash(self._parts()))

    @classmethod
    def _from_parts(
        cls,
        headers: tuple[tuple[str, str | None], ...],
        csp: str | None,
        csp_sources: tuple[tuple[str, tuple[str, ...]], ...],
        exempt: tuple[str, ...],
        exempt_all: bool,
    ) -> Override:
        new = cls.__new__(cls)
        new._init(headers, csp, csp_sources, exempt, exempt_all)
        return new

    def _parts(
        self,
    ) -> tuple[
        tuple[tuple[str, str | None], ...],
        str | None,
        tuple[tuple[str, tuple[str, ...]], ...],
        tuple[str, ...],
        bool,
    ]:
        return (self.headers, self.csp, self.csp_sources, self.exempt, self.exempt_all)

    @property
    def is_empty(self) -> bool:
        """True when applying this override changes nothing."""
        return self == _EMPTY

    def __or__(self, other: object) -> Override:
        if not isinstance(other, Override):
            return NotImplemented
        headers = {name.lower(): (name, value) for name, value in self.headers}
        for name, value in other.headers:
            headers[name.lower()] = (name, value)
        sources = dict(self.csp_sources)
        for directive, values in other.csp_sources:
            sources[directive] = tuple(dict.fromkeys((*sources.get(directive, ()), *values)))
        # A header the right-hand side sets again is no longer exempt.
        set_again = {name.lower() for name, value in other.headers if value is not None}
        exempt = dict.fromkeys(n for n in self.exempt if n.lower() not in set_again)
        exempt.update(dict.fromkeys(other.exempt))
        return Override._from_parts(
            tuple(headers.values()),
            other.csp if other.csp is not None else self.csp,
            tuple(sources.items()),
            tuple(exempt),
            self.exempt_all or other.exempt_all,
        )

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Override is immutable; build a new one (cannot set {name!r})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Override is immutable (cannot delete {name!r})")

    def __reduce__(self) -> tuple[object, ...]:
        return (Override._from_parts, self._parts())

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Override):
            return NotImplemented
        return self._parts() == other._parts()

    def __hash__(self) -> int:
        return self._hash

    def _repr_fields(self) -> list[tuple[str, object]]:
        """The fields that change something, for a ``repr``."""
        fields: list[tuple[str, object, bool]] = [
            ("headers", dict(self.headers), not self.headers),
            ("csp", self.csp, self.csp is None),
            ("csp_sources", {d: list(s) for d, s in self.csp_sources}, not self.csp_sources),
            ("exempt", list(self.exempt), not self.exempt),
            ("exempt_all", self.exempt_all, not self.exempt_all),
        ]
        return [(name, value) for name, value, empty in fields if not empty]

    def __repr__(self) -> str:
        fields = [f"{name}={value!r}" for name, value in self._repr_fields()]
        return f"Override({', '.join(fields)})"


_EMPTY: Final = Override()
