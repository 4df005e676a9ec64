"""secure-core's pytest plugin against real Flask apps, in one pytester sub-session.

A correct app passes the route walk and the assertion; each broken route (a dropped
header, a weakened value, a stale nonce, an inline script without the nonce) fails with
the message that names it.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

APPS = """
from flask import Flask, render_template_string

from secure_flask import Secure, exempt, override

CONFIG = {"preset": "balanced", "nonce": ["script-src"]}
PAGE = '<!doctype html><title>x</title>\\n<script nonce="{{ csp_nonce() }}">go()</script>'


def make_app(broken: bool = False) -> Flask:
    app = Flask(__name__)
    app.config["SECURE_HEADERS"] = CONFIG
    Secure(app)

    @app.get("/")
    def index():
        return render_template_string(PAGE)

    @app.get("/about")
    def about():
        return "plain text"

    @app.get("/items/<int:item>")
    def item(item):
        return render_template_string(PAGE)

    if not broken:
        return app

    @app.get("/dropped")
    @exempt("X-Frame-Options")
    def dropped():
        return render_template_string(PAGE)

    @app.get("/weakened")
    @override(csp_sources={"script-src": ["https://cdn.example"]})
    def weakened():
        return render_template_string(PAGE)

    @app.get("/stale-nonce")
    def stale_nonce():
        # a fragment cached with an earlier response's nonce
        return render_template_string(PAGE.replace("{{ csp_nonce() }}", "c3RhbGVub25jZXN0YWxl"))

    @app.get("/inline")
    def inline():
        return render_template_string(PAGE + "\\n<script>track()</script>")

    return app
"""

TESTS = """
from apps import CONFIG, make_app


def test_correct_app_every_route(secure_routes):
    reports = secure_routes(make_app(), CONFIG)
    assert [r.label for r in reports] == ["GET /", "GET /about"]


def test_correct_app_one_response(secure_headers):
    client = make_app().test_client()
    secure_headers(client.get("/items/3"), CONFIG)


def test_dropped_header(secure_routes):
    secure_routes(make_app(broken=True), CONFIG, paths=["/dropped"])


def test_weakened_value(secure_routes):
    secure_routes(make_app(broken=True), CONFIG, paths=["/weakened"])


def test_stale_nonce(secure_routes):
    secure_routes(make_app(broken=True), CONFIG, paths=["/stale-nonce"])


def test_inline_script(secure_routes):
    secure_routes(make_app(broken=True), CONFIG, paths=["/inline"])


def test_broken_app_every_route(secure_routes):
    secure_routes(make_app(broken=True), CONFIG)
"""


def test_plugin_with_flask(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(apps=APPS, test_flask_apps=TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=5)
    lines = result.stdout.lines
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: 1 of 1 routes fail the header check",
            "*GET /dropped does not match the given configuration:",
            "*  * X-Frame-Options: not sent",
            "*  - X-Frame-Options: SAMEORIGIN",
            "*  + X-Frame-Options: (not sent)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /weakened does not match the given configuration:",
            "*  * Content-Security-Policy: script-src allows https://cdn.example, which the "
            "configuration does not",
            "*  - Content-Security-Policy: script-src 'self' 'nonce-{nonce}'",
            "*  + Content-Security-Policy: script-src 'self' 'nonce-*' https://cdn.example",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /stale-nonce does not match the given configuration:",
            "*  * Content-Security-Policy: the nonce of <script> on line 2 is "
            "'c3RhbGVub25jZXN0YWxl', the header's is '*'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /inline does not match the given configuration:",
            "*  * Content-Security-Policy: inline <script> on line 3 is blocked by the policy "
            "('track()'): give it the response's nonce",
        ]
    )
    result.stdout.fnmatch_lines(["*AssertionError: 4 of 6 routes fail the header check"])
    assert not any("GET /about does not match" in line for line in lines)
