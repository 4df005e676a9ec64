"""The policy checker: weak, missing and harmful security headers, each with a reference.

:func:`audit_headers` reads any list of ``(name, value)`` header fields: a ``Secure``'s
``header_items()`` (a CSP nonce slot appears as ``'nonce-{nonce}'``) or the fields of
a live response. It parses every raw value itself, the way browsers do, so it judges
what a browser would enforce, not what a builder meant::

    from secure.audit import audit_headers

    for finding in audit_headers([("X-XSS-Protection", "1; mode=block")]):
        print(finding.severity, finding.header, finding.message)

``Secure.audit()`` is ``audit_headers`` over the configured headers. Every rule, its
reason and its reference are listed in ``docs/security.md`` and in :data:`RULES`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "Severity", "audit_headers"]

Severity = Literal["high", "medium", "low", "info"]

#: Severities from the most to the least serious.
SEVERITIES: Final[tuple[Severity, ...]] = ("high", "medium", "low", "info")


@dataclass(frozen=True)
class Finding:
    """One problem: a stable rule id, how serious, which header, why, and where to read more."""

    rule: str
    severity: Severity
    header: str
    message: str
    reference: str


@dataclass(frozen=True)
class Rule:
    """A check the auditor makes; ``summary`` is the reason, as the docs give it."""

    id: str
    severity: Severity
    header: str
    summary: str
    reference: str


_CSP: Final = "Content-Security-Policy"
_HSTS: Final = "Strict-Transport-Security"
_XFO: Final = "X-Frame-Options"

_MDN: Final = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/"
_CSP3: Final = "https://www.w3.org/TR/CSP3/"
_OWASP_HEADERS: Final = (
    "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html"
)

_RULES: Final = (
    # -- Content-Security-Policy ----------------------------------------------------------
    Rule(
        "csp-missing",
        "high",
        _CSP,
        "No enforced Content-Security-Policy: nothing limits what an injected script can do.",
        f"{_MDN}Content-Security-Policy",
    ),
    Rule(
        "csp-report-only",
        "medium",
        _CSP,
        "Only a Content-Security-Policy-Report-Only policy is sent: violations are reported "
        "but nothing is blocked.",
        f"{_CSP3}#cspro-header",
    ),
    Rule(
        "csp-script-unrestricted",
        "high",
        _CSP,
        "Neither script-src nor default-src is set, so scripts load from anywhere.",
        f"{_CSP3}#directive-script-src",
    ),
    Rule(
        "csp-unsafe-inline",
        "high",
        _CSP,
        "script-src allows 'unsafe-inline' without a nonce or hash: any injected inline "
        "script or event handler runs, which defeats the policy's main purpose.",
        f"{_MDN}Content-Security-Policy/script-src#unsafe_inline_script",
    ),
    Rule(
        "csp-unsafe-eval",
        "medium",
        _CSP,
        "script-src allows 'unsafe-eval': strings reaching eval(), Function() or "
        "setTimeout(string) become code.",
        f"{_MDN}Content-Security-Policy/script-src#unsafe_eval_expressions",
    ),
    Rule(
        "csp-script-wildcard",
        "high",
        _CSP,
        "script-src allows '*', 'https:' or 'http:' (any host) without 'strict-dynamic' and "
        "a nonce or hash: an attacker can load a script from a host they control.",
        f"{_CSP3}#directive-script-src",
    ),
    Rule(
        "csp-script-data",
        "high",
        _CSP,
        "script-src allows data: URLs without 'strict-dynamic' and a nonce or hash: "
        "an injected <script src=data:...> runs.",
        f"{_CSP3}#directive-script-src",
    ),
    Rule(
        "csp-script-http",
        "low",
        _CSP,
        "script-src allows a host over http://: on a page served over plain HTTP a network "
        "attacker can replace the script (HTTPS pages block such mixed content).",
        "https://www.w3.org/TR/mixed-content/",
    ),
    Rule(
        "csp-strict-dynamic-without-nonce",
        "medium",
        _CSP,
        "'strict-dynamic' without a nonce or hash: browsers that support it ignore the host "
        "allowlist and 'unsafe-inline', so no script can be trusted to load.",
        f"{_CSP3}#strict-dynamic-usage",
    ),
    Rule(
        "csp-weak-nonce",
        "medium",
        _CSP,
        "A nonce is shorter than 22 base64 characters (128 bits), so it can be guessed; "
        "use secure.nonce.generate_nonce() for each response.",
        f"{_CSP3}#security-nonces",
    ),
    Rule(
        "csp-object-src-missing",
        "high",
        _CSP,
        "Neither object-src nor default-src is set: <object> and <embed> can load "
        "plugin content and HTML from anywhere.",
        f"{_CSP3}#directive-object-src",
    ),
    Rule(
        "csp-object-src-not-none",
        "low",
        _CSP,
        "object-src (or the default-src it falls back to) is not 'none'; almost no site "
        "needs plugins.",
        f"{_CSP3}#directive-object-src",
    ),
    Rule(
        "csp-base-uri-missing",
        "medium",
        _CSP,
        "No base-uri (it does not fall back to default-src): an injected <base> tag "
        "redirects every relative script URL, nonced scripts included.",
        f"{_CSP3}#directive-base-uri",
    ),
    Rule(
        "csp-form-action-missing",
        "low",
        _CSP,
        "No form-action (it does not fall back to default-src): an injected form can "
        "send what the user types to any site.",
        f"{_CSP3}#directive-form-action",
    ),
    Rule(
        "csp-style-unsafe-inline",
        "low",
        _CSP,
        "style-src allows 'unsafe-inline' without a nonce or hash: injected CSS can "
        "restyle the page and leak data through selectors.",
        f"{_MDN}Content-Security-Policy/style-src#unsafe_inline_styles",
    ),
    Rule(
        "csp-frame-ancestors-wildcard",
        "medium",
        _CSP,
        "frame-ancestors allows any site ('*' or a bare scheme), and browsers then ignore "
        "X-Frame-Options: the page can be framed for clickjacking.",
        f"{_CSP3}#directive-frame-ancestors",
    ),
    Rule(
        "csp-unquoted-keyword",
        "medium",
        _CSP,
        "A keyword, nonce or hash is written without single quotes (self, none, "
        "unsafe-inline, nonce-...): browsers read it as a host name.",
        f"{_CSP3}#grammardef-keyword-source",
    ),
    Rule(
        "csp-unknown-directive",
        "low",
        _CSP,
        "A directive browsers do not know (often a typo such as script-scr): it is "
        "ignored, so what it was meant to restrict is not restricted.",
        f"{_CSP3}#csp-directives",
    ),
    # -- Strict-Transport-Security ---------------------------------------------------------
    Rule(
        "hsts-missing",
        "medium",
        _HSTS,
        "No Strict-Transport-Security: the first request of every visit can be downgraded "
        "to plain HTTP.",
        f"{_MDN}Strict-Transport-Security",
    ),
    Rule(
        "hsts-invalid",
        "medium",
        _HSTS,
        "Strict-Transport-Security that browsers must ignore: no max-age, a repeated "
        "directive or a value that does not parse.",
        "https://www.rfc-editor.org/rfc/rfc6797#section-6.1",
    ),
    Rule(
        "hsts-short-max-age",
        "medium",
        _HSTS,
        "HSTS max-age under six months (15768000 seconds); max-age=0 switches HSTS off.",
        "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Strict_Transport_Security_Cheat_Sheet.html",
    ),
    Rule(
        "hsts-preload-requirements",
        "medium",
        _HSTS,
        "preload without its requirements (max-age of at least 31536000 and "
        "includeSubDomains): the preload list refuses the domain.",
        "https://hstspreload.org/#submission-requirements",
    ),
    Rule(
        "hsts-no-include-subdomains",
        "info",
        _HSTS,
        "HSTS without includeSubDomains: subdomains, and cookies scoped to the parent "
        "domain, can still be reached over HTTP.",
        "https://www.rfc-editor.org/rfc/rfc6797#section-6.1.2",
    ),
    # -- framing ---------------------------------------------------------------------------
    Rule(
        "frame-protection-missing",
        "medium",
        _XFO,
        "Neither X-Frame-Options nor a CSP frame-ancestors directive: any site can frame "
        "the page (clickjacking).",
        f"{_MDN}X-Frame-Options",
    ),
    Rule(
        "xfo-invalid",
        "medium",
        _XFO,
        "X-Frame-Options is not exactly one of DENY or SAMEORIGIN (ALLOW-FROM, ALLOWALL or "
        "conflicting values): browsers ignore it.",
        "https://html.spec.whatwg.org/multipage/document-lifecycle.html#the-x-frame-options-header",
    ),
    # -- X-Content-Type-Options ------------------------------------------------------------
    Rule(
        "xcto-missing",
        "low",
        "X-Content-Type-Options",
        "No X-Content-Type-Options: nosniff: browsers may sniff an upload or a JSON "
        "response into HTML or script.",
        "https://fetch.spec.whatwg.org/#x-content-type-options-header",
    ),
    Rule(
        "xcto-invalid",
        "low",
        "X-Content-Type-Options",
        "X-Content-Type-Options is not nosniff, its only value, so browsers ignore it.",
        "https://fetch.spec.whatwg.org/#x-content-type-options-header",
    ),
    # -- legacy and leaky headers ------------------------------------------------------------
    Rule(
        "xxss-enabled",
        "medium",
        "X-XSS-Protection",
        "X-XSS-Protection other than 0: the old XSS auditors it turns on could be abused "
        "to leak data and disable page scripts; send 0 or nothing.",
        f"{_OWASP_HEADERS}#x-xss-protection",
    ),
    Rule(
        "hpkp-present",
        "low",
        "Public-Key-Pins",
        "Public-Key-Pins is obsolete and can lock users out of the site; remove it.",
        f"{_OWASP_HEADERS}#public-key-pins-hpkp",
    ),
    Rule(
        "expect-ct-present",
        "info",
        "Expect-CT",
        "Expect-CT is obsolete (Certificate Transparency is enforced by browsers); remove it.",
        f"{_MDN}Expect-CT",
    ),
    Rule(
        "feature-policy-present",
        "info",
        "Feature-Policy",
        "Feature-Policy was replaced by Permissions-Policy; browsers prefer the new header.",
        f"{_MDN}Permissions-Policy",
    ),
    Rule(
        "server-version",
        "low",
        "Server",
        "The Server header names a version: attackers use it to pick known exploits.",
        "https://www.rfc-editor.org/rfc/rfc9110#section-10.2.4",
    ),
    Rule(
        "powered-by",
        "low",
        "X-Powered-By",
        "X-Powered-By (or X-AspNet-Version) advertises the framework and its version.",
        f"{_OWASP_HEADERS}#x-powered-by",
    ),
    # -- Referrer-Policy -----------------------------------------------------------------------
    Rule(
        "referrer-unsafe-url",
        "medium",
        "Referrer-Policy",
        "Referrer-Policy unsafe-url sends full URLs (paths, query strings, tokens) to every "
        "site, even over plain HTTP.",
        "https://www.w3.org/TR/referrer-policy/#referrer-policy-unsafe-url",
    ),
    Rule(
        "referrer-leaks-url",
        "low",
        "Referrer-Policy",
        "Referrer-Policy no-referrer-when-downgrade sends full URLs to other HTTPS sites.",
        "https://www.w3.org/TR/referrer-policy/#referrer-policy-no-referrer-when-downgrade",
    ),
    # -- cross-origin isolation and Permissions-Policy -----------------------------------------
    Rule(
        "coep-without-coop",
        "low",
        "Cross-Origin-Embedder-Policy",
        "Cross-Origin-Embedder-Policy without Cross-Origin-Opener-Policy: same-origin: the "
        "page pays COEP's restrictions but never becomes cross-origin isolated.",
        "https://developer.mozilla.org/en-US/docs/Web/API/Window/crossOriginIsolated",
    ),
    Rule(
        "permissions-wildcard",
        "low",
        "Permissions-Policy",
        "A powerful feature (camera, microphone, geolocation, ...) is delegated to every "
        "origin with *.",
        f"{_MDN}Permissions-Policy",
    ),
    Rule(
        "permissions-invalid",
        "low",
        "Permissions-Policy",
        "Permissions-Policy is not an RFC 9651 dictionary, so browsers ignore all of it.",
        "https://www.w3.org/TR/permissions-policy/#structured-header-serialization",
    ),
    # -- CORS and cookies --------------------------------------------------------------------
    Rule(
        "cors-null-origin",
        "medium",
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Origin: null lets sandboxed iframes and data: documents, "
        "which any site can create, read the response.",
        f"{_MDN}Access-Control-Allow-Origin",
    ),
    Rule(
        "cookie-no-secure",
        "medium",
        "Set-Cookie",
        "A cookie without Secure is also sent over plain HTTP, where it can be read or set "
        "by a network attacker.",
        "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.5",
    ),
    Rule(
        "cookie-no-httponly",
        "low",
        "Set-Cookie",
        "A cookie without HttpOnly can be read by any script, an injected one included; "
        "add it unless the page's own scripts must read the cookie.",
        "https://www.rfc-editor.org/rfc/rfc6265#section-4.1.2.6",
    ),
    # -- the fields themselves -------------------------------------------------------------
    Rule(
        "duplicate-header",
        "medium",
        "(several)",
        "A single-valued header (X-Frame-Options, HSTS, COOP, ...) is sent several times "
        "with different values: browsers use the first or ignore them all.",
        "https://www.rfc-editor.org/rfc/rfc9110#section-5.3",
    ),
    Rule(
        "header-too-long",
        "low",
        "(any)",
        "A field value longer than 4096 characters: proxies and servers with default "
        "buffer sizes refuse the whole response.",
        "https://www.rfc-editor.org/rfc/rfc9110#section-5.4",
    ),
)

#: Every rule by id, in report order within a severity.
RULES: Final[Mapping[str, Rule]] = {rule.id: rule for rule in _RULES}

# Infra "ASCII whitespace", which CSP3 §2.2.1 splits on.
_ASCII_WHITESPACE: Final = re.compile(r"[\t\n\f\r ]+")
# CSP3 §2.3: directive-name = 1*( ALPHA / DIGIT / "-" )
_DIRECTIVE_NAME: Final = re.compile(r"[a-z0-9-]+")
# CSP3 §2.3.1 base64-value (a nonce's characters).
_BASE64: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
_NONCE_SLOT: Final = "'nonce-{nonce}'"
_MIN_NONCE_CHARS: Final = 22  # 128 bits of base64 (CSP3 §7.1 "Nonce Reuse": at least 128)
_SIX_MONTHS: Final = 15768000
_ONE_YEAR: Final = 31536000
_MAX_VALUE: Final = 4096

# Directives browsers implement (CSP3 §6, Upgrade Insecure Requests, Mixed Content,
# Trusted Types, Fenced Frames, prefetch-src from earlier drafts).
_KNOWN_DIRECTIVES: Final = frozenset(
    {
        "base-uri",
        "block-all-mixed-content",
        "child-src",
        "connect-src",
        "default-src",
        "fenced-frame-src",
        "font-src",
        "form-action",
        "frame-ancestors",
        "frame-src",
        "img-src",
        "manifest-src",
        "media-src",
        "object-src",
        "prefetch-src",
        "report-to",
        "report-uri",
        "require-trusted-types-for",
        "sandbox",
        "script-src",
        "script-src-attr",
        "script-src-elem",
        "style-src",
        "style-src-attr",
        "style-src-elem",
        "trusted-types",
        "upgrade-insecure-requests",
        "webrtc",
        "worker-src",
    }
)
# Values in source lists that are keywords, nonces or hashes written without quotes.
_UNQUOTED: Final = re.compile(
    r"(?:self|none|unsafe-inline|unsafe-eval|strict-dynamic|unsafe-hashes|wasm-unsafe-eval|"
    r"report-sample|nonce-.+|sha(?:256|384|512)-.+)",
    re.IGNORECASE,
)
_WILDCARDS: Final = frozenset({"*", "http:", "https:"})
_POWERFUL_FEATURES: Final = frozenset(
    {
        "bluetooth",
        "camera",
        "clipboard-read",
        "display-capture",
        "geolocation",
        "hid",
        "idle-detection",
        "local-fonts",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "window-management",
        "xr-spatial-tracking",
    }
)
# Headers a response carries once; several fields with different values are ignored or
# reduced to the first (RFC 6797 §8.1, HTML's X-Frame-Options processing, RFC 9651 items).
_SINGLE_VALUED: Final = {
    "strict-transport-security": _HSTS,
    "x-content-type-options": "X-Content-Type-Options",
    "cross-origin-opener-policy": "Cross-Origin-Opener-Policy",
    "cross-origin-embedder-policy": "Cross-Origin-Embedder-Policy",
    "cross-origin-resource-policy": "Cross-Origin-Resource-Policy",
    "x-xss-protection": "X-XSS-Protection",
}
_VERSION: Final = re.compile(r"/\s*v?\d|\d+\.\d+")

Policy = dict[str, list[str]]


class _Report:
    """Collects findings; each rule reports once per header (several cookies excepted)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, rule_id: str, message: str, header: str | None = None) -> None:
        rule = RULES[rule_id]
        # One line, whatever the input held (values are shown with repr()).
        message = " ".join(message.split())
        self.findings.append(
            Finding(rule.id, rule.severity, header or rule.header, message, rule.reference)
        )


def audit_headers(items: Iterable[tuple[str, str]]) -> list[Finding]:
    """Check a list of header fields; findings from the most to the least severe.

    Names are case-insensitive and repeated fields are read the way browsers read them
    (several CSP fields all apply, the first HSTS field counts, ...). Headers that are
    missing are findings too.
    """
    fields: dict[str, list[str]] = {}
    for item in items:
        name, value = item
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(
                f"audit_headers: expected (name, value) pairs of str, got {item!r:.200}"
            )
        fields.setdefault(name.lower(), []).append(value)

    report = _Report()
    policies = [p for v in fields.get("content-security-policy", ()) for p in _parse_csp(v)]
    _check_csp(report, policies, bool(fields.get("content-security-policy-report-only")))
    _check_hsts(report, fields.get("strict-transport-security", []))
    _check_framing(report, fields.get("x-frame-options", []), policies)
    _check_xcto(report, fields.get("x-content-type-options", []))
    _check_legacy(report, fields)
    _check_referrer(report, fields.get("referrer-policy", []))
    _check_isolation(report, fields)
    _check_permissions(report, fields.get("permissions-policy", []))
    _check_cors(report, fields.get("access-control-allow-origin", []))
    _check_cookies(report, fields.get("set-cookie", []))
    _check_fields(report, fields)
    order = {severity: index for index, severity in enumerate(SEVERITIES)}
    return sorted(report.findings, key=lambda f: order[f.severity])


# -- Content-Security-Policy ---------------------------------------------------------------


def _parse_csp(value: str) -> list[Policy]:
    """The policies of one CSP field, parsed like CSP3 §2.2.1 (browsers are lenient)."""
    policies = []
    # CSP3 §3.1: a field value is a comma-separated list of serialized policies.
    for serialized in value.split(","):
        policy: Policy = {}
        for token in serialized.split(";"):
            token = token.strip("\t\n\f\r ")
            if not token or not token.isascii():
                continue  # CSP3 §2.2.1 step 2.2: skipped
            name, *values = _ASCII_WHITESPACE.split(token)
            name = name.lower()
            if name not in policy:  # a repeated directive is ignored (§2.2.1 step 2.5)
                policy[name] = values
        if policy:
            policies.append(policy)
    return policies


def _effective(policy: Policy, *chain: str) -> list[str] | None:
    """The first directive of a fallback chain that the policy sets (CSP3 §6.8.3)."""
    for name in chain:
        if name in policy:
            return policy[name]
    return None


def _lower(sources: list[str]) -> list[str]:
    return [s.lower() for s in sources]


def _nonces_or_hashes(sources: list[str]) -> bool:
    return any(s.startswith(("'nonce-", "'sha256-", "'sha384-", "'sha512-")) for s in sources)


def _all(policies: list[Policy], weak: Callable[[Policy], bool]) -> bool:
    # Several enforced policies all apply (CSP3 §3.1): a weakness is only real when
    # every one of them has it.
    return bool(policies) and all(weak(p) for p in policies)


def _script_lists(policy: Policy) -> list[tuple[str, list[str]]]:
    """(directive, lower-case sources) for script loading, explicit -elem/-attr included."""
    main = _effective(policy, "script-src", "default-src")
    lists = []
    if main is not None:
        lists.append(("script-src" if "script-src" in policy else "default-src", _lower(main)))
    lists.extend(
        (name, _lower(policy[name]))
        for name in ("script-src-elem", "script-src-attr")
        if name in policy
    )
    return lists


def _check_csp(report: _Report, policies: list[Policy], report_only: bool) -> None:
    if not policies:
        if report_only:
            report.add(
                "csp-report-only",
                "only Content-Security-Policy-Report-Only is sent; no policy is enforced",
            )
        else:
            report.add("csp-missing", "no Content-Security-Policy is sent")
        return

    def unrestricted(p: Policy) -> bool:
        return _effective(p, "script-src", "default-src") is None

    if _all(policies, unrestricted):
        report.add(
            "csp-script-unrestricted", "no script-src or default-src: scripts load from anywhere"
        )
    else:
        _check_scripts(report, policies)

    if _all(policies, lambda p: _effective(p, "object-src", "default-src") is None):
        report.add("csp-object-src-missing", "no object-src or default-src")
    elif _all(
        policies,
        lambda p: _lower(_effective(p, "object-src", "default-src") or []) != ["'none'"],
    ):
        report.add("csp-object-src-not-none", "object-src is not 'none'")
    if _all(policies, lambda p: "base-uri" not in p):
        report.add(
            "csp-base-uri-missing",
            "no base-uri (it has no fallback); add base-uri 'none' or 'self'",
        )
    if _all(policies, lambda p: "form-action" not in p):
        report.add(
            "csp-form-action-missing", "no form-action (it has no fallback); add form-action 'self'"
        )

    def inline_styles(p: Policy) -> bool:
        sources = _lower(_effective(p, "style-src", "default-src") or [])
        return "'unsafe-inline'" in sources and not _nonces_or_hashes(sources)

    if _all(policies, inline_styles):
        report.add("csp-style-unsafe-inline", "style-src allows 'unsafe-inline'")

    def any_framer(p: Policy) -> bool:
        return bool(_WILDCARDS & set(_lower(p.get("frame-ancestors", []))))

    if _all(policies, any_framer):
        report.add("csp-frame-ancestors-wildcard", "frame-ancestors allows every site")
    _check_csp_syntax(report, policies)


def _check_scripts(report: _Report, policies: list[Policy]) -> None:
    def weakness(rule: str) -> Callable[[Policy], bool]:
        def weak(p: Policy) -> bool:
            return any(_script_weak(rule, sources) for _, sources in _script_lists(p))

        return weak

    for rule, message in (
        ("csp-unsafe-inline", "allows 'unsafe-inline' without a nonce or hash"),
        ("csp-unsafe-eval", "allows 'unsafe-eval'"),
        ("csp-script-wildcard", "allows scripts from any host"),
        ("csp-script-data", "allows data: scripts"),
        ("csp-script-http", "allows scripts over plain http://"),
        ("csp-strict-dynamic-without-nonce", "has 'strict-dynamic' but no nonce or hash"),
    ):
        if _all(policies, weakness(rule)):
            where = next(
                (n for n, s in _script_lists(policies[0]) if _script_weak(rule, s)), "script-src"
            )
            report.add(rule, f"{where} {message}")


def _script_weak(rule: str, sources: list[str]) -> bool:
    """Whether lower-case ``sources`` of a script directive have ``rule``'s weakness."""
    trusted = _nonces_or_hashes(sources)
    # CSP3 §8.2: with 'strict-dynamic' and a nonce or hash, host and scheme sources and
    # 'unsafe-inline' are ignored (they remain only as a fallback for older browsers).
    strict = "'strict-dynamic'" in sources and trusted
    if rule == "csp-unsafe-inline":
        # CSP3 "Does a source list allow all inline behavior for type?": 'unsafe-inline' is
        # ignored when a nonce or hash is present.
        return "'unsafe-inline'" in sources and not trusted
    if rule == "csp-unsafe-eval":
        return "'unsafe-eval'" in sources
    if rule == "csp-script-wildcard":
        return not strict and any(s in _WILDCARDS or s.startswith("*://") for s in sources)
    if rule == "csp-script-data":
        return not strict and "data:" in sources
    if rule == "csp-script-http":
        return not strict and any(s.startswith("http://") for s in sources)
    # csp-strict-dynamic-without-nonce
    return "'strict-dynamic'" in sources and not trusted


def _check_csp_syntax(report: _Report, policies: list[Policy]) -> None:
    unquoted: list[str] = []
    unknown: list[str] = []
    weak_nonces: list[str] = []
    for policy in policies:
        for name, values in policy.items():
            if name not in _KNOWN_DIRECTIVES and name not in unknown:
                unknown.append(name)
            sources = name.endswith("-src") or name in (
                "base-uri",
                "form-action",
                "frame-ancestors",
            )
            for value in values:
                if sources and _UNQUOTED.fullmatch(value):
                    unquoted.append(f"{name} {value}")
                lower = value.lower()
                if lower.startswith("'nonce-") and lower.endswith("'") and value != _NONCE_SLOT:
                    nonce = value[len("'nonce-") : -1]
                    if len(nonce.rstrip("=")) < _MIN_NONCE_CHARS or not _BASE64.fullmatch(nonce):
                        weak_nonces.append(value)
    if unquoted:
        report.add(
            "csp-unquoted-keyword",
            f"{_shown(unquoted)}: keywords, nonces and hashes need single quotes",
        )
    if unknown:
        report.add("csp-unknown-directive", f"browsers ignore {_shown(unknown)}")
    if weak_nonces:
        report.add(
            "csp-weak-nonce",
            f"{_shown(weak_nonces)} is shorter than {_MIN_NONCE_CHARS} base64 characters",
        )


def _shown(values: list[str]) -> str:
    """A short, one-line, escaped rendering of some values for a message."""
    shown = ", ".join(repr(v[:60]) for v in values[:3])
    return shown + (f" and {len(values) - 3} more" if len(values) > 3 else "")


# -- Strict-Transport-Security ----------------------------------------------------------


def _parse_hsts(value: str) -> dict[str, str | None] | None:
    """RFC 6797 §6.1 directives (lower-case name -> value), or None when UAs ignore it."""
    directives: dict[str, str | None] = {}
    for part in value.split(";"):
        part = part.strip(" \t")
        if not part:
            continue
        name, eq, argument = part.partition("=")
        name = name.strip(" \t").lower()
        if not re.fullmatch(r"[!#$%&'*+\-.^_`|~0-9a-z]+", name) or name in directives:
            return None  # §6.1: a repeated directive makes the header invalid
        text = argument.strip(" \t")
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        directives[name] = text if eq else None
    max_age = directives.get("max-age")
    if max_age is None or not max_age.isascii() or not max_age.isdigit():
        return None
    return directives


def _check_hsts(report: _Report, values: list[str]) -> None:
    if not values:
        report.add("hsts-missing", "no Strict-Transport-Security header")
        return
    # RFC 6797 §8.1: only the first field is processed.
    directives = _parse_hsts(values[0])
    if directives is None:
        report.add(
            "hsts-invalid", f"browsers ignore {values[0][:80]!r}: max-age missing or malformed"
        )
        return
    max_age = int(directives["max-age"] or 0)
    if max_age == 0:
        report.add("hsts-short-max-age", "max-age=0 tells browsers to forget HSTS")
    elif max_age < _SIX_MONTHS:
        report.add("hsts-short-max-age", f"max-age={max_age} is under six months ({_SIX_MONTHS} s)")
    subdomains = "includesubdomains" in directives
    if "preload" in directives and (max_age < _ONE_YEAR or not subdomains):
        missing = []
        if max_age < _ONE_YEAR:
            missing.append(f"max-age of at least {_ONE_YEAR}")
        if not subdomains:
            missing.append("includeSubDomains")
        report.add("hsts-preload-requirements", f"preload needs {' and '.join(missing)}")
    if not subdomains and max_age:
        report.add("hsts-no-include-subdomains", "includeSubDomains is not set")


# -- framing, nosniff ----------------------------------------------------------------------


def _check_framing(report: _Report, xfo: list[str], policies: list[Policy]) -> None:
    # CSP3 §6.4.2 / HTML: with frame-ancestors in an enforced policy, X-Frame-Options is
    # ignored, so frame-ancestors alone decides.
    if any("frame-ancestors" in p for p in policies):
        return
    if not xfo:
        report.add("frame-protection-missing", "no X-Frame-Options and no CSP frame-ancestors")
        return
    # HTML "X-Frame-Options" processing: all fields form one comma-separated list; it
    # protects only if every value is the same, DENY or SAMEORIGIN (ASCII case-insensitive).
    values = {v.strip(" \t").lower() for field in xfo for v in field.split(",")}
    if len(values) != 1 or not values <= {"deny", "sameorigin"}:
        shown = ", ".join(xfo)[:80]
        report.add("xfo-invalid", f"browsers ignore X-Frame-Options {shown!r}")


def _check_xcto(report: _Report, values: list[str]) -> None:
    if not values:
        report.add("xcto-missing", "no X-Content-Type-Options: nosniff")
    # Fetch: the first value of the combined list must be "nosniff" (case-insensitive).
    elif ", ".join(values).split(",")[0].strip(" \t").lower() != "nosniff":
        report.add("xcto-invalid", f"X-Content-Type-Options is {values[0][:40]!r}, not nosniff")


# -- legacy and leaky headers -----------------------------------------------------------------


def _check_legacy(report: _Report, fields: Mapping[str, list[str]]) -> None:
    for value in fields.get("x-xss-protection", [])[:1]:
        if value.strip(" \t") != "0":
            report.add("xxss-enabled", f"X-XSS-Protection is {value[:40]!r}; send 0 or nothing")
    for name in ("public-key-pins", "public-key-pins-report-only"):
        if name in fields:
            report.add("hpkp-present", f"{_title(name)} is sent", _title(name))
    if "expect-ct" in fields:
        report.add("expect-ct-present", "Expect-CT is sent")
    if "feature-policy" in fields:
        report.add("feature-policy-present", "Feature-Policy is sent; use Permissions-Policy")
    for value in fields.get("server", [])[:1]:
        if _VERSION.search(value):
            report.add("server-version", f"Server: {value[:60]!r} names a version")
    for name in ("x-powered-by", "x-aspnet-version", "x-aspnetmvc-version"):
        for value in fields.get(name, [])[:1]:
            report.add("powered-by", f"{_title(name)}: {value[:60]!r}", _title(name))


def _title(name: str) -> str:
    special = {"x-aspnet-version": "X-AspNet-Version", "x-aspnetmvc-version": "X-AspNetMvc-Version"}
    return special.get(name) or "-".join(part.capitalize() for part in name.split("-"))


# -- Referrer-Policy, isolation, Permissions-Policy -----------------------------------------


def _check_referrer(report: _Report, values: list[str]) -> None:
    # Referrer Policy §8.1: the last token that is a policy wins (tokens match exactly).
    known = {
        "no-referrer",
        "no-referrer-when-downgrade",
        "same-origin",
        "origin",
        "strict-origin",
        "origin-when-cross-origin",
        "strict-origin-when-cross-origin",
        "unsafe-url",
    }
    policy = None
    for token in (t.strip(" \t") for v in values for t in v.split(",")):
        if token in known:
            policy = token
    if policy == "unsafe-url":
        report.add("referrer-unsafe-url", "Referrer-Policy is unsafe-url")
    elif policy == "no-referrer-when-downgrade":
        report.add("referrer-leaks-url", "Referrer-Policy is no-referrer-when-downgrade")


def _token(values: list[str]) -> str | None:
    """The token of an RFC 9651 item field (COOP, COEP), parameters dropped."""
    if not values:
        return None
    return values[0].split(";")[0].strip(" \t")


def _check_isolation(report: _Report, fields: Mapping[str, list[str]]) -> None:
    coep = _token(fields.get("cross-origin-embedder-policy", []))
    coop = _token(fields.get("cross-origin-opener-policy", []))
    if coep in ("require-corp", "credentialless") and coop != "same-origin":
        shown = "absent" if coop is None else repr(coop[:40])
        report.add(
            "coep-without-coop",
            f"COEP {coep} with Cross-Origin-Opener-Policy {shown}: not cross-origin isolated",
        )


def _check_permissions(report: _Report, values: list[str]) -> None:
    from secure._structured_field import InnerList, parse_dictionary

    wildcards: list[str] = []
    for value in values:
        try:
            members = parse_dictionary("Permissions-Policy", value) if value else []
        except ValueError:
            report.add("permissions-invalid", f"browsers ignore {value[:80]!r}")
            continue
        for feature, member in members:
            items = member.items if isinstance(member, InnerList) else (member,)
            # Permissions Policy: the token * (alone or in the list) allows every origin.
            if feature in _POWERFUL_FEATURES and any(
                i.kind == "token" and i.text == "*" for i in items
            ):
                wildcards.append(feature)
    if wildcards:
        report.add("permissions-wildcard", f"{', '.join(wildcards)} allowed for every origin")


# -- CORS, cookies, the fields themselves ---------------------------------------------------


def _check_cors(report: _Report, values: list[str]) -> None:
    if any(v.strip(" \t").lower() == "null" for v in values):
        report.add("cors-null-origin", "Access-Control-Allow-Origin is null")


def _check_cookies(report: _Report, values: list[str]) -> None:
    insecure: list[str] = []
    scriptable: list[str] = []
    for value in values:
        pair, *attributes = value.split(";")
        name = pair.partition("=")[0].strip(" \t")
        attrs = {}
        for attribute in attributes:
            key, _, argument = attribute.partition("=")
            attrs[key.strip(" \t").lower()] = argument.strip(" \t")
        # A cookie being deleted (Max-Age of zero or less) carries nothing to protect.
        max_age = attrs.get("max-age", "")
        if re.fullmatch(r"-?[0-9]+", max_age) and int(max_age) <= 0:
            continue
        if "secure" not in attrs:
            insecure.append(name)
        if "httponly" not in attrs:
            scriptable.append(name)
    if insecure:
        report.add("cookie-no-secure", f"{_shown(insecure)} without Secure")
    if scriptable:
        report.add("cookie-no-httponly", f"{_shown(scriptable)} without HttpOnly")


def _check_fields(report: _Report, fields: Mapping[str, list[str]]) -> None:
    for name, header in _SINGLE_VALUED.items():
        values = fields.get(name, [])
        if len({v.strip(" \t") for v in values}) > 1:
            report.add(
                "duplicate-header",
                f"{header} is sent {len(values)} times with different values",
                header,
            )
    xfo = fields.get("x-frame-options", [])
    if len({v.strip(" \t").lower() for v in xfo}) > 1:
        report.add("duplicate-header", f"X-Frame-Options is sent {len(xfo)} times", _XFO)
    for name, values in fields.items():
        longest = max(len(v) for v in values)
        if longest > _MAX_VALUE:
            header = _title(name) if name.isascii() else repr(name[:40])
            report.add(
                "header-too-long",
                f"{header} is {longest} characters long (over {_MAX_VALUE})",
                header[:60],
            )
