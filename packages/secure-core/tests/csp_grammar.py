"""An independent CSP Level 3 grammar, used by the tests to read back what ``secure`` renders.

This module shares no code with ``secure.headers.content_security_policy``: it is a
second, deliberately strict reading of the ABNF in W3C Content Security Policy Level 3,
so a bug in the builder's validation cannot hide itself in the tests.

* §2.2 (serialized-policy, serialized-directive, directive-name, directive-value)
* §2.3.1 (serialized-source-list, source-expression and its alternatives)
* §6.3.2 sandbox, §6.4.2 frame-ancestors, §6.5.1 report-uri, §6.5.2 report-to
* Upgrade Insecure Requests §3, Mixed Content (block-all-mixed-content), Trusted Types,
  the CSP3 ``webrtc`` directive.

``parse_policy`` returns the directives in order, each with its values exactly as written.
Anything outside the grammar raises :class:`CSPSyntaxError`.
"""

from __future__ import annotations

import functools
import re
import string

__all__ = ["CSPSyntaxError", "is_source_expression", "parse_policy"]


class CSPSyntaxError(ValueError):
    """The text is not a serialized CSP policy (CSP3 §2.2)."""


# Infra "ASCII whitespace": TAB, LF, FF, CR, SPACE.
_ASCII_WHITESPACE = "\t\n\f\r "
_ALPHA = frozenset(string.ascii_letters)
_DIGIT = frozenset(string.digits)

_HOST_CHARS = _ALPHA | _DIGIT | frozenset("-")

# RFC 3986 §2.2/§2.3
_UNRESERVED = _ALPHA | _DIGIT | frozenset("-._~")
_SUB_DELIMS = frozenset("!$&'()*+,;=")
_GEN_DELIMS = frozenset(":/?#[]@")
# RFC 3986 §3.3 pchar, minus ";" and "," which CSP3 §2.3.1 leaves out of path-part.
_PCHAR = (_UNRESERVED | _SUB_DELIMS | frozenset(":@")) - frozenset(";,")

# RFC 9110 §5.6.2 tchar
_TCHAR = _ALPHA | _DIGIT | frozenset("!#$%&'*+-.^_`|~")

# CSP3 §2.2: directive-value = *( required-ascii-whitespace / ( %x21-%x2B / %x2D-%x3A /
# %x3C-%x7E ) ): printable ASCII except "," (%x2C) and ";" (%x3B).
_VALUE_CHARS = frozenset(chr(c) for c in range(0x21, 0x7F)) - frozenset(",;")

# CSP3 §2.3.1 keyword-source, plus the later additions from CSP3 drafts, Trusted Types,
# WebTransport and HTML speculation rules. Matching is ASCII case-insensitive.
KEYWORDS = frozenset(
    {
        "'self'",
        "'unsafe-inline'",
        "'unsafe-eval'",
        "'strict-dynamic'",
        "'unsafe-hashes'",
        "'report-sample'",
        "'unsafe-allow-redirects'",
        "'wasm-unsafe-eval'",
        "'trusted-types-eval'",
        "'report-sha256'",
        "'report-sha384'",
        "'report-sha512'",
        "'unsafe-webtransport-hashes'",
        "'inline-speculation-rules'",
    }
)
HASH_ALGORITHMS = ("sha256", "sha384", "sha512")

SOURCE_LIST_DIRECTIVES = frozenset(
    {
        "child-src",
        "connect-src",
        "default-src",
        "fenced-frame-src",
        "font-src",
        "frame-src",
        "img-src",
        "manifest-src",
        "media-src",
        "object-src",
        "prefetch-src",
        "script-src",
        "script-src-elem",
        "script-src-attr",
        "style-src",
        "style-src-elem",
        "style-src-attr",
        "worker-src",
        "base-uri",
        "form-action",
    }
)
NO_VALUE_DIRECTIVES = frozenset({"upgrade-insecure-requests", "block-all-mixed-content"})


def _is_scheme(text: str) -> bool:
    # RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    return (
        bool(text)
        and text[0] in _ALPHA
        and all(c in _ALPHA or c in _DIGIT or c in "+-." for c in text[1:])
    )


def _is_base64_value(text: str) -> bool:
    # CSP3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" )
    body = text.rstrip("=")
    if len(text) - len(body) > 2 or not body:
        return False
    return all(c in _ALPHA or c in _DIGIT or c in "+/-_" for c in body)


def _is_host_part(text: str) -> bool:
    # host-part = "*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]
    if text == "*":
        return True
    if text.startswith("*."):
        text = text[2:]
    if text.endswith("."):
        text = text[:-1]
    labels = text.split(".")
    return all(label and _only(label, _HOST_CHARS) for label in labels)


@functools.cache
def _run_of(chars: frozenset[str], escapes: bool) -> re.Pattern[str]:
    """A regex matching runs of ``chars`` (and ``%HH`` escapes): fast on long inputs."""
    alternatives = "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"
    if escapes:
        alternatives = f"(?:{alternatives}|%[0-9A-Fa-f]{{2}})"
    return re.compile(alternatives + "*")


def _only(text: str, chars: frozenset[str]) -> bool:
    return _run_of(chars, False).fullmatch(text) is not None


def _is_pct_run(text: str, allowed: frozenset[str]) -> bool:
    """Every character is in ``allowed`` or part of a ``%HH`` escape (RFC 3986 §2.1)."""
    return _run_of(allowed - {"%"}, True).fullmatch(text) is not None


def _is_path_absolute(text: str) -> bool:
    # RFC 3986 §3.3: path-absolute = "/" [ segment-nz *( "/" segment ) ]
    if not text.startswith("/"):
        return False
    segments = text[1:].split("/")
    if len(segments) > 1 and segments[0] == "":
        return False  # "//..." is not path-absolute
    return all(_is_pct_run(segment, _PCHAR) for segment in segments)


def _is_host_source(text: str) -> bool:
    # host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]
    rest = text
    scheme, sep, after = rest.partition("://")
    if sep:
        if not _is_scheme(scheme):
            return False
        rest = after
    path_at = rest.find("/")
    host_port, path = (rest, "") if path_at < 0 else (rest[:path_at], rest[path_at:])
    host, colon, port = host_port.partition(":")
    if colon and not (port == "*" or (port and all(c in _DIGIT for c in port))):
        return False
    if not _is_host_part(host):
        return False
    return not path or _is_path_absolute(path)


def is_source_expression(source: str, *, ancestor: bool = False) -> bool:
    """True when ``source`` is one CSP3 §2.3.1 source-expression (or ancestor-source)."""
    lower = source.lower()
    if lower.startswith("'") and lower.endswith("'") and len(lower) >= 2:
        if ancestor:
            return lower == "'self'"
        if lower in KEYWORDS:
            return True
        inner = source[1:-1]
        if lower.startswith("'nonce-"):
            return _is_base64_value(inner[len("nonce-") :])
        algorithm, dash, digest = inner.partition("-")
        return bool(dash) and algorithm.lower() in HASH_ALGORITHMS and _is_base64_value(digest)
    # scheme-source = scheme-part ":"
    if source.endswith(":") and _is_scheme(source[:-1]):
        return True
    return _is_host_source(source)


def _source_list(name: str, values: list[str], *, ancestor: bool = False) -> None:
    # serialized-source-list = ( source-expression *( RWS source-expression ) ) / "'none'"
    if [v.lower() for v in values] == ["'none'"]:
        return
    if not values:
        raise CSPSyntaxError(f"{name}: an empty source list")
    for value in values:
        if not is_source_expression(value, ancestor=ancestor):
            raise CSPSyntaxError(f"{name}: {value!r} is not a source expression")


def _uri_reference(name: str, values: list[str]) -> None:
    # RFC 3986 URI-reference; characters only (the structure is the URL parser's business).
    allowed = (_UNRESERVED | _SUB_DELIMS | _GEN_DELIMS) - frozenset(";,")
    if not values:
        raise CSPSyntaxError(f"{name}: needs at least one URI")
    for value in values:
        if not _is_pct_run(value, allowed):
            raise CSPSyntaxError(f"{name}: {value!r} is not a URI reference")


def _check_directive(name: str, values: list[str]) -> None:
    if name in SOURCE_LIST_DIRECTIVES:
        _source_list(name, values)
    elif name == "frame-ancestors":
        _source_list(name, values, ancestor=True)
    elif name == "sandbox":
        # sandbox = "" / token *( RWS token )
        if not all(value and all(c in _TCHAR for c in value) for value in values):
            raise CSPSyntaxError(f"sandbox: {values!r} are not tokens")
    elif name == "report-uri":
        _uri_reference(name, values)
    elif name == "report-to":
        if len(values) != 1 or not all(c in _TCHAR for c in values[0]):
            raise CSPSyntaxError(f"report-to: {values!r} is not one token")
    elif name in NO_VALUE_DIRECTIVES:
        if values:
            raise CSPSyntaxError(f"{name}: takes no value")
    elif name == "require-trusted-types-for":
        if not values or any(v.lower() != "'script'" for v in values):
            raise CSPSyntaxError(f"{name}: {values!r}")
    elif name == "trusted-types":
        policy_chars = _ALPHA | _DIGIT | frozenset("-#=_/@.%")
        for value in values:
            if value.lower() in ("'allow-duplicates'", "'none'", "*"):
                continue
            if not value or not all(c in policy_chars for c in value):
                raise CSPSyntaxError(f"trusted-types: {value!r}")
    elif name == "webrtc" and (len(values) != 1 or values[0].lower() not in ("'allow'", "'block'")):
        raise CSPSyntaxError(f"webrtc: {values!r}")


def parse_policy(text: str) -> list[tuple[str, tuple[str, ...]]]:
    """Parse one serialized policy strictly; directives in order, names as written.

    serialized-policy = serialized-directive *( optional-ascii-whitespace ";"
                        [ optional-ascii-whitespace serialized-directive ] )
    """
    if "," in text:
        raise CSPSyntaxError("',' separates policies (CSP3 §3.1); this is more than one policy")
    directives: list[tuple[str, tuple[str, ...]]] = []
    seen: set[str] = set()
    parts = text.split(";")
    for index, part in enumerate(parts):
        token = part.strip(_ASCII_WHITESPACE)
        if not token:
            if index == 0:
                raise CSPSyntaxError("a serialized policy starts with a directive")
            continue
        pieces = re.split("[\t\n\f\r ]+", token)  # ASCII whitespace only, not str.split()
        name, values = pieces[0], pieces[1:]
        # directive-name = 1*( ALPHA / DIGIT / "-" )
        if not all(c in _ALPHA or c in _DIGIT or c == "-" for c in name):
            raise CSPSyntaxError(f"{name!r} is not a directive name")
        for value in values:
            if not _only(value, _VALUE_CHARS):
                raise CSPSyntaxError(f"{value!r} has characters a directive value cannot hold")
        lower = name.lower()
        if lower in seen:
            raise CSPSyntaxError(f"{lower} appears twice")
        seen.add(lower)
        _check_directive(lower, values)
        directives.append((name, tuple(values)))
    return directives
