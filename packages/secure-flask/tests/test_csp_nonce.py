from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask, abort, g, render_template_string, request

from secure.nonce import NONCE
from secure_flask import Secure, csp_nonce, exempt, override

PAGE = '<script nonce="{{ csp_nonce() }}">go()</script><style nonce="{{ csp_nonce() }}"></style>'
_IN_PAGE = re.compile(r'<script nonce="([^"]*)">')
# CSP Level 3 §2.3.1 base64-value; what secure.nonce.generate_nonce() produces.
_NONCE = re.compile(r"[A-Za-z0-9_-]{24}")


def _header_nonces(csp: str) -> set[str]:
    return set(re.findall(r"'nonce-([^']*)'", csp))


def _page_nonce(body: str) -> str:
    match = _IN_PAGE.search(body)
    assert match is not None, body
    return match.group(1)


@pytest.fixture
def nonce_app() -> Flask:
    app = Flask(__name__)
    app.config["SECURE_HEADERS"] = {"nonce": ["script-src", "style-src"]}
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/")
    def page() -> str:
        return render_template_string(PAGE)

    @app.get("/plain")
    def plain() -> str:
        return "no template"

    @app.get("/in-view")
    def in_view() -> str:
        value = csp_nonce()
        assert g.csp_nonce == value
        assert csp_nonce() == value
        return value

    @app.get("/fails")
    def fails() -> str:
        abort(404)

    @app.errorhandler(404)
    def not_found(exc: Exception) -> tuple[str, int]:
        return render_template_string(PAGE), 404

    @app.get("/exempt")
    @exempt("Content-Security-Policy")
    def exempted() -> str:
        return render_template_string(PAGE)

    Secure(app)
    return app


@pytest.mark.parametrize("url", ["/", "/fails", "/missing"])
def test_template_and_header_share_the_nonce(nonce_app: Flask, url: str) -> None:
    response = nonce_app.test_client().get(url)
    nonce = _page_nonce(response.get_data(as_text=True))
    assert _NONCE.fullmatch(nonce)
    csp = response.headers["Content-Security-Policy"]
    assert _header_nonces(csp) == {nonce}
    assert f"script-src 'self' 'nonce-{nonce}'" in csp
    assert f"'nonce-{nonce}'" in csp.split("style-src")[1]


def test_view_gets_the_nonce_from_csp_nonce_and_g(nonce_app: Flask) -> None:
    response = nonce_app.test_client().get("/in-view")
    assert _header_nonces(response.headers["Content-Security-Policy"]) == {response.text}


def test_nonce_is_made_at_response_time_when_nothing_asked(nonce_app: Flask) -> None:
    response = nonce_app.test_client().get("/plain")
    (nonce,) = _header_nonces(response.headers["Content-Security-Policy"])
    assert _NONCE.fullmatch(nonce)


def test_every_request_gets_a_fresh_nonce(nonce_app: Flask) -> None:
    client = nonce_app.test_client()
    # Even when requests share one app context, and so one ``g``.
    with nonce_app.app_context():
        bodies = [client.get("/").text for _ in range(20)]
    nonces = [_page_nonce(body) for body in bodies]
    assert len(set(nonces)) == len(nonces)


def test_concurrent_requests_never_share_a_nonce(nonce_app: Flask) -> None:
    def fetch(_: int) -> tuple[str, str]:
        response = nonce_app.test_client().get("/")
        return _page_nonce(response.text), response.headers["Content-Security-Policy"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(fetch, range(200)))
    for nonce, csp in results:
        assert _header_nonces(csp) == {nonce}
    assert len({nonce for nonce, _ in results}) == len(results)


def test_view_without_a_policy_gets_an_empty_nonce(nonce_app: Flask) -> None:
    # No CSP is sent, so nothing is blocked: the shared page still renders.
    response = nonce_app.test_client().get("/exempt")
    assert "Content-Security-Policy" not in response.headers
    assert _page_nonce(response.text) == ""


@pytest.mark.parametrize("config", [None, {"csp": False, "csp_report_only": "default-src 'self'"}])
def test_csp_nonce_without_a_nonce_slot_raises(app: Flask, config: object) -> None:
    @app.get("/page")
    def page() -> str:
        return render_template_string(PAGE)

    app.config["PROPAGATE_EXCEPTIONS"] = True
    if config is not None:
        app.config["SECURE_HEADERS"] = config
    Secure(app)
    with pytest.raises(RuntimeError, match=r"view 'page' has no nonce slot.*NONCE"):
        app.test_client().get("/page")


def test_no_nonce_slot_means_no_nonce(app: Flask) -> None:
    generated: list[object] = []

    @app.after_request
    def look(response: object) -> object:
        generated.append(request.environ.get("secure.csp_nonce"))
        return response

    Secure(app)
    response = app.test_client().get("/")
    assert "nonce" not in response.headers["Content-Security-Policy"]
    assert generated == [None]


def test_nonce_slot_for_one_view_only(app: Flask) -> None:
    @app.get("/inline")
    @override(csp_sources={"script-src": [NONCE]})
    def inline() -> str:
        return render_template_string(PAGE)

    Secure(app)
    client = app.test_client()
    response = client.get("/inline")
    assert _header_nonces(response.headers["Content-Security-Policy"]) == {
        _page_nonce(response.text)
    }
    assert "nonce" not in client.get("/").headers["Content-Security-Policy"]


def test_csp_nonce_outside_a_request_is_empty(nonce_app: Flask) -> None:
    with nonce_app.app_context():
        assert render_template_string("[{{ csp_nonce() }}]") == "[]"
    assert csp_nonce() == ""


def test_csp_nonce_needs_the_extension() -> None:
    app = Flask(__name__)

    @app.get("/")
    def view() -> str:
        return csp_nonce()

    app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match=r"not initialised on app"):
        app.test_client().get("/")


def test_a_nonce_planted_in_the_environ_must_be_a_nonce(nonce_app: Flask) -> None:
    @nonce_app.before_request
    def plant() -> None:
        request.environ["secure.csp_nonce"] = "x'; script-src *"

    nonce_app.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(ValueError, match="which is not a nonce"):
        nonce_app.test_client().get("/plain")


def test_the_core_wsgi_middleware_and_the_extension_agree(nonce_app: Flask) -> None:
    from secure.middleware import SecureWSGIMiddleware

    nonce_app.wsgi_app = SecureWSGIMiddleware(  # type: ignore[method-assign]
        nonce_app.wsgi_app, secure={"nonce": True}
    )
    response = nonce_app.test_client().get("/")
    nonce = _page_nonce(response.text)
    for csp in response.headers.getlist("Content-Security-Policy"):
        assert _header_nonces(csp) == {nonce}


def test_a_middleware_inside_that_copies_the_environ() -> None:
    app = Flask(__name__)
    app.config["SECURE_HEADERS"] = {"nonce": ["script-src"]}

    @app.get("/")
    @override({"X-Frame-Options": "DENY"})
    def page() -> str:
        return render_template_string(PAGE)

    inner = app.wsgi_app

    def copying(environ: Any, start_response: Any) -> Any:
        return inner(dict(environ), start_response)

    app.wsgi_app = copying  # type: ignore[method-assign]
    Secure(app)
    response = app.test_client().get("/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert _header_nonces(response.headers["Content-Security-Policy"]) == {
        _page_nonce(response.text)
    }
