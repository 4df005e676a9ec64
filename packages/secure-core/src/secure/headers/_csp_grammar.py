"""The grammar of Content-Security-Policy (CSP Level 3), apart from the fluent builder.

What every directive's value is made of, the source-expression syntax, and the CSP3
§6.8.3 fallback lists. The builder (``content_security_policy.py``) validates with it,
and the policy checker (``secure.audit``) reads its vocabularies, so the two never
disagree about which directives and keywords exist.

References are to W3C Content Security Policy Level 3 (CSP3): §2.2.1 (parsing a
serialized policy), §2.3 (directive names and values), §2.3.1 (source lists), §3.1
(several policies in one field) and §6 (the directives).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, Literal, NamedTuple, NoReturn

from secure._docs import see_header
from secure._suggest import suggest
from secure._validation import (
    HOST_NAME,
    SCHEME,
    check_field_value,
    check_str,
    compiled,
    is_field_name,
)
from secure.nonce import _PLACEHOLDER, NONCE

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "DIRECTIVES",
    "KEYWORDS",
    "HostSource",
    "Kind",
    "check_values",
    "fail",
    "fallback_chain",
    "is_unquoted_keyword",
    "parse_host_source",
    "parse_policy",
]

# What a directive's value is made of.
Kind = Literal[
    "sources",  # serialized-source-list (CSP3 §2.3.1)
    "ancestors",  # ancestor-source-list (CSP3 §6.4.2)
    "sandbox",  # HTML sandboxing tokens (CSP3 §6.3.2)
    "uris",  # report-uri: 1*uri-reference (CSP3 §6.5.1)
    "token",  # report-to: one token (CSP3 §6.5.2)
    "flag",  # no value at all
    "sinks",  # require-trusted-types-for (Trusted Types)
    "policies",  # trusted-types (Trusted Types)
    "webrtc",  # 'allow' / 'block' (CSP3 webrtc directive)
    "custom",  # a directive this module does not know: any directive-value
]

DIRECTIVES: Final[dict[str, Kind]] = {
    # Fetch directives (CSP3 §6.1; fenced-frame-src from Fenced Frame; prefetch-src was in
    # earlier CSP3 drafts and some browsers still honour it).
    "child-src": "sources",
    "connect-src": "sources",
    "default-src": "sources",
    "fenced-frame-src": "sources",
    "font-src": "sources",
    "frame-src": "sources",
    "img-src": "sources",
    "manifest-src": "sources",
    "media-src": "sources",
    "object-src": "sources",
    "prefetch-src": "sources",
    "script-src": "sources",
    "script-src-elem": "sources",
    "script-src-attr": "sources",
    "style-src": "sources",
    "style-src-elem": "sources",
    "style-src-attr": "sources",
    "worker-src": "sources",
    # Document directives (CSP3 §6.3).
    "base-uri": "sources",
    "sandbox": "sandbox",
    # Navigation directives (CSP3 §6.4).
    "form-action": "sources",
    "frame-ancestors": "ancestors",
    # Reporting directives (CSP3 §6.5).
    "report-uri": "uris",
    "report-to": "token",
    # Other directives.
    "webrtc": "webrtc",
    "upgrade-insecure-requests": "flag",  # Upgrade Insecure Requests §3
    "block-all-mixed-content": "flag",  # Mixed Content (deprecated, still parsed)
    "require-trusted-types-for": "sinks",  # Trusted Types
    "trusted-types": "policies",  # Trusted Types
}

# keyword-source (CSP3 §2.3.1), plus 'inline-speculation-rules' (HTML speculation rules).
# Keywords are ASCII case-insensitive; this is the canonical lower-case spelling.
KEYWORDS: Final = (
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashes'",
    "'report-sample'",
    "'unsafe-allow-redirects'",
    "'wasm-unsafe-eval'",
    "'trusted-types-eval'",
    "'inline-speculation-rules'",
    "'report-sha256'",
    "'report-sha384'",
    "'report-sha512'",
    "'unsafe-webtransport-hashes'",
)

# Sandboxing tokens the HTML standard defines for iframe@sandbox (CSP3 §6.3.2 reuses them).
SANDBOX_TOKENS: Final = (
    "allow-downloads",
    "allow-forms",
    "allow-modals",
    "allow-orientation-lock",
    "allow-pointer-lock",
    "allow-popups",
    "allow-popups-to-escape-sandbox",
    "allow-presentation",
    "allow-same-origin",
    "allow-scripts",
    "allow-top-navigation",
    "allow-top-navigation-by-user-activation",
    "allow-top-navigation-to-custom-protocols",
)

# What a nonce or hash source starts with once its quotes are removed.
_UNQUOTED_PREFIXES: Final = ("nonce-", "sha256-", "sha384-", "sha512-")

# hash-algorithm (CSP3 §2.3.1) -> base64 characters of the digest without '=' padding.
HASH_LENGTHS: Final = {"sha256": 43, "sha384": 64, "sha512": 86}

# CSP3 §6.8.3 "directive fallback list": the directives whose sources govern a request
# of each kind, most specific first. fenced-frame-src follows frame-src (Fenced Frame
# spec); prefetch-src (earlier drafts) falls back to default-src like the other fetch
# directives.
_FALLBACKS: Final[dict[str, tuple[str, ...]]] = {
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "script-src-attr": ("script-src-attr", "script-src", "default-src"),
    "style-src-elem": ("style-src-elem", "style-src", "default-src"),
    "style-src-attr": ("style-src-attr", "style-src", "default-src"),
    "worker-src": ("worker-src", "child-src", "script-src", "default-src"),
    "frame-src": ("frame-src", "child-src", "default-src"),
    "fenced-frame-src": ("fenced-frame-src", "frame-src", "child-src", "default-src"),
}

# Scheme names people write without the colon; as written they would be host names.
BARE_SCHEMES: Final = ("http", "https", "ws", "wss", "data", "blob", "filesystem", "mediastream")

# CSP3 §2.3: directive-name = 1*( ALPHA / DIGIT / "-" ); names are lower-cased on parsing,
# so the builder only accepts (and renders) the lower-case spelling.
DIRECTIVE_NAME: Final = re.compile(r"[a-z0-9-]+")
# CSP3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" )
BASE64: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
# CSP3 §2.3.1: scheme-source = scheme-part ":" (scheme-part is RFC 3986's scheme)
SCHEME_SOURCE: Final = re.compile(SCHEME + ":")


# CSP3 §2.3.1: host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]
#   host-part = "*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]
#   host-char = ALPHA / DIGIT / "-"
#   port-part = 1*DIGIT / "*"; path-part = path-absolute (RFC 3986 pchar and "/"; ";" and ","
#   are left out because they would end the directive or the policy).
# Compiled on first use: the longest pattern here, and no preset holds a host source.
_HOST_SOURCE: Final = (
    rf"(?:(?P<scheme>{SCHEME})://)?"
    rf"(?P<host>\*|{HOST_NAME}\.?)"
    r"(?::(?P<port>[0-9]+|\*))?"
    # path-part is RFC 3986 path-absolute: "/" then segments, never "//" at the start.
    r"(?P<path>/(?:(?:[A-Za-z0-9._~!$&'()*+=:@-]|%[0-9A-Fa-f]{2})"
    r"(?:[A-Za-z0-9._~!$&'()*+=:@/-]|%[0-9A-Fa-f]{2})*)?)?"
)


# RFC 3986 URI-reference characters, without ";" and "," (CSP3 §2.3 directive-value).
_URI_REFERENCE: Final = re.compile(r"(?:[A-Za-z0-9._~:/?#\[\]@!$&'()*+=-]|%[0-9A-Fa-f]{2})+")
# Trusted Types: tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%")
_TT_POLICY_NAME: Final = re.compile(r"[A-Za-z0-9#=_/@.%-]+")


# How close an unknown directive name in a raw policy must be to a known one to be taken
# for a misspelling of it ("scirpt-src", "img-scr") rather than a directive this library
# does not know yet.
_TYPO_CUTOFF: Final = 0.8


def fail(header: str, message: str) -> NoReturn:
    raise ValueError(see_header(f"{header}: {message}", header))


def _precheck(header: str, directive: str, value: object) -> str:
    """The checks every directive value passes: a str, a field value, one bare token."""
    value = check_str(header, value, f"{directive} value")
    check_field_value(f"{header} {directive}", value)
    if not value:
        fail(header, f"empty value in {directive}; leave it out or pass a real value")
    # CSP3 §2.3: a directive-value never holds ";" (it ends the directive) or "," (it
    # separates policies, §3.1): either would let a value inject its own directives.
    if ";" in value:
        fail(
            header,
            f"invalid value {value!r} in {directive}: ';' would end the directive and start "
            "another (directive injection); pass sources only, and write a ';' in a URL as %3B",
        )
    if "," in value:
        fail(
            header,
            f"invalid value {value!r} in {directive}: ',' would start a second policy "
            "(CSP3 §3.1); pass each source as its own argument, and write a ',' in a URL as %2C",
        )
    if " " in value or "\t" in value:
        fail(
            header,
            f"invalid value {value!r} in {directive}: whitespace separates values; pass each "
            f"one as its own argument, e.g. .{directive.replace('-', '_')}(\"'self'\", "
            '"https://cdn.example.com")',
        )
    if _PLACEHOLDER in value and value != NONCE:
        fail(
            header,
            f"invalid value {value!r} in {directive}: {_PLACEHOLDER!r} is the per-request "
            f"nonce slot and may only appear as the whole source {NONCE!r} "
            "(secure.nonce.NONCE)",
        )
    return value


def _quoted_source_error(source: str, *, ancestors: bool) -> str | None:
    """Why a quoted source ('self', 'nonce-...', 'sha256-...') is wrong, or None."""
    inner = source[1:-1]
    lower = inner.lower()
    if ancestors:
        if f"'{lower}'" in ("'self'", "'none'"):
            return None
        return (
            "frame-ancestors accepts only 'self', 'none', hosts and schemes "
            "(CSP3 §6.4.2 ancestor-source-list); keywords, nonces and hashes do not apply"
        )
    if f"'{lower}'" in KEYWORDS:
        return None
    if lower.startswith("nonce-"):
        if BASE64.fullmatch(inner[6:]):
            return None
        return (
            "a nonce source is 'nonce-<base64-value>' (CSP3 §2.3.1: letters, digits, '+', '/', "
            "'-', '_', then up to two '='); use NONCE or ContentSecurityPolicy.nonce(value)"
        )
    algorithm, dash, _ = lower.partition("-")
    if dash and algorithm in HASH_LENGTHS:
        digest = inner[len(algorithm) + 1 :]
        expected = HASH_LENGTHS[algorithm]
        if BASE64.fullmatch(digest) and len(digest.rstrip("=")) == expected:
            return None
        return (
            f"a {algorithm} hash source is '{algorithm}-<base64 digest>' with {expected} "
            "base64 characters before any '=' padding (CSP3 §2.3.1); compute it with "
            "secure.nonce.csp_hash(content)"
        )
    hint = suggest(f"'{lower}'", KEYWORDS)
    return f"unknown keyword{hint} (known: {', '.join(KEYWORDS)})"


def source_error(source: str, *, ancestors: bool) -> str | None:
    """Why ``source`` is not a CSP3 §2.3.1 source expression, or None when it is one."""
    if source == NONCE:
        return (
            "frame-ancestors takes no nonces (CSP3 §6.4.2); use 'self', 'none', hosts or schemes"
            if ancestors
            else None
        )
    if source.startswith("'") or source.endswith("'"):
        if len(source) < 2 or source[0] != "'" or source[-1] != "'" or "'" in source[1:-1]:
            return (
                "unbalanced quotes: keywords, nonces and hashes go between two single quotes, "
                "e.g. \"'self'\""
            )
        return _quoted_source_error(source, ancestors=ancestors)
    if is_unquoted_keyword(source):
        return (
            f"keywords, nonces and hashes must be single-quoted: write \"'{source}'\" "
            "(ContentSecurityPolicy.keyword() builds keywords)"
        )
    lower = source.lower()
    if lower in BARE_SCHEMES:
        return f"without a colon this is a host name; for the scheme write '{lower}:'"
    if SCHEME_SOURCE.fullmatch(source):
        return None
    match = compiled(_HOST_SOURCE).fullmatch(source)
    if match is None:
        return (
            "not a CSP source expression (CSP3 §2.3.1); use a quoted keyword such as 'self', "
            "a scheme such as https:, or a host such as cdn.example.com, *.example.com or "
            "https://cdn.example.com:8443/path (ASCII, no query or fragment)"
        )
    port = match.group("port")
    if port is not None and port != "*" and int(port) > 65535:
        return f"port {port} is out of range (0-65535)"
    return None


def _check_sources(header: str, directive: str, values: tuple[str, ...]) -> None:
    _check_source_list(header, directive, values, ancestors=False)


def _check_ancestors(header: str, directive: str, values: tuple[str, ...]) -> None:
    _check_source_list(header, directive, values, ancestors=True)


def _check_source_list(
    header: str, directive: str, values: tuple[str, ...], *, ancestors: bool
) -> None:
    if not values:
        fail(
            header,
            f"{directive} needs at least one source; to allow nothing, pass \"'none'\", "
            f"e.g. .{directive.replace('-', '_')}(\"'none'\")",
        )
    for source in values:
        error = source_error(source, ancestors=ancestors)
        if error is not None:
            fail(header, f"invalid source {source!r} in {directive}: {error}")
    # CSP3 §2.3.1: serialized-source-list = ( source-expression *( ... ) ) / "'none'";
    # 'none' stands alone (a browser ignores it next to other sources).
    if len(values) > 1 and any(value.lower() == "'none'" for value in values):
        fail(
            header,
            f"\"'none'\" cannot be combined with other sources in {directive} "
            f"(got {' '.join(values)!r}); keep either 'none' or the other sources",
        )


def _check_sandbox(header: str, directive: str, values: tuple[str, ...]) -> None:
    # HTML sandboxing tokens are ASCII case-insensitive.
    for token in values:
        if token.lower() not in SANDBOX_TOKENS:
            hint = suggest(token.lower(), SANDBOX_TOKENS)
            fail(
                header,
                f"invalid sandbox token {token!r}{hint} (HTML sandboxing tokens: "
                f"{', '.join(SANDBOX_TOKENS)}; no tokens at all applies every restriction)",
            )


def _check_uris(header: str, directive: str, values: tuple[str, ...]) -> None:
    if not values:
        fail(header, f"{directive} needs at least one URI, e.g. .report_uri('/csp-reports')")
    for uri in values:
        if _URI_REFERENCE.fullmatch(uri) is None:
            fail(
                header,
                f"invalid {directive} URI {uri!r}: expected a URI reference such as "
                "'/csp-reports' or 'https://example.com/csp' (RFC 3986, ASCII; percent-encode "
                "anything else)",
            )


def _check_token(header: str, directive: str, values: tuple[str, ...]) -> None:
    if len(values) != 1 or not is_field_name(values[0]):
        fail(
            header,
            f"{directive} takes exactly one endpoint name (an RFC 9110 token, CSP3 §6.5.2), "
            f"got {values!r}; e.g. .report_to('csp-endpoint') with a matching "
            "Reporting-Endpoints header",
        )


def _check_flag(header: str, directive: str, values: tuple[str, ...]) -> None:
    if values:
        fail(header, f"{directive} takes no value, got {values!r}")


def _check_sinks(header: str, directive: str, values: tuple[str, ...]) -> None:
    if not values or any(sink.lower() != "'script'" for sink in values):
        fail(
            header,
            f"invalid {directive} value {values!r}: the only sink group is \"'script'\" "
            "(Trusted Types)",
        )


def _check_policies(header: str, directive: str, values: tuple[str, ...]) -> None:
    # Trusted Types: trusted-types = [ tt-expression *( required-ascii-whitespace tt-expression ) ]
    #   tt-expression = tt-policy-name / tt-keyword / tt-wildcard
    for value in values:
        lower = value.lower()
        if lower in ("'allow-duplicates'", "'none'", "*"):
            continue
        if lower in ("allow-duplicates", "none"):
            fail(
                header,
                f"invalid {directive} value {value!r}: keywords are quoted; write \"'{lower}'\"",
            )
        if _TT_POLICY_NAME.fullmatch(value) is None:
            fail(
                header,
                f"invalid {directive} policy name {value!r}: use letters, digits and "
                "- # = _ / @ . %, or \"'allow-duplicates'\", \"'none'\" or '*'",
            )
    if len(values) > 1 and any(value.lower() == "'none'" for value in values):
        fail(header, f"\"'none'\" cannot be combined with other {directive} values")


def _check_webrtc(header: str, directive: str, values: tuple[str, ...]) -> None:
    if len(values) != 1 or values[0].lower() not in ("'allow'", "'block'"):
        fail(
            header,
            f"{directive} takes exactly one of \"'allow'\" or \"'block'\" (quoted), got {values!r}",
        )


def _check_custom(header: str, directive: str, values: tuple[str, ...]) -> None:
    """Any directive-value without ';' or ',' (CSP3 §2.3); _precheck has done it all."""


_CHECKS: Final[dict[Kind, Callable[[str, str, tuple[str, ...]], None]]] = {
    "sources": _check_sources,
    "ancestors": _check_ancestors,
    "sandbox": _check_sandbox,
    "uris": _check_uris,
    "token": _check_token,
    "flag": _check_flag,
    "sinks": _check_sinks,
    "policies": _check_policies,
    "webrtc": _check_webrtc,
    "custom": _check_custom,
}


def check_values(
    header: str, directive: str, kind: Kind, raw: tuple[object, ...]
) -> tuple[str, ...]:
    """Validate ``directive``'s values by its kind and return them as a tuple of str."""
    values = tuple(_precheck(header, directive, value) for value in raw)
    _CHECKS[kind](header, directive, values)
    return values


def parse_policy(header: str, value: str) -> dict[str, tuple[str, ...]]:
    """Parse a serialized policy (CSP3 §2.2.1) and validate every directive."""
    if "," in value:
        fail(
            header,
            f"invalid value {value!r}: ',' separates policies (CSP3 §3.1); send one policy "
            "per header (a second policy can go in the report-only header)",
        )
    directives: dict[str, tuple[str, ...]] = {}
    for part in value.split(";"):
        tokens = part.split()
        if not tokens:
            continue  # empty directives (e.g. a trailing ';') are skipped (CSP3 §2.2.1)
        name = tokens[0].lower()
        if DIRECTIVE_NAME.fullmatch(name) is None:
            fail(
                header,
                f"invalid directive name {tokens[0]!r} in {value!r}: a directive name is "
                "letters, digits and '-' (CSP3 §2.3)",
            )
        if name in directives:
            fail(
                header,
                f"directive {name!r} appears twice in {value!r}; browsers ignore the "
                "repeat (CSP3 §2.2.1), so merge its sources into one directive",
            )
        kind = DIRECTIVES.get(name)
        if kind is None:
            # An unknown name is sent as written (browsers ignore what they do not know,
            # CSP3 §2.2.1), but one a letter or two from a known directive is a typo that
            # would silently leave the policy without it.
            typo = suggest(name, DIRECTIVES, cutoff=_TYPO_CUTOFF)
            if typo:
                fail(header, f"unknown directive {tokens[0]!r} in {value!r}{typo}")
            kind = "custom"
        directives[name] = check_values(header, name, kind, tuple(tokens[1:]))
    if not directives:
        fail(header, f"invalid value {value!r}: the policy has no directives")
    # CSP3 §2.2: serialized-policy = serialized-directive *( OWS ";" [ OWS
    # serialized-directive ] ): empty directives may follow one, never lead.
    if value.lstrip(" \t").startswith(";"):
        fail(
            header,
            f"invalid value {value!r}: a policy starts with a directive, not ';' (CSP3 §2.2)",
        )
    return directives


def fallback_chain(directive: str) -> tuple[str, ...]:
    """The directives that govern what ``directive`` governs, most specific first (CSP3 §6.8.3).

    The first of them a policy sets is the one a browser enforces: ``img-src`` falls back
    to ``default-src``, ``script-src-elem`` to ``script-src`` then ``default-src``,
    ``worker-src`` to ``child-src``, ``script-src``, ``default-src``. A directive that is
    not a fetch directive (``base-uri``, ``form-action``, ...) has no fallback.

    >>> fallback_chain("frame-src")
    ('frame-src', 'child-src', 'default-src')
    """
    chain = _FALLBACKS.get(directive)
    if chain is not None:
        return chain
    if directive != "default-src" and directive.endswith("-src") and directive in DIRECTIVES:
        return (directive, "default-src")
    return (directive,)


def is_unquoted_keyword(source: str) -> bool:
    """True for a keyword, nonce or hash written without its single quotes (``self``)."""
    lower = source.lower()
    return f"'{lower}'" in KEYWORDS or lower.startswith(_UNQUOTED_PREFIXES)


class HostSource(NamedTuple):
    """The parts of a CSP3 §2.3.1 host-source; absent parts are ``""``."""

    scheme: str
    host: str
    port: str
    path: str


def parse_host_source(source: str) -> HostSource | None:
    """A host-source's parts (``https://*.example.com:443/js/``), or None if it is not one."""
    found = compiled(_HOST_SOURCE).fullmatch(source)
    if found is None:
        return None
    scheme, host, port, path = found.group("scheme", "host", "port", "path")
    return HostSource(scheme or "", host, port or "", path or "")
