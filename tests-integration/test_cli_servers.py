"""``secure show`` output fed to the real tools: nginx, Apache httpd, Caddy, and the
Netlify and Vercel configuration parsers.

Each test starts the server on 127.0.0.1 with the generated snippet, in front of a
small upstream application that sends its *own* values for the same headers, and
reads the headers back: every configured header must arrive exactly once, with the
configured value, on proxied responses, the server's own pages and error pages.

The servers come from Debian (``apt-get install -y nginx apache2 caddy``); a test
whose server is not installed is skipped with the reason. The Netlify ``_headers`` and
``vercel.json`` outputs go through the platforms' own parsers from npm
(``@netlify/headers-parser``, ``@vercel/routing-utils``), installed into a temporary
directory when Node.js and npm are available.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from secure import Secure
from secure.cli import main

PRESETS = ["balanced", "basic", "strict"]
# A custom header with every character the formats must escape.
TRICKY: dict[str, object] = {
    "preset": "strict",
    "custom": {"X-Tricky": "a \"q\" \\ 100% {host} 's' ;"},
}
# Caddyfile cannot hold a backslash reliably (secure show refuses it); the rest stays.
TRICKY_CADDY: dict[str, object] = {
    "preset": "strict",
    "custom": {"X-Tricky": "a \"q\" 100% {host} 's' ;"},
}


# What each tool would interpret if written as is: its placeholders and variables,
# escape sequences, quotes, and header names that its grammar reads as a comment or
# an operator. Each format writes every one it can escape; the rest are refused
# (tests in packages/secure-core/tests/test_cli.py), so the value here leaves them out.
_PLACEHOLDERS = "{host} {env.HOME} {http.request.uri} %{HOME}e %{REMOTE_ADDR}s %% 100%"
_ESCAPES = 'a\\nb\\tc\\\\d\\x41\\ \\"'
HOSTILE: dict[str, dict[str, object]] = {
    "nginx": {
        "custom": {
            "X-Placeholders": _PLACEHOLDERS,
            "X-Escapes": _ESCAPES,
            "X-Quotes": "\"double\" 'single' `tick` ;# {}",
            "X_Under_Score": "v",
        }
    },
    "apache": {
        "custom": {
            "X-Placeholders": f"{_PLACEHOLDERS} {{$HOME}} {{$HOME:x}} $HOME",
            "X-Escapes": _ESCAPES,
            "X-Quotes": "\"double\" 'single' `tick` ;# {}",
            "#Hash-Name": "v",
            "X-Name'Quote": "v",
        }
    },
    # The platforms' _headers and vercel.json: comment and path syntax, and Vercel's
    # ":param" and "$1" substitution from the source pattern.
    "netlify": {
        "custom": {
            "X-Placeholders": f"{_PLACEHOLDERS} :0 :splat $1 ${{HOME}} {{$HOME}}",
            "X-Escapes": _ESCAPES,
            "X-Comment": "# not a comment /* not a path",
            "X-Name'Quote": "v",
        }
    },
    "vercel": {
        "custom": {
            "X-Placeholders": f"{_PLACEHOLDERS} :0 :path* $ {{$}}",
            "X-Escapes": _ESCAPES,
            "#Hash-Name": "v",
        }
    },
    "caddy": {
        "custom": {
            "X-Placeholders": f"{_PLACEHOLDERS} ${{HOME}} $HOME {{}} {{{{x}}}}",
            "X-Quotes": "\"double\" 'single' `tick` ;# {} <<EOF",
            "#Hash-Name": "v",
            "X-Name'Quote": "v",
        }
    },
}


def _binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin")


def _needs(name: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        _binary(name) is None,
        reason=f"{name} is not installed (Debian: apt-get install -y nginx apache2 caddy)",
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _snippet(fmt: str, config: dict[str, object], tmp_path: Path) -> str:
    path = tmp_path / "secure.json"
    path.write_text(json.dumps(config))
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["show", "--config", str(path), "--format", fmt]) == 0
    return out.getvalue()


def _expected(config: dict[str, object]) -> list[tuple[str, str]]:
    return Secure.from_config(config).header_items()


@contextlib.contextmanager
def _upstream() -> Iterator[int]:
    """An application that sets its own, different value for every header we manage."""
    names = {n for c in [*PRESETS, "tricky"] for n, _ in _expected(_config(c))} | {"Server"}
    names |= {n for c in HOSTILE.values() for n, _ in _expected(c)}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response_only(200)
            for name in sorted(names):
                self.send_header(name, "from-upstream")
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"up")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _config(name: str, server: str = "") -> dict[str, object]:
    if name == "tricky":
        return TRICKY_CADDY if server == "caddy" else TRICKY
    if name == "hostile":
        return HOSTILE[server]
    return {"preset": name}


def _server_values(items: list[tuple[str, str]]) -> list[str]:
    return [v for n, v in items if n.lower() == "server"]


def _configures_server(config: dict[str, object]) -> bool:
    return any(n.lower() == "server" for n, _ in _expected(config))


@contextlib.contextmanager
def _running(
    argv: list[str], port: int, log: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    with log.open("w") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                pytest.fail(f"{argv[0]} exited with {process.returncode}:\n{log.read_text()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                pytest.fail(f"{argv[0]} did not listen on {port}:\n{log.read_text()}")
            time.sleep(0.05)
        yield
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _get(url: str) -> tuple[int, list[tuple[str, str]]]:
    request = urllib.request.Request(url)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, list(response.headers.items())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, list(exc.headers.items())


def _assert_exactly_once(
    items: list[tuple[str, str]], expected: list[tuple[str, str]], where: str
) -> None:
    for name, value in expected:
        if name.lower() == "server":
            continue  # each server's Server handling is asserted by its own test
        got = [v for n, v in items if n.lower() == name.lower()]
        assert got == [value], f"{where}: {name}: {got!r}"


CASES = [*PRESETS, "tricky", "hostile"]


def _check(base: str, config: dict[str, object], tmp_path: Path) -> dict[str, Any]:
    """``secure check`` of a server configured by ``secure show``, as a JSON report."""
    path = tmp_path / "expected.json"
    path.write_text(json.dumps(config))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["check", base + "/", "--config", str(path), "--format", "json"]) == 0
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


# -- nginx --------------------------------------------------------------------------------


@_needs("nginx")
@pytest.mark.parametrize("case", CASES)
def test_nginx(case: str, tmp_path: Path) -> None:
    config = _config(case, "nginx")
    snippet = _snippet("nginx", config, tmp_path)
    (tmp_path / "security-headers.conf").write_text(snippet)
    port = _free_port()
    with _upstream() as upstream:
        temp = " ".join(
            f"{kind}_temp_path {tmp_path / kind};"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        (tmp_path / "nginx.conf").write_text(
            f"""
daemon off;
pid {tmp_path / "nginx.pid"};
error_log stderr warn;
events {{}}
http {{
    access_log off;
    {temp}
    server {{
        listen 127.0.0.1:{port};
        include {tmp_path / "security-headers.conf"};
        location = / {{
            return 200 "ok";
        }}
        location / {{
            return 404;
        }}
        location /app/ {{
            proxy_pass http://127.0.0.1:{upstream}/;
        }}
    }}
}}
"""
        )
        nginx = _binary("nginx")
        assert nginx is not None
        check = subprocess.run(
            [nginx, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        argv = [nginx, "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")]
        with _running(argv, port, tmp_path / "nginx.log"):
            base = f"http://127.0.0.1:{port}"
            for path, status in [("/", 200), ("/app/", 200), ("/missing", 404)]:
                code, items = _get(base + path)
                assert code == status
                _assert_exactly_once(items, _expected(config), f"nginx {path}")
                if _configures_server(config):
                    # server_tokens off: the product name only, never the version.
                    assert _server_values(items) == ["nginx"]
            # The round trip: check finds what show configured (nginx keeps "Server: nginx").
            report = _check(base, config, tmp_path)
            assert report["missing"] == []
            assert [d["header"] for d in report["different"]] == (
                ["Server"] if _configures_server(config) else []
            )


# -- Apache httpd -------------------------------------------------------------------------


def _apache_modules() -> Path:
    for candidate in (
        "/usr/lib/apache2/modules",
        "/usr/lib64/httpd/modules",
        "/usr/lib/httpd/modules",
    ):
        if Path(candidate, "mod_headers.so").exists():
            return Path(candidate)
    pytest.skip("Apache modules (mod_headers.so) not found")


@_needs("apache2")
@pytest.mark.parametrize("case", CASES)
def test_apache(case: str, tmp_path: Path) -> None:
    config = _config(case, "apache")
    (tmp_path / "security-headers.conf").write_text(_snippet("apache", config, tmp_path))
    (tmp_path / "www").mkdir()
    (tmp_path / "www" / "index.html").write_text("<p>hi</p>")
    modules = _apache_modules()
    port = _free_port()
    load = "\n".join(
        f"LoadModule {name}_module {modules / f'mod_{name}.so'}"
        for name in ("mpm_event", "authz_core", "headers", "proxy", "proxy_http", "dir")
    )
    with _upstream() as upstream:
        (tmp_path / "httpd.conf").write_text(
            f"""
ServerRoot {tmp_path}
{load}
PidFile {tmp_path / "httpd.pid"}
ErrorLog /dev/stderr
Mutex file:{tmp_path} default
Listen 127.0.0.1:{port}
ServerName 127.0.0.1
ServerTokens Prod
DocumentRoot {tmp_path / "www"}
DirectoryIndex index.html
Include {tmp_path / "security-headers.conf"}
ProxyPass /app/ http://127.0.0.1:{upstream}/
"""
        )
        apache = _binary("apache2")
        assert apache is not None
        argv = [apache, "-f", str(tmp_path / "httpd.conf"), "-DFOREGROUND"]
        check = subprocess.run([*argv[:3], "-t"], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        with _running(argv, port, tmp_path / "apache.log"):
            base = f"http://127.0.0.1:{port}"
            for path, status, server in [
                ("/", 200, "Apache"),
                ("/missing", 404, "Apache"),
                ("/app/", 200, ""),  # proxied: the configured empty Server replaces upstream's
            ]:
                code, items = _get(base + path)
                assert code == status
                _assert_exactly_once(items, _expected(config), f"apache {path}")
                if _configures_server(config):
                    assert _server_values(items) == [server]


# -- Caddy --------------------------------------------------------------------------------


@_needs("caddy")
@pytest.mark.parametrize("case", CASES)
def test_caddy(case: str, tmp_path: Path) -> None:
    config = _config(case, "caddy")
    snippet = _snippet("caddy", config, tmp_path)
    port = _free_port()
    indented = "\n".join("\t" + line for line in snippet.splitlines())
    with _upstream() as upstream:
        (tmp_path / "Caddyfile").write_text(
            f"""{{
\tadmin off
\tauto_https off
}}

http://127.0.0.1:{port} {{
{indented}
\thandle_path /app/* {{
\t\treverse_proxy 127.0.0.1:{upstream}
\t}}
\trespond /missing "gone" 404
\trespond "ok"
}}
"""
        )
        caddy = _binary("caddy")
        assert caddy is not None
        env = {
            **os.environ,
            "HOME": str(tmp_path),
            "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
        }
        argv = [caddy, "run", "--config", str(tmp_path / "Caddyfile"), "--adapter", "caddyfile"]
        with _running(argv, port, tmp_path / "caddy.log", env=env):
            base = f"http://127.0.0.1:{port}"
            for path, status in [("/", 200), ("/app/", 200), ("/missing", 404)]:
                code, items = _get(base + path)
                assert code == status
                _assert_exactly_once(items, _expected(config), f"caddy {path}")
                if _configures_server(config):
                    # "-Server" deletes the field: neither Caddy's nor the upstream's is sent.
                    assert _server_values(items) == []
            report = _check(base, config, tmp_path)
            assert report["missing"] == []
            assert report["different"] == []


# -- Netlify and Vercel: the platforms' own parsers -------------------------------------------

NPM_PACKAGES = ["@netlify/headers-parser@10.1.1", "@vercel/routing-utils@6.6.0"]

# Netlify's build parses _headers with @netlify/headers-parser; Vercel validates the
# "headers" of vercel.json with the JSON schema in @vercel/routing-utils and compiles
# each rule's source with getTransformedRoutes.
PARSE_JS = """
import { parseAllHeaders } from "@netlify/headers-parser";
import routing from "@vercel/routing-utils";
import Ajv from "ajv";
import { readFileSync } from "node:fs";

const [kind, file] = process.argv.slice(2);
if (kind === "netlify") {
  const { headers, errors } = await parseAllHeaders({
    headersFiles: [file], configHeaders: [], minimal: false,
  });
  console.log(JSON.stringify({
    rules: headers.map((h) => ({ for: h.for, values: h.values })),
    errors: errors.map(String),
  }));
} else {
  const config = JSON.parse(readFileSync(file, "utf8"));
  const validate = new Ajv({ allErrors: true }).compile(routing.headersSchema);
  const valid = validate(config.headers);
  const result = routing.getTransformedRoutes({ headers: config.headers });
  console.log(JSON.stringify({
    errors: valid ? [] : validate.errors.map((e) => `${e.dataPath ?? e.instancePath} ${e.message}`),
    routes: result.routes,
    error: result.error,
  }));
}
"""


@pytest.fixture(scope="module")
def npm_parsers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js and npm are needed for the Netlify and Vercel parsers")
    where = tmp_path_factory.mktemp("npm")
    (where / "package.json").write_text('{"name": "secure-format-check", "private": true}')
    install = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", *NPM_PACKAGES],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if install.returncode != 0:
        pytest.skip(f"npm install {' '.join(NPM_PACKAGES)} failed:\n{install.stderr[-2000:]}")
    (where / "parse.mjs").write_text(PARSE_JS)
    return where


def _parse_with_node(where: Path, kind: str, text: str) -> dict[str, Any]:
    file = where / ("_headers" if kind == "netlify" else "vercel.json")
    file.write_text(text)
    result = subprocess.run(
        ["node", str(where / "parse.mjs"), kind, str(file)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def _without_server(config: dict[str, object]) -> dict[str, str]:
    return {n: v for n, v in _expected(config) if n.lower() != "server"}


@pytest.mark.parametrize("case", CASES)
def test_netlify_headers_parser(case: str, tmp_path: Path, npm_parsers: Path) -> None:
    config = _config(case, "netlify")
    parsed = _parse_with_node(npm_parsers, "netlify", _snippet("netlify", config, tmp_path))
    assert parsed["errors"] == []
    assert parsed["rules"] == [{"for": "/*", "values": _without_server(config)}]


@pytest.mark.parametrize("case", CASES)
def test_vercel_routing_utils(case: str, tmp_path: Path, npm_parsers: Path) -> None:
    config = _config(case, "vercel")
    parsed = _parse_with_node(npm_parsers, "vercel", _snippet("vercel", config, tmp_path))
    assert parsed["errors"] == []
    assert parsed["error"] is None
    (route,) = parsed["routes"]
    assert route["headers"] == _without_server(config)
    # The rule's source covers every path of the site.
    for path in ["/", "/index.html", "/a/b/c.js"]:
        assert re.fullmatch(route["src"], path), path
