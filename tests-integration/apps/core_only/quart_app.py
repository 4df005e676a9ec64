"""Quart, core only: ``after_request`` sets each response's headers.

Run it with Hypercorn::

    hypercorn quart_app:app

``after_request`` functions run for every response Quart makes, its 404, 405 and 500
pages included; ``ROUTE_HEADERS`` gives an endpoint its own headers.
"""

from __future__ import annotations

from core_only_common import EMBED, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE
from quart import Quart, Response, g, redirect, render_template_string, request

from secure import Secure, generate_nonce

app = Quart(__name__, static_folder=STATIC_DIR)

ROUTE_HEADERS: dict[str, Secure] = {"embed": EMBED}

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>demo</title></head>
<body><p id="nonced">waiting</p>
<script nonce="{{ csp_nonce }}">document.getElementById("nonced").textContent = "ran";</script>
</body></html>
"""


@app.before_request
async def add_nonce() -> None:
    g.csp_nonce = generate_nonce()


@app.context_processor
async def nonce_in_templates() -> dict[str, str]:
    return {"csp_nonce": g.csp_nonce}


@app.after_request
async def set_security_headers(response: Response) -> Response:
    secure = ROUTE_HEADERS.get(request.endpoint or "", SECURE)
    secure.set_headers(response, nonce=g.get("csp_nonce"))
    return response


@app.get("/")
async def index() -> Response:
    response = Response(await render_template_string(PAGE))
    response.set_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax")
    response.set_cookie(*THEME_COOKIE)
    return response


@app.get("/embed")
async def embed() -> str:
    return await render_template_string(PAGE)


@app.get("/redirect")
async def to_index() -> Response:
    return redirect("/", 302)  # type: ignore[return-value]


@app.get("/boom")
async def boom() -> str:
    raise RuntimeError("boom: the demo's unhandled exception")
