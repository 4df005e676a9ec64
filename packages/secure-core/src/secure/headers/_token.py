"""Shared pieces of the simple header builders.

* :class:`SimpleHeader`: ``__eq__`` by rendered value (``copy()`` comes from the base).
* :class:`TokenHeader`: a builder whose value is one token from a closed vocabulary
  (X-Frame-Options, Cross-Origin-Resource-Policy, ...), optionally followed by a
  ``report-to`` parameter (:class:`ReportingTokenHeader`).
* List and error helpers: :func:`split_list`, :func:`unknown`, :func:`check_delta_seconds`,
  :func:`check_sf_key`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, TypeVar

from secure._docs import see_header
from secure._structured_field import KEY, parse_item
from secure._suggest import suggest
from secure._validation import check_str
from secure.headers._base import BaseHeader

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ReportingTokenHeader",
    "SimpleHeader",
    "TokenHeader",
    "check_delta_seconds",
    "check_sf_key",
    "quote_list",
    "split_list",
    "unknown",
]

_T = TypeVar("_T", bound="TokenHeader")
_R = TypeVar("_R", bound="ReportingTokenHeader")


def split_list(value: str) -> list[str]:
    """The elements of an RFC 9110 §5.6.1 list: split at ``,``, optional whitespace dropped.

    Plain string operations, so the time is linear in the length of ``value`` whatever
    it holds (a regex with ``[ \\t]*`` on both sides of the comma is quadratic on long
    runs of spaces).
    """
    return [element.strip(" \t") for element in value.split(",")]


def quote_list(choices: Iterable[str]) -> str:
    """``'a', 'b', 'c'`` for an error message."""
    return ", ".join(repr(choice) for choice in choices)


def unknown(
    header: str, what: str, value: str, choices: Iterable[str], *, within: str | None = None
) -> ValueError:
    """The error for a value outside a closed vocabulary, listing the valid ones.

    ``within`` is the whole raw value ``value`` came from, shown for context.
    """
    choices = tuple(choices)
    where = f" in {within!r}" if within is not None and within != value else ""
    return ValueError(
        see_header(
            f"{header}: unknown {what} {value!r}{where}{suggest(value, choices)} "
            f"(use one of {quote_list(choices)})",
            header,
        )
    )


def check_delta_seconds(header: str, what: str, value: object) -> int:
    """A non-negative ``int`` number of seconds (RFC 9111 §1.2.2 ``delta-seconds``)."""
    # bool is an int subclass; max_age(True) is a mistake, not one second.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            see_header(
                f"{header}: {what} must be an int number of seconds, "
                f"got {type(value).__name__} {value!r}",
                header,
            )
        )
    if value < 0:
        raise ValueError(
            see_header(
                f"{header}: {what} must be 0 or more seconds, got {value!r}; "
                "delta-seconds is a non-negative integer (RFC 9111 §1.2.2)",
                header,
            )
        )
    return value


def check_sf_key(header: str, what: str, value: object) -> str:
    """An RFC 9651 §3.1.2 key: lower-case letters, digits, ``_-.*``, not starting with a digit."""
    value = check_str(header, value, what)
    if KEY.fullmatch(value) is None:
        hint = f" (try {value.lower()!r})" if KEY.fullmatch(value.lower()) else ""
        raise ValueError(
            see_header(
                f"{header}: invalid {what} {value!r}{hint}; it must be a structured-field key: "
                "a lower-case letter or '*', then lower-case letters, digits, '_', '-', '.' or '*' "
                "(RFC 9651 §3.1.2)",
                header,
            )
        )
    return value


class SimpleHeader(BaseHeader):
    """A builder that compares equal to another of its class rendering the same value.

    Example: ``XFrameOptions().deny() == XFrameOptions().set("DENY")``.
    """

    __slots__ = ()

    def _rendering(self) -> tuple[str, str]:
        # Equality is about what would reach the wire: the name and value, or the same
        # error for two builders that cannot render yet (e.g. an empty Clear-Site-Data).
        try:
            return (self.header_name, self.header_value)
        except ValueError as exc:
            return (self.header_name, f"<invalid: {exc}>")

    def __eq__(self, other: object) -> bool:
        # Defining __eq__ sets __hash__ to None: builders are mutable, so not hashable.
        if not isinstance(other, SimpleHeader) or type(other) is not type(self):
            return NotImplemented
        return self._rendering() == other._rendering()


class TokenHeader(SimpleHeader):
    """A header whose value is one token from ``_TOKENS`` (rendered spelling).

    ``_CASE_SENSITIVE = False`` accepts any case in ``set()`` (the raw value is still
    sent as given). Fluent methods call ``_use(token)``.
    """

    __slots__ = ("_token",)

    _TOKENS: ClassVar[tuple[str, ...]]
    _DEFAULT: ClassVar[str]
    _CASE_SENSITIVE: ClassVar[bool] = True

    def __init__(self) -> None:
        super().__init__()
        self._token = self._DEFAULT

    def _use(self: _T, token: str) -> _T:
        self._raw = None
        self._token = token
        return self

    def _render(self) -> str:
        return self._token

    def _reset(self) -> None:
        self._token = self._DEFAULT

    def _check_raw(self, value: str) -> None:
        # Adopt the token so a later fluent call builds on what set() chose.
        self._token = self._match(value)

    def _match(self, value: str) -> str:
        """The canonical token ``value`` names, or a ``ValueError`` listing the valid ones."""
        if value in self._TOKENS:
            return value
        if not self._CASE_SENSITIVE:
            for token in self._TOKENS:
                if token.lower() == value.lower():
                    return token
        raise unknown(self.header_name, "value", value, self._TOKENS)


class ReportingTokenHeader(TokenHeader):
    """A token with an optional ``report-to`` parameter (COOP, COEP).

    HTML (#the-coop-headers, #the-coep-headers) parses the header as an RFC 9651 item: a token
    with a ``report-to`` parameter whose sf-string names a Reporting-Endpoints key.
    """

    __slots__ = ("_report_to",)

    def __init__(self) -> None:
        super().__init__()
        self._report_to: str | None = None

    def report_to(self: _R, endpoint: str) -> _R:
        """Send violation reports to ``endpoint``, a key of the Reporting-Endpoints header."""
        endpoint = check_sf_key(self.header_name, "report-to endpoint name", endpoint)
        self._raw = None
        self._report_to = endpoint
        return self

    def _render(self) -> str:
        if self._report_to is None:
            return self._token
        return f'{self._token}; report-to="{self._report_to}"'

    def _reset(self) -> None:
        super()._reset()
        self._report_to = None

    def _check_raw(self, value: str) -> None:
        header = self.header_name
        item = parse_item(header, value)
        if item.kind != "token":
            raise unknown(header, "value", item.text, self._TOKENS, within=value)
        report_to: str | None = None
        for key, param in item.params:
            if key != "report-to" or param.kind != "string" or report_to is not None:
                raise ValueError(
                    see_header(
                        f"{header}: invalid parameters in {value!r}; the only one supported is "
                        f"report-to, written as '{item.text}; report-to=\"endpoint\"' "
                        "(HTML #the-coop-headers, RFC 9651 §3.1.2)",
                        header,
                    )
                )
            report_to = check_sf_key(header, "report-to endpoint name", param.text[1:-1])
        self._token = self._match(item.text)
        self._report_to = report_to
