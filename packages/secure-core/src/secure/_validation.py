"""Validation shared by every builder, the pipeline, the configuration loader and the CLI.

Every rule here comes from RFC 9110 (HTTP Semantics):

* §5.1 / §5.6.2: a field name is a ``token``: one or more ``tchar``.
* §5.5: a field value is a run of ``field-vchar`` (VCHAR or obs-text) with single
  spaces or tabs allowed *inside* it; CR, LF, NUL and every other control character
  are never allowed ("a recipient ... MUST ... reject" them), and leading or trailing
  whitespace is not part of the value.

Errors are ``ValueError``/``TypeError`` whose message names the header, shows the bad
input with ``repr`` (so control characters are visible) and says what to do instead.
This module imports nothing but the standard library's ``re`` and ``secure._docs`` (which
ends each message with its documentation page).
"""

from __future__ import annotations

import functools
import re
from typing import Final

from secure._docs import see_header

__all__ = [
    "HOST_NAME",
    "QUOTED_STRING",
    "SCHEME",
    "TCHAR",
    "check_field_name",
    "check_field_value",
    "check_str",
    "compiled",
    "describe_char",
    "is_field_name",
    "is_field_value",
    "show",
]

# URL pieces the policy grammars share (patterns to embed, not compiled here).
# RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
SCHEME: Final = r"[A-Za-z][A-Za-z0-9+.-]*"
# A host name as the policy grammars write it: dot-separated labels of ASCII letters,
# digits and "-" (CSP3 §2.3.1 host-char; IDNs go in punycode), optionally under "*."
# (any subdomain). CSP host sources and Permissions Policy origins both use it.
HOST_NAME: Final = r"(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"

# RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#                          "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
TCHAR: Final = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]"
_TOKEN: Final = re.compile(TCHAR + "+")
# RFC 9110 §5.6.4: quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE, where a
# quoted-pair is "\" then HTAB, SP or a visible character.
QUOTED_STRING: Final = r'"(?:[^"\\]|\\[\t \x21-\x7e])*"'

# RFC 9110 §5.5: field-value = *field-content; field-content = field-vchar
#   [ 1*( SP / HTAB / field-vchar ) field-vchar ]; field-vchar = VCHAR / obs-text.
# VCHAR is %x21-7E, obs-text is %x80-FF. The empty value is allowed (e.g. ``Server:``).
_FIELD_VALUE_ASCII: Final = re.compile(r"(?:[\x21-\x7e](?:[\x21-\x7e\x20\t]*[\x21-\x7e])?)?")


# obs-text is accepted only on request, and never its C1 control range %x80-9F (NEL,
# U+0085, is a line break to some parsers): only %xA0-FF.
# Compiled on first use: most applications never allow obs-text.
_FIELD_VALUE_OBS: Final = (
    r"(?:[\x21-\x7e\xa0-\xff](?:[\x21-\x7e\xa0-\xff\x20\t]*[\x21-\x7e\xa0-\xff])?)?"
)


@functools.cache
def compiled(pattern: str) -> re.Pattern[str]:
    """``pattern``, compiled on its first use and kept: for a grammar most processes never
    need, so that importing its module costs nothing."""
    return re.compile(pattern)


def describe_char(char: str) -> str:
    """Name one character for an error message: ``U+000D (CR)``."""
    names = {
        "\r": "CR",
        "\n": "LF",
        "\x00": "NUL",
        "\t": "HTAB",
        "\x7f": "DEL",
        " ": "SP",
        "\x85": "NEL",
        "\u2028": "LINE SEPARATOR",
        "\u2029": "PARAGRAPH SEPARATOR",
    }
    label = names.get(char)
    code = f"U+{ord(char):04X}"
    return f"{code} ({label})" if label else code


# Error messages show at most this much of a refused value: a 4 MB payload must not
# become a 4 MB log line.
_SHOWN: Final = 120


def show(value: object) -> str:
    """``repr`` of a value for an error message, shortened when it is long.

    ``repr`` makes CR, LF and other control characters visible, so a refused value can
    never inject lines into a log.
    """
    if isinstance(value, str) and len(value) > _SHOWN:
        return f"{str.__str__(value[:_SHOWN])!r}... ({len(value)} characters)"
    text = repr(value)
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}... ({len(text)} characters)"


def _label(header: object) -> str:
    """A header label for the start of a message: as is when it is printable ASCII."""
    if type(header) is str and header.isascii() and header.isprintable():
        return header
    return show(header)


def check_str(header: str, value: object, what: str = "value") -> str:
    """Return ``value`` as a plain ``str``, else raise a ``TypeError`` naming the header.

    A ``str`` subclass is turned into a plain ``str``: what was validated is then what
    is sent, whatever methods the subclass overrides.
    """
    if not isinstance(value, str):
        raise TypeError(
            see_header(
                f"{_label(header)}: {what} must be a str, got {type(value).__name__} {show(value)}",
                _label(header),
            )
        )
    return value if type(value) is str else str.__str__(value)


def is_field_name(name: str) -> bool:
    """True when ``name`` is an RFC 9110 token (a valid field name)."""
    return _TOKEN.fullmatch(name) is not None


def is_field_value(value: str, *, allow_obs_text: bool = False) -> bool:
    """True when ``value`` is a valid RFC 9110 field value (no surrounding whitespace)."""
    pattern = compiled(_FIELD_VALUE_OBS) if allow_obs_text else _FIELD_VALUE_ASCII
    return pattern.fullmatch(value) is not None


def check_field_name(name: object, *, header: str | None = None) -> str:
    """Validate a header field name (RFC 9110 §5.1, §5.6.2) and return it unchanged."""
    label = _label(header) if header else "header name"
    name = check_str(label, name, "header name")
    if not name:
        raise ValueError(
            see_header(
                f"{label}: header name is empty; a field name needs at least one character", label
            )
        )
    if not is_field_name(name):
        bad = next(c for c in name if _TOKEN.fullmatch(c) is None)
        raise ValueError(
            see_header(
                f"{label}: invalid header name {show(name)}: {describe_char(bad)} is not allowed "
                "(a field name is an RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)",
                label,
            )
        )
    return name


def check_field_value(header: str, value: object, *, allow_obs_text: bool = False) -> str:
    """Validate a header field value (RFC 9110 §5.5) and return it unchanged.

    Control characters (CR, LF, NUL, DEL, C1 controls, ...) are always refused; so are characters
    outside latin-1, and obs-text (``\\x80``-``\\xff``) unless ``allow_obs_text``.
    Leading or trailing whitespace is refused rather than silently trimmed, so what the
    caller configured is exactly what is sent.
    """
    value = check_str(header, value)
    header = _label(header)
    if is_field_value(value, allow_obs_text=allow_obs_text):
        return value
    for char in value:
        code = ord(char)
        if (code < 0x20 and char != "\t") or 0x7F <= code <= 0x9F:
            raise ValueError(
                see_header(
                    f"{header}: invalid value {show(value)}: control character "
                    f"{describe_char(char)} is not allowed in an HTTP field value (RFC 9110 §5.5)",
                    header,
                )
            )
        if code > 0xFF or (code >= 0x80 and not allow_obs_text):
            raise ValueError(
                see_header(
                    f"{header}: invalid value {show(value)}: non-ASCII character "
                    f"{describe_char(char)} is not allowed; percent-encode URLs and use ASCII "
                    "tokens (RFC 9110 §5.5)",
                    header,
                )
            )
    raise ValueError(
        see_header(
            f"{header}: invalid value {show(value)}: leading or trailing whitespace is not "
            "part of a field value (RFC 9110 §5.5); remove it",
            header,
        )
    )
