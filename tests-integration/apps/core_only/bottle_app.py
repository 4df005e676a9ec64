"""Bottle, core only: the ``after_request`` hook sets each response's headers.

Run it with gunicorn (``gunicorn.conf.py`` makes it send the configured ``Server``)::

    gunicorn --config ../gunicorn.conf.py bottle_app:app

``after_request`` runs for routed responses, redirects and ``abort()`` pages, Bottle's
404 included, but not for the 500 page of an unhandled exception: Bottle replaces the
response after the hook. The ``error(500)`` handler sets them on that page.
"""

from __future__ import annotations

from typing import Any

import bottle
from core_only_common import EMBED, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE

from secure import generate_nonce

app = bottle.Bottle()

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>demo</title></head>
<body><p id="nonced">waiting</p>
<script nonce="{{nonce}}">document.getElementById("nonced").textContent = "ran";</script>
</body></html>
"""


def security_headers() -> None:
    route = bottle.request.environ.get("bottle.route")
    secure = route.config.get("secure_headers", SECURE) if route is not None else SECURE
    secure.set_headers(bottle.response, nonce=bottle.request.environ.get("csp_nonce"))


@app.hook("before_request")
def add_nonce() -> None:
    bottle.request.environ["csp_nonce"] = generate_nonce()


app.add_hook("after_request", security_headers)


@app.error(500)
def server_error(error: bottle.HTTPError) -> Any:
    security_headers()
    return app.default_error_handler(error)


@app.get("/")
def index() -> str:
    bottle.response.set_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax")
    bottle.response.set_cookie(*THEME_COOKIE)
    return bottle.template(PAGE, nonce=bottle.request.environ["csp_nonce"])


@app.get("/embed", secure_headers=EMBED)
def embed() -> str:
    return bottle.template(PAGE, nonce=bottle.request.environ["csp_nonce"])


@app.get("/redirect")
def to_index() -> None:
    bottle.redirect("/", 302)


@app.get("/boom")
def boom() -> str:
    raise RuntimeError("boom: the demo's unhandled exception")


@app.get("/static/<path:path>")
def static(path: str) -> Any:
    return bottle.static_file(path, root=str(STATIC_DIR))
