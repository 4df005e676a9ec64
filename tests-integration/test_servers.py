"""The configured headers reach the wire through the real servers, exactly once.

Every demo app (``apps/``) runs the way it is deployed: gunicorn for Flask and Django
(WSGI), uvicorn for Django (ASGI), FastAPI, Starlette and Shiny. A raw HTTP/1.1 client
reads each response's header lines as sent, so a duplicate cannot hide in a dict: on a
page, a 404, a 500, a redirect, a static file, a streamed body, a HEAD and a 304, every
configured header is there exactly once with its configured value, next to the app's own
headers (both Set-Cookie lines, Location) and the server's ``Date``.

What the servers add on their own, and how the demo deployments handle it:

* uvicorn sends ``date`` and ``server: uvicorn`` *beside* the application's headers, so
  an app that configures ``Server`` gets two. ``--no-server-header`` (the deployment
  setting every uvicorn stack here uses) leaves the configured one alone.
* gunicorn drops the application's ``Server`` and ``Date`` (it counts them as its own,
  ``gunicorn.util.hop_headers``) and sends ``Server: gunicorn``; it has no setting for
  it. ``apps/gunicorn.conf.py`` sets the value gunicorn writes to the configured one.
* Both add ``Connection`` and, for a body without a length, ``Transfer-Encoding``.
* Django's own ``SecurityMiddleware`` adds ``Cross-Origin-Opener-Policy`` (Django's
  default, which the BALANCED preset does not set) and only where no value is set: it
  never overrides or duplicates a configured header.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Final

import pytest
from stacks import (
    STACKS,
    Stack,
    WireResponse,
    configured_items,
    demo_common,
    fetch,
    nonce_of,
    serve_stack,
)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    status: int


CASES: Final = {
    "200": Case("GET", "/", 200),
    "404": Case("GET", "/no-such-page", 404),
    "500": Case("GET", "/boom", 500),
    "redirect": Case("GET", "/redirect", 302),
    "static": Case("GET", "/static/hello.txt", 200),
    "streamed": Case("GET", "/stream", 200),
    "HEAD": Case("HEAD", "/", 200),
    # A conditional request for the static file (RFC 9110 §13.1.3, If-Modified-Since).
    "304": Case("GET", "/static/hello.txt", 304),
}
# The Shiny app is Shiny's own: a page, its static files and 404s; no error, redirect or
# streaming route of ours.
SHINY_CASES: Final = ("200", "404", "static", "HEAD", "304")

PARAMS: Final = [
    pytest.param(stack, kind, id=f"{stack.name}-{kind}")
    for stack in STACKS.values()
    for kind in CASES
    if stack.full or kind in SHINY_CASES
]

# Header names a response may carry besides the configured ones: what the application
# sets, and framing the server adds.
APP_OR_FRAMING: Final = frozenset(
    {"content-type", "content-length", "set-cookie", "transfer-encoding", "connection"}
)
# What each stack adds of its own to a 200 page, besides the above.
SERVER_ADDS: Final = {
    "flask-gunicorn": {"date"},
    "django-gunicorn": {"date", "cross-origin-opener-policy"},
    "django-uvicorn": {"date", "cross-origin-opener-policy"},
    "fastapi-uvicorn": {"date"},
    "starlette-uvicorn": {"date"},
    "shiny-uvicorn": {"date"},
}


@pytest.fixture(scope="module")
def served() -> Iterator[Callable[[Stack], str]]:
    """``served(stack)``: the base URL of ``stack``, started on first use, stopped at the
    end of the module."""
    with contextlib.ExitStack() as exits:
        urls: dict[str, str] = {}

        def url_of(stack: Stack) -> str:
            if stack.name not in urls:
                urls[stack.name] = exits.enter_context(serve_stack(stack))
            return urls[stack.name]

        yield url_of


def assert_configured_headers(response: WireResponse, stack: Stack) -> str | None:
    """Every configured header exactly once with its configured value; return the nonce."""
    nonce = None
    for name, template in configured_items(stack):
        value = response.one(name)
        if "{nonce}" in template:
            nonce = nonce_of(value)
            assert nonce, f"{name}: no nonce in {value!r}"
            template = template.replace("{nonce}", nonce)
        assert value == template, f"{name}: got {value!r}, configured {template!r}"
    names = response.names()
    duplicated = {name for name in names if names.count(name) > 1} - {"set-cookie"}
    assert not duplicated, f"sent more than once: {sorted(duplicated)}\n{response}"
    assert response.one("Date")  # the server's, once
    return nonce


@pytest.mark.parametrize(("stack", "kind"), PARAMS)
def test_headers_on_the_wire(served: Callable[[Stack], str], stack: Stack, kind: str) -> None:
    case = CASES[kind]
    headers: dict[str, str] = {}
    if kind == "304":
        modified = fetch(served(stack), case.path).one("Last-Modified")
        headers["If-Modified-Since"] = modified
    response = fetch(served(stack), case.path, method=case.method, headers=headers)
    assert response.status == case.status, str(response)
    nonce = assert_configured_headers(response, stack)

    if kind == "200" and stack.full:
        # The page's nonce is the header's, and the next page has another one.
        assert nonce is not None
        assert re.findall(rb'nonce="([^"]+)"', response.body) == [nonce.encode()]
        again = fetch(served(stack), case.path)
        again_nonce = nonce_of(again.one("Content-Security-Policy"))
        assert again_nonce != nonce
        assert re.findall(rb'nonce="([^"]+)"', again.body) == [again_nonce.encode()]  # type: ignore[union-attr]
        # The app's two cookies pass through intact.
        cookies = response.get_all("Set-Cookie")
        assert len(cookies) == 2, cookies
        session, theme = cookies
        assert session.startswith("demo_session=s3ss10n;"), session
        assert "HttpOnly" in session and "SameSite=Lax" in session, session
        assert theme.startswith("demo_theme=dark;"), theme
    elif kind == "redirect":
        assert response.one("Location") == "/"
    elif kind == "static":
        assert response.body == (demo_common.STATIC_DIR / "hello.txt").read_bytes()
        assert response.one("Content-Type").startswith("text/plain")
    elif kind == "streamed":
        assert response.chunked, "expected a chunked (streamed) body"
        assert response.body == "".join(demo_common.STREAM_CHUNKS).encode()
    elif kind == "304":
        assert response.body == b""
    elif kind == "HEAD":
        assert response.body == b""
        assert response.one("Content-Type").startswith("text/html")
        get = fetch(served(stack), "/")
        assert sorted(set(response.names())) == sorted(set(get.names()))


@pytest.mark.parametrize("stack", STACKS.values(), ids=str)
def test_what_the_server_adds(served: Callable[[Stack], str], stack: Stack) -> None:
    """On a page, the only headers neither configured nor the app's own are the
    server's ``Date`` (and Django's COOP default): nothing else slips in."""
    response = fetch(served(stack), "/")
    configured = {name.lower() for name, _ in configured_items(stack)}
    extra = set(response.names()) - configured - APP_OR_FRAMING
    assert extra == SERVER_ADDS[stack.name], str(response)


def test_uvicorn_without_no_server_header_sends_two_server_headers() -> None:
    """Why the uvicorn stacks run with ``--no-server-header``: without it uvicorn sends
    its own ``server: uvicorn`` beside the configured one (docs/headers/server.md)."""
    with serve_stack(STACKS["fastapi-uvicorn"], server_fix=False) as url:
        response = fetch(url, "/")
    assert sorted(response.get_all("Server")) == ["", "uvicorn"], str(response)


def test_gunicorn_without_its_config_replaces_the_server_header() -> None:
    """Why the gunicorn stacks run with ``apps/gunicorn.conf.py``: without it gunicorn
    drops the application's ``Server`` header and sends its own (docs/headers/server.md)."""
    with serve_stack(STACKS["flask-gunicorn"], server_fix=False) as url:
        response = fetch(url, "/")
    assert response.get_all("Server") == ["gunicorn"], str(response)
