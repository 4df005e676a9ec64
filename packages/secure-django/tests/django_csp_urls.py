"""Views decorated with Django 6's CSP decorators, for test_django_csp.py (Django 6+)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.csp import CSP
from django.views.decorators.cache import cache_page
from django.views.decorators.csp import csp_override, csp_report_only_override
from django_project import views

from secure_django import override

#: The policies of the decorated views below.
OVERRIDE = {"default-src": [CSP.NONE], "script-src": {CSP.SELF, CSP.NONCE}}
REPORT_ONLY = {"default-src": [CSP.SELF], "script-src": [CSP.NONCE], "img-src": []}
CACHED = {"default-src": [CSP.SELF], "img-src": ["https://images.example"]}

#: How many times the cached view really ran.
CALLS: list[str] = []


def page(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "nonce.html")


@csp_override(OVERRIDE)
@csp_report_only_override(REPORT_ONLY)
def both(request: HttpRequest) -> TemplateResponse:
    return TemplateResponse(request, "nonce.html")


@csp_override(OVERRIDE)
@csp_report_only_override(REPORT_ONLY)
async def async_both(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')  # type: ignore[attr-defined]


@csp_override({})
def no_csp(request: HttpRequest) -> HttpResponse:
    return HttpResponse("no policy")


@csp_report_only_override({})
def no_report_only(request: HttpRequest) -> HttpResponse:
    return HttpResponse("no report-only policy")


@cache_page(60)
@csp_override(CACHED)
def cached(request: HttpRequest) -> HttpResponse:
    CALLS.append("cached")
    return HttpResponse("cached")


@csp_override({"script-src": ["self"]})
def unquoted(request: HttpRequest) -> HttpResponse:
    return HttpResponse("never sent")


@csp_override({"default-src": [CSP.SELF], "script-src": ["https://a.example;b"]})
def injected(request: HttpRequest) -> HttpResponse:
    return HttpResponse("never sent")


@csp_override(OVERRIDE)
@override(csp_sources={"script-src": ["https://js.example"]}, headers={"X-Frame-Options": "DENY"})
def with_ours(request: HttpRequest) -> HttpResponse:
    return HttpResponse("both packages")


urlpatterns = [
    path("plain/", views.plain),
    path("page/", page),
    path("both/", both),
    path("async-both/", async_both),
    path("no-csp/", no_csp),
    path("no-report-only/", no_report_only),
    path("cached/", cached),
    path("unquoted/", unquoted, name="unquoted"),
    path("injected/", injected),
    path("with-ours/", with_ours),
]
