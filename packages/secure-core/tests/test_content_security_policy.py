from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure._validation import is_field_value
from secure.headers.content_security_policy import ContentSecurityPolicy
from secure.nonce import NONCE, csp_hash, generate_nonce

CSP = "Content-Security-Policy"
SHA256 = csp_hash("alert(1)")
SHA384 = csp_hash("alert(1)", "sha384")
SHA512 = csp_hash("alert(1)", "sha512")

BALANCED = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; "
    "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)
STRICT = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def balanced() -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .base_uri("'self'")
        .font_src("'self'", "https:", "data:")
        .form_action("'self'")
        .frame_ancestors("'self'")
        .img_src("'self'", "data:")
        .object_src("'none'")
        .script_src("'self'")
        .script_src_attr("'none'")
        .style_src("'self'", "https:", "'unsafe-inline'")
        .upgrade_insecure_requests()
    )


def strict() -> ContentSecurityPolicy:
    return (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .object_src("'none'")
        .base_uri("'none'")
        .frame_ancestors("'none'")
    )


def call(method: str, *args: Any) -> ContentSecurityPolicy:
    return getattr(ContentSecurityPolicy(), method)(*args)  # type: ignore[no-any-return]


# -- documented examples and the presets------------------------------------------------------------


def test_seed_readme_example() -> None:
    csp = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "cdn.typeerror.com")
        .style_src("'unsafe-inline'")
        .img_src("'self'", "images.typeerror.com")
        .connect_src("'self'", "api.typeerror.com")
    )
    assert csp.header_name == "Content-Security-Policy"
    assert csp.header_value == (
        "default-src 'self'; script-src 'self' cdn.typeerror.com; style-src 'unsafe-inline'; "
        "img-src 'self' images.typeerror.com; connect-src 'self' api.typeerror.com"
    )


@pytest.mark.parametrize(("build", "expected"), [(balanced, BALANCED), (strict, STRICT)])
def test_preset_policies_render_byte_for_byte(build: Any, expected: str) -> None:
    assert build().header_value == expected
    assert ContentSecurityPolicy().set(expected) == ContentSecurityPolicy().set(expected)
    assert ContentSecurityPolicy().set(expected).directives == build().directives


# -- every method renders exactly -----------------------------------------------------------

FETCH_DIRECTIVES = [
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
]
SOURCE_LIST_DIRECTIVES = [*FETCH_DIRECTIVES, "base-uri", "form-action"]


@pytest.mark.parametrize("directive", SOURCE_LIST_DIRECTIVES)
@pytest.mark.parametrize(
    ("sources", "rendered"),
    [
        (("'self'",), "'self'"),
        (("'none'",), "'none'"),
        (("'self'", "https://cdn.example.com", "data:"), "'self' https://cdn.example.com data:"),
        (("*.example.com", "wss:"), "*.example.com wss:"),
    ],
)
def test_source_list_methods(directive: str, sources: tuple[str, ...], rendered: str) -> None:
    csp = call(directive.replace("-", "_"), *sources)
    assert csp.header_value == f"{directive} {rendered}"
    assert csp.directives == {directive: sources}


@pytest.mark.parametrize(
    ("method", "args", "expected"),
    [
        ("frame_ancestors", ("'self'",), "frame-ancestors 'self'"),
        ("frame_ancestors", ("'none'",), "frame-ancestors 'none'"),
        (
            "frame_ancestors",
            ("'self'", "https://partner.example", "https:"),
            "frame-ancestors 'self' https://partner.example https:",
        ),
        ("sandbox", (), "sandbox"),
        ("sandbox", ("allow-scripts",), "sandbox allow-scripts"),
        ("sandbox", ("allow-forms", "allow-popups"), "sandbox allow-forms allow-popups"),
        ("report_uri", ("/csp-reports",), "report-uri /csp-reports"),
        (
            "report_uri",
            ("https://r.example/csp?x=1", "/b"),
            "report-uri https://r.example/csp?x=1 /b",
        ),
        ("report_to", ("csp-endpoint",), "report-to csp-endpoint"),
        ("upgrade_insecure_requests", (), "upgrade-insecure-requests"),
        ("upgrade_insecure_requests", (True,), "upgrade-insecure-requests"),
        ("block_all_mixed_content", (), "block-all-mixed-content"),
        ("require_trusted_types_for", (), "require-trusted-types-for 'script'"),
        ("require_trusted_types_for", ("'script'",), "require-trusted-types-for 'script'"),
        ("trusted_types", (), "trusted-types"),
        ("trusted_types", ("'none'",), "trusted-types 'none'"),
        ("trusted_types", ("*",), "trusted-types *"),
        (
            "trusted_types",
            ("default", "dompurify", "'allow-duplicates'"),
            "trusted-types default dompurify 'allow-duplicates'",
        ),
        (
            "trusted_types",
            ("my-policy#1", "a/b@c.d%e=f_g"),
            "trusted-types my-policy#1 a/b@c.d%e=f_g",
        ),
        ("webrtc", ("'allow'",), "webrtc 'allow'"),
        ("webrtc", ("'block'",), "webrtc 'block'"),
        ("custom_directive", ("navigate-to", "'self'"), "navigate-to 'self'"),
        ("custom_directive", ("navigate_to", "'self'"), "navigate-to 'self'"),
        ("custom_directive", ("x-experimental",), "x-experimental"),
        ("custom_directive", ("x-experimental", "a", "b{c}"), "x-experimental a b{c}"),
        ("custom_directive", ("script-src", "'self'"), "script-src 'self'"),
        ("custom_directive", ("upgrade-insecure-requests",), "upgrade-insecure-requests"),
        ("add_sources", ("script-src", "'self'"), "script-src 'self'"),
        ("add_sources", ("script_src", "'self'", "'self'"), "script-src 'self'"),
        ("add_sources", ("upgrade-insecure-requests",), "upgrade-insecure-requests"),
    ],
)
def test_other_methods(method: str, args: tuple[Any, ...], expected: str) -> None:
    assert call(method, *args).header_value == expected


@pytest.mark.parametrize(
    "token",
    [
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
    ],
)
def test_every_sandbox_token(token: str) -> None:
    assert ContentSecurityPolicy().sandbox(token).header_value == f"sandbox {token}"


def test_every_directive_has_a_method() -> None:
    others = [
        "base-uri",
        "sandbox",
        "form-action",
        "frame-ancestors",
        "report-uri",
        "report-to",
        "upgrade-insecure-requests",
        "block-all-mixed-content",
        "require-trusted-types-for",
        "trusted-types",
        "webrtc",
    ]
    for directive in [*FETCH_DIRECTIVES, *others]:
        assert callable(getattr(ContentSecurityPolicy, directive.replace("-", "_")))


# -- valid and invalid sources -------------------------------------------------------------

VALID_SOURCES = [
    "'self'",
    "'SELF'",
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
    "'nonce-abc123'",
    "'nonce-R4nd0m+/_-=='",
    NONCE,
    SHA256,
    SHA384,
    SHA512,
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF-pI'",  # base64url, no padding
    "*",
    "https:",
    "http:",
    "data:",
    "blob:",
    "wss:",
    "ws:",
    "mediastream:",
    "filesystem:",
    "chrome-extension:",
    "example.com",
    "cdn.typeerror.com",
    "*.example.com",
    "example.com.",
    "localhost",
    "127.0.0.1",
    "https://example.com",
    "https://*.example.com",
    "https://example.com:443",
    "https://example.com:*",
    "http://localhost:8000",
    "example.com:8080",
    "https://example.com/",
    "https://example.com/js/",
    "https://example.com/js/app.js",
    "https://example.com/a%20b/c~d",
    "https://*",
    "xn--bcher-kva.example",
]


@pytest.mark.parametrize("source", VALID_SOURCES)
def test_valid_sources_are_accepted(source: str) -> None:
    csp = ContentSecurityPolicy().script_src(source)
    assert csp.header_value == f"script-src {source}"


INVALID_SOURCES = [
    ("'self'; script-src *", "directive injection"),
    ("'self';", "directive injection"),
    ("https://a.example,https://b.example", "second policy"),
    ("https://a.example/?q=a,b", "second policy"),
    ("'self' https:", "whitespace"),
    ("a\tb", "whitespace"),
    ("self", "\"'self'\""),
    ("none", "\"'none'\""),
    ("unsafe-inline", "\"'unsafe-inline'\""),
    ("strict-dynamic", "\"'strict-dynamic'\""),
    ("nonce-abc", "single-quoted"),
    ("sha256-abc", "single-quoted"),
    ("'self", "unbalanced quotes"),
    ("self'", "unbalanced quotes"),
    ("'", "unbalanced quotes"),
    ("'se'lf'", "unbalanced quotes"),
    ("'sel'", "did you mean \"'self'\""),
    ("'unsafe-inlined'", "did you mean \"'unsafe-inline'\""),
    ("'script'", "unknown keyword"),
    ("'nonce-'", "nonce source"),
    ("'nonce-a b'", "whitespace"),
    ("'nonce-ab=c'", "nonce source"),
    ("'nonce-abc==='", "nonce source"),
    ("'nonce-ab!c'", "nonce source"),
    ("'sha256-short'", "43 base64 characters"),
    ("'sha384-" + SHA256[8:], "64 base64 characters"),
    ("'sha512-" + SHA256[8:], "86 base64 characters"),
    ("'sha1-abcd'", "unknown keyword"),
    ("'nonce-{nonce}x'", "nonce slot"),
    ("{nonce}", "nonce slot"),
    ("https", "'https:'"),
    ("wss", "'wss:'"),
    ("data", "'data:'"),
    ("https://", "not a CSP source"),
    ("https://exa mple.com", "whitespace"),
    ("https://example.com?x=1", "not a CSP source"),
    ("https://example.com#top", "not a CSP source"),
    ("https://user@example.com", "not a CSP source"),
    ("https://ex_ample.com", "not a CSP source"),
    ("https://example.com:99999", "port 99999"),
    ("https://example.com:", "not a CSP source"),
    ("example.*.com", "not a CSP source"),
    ("**.example.com", "not a CSP source"),
    ("https://[::1]", "not a CSP source"),
    ("1http:", "not a CSP source"),
    ("https://example.com/%zz", "not a CSP source"),
    ('"https://example.com"', "not a CSP source"),
    ("<script>", "not a CSP source"),
]


@pytest.mark.parametrize(("source", "fragment"), INVALID_SOURCES)
def test_invalid_sources_are_refused(source: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy") as info:
        ContentSecurityPolicy().script_src("'self'", source)
    message = str(info.value)
    assert repr(source) in message
    assert fragment in message
    assert "script-src" in message


@pytest.mark.parametrize(
    "bad",
    [
        "a\r\nSet-Cookie: evil=1",
        "a\nb",
        "a\rb",
        "a\x00b",
        "a\x7fb",
        "a\x85b",
        "\x1b[31m",
        "h\u00e9llo.example",
        "\u2028",
        " 'self'",
        "'self' ",
    ],
)
def test_control_and_non_ascii_characters_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy script-src: ") as info:
        ContentSecurityPolicy().script_src(bad)
    assert repr(bad) in str(info.value)


@pytest.mark.parametrize(
    "source", ["'unsafe-inline'", "'strict-dynamic'", NONCE, SHA256, "'nonce-a'"]
)
def test_frame_ancestors_refuses_keywords_nonces_and_hashes(source: str) -> None:
    with pytest.raises(ValueError, match="frame-ancestors") as info:
        ContentSecurityPolicy().frame_ancestors(source)
    assert "CSP3 §6.4.2" in str(info.value)


@pytest.mark.parametrize("directive", [*SOURCE_LIST_DIRECTIVES, "frame-ancestors"])
def test_source_list_without_sources_suggests_none(directive: str) -> None:
    with pytest.raises(ValueError, match=f"{directive} needs at least one source") as info:
        call(directive.replace("-", "_"))
    assert "\"'none'\"" in str(info.value)


@pytest.mark.parametrize(
    "sources",
    [("'none'", "'self'"), ("'self'", "'none'"), ("https:", "'NONE'"), ("'none'", "'none'")],
)
def test_none_cannot_be_combined(sources: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match="cannot be combined"):
        ContentSecurityPolicy().img_src(*sources)


# -- other directives' errors --------------------------------------------------------------

ERRORS = [
    ("sandbox", ("allow-scrpts",), "did you mean 'allow-scripts'?"),
    ("sandbox", ("allow-everything",), "invalid sandbox token"),
    ("sandbox", ("allow-scripts allow-forms",), "whitespace"),
    ("report_uri", (), "needs at least one URI"),
    ("report_uri", ("https://r.example/a;b",), "directive injection"),
    ("report_uri", ("https://r.example/<x>",), "invalid report-uri URI"),
    ("report_uri", ("https://r.example/%zz",), "invalid report-uri URI"),
    ("report_to", ("",), "empty value"),
    ("report_to", ("csp endpoint",), "whitespace"),
    ("report_to", ("csp/endpoint",), "exactly one endpoint name"),
    ("report_to", ("a;b",), "directive injection"),
    ("require_trusted_types_for", ("script",), "the only sink group"),
    ("require_trusted_types_for", ("'style'",), "the only sink group"),
    ("trusted_types", ("none",), "keywords are quoted"),
    ("trusted_types", ("allow-duplicates",), "keywords are quoted"),
    ("trusted_types", ("'none'", "foo"), "cannot be combined"),
    ("trusted_types", ("bad!name",), "invalid trusted-types policy name"),
    ("trusted_types", ("'bogus'",), "invalid trusted-types policy name"),
    ("webrtc", ("allow",), "exactly one of"),
    ("webrtc", ("'maybe'",), "exactly one of"),
    ("custom_directive", ("Script-Src", "'self'"), "write 'script-src'"),
    ("custom_directive", ("bad name",), "invalid directive name"),
    ("custom_directive", ("x;y",), "invalid directive name"),
    ("custom_directive", ("",), "invalid directive name"),
    ("custom_directive", ("x-y", "a;b"), "directive injection"),
    ("custom_directive", ("x-y", "a,b"), "second policy"),
    ("custom_directive", ("x-y", "a\nb"), "control character"),
    ("custom_directive", ("script-src", "self"), "\"'self'\""),
    ("custom_directive", ("upgrade-insecure-requests", "yes"), "takes no value"),
    ("add_sources", ("script-scr", "'self'"), "did you mean 'script-src'?"),
    ("add_sources", ("script-src",), "needs at least one source"),
    ("add_sources", ("report-to", "a", "b"), "exactly one endpoint name"),
    ("remove", ("styel-src",), "did you mean 'style-src'?"),
]


@pytest.mark.parametrize(("method", "args", "fragment"), ERRORS)
def test_errors_name_the_header_and_the_fix(
    method: str, args: tuple[Any, ...], fragment: str
) -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy") as info:
        call(method, *args)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    ("method", "args"),
    [
        ("script_src", (1,)),
        ("script_src", ("'self'", None)),
        ("img_src", (b"data:",)),
        ("sandbox", (["allow-forms"],)),
        ("report_uri", (3.5,)),
        ("report_to", (None,)),
        ("trusted_types", (1,)),
        ("webrtc", (True,)),
        ("custom_directive", (1,)),
        ("custom_directive", ("x-y", 1)),
        ("add_sources", (None, "'self'")),
        ("add_sources", ("script-src", 1)),
        ("remove", (1,)),
        ("upgrade_insecure_requests", ("yes",)),
        ("block_all_mixed_content", (1,)),
        ("report_only", ("yes",)),
    ],
)
def test_non_str_arguments_are_type_errors(method: str, args: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError, match=r"^Content-Security-Policy"):
        call(method, *args)


def test_errors_name_the_report_only_header_in_report_only_mode() -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy-Report-Only: "):
        ContentSecurityPolicy().report_only().script_src("self")


# -- editing -------------------------------------------------------------------------------


def test_methods_replace_and_keep_first_insertion_order() -> None:
    csp = ContentSecurityPolicy().default_src("'self'").script_src("'self'").img_src("data:")
    csp.default_src("'none'")
    assert csp.header_value == "default-src 'none'; script-src 'self'; img-src data:"


def test_add_sources_appends_skips_duplicates_and_creates() -> None:
    csp = ContentSecurityPolicy().script_src("'self'")
    csp.add_sources("script-src", "https://cdn.example", "'self'", NONCE, NONCE)
    csp.add_sources("style_src", "'self'")
    assert csp.directives == {
        "script-src": ("'self'", "https://cdn.example", NONCE),
        "style-src": ("'self'",),
    }
    assert (
        csp.header_value
        == "script-src 'self' https://cdn.example 'nonce-{nonce}'; style-src 'self'"
    )


def test_add_sources_to_none_is_refused() -> None:
    csp = balanced()
    with pytest.raises(ValueError, match="cannot be combined") as info:
        csp.add_sources("object-src", "https:")
    assert "object-src" in str(info.value)
    assert csp.header_value == BALANCED  # unchanged by the refused call


def test_add_sources_to_custom_directive() -> None:
    csp = ContentSecurityPolicy().custom_directive("x-list", "a").add_sources("x-list", "b")
    assert csp.header_value == "x-list a b"


def test_remove() -> None:
    csp = balanced().remove("upgrade-insecure-requests").remove("script_src_attr")
    csp.remove("worker-src")  # known but not set: nothing happens
    assert "upgrade-insecure-requests" not in csp.header_value
    assert "script-src-attr" not in csp.header_value
    custom = ContentSecurityPolicy().default_src("'self'").custom_directive("x-a", "b")
    assert custom.remove("x-a").header_value == "default-src 'self'"


def test_flags_can_be_switched_off() -> None:
    csp = ContentSecurityPolicy().default_src("'self'").upgrade_insecure_requests()
    csp.block_all_mixed_content().block_all_mixed_content(False)
    assert csp.upgrade_insecure_requests(False).header_value == "default-src 'self'"


def test_directives_is_a_copy() -> None:
    csp = strict()
    directives = csp.directives
    directives["script-src"] = ("*",)
    del directives["default-src"]
    assert csp.header_value == STRICT


def test_report_only() -> None:
    csp = strict().report_only()
    assert csp.header_name == "Content-Security-Policy-Report-Only"
    assert csp.header_value == STRICT
    assert csp.report_only(False).header_name == CSP
    assert csp.report_only(enabled=True).header_name == "Content-Security-Policy-Report-Only"


def test_has_nonce() -> None:
    assert not balanced().has_nonce
    assert not ContentSecurityPolicy().script_src(ContentSecurityPolicy.nonce("abc")).has_nonce
    csp = ContentSecurityPolicy().script_src("'self'", NONCE)
    assert csp.has_nonce
    assert csp.header_value == "script-src 'self' 'nonce-{nonce}'"
    assert not csp.remove("script-src").has_nonce
    assert ContentSecurityPolicy().custom_directive("style-src-elem", NONCE).has_nonce
    assert ContentSecurityPolicy().set("default-src 'self'; style-src 'nonce-{nonce}'").has_nonce


DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'self'; frame-ancestors 'self'; form-action 'self'"
)


def test_empty_policy_sends_the_default_policy() -> None:
    # As in 2.x: a builder with no directive is a same-origin policy, not an error.
    assert ContentSecurityPolicy().header_value == DEFAULT_POLICY
    assert strict().clear().header_value == DEFAULT_POLICY
    assert ContentSecurityPolicy().directives == {}
    assert not ContentSecurityPolicy().has_nonce
    report_only = ContentSecurityPolicy().report_only()
    assert (report_only.header_name, report_only.header_value) == (
        "Content-Security-Policy-Report-Only",
        DEFAULT_POLICY,
    )
    # The default reads back with the builder's own grammar.
    assert ContentSecurityPolicy().set(DEFAULT_POLICY).header_value == DEFAULT_POLICY


def test_clear_keeps_report_only_mode() -> None:
    csp = strict().report_only().clear().default_src("'none'")
    assert (csp.header_name, csp.header_value) == (
        "Content-Security-Policy-Report-Only",
        "default-src 'none'",
    )


def test_copy_is_independent_and_equal() -> None:
    original = balanced().report_only()
    clone = original.copy()
    assert clone == original
    assert clone is not original
    clone.script_src("'self'", NONCE)
    assert clone != original
    assert original.header_value == BALANCED
    assert original.header_name == clone.header_name == "Content-Security-Policy-Report-Only"
    raw = ContentSecurityPolicy().set(STRICT)
    assert raw.copy() == raw
    assert raw.copy().header_value == STRICT


def test_equality() -> None:
    assert balanced() == balanced()
    assert balanced() != strict()
    assert balanced() != balanced().report_only()
    one = ContentSecurityPolicy().default_src("'self'").img_src("data:")
    other = ContentSecurityPolicy().img_src("data:").default_src("'self'")
    assert one != other  # same directives, different rendering order
    assert balanced() != BALANCED
    assert ContentSecurityPolicy().set(STRICT) != strict()  # raw vs structured


# -- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc123", "'nonce-abc123'"), ("R4nd0m+/_-==", "'nonce-R4nd0m+/_-=='"), ("a=", "'nonce-a='")],
)
def test_nonce_helper(value: str, expected: str) -> None:
    assert ContentSecurityPolicy.nonce(value) == expected
    assert ContentSecurityPolicy().nonce(value) == expected


def test_nonce_helper_accepts_generated_nonces() -> None:
    source = ContentSecurityPolicy.nonce(generate_nonce())
    assert ContentSecurityPolicy().script_src(source).directives["script-src"] == (source,)


@pytest.mark.parametrize("value", ["", "a b", "a'b", "a;b", "{nonce}", "a===", "=abc", "ab=c", "é"])
def test_nonce_helper_refuses_non_base64(value: str) -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy: invalid nonce") as info:
        ContentSecurityPolicy.nonce(value)
    assert repr(value) in str(info.value)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("self", "'self'"),
        ("'self'", "'self'"),
        ("none", "'none'"),
        ("unsafe-inline", "'unsafe-inline'"),
        ("UNSAFE-EVAL", "'unsafe-eval'"),
        ("strict-dynamic", "'strict-dynamic'"),
        ("wasm-unsafe-eval", "'wasm-unsafe-eval'"),
        ("report-sample", "'report-sample'"),
        ("unsafe-hashes", "'unsafe-hashes'"),
    ],
)
def test_keyword_helper(name: str, expected: str) -> None:
    assert ContentSecurityPolicy.keyword(name) == expected


@pytest.mark.parametrize(
    ("name", "fragment"),
    [
        ("sefl", "did you mean \"'self'\""),
        ("nonce-abc", "unknown keyword"),
        ("", "unknown keyword"),
    ],
)
def test_keyword_helper_refuses_unknown(name: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=r"^Content-Security-Policy: unknown keyword") as info:
        ContentSecurityPolicy.keyword(name)
    assert fragment in str(info.value)


def test_helpers_type_errors() -> None:
    with pytest.raises(TypeError, match=r"^Content-Security-Policy"):
        ContentSecurityPolicy.nonce(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^Content-Security-Policy"):
        ContentSecurityPolicy.keyword(None)  # type: ignore[arg-type]


# -- set(raw) --------------------------------------------------------------------------------

VALID_RAW = [
    "default-src 'self'",
    BALANCED,
    STRICT,
    "default-src 'self';",
    "default-src 'self';; img-src data:",
    "default-src  'self'   https:",
    "DEFAULT-SRC 'self'",
    "sandbox",
    "upgrade-insecure-requests; block-all-mixed-content",
    "script-src 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'; base-uri 'none'",
    f"script-src {SHA256} 'self'",
    "report-uri /csp; report-to csp-endpoint",
    "require-trusted-types-for 'script'; trusted-types default 'allow-duplicates'",
    "webrtc 'block'",
    "x-custom foo bar",
]


@pytest.mark.parametrize("raw", VALID_RAW)
def test_set_accepts_valid_raw_policies_verbatim(raw: str) -> None:
    csp = ContentSecurityPolicy().set(raw)
    assert csp.header_value == raw


INVALID_RAW = [
    ("", "no directives"),
    (";", "no directives"),
    ("default-src 'self', script-src *", "separates policies"),
    ("default-src self", "\"'self'\""),
    ("script-src 'sel'", "did you mean"),
    ("script-src 'self", "unbalanced quotes"),
    ("img-src 'none' data:", "cannot be combined"),
    ("script-src", "needs at least one source"),
    ("default-src 'self'; default-src *", "appears twice"),
    ("default_src 'self'", "invalid directive name"),
    ("scirpt-src 'self'", "unknown directive 'scirpt-src'"),
    ("default-src 'self'; img-scr data:", "did you mean 'img-src'?"),
    ("default-src 'self'; Frame-Ancestor 'none'", "did you mean 'frame-ancestors'?"),
    ("frame-ancestors 'unsafe-inline'", "CSP3 §6.4.2"),
    ("sandbox allow-everything", "invalid sandbox token"),
    ("upgrade-insecure-requests 1", "takes no value"),
    ("report-to a b", "exactly one endpoint name"),
    ("default-src 'self'\r\nX-Evil: 1", "control character"),
    (" default-src 'self'", "whitespace"),
    ("default-src 'nonce-{nonce}x'", "nonce slot"),
]


@pytest.mark.parametrize(("raw", "fragment"), INVALID_RAW)
def test_set_refuses_invalid_raw_policies(raw: str, fragment: str) -> None:
    csp = strict()
    with pytest.raises(ValueError, match=r"^Content-Security-Policy") as info:
        csp.set(raw)
    assert fragment in str(info.value)
    assert csp.header_value == STRICT  # a refused set() leaves the builder as it was


@pytest.mark.parametrize(
    "raw", ["navigate-to 'self'", "default-src 'self'; fenced-frame-src 'none'", "a 'self'"]
)
def test_set_keeps_directives_it_does_not_know(raw: str) -> None:
    # Not a near miss of a known directive: sent as written (CSP3 §2.2.1 leaves unknown
    # directives to the browser).
    assert ContentSecurityPolicy().set(raw).header_value == raw


def test_set_non_str_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"^Content-Security-Policy"):
        ContentSecurityPolicy().set(None)  # type: ignore[arg-type]


def test_methods_after_set_edit_the_parsed_policy() -> None:
    csp = ContentSecurityPolicy().set("default-src  'self';  SCRIPT-SRC 'self';")
    assert csp.directives == {"default-src": ("'self'",), "script-src": ("'self'",)}
    csp.add_sources("script-src", NONCE)
    assert csp.header_value == "default-src 'self'; script-src 'self' 'nonce-{nonce}'"
    assert csp.has_nonce


def test_clear_forgets_the_raw_value() -> None:
    csp = ContentSecurityPolicy().set(STRICT).clear().img_src("data:")
    assert csp.header_value == "img-src data:"


# -- properties ----------------------------------------------------------------------------

_host_label = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True)
_base64 = st.from_regex(r"[A-Za-z0-9+/_-]{1,24}={0,2}", fullmatch=True)
valid_sources = st.one_of(
    st.sampled_from(["'self'", "'unsafe-inline'", "'strict-dynamic'", "'report-sample'", "*"]),
    st.sampled_from(["https:", "http:", "data:", "blob:", "wss:", "mediastream:"]),
    st.just(NONCE),
    _base64.map(lambda value: f"'nonce-{value}'"),
    st.text().map(csp_hash),
    st.builds(
        lambda scheme, wildcard, labels, port, path: (
            f"{scheme}{wildcard}{'.'.join(labels)}{port}{path}"
        ),
        st.sampled_from(["", "https://", "wss://"]),
        st.sampled_from(["", "*."]),
        st.lists(_host_label, min_size=1, max_size=4),
        st.sampled_from(["", ":443", ":8080", ":*"]),
        st.sampled_from(["", "/", "/static/", "/a/b.js", "/%41"]),
    ),
)


@given(st.lists(valid_sources, min_size=1, max_size=8))
def test_generated_source_lists_render_valid_fields(sources: list[str]) -> None:
    csp = ContentSecurityPolicy().default_src("'self'").script_src(*sources)
    value = csp.header_value
    assert is_field_value(value)
    assert "," not in value
    assert value.count(";") == 1
    assert ContentSecurityPolicy().set(value).directives == csp.directives


@given(st.lists(st.text(max_size=30), min_size=1, max_size=4))
def test_whatever_is_accepted_is_a_safe_field(sources: list[str]) -> None:
    try:
        csp = ContentSecurityPolicy().script_src(*sources)
    except ValueError:
        return
    value = csp.header_value
    assert is_field_value(value)
    assert value.startswith("script-src ")
    assert ";" not in value
    assert "," not in value
    assert ContentSecurityPolicy().set(value).directives == csp.directives


_dangerous = st.one_of(
    st.sampled_from([";", ",", "\r", "\n", "\x00", "\x7f", "\x85"]),
    st.characters(max_codepoint=0x1F),
)


@given(st.text(max_size=10), _dangerous, st.text(max_size=10))
def test_sources_with_control_chars_semicolons_or_commas_are_refused(
    before: str, bad: str, after: str
) -> None:
    source = before + bad + after
    for method in ("script_src", "frame_ancestors", "sandbox", "report_uri", "trusted_types"):
        with pytest.raises(ValueError, match=r"^Content-Security-Policy"):
            call(method, source)
    with pytest.raises(ValueError, match=r"^Content-Security-Policy"):
        ContentSecurityPolicy().custom_directive("x-custom", source)
    with pytest.raises(ValueError, match=r"^Content-Security-Policy"):
        ContentSecurityPolicy().add_sources("img-src", source)


@given(st.text(max_size=40))
def test_set_accepts_only_values_that_render_back_safely(raw: str) -> None:
    try:
        csp = ContentSecurityPolicy().set(raw)
    except ValueError:
        return
    assert is_field_value(raw)
    assert "," not in raw
    assert re.fullmatch(r"[a-z0-9-]+", next(iter(csp.directives)))
