"""The smallest ASGI and WSGI apps behind the middleware, to see what a server adds.

The BALANCED preset sends an empty ``Server`` header; everything else on the wire that
is neither configured nor ``content-type``/``content-length`` came from the server.
"""

from __future__ import annotations

from typing import Any

from secure.middleware import SecureASGIMiddleware, SecureWSGIMiddleware


async def _asgi(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


def _wsgi(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


asgi_app = SecureASGIMiddleware(_asgi)
wsgi_app = SecureWSGIMiddleware(_wsgi)
