"""Tornado, core only: ``set_default_headers`` sets each response's headers.

Tornado is neither ASGI nor WSGI; run this file, Tornado's own server::

    python tornado_app.py --port 8888

Tornado calls ``set_default_headers`` when a handler starts and again before an error
page, so every response of a ``SecurityHeaders`` handler gets the headers, its 500
page included. The 404 for an unknown path and static files come from handlers Tornado
picks: ``default_handler_class`` and ``static_handler_class`` make them ours too.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

import tornado.web
from core_only_common import EMBED, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE
from tornado.template import Template

PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>demo</title></head>
<body><p id="nonced">waiting</p>
<script nonce="{{ handler.csp_nonce }}">
document.getElementById("nonced").textContent = "ran";
</script>
</body></html>
""")


class SecurityHeaders(tornado.web.RequestHandler):
    """Base handler: the headers of ``secure_headers`` on every response, one nonce."""

    secure_headers = SECURE
    csp_nonce: str | None = None

    def set_default_headers(self) -> None:
        # Called again by send_error(): keep the nonce the page may already hold.
        self.csp_nonce = self.secure_headers.set_headers(self, nonce=self.csp_nonce)


class Index(SecurityHeaders):
    def get(self) -> None:
        self.set_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax")
        self.set_cookie(*THEME_COOKIE)
        self.finish(PAGE.generate(handler=self))


class Embed(SecurityHeaders):
    secure_headers = EMBED

    def get(self) -> None:
        self.finish(PAGE.generate(handler=self))


class ToIndex(SecurityHeaders):
    def get(self) -> None:
        self.redirect("/")


class Boom(SecurityHeaders):
    def get(self) -> None:
        raise RuntimeError("boom: the demo's unhandled exception")


class NotFound(SecurityHeaders):
    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


class StaticFiles(SecurityHeaders, tornado.web.StaticFileHandler):
    pass


def make_app(**settings: Any) -> tornado.web.Application:
    return tornado.web.Application(
        [(r"/", Index), (r"/embed", Embed), (r"/redirect", ToIndex), (r"/boom", Boom)],
        static_path=str(STATIC_DIR),
        static_handler_class=StaticFiles,
        default_handler_class=NotFound,
        **settings,
    )


async def main(port: int, address: str) -> None:
    make_app().listen(port, address=address)
    await asyncio.Event().wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.address))
