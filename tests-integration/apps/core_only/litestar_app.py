"""Litestar, core only: a ``before_send`` hook sets each response's headers.

Run it with granian (docs/headers/server.md: what granian adds)::

    granian --interface asgi litestar_app:app

``before_send`` sees every response the application sends, the router's 404 and 405
and the 500 page included; a handler picks its own headers with ``opt={"secure": ...}``.
"""

from __future__ import annotations

from typing import Any

from core_only_common import EMBED, HERE, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE
from litestar import Litestar, Request, Response, get
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from secure import generate_nonce

try:
    from litestar.plugins.jinja import JinjaTemplateEngine
except ImportError:  # Litestar before 2.22
    from litestar.contrib.jinja import JinjaTemplateEngine  # type: ignore[no-redef]


def add_nonce(request: Request[Any, Any, Any]) -> None:
    # Before the handler runs, so the template and the header get the same value.
    request.state.csp_nonce = generate_nonce()


async def set_security_headers(message: Any, scope: Any) -> None:
    if message["type"] != "http.response.start":
        return
    handler = scope.get("route_handler")
    secure = handler.opt.get("secure", SECURE) if handler is not None else SECURE
    nonce = scope.get("state", {}).get("csp_nonce")
    headers = MutableScopeHeaders.from_message(message)
    for name, value in secure.header_items(nonce):
        headers[name] = value  # replaces any copy the handler set


COOKIES = [
    Cookie(key=SESSION_COOKIE[0], value=SESSION_COOKIE[1], httponly=True, samesite="lax"),
    Cookie(key=THEME_COOKIE[0], value=THEME_COOKIE[1]),
]


@get("/", cache=False, response_cookies=COOKIES)
async def index() -> Template:
    return Template(template_name="page.html")


@get("/embed", opt={"secure": EMBED})
async def embed() -> Template:
    return Template(template_name="page.html")


@get("/redirect")
async def to_index() -> Redirect:
    return Redirect("/", status_code=302)


@get("/boom")
async def boom() -> Response[str]:
    raise RuntimeError("boom: the demo's unhandled exception")


app = Litestar(
    route_handlers=[
        index,
        embed,
        to_index,
        boom,
        create_static_files_router(path="/static", directories=[STATIC_DIR]),
    ],
    before_request=add_nonce,
    before_send=[set_security_headers],
    template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
)
