"""FastAPI's /docs and /redoc pages under the default preset: the CSP they are sent.

Each test reads the HTML FastAPI actually serves, hashes its inline scripts here (not
with the code under test) and checks the page's CSP allows exactly those scripts and
the origins the page loads from.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.routing import Mount

from secure import Secure
from secure_fastapi import DocsPolicy, SecureMiddleware

BALANCED = Secure.with_default_headers().header_items()
BALANCED_CSP = dict(BALANCED)["Content-Security-Policy"]
Check = Callable[..., None]
ParseCSP = Callable[[str], dict[str, list[str]]]

_INLINE = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_SCRIPT_SRC = re.compile(r'<script src="([^"]+)"')
_STYLESHEET = re.compile(r'<link[^>]*rel="stylesheet"[^>]*|<link[^>]*type="text/css"[^>]*')
_ICON = re.compile(r'<link rel="shortcut icon" href="([^"]+)"')


def sha256_source(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.netloc else "'self'"


def href(tag: str) -> str:
    found = re.search(r'href="([^"]+)"', tag)
    assert found is not None
    return found.group(1)


def assert_page_allowed(response: Any, parse_csp: ParseCSP) -> dict[str, list[str]]:
    """Every script, stylesheet and icon of the page is allowed; nothing inline is open."""
    policy = parse_csp(response.headers["content-security-policy"])
    html = response.text
    scripts = policy.get("script-src", policy["default-src"])
    for script in _INLINE.findall(html):
        assert sha256_source(script) in scripts
    for url in _SCRIPT_SRC.findall(html):
        assert origin(url) in scripts
    for tag in _STYLESHEET.findall(html):
        assert origin(href(tag)) in policy["style-src"]
    for url in _ICON.findall(html):
        assert origin(url) in policy["img-src"]
    assert "'unsafe-inline'" not in scripts
    assert "'unsafe-eval'" not in scripts
    assert policy.get("object-src", policy["default-src"]) == ["'none'"]
    return policy


def docs_app(**options: Any) -> FastAPI:
    middleware = options.pop("middleware", {})
    app = FastAPI(**options)

    @app.get("/items")
    def items() -> list[int]:
        return [1]

    app.add_middleware(SecureMiddleware, **middleware)
    return app


APPS = {
    "default": {},
    "parameters": {
        "swagger_ui_parameters": {"deepLinking": False, "syntaxHighlight": {"theme": "obsidian"}}
    },
    "oauth": {"swagger_ui_init_oauth": {"clientId": "docs", "scopes": "read </script>"}},
    "no-redirect": {"swagger_ui_oauth2_redirect_url": None},
    "urls": {"openapi_url": "/api/schema.json", "docs_url": "/api/docs", "redoc_url": "/api/r"},
}


@pytest.mark.parametrize("options", APPS.values(), ids=list(APPS))
def test_swagger_ui_inline_script_hash_is_in_the_csp(
    options: dict[str, Any], check: Check, parse_csp: ParseCSP
) -> None:
    app = docs_app(**options)
    response = TestClient(app).get(app.docs_url or "")
    assert response.status_code == 200
    inline = _INLINE.findall(response.text)
    assert len(inline) == 1 and "SwaggerUIBundle" in inline[0]
    policy = assert_page_allowed(response, parse_csp)
    assert policy["script-src"] == ["https://cdn.jsdelivr.net", sha256_source(inline[0])]
    assert policy["connect-src"] == ["'self'"]
    # Only the CSP changes: every other header is the app's.
    check(response, [h for h in BALANCED if h[0] != "Content-Security-Policy"])
    # The schema the page loads is an ordinary response with the app's CSP.
    schema = TestClient(app).get(app.openapi_url or "")
    assert schema.headers["content-security-policy"] == BALANCED_CSP


@pytest.mark.parametrize("options", APPS.values(), ids=list(APPS))
def test_redoc_csp(options: dict[str, Any], parse_csp: ParseCSP) -> None:
    app = docs_app(**options)
    response = TestClient(app).get(app.redoc_url or "")
    assert response.status_code == 200
    assert _INLINE.findall(response.text) == []
    policy = assert_page_allowed(response, parse_csp)
    assert policy["script-src"] == ["https://cdn.jsdelivr.net"]
    assert policy["worker-src"] == ["'self'", "blob:"]
    assert "'unsafe-inline'" in policy["style-src"]
    assert policy["font-src"] == ["'self'", "https://fonts.gstatic.com"]


def test_oauth2_redirect_page(parse_csp: ParseCSP) -> None:
    response = TestClient(docs_app()).get("/docs/oauth2-redirect")
    policy = assert_page_allowed(response, parse_csp)
    (script,) = _INLINE.findall(response.text)
    assert policy["script-src"] == [sha256_source(script)]
    assert policy["default-src"] == ["'none'"]


def test_root_path_changes_the_hash(parse_csp: ParseCSP) -> None:
    app = docs_app()
    plain = TestClient(app).get("/docs")
    proxied = TestClient(app, root_path="/behind-proxy").get("/docs")
    assert "/behind-proxy/openapi.json" in proxied.text
    assert_page_allowed(proxied, parse_csp)
    assert plain.headers["content-security-policy"] != proxied.headers["content-security-policy"]
    # Both variants stay cached and correct.
    assert_page_allowed(TestClient(app).get("/docs"), parse_csp)


def test_mounted_fastapi_docs(parse_csp: ParseCSP) -> None:
    api = FastAPI()
    outer = Starlette(routes=[Mount("/v1", api)])
    client = TestClient(SecureMiddleware(outer))
    response = client.get("/v1/docs")
    assert "/v1/openapi.json" in response.text
    assert_page_allowed(response, parse_csp)
    assert_page_allowed(client.get("/v1/redoc"), parse_csp)


def test_mounted_fastapi_docs_with_add_middleware(parse_csp: ParseCSP) -> None:
    api = FastAPI()
    app = docs_app()
    app.mount("/v2", api)
    client = TestClient(app)
    response = client.get("/v2/docs")
    assert "/v2/openapi.json" in response.text
    assert_page_allowed(response, parse_csp)
    assert_page_allowed(client.get("/docs"), parse_csp)
    assert client.get("/v2/openapi.json").headers["content-security-policy"] == BALANCED_CSP


def test_self_hosted_assets(parse_csp: ParseCSP) -> None:
    policy = DocsPolicy(assets="'self'", favicon=["'self'"], connect="https://api.example")
    response = TestClient(docs_app(middleware={"docs": policy})).get("/docs")
    csp = parse_csp(response.headers["content-security-policy"])
    assert csp["script-src"][0] == "'self'"
    assert "https://cdn.jsdelivr.net" not in response.headers["content-security-policy"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["connect-src"] == ["'self'", "https://api.example"]


def test_custom_docs_route_with_self_hosted_assets(parse_csp: ParseCSP) -> None:
    from fastapi import Depends

    app = FastAPI(docs_url=None, redoc_url=None)
    docs = DocsPolicy(assets="'self'", favicon="'self'")

    @app.get(
        "/docs",
        include_in_schema=False,
        dependencies=[Depends(docs.swagger_ui(openapi_url="/openapi.json"))],
    )
    def custom_swagger_ui() -> Any:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="API",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url="/static/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui.css",
            swagger_favicon_url="/static/favicon.png",
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[Depends(docs.redoc())])
    def custom_redoc() -> Any:
        return get_redoc_html(
            openapi_url="/openapi.json",
            title="API",
            redoc_js_url="/static/redoc.js",
            redoc_favicon_url="/static/favicon.png",
        )

    app.add_middleware(SecureMiddleware)
    client = TestClient(app)
    swagger = assert_page_allowed(client.get("/docs"), parse_csp)
    assert swagger["style-src"] == ["'self'", "'unsafe-inline'"]
    redoc = assert_page_allowed(client.get("/redoc"), parse_csp)
    assert redoc["script-src"] == ["'self'"]


def test_docs_false_keeps_the_app_csp() -> None:
    response = TestClient(docs_app(middleware={"docs": False})).get("/docs")
    assert response.headers["content-security-policy"] == BALANCED_CSP


def test_app_without_csp_sends_no_docs_csp() -> None:
    app = docs_app(middleware={"secure": {"csp": False}})
    response = TestClient(app).get("/docs")
    assert "content-security-policy" not in response.headers
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


def test_other_routes_are_not_docs_pages() -> None:
    app = docs_app()

    @app.post("/docs")
    def not_the_docs() -> dict[str, str]:
        return {}

    client = TestClient(app)
    assert client.get("/items").headers["content-security-policy"] == BALANCED_CSP
    assert client.post("/docs").headers["content-security-policy"] == BALANCED_CSP


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"assets": "https://cdn.example; script-src *"}, "script-src"),
        ({"favicon": [1]}, "favicon"),
        ({"connect": "bad\nsource"}, "connect-src"),
    ],
)
def test_bad_docs_policy(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        DocsPolicy(**kwargs)


def test_docs_policy_values() -> None:
    policy = DocsPolicy()
    assert policy.assets == ("https://cdn.jsdelivr.net",)
    assert policy == DocsPolicy(assets=["https://cdn.jsdelivr.net"])
    assert "fonts.googleapis.com" not in policy.redoc_csp(google_fonts=False).header_value
