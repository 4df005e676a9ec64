"""The ``Content-Security-Policy`` builder.

Grammar references are to W3C Content Security Policy Level 3 (CSP3): §2.2.1 (parsing a
serialized policy), §2.3 (directive names and values), §2.3.1 (source lists), §3.1/§3.2
(the enforced and report-only header fields) and §6 (the directives themselves).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Final, Literal, NoReturn, TypeVar

from secure._compat._builders import ContentSecurityPolicyCompat
from secure._validation import check_field_value, check_str, is_field_name
from secure.headers._base import BaseHeader
from secure.nonce import _PLACEHOLDER, NONCE

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["ContentSecurityPolicy"]

_C = TypeVar("_C", bound="ContentSecurityPolicy")

_HEADER: Final = "Content-Security-Policy"
_REPORT_ONLY_HEADER: Final = "Content-Security-Policy-Report-Only"
# What a builder with no directive sends: same-origin everything, no plugins, no framing
# by other origins, forms and <base> same-origin only.
_DEFAULT_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)

# What a directive's value is made of.
_Kind = Literal[
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

_DIRECTIVES: Final[dict[str, _Kind]] = {
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
_KEYWORDS: Final = (
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
_SANDBOX_TOKENS: Final = (
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

# hash-algorithm (CSP3 §2.3.1) -> base64 characters of the digest without '=' padding.
_HASH_LENGTHS: Final = {"sha256": 43, "sha384": 64, "sha512": 86}

# Scheme names people write without the colon; as written they would be host names.
_BARE_SCHEMES: Final = ("http", "https", "ws", "wss", "data", "blob", "filesystem", "mediastream")

# CSP3 §2.3: directive-name = 1*( ALPHA / DIGIT / "-" ); names are lower-cased on parsing,
# so the builder only accepts (and renders) the lower-case spelling.
_DIRECTIVE_NAME: Final = re.compile(r"[a-z0-9-]+")
# CSP3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" ) *2( "=" )
_BASE64: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
# CSP3 §2.3.1: scheme-source = scheme-part ":"; scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
_SCHEME: Final = r"[A-Za-z][A-Za-z0-9+.-]*"
_SCHEME_SOURCE: Final = re.compile(_SCHEME + ":")
# CSP3 §2.3.1: host-source = [ scheme-part "://" ] host-part [ ":" port-part ] [ path-part ]
#   host-part = "*" / [ "*." ] 1*host-char *( "." 1*host-char ) [ "." ]
#   host-char = ALPHA / DIGIT / "-"
#   port-part = 1*DIGIT / "*"; path-part = path-absolute (RFC 3986 pchar and "/"; ";" and ","
#   are left out because they would end the directive or the policy).
_HOST_SOURCE: Final = re.compile(
    rf"(?:{_SCHEME}://)?"
    r"(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)"
    r"(?::(?P<port>[0-9]+|\*))?"
    # path-part is RFC 3986 path-absolute: "/" then segments, never "//" at the start.
    r"(?:/(?:(?:[A-Za-z0-9._~!$&'()*+=:@-]|%[0-9A-Fa-f]{2})"
    r"(?:[A-Za-z0-9._~!$&'()*+=:@/-]|%[0-9A-Fa-f]{2})*)?)?"
)
# RFC 3986 URI-reference characters, without ";" and "," (CSP3 §2.3 directive-value).
_URI_REFERENCE: Final = re.compile(r"(?:[A-Za-z0-9._~:/?#\[\]@!$&'()*+=-]|%[0-9A-Fa-f]{2})+")
# Trusted Types: tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%")
_TT_POLICY_NAME: Final = re.compile(r"[A-Za-z0-9#=_/@.%-]+")


def _fail(header: str, message: str) -> NoReturn:
    raise ValueError(f"{header}: {message}")


def _did_you_mean(word: str, options: tuple[str, ...] | list[str]) -> str:
    if len(word) > 64:  # no directive or keyword is that long; difflib is quadratic
        return ""
    match = difflib.get_close_matches(word, options, n=1)
    return f"; did you mean {match[0]!r}?" if match else ""


def _precheck(header: str, directive: str, value: object) -> str:
    """The checks every directive value passes: a str, a field value, one bare token."""
    value = check_str(header, value, f"{directive} value")
    check_field_value(f"{header} {directive}", value)
    if not value:
        _fail(header, f"empty value in {directive}; leave it out or pass a real value")
    # CSP3 §2.3: a directive-value never holds ";" (it ends the directive) or "," (it
    # separates policies, §3.1): either would let a value inject its own directives.
    if ";" in value:
        _fail(
            header,
            f"invalid value {value!r} in {directive}: ';' would end the directive and start "
            "another (directive injection); pass sources only, and write a ';' in a URL as %3B",
        )
    if "," in value:
        _fail(
            header,
            f"invalid value {value!r} in {directive}: ',' would start a second policy "
            "(CSP3 §3.1); pass each source as its own argument, and write a ',' in a URL as %2C",
        )
    if " " in value or "\t" in value:
        _fail(
            header,
            f"invalid value {value!r} in {directive}: whitespace separates values; pass each "
            f"one as its own argument, e.g. .{directive.replace('-', '_')}(\"'self'\", "
            '"https://cdn.example.com")',
        )
    if _PLACEHOLDER in value and value != NONCE:
        _fail(
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
    if f"'{lower}'" in _KEYWORDS:
        return None
    if lower.startswith("nonce-"):
        if _BASE64.fullmatch(inner[6:]):
            return None
        return (
            "a nonce source is 'nonce-<base64-value>' (CSP3 §2.3.1: letters, digits, '+', '/', "
            "'-', '_', then up to two '='); use NONCE or ContentSecurityPolicy.nonce(value)"
        )
    algorithm, dash, _ = lower.partition("-")
    if dash and algorithm in _HASH_LENGTHS:
        digest = inner[len(algorithm) + 1 :]
        expected = _HASH_LENGTHS[algorithm]
        if _BASE64.fullmatch(digest) and len(digest.rstrip("=")) == expected:
            return None
        return (
            f"a {algorithm} hash source is '{algorithm}-<base64 digest>' with {expected} "
            "base64 characters before any '=' padding (CSP3 §2.3.1); compute it with "
            "secure.nonce.csp_hash(content)"
        )
    hint = _did_you_mean(f"'{lower}'", _KEYWORDS)
    return f"unknown keyword{hint} (known: {', '.join(_KEYWORDS)})"


def _source_error(source: str, *, ancestors: bool) -> str | None:
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
    lower = source.lower()
    if f"'{lower}'" in _KEYWORDS or lower.startswith(("nonce-", "sha256-", "sha384-", "sha512-")):
        return (
            f"keywords, nonces and hashes must be single-quoted: write \"'{source}'\" "
            "(ContentSecurityPolicy.keyword() builds keywords)"
        )
    if lower in _BARE_SCHEMES:
        return f"without a colon this is a host name; for the scheme write '{lower}:'"
    if _SCHEME_SOURCE.fullmatch(source):
        return None
    match = _HOST_SOURCE.fullmatch(source)
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
        _fail(
            header,
            f"{directive} needs at least one source; to allow nothing, pass \"'none'\", "
            f"e.g. .{directive.replace('-', '_')}(\"'none'\")",
        )
    for source in values:
        error = _source_error(source, ancestors=ancestors)
        if error is not None:
            _fail(header, f"invalid source {source!r} in {directive}: {error}")
    # CSP3 §2.3.1: serialized-source-list = ( source-expression *( ... ) ) / "'none'";
    # 'none' stands alone (a browser ignores it next to other sources).
    if len(values) > 1 and any(value.lower() == "'none'" for value in values):
        _fail(
            header,
            f"\"'none'\" cannot be combined with other sources in {directive} "
            f"(got {' '.join(values)!r}); keep either 'none' or the other sources",
        )


def _check_sandbox(header: str, directive: str, values: tuple[str, ...]) -> None:
    # HTML sandboxing tokens are ASCII case-insensitive.
    for token in values:
        if token.lower() not in _SANDBOX_TOKENS:
            hint = _did_you_mean(token.lower(), _SANDBOX_TOKENS)
            _fail(
                header,
                f"invalid sandbox token {token!r}{hint} (HTML sandboxing tokens: "
                f"{', '.join(_SANDBOX_TOKENS)}; no tokens at all applies every restriction)",
            )


def _check_uris(header: str, directive: str, values: tuple[str, ...]) -> None:
    if not values:
        _fail(header, f"{directive} needs at least one URI, e.g. .report_uri('/csp-reports')")
    for uri in values:
        if _URI_REFERENCE.fullmatch(uri) is None:
            _fail(
                header,
                f"invalid {directive} URI {uri!r}: expected a URI reference such as "
                "'/csp-reports' or 'https://example.com/csp' (RFC 3986, ASCII; percent-encode "
                "anything else)",
            )


def _check_token(header: str, directive: str, values: tuple[str, ...]) -> None:
    if len(values) != 1 or not is_field_name(values[0]):
        _fail(
            header,
            f"{directive} takes exactly one endpoint name (an RFC 9110 token, CSP3 §6.5.2), "
            f"got {values!r}; e.g. .report_to('csp-endpoint') with a matching "
            "Reporting-Endpoints header",
        )


def _check_flag(header: str, directive: str, values: tuple[str, ...]) -> None:
    if values:
        _fail(header, f"{directive} takes no value, got {values!r}")


def _check_sinks(header: str, directive: str, values: tuple[str, ...]) -> None:
    if not values or any(sink.lower() != "'script'" for sink in values):
        _fail(
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
            _fail(
                header,
                f"invalid {directive} value {value!r}: keywords are quoted; write \"'{lower}'\"",
            )
        if _TT_POLICY_NAME.fullmatch(value) is None:
            _fail(
                header,
                f"invalid {directive} policy name {value!r}: use letters, digits and "
                "- # = _ / @ . %, or \"'allow-duplicates'\", \"'none'\" or '*'",
            )
    if len(values) > 1 and any(value.lower() == "'none'" for value in values):
        _fail(header, f"\"'none'\" cannot be combined with other {directive} values")


def _check_webrtc(header: str, directive: str, values: tuple[str, ...]) -> None:
    if len(values) != 1 or values[0].lower() not in ("'allow'", "'block'"):
        _fail(
            header,
            f"{directive} takes exactly one of \"'allow'\" or \"'block'\" (quoted), got {values!r}",
        )


def _check_custom(header: str, directive: str, values: tuple[str, ...]) -> None:
    """Any directive-value without ';' or ',' (CSP3 §2.3); _precheck has done it all."""


_CHECKS: Final[dict[_Kind, Callable[[str, str, tuple[str, ...]], None]]] = {
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


def _check_values(
    header: str, directive: str, kind: _Kind, raw: tuple[object, ...]
) -> tuple[str, ...]:
    """Validate ``directive``'s values by its kind and return them as a tuple of str."""
    values = tuple(_precheck(header, directive, value) for value in raw)
    _CHECKS[kind](header, directive, values)
    return values


class ContentSecurityPolicy(ContentSecurityPolicyCompat, BaseHeader):
    """Build a ``Content-Security-Policy`` one directive at a time (CSP Level 3).

    Each directive method replaces that directive's values; directives render in the order
    they were first set. Values are validated when the method is called. With no directive
    at all the builder sends a same-origin default policy (``default-src 'self'; ...``).

    >>> ContentSecurityPolicy().default_src("'self'").img_src("'self'", "data:").header_value
    "default-src 'self'; img-src 'self' data:"
    """

    __slots__ = ("_directives", "_report_only")

    _NAME = _HEADER

    def __init__(self) -> None:
        super().__init__()
        self._directives: dict[str, tuple[str, ...]] = {}
        self._report_only = False

    # -- identity -------------------------------------------------------------------------

    @property
    def header_name(self) -> str:
        """``Content-Security-Policy``, or ``...-Report-Only`` after ``report_only()``."""
        return _REPORT_ONLY_HEADER if self._report_only else _HEADER

    @property
    def has_nonce(self) -> bool:
        """True when a directive holds the per-request nonce slot :data:`secure.nonce.NONCE`."""
        return any(NONCE in values for values in self._directives.values())

    @property
    def directives(self) -> dict[str, tuple[str, ...]]:
        """A copy of the policy: directive name -> its values, in rendering order."""
        return dict(self._directives)

    def report_only(self: _C, enabled: bool = True) -> _C:
        """Send the policy as ``Content-Security-Policy-Report-Only`` (CSP3 §3.2)."""
        if not isinstance(enabled, bool):
            raise TypeError(f"{_HEADER}: report_only() takes True or False, got {enabled!r}")
        self._report_only = enabled
        return self

    # -- generic editing ------------------------------------------------------------------

    def custom_directive(self: _C, name: str, *values: str) -> _C:
        """Set any directive by name, e.g. ``custom_directive("navigate-to", "'self'")``.

        A directive this class knows is validated as usual; any other needs a valid name
        (lower-case letters, digits, ``-``) and values without whitespace, ``;`` or ``,``.
        """
        directive = self._directive_name(name)
        return self._put(directive, _DIRECTIVES.get(directive, "custom"), values)

    def add_sources(self: _C, directive: str, *sources: str) -> _C:
        """Append sources to a directive (created if missing); sources already there are skipped.

        >>> ContentSecurityPolicy().script_src("'self'").add_sources("script-src", "https:")
        ContentSecurityPolicy(Content-Security-Policy: "script-src 'self' https:")
        """
        name = self._known_or_present(directive)
        for source in sources:
            if not isinstance(source, str):
                raise TypeError(
                    f"{self.header_name} {name}: sources must be str, got "
                    f"{type(source).__name__} {source!r}"
                )
        current = self._directives.get(name, ())
        added = tuple(dict.fromkeys(s for s in sources if s not in current))
        return self._put(name, _DIRECTIVES.get(name, "custom"), current + added)

    def remove(self: _C, directive: str) -> _C:
        """Remove a directive; removing one that is not set does nothing."""
        name = self._known_or_present(directive)
        if self._directives.pop(name, None) is not None:
            self._raw = None
        return self

    # -- fetch directives (CSP3 §6.1) ------------------------------------------------------

    def child_src(self: _C, *sources: str) -> _C:
        """``child-src``: workers and nested browsing contexts (CSP3 §6.1)."""
        return self._put("child-src", "sources", sources)

    def connect_src(self: _C, *sources: str) -> _C:
        """``connect-src``: fetch, XHR, WebSocket, EventSource and beacon targets."""
        return self._put("connect-src", "sources", sources)

    def default_src(self: _C, *sources: str) -> _C:
        """``default-src``: the fallback for every other fetch directive."""
        return self._put("default-src", "sources", sources)

    def fenced_frame_src(self: _C, *sources: str) -> _C:
        """``fenced-frame-src``: ``<fencedframe>`` sources (Fenced Frame spec)."""
        return self._put("fenced-frame-src", "sources", sources)

    def font_src(self: _C, *sources: str) -> _C:
        """``font-src``: font loads."""
        return self._put("font-src", "sources", sources)

    def frame_src(self: _C, *sources: str) -> _C:
        """``frame-src``: ``<iframe>`` and ``<frame>`` sources."""
        return self._put("frame-src", "sources", sources)

    def img_src(self: _C, *sources: str) -> _C:
        """``img-src``: images and favicons."""
        return self._put("img-src", "sources", sources)

    def manifest_src(self: _C, *sources: str) -> _C:
        """``manifest-src``: application manifests."""
        return self._put("manifest-src", "sources", sources)

    def media_src(self: _C, *sources: str) -> _C:
        """``media-src``: ``<audio>``, ``<video>`` and ``<track>`` sources."""
        return self._put("media-src", "sources", sources)

    def object_src(self: _C, *sources: str) -> _C:
        """``object-src``: ``<object>`` and ``<embed>`` (usually ``"'none'"``)."""
        return self._put("object-src", "sources", sources)

    def prefetch_src(self: _C, *sources: str) -> _C:
        """``prefetch-src``: prefetch and prerender (dropped from CSP3; kept for old browsers)."""
        return self._put("prefetch-src", "sources", sources)

    def script_src(self: _C, *sources: str) -> _C:
        """``script-src``: scripts, e.g. ``script_src("'self'", NONCE, "'strict-dynamic'")``."""
        return self._put("script-src", "sources", sources)

    def script_src_elem(self: _C, *sources: str) -> _C:
        """``script-src-elem``: ``<script>`` elements."""
        return self._put("script-src-elem", "sources", sources)

    def script_src_attr(self: _C, *sources: str) -> _C:
        """``script-src-attr``: inline event handlers such as ``onclick``."""
        return self._put("script-src-attr", "sources", sources)

    def style_src(self: _C, *sources: str) -> _C:
        """``style-src``: stylesheets."""
        return self._put("style-src", "sources", sources)

    def style_src_elem(self: _C, *sources: str) -> _C:
        """``style-src-elem``: ``<style>`` and ``<link rel=stylesheet>`` elements."""
        return self._put("style-src-elem", "sources", sources)

    def style_src_attr(self: _C, *sources: str) -> _C:
        """``style-src-attr``: inline ``style`` attributes."""
        return self._put("style-src-attr", "sources", sources)

    def worker_src(self: _C, *sources: str) -> _C:
        """``worker-src``: Worker, SharedWorker and ServiceWorker scripts."""
        return self._put("worker-src", "sources", sources)

    # -- document and navigation directives (CSP3 §6.3, §6.4) -------------------------------

    def base_uri(self: _C, *sources: str) -> _C:
        """``base-uri``: URLs allowed in ``<base href>``."""
        return self._put("base-uri", "sources", sources)

    def sandbox(self: _C, *tokens: str) -> _C:
        """``sandbox``: sandbox the page like an iframe; tokens lift restrictions.

        ``sandbox()`` with no tokens applies every restriction.
        """
        return self._put("sandbox", "sandbox", tokens)

    def form_action(self: _C, *sources: str) -> _C:
        """``form-action``: where forms may submit."""
        return self._put("form-action", "sources", sources)

    def frame_ancestors(self: _C, *sources: str) -> _C:
        """``frame-ancestors``: who may embed this page ('self', 'none', hosts, schemes)."""
        return self._put("frame-ancestors", "ancestors", sources)

    # -- reporting directives (CSP3 §6.5) ---------------------------------------------------

    def report_uri(self: _C, *uris: str) -> _C:
        """``report-uri``: URLs that receive violation reports (deprecated by ``report-to``)."""
        return self._put("report-uri", "uris", uris)

    def report_to(self: _C, group: str) -> _C:
        """``report-to``: the ``Reporting-Endpoints`` name that receives violation reports."""
        return self._put("report-to", "token", (group,))

    # -- other directives ---------------------------------------------------------------------

    def upgrade_insecure_requests(self: _C, enabled: bool = True) -> _C:
        """``upgrade-insecure-requests``: load ``http:`` subresources over ``https:``."""
        return self._flag("upgrade-insecure-requests", enabled)

    def block_all_mixed_content(self: _C, enabled: bool = True) -> _C:
        """``block-all-mixed-content`` (deprecated: prefer ``upgrade_insecure_requests()``)."""
        return self._flag("block-all-mixed-content", enabled)

    def require_trusted_types_for(self: _C, *sinks: str) -> _C:
        """``require-trusted-types-for``: ``"'script'"`` (the default and only sink group)."""
        return self._put("require-trusted-types-for", "sinks", sinks or ("'script'",))

    def trusted_types(self: _C, *policies: str) -> _C:
        """``trusted-types``: allowed policy names, ``"'allow-duplicates'"``, ``"'none'"``, ``*``.

        With no arguments no policy may be created.
        """
        return self._put("trusted-types", "policies", policies)

    def webrtc(self: _C, value: str) -> _C:
        """``webrtc``: ``"'allow'"`` or ``"'block'"`` WebRTC connections."""
        return self._put("webrtc", "webrtc", (value,))

    # -- source helpers -------------------------------------------------------------------

    @staticmethod
    def nonce(value: str) -> str:
        """The nonce source for a fixed ``value``: ``nonce("abc123")`` -> ``"'nonce-abc123'"``.

        For a fresh nonce per request use :data:`secure.nonce.NONCE` instead.
        """
        value = check_str(_HEADER, value, "nonce")
        if _BASE64.fullmatch(value) is None:
            _fail(
                _HEADER,
                f"invalid nonce {value!r}: a nonce is a base64-value (CSP3 §2.3.1: letters, "
                "digits, '+', '/', '-', '_', then up to two '='); use "
                "secure.nonce.generate_nonce()",
            )
        return f"'nonce-{value}'"

    @staticmethod
    def keyword(name: str) -> str:
        """A quoted keyword source: ``keyword("self")`` -> ``"'self'"`` (CSP3 §2.3.1)."""
        name = check_str(_HEADER, name, "keyword")
        quoted = name if len(name) >= 2 and name[0] == name[-1] == "'" else f"'{name}'"
        if quoted.lower() in _KEYWORDS:
            return quoted.lower()
        _fail(
            _HEADER,
            f"unknown keyword {name!r}{_did_you_mean(quoted.lower(), _KEYWORDS)} "
            f"(known: {', '.join(_KEYWORDS)})",
        )

    # -- BaseHeader -----------------------------------------------------------------------

    def set(self: _C, value: str) -> _C:
        """Use a raw policy string; it is validated with the same rules as the methods.

        The raw string is sent verbatim; later method calls edit the policy parsed from it.
        """
        value = check_field_value(self.header_name, value)
        self._directives = self._parse(value)
        self._raw = value
        return self

    def copy(self: _C) -> _C:
        """An independent builder with the same policy and mode."""
        new = type(self)()
        new._directives = dict(self._directives)
        new._report_only = self._report_only
        new._raw = self._raw
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ContentSecurityPolicy):
            return NotImplemented
        return (
            self._report_only == other._report_only
            and self._raw == other._raw
            and list(self._directives.items()) == list(other._directives.items())
        )

    def _render(self) -> str:
        if not self._directives:
            return _DEFAULT_POLICY
        return "; ".join(" ".join((name, *values)) for name, values in self._directives.items())

    def _check_raw(self, value: str) -> None:
        self._parse(value)

    def _reset(self) -> None:
        # The report-only mode is the builder's identity, not policy state: it survives clear().
        self._directives = {}

    # -- internals ------------------------------------------------------------------------

    def _put(self: _C, directive: str, kind: _Kind, values: tuple[object, ...]) -> _C:
        self._directives[directive] = _check_values(self.header_name, directive, kind, values)
        self._raw = None
        return self

    def _flag(self: _C, directive: str, enabled: bool) -> _C:
        if not isinstance(enabled, bool):
            raise TypeError(
                f"{self.header_name}: {directive.replace('-', '_')}() takes True or False, "
                f"got {type(enabled).__name__} {enabled!r}"
            )
        if enabled:
            self._directives[directive] = ()
        else:
            self._directives.pop(directive, None)
        self._raw = None
        return self

    def _directive_name(self, name: object) -> str:
        # Snake case is accepted (directive names never contain "_"), so method names and
        # configuration keys both work.
        header = self.header_name
        directive = check_str(header, name, "directive name").replace("_", "-")
        if _DIRECTIVE_NAME.fullmatch(directive) is None:
            hint = (
                f"; write {directive.lower()!r}"
                if _DIRECTIVE_NAME.fullmatch(directive.lower())
                else ""
            )
            _fail(
                header,
                f"invalid directive name {name!r}: a directive name is lower-case letters, "
                f"digits and '-' (CSP3 §2.3){hint}",
            )
        return directive

    def _known_or_present(self, directive: object) -> str:
        name = self._directive_name(directive)
        if name not in _DIRECTIVES and name not in self._directives:
            _fail(
                self.header_name,
                f"unknown directive {name!r}{_did_you_mean(name, list(_DIRECTIVES))} "
                "(use custom_directive() for a directive this library does not know)",
            )
        return name

    def _parse(self, value: str) -> dict[str, tuple[str, ...]]:
        """Parse a serialized policy (CSP3 §2.2.1) and validate every directive."""
        header = self.header_name
        if "," in value:
            _fail(
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
            if _DIRECTIVE_NAME.fullmatch(name) is None:
                _fail(
                    header,
                    f"invalid directive name {tokens[0]!r} in {value!r}: a directive name is "
                    "letters, digits and '-' (CSP3 §2.3)",
                )
            if name in directives:
                _fail(
                    header,
                    f"directive {name!r} appears twice in {value!r}; browsers ignore the "
                    "repeat (CSP3 §2.2.1), so merge its sources into one directive",
                )
            kind = _DIRECTIVES.get(name, "custom")
            directives[name] = _check_values(header, name, kind, tuple(tokens[1:]))
        if not directives:
            _fail(header, f"invalid value {value!r}: the policy has no directives")
        # CSP3 §2.2: serialized-policy = serialized-directive *( OWS ";" [ OWS
        # serialized-directive ] ): empty directives may follow one, never lead.
        if value.lstrip(" \t").startswith(";"):
            _fail(
                header,
                f"invalid value {value!r}: a policy starts with a directive, not ';' (CSP3 §2.2)",
            )
        return directives
