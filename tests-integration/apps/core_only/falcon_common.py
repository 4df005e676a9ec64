"""The Falcon demo's resources and middleware, shared by the WSGI and the ASGI app.

``SecurityHeaders`` is a Falcon middleware component: ``process_response`` runs for every
response Falcon makes (routed, 404, 405, error handlers, static routes); a resource picks
its own headers with a ``secure_headers`` attribute.
"""

from __future__ import annotations

from typing import Any

import falcon
from core_only_common import EMBED, PAGE, SECURE, SESSION_COOKIE, THEME_COOKIE

from secure import generate_nonce


class SecurityHeaders:
    """Falcon middleware: one nonce per request, the route's headers on every response.

    The ``*_async`` methods let the same component serve ``falcon.asgi.App``.
    """

    def process_request(self, req: Any, resp: Any) -> None:
        req.context.csp_nonce = generate_nonce()

    def process_response(self, req: Any, resp: Any, resource: Any, req_succeeded: bool) -> None:
        secure = getattr(resource, "secure_headers", SECURE)
        secure.set_headers(resp, nonce=req.context.get("csp_nonce"))

    async def process_request_async(self, req: Any, resp: Any) -> None:
        self.process_request(req, resp)

    async def process_response_async(
        self, req: Any, resp: Any, resource: Any, req_succeeded: bool
    ) -> None:
        self.process_response(req, resp, resource, req_succeeded)


class Page:
    def on_get(self, req: Any, resp: Any) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = PAGE.format(nonce=req.context.csp_nonce)
        resp.set_cookie(*SESSION_COOKIE, http_only=True, same_site="Lax", secure=False)
        resp.set_cookie(*THEME_COOKIE, http_only=False, secure=False)


class Embed:
    secure_headers = EMBED

    def on_get(self, req: Any, resp: Any) -> None:
        resp.content_type = falcon.MEDIA_HTML
        resp.text = PAGE.format(nonce=req.context.csp_nonce)


class ToIndex:
    def on_get(self, req: Any, resp: Any) -> None:
        raise falcon.HTTPFound("/")


class Boom:
    def on_get(self, req: Any, resp: Any) -> None:
        raise RuntimeError("boom: the demo's unhandled exception")


class AsyncResource:
    """An ASGI responder around a WSGI-style one."""

    def __init__(self, resource: Any) -> None:
        self.resource = resource
        self.secure_headers = getattr(resource, "secure_headers", SECURE)

    async def on_get(self, req: Any, resp: Any) -> None:
        self.resource.on_get(req, resp)


RESOURCES = {"/": Page(), "/embed": Embed(), "/redirect": ToIndex(), "/boom": Boom()}
