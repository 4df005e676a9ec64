"""``secure check --scoring observatory`` agrees with the real MDN HTTP Observatory.

The npm package ``@mdn/mdn-http-observatory`` is installed into a cache directory
(``$SECURE_TEST_CACHE`` or ``~/.cache/secure-tests``), and ``observatory_score.mjs``
runs its tests and its scoring on each header set of the corpus below, as the one
response a scan would look at. Our implementation must reach the same result in every
test it evaluates, and the same score and grade. Without Node.js and npm the test is
skipped with the reason; with ``CI=true`` it fails instead.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from secure import Secure
from secure.cli import main
from secure.cli._observatory import observatory_grade, observatory_score

PACKAGE = "@mdn/mdn-http-observatory@1.4.8"
HERE = Path(__file__).parent

Headers = list[tuple[str, str]]

_CSP = "Content-Security-Policy"
_HSTS = ("Strict-Transport-Security", "max-age=31536000")
_BASE = [_HSTS, ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]


def _csp(policy: str) -> Headers:
    return [*_BASE, (_CSP, policy)]


def _cookie(cookie: str, *extra: tuple[str, str]) -> Headers:
    return [*_BASE, (_CSP, "default-src 'self'"), ("Set-Cookie", cookie), *extra]


#: (id, headers, https)
CORPUS: list[tuple[str, Headers, bool]] = [
    ("nothing", [], True),
    ("nothing over http", [], False),
    *[(f"preset {p}", Secure.from_preset(p).header_items(), True) for p in ("balanced", "basic")],
    ("preset strict", Secure.from_preset("strict").header_items(), True),
    ("preset strict over http", Secure.from_preset("strict").header_items(), False),
    ("csp default-src none", _csp("default-src 'none'"), True),
    ("csp default-src none and img", _csp("default-src 'none'; img-src 'self'"), True),
    ("csp unsafe-inline script", _csp("default-src 'self'; script-src 'unsafe-inline'"), True),
    ("csp data: script", _csp("script-src 'self' data:; object-src 'none'"), True),
    ("csp unsafe-eval", _csp("default-src 'self'; script-src 'self' 'unsafe-eval'"), True),
    (
        "csp nonce, strict-dynamic, unsafe-inline, https:",
        _csp("script-src 'nonce-abc' 'strict-dynamic' 'unsafe-inline' https:; object-src 'none'"),
        True,
    ),
    ("csp strict-dynamic without nonce", _csp("script-src 'strict-dynamic' 'self'"), True),
    ("csp hash and unsafe-inline", _csp("default-src 'self' 'sha256-abc' 'unsafe-inline'"), True),
    ("csp duplicate directive", _csp("default-src 'self'; default-src 'none'"), True),
    ("csp repeated report-uri", _csp("default-src 'none'; report-uri /a; report-uri /b"), True),
    ("csp too short", _csp("a"), True),
    ("csp empty script-src", _csp("default-src *; script-src; object-src 'none'"), True),
    ("csp object wildcard", _csp("default-src 'self'; object-src *"), True),
    ("csp http images", _csp("default-src 'self'; img-src http://img.example"), True),
    ("csp http images over http", _csp("default-src 'self'; img-src http:"), False),
    ("csp http script", _csp("default-src 'self'; script-src http://cdn.example"), True),
    ("csp style data:", _csp("default-src 'self'; style-src 'self' data:"), True),
    ("csp upper case", _csp("DEFAULT-SRC 'NONE'; Frame-Ancestors 'Self'"), True),
    (
        "csp report-only",
        [*_BASE, ("Content-Security-Policy-Report-Only", "default-src 'none'")],
        True,
    ),
    (
        "hsts short",
        [("Strict-Transport-Security", "max-age=300"), (_CSP, "default-src 'self'")],
        True,
    ),
    ("hsts no max-age", [("Strict-Transport-Security", "includeSubDomains")], True),
    ("hsts not a number", [("Strict-Transport-Security", 'max-age="31536000"')], True),
    ("hsts twice", [_HSTS, _HSTS], True),
    ("xfo allow-from", [_HSTS, ("X-Frame-Options", "ALLOW-FROM https://a.example")], True),
    ("xfo invalid", [_HSTS, ("X-Frame-Options", "yes")], True),
    ("xcto invalid", [_HSTS, ("X-Content-Type-Options", "sniff")], True),
    ("referrer unsafe", [*_csp("default-src 'self'"), ("Referrer-Policy", "unsafe-url")], True),
    (
        "referrer list",
        [*_csp("default-src 'self'"), ("Referrer-Policy", "unsafe-url, no-referrer, bogus")],
        True,
    ),
    ("referrer invalid", [*_csp("default-src 'self'"), ("Referrer-Policy", "never")], True),
    (
        "corp same-site",
        [*_csp("default-src 'none'"), ("Cross-Origin-Resource-Policy", "same-site")],
        True,
    ),
    (
        "corp cross-origin",
        [*_csp("default-src 'none'"), ("Cross-Origin-Resource-Policy", "cross-origin")],
        True,
    ),
    (
        "corp invalid",
        [*_csp("default-src 'none'"), ("Cross-Origin-Resource-Policy", "nobody")],
        True,
    ),
    ("cors public", [*_csp("default-src 'self'"), ("Access-Control-Allow-Origin", "*")], True),
    ("cookie all good", _cookie("sessionid=1; Secure; HttpOnly; SameSite=Lax"), True),
    ("cookie no samesite", _cookie("pref=1; Secure"), True),
    ("cookie not secure", _cookie("pref=1; SameSite=Strict"), True),
    ("cookie not secure, no hsts", [("Set-Cookie", "pref=1; SameSite=Strict")], True),
    ("session cookie not httponly", _cookie("sessionid=1; Secure; SameSite=Lax"), True),
    ("session cookie not secure", _cookie("login=1; HttpOnly; SameSite=Lax"), True),
    ("csrf cookie without samesite", _cookie("csrftoken=1; Secure"), True),
    ("cookie samesite invalid", _cookie("pref=1; Secure; SameSite=Sometimes"), True),
    ("cookie samesite none, not secure", _cookie("pref=1; SameSite=None"), True),
    (
        "two cookies",
        _cookie("a=1; Secure; SameSite=Lax", ("Set-Cookie", "sess=2; Secure; HttpOnly")),
        True,
    ),
]


def _observatory_dir() -> Path:
    cache = Path(os.environ.get("SECURE_TEST_CACHE", Path.home() / ".cache" / "secure-tests"))
    return cache / "observatory"


@pytest.fixture(scope="module")
def observatory() -> Path:
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        if os.environ.get("CI"):
            pytest.fail("Node.js and npm are needed to run the real HTTP Observatory")
        pytest.skip("Node.js and npm are needed to run the real HTTP Observatory")
    where = _observatory_dir()
    package = where / "node_modules" / "@mdn" / "mdn-http-observatory"
    if not (package / "package.json").exists():
        where.mkdir(parents=True, exist_ok=True)
        (where / "package.json").write_text('{"name": "observatory-oracle", "private": true}')
        # --ignore-scripts: its install scripts download the HSTS preload and TLD lists
        # and a CA bundle, none of which scoring a header set needs.
        install = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", PACKAGE],
            cwd=where,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if install.returncode != 0:
            message = f"npm install {PACKAGE} failed:\n{install.stderr[-2000:]}"
            if os.environ.get("CI"):
                pytest.fail(message)
            pytest.skip(message)
    # The HSTS test reads the preload list its install script would have fetched; an
    # empty one means "not preloaded", which is what secure check assumes.
    preload = package / "conf" / "hsts-preload.json"
    if not preload.exists():
        preload.write_text("{}")
    shutil.copy(HERE / "observatory_score.mjs", where / "observatory_score.mjs")
    return where


def _real(where: Path, corpus: list[tuple[str, Headers, bool]]) -> list[dict[str, Any]]:
    entries = [{"headers": headers, "https": https} for _, headers, https in corpus]
    result = subprocess.run(
        ["node", str(where / "observatory_score.mjs")],
        input=json.dumps(entries),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    scored: list[dict[str, Any]] = json.loads(result.stdout)
    return scored


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 20
    assert len({name for name, _, _ in CORPUS}) == len(CORPUS)


def test_same_results_score_and_grade_as_the_real_observatory(observatory: Path) -> None:
    real = _real(observatory, CORPUS)
    disagreements = []
    for (name, headers, https), theirs in zip(CORPUS, real, strict=True):
        tests, lines = observatory_score(headers, https=https)
        ours = {t.name: t.result for t in tests if t.result != "not-evaluated"}
        score = max(0, 100 - sum(line.points for line in lines))
        mine = {"tests": ours, "score": score, "grade": observatory_grade(score)}
        expected = {
            "tests": {test: theirs["tests"][test] for test in ours},
            "score": theirs["score"],
            "grade": theirs["grade"],
        }
        if mine != expected:
            disagreements.append((name, mine, expected))
        # What is not evaluated here scores 0 there too, on a header set alone.
        for test in ("redirection", "subresource-integrity"):
            assert theirs["tests"][test] in (
                "redirection-not-needed-no-http",
                "sri-not-implemented-but-no-scripts-loaded",
            )
    assert disagreements == []


def test_every_preset_gets_a_plus(observatory: Path) -> None:
    presets = [entry for entry in CORPUS if entry[0].startswith("preset ") and entry[2]]
    for theirs in _real(observatory, presets):
        assert theirs["grade"] == "A+"


# -- the command itself, over HTTP -------------------------------------------------------------


@contextlib.contextmanager
def _serving(headers: Headers) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response_only(200)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "text/html")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.parametrize("preset", ["balanced", "basic", "strict"])
def test_secure_check_reports_the_observatory_score(observatory: Path, preset: str) -> None:
    headers = Secure.from_preset(preset).header_items()
    with _serving(headers) as url:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = main(["check", url, "--scoring", "observatory", "--format", "json"])
    assert status == 0
    report = json.loads(out.getvalue())
    # Served over plain HTTP here, so HSTS counts as unavailable, on both sides.
    (theirs,) = _real(observatory, [(preset, headers, False)])
    assert (report["score"], report["grade"]) == (theirs["score"], theirs["grade"])
    assert report["scoring"] == "observatory"
