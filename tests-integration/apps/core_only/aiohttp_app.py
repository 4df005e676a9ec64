"""aiohttp, core only: the ``on_response_prepare`` signal sets each response's headers.

aiohttp is neither ASGI nor WSGI; run it with its own server::

    python -m aiohttp.web -H 127.0.0.1 -P 8080 aiohttp_app:init

``on_response_prepare`` fires for every response aiohttp sends: handlers', 404, 405,
the 500 page and static files; a named route picks its own headers in ``ROUTE_HEADERS``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from core_only_common import EMBED, PAGE, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE

from secure import Secure, generate_nonce

ROUTE_HEADERS: dict[str, Secure] = {"embed": EMBED}
# Where a request keeps its nonce: aiohttp 3.14 asks for a typed key, older releases
# take a string.
CSP_NONCE: Any = web.RequestKey("csp_nonce", str) if hasattr(web, "RequestKey") else "csp_nonce"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def add_nonce(request: web.Request, handler: Handler) -> web.StreamResponse:
    request[CSP_NONCE] = generate_nonce()
    return await handler(request)


async def set_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    secure = ROUTE_HEADERS.get(request.match_info.route.name or "", SECURE)
    secure.set_headers(response, nonce=request.get(CSP_NONCE))


async def index(request: web.Request) -> web.Response:
    response = web.Response(text=PAGE.format(nonce=request[CSP_NONCE]), content_type="text/html")
    response.set_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax")
    response.set_cookie(*THEME_COOKIE)
    return response


async def embed(request: web.Request) -> web.Response:
    return web.Response(text=PAGE.format(nonce=request[CSP_NONCE]), content_type="text/html")


async def to_index(request: web.Request) -> web.Response:
    raise web.HTTPFound("/")


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("boom: the demo's unhandled exception")


def init(argv: list[str] | None = None) -> web.Application:
    app = web.Application(middlewares=[add_nonce])
    app.on_response_prepare.append(set_security_headers)
    app.router.add_get("/", index)
    app.router.add_get("/embed", embed, name="embed")
    app.router.add_get("/redirect", to_index)
    app.router.add_get("/boom", boom)
    app.router.add_static("/static", STATIC_DIR)
    return app
