"""Views covering every kind of response Django can return."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator

from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.http.response import ResponseHeaders
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_page

from secure_django import add_csp_sources, exempt_headers, override_headers, replace_csp


def plain(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok")
    # The application's own headers must pass through untouched.
    response["X-App"] = "kept"
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    return response


def own_frame_options(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok")
    response["X-Frame-Options"] = "ALLOW-FROM https://example.com"
    return response


class _ProjectHeaders(ResponseHeaders):
    """A response headers class of the project's own."""


def custom_headers_class(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("ok")
    response.headers = _ProjectHeaders(response.headers)
    response["X-Frame-Options"] = "DENY"
    return response


async def async_plain(request: HttpRequest) -> HttpResponse:
    return HttpResponse("async ok")


def redirect(request: HttpRequest) -> HttpResponseRedirect:
    return HttpResponseRedirect("/plain/")


def missing(request: HttpRequest) -> HttpResponse:
    raise Http404("no such thing")


def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied


def error(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("boom")


def _chunks() -> Iterator[bytes]:
    yield b"one "
    yield b"two"


async def _achunks() -> AsyncIterator[bytes]:
    yield b"one "
    yield b"two"


def stream(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_chunks())


async def async_stream(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_achunks())


def file(request: HttpRequest) -> FileResponse:
    return FileResponse(io.BytesIO(b"file body"), filename="data.txt", as_attachment=True)


def nonce_template(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "nonce.html")


def nonce_jinja(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "nonce.jinja")


def nonce_json(request: HttpRequest) -> JsonResponse:
    generated_before_use = not _is_lazy_unevaluated(request.csp_nonce)  # type: ignore[attr-defined]
    return JsonResponse(
        {"nonce": str(request.csp_nonce), "generated_before_use": generated_before_use}  # type: ignore[attr-defined]
    )


def _is_lazy_unevaluated(value: object) -> bool:
    from django.utils.functional import empty

    return getattr(value, "_wrapped", None) is empty


# -- decorated views ------------------------------------------------------------------

EMBED_CSP = "default-src 'none'; frame-ancestors https://partner.example"


@override_headers({"X-Frame-Options": "DENY", "Cache-Control": "no-store", "Server": None})
def overridden(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@override_headers({"X-Frame-Options": "DENY", "Cache-Control": "no-store", "Server": None})
async def async_overridden(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@add_csp_sources({"script-src": ["https://js.example"], "connect-src": ["https://api.example"]})
def extended(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]


@add_csp_sources({"script-src": ["https://js.example"], "connect-src": ["https://api.example"]})
async def async_extended(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]


@replace_csp(EMBED_CSP)
def replaced(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@exempt_headers("X-Frame-Options", "content-security-policy")
def exempted(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@exempt_headers()
async def async_exempt_all(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@exempt_headers()
def exempt_all(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@override_headers({"X-Frame-Options": "DENY"})
@exempt_headers("Server")
@add_csp_sources({"img-src": ["https://img.example"]})
def stacked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@override_headers({"X-Frame-Options": "DENY"})
class SyncClassView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("sync class")


@override_headers({"X-Frame-Options": "DENY"})
class AsyncClassView(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("async class")


@exempt_headers("Server")
class SubclassView(SyncClassView):
    """Inherits the decorated dispatch and adds its own override on top."""


class PlainClassView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("plain class")


class PlainAsyncClassView(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("plain async class")


# Django's own way to decorate a class-based view's dispatch, applied per request.
@method_decorator(override_headers({"X-Frame-Options": "DENY"}), name="dispatch")
class MethodDecoratedView(PlainAsyncClassView):
    pass


# -- caching, the application's own CSP, views routed twice -----------------------------

#: How many times each cached view really ran (a cache hit does not run it).
CALLS: dict[str, int] = {}


def _counted(name: str) -> HttpResponse:
    CALLS[name] = CALLS.get(name, 0) + 1
    return HttpResponse(f"{name} {CALLS[name]}")


@cache_page(60)
@override_headers({"X-Frame-Options": "DENY"})
@exempt_headers("Server")
def cached_inside(request: HttpRequest) -> HttpResponse:
    """Our decorators below cache_page: the cached response carries the override."""
    return _counted("cached_inside")


@override_headers({"X-Frame-Options": "DENY"})
@exempt_headers("Server")
@cache_page(60)
def cached_outside(request: HttpRequest) -> HttpResponse:
    """Our decorators above cache_page: they mark hits and misses alike."""
    return _counted("cached_outside")


@override_headers({"X-Frame-Options": "DENY"})
@exempt_headers("Server")
def site_cached(request: HttpRequest) -> HttpResponse:
    """Cached by the per-site cache middleware, when a test installs it."""
    return _counted("site_cached")


@add_csp_sources({"img-src": ["https://cdn.example"]})
def site_cached_csp(request: HttpRequest) -> HttpResponse:
    response = _counted("site_cached_csp")
    response["Content-Security-Policy"] = OWN_CSP
    return response


#: A policy a view sets itself, e.g. for uploaded HTML: kept next to the project's.
OWN_CSP = "sandbox; default-src 'none'"


def own_csp(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("<p>uploaded</p>")
    response["Content-Security-Policy"] = OWN_CSP
    response["Content-Security-Policy-Report-Only"] = "default-src 'none'; report-uri /r"
    return response


@override_headers({"X-Frame-Options": "DENY"})
def own_csp_decorated(request: HttpRequest) -> HttpResponse:
    return own_csp(request)


@add_csp_sources(
    {
        "img-src": ["https://cdn.example"],
        "connect-src": ["https://cdn.example"],
        "frame-src": ["https://cdn.example"],
    }
)
def cdn(request: HttpRequest) -> HttpResponse:
    return HttpResponse("cdn")


class SharedView(View):
    """Routed twice in urls.py: once as it is, once exempted from X-Frame-Options."""

    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("shared")


class SharedAsyncView(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("shared async")


def shared_function(request: HttpRequest) -> HttpResponse:
    return HttpResponse("shared function")
