"""What every response gets, whatever the app looked like when the middleware started.

The middleware decides each response's headers as the response starts: routes, rules
and mounts added after the app started are honoured, the documentation pages keep
their own policy, and Starlette's default 500 page gets the headers too.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route

from secure import NONCE, Secure
from secure.headers import ContentSecurityPolicy, XFrameOptions
from secure_fastapi import SecureHeaders, SecureMiddleware

BALANCED = dict(Secure.with_default_headers().header_items())
NO_REFERRER = SecureHeaders(headers={"Referrer-Policy": "no-referrer"})
WITH_NONCE = Secure(
    csp=ContentSecurityPolicy().default_src("'self'").script_src("'self'", NONCE),
    xfo=XFrameOptions().sameorigin(),
)


def plain_app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    def home() -> dict[str, str]:
        return {}

    return app


def test_router_with_rules_included_after_startup_gets_its_rules() -> None:
    app = plain_app()
    app.add_middleware(SecureMiddleware)
    with TestClient(app) as client:
        # The app started with no rule anywhere.
        assert client.get("/").headers["referrer-policy"] == BALANCED["Referrer-Policy"]
        router = APIRouter(dependencies=[Depends(NO_REFERRER)])

        @router.get("/late")
        def late() -> dict[str, str]:
            return {}

        app.include_router(router)
        response = client.get("/late")
    assert response.status_code == 200
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]


def test_app_created_with_rules_then_wrapped_before_routes() -> None:
    app = FastAPI()
    app.add_middleware(SecureMiddleware)
    router = APIRouter()

    @router.get("/r", dependencies=[Depends(NO_REFERRER)])
    def ruled() -> dict[str, str]:
        return {}

    app.include_router(router)
    with TestClient(app) as client:
        assert client.get("/r").headers.get_list("referrer-policy") == ["no-referrer"]


def test_mount_with_rules_added_after_startup() -> None:
    app = plain_app()
    app.add_middleware(SecureMiddleware)

    async def page(request: Request) -> PlainTextResponse:
        return PlainTextResponse("inner")

    inner = Starlette(routes=[Route("/page", page)])
    with TestClient(app) as client:
        client.get("/")
        app.mount("/embed", NO_REFERRER.wrap(inner))
        response = client.get("/embed/page")
    assert response.text == "inner"
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    # The other headers are the configuration's, once each.
    assert response.headers.get_list("x-frame-options") == [BALANCED["X-Frame-Options"]]


def test_rule_recorded_by_a_plain_endpoint_of_a_mounted_app() -> None:
    async def page(request: Request) -> PlainTextResponse:
        SecureHeaders(exempt=["X-Frame-Options"]).record(request.scope)
        return PlainTextResponse("inner")

    inner = Starlette(routes=[Route("/page", page)])
    app = Starlette(routes=[Mount("/sub", app=inner)])
    app.add_middleware(SecureMiddleware)
    with TestClient(app) as client:
        ruled = client.get("/sub/page")
        other = client.get("/sub/missing")
    assert "x-frame-options" not in ruled.headers
    assert ruled.headers.get_list("referrer-policy") == [BALANCED["Referrer-Policy"]]
    assert other.status_code == 404
    assert other.headers.get_list("x-frame-options") == [BALANCED["X-Frame-Options"]]


def test_docs_pages_keep_their_policy_beside_plain_routes() -> None:
    app = plain_app()
    app.add_middleware(SecureMiddleware)
    with TestClient(app) as client:
        home = client.get("/")
        docs = client.get("/docs")
        redoc = client.get("/redoc")
    assert home.headers.get_list("content-security-policy") == [BALANCED["Content-Security-Policy"]]
    for page in (docs, redoc):
        assert page.status_code == 200
        (csp,) = page.headers.get_list("content-security-policy")
        assert csp != BALANCED["Content-Security-Policy"]
        assert "cdn.jsdelivr.net" in csp


def test_default_500_page_gets_the_headers_every_time() -> None:
    async def boom(request: Request) -> PlainTextResponse:
        raise RuntimeError("boom")

    app = Starlette(routes=[Route("/boom", boom)])
    app.add_middleware(SecureMiddleware, secure=WITH_NONCE)
    nonces = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for _ in range(2):
            response = client.get("/boom")
            assert response.status_code == 500
            assert response.text == "Internal Server Error"
            (csp,) = response.headers.get_list("content-security-policy")
            assert "'nonce-" in csp
            nonces.append(csp.split("'nonce-", 1)[1].split("'", 1)[0])
            assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert nonces[0] != nonces[1]


def test_default_500_page_of_a_route_with_rules_keeps_the_rules() -> None:
    app = FastAPI()

    @app.get("/boom", dependencies=[Depends(NO_REFERRER)])
    def boom() -> None:
        raise RuntimeError("boom")

    app.add_middleware(SecureMiddleware)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
