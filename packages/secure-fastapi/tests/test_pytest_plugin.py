"""secure-core's pytest plugin against real FastAPI and Starlette apps, in one pytester
sub-session.

A correct app passes the route walk and the assertion; each broken route (a dropped
header, a weakened value, a stale nonce, an inline script without the nonce) fails with
the message that names it.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

APPS = """
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.routing import Route

from secure_fastapi import CSPNonce, SecureHeaders, SecureMiddleware, csp_nonce

CONFIG = {"preset": "balanced", "nonce": ["script-src"]}


def page(nonce: str, extra: str = "") -> HTMLResponse:
    head = "<!doctype html><title>x</title>\\n"
    return HTMLResponse(f'{head}<script nonce="{nonce}">go()</script>{extra}')


def make_fastapi(broken: bool = False) -> FastAPI:
    app = FastAPI()
    app.add_middleware(SecureMiddleware, secure=CONFIG)

    @app.get("/")
    def index(nonce: CSPNonce) -> HTMLResponse:
        return page(nonce)

    @app.get("/items/{item}")
    def item(item: int, nonce: CSPNonce) -> HTMLResponse:
        return page(nonce)

    @app.post("/form")
    def form() -> dict[str, str]:
        return {}

    if not broken:
        return app

    @app.get("/dropped", dependencies=[Depends(SecureHeaders(exempt=["X-Frame-Options"]))])
    def dropped(nonce: CSPNonce) -> HTMLResponse:
        return page(nonce)

    weaker = SecureHeaders(csp_sources={"script-src": ["https://cdn.example"]})

    @app.get("/weakened", dependencies=[Depends(weaker)])
    def weakened(nonce: CSPNonce) -> HTMLResponse:
        return page(nonce)

    @app.get("/stale-nonce")
    def stale_nonce(nonce: CSPNonce) -> HTMLResponse:
        # a fragment cached with an earlier response's nonce
        return page("c3RhbGVub25jZXN0YWxl")

    @app.get("/inline")
    def inline(nonce: CSPNonce) -> HTMLResponse:
        return page(nonce, "\\n<script>track()</script>")

    return app


def starlette_page(request: Request) -> HTMLResponse:
    return page(csp_nonce(request))


def make_starlette() -> Starlette:
    return Starlette(
        routes=[Route("/", starlette_page), Route("/about", starlette_page)],
        middleware=[Middleware(SecureMiddleware, secure=CONFIG)],
    )
"""

TESTS = """
from fastapi.testclient import TestClient

from apps import CONFIG, make_fastapi, make_starlette


def test_correct_fastapi_every_route(secure_routes):
    reports = secure_routes(make_fastapi(), CONFIG)
    # FastAPI's /docs and /redoc have a policy of their own (secure_fastapi.DocsPolicy)
    assert [r.label for r in reports] == ["GET /openapi.json", "GET /"]


def test_correct_starlette_every_route(secure_routes):
    assert len(secure_routes(make_starlette(), CONFIG)) == 2


def test_correct_app_one_response(secure_headers):
    with TestClient(make_fastapi()) as client:
        secure_headers(client.get("/items/3"), CONFIG)


def test_dropped_header(secure_routes):
    secure_routes(make_fastapi(broken=True), CONFIG, paths=["/dropped"])


def test_weakened_value(secure_routes):
    secure_routes(make_fastapi(broken=True), CONFIG, paths=["/weakened"])


def test_stale_nonce(secure_routes):
    secure_routes(make_fastapi(broken=True), CONFIG, paths=["/stale-nonce"])


def test_inline_script(secure_routes):
    secure_routes(make_fastapi(broken=True), CONFIG, paths=["/inline"])


def test_broken_app_every_route(secure_routes):
    secure_routes(make_fastapi(broken=True), CONFIG)
"""


def test_plugin_with_fastapi_and_starlette(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(apps=APPS, test_fastapi_apps=TESTS)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=5)
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
