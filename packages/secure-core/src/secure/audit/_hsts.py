"""Strict-Transport-Security rules (RFC 6797)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, TypeAlias

from secure._validation import is_field_name
from secure.audit._core import MDN, Response, Rule, reports, rule

_HSTS: Final = "Strict-Transport-Security"
_SIX_MONTHS: Final = 15768000
_ONE_YEAR: Final = 31536000

#: RFC 6797 §6.1 directives: lower-case name -> value (None for a bare name).
Directives: TypeAlias = dict[str, str | None]
DirectivesCheck: TypeAlias = Callable[[Directives], str | None]


def parse_hsts(value: str) -> Directives | None:
    """RFC 6797 §6.1 directives (lower-case name -> value), or None when UAs ignore it."""
    directives: Directives = {}
    for part in value.split(";"):
        part = part.strip(" \t")
        if not part:
            continue
        name, eq, argument = part.partition("=")
        name = name.strip(" \t").lower()
        if not is_field_name(name) or name in directives:
            return None  # §6.1: a repeated directive makes the header invalid
        text = argument.strip(" \t")
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        directives[name] = text if eq else None
    max_age = directives.get("max-age")
    if max_age is None or not max_age.isascii() or not max_age.isdigit():
        return None
    return directives


def _max_age(directives: Directives) -> int:
    # int() refuses strings of over 4300 digits; any value past 18 digits is "forever".
    digits = (directives["max-age"] or "0").lstrip("0")
    return int(digits or "0") if len(digits) <= 18 else 10**18


def _first(response: Response) -> Directives | None:
    # RFC 6797 §8.1: only the first field is processed.
    values = response.get("strict-transport-security")
    return parse_hsts(values[0]) if values else None


def _directives_check(hsts_rule: Rule) -> Callable[[DirectivesCheck], DirectivesCheck]:
    """Make ``find(directives) -> message | None`` a check of a header browsers accept."""

    def register(find: DirectivesCheck) -> DirectivesCheck:
        @reports(hsts_rule)
        def judge(response: Response) -> str | None:
            directives = _first(response)
            return None if directives is None else find(directives)

        return find

    return register


HSTS_MISSING: Final = rule(
    "hsts-missing",
    "medium",
    _HSTS,
    "No Strict-Transport-Security: the first request of every visit can be downgraded "
    "to plain HTTP.",
    f"{MDN}Strict-Transport-Security",
)
HSTS_INVALID: Final = rule(
    "hsts-invalid",
    "medium",
    _HSTS,
    "Strict-Transport-Security that browsers must ignore: no max-age, a repeated "
    "directive or a value that does not parse.",
    "https://www.rfc-editor.org/rfc/rfc6797#section-6.1",
)


@reports(HSTS_MISSING)
def _missing(response: Response) -> str | None:
    if response.get("strict-transport-security"):
        return None
    return "no Strict-Transport-Security header"


@reports(HSTS_INVALID)
def _invalid(response: Response) -> str | None:
    values = response.get("strict-transport-security")
    if not values or _first(response) is not None:
        return None
    return f"browsers ignore {values[0][:80]!r}: max-age missing or malformed"


HSTS_SHORT_MAX_AGE: Final = rule(
    "hsts-short-max-age",
    "medium",
    _HSTS,
    "HSTS max-age under six months (15768000 seconds); max-age=0 switches HSTS off.",
    "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html",
)


@_directives_check(HSTS_SHORT_MAX_AGE)
def _short_max_age(directives: Directives) -> str | None:
    max_age = _max_age(directives)
    if max_age == 0:
        return "max-age=0 tells browsers to forget HSTS"
    if max_age < _SIX_MONTHS:
        return f"max-age={max_age} is under six months ({_SIX_MONTHS} s)"
    return None


HSTS_PRELOAD_REQUIREMENTS: Final = rule(
    "hsts-preload-requirements",
    "medium",
    _HSTS,
    "preload without its requirements (max-age of at least 31536000 and "
    "includeSubDomains): the preload list refuses the domain.",
    "https://hstspreload.org/#submission-requirements",
)


@_directives_check(HSTS_PRELOAD_REQUIREMENTS)
def _preload_requirements(directives: Directives) -> str | None:
    if "preload" not in directives:
        return None
    missing = []
    if _max_age(directives) < _ONE_YEAR:
        missing.append(f"max-age of at least {_ONE_YEAR}")
    if "includesubdomains" not in directives:
        missing.append("includeSubDomains")
    return f"preload needs {' and '.join(missing)}" if missing else None


HSTS_NO_INCLUDE_SUBDOMAINS: Final = rule(
    "hsts-no-include-subdomains",
    "info",
    _HSTS,
    "HSTS without includeSubDomains: subdomains, and cookies scoped to the parent "
    "domain, can still be reached over HTTP.",
    "https://www.rfc-editor.org/rfc/rfc6797#section-6.1.2",
)


@_directives_check(HSTS_NO_INCLUDE_SUBDOMAINS)
def _no_include_subdomains(directives: Directives) -> str | None:
    if "includesubdomains" in directives or _max_age(directives) == 0:
        return None
    return "includeSubDomains is not set"
