"""Strict-Transport-Security rules (RFC 6797)."""

from __future__ import annotations

from typing import Final

from secure._validation import is_field_name
from secure.audit._core import MDN, Report, Response, check, rule

_HSTS: Final = "Strict-Transport-Security"
_SIX_MONTHS: Final = 15768000
_ONE_YEAR: Final = 31536000


def parse_hsts(value: str) -> dict[str, str | None] | None:
    """RFC 6797 §6.1 directives (lower-case name -> value), or None when UAs ignore it."""
    directives: dict[str, str | None] = {}
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


def _max_age(directives: dict[str, str | None]) -> int:
    # int() refuses strings of over 4300 digits; any value past 18 digits is "forever".
    digits = (directives["max-age"] or "0").lstrip("0")
    return int(digits or "0") if len(digits) <= 18 else 10**18


def _first(response: Response) -> dict[str, str | None] | None:
    # RFC 6797 §8.1: only the first field is processed.
    values = response.get("strict-transport-security")
    return parse_hsts(values[0]) if values else None


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


@check
def _presence(response: Response, report: Report) -> None:
    values = response.get("strict-transport-security")
    if not values:
        report.add(HSTS_MISSING, "no Strict-Transport-Security header")
    elif _first(response) is None:
        report.add(
            HSTS_INVALID, f"browsers ignore {values[0][:80]!r}: max-age missing or malformed"
        )


HSTS_SHORT_MAX_AGE: Final = rule(
    "hsts-short-max-age",
    "medium",
    _HSTS,
    "HSTS max-age under six months (15768000 seconds); max-age=0 switches HSTS off.",
    "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html",
)


@check
def _short_max_age(response: Response, report: Report) -> None:
    directives = _first(response)
    if directives is None:
        return
    max_age = _max_age(directives)
    if max_age == 0:
        report.add(HSTS_SHORT_MAX_AGE, "max-age=0 tells browsers to forget HSTS")
    elif max_age < _SIX_MONTHS:
        report.add(HSTS_SHORT_MAX_AGE, f"max-age={max_age} is under six months ({_SIX_MONTHS} s)")


HSTS_PRELOAD_REQUIREMENTS: Final = rule(
    "hsts-preload-requirements",
    "medium",
    _HSTS,
    "preload without its requirements (max-age of at least 31536000 and "
    "includeSubDomains): the preload list refuses the domain.",
    "https://hstspreload.org/#submission-requirements",
)


@check
def _preload_requirements(response: Response, report: Report) -> None:
    directives = _first(response)
    if directives is None or "preload" not in directives:
        return
    missing = []
    if _max_age(directives) < _ONE_YEAR:
        missing.append(f"max-age of at least {_ONE_YEAR}")
    if "includesubdomains" not in directives:
        missing.append("includeSubDomains")
    if missing:
        report.add(HSTS_PRELOAD_REQUIREMENTS, f"preload needs {' and '.join(missing)}")


HSTS_NO_INCLUDE_SUBDOMAINS: Final = rule(
    "hsts-no-include-subdomains",
    "info",
    _HSTS,
    "HSTS without includeSubDomains: subdomains, and cookies scoped to the parent "
    "domain, can still be reached over HTTP.",
    "https://www.rfc-editor.org/rfc/rfc6797#section-6.1.2",
)


@check
def _no_include_subdomains(response: Response, report: Report) -> None:
    directives = _first(response)
    if (
        directives is not None
        and _max_age(directives) > 0
        and "includesubdomains" not in directives
    ):
        report.add(HSTS_NO_INCLUDE_SUBDOMAINS, "includeSubDomains is not set")
