"""``secure check`` scoring: the Observatory mode's results, the SARIF log, the report.

The Observatory results below are what ``@mdn/mdn-http-observatory`` 1.4.8 gives for
the same header sets; ``tests-integration/test_observatory_agreement.py`` checks a
larger corpus against the package itself.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest

from secure import Secure
from secure.audit import RULES
from secure.cli import main
from secure.cli._check import Fetched, build_report
from secure.cli._observatory import (
    MODIFIERS,
    OBSERVATORY_GRADES,
    observatory_grade,
    observatory_score,
    observatory_tests,
)
from secure.cli._sarif import sarif_log

HSTS = ("Strict-Transport-Security", "max-age=31536000")
BASE = [HSTS, ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY")]


def _csp(policy: str) -> list[tuple[str, str]]:
    return [*BASE, ("Content-Security-Policy", policy)]


def _cookie(cookie: str) -> list[tuple[str, str]]:
    return [*BASE, ("Content-Security-Policy", "default-src 'self'"), ("Set-Cookie", cookie)]


CASES = [
    # (headers, https, test, result, score, grade)
    ([], True, "content-security-policy", "csp-not-implemented", 30, "D"),
    (Secure.from_preset("balanced").header_items(), True, "x-frame-options",
     "x-frame-options-implemented-via-csp", 120, "A+"),
    (Secure.from_preset("strict").header_items(), True, "content-security-policy",
     "csp-implemented-with-no-unsafe", 115, "A+"),
    (Secure.from_preset("strict").header_items(), False, "strict-transport-security",
     "hsts-not-implemented-no-https", 80, "B+"),
    (_csp("default-src 'none'"), True, "content-security-policy",
     "csp-implemented-with-no-unsafe-default-src-none", 110, "A+"),
    (_csp("default-src 'self'; script-src 'unsafe-inline'"), True, "content-security-policy",
     "csp-implemented-with-unsafe-inline", 80, "B+"),
    (_csp("default-src 'self'; script-src 'self' 'unsafe-eval'"), True,
     "content-security-policy", "csp-implemented-with-unsafe-eval", 90, "A"),
    (_csp("script-src 'nonce-abc' 'strict-dynamic' 'unsafe-inline' https:; object-src 'none'"),
     True, "content-security-policy", "csp-implemented-with-unsafe-inline-in-style-src-only",
     100, "A+"),
    (_csp("script-src 'strict-dynamic' 'self'"), True, "content-security-policy",
     "csp-header-invalid", 75, "B"),
    (_csp("default-src 'self'; default-src 'none'"), True, "content-security-policy",
     "csp-header-invalid", 75, "B"),
    (_csp("default-src 'none'; report-uri /a; report-uri /b"), True, "content-security-policy",
     "csp-implemented-but-duplicate-directives", 100, "A+"),
    (_csp("a"), True, "content-security-policy", "csp-header-invalid", 75, "B"),
    (_csp("default-src 'self'; img-src http://img.example"), True, "content-security-policy",
     "csp-implemented-with-insecure-scheme-in-passive-content-only", 90, "A"),
    (_csp("default-src 'self'; script-src http://cdn.example"), True, "content-security-policy",
     "csp-implemented-with-insecure-scheme", 80, "B+"),
    (_csp("default-src 'self'; object-src *"), True, "content-security-policy",
     "csp-implemented-with-unsafe-inline", 80, "B+"),
    ([*BASE, ("Content-Security-Policy-Report-Only", "default-src 'none'")], True,
     "content-security-policy", "csp-not-implemented-but-reporting-enabled", 75, "B"),
    ([("Strict-Transport-Security", "max-age=300"),
      ("Content-Security-Policy", "default-src 'self'")], True, "strict-transport-security",
     "hsts-implemented-max-age-less-than-six-months", 65, "B-"),
    ([("Strict-Transport-Security", "includeSubDomains")], True, "strict-transport-security",
     "hsts-header-invalid", 30, "D"),
    ([("Strict-Transport-Security", 'max-age="31536000"')], True, "strict-transport-security",
     "hsts-implemented-max-age-at-least-six-months", 50, "C"),
    ([HSTS, HSTS], True, "strict-transport-security", "hsts-header-invalid", 30, "D"),
    ([HSTS, ("X-Frame-Options", "ALLOW-FROM https://a.example")], True, "x-frame-options",
     "x-frame-options-allow-from-origin", 70, "B"),
    ([HSTS, ("X-Frame-Options", "yes")], True, "x-frame-options",
     "x-frame-options-header-invalid", 50, "C"),
    ([HSTS, ("X-Content-Type-Options", "sniff")], True, "x-content-type-options",
     "x-content-type-options-header-invalid", 50, "C"),
    ([*_csp("default-src 'self'"), ("Referrer-Policy", "unsafe-url, no-referrer, bogus")], True,
     "referrer-policy", "referrer-policy-private", 110, "A+"),
    ([*_csp("default-src 'self'"), ("Referrer-Policy", "unsafe-url")], True, "referrer-policy",
     "referrer-policy-unsafe", 100, "A+"),
    ([*_csp("default-src 'self'"), ("Referrer-Policy", "never")], True, "referrer-policy",
     "referrer-policy-header-invalid", 100, "A+"),
    ([*_csp("default-src 'none'"), ("Cross-Origin-Resource-Policy", "same-site")], True,
     "cross-origin-resource-policy", "corp-implemented-with-same-site", 120, "A+"),
    ([*_csp("default-src 'none'"), ("Cross-Origin-Resource-Policy", "nobody")], True,
     "cross-origin-resource-policy", "corp-header-invalid", 105, "A+"),
    ([*_csp("default-src 'self'"), ("Access-Control-Allow-Origin", "*")], True,
     "cross-origin-resource-sharing",
     "cross-origin-resource-sharing-implemented-with-public-access", 105, "A+"),
    ([*_csp("default-src 'self'"), ("Access-Control-Allow-Origin", "https://a.example")], True,
     "cross-origin-resource-sharing",
     "cross-origin-resource-sharing-implemented-with-restricted-access", 105, "A+"),
    (_cookie("sessionid=1; Secure; HttpOnly; SameSite=Lax"), True, "cookies",
     "cookies-secure-with-httponly-sessions-and-samesite", 110, "A+"),
    (_cookie("pref=1; Secure"), True, "cookies", "cookies-secure-with-httponly-sessions", 105,
     "A+"),
    (_cookie("pref=1; SameSite=Strict"), True, "cookies",
     "cookies-without-secure-flag-but-protected-by-hsts", 100, "A+"),
    ([("Set-Cookie", "pref=1; SameSite=Strict")], True, "cookies",
     "cookies-without-secure-flag", 10, "F"),
    (_cookie("sessionid=1; Secure; SameSite=Lax"), True, "cookies",
     "cookies-session-without-httponly-flag", 70, "B"),
    (_cookie("login=1; HttpOnly; SameSite=Lax"), True, "cookies",
     "cookies-session-without-secure-flag-but-protected-by-hsts", 95, "A"),
    (_cookie("csrftoken=1; Secure"), True, "cookies", "cookies-anticsrf-without-samesite-flag",
     80, "B+"),
    (_cookie("pref=1; Secure; SameSite=Sometimes"), True, "cookies",
     "cookies-samesite-flag-invalid", 80, "B+"),
    (_cookie("pref=1; SameSite=None"), True, "cookies", "cookies-samesite-flag-invalid", 80,
     "B+"),
    (_cookie("no-equals-sign"), True, "cookies", "cookies-not-found", 105, "A+"),
]  # fmt: skip


@pytest.mark.parametrize(("headers", "https", "test", "result", "score", "grade"), CASES)
def test_observatory_results_scores_and_grades(
    headers: list[tuple[str, str]], https: bool, test: str, result: str, score: int, grade: str
) -> None:
    tests, lines = observatory_score(headers, https=https)
    assert {t.name: t.result for t in tests}[test] == result
    total = max(0, 100 - sum(line.points for line in lines))
    assert (total, observatory_grade(total)) == (score, grade)


def test_bonuses_count_only_from_ninety() -> None:
    # CSP default-src 'none' (+10), CORP (+10), referrer (+5), but no HSTS (-20), no
    # nosniff (-5) and no framing protection (-20): 55 before bonuses, so no bonus.
    headers = [
        ("Content-Security-Policy", "default-src 'none'"),
        ("Cross-Origin-Resource-Policy", "same-origin"),
        ("Referrer-Policy", "no-referrer"),
    ]
    _, lines = observatory_score(headers, https=True)
    assert all(line.points > 0 for line in lines)
    assert 100 - sum(line.points for line in lines) == 55


def test_every_result_has_a_modifier_and_every_grade_a_floor() -> None:
    for test in observatory_tests([], https=True):
        assert test.result in MODIFIERS
    assert [observatory_grade(floor) for _, floor in OBSERVATORY_GRADES] == [
        grade for grade, _ in OBSERVATORY_GRADES
    ]
    assert observatory_grade(145) == "A+"
    assert observatory_grade(-5) == "F"


# -- the command with --scoring observatory and --format sarif -----------------------------------


@contextlib.contextmanager
def serving(headers: list[tuple[str, str]]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            self.send_response_only(200)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def test_observatory_text_report_and_gate() -> None:
    with serving(Secure.from_preset("strict").header_items()) as url:
        status, out, _ = run("check", url, "--scoring", "observatory")
        # Over plain HTTP the Observatory counts HSTS as unavailable: 80, B+.
        assert status == 0
        assert "HTTP Observatory tests" in out
        assert "   -20  strict-transport-security: hsts-not-implemented-no-https" in out
        assert "Score 80, grade B+ (HTTP Observatory scoring)" in out
        assert "  +5   content-security-policy: csp-implemented-with-no-unsafe (bonus)" not in out
        status, _, err = run("check", url, "--scoring", "observatory", "--fail-under", "A-")
        assert status == 1 and "grade B+ is below the required A-" in err
        assert run("check", url, "--scoring", "observatory", "--fail-under", "B+")[0] == 0


def test_observatory_json_lists_every_test() -> None:
    with serving(Secure.from_preset("balanced").header_items()) as url:
        _, out, _ = run("check", url, "--scoring", "observatory", "--format", "json")
    report = json.loads(out)
    assert report["scoring"] == "observatory"
    assert len(report["tests"]) == 10
    assert report["score"] == 100 - sum(d["points"] for d in report["deductions"])


def test_sarif_log_shape() -> None:
    headers = [
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "script-src 'self' 'unsafe-inline'"),
        ("X-XSS-Protection", "1; mode=block"),
    ]
    with serving(headers) as url:
        status, out, _ = run("check", url, "--format", "sarif", "--preset", "strict")
    assert status == 0
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    (sarif_run,) = log["runs"]
    driver = sarif_run["tool"]["driver"]
    assert driver["name"] == "secure check"
    ids = [rule["id"] for rule in driver["rules"]]
    assert set(RULES) <= set(ids) and len(ids) == len(set(ids))
    results = sarif_run["results"]
    assert {r["ruleId"] for r in results} >= {
        "csp-unsafe-inline",
        "xxss-enabled",
        "secure-check/missing-header",
        "secure-check/different-value",
    }
    for result in results:
        # SARIF 2.1.0 §3.27: ruleIndex points at the rule; level is one of four values.
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"].startswith(url)
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uri"] == url
    assert sarif_run["properties"]["grade"] in ("A+", "A", "B", "C", "D", "F")


def test_sarif_locations_point_at_the_config_file() -> None:
    fetched = Fetched("http://t/", "http://t/", "HEAD", 200, ())
    report = build_report(fetched, [("X-Frame-Options", "DENY", False)], expectation="c")
    log = sarif_log(report, version="1", config="secure.toml")
    results = log["runs"][0]["results"]  # type: ignore[index]
    assert results
    for result in results:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == "secure.toml"
