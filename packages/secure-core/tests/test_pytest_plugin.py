"""The pytest plugin (``secure_pytest``), run in pytester sub-sessions.

The framework packages' tests run it against real Flask, Django and FastAPI apps;
these tests cover what needs no framework: loading, options, the fixtures over plain
header lists, and ``--secure-check`` against a live server on 127.0.0.1.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest

from secure import Secure

pytest_plugins = ["pytester"]


def test_installing_the_package_enables_the_plugin(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    result.stdout.fnmatch_lines(["*HTTP security headers (secure-core)*", "*--secure-check=URL*"])


def test_an_unused_plugin_imports_nothing_and_prints_nothing(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import sys

        def test_nothing_loaded():
            assert not [m for m in sys.modules if m == "secure" or m.startswith("secure.")]
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    # pytest's own header lists the installed plugins; nothing else mentions us
    mentions = [
        line
        for line in result.outlines
        if "secure" in line.lower() and not line.startswith("plugins:")
    ]
    assert mentions == []


def test_the_fixtures_over_header_lists(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsecure_expected = strict\n")
    strict = dict(Secure.from_preset("strict").headers)
    pytester.makepyfile(
        f"""
        STRICT = {strict!r}

        def test_strict_passes(secure_headers):
            assert secure_headers(STRICT).ok

        def test_xfo_weakened(secure_headers):
            secure_headers({{**STRICT, "X-Frame-Options": "SAMEORIGIN"}})

        def test_balanced_by_argument(secure_headers):
            secure_headers(STRICT, "balanced")

        def test_routes_of_a_wsgi_callable(secure_routes):
            def app(environ, start_response):
                start_response("200 OK", list(STRICT.items()))
                return [b"ok"]

            assert len(secure_routes(app, paths=["/", "/about"])) == 2
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: the response does not match preset strict:",
            "*  * X-Frame-Options: 'SAMEORIGIN' instead of 'DENY'",
            "*  - X-Frame-Options: DENY",
            "*  + X-Frame-Options: SAMEORIGIN",
        ]
    )
    result.stdout.fnmatch_lines(["*AssertionError: the response does not match preset balanced:"])


def test_min_severity_option(pytester: pytest.Pytester) -> None:
    headers = dict(Secure.from_preset("balanced").headers)
    pytester.makepyfile(
        f"""
        def test_low_finding(secure_headers):
            secure_headers({headers!r})
        """
    )
    pytester.runpytest().assert_outcomes(passed=1)
    result = pytester.runpytest("--secure-min-severity=low")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*low: style-src allows 'unsafe-inline' [[]csp-style-*]"])
    pytester.makeini("[pytest]\nsecure_min_severity = urgent\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*secure_min_severity must be one of high, *got 'urgent'"])


def test_expected_file_is_relative_to_the_rootdir(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nsecure_expected = conf/secure.json\n")
    pytester.mkdir("conf").joinpath("secure.json").write_text('{"preset": "strict"}')
    headers = dict(Secure.from_preset("balanced").headers)
    pytester.mkdir("tests").joinpath("test_x.py").write_text(
        f"def test_x(secure_headers):\n    secure_headers({headers!r})\n"
    )
    result = pytester.runpytest("tests")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*does not match configuration */conf/secure.json:"])


# -- --secure-check against a live server ---------------------------------------------------


class _Handler(http.server.BaseHTTPRequestHandler):
    headers_to_send: ClassVar[list[tuple[str, str]]] = []

    def do_HEAD(self) -> None:
        self.send_response_only(200)  # no Server header of its own
        for name, value in self.headers_to_send:
            self.send_header(name, value)
        self.end_headers()

    def do_GET(self) -> None:
        self.do_HEAD()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def live() -> Iterator[type[_Handler]]:
    """A server on 127.0.0.1 that sends ``live.headers_to_send``; its URL is ``live.url``."""
    handler = type("Handler", (_Handler,), {"headers_to_send": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    handler.url = f"http://127.0.0.1:{server.server_address[1]}/"  # type: ignore[attr-defined]
    try:
        yield handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_secure_check_option_passes_a_good_site(pytester: pytest.Pytester, live: Any) -> None:
    live.headers_to_send = list(Secure.from_preset("strict").headers.items())
    result = pytester.runpytest("--secure-check", live.url, "--secure-expected=strict", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"*secure-check?{live.url}? PASSED*"])


def test_secure_check_option_fails_below_the_grade(pytester: pytest.Pytester, live: Any) -> None:
    live.headers_to_send = [("X-Frame-Options", "DENY")]
    pytester.makepyfile("def test_other():\n    pass\n")
    result = pytester.runpytest("--secure-check", live.url, "--secure-min-grade=C")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            f"secure check {live.url}: grade D (score 68) is below C:",
            "  -20  high: Content-Security-Policy: no Content-Security-Policy is sent",
            "  -10  medium: Strict-Transport-Security: no Strict-Transport-Security header",
            "  -2   low: X-Content-Type-Options: no X-Content-Type-Options: nosniff",
        ]
    )
    # -k deselects it like any other test
    pytester.runpytest("--secure-check", live.url, "-k", "other").assert_outcomes(passed=1)


def test_secure_grade_fixture(pytester: pytest.Pytester, live: Any) -> None:
    live.headers_to_send = list(Secure.from_preset("balanced").headers.items())
    pytester.makepyfile(
        f"""
        import pytest

        def test_grade(secure_grade):
            report = secure_grade({live.url!r}, "A", "balanced")
            assert report.grade in ("A", "A+")

        def test_strict(secure_grade):
            secure_grade({live.url!r}, "A+", "strict")

        def test_unknown_grade(secure_grade):
            with pytest.raises(ValueError, match="min_grade must be one of A"):
                secure_grade({live.url!r}, "Z")

        def test_unreachable(secure_grade):
            secure_grade("http://127.0.0.1:1/")
        """
    )
    result = pytester.runpytest()
    result.assert_outcomes(passed=2, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: secure check http://127.0.0.1:*/: grade * is below A+, "
            "compared with preset strict:",
        ]
    )
    result.stdout.fnmatch_lines(["*AssertionError: secure check http://127.0.0.1:1/: cannot*"])
