"""The documented recipes for making one view embeddable work in a real browser.

A page of another origin (a small HTTP server on another port of 127.0.0.1: a different
origin, RFC 6454 §4) frames each recipe's view, served by the real server of its
framework, in headless Chromium. Exempting ``X-Frame-Options`` alone is not enough: the
presets' ``frame-ancestors`` still refuses the frame (CSP Level 3 §6.4.2), so each recipe
also names the framing origin there. The bare exemption is checked too, to show why.

The recipes are those of docs/frameworks/flask.md ("Class-based views", ``override``),
django.md (``replace_csp``, and the ``@xframe_options_exempt`` migration row) and
fastapi.md ("Per-route headers"), with the portal's origin in place of
``https://portal.example``.
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Callable, Iterator
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from harness import HOST, WatchedPage, gunicorn_command, uvicorn_command
from playwright.sync_api import expect

FLASK_APP = """
import os
from flask import Flask
from flask.views import MethodView
from secure import ContentSecurityPolicy
from secure_flask import Secure, exempt, override

PORTAL = os.environ["PORTAL_ORIGIN"]
app = Flask(__name__)
app.config["SECURE_HEADERS"] = {"preset": "balanced"}


class Report(MethodView):
    def get(self):
        return "<!doctype html><title>report</title><p id=embedded>Report</p>"


# flask.md, class-based views: exempt X-Frame-Options, allow the portal in frame-ancestors.
embeddable = override(csp_sources={"frame-ancestors": [PORTAL]})(exempt("X-Frame-Options")(Report))
app.add_url_rule("/report/embed", view_func=embeddable.as_view("report_embed"))
# The exemption alone.
app.add_url_rule("/report/xfo-exempt", view_func=exempt("X-Frame-Options")(Report).as_view("bare"))


# flask.md, override: a policy of its own, and no X-Frame-Options.
@app.get("/embed")
@override(
    {"X-Frame-Options": None},
    csp=ContentSecurityPolicy().default_src("'self'").frame_ancestors(PORTAL),
)
def embed():
    return "<!doctype html><title>embed</title><p id=embedded>Embeddable</p>"


Secure(app)
"""

DJANGO_APP = """
import os
from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="embedding-test",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["secure_django"],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "secure_django.middleware.SecureHeadersMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    SECURE_HEADERS={"preset": "balanced"},
)

import django
django.setup()

from django.http import HttpResponse
from django.urls import path
from secure import ContentSecurityPolicy
from secure_django import add_csp_sources, exempt_headers, override_headers, replace_csp

PORTAL = os.environ["PORTAL_ORIGIN"]
PAGE = "<!doctype html><title>report</title><p id=embedded>Report</p>"


# The migration row for @xframe_options_exempt.
@exempt_headers("X-Frame-Options")
@add_csp_sources({"frame-ancestors": [PORTAL]})
def embed(request):
    return HttpResponse(PAGE)


# replace_csp: a policy of its own, and no X-Frame-Options.
@replace_csp(ContentSecurityPolicy().default_src("'self'").frame_ancestors(PORTAL))
@override_headers({"X-Frame-Options": None})
def replaced(request):
    return HttpResponse(PAGE)


# The exemption alone.
@exempt_headers("X-Frame-Options")
def bare(request):
    return HttpResponse(PAGE)


urlpatterns = [path("embed/", embed), path("replaced/", replaced), path("xfo-exempt/", bare)]

from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""

FASTAPI_APP = """
import os
from fastapi import Depends, FastAPI
from fastapi.responses import HTMLResponse
from secure_fastapi import SecureHeaders, SecureMiddleware

PORTAL = os.environ["PORTAL_ORIGIN"]
PAGE = "<!doctype html><title>widget</title><p id=embedded>Widget</p>"
app = FastAPI()
app.add_middleware(SecureMiddleware, secure={"preset": "balanced"})

# fastapi.md, per-route headers.
embeddable = SecureHeaders(csp_sources={"frame-ancestors": [PORTAL]}, exempt=["X-Frame-Options"])


@app.get("/widget", dependencies=[Depends(embeddable)], response_class=HTMLResponse)
def widget():
    return PAGE


@app.get(
    "/xfo-exempt",
    dependencies=[Depends(SecureHeaders(exempt=["X-Frame-Options"]))],
    response_class=HTMLResponse,
)
def bare():
    return PAGE
"""


class _Portal(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        # A page of the portal's origin that frames the URL it is given.
        src = escape(self.path.partition("?src=")[2])
        body = f'<!doctype html><title>portal</title><iframe src="{src}"></iframe>'.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def portal() -> Iterator[str]:
    """The framing origin, ``http://127.0.0.1:PORT``."""
    server = ThreadingHTTPServer((HOST, 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def _serve(server: Callable[..., str], tmp_path: Path, portal: str, framework: str) -> str:
    source = {"flask": FLASK_APP, "django": DJANGO_APP, "fastapi": FASTAPI_APP}[framework]
    (tmp_path / "app.py").write_text(textwrap.dedent(source))
    if framework == "fastapi":
        command = uvicorn_command("app:app", app_dir=tmp_path)
    else:
        attribute = "application" if framework == "django" else "app"
        command = gunicorn_command(f"app:{attribute}", chdir=tmp_path)
    return server(command, cwd=tmp_path, env={"PORTAL_ORIGIN": portal}, ready_path="/404")


RECIPES = [
    pytest.param("flask", "/report/embed", "Report", id="flask-class-based-view"),
    pytest.param("flask", "/embed", "Embeddable", id="flask-override-csp"),
    pytest.param("django", "/embed/", "Report", id="django-xframe-options-exempt-row"),
    pytest.param("django", "/replaced/", "Report", id="django-replace-csp"),
    pytest.param("fastapi", "/widget", "Widget", id="fastapi-secure-headers"),
]


def _framed(watched: WatchedPage, portal: str, target: str) -> Any:
    watched.page.goto(f"{portal}/?src={target}")
    assert len(watched.page.frames) == 2
    return watched.page.frames[1]


@pytest.mark.parametrize(("framework", "path", "text"), RECIPES)
def test_recipe_lets_the_portal_frame_the_view(
    tmp_path: Path,
    server: Callable[..., str],
    portal: str,
    watched_page: WatchedPage,
    framework: str,
    path: str,
    text: str,
) -> None:
    target = _serve(server, tmp_path, portal, framework) + path
    frame = _framed(watched_page, portal, target)
    expect(frame.locator("#embedded")).to_have_text(text)
    assert frame.url == target
    watched_page.page.wait_for_timeout(200)
    assert not [e.text for e in watched_page.console if "fram" in e.text.lower()]


@pytest.mark.parametrize("framework", ["flask", "django", "fastapi"])
def test_exempting_x_frame_options_alone_still_refuses_the_portal(
    tmp_path: Path,
    server: Callable[..., str],
    portal: str,
    watched_page: WatchedPage,
    framework: str,
) -> None:
    path = {"flask": "/report/xfo-exempt", "django": "/xfo-exempt/", "fastapi": "/xfo-exempt"}
    target = _serve(server, tmp_path, portal, framework) + path[framework]
    frame = _framed(watched_page, portal, target)

    def refused() -> bool:
        return any("frame-ancestors" in entry.text for entry in watched_page.console)

    for _ in range(100):
        if refused():
            break
        watched_page.page.wait_for_timeout(50)
    assert refused(), [entry.text for entry in watched_page.console]
    assert frame.url != target
    assert frame.locator("#embedded").count() == 0
