"""The policy checker: every rule fires on the headers it describes, and only then."""

from __future__ import annotations

import dataclasses
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure import Preset, Secure
from secure.audit import RULES, SEVERITIES, Finding, audit_headers


def _sibling(name: str) -> ModuleType:
    key = f"secure_core_tests.{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


NONCE = "'nonce-rAnd0m+n0nce/Value12345=='"
HASH = "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "security.md"

# A response a reviewer would pass: no finding at all.
CLEAN = {
    "Content-Security-Policy": (
        f"default-src 'none'; script-src 'self' {NONCE}; "
        "style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains; preload",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Permissions-Policy": "camera=(), geolocation=(self)",
    "Set-Cookie": "sid=1; Secure; HttpOnly; SameSite=Lax",
    "Server": "",
}


def headers(
    changes: dict[str, str | None] | None = None, *extra: tuple[str, str]
) -> list[tuple[str, str]]:
    """CLEAN with some headers replaced (None removes one) and extra fields appended."""
    merged = {**CLEAN, **(changes or {})}
    return [(n, v) for n, v in merged.items() if v is not None] + list(extra)


def rules(items: list[tuple[str, str]]) -> list[str]:
    return [f.rule for f in audit_headers(items)]


CSP = "Content-Security-Policy"
SAFE_TAIL = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

# rule -> headers that must trigger it
TRIGGERS: dict[str, list[tuple[str, str]]] = {
    "csp-missing": headers({CSP: None}),
    "csp-report-only": headers(
        {CSP: None}, ("Content-Security-Policy-Report-Only", "default-src 'self'")
    ),
    "csp-script-unrestricted": headers({CSP: f"img-src 'self'; {SAFE_TAIL}"}),
    "csp-unsafe-inline": headers({CSP: f"script-src 'self' 'unsafe-inline'; {SAFE_TAIL}"}),
    "csp-unsafe-eval": headers({CSP: f"default-src 'self' 'unsafe-eval'; {SAFE_TAIL}"}),
    "csp-script-wildcard": headers({CSP: f"script-src 'self' https:; {SAFE_TAIL}"}),
    "csp-script-data": headers({CSP: f"script-src 'self' data:; {SAFE_TAIL}"}),
    "csp-script-http": headers({CSP: f"script-src http://cdn.example; {SAFE_TAIL}"}),
    "csp-strict-dynamic-without-nonce": headers({CSP: f"script-src 'strict-dynamic'; {SAFE_TAIL}"}),
    "csp-weak-nonce": headers({CSP: f"script-src 'nonce-abc123'; {SAFE_TAIL}"}),
    "csp-report-only-ignored": headers(
        {}, ("Content-Security-Policy-Report-Only", "default-src 'self'; upgrade-insecure-requests")
    ),
    "csp-script-gadget-host": headers(
        {CSP: f"script-src 'self' https://ajax.googleapis.com; {SAFE_TAIL}"}
    ),
    "csp-object-src-missing": headers({CSP: "script-src 'self'; base-uri 'none'"}),
    "csp-object-src-wildcard": headers({CSP: "default-src 'self'; object-src *; base-uri 'none'"}),
    "csp-nonce-without-base-uri": headers(
        {CSP: f"script-src {NONCE} 'strict-dynamic'; object-src 'none'; form-action 'self'"}
    ),
    "csp-object-src-not-none": headers({CSP: "default-src 'self'; base-uri 'none'"}),
    "csp-base-uri-missing": headers({CSP: "default-src 'self'; object-src 'none'"}),
    "csp-form-action-missing": headers({CSP: "default-src 'self'; object-src 'none'"}),
    "csp-style-unsafe-inline": headers(
        {CSP: f"default-src 'self'; style-src 'unsafe-inline'; {SAFE_TAIL}"}
    ),
    "csp-frame-ancestors-wildcard": headers({CSP: "default-src 'self'; frame-ancestors *"}),
    "csp-unquoted-keyword": headers({CSP: f"default-src self; {SAFE_TAIL}"}),
    "csp-unknown-directive": headers({CSP: f"default-src 'self'; script-scr 'self'; {SAFE_TAIL}"}),
    "hsts-missing": headers({"Strict-Transport-Security": None}),
    "hsts-invalid": headers({"Strict-Transport-Security": "includeSubDomains"}),
    "hsts-short-max-age": headers({"Strict-Transport-Security": "max-age=3600; includeSubDomains"}),
    "hsts-preload-requirements": headers(
        {"Strict-Transport-Security": "max-age=31536000; preload"}
    ),
    "hsts-no-include-subdomains": headers({"Strict-Transport-Security": "max-age=31536000"}),
    "frame-protection-missing": headers({CSP: "default-src 'self'", "X-Frame-Options": None}),
    "xfo-invalid": headers(
        {CSP: "default-src 'self'", "X-Frame-Options": "ALLOW-FROM https://a.example"}
    ),
    "xcto-missing": headers({"X-Content-Type-Options": None}),
    "xcto-invalid": headers({"X-Content-Type-Options": "no-sniff"}),
    "xxss-enabled": headers({}, ("X-XSS-Protection", "1; mode=block")),
    "hpkp-present": headers({}, ("Public-Key-Pins", 'pin-sha256="abc="; max-age=10')),
    "expect-ct-present": headers({}, ("Expect-CT", "max-age=0")),
    "feature-policy-present": headers({}, ("Feature-Policy", "camera 'none'")),
    "server-version": headers({"Server": "nginx/1.18.0 (Ubuntu)"}),
    "powered-by": headers({}, ("X-Powered-By", "PHP/8.1.2")),
    "referrer-unsafe-url": headers({"Referrer-Policy": "unsafe-url"}),
    "referrer-leaks-url": headers({"Referrer-Policy": "no-referrer-when-downgrade"}),
    "coep-without-coop": headers({"Cross-Origin-Opener-Policy": None}),
    "permissions-wildcard": headers({"Permissions-Policy": "camera=*, fullscreen=*"}),
    "permissions-invalid": headers({"Permissions-Policy": "camera=(self"}),
    "cors-null-origin": headers({}, ("Access-Control-Allow-Origin", "null")),
    "cookie-no-secure": headers({"Set-Cookie": "sid=1; HttpOnly"}),
    "cookie-no-httponly": headers({"Set-Cookie": "sid=1; Secure"}),
    "duplicate-header": headers({}, ("X-Frame-Options", "SAMEORIGIN")),
    "header-too-long": headers(
        {CSP: CLEAN[CSP] + "; img-src " + " ".join(f"https://h{i}.example" for i in range(300))}
    ),
}


def test_the_clean_response_has_no_findings() -> None:
    assert audit_headers(headers()) == []


def test_every_rule_has_a_trigger() -> None:
    assert set(TRIGGERS) == set(RULES)


@pytest.mark.parametrize("rule", sorted(TRIGGERS))
def test_rule_fires(rule: str) -> None:
    findings = [f for f in audit_headers(TRIGGERS[rule]) if f.rule == rule]
    assert len(findings) == 1
    finding, spec = findings[0], RULES[rule]
    assert (finding.severity, finding.reference) == (spec.severity, spec.reference)
    assert finding.header == spec.header or spec.header.startswith("(")
    assert finding.message and finding.message.isprintable()


@pytest.mark.parametrize("rule", sorted(RULES))
def test_rules_are_documented(rule: str) -> None:
    spec = RULES[rule]
    assert spec.severity in SEVERITIES
    assert spec.reference.startswith("https://")
    assert spec.summary.endswith(".") and "\n" not in spec.summary
    page = DOCS.read_text(encoding="utf-8")
    assert f"`{rule}`" in page and spec.reference in page


# -- what must not fire ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("csp", "absent"),
    [
        # CSP3: 'unsafe-inline' is ignored next to a nonce or a hash.
        (
            f"script-src 'unsafe-inline' {NONCE}; {SAFE_TAIL}",
            "csp-unsafe-inline",
        ),
        (
            f"script-src 'unsafe-inline' {HASH}; {SAFE_TAIL}",
            "csp-unsafe-inline",
        ),
        # CSP3 §8.2: with 'strict-dynamic' and a nonce, the allowlist is the old-browser fallback.
        (
            f"script-src 'strict-dynamic' {NONCE} https: 'unsafe-inline'; {SAFE_TAIL}",
            "csp-script-wildcard",
        ),
        (
            f"script-src 'strict-dynamic' {NONCE} data:; {SAFE_TAIL}",
            "csp-script-data",
        ),
        (
            f"script-src 'strict-dynamic' {NONCE}; {SAFE_TAIL}",
            "csp-strict-dynamic-without-nonce",
        ),
        # The nonce slot of a Secure configuration is not a weak nonce.
        (f"script-src 'nonce-{{nonce}}'; {SAFE_TAIL}", "csp-weak-nonce"),
        # 'self' in a report-to endpoint name is not an unquoted keyword.
        (f"default-src 'none'; report-to self; {SAFE_TAIL}", "csp-unquoted-keyword"),
        # frame-ancestors decides framing; X-Frame-Options is then ignored.
        (f"default-src 'self'; {SAFE_TAIL}", "frame-protection-missing"),
    ],
)
def test_rule_does_not_fire(csp: str, absent: str) -> None:
    assert absent not in rules(headers({CSP: csp, "X-Frame-Options": "bogus"}))


def test_several_policies_all_apply() -> None:
    # CSP3 §3.1: a weakness of one policy is closed by another enforced one.
    weak, strict = (
        f"script-src 'unsafe-inline' https:; {SAFE_TAIL}",
        f"script-src 'self'; {SAFE_TAIL}",
    )
    assert rules(headers({CSP: weak}, (CSP.lower(), strict))) == []
    assert rules(headers({CSP: f"{weak}, {strict}"})) == []
    assert "csp-unsafe-inline" in rules(headers({CSP: weak}, (CSP, weak)))


def test_names_are_case_insensitive() -> None:
    upper = [(n.upper(), v) for n, v in headers()]
    lower = [(n.lower(), v) for n, v in TRIGGERS["xxss-enabled"]]
    assert audit_headers(upper) == []
    assert [f.header for f in audit_headers(lower)] == ["X-XSS-Protection"]


@pytest.mark.parametrize(
    ("changes", "extra"),
    [
        ({"Referrer-Policy": "unsafe-url, strict-origin"}, ()),  # the last known token wins
        ({"Set-Cookie": "sid=; Max-Age=0"}, ()),  # deleting a cookie
        ({}, (("X-XSS-Protection", "0"),)),  # the recommended value
        ({"Server": "example"}, ()),  # a product without a version
        ({"Permissions-Policy": "fullscreen=*"}, ()),  # not a powerful feature
        ({"X-Frame-Options": "deny"}, ()),  # case-insensitive (HTML)
        ({"Strict-Transport-Security": 'max-age="63072000"; includeSubDomains'}, ()),
    ],
)
def test_harmless_variants_are_not_findings(
    changes: dict[str, str | None], extra: tuple[tuple[str, str], ...]
) -> None:
    assert rules(headers(changes, *extra)) == []


def test_hsts_only_the_first_field_counts() -> None:
    # RFC 6797 §8.1: a UA processes only the first Strict-Transport-Security field.
    found = rules(headers({}, ("Strict-Transport-Security", "max-age=0")))
    assert found == ["duplicate-header"]
    assert "hsts-short-max-age" in rules([("Strict-Transport-Security", "max-age=0"), *headers()])


def test_findings_are_sorted_by_severity_and_frozen() -> None:
    findings = audit_headers([("X-XSS-Protection", "1"), ("Server", "nginx/1.2")])
    order = [SEVERITIES.index(f.severity) for f in findings]
    assert order == sorted(order) and findings[0].rule == "csp-missing"
    with pytest.raises(dataclasses.FrozenInstanceError):
        findings[0].severity = "info"  # type: ignore[misc]


def test_messages_escape_what_they_quote() -> None:
    (finding,) = [
        f for f in audit_headers([("X-XSS-Protection", "1\r\nX: y")]) if f.rule == "xxss-enabled"
    ]
    assert "\r" not in finding.message and "\\r\\n" in finding.message


def test_non_str_fields_are_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^audit_headers: "):
        audit_headers([("Server", b"x")])  # type: ignore[list-item]


# -- Secure.audit() and the presets ------------------------------------------------------------

# Documented in docs/security.md ("The presets"): the only findings, all low.
PRESET_FINDINGS = {
    Preset.BALANCED: ["csp-style-unsafe-inline"],
    Preset.BASIC: ["csp-style-unsafe-inline"],
    Preset.STRICT: ["csp-form-action-missing"],
}


@pytest.mark.parametrize("preset", list(Preset))
def test_presets_have_no_high_or_medium_findings(preset: Preset) -> None:
    findings = Secure.from_preset(preset).audit()
    assert [f.rule for f in findings] == PRESET_FINDINGS[preset]
    assert {f.severity for f in findings} <= {"low", "info"}


def test_secure_audit_reads_the_configured_headers() -> None:
    configured = Secure.from_config({"nonce": True, "xfo": False, "hsts": "max-age=600"})
    found = [f.rule for f in configured.audit()]
    # The nonce slot ('nonce-{nonce}') counts as a strong nonce in script-src; style-src
    # keeps the preset's 'unsafe-inline', a low finding.
    assert found == ["hsts-short-max-age", "csp-style-unsafe-inline", "hsts-no-include-subdomains"]
    assert configured.audit() == audit_headers(configured.header_items())


def test_import_secure_does_not_import_the_checker() -> None:
    code = (
        "import sys, secure; secure.Secure.with_default_headers(); "
        "print('secure.audit' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# -- robustness --------------------------------------------------------------------------------

oracles = _sibling("fuzz_oracles")
strategies = _sibling("fuzz_strategies")


@given(
    fields=st.lists(
        st.tuples(
            st.one_of(st.sampled_from(oracles.AUDITED_NAMES), st.text(max_size=10)).map(
                lambda n: n.swapcase() if len(n) % 2 else n
            ),
            strategies.hostile_text(),
        ),
        max_size=8,
    )
)
@strategies.FUZZ
def test_any_header_list_gives_well_formed_findings(fields: list[tuple[str, str]]) -> None:
    findings = oracles.check_findings(audit_headers(fields))
    assert all(isinstance(f, Finding) and f.rule in RULES for f in findings)
    order = [SEVERITIES.index(f.severity) for f in findings]
    assert order == sorted(order)


# -- what a careful reviewer expects of a policy ------------------------------------------------

CSPRO = "Content-Security-Policy-Report-Only"
NO_BASE = "object-src 'none'; form-action 'self'; frame-ancestors 'none'"


def enforced(policy: str) -> list[tuple[str, str]]:
    return headers({CSP: policy})


def report_only(policy: str) -> list[tuple[str, str]]:
    return headers({}, (CSPRO, policy))


# (fields, the worst CSP severity, the rule that gives it); None is a clean policy.
SEVERITY_TABLE: list[tuple[str, list[tuple[str, str]], str | None, str | None]] = [
    ("self only", enforced(f"default-src 'self'; {SAFE_TAIL}"), None, None),
    (
        "nonce strict-dynamic",
        enforced(f"script-src {NONCE} 'strict-dynamic'; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "strict CSP with old-browser fallbacks",
        enforced(f"script-src {NONCE} 'strict-dynamic' https: 'unsafe-inline'; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "unsafe-inline beside a nonce",
        enforced(f"script-src 'unsafe-inline' {NONCE}; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "a named CDN",
        enforced(f"script-src 'self' https://cdn.example.com; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "a subdomain wildcard",
        enforced(f"script-src 'self' https://*.example.com; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "reCAPTCHA by path",
        enforced(
            "script-src 'self' https://www.google.com/recaptcha/ "
            f"https://www.gstatic.com/recaptcha/; {SAFE_TAIL}"
        ),
        None,
        None,
    ),
    (
        "JSONP host behind strict-dynamic",
        enforced(f"script-src {NONCE} 'strict-dynamic' https://ajax.googleapis.com; {SAFE_TAIL}"),
        None,
        None,
    ),
    (
        "unsafe-inline",
        enforced(f"script-src 'self' 'unsafe-inline'; {SAFE_TAIL}"),
        "high",
        "csp-unsafe-inline",
    ),
    ("*", enforced(f"script-src *; {SAFE_TAIL}"), "high", "csp-script-wildcard"),
    ("https:", enforced(f"script-src 'self' https:; {SAFE_TAIL}"), "high", "csp-script-wildcard"),
    (
        "https://*",
        enforced(f"script-src 'self' https://*; {SAFE_TAIL}"),
        "high",
        "csp-script-wildcard",
    ),
    (
        "http://*",
        enforced(f"script-src 'self' http://*; {SAFE_TAIL}"),
        "high",
        "csp-script-wildcard",
    ),
    ("*:*", enforced(f"script-src 'self' *:*; {SAFE_TAIL}"), "high", "csp-script-wildcard"),
    ("*:443", enforced(f"script-src 'self' *:443; {SAFE_TAIL}"), "high", "csp-script-wildcard"),
    (
        "default-src *",
        enforced("default-src *; base-uri 'none'; form-action 'self'"),
        "high",
        "csp-script-wildcard",
    ),
    ("data: scripts", enforced(f"script-src 'self' data:; {SAFE_TAIL}"), "high", "csp-script-data"),
    (
        "ajax.googleapis.com",
        enforced(f"script-src 'self' https://ajax.googleapis.com; {SAFE_TAIL}"),
        "high",
        "csp-script-gadget-host",
    ),
    (
        "cdnjs",
        enforced(f"script-src 'self' cdnjs.cloudflare.com; {SAFE_TAIL}"),
        "high",
        "csp-script-gadget-host",
    ),
    (
        "www.google.com",
        enforced(f"script-src 'self' https://www.google.com; {SAFE_TAIL}"),
        "high",
        "csp-script-gadget-host",
    ),
    (
        "*.googleapis.com",
        enforced(f"script-src 'self' https://*.googleapis.com; {SAFE_TAIL}"),
        "high",
        "csp-script-gadget-host",
    ),
    (
        "jsDelivr npm",
        enforced(f"script-src 'self' https://cdn.jsdelivr.net/npm/; {SAFE_TAIL}"),
        "high",
        "csp-script-gadget-host",
    ),
    (
        "nonce and strict-dynamic without base-uri",
        enforced(f"script-src {NONCE} 'strict-dynamic'; {NO_BASE}"),
        "high",
        "csp-nonce-without-base-uri",
    ),
    (
        "nonce without base-uri",
        enforced(f"script-src 'self' {NONCE}; {NO_BASE}"),
        "high",
        "csp-nonce-without-base-uri",
    ),
    (
        "hash and strict-dynamic without base-uri",
        enforced(f"script-src {HASH} 'strict-dynamic'; {NO_BASE}"),
        "high",
        "csp-nonce-without-base-uri",
    ),
    (
        "nonce with base-uri *",
        enforced(f"script-src {NONCE} 'strict-dynamic'; base-uri *; {NO_BASE}"),
        "high",
        "csp-nonce-without-base-uri",
    ),
    (
        "no base-uri, no nonce",
        enforced(f"default-src 'self'; {NO_BASE}"),
        "medium",
        "csp-base-uri-missing",
    ),
    (
        "hash without base-uri",
        enforced(f"script-src 'self' {HASH}; {NO_BASE}"),
        "medium",
        "csp-base-uri-missing",
    ),
    (
        "object-src *",
        enforced("default-src 'self'; object-src *; base-uri 'none'; form-action 'self'"),
        "high",
        "csp-object-src-wildcard",
    ),
    (
        "object-src data:",
        enforced("script-src 'self'; object-src data:; base-uri 'none'; form-action 'self'"),
        "high",
        "csp-object-src-wildcard",
    ),
    (
        "no object-src",
        enforced("script-src 'self'; base-uri 'none'; form-action 'self'"),
        "high",
        "csp-object-src-missing",
    ),
    (
        "object-src 'self'",
        enforced("script-src 'self'; object-src 'self'; base-uri 'none'; form-action 'self'"),
        "low",
        "csp-object-src-not-none",
    ),
    ("no script-src", enforced(f"img-src 'self'; {SAFE_TAIL}"), "high", "csp-script-unrestricted"),
    (
        "unsafe-eval",
        enforced(f"script-src 'self' 'unsafe-eval'; {SAFE_TAIL}"),
        "medium",
        "csp-unsafe-eval",
    ),
    (
        "strict-dynamic alone",
        enforced(f"script-src 'strict-dynamic'; {SAFE_TAIL}"),
        "medium",
        "csp-strict-dynamic-without-nonce",
    ),
    ("short nonce", enforced(f"script-src 'nonce-abc'; {SAFE_TAIL}"), "medium", "csp-weak-nonce"),
    ("unquoted self", enforced(f"default-src self; {SAFE_TAIL}"), "medium", "csp-unquoted-keyword"),
    (
        "frame-ancestors *",
        enforced(
            "default-src 'self'; frame-ancestors *; object-src 'none'; base-uri 'none'; "
            "form-action 'self'"
        ),
        "medium",
        "csp-frame-ancestors-wildcard",
    ),
    (
        "plain http CDN",
        enforced(f"script-src 'self' http://cdn.example.com; {SAFE_TAIL}"),
        "low",
        "csp-script-http",
    ),
    (
        "inline styles",
        enforced(f"default-src 'self'; style-src 'self' 'unsafe-inline'; {SAFE_TAIL}"),
        "low",
        "csp-style-unsafe-inline",
    ),
    (
        "upgrade-insecure-requests in report-only",
        report_only("default-src 'self'; upgrade-insecure-requests"),
        "low",
        "csp-report-only-ignored",
    ),
    (
        "sandbox in report-only",
        report_only("default-src 'self'; sandbox allow-scripts"),
        "low",
        "csp-report-only-ignored",
    ),
    (
        "report-only alone",
        headers({CSP: None}, (CSPRO, f"default-src 'self'; {SAFE_TAIL}")),
        "medium",
        "csp-report-only",
    ),
    ("no policy", headers({CSP: None}), "high", "csp-missing"),
]


@pytest.mark.parametrize(
    ("fields", "severity", "rule"),
    [row[1:] for row in SEVERITY_TABLE],
    ids=[row[0] for row in SEVERITY_TABLE],
)
def test_policy_severity_table(
    fields: list[tuple[str, str]], severity: str | None, rule: str | None
) -> None:
    findings = [f for f in audit_headers(fields) if f.rule.startswith("csp-")]
    if severity is None:
        assert findings == []
        return
    assert findings[0].severity == severity  # findings come most severe first
    assert rule in [f.rule for f in findings if f.severity == severity]


def test_the_table_has_at_least_25_policies() -> None:
    assert len(SEVERITY_TABLE) >= 25
    assert {row[2] for row in SEVERITY_TABLE} >= {None, "high", "medium", "low"}


def test_report_only_ignored_names_the_directives() -> None:
    fields = report_only("default-src 'self'; sandbox; upgrade-insecure-requests")
    (finding,) = [f for f in audit_headers(fields) if f.rule == "csp-report-only-ignored"]
    assert finding.header == CSPRO
    assert "sandbox and upgrade-insecure-requests" in finding.message


def test_a_nonce_policy_without_base_uri_is_reported_once() -> None:
    found = rules(enforced(f"script-src {NONCE}; {NO_BASE}"))
    assert "csp-nonce-without-base-uri" in found and "csp-base-uri-missing" not in found


# -- vocabularies come from the builders --------------------------------------------------------


def test_the_checker_knows_the_directives_the_builder_knows() -> None:
    from secure.headers._csp_grammar import DIRECTIVES

    for directive in DIRECTIVES:
        assert "csp-unknown-directive" not in rules(
            enforced(f"{directive} 'self'; default-src 'self'; {SAFE_TAIL}")
        ), directive


def test_powerful_features_are_permissions_policy_features() -> None:
    from secure.audit._browser import POWERFUL_FEATURES
    from secure.headers import PermissionsPolicy

    for feature in POWERFUL_FEATURES:
        assert callable(getattr(PermissionsPolicy, feature.replace("-", "_"))), feature


# -- huge values --------------------------------------------------------------------------------

# About 200 KB each, shaped so that a backtracking pattern would retry at every position.
# The checker parses with string operations and linear patterns: each case takes
# milliseconds. (Its old Server-version pattern, \d+\.\d+, needed minutes on the digits.)
_SIZE = 200_000
HUGE = {
    "spaces": "a" + " " * _SIZE + "b",
    "digits": "1" * _SIZE,
    "digits-and-dots": "1." * (_SIZE // 2),
    "slashes-and-spaces": "/ " * (_SIZE // 2) + "x",
    "semicolons": "a" + " ;" * (_SIZE // 2),
    "commas": "a" + " , " * (_SIZE // 3) + "b",
    "hosts": "script-src " + "a." * (_SIZE // 2) + "!",
    "max-age": "max-age=" + "9" * _SIZE,
    "cookie": "sid=1; Max-Age=" + "0" * _SIZE,
}


@pytest.mark.parametrize("shape", list(HUGE))
@pytest.mark.parametrize("name", oracles.AUDITED_NAMES)
def test_huge_values_are_checked_in_linear_time(name: str, shape: str) -> None:
    findings = oracles.check_findings(audit_headers([(name, HUGE[shape])]))
    assert "header-too-long" in [f.rule for f in findings]


def test_a_max_age_past_int_parsing_limits_is_read() -> None:
    # int() refuses more than 4300 digits; the checker must not raise on them.
    assert "hsts-short-max-age" not in rules(
        headers({"Strict-Transport-Security": "max-age=" + "9" * 5000 + "; includeSubDomains"})
    )
    assert rules(headers({"Set-Cookie": "sid=; Max-Age=" + "0" * 5000})) == ["header-too-long"]


@pytest.mark.parametrize(
    ("coop", "isolated"),
    [
        ("same-origin", True),
        ('same-origin; report-to="coop"', True),
        ("  same-origin  ", True),
        ("same-origin-allow-popups", False),
        # RFC 9651 Items: a value that does not parse is no header at all (HTML)
        ("same-origin x", False),
        ('"same-origin"', False),
        ("same-origin;", False),
    ],
)
def test_coop_is_read_as_a_structured_field_item(coop: str, isolated: bool) -> None:
    found = rules(headers({"Cross-Origin-Opener-Policy": coop}))
    assert ("coep-without-coop" not in found) is isolated


def test_an_unknown_directive_gets_a_suggestion() -> None:
    (finding,) = [
        f
        for f in audit_headers(enforced(f"default-src 'self'; script-scr 'self'; {SAFE_TAIL}"))
        if f.rule == "csp-unknown-directive"
    ]
    assert finding.message == "browsers ignore 'script-scr'; did you mean 'script-src'?"


def test_preload_names_each_missing_requirement() -> None:
    hsts = {"Strict-Transport-Security": "max-age=600; preload"}
    (finding,) = [f for f in audit_headers(headers(hsts)) if f.rule == "hsts-preload-requirements"]
    assert finding.message == "preload needs max-age of at least 31536000 and includeSubDomains"


def test_a_rule_id_is_defined_once() -> None:
    from secure.audit._core import rule

    with pytest.raises(RuntimeError, match="'csp-missing' is defined twice"):
        rule("csp-missing", "high", CSP, "Again.", "https://example.com/")
