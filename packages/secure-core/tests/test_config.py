from __future__ import annotations

import json
from pathlib import Path

import pytest

from secure import NONCE, Preset, Secure
from secure.config import build, load_config, read_config_file


def headers(config: dict[str, object]) -> dict[str, str]:
    return dict(Secure.from_config(config).header_items(nonce="N"))


def test_empty_config_is_balanced(balanced: list[tuple[str, str]]) -> None:
    assert list(Secure.from_config({}).header_items()) == balanced


@pytest.mark.parametrize("preset", ["balanced", "basic", "strict"])
def test_preset_key(preset: str) -> None:
    assert Secure.from_config({"preset": preset}) == Secure.from_preset(Preset(preset))


def test_preset_none_starts_empty() -> None:
    assert Secure.from_config({"preset": "none"}).header_items() == ()
    assert headers({"preset": None, "xfo": "DENY"}) == {"X-Frame-Options": "DENY"}


def test_raw_strings_replace_a_header() -> None:
    h = headers({"hsts": "max-age=63072000; includeSubDomains; preload", "xfo": "DENY"})
    assert h["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert h["X-Frame-Options"] == "DENY"


def test_false_removes_and_true_adds_the_default() -> None:
    h = headers({"xfo": False, "server": None, "xdfc": True, "coop": True})
    assert "X-Frame-Options" not in h and "Server" not in h
    assert h["X-DNS-Prefetch-Control"] == "off"
    assert h["Cross-Origin-Opener-Policy"] == "same-origin"


def test_method_tables_call_builder_methods() -> None:
    h = headers(
        {
            "hsts": {"max_age": 63072000, "include_subdomains": True, "preload": True},
            "cache": {"no-store": True, "max-age": 0},
            "referrer": ["no-referrer", "strict-origin-when-cross-origin"],
        }
    )
    assert h["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains; preload"
    assert h["Cache-Control"] == "no-store, max-age=0"
    assert h["Referrer-Policy"] == "no-referrer, strict-origin-when-cross-origin"


def test_csp_table_merges_into_the_preset() -> None:
    h = headers({"csp": {"script-src": ["'self'", "https://cdn.example"], "img_src": None}})
    csp = h["Content-Security-Policy"]
    assert "script-src 'self' https://cdn.example;" in csp
    assert "img-src" not in csp
    assert csp.startswith("default-src 'self'; base-uri 'self';")
    h2 = headers({"csp": {"connect-src": "'self' wss://live.example", "frame-src": []}})
    assert h2["Content-Security-Policy"].endswith(
        "; connect-src 'self' wss://live.example; frame-src 'none'"
    )


def test_csp_string_replaces_the_policy() -> None:
    assert headers({"csp": "default-src 'none'"})["Content-Security-Policy"] == "default-src 'none'"


def test_permissions_table_merges() -> None:
    h = headers({"permissions": {"camera": ["self"], "fullscreen": "self https://a.example"}})
    assert h["Permissions-Policy"] == (
        'geolocation=(), microphone=(), camera=(self), fullscreen=(self "https://a.example")'
    )
    assert headers({"permissions": {"camera": False}})["Permissions-Policy"] == (
        "geolocation=(), microphone=()"
    )


def test_report_only_side_by_side(baseline_csp: str) -> None:
    h = headers(
        {
            "csp_report_only": {"default-src": ["'none'"], "report-to": "csp"},
            "reporting_endpoints": {"endpoint": ["csp", "https://r.example/csp"]},
        }
    )
    assert h["Content-Security-Policy"] == baseline_csp
    assert h["Content-Security-Policy-Report-Only"] == "default-src 'none'; report-to csp"
    assert h["Reporting-Endpoints"] == 'csp="https://r.example/csp"'


def test_nonce_true_adds_the_slot_to_script_src() -> None:
    s = Secure.from_config({"nonce": True})
    assert s.has_nonce
    csp = dict(s.header_items(nonce="N"))["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-N';" in csp
    assert "style-src 'self' https: 'unsafe-inline'" in csp


def test_nonce_list_creates_missing_directives_from_default_src() -> None:
    s = Secure.from_config(
        {"preset": None, "csp": {"default-src": ["'self'", "https:"]}, "nonce": ["style_src"]}
    )
    assert list(s.header_items(nonce="N")) == [
        ("Content-Security-Policy", "default-src 'self' https:; style-src 'self' https: 'nonce-N'")
    ]


def test_nonce_replaces_none() -> None:
    s = Secure.from_config({"preset": "strict", "csp": {"script-src": ["'none'"]}, "nonce": True})
    assert "script-src 'nonce-N'" in dict(s.header_items(nonce="N"))["Content-Security-Policy"]


def test_nonce_constant_inside_a_directive() -> None:
    s = Secure.from_config({"csp": {"script-src": ["'self'", NONCE]}})
    assert s.has_nonce


def test_custom_and_remove() -> None:
    h = headers({"custom": {"X-Robots-Tag": "noindex"}, "remove": ["server", "X-FRAME-OPTIONS"]})
    assert h["X-Robots-Tag"] == "noindex"
    assert "Server" not in h and "X-Frame-Options" not in h


def test_header_names_are_aliases() -> None:
    h = headers({"X-Frame-Options": "DENY", "content-security-policy": "default-src 'self'"})
    assert h["X-Frame-Options"] == "DENY"
    assert h["Content-Security-Policy"] == "default-src 'self'"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"hstss": "max-age=1"}, r"hstss: unknown key; did you mean 'hsts'\?"),
        ({"prest": "strict"}, r"prest: unknown key; did you mean 'preset'\?"),
        ({"zzzz": 1}, r"zzzz: unknown key \(valid keys:"),
        ({1: 1}, "keys must be strings"),
        ({"preset": "strikt"}, r"preset: unknown preset 'strikt'.*did you mean 'strict'"),
        ({"preset": 3}, "preset: expected a preset name"),
        ({"xfo": "ALLOW-FROM https://a.example"}, r"xfo: X-Frame-Options"),
        ({"hsts": {"max_agee": 1}}, r"hsts.max_agee: .*did you mean 'max_age'\?"),
        ({"hsts": {"max_age": -1}}, r"hsts: Strict-Transport-Security"),
        ({"hsts": 5}, "hsts: expected a string, true/false, a list or a table"),
        ({"csp": {"script-src": ["'self'; object-src *"]}}, r"csp: Content-Security-Policy"),
        ({"csp": {"script-src": [1]}}, r"csp.script-src: sources must be strings"),
        ({"csp": {"script-src": 1}}, r"csp.script-src: expected a list of sources"),
        ({"permissions": {"camera": 1}}, r"permissions.camera: expected a list"),
        ({"referrer": ["no-referer"]}, r"referrer.no_referer: .*did you mean 'no_referrer'"),
        ({"referrer": [1]}, "referrer: expected strings"),
        ({"nonce": "yes"}, "nonce: expected true or a list"),
        ({"nonce": [1]}, "nonce: expected true or a list"),
        ({"preset": None, "nonce": True}, "nonce: needs a Content-Security-Policy"),
        ({"custom": ["X-A"]}, "custom: expected a table"),
        ({"custom": {"X A": "1"}}, r"custom.X A: .*invalid header name"),
        (
            {"custom": {"strict-transport-security": "max-age=1"}},
            r"custom.strict-transport-security: .* already set by 'hsts'",
        ),
        ({"custom": {"X-A": "a\nb"}}, r"custom.X-A: X-A: invalid value"),
        ({"custom": {"X-A": 1}}, r"custom.X-A: X-A: value must be a str"),
        ({"remove": "Server"}, "remove: expected a list"),
        ({"remove": ["Bad Name"]}, "remove: .*invalid header name"),
        ({"xfo": "DENY", "X-Frame-Options": "DENY"}, "given twice"),
    ],
)
def test_errors_name_the_key(config: dict[object, object], message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        build(config)  # type: ignore[arg-type]
    assert str(info.value).startswith("secure config: ")


def test_non_mapping_config() -> None:
    with pytest.raises(ValueError, match="expected a mapping"):
        build(["preset"])  # type: ignore[arg-type]


def test_json_file(tmp_path: Path) -> None:
    path = tmp_path / "secure.json"
    path.write_text(json.dumps({"preset": "strict", "xfo": "SAMEORIGIN"}))
    assert load_config(path).headers["X-Frame-Options"] == "SAMEORIGIN"


def test_toml_file_and_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "secure.toml"
    path.write_text('preset = "basic"\n[csp]\nscript-src = ["\'self\'", "https://cdn.example"]\n')
    assert "https://cdn.example" in load_config(path).headers["Content-Security-Policy"]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[tool.secure]\npreset = "strict"\n')
    assert read_config_file(pyproject) == {"preset": "strict"}
    bad = tmp_path / "bad.toml"
    bad.write_text("preset = ")
    with pytest.raises(ValueError, match="invalid TOML"):
        read_config_file(bad)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", "{", "invalid JSON"),
        ("a.json", "[1]", "top level must be a table"),
        ("a.yaml", "x: 1", "unknown file type"),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        read_config_file(path)


def test_nonce_without_default_src() -> None:
    s = Secure.from_config({"preset": "none", "csp": "img-src 'self'", "nonce": True})
    assert list(s.header_items(nonce="N")) == [
        ("Content-Security-Policy", "img-src 'self'; script-src 'nonce-N'")
    ]


def test_false_switches_a_flag_off() -> None:
    h = headers({"preset": "none", "hsts": {"max_age": 600, "include_subdomains": False}})
    assert h == {"Strict-Transport-Security": "max-age=600"}
    h = headers({"preset": "none", "csp": {"default-src": ["'self'"]}, "xfo": {"deny": False}})
    assert h["X-Frame-Options"] == "SAMEORIGIN"


def test_an_unprintable_key_is_shown_escaped() -> None:
    with pytest.raises(ValueError, match="unknown key") as info:
        build({"x\r\nX-Injected: 1": True})
    assert "\r" not in str(info.value)
    assert "'x\\r\\nX-Injected: 1'" in str(info.value)


def test_csp_string_splits_on_spaces_and_tabs_only() -> None:
    h = headers({"csp": {"img-src": "'self'\tdata:"}})
    assert "img-src 'self' data:" in h["Content-Security-Policy"]
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        build({"csp": {"img-src": "'self'\x85data:"}})


def test_a_custom_header_may_replace_a_removed_one() -> None:
    h = headers({"hsts": False, "custom": {"Strict-Transport-Security": "max-age=60"}})
    assert h["Strict-Transport-Security"] == "max-age=60"


def test_base_replaces_the_preset() -> None:
    from secure import ContentSecurityPolicy, CustomHeader

    base = Secure(
        csp=ContentSecurityPolicy().default_src("'none'").script_src("'self'", NONCE),
        csp_report_only=ContentSecurityPolicy().default_src("'self'"),
        custom=[CustomHeader("X-Extra", "1")],
    )
    built = Secure.from_config(
        {"csp": {"img-src": ["'self'"]}, "xfo": "DENY", "remove": ["X-Extra"]}, base=base
    )
    assert built.has_nonce
    assert list(built.header_items(nonce="N")) == [
        (
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self' 'nonce-N'; img-src 'self'",
        ),
        ("Content-Security-Policy-Report-Only", "default-src 'self'"),
        ("X-Frame-Options", "DENY"),
    ]
    assert Secure.from_config({}, base=base) == base
    with pytest.raises(ValueError, match="preset: cannot be combined with a base"):
        Secure.from_config({"preset": "strict"}, base=base)
