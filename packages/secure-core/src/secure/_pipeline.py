"""The explicit header pipeline: allowlist, deduplicate, validate and normalise.

These functions work on a list of entries (``_Entry``: name, value, templated) and are
called by the ``Secure`` methods of the same names. They run at configuration time,
never per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from secure._docs import PIPELINE, bare, see
from secure._registry import HEADERS, HeaderSpec
from secure._validation import is_field_name, is_field_value

if TYPE_CHECKING:
    import logging

    from secure.headers._base import BaseHeader

__all__ = [
    "COMMA_JOIN_OK",
    "DEFAULT_ALLOWED_HEADERS",
    "MULTI_OK",
    "DedupeAction",
    "OnInvalid",
    "OnUnexpected",
]

OnUnexpected = Literal["raise", "drop", "warn"]
DedupeAction = Literal["raise", "first", "last", "concat"]
OnInvalid = Literal["drop", "warn", "raise"]

#: Header names (lower-case) that may legitimately appear more than once on a response.
#: Several CSP fields are all enforced, so another one can only tighten (CSP Level 3
#: §3.1, "multiple policies"); middleware appends these instead of overwriting.
MULTI_OK: Final[frozenset[str]] = frozenset(spec.lower for spec in HEADERS if spec.multi)

#: Header names (lower-case) whose repeated values can be joined with ", " without
#: changing their meaning: list-based fields (RFC 9110 §5.3) and structured-field
#: lists/dictionaries (RFC 9651 §3.1, §3.2), plus ``Vary``, which applications often
#: send twice. X-Frame-Options and HSTS are not among them.
COMMA_JOIN_OK: Final[frozenset[str]] = frozenset(
    {*(spec.lower for spec in HEADERS if spec.joinable), "vary"}
)

#: Every security header the builders and presets produce (lower-case).
DEFAULT_ALLOWED_HEADERS: Final[frozenset[str]] = frozenset(spec.lower for spec in HEADERS)

# Canonical spelling of the names above, used when normalising.
_CANONICAL: Final = {spec.lower: spec.name for spec in HEADERS}


class _Entry(NamedTuple):
    """One rendered header; ``builder`` is the frozen builder it came from, if any."""

    name: str
    value: str
    templated: bool
    builder: BaseHeader | None = None


def _report(logger: logging.Logger | None, level: int, message: str) -> None:
    if logger is not None:
        logger.log(level, message)


def _lowered(names: Iterable[str] | None) -> frozenset[str]:
    return frozenset(n.lower() for n in names) if names is not None else frozenset()


def allowlist(
    entries: list[_Entry],
    *,
    allowed: Iterable[str],
    allow_extra: Iterable[str] | None,
    on_unexpected: OnUnexpected,
    allow_x_prefixed: bool,
    logger: logging.Logger | None,
) -> list[_Entry]:
    if on_unexpected not in ("raise", "drop", "warn"):
        raise ValueError(
            see(
                f"allowlist_headers: on_unexpected must be 'raise', 'drop' or 'warn', "
                f"not {on_unexpected!r}",
                PIPELINE,
            )
        )
    permitted = _lowered(allowed) | _lowered(allow_extra)
    kept: list[_Entry] = []
    for entry in entries:
        lower = entry.name.lower()
        if lower in permitted or (allow_x_prefixed and lower.startswith("x-")):
            kept.append(entry)
            continue
        message = (
            f"{entry.name}: header is not in the allowlist; add it with "
            f"allow_extra=[{entry.name!r}] or remove it"
        )
        if on_unexpected == "raise":
            raise ValueError(see(message, PIPELINE))
        if on_unexpected == "warn":
            _report(logger, 30, message + " (kept)")
            kept.append(entry)
        else:
            _report(logger, 20, message + " (dropped)")
    return kept


def deduplicate(
    entries: list[_Entry],
    *,
    action: DedupeAction,
    comma_join_ok: Iterable[str],
    multi_ok: Iterable[str],
    logger: logging.Logger | None,
) -> list[_Entry]:
    if action not in ("raise", "first", "last", "concat"):
        raise ValueError(
            see(
                "deduplicate_headers: action must be 'raise', 'first', 'last' or 'concat', "
                f"not {action!r}",
                PIPELINE,
            )
        )
    joinable = _lowered(comma_join_ok)
    multi = _lowered(multi_ok)
    groups: dict[str, list[_Entry]] = {}
    for entry in entries:
        groups.setdefault(entry.name.lower(), []).append(entry)
    result: list[_Entry] = []
    emitted: set[str] = set()
    for entry in entries:
        lower = entry.name.lower()
        group = groups[lower]
        if len(group) == 1 or lower in multi:
            result.append(entry)
            continue
        if lower in emitted:
            continue
        emitted.add(lower)
        values = [e.value for e in group]
        if action == "raise":
            raise ValueError(
                see(f"{entry.name}: header is set {len(group)} times: {values!r}", PIPELINE)
            )
        if action == "first":
            chosen = group[0]
        elif action == "last":
            chosen = group[-1]
        elif lower in joinable:
            # RFC 9110 §5.3: a list-based field may be combined with ", ".
            chosen = _Entry(group[0].name, ", ".join(values), any(e.templated for e in group))
        else:
            raise ValueError(
                see(
                    f"{entry.name}: header is set {len(group)} times and its values cannot be "
                    f"joined with ', ' (not in comma_join_ok): {values!r}",
                    PIPELINE,
                )
            )
        _report(logger, 20, f"{entry.name}: {len(group)} values resolved with {action!r}")
        result.append(chosen)
    return result


def validate(
    entries: list[_Entry],
    *,
    on_invalid: OnInvalid,
    strict: bool,
    allow_obs_text: bool,
    logger: logging.Logger | None,
    grammar: Mapping[str, Callable[[str], object]] | None = None,
) -> tuple[list[_Entry], Mapping[str, str]]:
    if on_invalid not in ("drop", "warn", "raise"):
        raise ValueError(
            see(
                "validate_and_normalize_headers: on_invalid must be 'drop', 'warn' or 'raise', "
                f"not {on_invalid!r}",
                PIPELINE,
            )
        )
    if grammar is None:
        grammar = _GRAMMAR
    kept: list[_Entry] = []
    for entry in entries:
        problem = _problem(entry, strict=strict, allow_obs_text=allow_obs_text, grammar=grammar)
        if problem is None:
            name = _CANONICAL.get(entry.name.lower(), entry.name)
            kept.append(entry._replace(name=name))
            continue
        message = f"{entry.name}: {problem}: {entry.value!r}"
        if on_invalid == "raise":
            raise ValueError(see(message, PIPELINE))
        # "warn" reports loudly but still never lets an invalid field reach the wire.
        _report(logger, 30 if on_invalid == "warn" else 20, message + " (dropped)")
    seen: dict[str, str] = {}
    for entry in kept:
        lower = entry.name.lower()
        if lower in seen:
            raise ValueError(
                see(
                    f"{entry.name}: header appears more than once; run deduplicate_headers() "
                    "first, or use header_items() for multi-valued headers",
                    PIPELINE,
                )
            )
        seen[lower] = entry.name
    return kept, MappingProxyType({e.name: e.value for e in kept})


def _grammar_check(spec: HeaderSpec) -> Callable[[str], object]:
    return lambda value: spec.new_builder().set(value)


# Strict validation parses each managed header's value with its own builder.
_GRAMMAR: Final[Mapping[str, Callable[[str], object]]] = {
    spec.lower: _grammar_check(spec) for spec in HEADERS if spec.builder_name is not None
}

# Response header sizes above this are refused by common proxies (nginx's default
# proxy_buffer_size is 4k/8k); strict mode refuses them at configuration time.
_STRICT_MAX_VALUE = 4096


def _problem(
    entry: _Entry,
    *,
    strict: bool,
    allow_obs_text: bool,
    grammar: Mapping[str, Callable[[str], object]],
) -> str | None:
    if not isinstance(entry.name, str) or not is_field_name(entry.name):
        return "invalid header name (RFC 9110 §5.6.2)"
    if not isinstance(entry.value, str) or not is_field_value(
        entry.value, allow_obs_text=allow_obs_text
    ):
        return "invalid header value (RFC 9110 §5.5)"
    if strict:
        if len(entry.value) > _STRICT_MAX_VALUE:
            return f"value longer than {_STRICT_MAX_VALUE} characters"
        check = grammar.get(entry.name.lower())
        if check is not None and not entry.templated:
            try:
                check(entry.value)
            except ValueError as exc:
                return f"value does not match the header's grammar ({bare(str(exc))})"
    return None
