"""Showing untrusted text: server responses and refused configuration values.

A checked site controls every header name, value, status line and redirect target,
and a configuration value may be a secret. Whatever of that reaches a terminal or a
log goes through here first.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["excerpt", "printable", "redact_quoted"]

_SHORT_ESCAPES: Final = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escape(char: str) -> str:
    if char in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every character that is not printable written as an escape.

    Not printable (``str.isprintable``) are the C0 and C1 controls and DEL, which a
    terminal acts on, and invisible characters such as U+202E RIGHT-TO-LEFT OVERRIDE,
    U+2028 LINE SEPARATOR or a no-break space. ``"a\\x1b]52;c;...\\x07"`` comes back
    as ``a\\x1b]52;c;...\\x07``, so a server cannot move the cursor, rewrite earlier
    lines, set the clipboard (OSC 52) or start a new line of the report.
    """
    if text.isprintable():
        return text  # the common case, checked in C
    return "".join(char if char.isprintable() else _escape(char) for char in text)


#: How much of a refused value an error message shows.
_EXCERPT_CHARS: Final = 12


def excerpt(value: str) -> str:
    """A printable, quoted excerpt of a value that is enough to find it, never all of it.

    Short values (at most 8 characters) are shown whole; longer ones show at most a
    third of their characters (and never more than 12) and their length, so an error
    about an ``Authorization`` token does not print the token.
    """
    if len(value) <= 8:
        return repr(printable(value))
    shown = value[: min(_EXCERPT_CHARS, len(value) // 3)]
    return f"{printable(shown)!r}... ({len(value)} characters)"


# A Python repr of a str: '...' or "..." with backslash escapes. Each alternative
# consumes at least one character and the two cannot match the same text, so the scan
# is linear in the message length.
_QUOTED: Final = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def redact_quoted(message: str) -> str:
    """Shorten every quoted value in ``message`` with :func:`excerpt`.

    Used on errors raised by the configuration loader and the builders, which quote
    the value they refuse in full.
    """

    def shorten(match: re.Match[str]) -> str:
        quoted = match.group()
        inner = quoted[1:-1]
        if len(inner) <= 8:
            return printable(quoted)
        # Undo the repr escapes only to count and cut; what is shown is re-escaped.
        try:
            value = inner.encode("latin-1", "backslashreplace").decode("unicode_escape")
        except UnicodeDecodeError:
            value = inner
        return excerpt(value)

    return printable(_QUOTED.sub(shorten, message))
