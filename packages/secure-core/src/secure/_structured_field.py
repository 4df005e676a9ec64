"""RFC 9651 structured field values: the one parser the builders and the checker share.

It parses Dictionaries (RFC 9651 §4.2.2), which is what Permissions-Policy is, with
their members, inner lists and parameters, and exposes the item grammars as patterns.
Every pattern is a run of disjoint character classes, so matching is linear.
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple, NoReturn

from secure._validation import compiled

__all__ = ["KEY", "InnerList", "Item", "StructuredFieldError", "parse_dictionary", "parse_item"]

# §3.1.2: key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" )
KEY: Final = re.compile(r"[a-z*][a-z0-9_.*-]*")
# The item grammars below are compiled on the first parse (``compiled``): the builders
# import this module, and most processes never parse a structured field.
# §3.3.4: sf-token = ( ALPHA / "*" ) *( tchar / ":" / "/" )
_TOKEN: Final = r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*"
# §3.3.3: sf-string = DQUOTE *( unescaped / "%" / escaped ) DQUOTE
_STRING: Final = r'"(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\["\\])*"'
# §3.3.1/§3.3.2: integers have at most 15 digits, decimals 12 + 3.
_NUMBER: Final = r"-?[0-9]{1,15}(?:\.[0-9]{1,3})?"
_BINARY: Final = r":[A-Za-z0-9+/]*={0,2}:"  # §3.3.5
_BOOLEAN: Final = r"\?[01]"  # §3.3.6
_DATE: Final = r"@-?[0-9]{1,15}"  # §3.3.7
_DISPLAY: Final = r'%"(?:[\x20-\x21\x23-\x24\x26-\x5b\x5d-\x7e\\]|%[0-9a-f]{2})*"'


# §4.2.3.1: the first character of a bare item decides its type.
_BARE_ITEMS: Final = (
    ("string", '"', _STRING),
    ("binary", ":", _BINARY),
    ("boolean", "?", _BOOLEAN),
    ("date", "@", _DATE),
    ("displaystring", "%", _DISPLAY),
)


class StructuredFieldError(ValueError):
    """A value that does not parse; ``position`` and ``expected`` say where and why."""

    def __init__(self, message: str, position: int, expected: str) -> None:
        super().__init__(message)
        self.position = position
        self.expected = expected


class Item(NamedTuple):
    """One item: its type, its text as written, and its parameters."""

    kind: str  # "token", "string", "number", "binary", "boolean", "date", "displaystring"
    text: str
    params: tuple[tuple[str, Item], ...]


class InnerList(NamedTuple):
    """An inner list (§3.1.1): items and the list's own parameters."""

    items: tuple[Item, ...]
    params: tuple[tuple[str, Item], ...]


class _Parser:
    """An RFC 9651 §4.2 parser over one field value; errors are ``ValueError`` naming ``header``."""

    def __init__(self, header: str, text: str, kind: str = "Dictionary") -> None:
        self.header = header
        self.text = text
        self.pos = 0
        self.kind = kind  # what the field is meant to be, for error messages

    def error(self, expected: str) -> NoReturn:
        raise StructuredFieldError(
            f"{self.header}: invalid value {self.text!r}: not an RFC 9651 structured-field "
            f"{self.kind} (expected {expected} at position {self.pos})",
            self.pos,
            expected,
        )

    def peek(self) -> str:
        return self.text[self.pos : self.pos + 1]

    def match(self, pattern: re.Pattern[str] | str, expected: str) -> str:
        if isinstance(pattern, str):
            pattern = compiled(pattern)
        found = pattern.match(self.text, self.pos)
        if found is None:
            self.error(expected)
        self.pos = found.end()
        return found.group()

    def skip(self, chars: str) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in chars:
            pos += 1
        self.pos = pos

    def dictionary(self) -> list[tuple[str, Item | InnerList]]:
        # §4.2.2: dict-member *( OWS "," OWS dict-member )
        members: list[tuple[str, Item | InnerList]] = []
        while True:
            key = self.match(KEY, "a lower-case key")
            if self.peek() == "=":
                self.pos += 1
                value = self.inner_list() if self.peek() == "(" else self.item()
            else:  # a bare key is the boolean true
                value = Item("boolean", "?1", self.parameters())
            members.append((key, value))
            self.skip(" \t")
            if self.pos == len(self.text):
                return members
            if self.peek() != ",":
                self.error("',' between members")
            self.pos += 1
            self.skip(" \t")
            if self.pos == len(self.text):
                self.error("a member after ','")

    def inner_list(self) -> InnerList:
        # §4.2.1.2: "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters
        self.pos += 1
        items: list[Item] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                return InnerList(tuple(items), self.parameters())
            items.append(self.item())
            if self.peek() not in (" ", ")"):
                self.error("' ' or ')' in an inner list")

    def item(self) -> Item:
        kind, text = self.bare_item()
        return Item(kind, text, self.parameters())

    def bare_item(self) -> tuple[str, str]:
        first = self.peek()
        if first == "-" or first.isdigit():
            text = self.match(_NUMBER, "a number")
            if "." in text and len(text.lstrip("-").split(".")[0]) > 12:
                self.error("a decimal with at most 12 integer digits")
            return "number", text
        for kind, start, pattern in _BARE_ITEMS:
            if first == start:
                return kind, self.match(pattern, f"a valid {kind}")
        return "token", self.match(_TOKEN, "a token, string or other item")

    def parameters(self) -> tuple[tuple[str, Item], ...]:
        # §4.2.3.2: *( ";" *SP param-key [ "=" param-value ] )
        params: list[tuple[str, Item]] = []
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            key = self.match(KEY, "a lower-case parameter key")
            if self.peek() == "=":
                self.pos += 1
                kind, text = self.bare_item()
            else:
                kind, text = "boolean", "?1"
            params.append((key, Item(kind, text, ())))
        return tuple(params)


def parse_dictionary(header: str, text: str) -> list[tuple[str, Item | InnerList]]:
    """The members of a Dictionary field value, in order; ``ValueError`` when it is not one."""
    return _Parser(header, text).dictionary()


def parse_item(header: str, text: str) -> Item:
    """An Item field value (RFC 9651 §4.2: leading and trailing spaces allowed)."""
    parser = _Parser(header, text, "Item")
    parser.skip(" ")
    item = parser.item()
    parser.skip(" ")
    if parser.pos != len(text):
        parser.error("the end of the value")
    return item
