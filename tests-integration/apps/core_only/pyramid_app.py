"""Pyramid, core only: a ``NewResponse`` subscriber sets each response's headers.

Run it with waitress::

    waitress-serve --ident="" pyramid_app:app

``NewResponse`` fires for every response Pyramid returns: views', its 404 (an exception
view), static files, and the 500 page of the exception view below. Without such a
view an unhandled exception leaves Pyramid and the WSGI server writes its own page.
"""

from __future__ import annotations

from typing import Any

from core_only_common import EMBED, PAGE, SECURE, SESSION_COOKIE, STATIC_DIR, THEME_COOKIE
from pyramid.config import Configurator
from pyramid.events import NewResponse
from pyramid.httpexceptions import HTTPFound, HTTPInternalServerError
from pyramid.request import Request
from pyramid.response import Response

from secure import Secure, generate_nonce

ROUTE_HEADERS: dict[str, Secure] = {"embed": EMBED}


def csp_nonce(request: Request) -> str:
    return generate_nonce()


def set_security_headers(event: Any) -> None:
    request = event.request
    route = getattr(request, "matched_route", None)
    secure = ROUTE_HEADERS.get(route.name if route is not None else "", SECURE)
    secure.set_headers(event.response, nonce=request.csp_nonce)


def index(request: Request) -> Response:
    response = Response(PAGE.format(nonce=request.csp_nonce), content_type="text/html")
    response.set_cookie(*SESSION_COOKIE, httponly=True, samesite="Lax")
    response.set_cookie(*THEME_COOKIE)
    return response


def embed(request: Request) -> Response:
    return Response(PAGE.format(nonce=request.csp_nonce), content_type="text/html")


def to_index(request: Request) -> Response:
    return HTTPFound("/")


def boom(request: Request) -> Response:
    raise RuntimeError("boom: the demo's unhandled exception")


def server_error(exc: Exception, request: Request) -> Response:
    return HTTPInternalServerError()


def make_app() -> Any:
    with Configurator() as config:
        # request.csp_nonce: made on first use, then the same for the whole request.
        config.add_request_method(csp_nonce, "csp_nonce", reify=True)
        config.add_subscriber(set_security_headers, NewResponse)
        for name, path, view in (
            ("index", "/", index),
            ("embed", "/embed", embed),
            ("redirect", "/redirect", to_index),
            ("boom", "/boom", boom),
        ):
            config.add_route(name, path)
            config.add_view(view, route_name=name)
        config.add_exception_view(server_error, context=Exception)
        config.add_static_view(name="static", path=str(STATIC_DIR))
        return config.make_wsgi_app()


app = make_app()
