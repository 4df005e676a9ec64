"""The Flask demo app: secure-flask configured from ``app.config``.

Run it the way it is deployed, with gunicorn (``gunicorn.conf.py`` makes gunicorn send
the configured ``Server`` header instead of its own)::

    gunicorn -c gunicorn.conf.py flask_app:app

The routes are listed in ``demo_common``.
"""

from __future__ import annotations

from collections.abc import Iterator

import demo_common as demo
from flask import Flask, Response, make_response, redirect, render_template, stream_with_context
from flask.typing import ResponseReturnValue

from secure_flask import Secure, exempt, override

app = Flask(__name__, template_folder=demo.TEMPLATES_DIR, static_folder=demo.STATIC_DIR)
# The shared configuration: BALANCED plus a nonce and a hash in script-src.
app.config["SECURE_HEADERS"] = demo.SECURE_HEADERS
Secure(app)


def _page(template: str = "index.html") -> Response:
    # The template writes the nonce with {{ csp_nonce() }}.
    response = make_response(render_template(template, **demo.PAGE_CONTEXT))
    for name, value, options in demo.COOKIES:
        response.set_cookie(name, value, **options)
    return response


@app.get("/")
def index() -> Response:
    return _page()


@app.get("/features")
def features() -> Response:
    return _page("features.html")


@app.get("/features/allowed")
@exempt("Permissions-Policy")
def features_allowed() -> Response:
    return _page("features.html")


@app.get("/xfo-only")
@exempt("Content-Security-Policy")
def xfo_only() -> Response:
    return _page()


@app.get("/embeddable")
@exempt("Content-Security-Policy", "X-Frame-Options")
def embeddable() -> Response:
    return _page()


@app.get("/referrer/no-referrer")
@override({"Referrer-Policy": "no-referrer"})
def no_referrer() -> Response:
    return _page()


@app.get("/referrer/unsafe-url")
@override({"Referrer-Policy": "unsafe-url"})
def unsafe_url() -> Response:
    return _page()


@app.get("/report-only")
@override({demo.REPORT_ONLY_HEADER: demo.REPORT_ONLY_POLICY})
def report_only() -> Response:
    return _page()


@app.get("/redirect")
def to_index() -> ResponseReturnValue:
    return redirect("/", 302)


@app.get("/stream")
def stream() -> Response:
    def chunks() -> Iterator[str]:
        yield from demo.STREAM_CHUNKS

    return Response(stream_with_context(chunks()), mimetype="text/plain")


@app.get("/boom")
def boom() -> Response:
    raise RuntimeError("boom: the demo's unhandled exception")
