"""The FastAPI demo app: ``SecureMiddleware`` plus per-route ``SecureHeaders`` rules.

Run it the way it is deployed, with uvicorn. ``--no-server-header`` stops uvicorn from
sending its own ``server: uvicorn`` beside the configured ``Server`` header::

    uvicorn fastapi_app:app --no-server-header

The routes are listed in ``demo_common``.
"""

from __future__ import annotations

from collections.abc import Iterator

import demo_common as demo
from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from secure_fastapi import SecureHeaders, SecureMiddleware, install_csp_nonce

app = FastAPI(title="secure demo")
# The shared configuration: BALANCED plus a nonce and a hash in script-src.
app.add_middleware(SecureMiddleware, secure=demo.SECURE_HEADERS)
app.mount("/static", StaticFiles(directory=demo.STATIC_DIR), name="static")
# Templates write the request's nonce with {{ csp_nonce() }}.
templates = install_csp_nonce(Jinja2Templates(directory=demo.TEMPLATES_DIR))

no_permissions_policy = SecureHeaders(exempt=["Permissions-Policy"])
no_csp = SecureHeaders(exempt=["Content-Security-Policy"])
no_framing_headers = SecureHeaders(exempt=["Content-Security-Policy", "X-Frame-Options"])
no_referrer = SecureHeaders(headers={"Referrer-Policy": "no-referrer"})
unsafe_url = SecureHeaders(headers={"Referrer-Policy": "unsafe-url"})
report_only = SecureHeaders(headers={demo.REPORT_ONLY_HEADER: demo.REPORT_ONLY_POLICY})


def _page(request: Request, template: str = "index.html") -> Response:
    response = templates.TemplateResponse(
        request,
        template,
        {**demo.PAGE_CONTEXT},  # a new dict: TemplateResponse adds "request" to it
    )
    for name, value, options in demo.COOKIES:
        response.set_cookie(name, value, **options)
    return response


# api_route: GET and HEAD, as a browser-facing page should answer both.
@app.api_route("/", methods=["GET", "HEAD"])
def index(request: Request) -> Response:
    return _page(request)


@app.get("/features")
def features(request: Request) -> Response:
    return _page(request, "features.html")


@app.get("/features/allowed", dependencies=[Depends(no_permissions_policy)])
def features_allowed(request: Request) -> Response:
    return _page(request, "features.html")


@app.get("/xfo-only", dependencies=[Depends(no_csp)])
def xfo_only(request: Request) -> Response:
    return _page(request)


@app.get("/embeddable", dependencies=[Depends(no_framing_headers)])
def embeddable(request: Request) -> Response:
    return _page(request)


@app.get("/referrer/no-referrer", dependencies=[Depends(no_referrer)])
def referrer_none(request: Request) -> Response:
    return _page(request)


@app.get("/referrer/unsafe-url", dependencies=[Depends(unsafe_url)])
def referrer_unsafe_url(request: Request) -> Response:
    return _page(request)


@app.get("/report-only", dependencies=[Depends(report_only)])
def report_only_page(request: Request) -> Response:
    return _page(request)


@app.get("/redirect")
def to_index() -> RedirectResponse:
    return RedirectResponse("/", status_code=302)


@app.get("/stream")
def stream() -> StreamingResponse:
    def chunks() -> Iterator[str]:
        yield from demo.STREAM_CHUNKS

    return StreamingResponse(chunks(), media_type="text/plain")


@app.get("/boom")
def boom() -> None:
    raise RuntimeError("boom: the demo's unhandled exception")
