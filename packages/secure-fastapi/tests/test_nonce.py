"""CSP nonces: one per request, the same in the handler, the template and the header."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import httpx
import jinja2
import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from secure import NONCE, Secure
from secure.headers import ContentSecurityPolicy
from secure.middleware import SecureASGIMiddleware
from secure_fastapi import CSPNonce, SecureHeaders, SecureMiddleware, csp_nonce, install_csp_nonce

ParseCSP = Callable[[str], dict[str, list[str]]]

WITH_NONCE = Secure(
    csp=ContentSecurityPolicy()
    .default_src("'self'")
    .script_src("'self'", NONCE)
    .style_src("'self'", NONCE)
)

PAGE = (
    '<script nonce="{{ csp_nonce() }}">run()</script><style nonce="{{ csp_nonce() }}">p {}</style>'
)


def header_nonces(response: Any, parse_csp: ParseCSP) -> set[str]:
    policy = parse_csp(response.headers["content-security-policy"])
    return {
        source[len("'nonce-") : -1]
        for sources in policy.values()
        for source in sources
        if source.startswith("'nonce-")
    }


def nonce_app(secure: Any = WITH_NONCE) -> FastAPI:
    templates = install_csp_nonce(
        Jinja2Templates(env=jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE})))
    )
    app = FastAPI()

    @app.get("/handler")
    def handler(request: Request, nonce: CSPNonce) -> dict[str, str]:
        return {"dependency": nonce, "state": request.state.csp_nonce}

    @app.get("/template")
    def template(request: Request) -> Response:
        return templates.TemplateResponse(request, "page.html")

    @app.get(
        "/route-slot", dependencies=[Depends(SecureHeaders(csp_sources={"script-src": [NONCE]}))]
    )
    def route_slot(request: Request, nonce: CSPNonce) -> dict[str, str]:
        return {"dependency": nonce, "state": request.state.csp_nonce}

    @app.get("/reassign")
    def reassign(request: Request) -> dict[str, str]:
        request.state.csp_nonce = "chosen-by-the-app"
        return {}

    app.add_middleware(SecureMiddleware, secure=secure)
    return app


def test_handler_dependency_state_and_header_agree(parse_csp: ParseCSP) -> None:
    response = TestClient(nonce_app()).get("/handler")
    body = response.json()
    assert body["dependency"] == body["state"]
    assert header_nonces(response, parse_csp) == {body["dependency"]}
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", body["dependency"])


def test_template_and_header_agree(parse_csp: ParseCSP) -> None:
    response = TestClient(nonce_app()).get("/template")
    nonces = set(re.findall(r'nonce="([^"]+)"', response.text))
    assert len(nonces) == 1
    assert header_nonces(response, parse_csp) == nonces


def test_a_fresh_nonce_for_every_request() -> None:
    client = TestClient(nonce_app())
    seen = {client.get("/handler").json()["dependency"] for _ in range(20)}
    assert len(seen) == 20


def test_concurrent_requests_never_share_a_nonce(parse_csp: ParseCSP) -> None:
    async def fetch_all() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=nonce_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get("/handler") for _ in range(25)))

    responses = asyncio.run(fetch_all())
    nonces = [r.json()["dependency"] for r in responses]
    assert len(set(nonces)) == len(nonces)
    for response, nonce in zip(responses, nonces, strict=True):
        assert header_nonces(response, parse_csp) == {nonce}


def test_route_rule_adds_a_nonce_slot(parse_csp: ParseCSP) -> None:
    response = TestClient(nonce_app(secure=None)).get("/route-slot")
    body = response.json()
    assert body["dependency"] == body["state"]
    assert header_nonces(response, parse_csp) == {body["dependency"]}
    policy = parse_csp(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'", f"'nonce-{body['dependency']}'"]


def test_nonce_on_a_route_without_a_slot_is_an_error() -> None:
    # The BALANCED policy has no nonce slot: a nonce in the page would not be in the
    # header, and the browser would block the script it marks.
    client = TestClient(nonce_app(secure=None))
    with pytest.raises(RuntimeError, match="no nonce slot"):
        client.get("/handler")
    response = TestClient(client.app, raise_server_exceptions=False).get("/handler")
    assert response.status_code == 500
    assert "'nonce-" not in response.headers["content-security-policy"]


def test_nonce_on_a_route_whose_rule_replaces_the_policy_is_an_error() -> None:
    app = FastAPI()

    @app.get("/", dependencies=[Depends(SecureHeaders(csp="default-src 'self'"))])
    def index(nonce: CSPNonce) -> dict[str, str]:
        return {"nonce": nonce}

    app.add_middleware(SecureMiddleware, secure=WITH_NONCE)
    with pytest.raises(RuntimeError, match="no nonce slot"):
        TestClient(app).get("/")


def test_nonce_on_a_route_without_a_csp_is_a_value() -> None:
    # No CSP on this route: nothing blocks the page's scripts, so the nonce is harmless.
    app = FastAPI()

    @app.get("/", dependencies=[Depends(SecureHeaders(exempt=["Content-Security-Policy"]))])
    def index(request: Request, nonce: CSPNonce) -> dict[str, str]:
        return {"nonce": nonce, "state": request.state.csp_nonce}

    app.add_middleware(SecureMiddleware)
    response = TestClient(app).get("/")
    assert response.json()["nonce"] == response.json()["state"]
    assert "content-security-policy" not in response.headers


def test_nonce_with_only_the_core_middleware(parse_csp: ParseCSP) -> None:
    async def page(request: Request) -> Response:
        return PlainTextResponse(csp_nonce(request))

    with_slot = SecureASGIMiddleware(Starlette(routes=[Route("/", page)]), secure=WITH_NONCE)
    response = TestClient(with_slot).get("/")
    assert header_nonces(response, parse_csp) == {response.text}
    without = SecureASGIMiddleware(Starlette(routes=[Route("/", page)]))
    with pytest.raises(RuntimeError, match="no nonce slot"):
        TestClient(without).get("/")


def test_reassigning_the_nonce_is_an_error() -> None:
    client = TestClient(nonce_app(), raise_server_exceptions=False)
    with pytest.raises(RuntimeError, match="never assign it"):
        TestClient(client.app).get("/reassign")
    # The error page still carries the headers, with the nonce the middleware chose.
    response = client.get("/reassign")
    assert response.status_code == 500
    assert "'nonce-" in response.headers["content-security-policy"]


def test_configuration_dict_nonce(parse_csp: ParseCSP) -> None:
    response = TestClient(nonce_app(secure={"nonce": True})).get("/handler")
    assert header_nonces(response, parse_csp) == {response.json()["dependency"]}


def test_plain_starlette_csp_nonce(parse_csp: ParseCSP) -> None:
    async def page(request: Request) -> Response:
        return JSONResponse({"nonce": csp_nonce(request), "state": request.state.csp_nonce})

    app = Starlette(
        routes=[Route("/", page)],
        middleware=[Middleware(SecureMiddleware, secure=WITH_NONCE)],
    )
    response = TestClient(app).get("/")
    body = response.json()
    assert body["nonce"] == body["state"]
    assert header_nonces(response, parse_csp) == {body["nonce"]}


def test_outer_core_middleware_shares_its_nonce(parse_csp: ParseCSP) -> None:
    async def page(request: Request) -> Response:
        return PlainTextResponse(csp_nonce(request))

    inner = Starlette(
        routes=[Route("/", page)],
        middleware=[Middleware(SecureMiddleware, secure=WITH_NONCE)],
    )
    outer = SecureASGIMiddleware(
        inner,
        secure=Secure(
            csp=ContentSecurityPolicy().report_only().script_src("'self'", NONCE),
        ),
    )
    response = TestClient(outer).get("/")
    report_only = parse_csp(response.headers["content-security-policy-report-only"])
    assert header_nonces(response, parse_csp) == {response.text}
    assert report_only["script-src"] == ["'self'", f"'nonce-{response.text}'"]


def test_template_without_request_in_context() -> None:
    templates = install_csp_nonce(
        Jinja2Templates(env=jinja2.Environment(loader=jinja2.DictLoader({"page.html": PAGE})))
    )
    with pytest.raises(RuntimeError, match="TemplateResponse"):
        templates.get_template("page.html").render()


def test_html_response_with_nonce(parse_csp: ParseCSP) -> None:
    app = FastAPI()

    @app.get("/")
    def index(nonce: CSPNonce) -> HTMLResponse:
        return HTMLResponse(f"<script nonce='{nonce}'>run()</script>")

    app.add_middleware(SecureMiddleware, secure=WITH_NONCE)
    response = TestClient(app).get("/")
    assert header_nonces(response, parse_csp) == set(re.findall(r"nonce='([^']+)'", response.text))


def test_public_names() -> None:
    import secure_fastapi

    assert sorted(secure_fastapi.__all__) == [
        "CSPNonce",
        "DocsPolicy",
        "SecureHeaders",
        "SecureMiddleware",
        "collect_reports",
        "csp_nonce",
        "install_csp_nonce",
        "reports_route",
    ]
    assert secure_fastapi.CSPNonce is CSPNonce
    with pytest.raises(AttributeError, match="Nope"):
        secure_fastapi.Nope  # noqa: B018
