"""Sanic, core only: request and response middleware set each response's headers.

Run it with Sanic's own server::

    sanic sanic_app:app --single-process

Response middleware runs for every response Sanic makes, its 404 and 500 pages and
static files included; ``ROUTE_HEADERS`` gives a named route its own headers.
"""

from __future__ import annotations

from core_only_common import EMBED, PAGE, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE
from sanic import HTTPResponse, Request, Sanic
from sanic.response import html, redirect

from secure import Secure, generate_nonce

app = Sanic("core_only_demo")
app.static("/static", STATIC_DIR)

# Keyed by route name ("<app name>.<handler name>"): Sanic's route ctx_ values must be
# hashable, which a Secure is not.
ROUTE_HEADERS: dict[str | None, Secure] = {"core_only_demo.embed": EMBED}


@app.on_request
async def add_nonce(request: Request) -> None:
    request.ctx.csp_nonce = generate_nonce()


@app.on_response
async def set_security_headers(request: Request, response: HTTPResponse) -> None:
    secure = ROUTE_HEADERS.get(request.endpoint, SECURE)
    secure.set_headers(response, nonce=getattr(request.ctx, "csp_nonce", None))


@app.get("/")
async def index(request: Request) -> HTTPResponse:
    response = html(PAGE.format(nonce=request.ctx.csp_nonce))
    response.add_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax", secure=False)
    response.add_cookie(*THEME_COOKIE, secure=False, samesite=None)
    return response


@app.get("/embed")
async def embed(request: Request) -> HTTPResponse:
    return html(PAGE.format(nonce=request.ctx.csp_nonce))


@app.get("/redirect")
async def to_index(request: Request) -> HTTPResponse:
    return redirect("/", status=302)


@app.get("/boom")
async def boom(request: Request) -> HTTPResponse:
    raise RuntimeError("boom: the demo's unhandled exception")
