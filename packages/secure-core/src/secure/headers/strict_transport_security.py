"""Strict-Transport-Security: HTTPS only, for a while (RFC 6797 §6.1)."""

from __future__ import annotations

from typing import ClassVar, Final

from secure._docs import see_header
from secure._validation import QUOTED_STRING, TCHAR, compiled
from secure.headers._token import SimpleHeader, check_delta_seconds, unknown

__all__ = ["StrictTransportSecurity"]

_DEFAULT_MAX_AGE: Final = 31536000
# hstspreload.org's submission requirements: max-age of at least one year (31536000 s)
# and includeSubDomains, both with the preload directive.
_PRELOAD_MIN_AGE: Final = 31536000
# Directive names are case-insensitive (RFC 6797 §6.1); the canonical spellings.
_NAMES: Final = {
    "max-age": "max-age",
    "includesubdomains": "includeSubDomains",
    "preload": "preload",
}

# RFC 6797 §6.1: directive = directive-name [ "=" directive-value ], directive-value =
# token / quoted-string, with implied linear whitespace; directives may be empty.
# The patterns are compiled on the first parse: the fluent methods and the presets never
# need them.
_DIRECTIVE: Final = rf"[ \t]*(?:({TCHAR}+)(?:[ \t]*=[ \t]*({TCHAR}+|{QUOTED_STRING}))?)?[ \t]*"
_DIGITS: Final = r'"?([0-9]+)"?'


class StrictTransportSecurity(SimpleHeader):
    """The ``Strict-Transport-Security`` header; ``max-age=31536000`` unless configured.

    ``preload()`` only renders with hstspreload.org's requirements met (max-age of at
    least a year and includeSubDomains); otherwise reading the value raises ``ValueError``.

    Example: ``StrictTransportSecurity().max_age(63072000).include_subdomains()``
    renders ``max-age=63072000; includeSubDomains``.
    """

    __slots__ = ("_include_subdomains", "_max_age", "_preload")

    _NAME: ClassVar[str] = "Strict-Transport-Security"

    def __init__(self) -> None:
        super().__init__()
        self._max_age = _DEFAULT_MAX_AGE
        self._include_subdomains = False
        self._preload = False

    # RFC 6797 §6.1.1
    def max_age(self, seconds: int) -> StrictTransportSecurity:
        """Remember HTTPS-only for ``seconds`` seconds; ``0`` tells browsers to forget it."""
        seconds = check_delta_seconds(self.header_name, "max-age", seconds)
        self._raw = None
        self._max_age = seconds
        return self

    # RFC 6797 §6.1.2
    def include_subdomains(self, enabled: bool = True) -> StrictTransportSecurity:
        """Apply the policy to every subdomain too; ``include_subdomains(False)`` drops it."""
        self._include_subdomains = self._flag("include_subdomains", enabled)
        return self

    def preload(self, enabled: bool = True) -> StrictTransportSecurity:
        """Ask to be built into browsers' HSTS preload lists (hstspreload.org).

        The lists require includeSubDomains, so ``preload()`` turns it on as well.
        """
        self._preload = self._flag("preload", enabled)
        if self._preload:
            self._include_subdomains = True
        return self

    def _flag(self, method: str, enabled: object) -> bool:
        if not isinstance(enabled, bool):
            raise TypeError(
                see_header(
                    f"{self.header_name}: {method}() takes True or False, "
                    f"got {type(enabled).__name__} {enabled!r}",
                    self.header_name,
                )
            )
        self._raw = None
        return enabled

    def _check_preload(self, max_age: int, include_subdomains: bool, shown: str) -> None:
        if max_age >= _PRELOAD_MIN_AGE and include_subdomains:
            return
        missing = []
        if max_age < _PRELOAD_MIN_AGE:
            missing.append(
                f"a max-age of at least {_PRELOAD_MIN_AGE} (one year; this one is {max_age})"
            )
        if not include_subdomains:
            missing.append("includeSubDomains")
        raise ValueError(
            see_header(
                f"{self.header_name}: preload in {shown} needs {' and '.join(missing)} "
                "(hstspreload.org submission requirements); send e.g. "
                f"'max-age={_PRELOAD_MIN_AGE}; includeSubDomains; preload' "
                f"(.max_age({_PRELOAD_MIN_AGE}).include_subdomains().preload()), or drop preload",
                self.header_name,
            )
        )

    def _render(self) -> str:
        parts = [f"max-age={self._max_age}"]
        if self._include_subdomains:
            parts.append("includeSubDomains")
        if self._preload:
            parts.append("preload")
            self._check_preload(self._max_age, self._include_subdomains, repr("; ".join(parts)))
        return "; ".join(parts)

    def _reset(self) -> None:
        self._max_age = _DEFAULT_MAX_AGE
        self._include_subdomains = False
        self._preload = False

    def _check_raw(self, value: str) -> None:
        header = self.header_name
        seen: dict[str, str | None] = {}
        for part in value.split(";"):
            found = compiled(_DIRECTIVE).fullmatch(part)
            if found is None:
                where = f" in {value!r}" if part != value else ""
                raise ValueError(
                    see_header(
                        f"{header}: cannot parse {part.strip()!r}{where}; write directives "
                        "separated by '; ', e.g. 'max-age=31536000; includeSubDomains' "
                        "(RFC 6797 §6.1)",
                        header,
                    )
                )
            if found[1] is None:
                continue  # an empty directive is allowed by the grammar
            name = found[1].lower()
            if name not in _NAMES:
                raise unknown(header, "directive", found[1], _NAMES.values(), within=value)
            if name in seen:
                raise ValueError(
                    see_header(
                        f"{header}: {_NAMES[name]!r} appears twice in {value!r}; every directive "
                        "must appear only once (RFC 6797 §6.1): keep one",
                        header,
                    )
                )
            if name != "max-age" and found[2] is not None:
                raise ValueError(
                    see_header(
                        f"{header}: {_NAMES[name]!r} takes no value, got {part.strip()!r} in "
                        f"{value!r}; write just '{_NAMES[name]}' (RFC 6797 §6.1.2)",
                        header,
                    )
                )
            seen[name] = found[2]
        if "max-age" not in seen:
            raise ValueError(
                see_header(
                    f"{header}: {value!r} has no max-age; it is required "
                    "(RFC 6797 §6.1.1): e.g. 'max-age=31536000; includeSubDomains'",
                    header,
                )
            )
        # A quoted-string's quotes are not part of the value: max-age="300" means 300.
        digits = compiled(_DIGITS).fullmatch(seen["max-age"] or "")
        if digits is None:
            raise ValueError(
                see_header(
                    f"{header}: max-age in {value!r} must be a number of seconds, "
                    "e.g. 'max-age=31536000' (RFC 6797 §6.1.1)",
                    header,
                )
            )
        max_age = int(digits[1])
        include_subdomains = "includesubdomains" in seen
        preload = "preload" in seen
        if preload:
            self._check_preload(max_age, include_subdomains, repr(value))
        # Adopt the parsed policy so later method calls build on it.
        self._max_age, self._include_subdomains, self._preload = (
            max_age,
            include_subdomains,
            preload,
        )
