"""The ``secure`` command: ``show`` in every format, ``check`` against local servers."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from secure import Preset, Secure
from secure.audit import Finding, audit_headers
from secure.cli import _Style, main
from secure.cli._check import (
    DIFFERENT_PENALTY,
    MISSING_PENALTY,
    Fetched,
    build_report,
    grade_for,
)
from secure.cli._formats import FORMATS, FormatError, render
from secure.middleware import SecureWSGIMiddleware

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PRESETS = [p.value for p in Preset]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def preset_items(name: str) -> list[tuple[str, str]]:
    return list(Secure.from_preset(name).header_items())


def without_server(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(n, v) for n, v in items if n.lower() != "server"]


# -- parsers of each output format, written from each tool's documented syntax -------------


def parse_http(text: str) -> list[tuple[str, str]]:
    items = []
    for line in text.splitlines():
        name, _, value = line.partition(":")
        items.append((name, value.strip()))
    return items


def parse_json(text: str) -> list[tuple[str, str]]:
    return list(json.loads(text).items())


_NGINX = re.compile(r'^add_header (\S+) "((?:[^"\\]|\\.)*)" always;$')


def parse_nginx(text: str) -> list[tuple[str, str]]:
    items = []
    hidden = set()
    for line in text.splitlines():
        if not line or line.startswith("#") or line == "server_tokens off;":
            continue
        if line.startswith("proxy_hide_header "):
            hidden.add(line.removeprefix("proxy_hide_header ").rstrip(";"))
            continue
        match = _NGINX.match(line)
        assert match, line
        items.append((match[1], re.sub(r"\\(.)", r"\1", match[2])))
    # Every header added is also hidden from a proxied upstream: no duplicates.
    assert hidden == {name for name, _ in items}
    return items


_APACHE_SET = re.compile(r'^Header always set (\S+) "((?:[^"\\]|\\.)*)"$')


def parse_apache(text: str) -> list[tuple[str, str]]:
    items = []
    unset = set()
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        if line.startswith("Header onsuccess unset "):
            unset.add(line.removeprefix("Header onsuccess unset "))
            continue
        match = _APACHE_SET.match(line)
        assert match, line
        # The configuration reader's escapes, then mod_headers' own ("\\\\", "%%").
        value = re.sub(r"\\(.)", r"\1", match[2])
        value = re.sub(r"\\(.)", r"\1", value).replace("%%", "%")
        items.append((match[1], value))
    assert unset == {name for name, _ in items}
    return items


def parse_caddy(text: str) -> list[tuple[str, str]]:
    body = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert body[0] == "header {"
    assert body[1] == "\tdefer"
    assert body[-1] == "}"
    items = []
    for line in body[2:-1]:
        assert line.startswith("\t"), line
        line = line[1:]
        if line.startswith("-"):
            items.append((line[1:], ""))  # "-Field" deletes the field
            continue
        name, _, quoted = line.partition(" ")
        assert quoted.startswith('"') and quoted.endswith('"'), line
        value = quoted[1:-1].replace('\\"', '"').replace("\\{", "{").replace("\\}", "}")
        items.append((name, value))
    return items


def parse_headers_file(text: str) -> dict[str, list[tuple[str, str]]]:
    """Netlify / Cloudflare Pages ``_headers``: a path line, then indented ``Name: value``."""
    rules: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/"), f"a rule starts with a path: {line!r}"
            current = rules.setdefault(line.strip(), [])
            continue
        assert current is not None, "a header line before any path"
        name, sep, value = line.strip().partition(":")
        assert sep, line
        assert re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", name), name
        current.append((name, value.strip()))
    return rules


def parse_netlify(text: str) -> list[tuple[str, str]]:
    rules = parse_headers_file(text)
    assert list(rules) == ["/*"]
    return rules["/*"]


parse_cloudflare = parse_netlify


def parse_vercel(text: str) -> list[tuple[str, str]]:
    document = json.loads(text)
    assert set(document) == {"$schema", "headers"}
    (rule,) = document["headers"]
    assert rule["source"] == "/(.*)"
    assert set(rule) == {"source", "headers"}
    for entry in rule["headers"]:
        assert set(entry) == {"key", "value"}
        assert isinstance(entry["key"], str)
        assert isinstance(entry["value"], str)
    return [(e["key"], e["value"]) for e in rule["headers"]]


PARSERS = {
    "http": parse_http,
    "json": parse_json,
    "nginx": parse_nginx,
    "apache": parse_apache,
    "caddy": parse_caddy,
    "netlify": parse_netlify,
    "vercel": parse_vercel,
    "cloudflare": parse_cloudflare,
}

#: What each format does with the presets' empty Server header.
SERVER_KEPT = {"http", "json", "apache", "caddy"}


def test_every_format_has_a_parser() -> None:
    assert set(PARSERS) == set(FORMATS)


# -- show -------------------------------------------------------------------------------


def test_show_defaults_to_balanced_http_lines(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "show")
    assert status == 0
    assert err == ""
    assert out.splitlines() == [
        f"{name}: {value}" if value else f"{name}:" for name, value in preset_items("balanced")
    ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("preset", PRESETS)
def test_show_round_trips_every_preset_in_every_format(
    capsys: pytest.CaptureFixture[str], preset: str, fmt: str
) -> None:
    status, out, _ = run(capsys, "show", "--preset", preset, "--format", fmt)
    assert status == 0
    parsed = PARSERS[fmt](out)
    expected = preset_items(preset)
    if fmt in SERVER_KEPT:
        assert parsed == expected
    else:
        assert parsed == without_server(expected)


@pytest.mark.parametrize("fmt", ["nginx", "netlify", "vercel", "cloudflare"])
def test_formats_that_cannot_remove_server_say_so(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    _, out, err = run(capsys, "show", "--format", fmt)
    assert "own Server header" in out + err


def test_nginx_server_header_uses_server_tokens(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "show", "--format", "nginx")
    assert "server_tokens off;" in out.splitlines()
    assert "#   more_clear_headers Server;" in out.splitlines()
    assert "add_header Server" not in out


def test_show_reads_toml_and_json_configs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = {
        "preset": "strict",
        "hsts": {"max_age": 600},
        "custom": {"X-Robots-Tag": "noindex"},
        "remove": ["Cache-Control"],
    }
    expected = list(Secure.from_config(config).header_items())
    (tmp_path / "secure.json").write_text(json.dumps(config))
    _, out, _ = run(capsys, "show", "--config", str(tmp_path / "secure.json"), "-f", "json")
    assert parse_json(out) == expected
    if sys.version_info >= (3, 11):
        (tmp_path / "secure.toml").write_text(
            'preset = "strict"\nremove = ["Cache-Control"]\n[hsts]\nmax_age = 600\n'
            '[custom]\nX-Robots-Tag = "noindex"\n'
        )
        _, out, _ = run(capsys, "show", "--config", str(tmp_path / "secure.toml"), "-f", "json")
        assert parse_json(out) == expected


TRICKY = "a \"quoted\" \\ 100% {b} 'x'"


@pytest.mark.parametrize("fmt", ["http", "json", "nginx", "apache", "netlify", "vercel"])
def test_quotes_backslashes_and_percent_survive(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"preset": "none", "custom": {"X-Tricky": TRICKY}}))
    status, out, _ = run(capsys, "show", "--config", str(path), "--format", fmt)
    assert status == 0
    assert PARSERS[fmt](out) == [("X-Tricky", TRICKY)]


def test_caddy_escapes_braces_and_quotes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    value = 'a "q" {host} 100%'
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"preset": "none", "custom": {"X-Tricky": value}}))
    _, out, _ = run(capsys, "show", "--config", str(path), "--format", "caddy")
    assert '\tX-Tricky "a \\"q\\" \\{host\\} 100%"' in out.splitlines()
    assert parse_caddy(out) == [("X-Tricky", value)]


REFUSED = [
    ("nginx", "X-Odd", "cost $5", "nginx expands '$'"),
    ("nginx", "#Debug", "v", "letters, digits, '-' and '_' only"),
    ("nginx", "X-$host", "v", "letters, digits, '-' and '_' only"),
    ("apache", "X-Odd", "a ${HOME} b", "Apache substitutes"),
    ("apache", "X-Odd", "expr=%{REMOTE_ADDR}", "'expr='"),
    ("caddy", "X-Odd", "back\\slash", "backslash"),
    ("caddy", "X-Odd", "{$HOME}", "environment variable"),
    ("caddy", "X-Odd", "a {$SECRET:default} b", "environment variable"),
    ("caddy", "-Server", "v", "leading '-' or '+'"),
    ("caddy", "+X-Odd", "v", "leading '-' or '+'"),
    ("netlify", "#Debug", "v", "comment"),
    ("cloudflare", "!X-Odd", "v", "removal"),
    ("vercel", "X-Odd", "path $1", "Vercel replaces '$1'"),
]


@pytest.mark.parametrize(("fmt", "name", "value", "message"), REFUSED)
def test_what_a_format_would_interpret_is_refused(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    fmt: str,
    name: str,
    value: str,
    message: str,
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"preset": "none", "custom": {name: value}}))
    status, out, err = run(capsys, "show", "--config", str(path), "--format", fmt)
    assert status == 2
    assert out == ""
    # The refusal names the format, the header and the value.
    assert err.startswith(f"secure: error: --format {fmt}: {name}: cannot write ")
    assert message in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-Odd", "a\r\nX-Injected: 1"),
        ("X-Odd", "a\nb"),
        ("X-Odd", "nul\x00"),
        ("X-Odd", "esc\x1b[2J"),
        ("X Odd", "v"),
        ("X-Odd\n", "v"),
    ],
)
def test_renderers_refuse_what_is_not_an_http_field(fmt: str, name: str, value: str) -> None:
    # The builders refuse these first; render() holds the line by itself as well.
    with pytest.raises(FormatError, match=f"^--format {fmt}: ") as exc:
        render(fmt, [(name, value)], "t")
    assert "\n" not in str(exc.value) and "\x1b" not in str(exc.value)


def test_refused_values_are_shown_in_part_only(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    token = "Bearer sk_live_" + "0123456789abcdef" * 3
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"custom": {"Authorization": token + "$"}}))
    status, _, err = run(capsys, "show", "--config", str(path), "--format", "nginx")
    assert status == 2
    assert "Authorization" in err and "nginx" in err
    assert token not in err and "sk_live_0123" not in err
    assert f"({len(token) + 1} characters)" in err
    # A value the builders refuse (a CR) is cut the same way in their message.
    path.write_text(json.dumps({"custom": {"Authorization": token + "\r\nX: y"}}))
    status, _, err = run(capsys, "show", "--config", str(path))
    assert status == 2
    assert "Authorization" in err and "U+000D" in err
    assert token not in err and "sk_live_0123" not in err


def test_a_newline_in_the_config_path_cannot_inject_directives(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "x\nadd_header X-Injected 1 always;\n#"
    folder.mkdir()
    path = folder / "secure.json"
    path.write_text(json.dumps({"preset": "basic"}))
    for fmt in ["nginx", "apache", "caddy", "netlify", "cloudflare"]:
        status, out, _ = run(capsys, "show", "--config", str(path), "--format", fmt)
        assert status == 0
        assert "X-Injected" not in "".join(
            line for line in out.splitlines() if not line.startswith("#")
        )
        assert "\\nadd_header X-Injected" in out.splitlines()[0]


@pytest.mark.parametrize(
    ("content", "filename", "says"),
    [
        ("tool = 1\n", "pyproject.toml", "pyproject.toml"),
        ("[tool]\nsecure = 1\n", "pyproject.toml", "pyproject.toml"),
        ("[" * 100_000 + "]" * 100_000, "deep.json", "nested too deeply"),
        ("a = " + "[" * 100_000 + "]" * 100_000, "deep.toml", "nested too deeply"),
        ('{"custom": ' * 5000 + "1" + "}" * 5000, "deep2.json", ""),
        ("[1, 2]", "list.json", ""),
        ('"text"', "str.json", ""),
    ],
)
def test_config_files_that_are_not_configurations_are_usage_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, filename: str, says: str
) -> None:
    if filename.endswith(".toml") and sys.version_info < (3, 11):
        pytest.skip("TOML needs Python 3.11+")
    path = tmp_path / filename
    path.write_text(content)
    for command in (["show"], ["check", "http://127.0.0.1:9/"]):
        status, out, err = run(capsys, *command, "--config", str(path))
        assert (status, out) == (2, ""), err
        assert err.startswith("secure: error: ") and err.count("\n") == 1
        assert says in err


@pytest.mark.parametrize("fmt", ["netlify", "vercel", "cloudflare"])
def test_empty_custom_values_are_refused_where_unsupported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"preset": "none", "custom": {"X-Empty": ""}}))
    status, _, err = run(capsys, "show", "--config", str(path), "--format", fmt)
    assert status == 2
    assert "cannot send an empty value" in err


def test_cloudflare_line_limit(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    hosts = [f"https://cdn{i}.example.com" for i in range(90)]
    path.write_text(json.dumps({"csp": {"img-src": hosts}}))
    status, _, err = run(capsys, "show", "--config", str(path), "--format", "cloudflare")
    assert status == 2
    assert "at most 2000" in err
    assert run(capsys, "show", "--config", str(path), "--format", "netlify")[0] == 0


STATIC = ["nginx", "apache", "caddy", "netlify", "vercel", "cloudflare"]


@pytest.mark.parametrize("fmt", STATIC)
def test_nonce_slot_is_refused_for_static_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, fmt: str
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"nonce": True}))
    status, out, err = run(capsys, "show", "--config", str(path), "--format", fmt)
    assert status == 2
    assert out == ""
    assert "nonce slot" in err
    assert "csp_hash" in err


def test_nonce_slot_is_shown_as_placeholder_in_http(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"nonce": True}))
    status, out, err = run(capsys, "show", "--config", str(path))
    assert status == 0
    assert "script-src 'self' 'nonce-{nonce}'" in out
    assert "fresh value on every response" in err


# -- errors and help ----------------------------------------------------------------------


def test_a_header_configured_twice_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"custom": {"X-Robots-Tag": "noindex", "x-robots-tag": "none"}}))
    status, out, err = run(capsys, "show", "--config", str(path), "--format", "nginx")
    assert (status, out) == (2, "")
    assert "x-robots-tag: given twice" in err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert re.fullmatch(r"secure \S+\n", capsys.readouterr().out)


def test_missing_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, "show", "--config", str(tmp_path / "nope.toml"))
    assert (status, out) == (2, "")
    assert err == f"secure: error: configuration file not found: {tmp_path / 'nope.toml'}\n"


def test_unknown_key_suggests_the_closest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"hsst": {"max_age": 1}}))
    status, _, err = run(capsys, "show", "--config", str(path))
    assert status == 2
    assert "hsst" in err
    assert "did you mean 'hsts'?" in err
    assert "Traceback" not in err


def test_invalid_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{nope")
    status, _, err = run(capsys, "show", "--config", str(path))
    assert status == 2
    assert "invalid JSON" in err


def test_config_is_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, "show", "--config", str(tmp_path))
    assert status == 2
    assert err.startswith("secure: error:")


@pytest.mark.parametrize(
    "argv",
    [
        ["show", "--preset", "strict", "--config", "x.toml"],
        ["show", "--format", "iis"],
        ["check"],
        ["check", "http://x", "--fail-under", "E"],
        [],
    ],
)
def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "usage: secure" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["show", "check"])
def test_help_has_examples(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main([command, "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert f"  secure {command} " in out


def test_python_dash_m_secure() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "secure", "show", "--preset", "strict"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert parse_http(result.stdout) == preset_items("strict")


def test_import_secure_does_not_import_the_cli() -> None:
    code = "import secure, sys; print([m for m in sys.modules if m.startswith('secure.cli')])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert _Style(_Terminal(), "auto")("x", "red") == "\x1b[31mx\x1b[0m"
    assert _Style(io.StringIO(), "auto")("x", "red") == "x"
    assert _Style(io.StringIO(), "always")("x", "red") == "\x1b[31mx\x1b[0m"
    assert _Style(_Terminal(), "never")("x", "red") == "x"
    monkeypatch.setenv("NO_COLOR", "1")
    assert _Style(_Terminal(), "auto")("x", "red") == "x"


# -- check: local servers -----------------------------------------------------------------


@dataclass
class Route:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    head: bool = True  # False: answer HEAD with 501, like http.server without do_HEAD


@contextmanager
def serve(routes: dict[str, Route]) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 sending each route's status and headers."""

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, head: bool) -> None:
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            if head and not route.head:
                self.send_error(501)
                return
            self.send_response_only(route.status)  # no automatic Server or Date
            for name, value in route.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            if not head:
                self.wfile.write(b"ok")

        def do_GET(self) -> None:
            self._answer(head=False)

        def do_HEAD(self) -> None:
            self._answer(head=True)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def check_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    status, out, _ = run(capsys, "check", *argv, "--format", "json")
    return status, json.loads(out)


def test_check_reports_missing_headers_and_grades(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/": Route(headers=[("X-Frame-Options", "SAMEORIGIN")])}) as base:
        status, report = check_json(capsys, base + "/")
    assert status == 0
    # No expectation: what is missing is what the policy checker asks for.
    assert report["expected"] is None
    assert report["missing"] == [
        {"header": "Content-Security-Policy", "expected": None},
        {"header": "Strict-Transport-Security", "expected": None},
        {"header": "X-Content-Type-Options", "expected": None},
    ]
    assert report["different"] == []
    assert report["security_headers"] == [["X-Frame-Options", "SAMEORIGIN"]]
    points = sum(d["points"] for d in report["deductions"])
    assert report["score"] == max(0, 100 - points)
    assert report["grade"] == grade_for(report["score"])
    assert (report["score"], report["grade"]) == (100 - 20 - 10 - 2, "D")


def test_check_reports_the_policy_checkers_findings(capsys: pytest.CaptureFixture[str]) -> None:
    headers = [
        ("Content-Security-Policy", "script-src 'self' 'unsafe-inline'"),
        ("X-XSS-Protection", "1; mode=block"),
    ]
    with serve({"/": Route(headers=headers)}) as base:
        _, report = check_json(capsys, base)
    findings = audit_headers(headers)
    assert {f.severity for f in findings} & {"high", "medium"}
    assert report["findings"] == [
        {
            "severity": f.severity,
            "header": f.header,
            "message": f.message,
            "rule": f.rule,
            "reference": f.reference,
        }
        for f in findings
    ]
    reasons = [d["reason"] for d in report["deductions"]]
    for f in findings:
        if f.severity != "info":
            assert f"{f.severity}: {f.header}: {f.message}" in reasons


def test_check_fail_under_gates(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/": Route()}) as base:
        assert run(capsys, "check", base, "--fail-under", "F")[0] == 0
        status, _, err = run(capsys, "check", base, "--fail-under", "C")
    assert status == 1
    assert "below the required C" in err


def test_check_follows_redirects_and_falls_back_to_get(capsys: pytest.CaptureFixture[str]) -> None:
    routes = {
        "/old": Route(status=301, headers=[("Location", "/new")], head=False),
        "/new": Route(headers=[("X-Content-Type-Options", "nosniff")], head=False),
    }
    with serve(routes) as base:
        status, report = check_json(capsys, base + "/old")
    assert status == 0
    assert report["method"] == "GET"
    assert report["status"] == 200
    assert report["final_url"] == base + "/new"
    assert report["redirects"] == [{"status": 301, "location": base + "/new"}]
    assert ["X-Content-Type-Options", "nosniff"] in report["security_headers"]


def test_check_follows_redirects_with_head(capsys: pytest.CaptureFixture[str]) -> None:
    routes = {
        "/a": Route(status=302, headers=[("Location", "/b")]),
        "/b": Route(status=307, headers=[("Location", "/c")]),
        "/c": Route(headers=[("X-Frame-Options", "DENY")]),
    }
    with serve(routes) as base:
        _, report = check_json(capsys, base + "/a")
    assert (report["method"], report["status"]) == ("HEAD", 200)
    assert [r["status"] for r in report["redirects"]] == [302, 307]
    assert report["final_url"] == base + "/c"


def test_check_uses_head_when_it_works(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/": Route(headers=[("X-Frame-Options", "DENY")])}) as base:
        _, report = check_json(capsys, base)
    assert report["method"] == "HEAD"
    assert report["url"] == base + "/"


def test_check_reports_error_pages_too(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/": Route(status=404, headers=[("X-Frame-Options", "DENY")])}) as base:
        status, report = check_json(capsys, base)
    assert status == 0
    assert report["status"] == 404
    assert ["X-Frame-Options", "DENY"] in report["security_headers"]


def test_check_differences_from_an_explicit_preset(capsys: pytest.CaptureFixture[str]) -> None:
    headers = [(n, v) for n, v in preset_items("strict") if n != "X-Frame-Options"]
    headers.append(("X-Frame-Options", "sameorigin"))
    headers.append(("Server", "nginx/1.22.1"))
    with serve({"/": Route(headers=[h for h in headers if h[0] != "Server" or h[1]])}) as base:
        _, report = check_json(capsys, base, "--preset", "strict")
    different = {d["header"]: (d["actual"], d["expected"]) for d in report["different"]}
    assert different == {"X-Frame-Options": ("sameorigin", "DENY"), "Server": ("nginx/1.22.1", "")}
    assert report["missing"] == []
    reasons = [d["reason"] for d in report["deductions"]]
    assert "X-Frame-Options differs from the expected value" in reasons


def test_check_matches_a_nonce_slot(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"nonce": True}))
    configured = Secure.from_config({"nonce": True})
    with serve({"/": Route(headers=configured.header_items())}) as base:
        _, report = check_json(capsys, base, "--config", str(path))
    assert report["different"] == []
    assert report["missing"] == []


def test_check_unreachable_url(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({}) as base:
        pass  # the server is closed: its port now refuses connections
    status, out, err = run(capsys, "check", base, "--timeout", "2")
    assert status == 3
    assert out == ""
    assert err.startswith(f"secure: error: cannot fetch {base}/:")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://example.com/", "unsupported URL scheme 'ftp'"),
        ("data:text/html,hi", "unsupported URL scheme 'data'"),
        ("javascript:alert(1)", "unsupported URL scheme 'javascript'"),
        ("file:///etc/passwd", "unsupported URL scheme 'file'"),
        ("http://", "no host name"),
        ("http://[::1/", "invalid URL"),
        ("http://[zz]/", "invalid URL"),
        ("http://127.0.0.1:port/", "invalid URL"),
        ("http://exa mple.com/", "invalid URL"),
        ("http://example.com/\x1b[2J", "invalid URL"),
    ],
)
def test_check_bad_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], url: str, says: str
) -> None:
    status, out, err = run(capsys, "check", url)
    assert (status, out) == (2, "")
    assert err.startswith("secure: error: ") and says in err
    assert err.count("\n") == 1 and "\x1b" not in err


def test_check_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    with serve({"/": Route(headers=[("X-Frame-Options", "DENY")])}) as base:
        status, out, _ = run(capsys, "check", base)
    assert status == 0
    assert "\x1b[" not in out  # not a terminal: no colour
    assert f"Checked {base}/ (HEAD 200)" in out
    assert "  + X-Frame-Options: DENY" in out
    assert "\n  - Content-Security-Policy\n" in out
    assert "Expected:" not in out and "Different from" not in out
    assert re.search(r"^Score \d+/100, grade [A-F]\+?$", out, re.M)
    assert "  -20  high: Content-Security-Policy: no Content-Security-Policy is sent" in out


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_wsgi(app: WSGIApplication) -> Iterator[str]:
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _hello(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


@pytest.mark.parametrize("preset", PRESETS)
def test_a_site_using_the_middleware_matches_its_preset(
    capsys: pytest.CaptureFixture[str], preset: str
) -> None:
    app = SecureWSGIMiddleware(_hello, secure=Secure.from_preset(preset))
    with serve_wsgi(app) as base:
        _, report = check_json(capsys, base, "--preset", preset)
    assert report["missing"] == []
    assert report["different"] == []
    # Only the policy checker's findings can cost points; nothing else does.
    finding_points = sum(
        {"high": 20, "medium": 10, "low": 2}.get(f["severity"], 0) for f in report["findings"]
    )
    assert report["score"] == max(0, 100 - finding_points)


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("expect", [False, True])
def test_every_preset_served_as_configured_gets_the_top_grade(
    capsys: pytest.CaptureFixture[str], preset: str, expect: bool
) -> None:
    app = SecureWSGIMiddleware(_hello, secure=Secure.from_preset(preset))
    with serve_wsgi(app) as base:
        _, report = check_json(capsys, base, *(["--preset", preset] if expect else []))
    assert report["grade"] == "A+", report["deductions"]


def test_a_stricter_site_does_not_lose_points_for_being_stricter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = SecureWSGIMiddleware(_hello, secure=Secure.from_preset("strict"))
    with serve_wsgi(app) as base:
        _, strict = check_json(capsys, base)
    app = SecureWSGIMiddleware(_hello, secure=Secure.from_preset("balanced"))
    with serve_wsgi(app) as base:
        _, balanced = check_json(capsys, base)
    assert strict["different"] == [] and strict["missing"] == []
    assert strict["score"] >= balanced["score"] - 2


# -- grading rules (build_report directly, with a known set of findings) --------------------


def no_findings(items: Iterable[tuple[str, str]]) -> list[Finding]:
    """A policy checker with nothing to say, to isolate the comparison's deductions."""
    return []


def _fetched(*items: tuple[str, str]) -> Fetched:
    return Fetched("http://t/", "http://t/", "HEAD", 200, tuple(items))


EXPECTED = [
    ("X-Frame-Options", "DENY", False),
    ("X-Content-Type-Options", "nosniff", False),
    ("Content-Security-Policy", "script-src 'nonce-{nonce}'", True),
    ("Server", "", False),
]


def test_grading_of_the_comparison() -> None:
    report = build_report(
        _fetched(("x-frame-options", "deny"), ("Server", "gunicorn")),
        EXPECTED,
        expectation="t",
        checker=no_findings,
    )
    assert [name for name, _ in report.missing] == [
        "X-Content-Type-Options",
        "Content-Security-Policy",
    ]
    assert [d.name for d in report.different] == ["Server"]  # "deny" == "DENY"
    assert report.score == 100 - 2 * MISSING_PENALTY - DIFFERENT_PENALTY
    assert report.grade == "C"


def test_nothing_is_compared_without_an_expectation() -> None:
    report = build_report(
        _fetched(("X-Frame-Options", "SAMEORIGIN"), ("X-Content-Type-Options", "nosniff")),
        None,
        checker=no_findings,
    )
    assert (report.missing, report.different, report.expectation) == ((), (), None)
    assert (report.score, report.grade) == (100, "A+")


def test_findings_cost_by_severity_and_a_header_is_charged_once() -> None:
    def checker(items: Iterable[tuple[str, str]]) -> list[Finding]:
        ref = "https://example.org/spec"
        return [
            Finding("t-1", "high", "Content-Security-Policy", "no CSP", ref),
            Finding("t-2", "medium", "X-Frame-Options", "weak", ref),
            Finding("t-3", "low", "X-Frame-Options", "legacy", ref),
            Finding("t-4", "info", "Server", "fine", ref),
        ]

    report = build_report(
        _fetched(("X-Frame-Options", "DENY")),
        EXPECTED,
        expectation="t",
        checker=checker,
    )
    # high 20 + medium 10 + low 2; CSP is missing but already charged by its finding;
    # X-Content-Type-Options is missing (10); info costs nothing.
    assert report.score == 100 - 20 - 10 - 2 - MISSING_PENALTY
    assert report.grade == "F"
    assert len(report.deductions) == 4


def test_nonce_slot_matches_any_nonce() -> None:
    report = build_report(
        _fetched(("Content-Security-Policy", "script-src 'nonce-AbC_12-x'")),
        EXPECTED[2:3],
        expectation="t",
        checker=no_findings,
    )
    assert report.different == ()
    report = build_report(
        _fetched(("Content-Security-Policy", "script-src 'nonce-AbC' 'unsafe-inline'")),
        EXPECTED[2:3],
        expectation="t",
        checker=no_findings,
    )
    assert len(report.different) == 1


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "A+"),
        (95, "A+"),
        (94, "A"),
        (90, "A"),
        (89, "B"),
        (80, "B"),
        (79, "C"),
        (60, "D"),
        (59, "F"),
        (0, "F"),
    ],
)
def test_grade_thresholds(score: int, grade: str) -> None:
    assert grade_for(score) == grade
