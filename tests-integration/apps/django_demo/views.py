"""Views of the Django demo project, with secure-django's per-view decorators."""

from __future__ import annotations

from collections.abc import Iterator

import demo_common as demo
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.clickjacking import xframe_options_exempt

from secure_django import exempt_headers, override_headers


def _page(request: HttpRequest, template: str = "index.html") -> HttpResponse:
    response = render(
        request,
        template,
        dict(demo.PAGE_CONTEXT),
    )
    for name, value, options in demo.COOKIES:
        response.set_cookie(name, value, **options)
    return response


def index(request: HttpRequest) -> HttpResponse:
    return _page(request)


def features(request: HttpRequest) -> HttpResponse:
    return _page(request, "features.html")


@exempt_headers("Permissions-Policy")
def features_allowed(request: HttpRequest) -> HttpResponse:
    return _page(request, "features.html")


@exempt_headers("Content-Security-Policy")
def xfo_only(request: HttpRequest) -> HttpResponse:
    return _page(request)


# Django's XFrameOptionsMiddleware would add its own X-Frame-Options: DENY where
# secure leaves the header out; tell it to leave this view alone too.
@xframe_options_exempt
@exempt_headers("Content-Security-Policy", "X-Frame-Options")
def embeddable(request: HttpRequest) -> HttpResponse:
    return _page(request)


@override_headers({"Referrer-Policy": "no-referrer"})
def no_referrer(request: HttpRequest) -> HttpResponse:
    return _page(request)


@override_headers({"Referrer-Policy": "unsafe-url"})
def unsafe_url(request: HttpRequest) -> HttpResponse:
    return _page(request)


@override_headers({demo.REPORT_ONLY_HEADER: demo.REPORT_ONLY_POLICY})
def report_only(request: HttpRequest) -> HttpResponse:
    return _page(request)


def to_index(request: HttpRequest) -> HttpResponse:
    return redirect("/")


def stream(request: HttpRequest) -> StreamingHttpResponse:
    def chunks() -> Iterator[str]:
        yield from demo.STREAM_CHUNKS

    return StreamingHttpResponse(chunks(), content_type="text/plain")


def boom(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom: the demo's unhandled exception")
