"""URLconf of the Django benchmark level: one view returning a two-byte body, and the
level's floor middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.urls import path


def home(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("", home)]


class FloorMiddleware:
    """``B`` as a Django middleware: set a constant list of headers, nothing else.

    What any Django middleware that adds headers costs: Django's middleware layer, the
    response's header store, and the handler turning that store into WSGI headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        from timing import BALANCED

        self.get_response = get_response
        self.headers = list(BALANCED)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        for name, value in self.headers:
            response[name] = value
        return response
