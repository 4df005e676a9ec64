"""The Starlette demo app: ``SecureMiddleware`` and ``SecureHeaders(...).wrap()`` per route.

Run it with uvicorn; ``--no-server-header`` stops uvicorn from sending its own
``server: uvicorn`` beside the configured ``Server`` header::

    uvicorn starlette_app:app --no-server-header

The routes are listed in ``demo_common``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import demo_common as demo
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route, request_response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp

from secure_fastapi import SecureHeaders, SecureMiddleware, install_csp_nonce

templates = install_csp_nonce(Jinja2Templates(directory=demo.TEMPLATES_DIR))


def page(template: str = "index.html") -> Callable[[Request], Response]:
    def endpoint(request: Request) -> Response:
        response = templates.TemplateResponse(
            request,
            template,
            {**demo.PAGE_CONTEXT},  # a new dict: TemplateResponse adds "request" to it
        )
        for name, value, options in demo.COOKIES:
            response.set_cookie(name, value, **options)
        return response

    return endpoint


def with_rule(rule: SecureHeaders, template: str = "index.html") -> ASGIApp:
    """A page whose responses get ``rule`` on top of the app-wide headers."""
    return rule.wrap(request_response(page(template)))


def to_index(request: Request) -> Response:
    return RedirectResponse("/", status_code=302)


def stream(request: Request) -> Response:
    def chunks() -> Iterator[str]:
        yield from demo.STREAM_CHUNKS

    return StreamingResponse(chunks(), media_type="text/plain")


def boom(request: Request) -> Response:
    raise RuntimeError("boom: the demo's unhandled exception")


routes = [
    Route("/", page()),
    Route("/features", page("features.html")),
    Route(
        "/features/allowed",
        with_rule(SecureHeaders(exempt=["Permissions-Policy"]), "features.html"),
    ),
    Route("/xfo-only", with_rule(SecureHeaders(exempt=["Content-Security-Policy"]))),
    Route(
        "/embeddable",
        with_rule(SecureHeaders(exempt=["Content-Security-Policy", "X-Frame-Options"])),
    ),
    Route(
        "/referrer/no-referrer",
        with_rule(SecureHeaders(headers={"Referrer-Policy": "no-referrer"})),
    ),
    Route(
        "/referrer/unsafe-url",
        with_rule(SecureHeaders(headers={"Referrer-Policy": "unsafe-url"})),
    ),
    Route(
        "/report-only",
        with_rule(SecureHeaders(headers={demo.REPORT_ONLY_HEADER: demo.REPORT_ONLY_POLICY})),
    ),
    Route("/redirect", to_index),
    Route("/stream", stream),
    Route("/boom", boom),
    Mount("/static", StaticFiles(directory=demo.STATIC_DIR), name="static"),
]

app = Starlette(
    routes=routes,
    # The shared configuration: BALANCED plus a nonce and a hash in script-src.
    middleware=[Middleware(SecureMiddleware, secure=demo.SECURE_HEADERS)],
)
