"""secure-core's pytest plugin against a real Django project, in one pytester sub-session.

A correct URLconf passes the route walk and the assertion; each broken view (a dropped
header, a weakened value, a stale nonce, an inline script without the nonce) fails with
the message that names it. The sub-session runs in its own interpreter: Django is set
up once per process, and this session's settings are another project's.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]

SETTINGS = """
SECRET_KEY = "plugin-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["testserver"]
ROOT_URLCONF = "good_urls"
USE_TZ = True
INSTALLED_APPS = ["secure_django"]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "secure_django.middleware.SecureHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
]
SECURE_HEADERS = {"preset": "balanced", "nonce": ["script-src"]}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
"""

VIEWS = """
from django.http import HttpResponse

from secure_django import add_csp_sources, exempt_headers


def page(nonce, extra=""):
    head = "<!doctype html><title>x</title>\\n"
    return HttpResponse(f'{head}<script nonce="{nonce}">go()</script>{extra}')


def index(request):
    return page(request.csp_nonce)


def item(request, item):
    return page(request.csp_nonce)


@exempt_headers("X-Frame-Options")
def dropped(request):
    return page(request.csp_nonce)


@add_csp_sources({"script-src": ["https://cdn.example"]})
def weakened(request):
    return page(request.csp_nonce)


def stale_nonce(request):
    # a fragment cached with an earlier response's nonce
    return page("c3RhbGVub25jZXN0YWxl")


def inline(request):
    return page(request.csp_nonce, "\\n<script>track()</script>")
"""

GOOD_URLS = """
from django.urls import include, path, re_path

import views

urlpatterns = [
    path("", views.index),
    re_path(r"^about/$", views.index),
    path("items/<int:item>", views.item),
    re_path(r"^archive/(?P<year>[0-9]{4})/$", views.item),
    path("more/", include([path("page", views.index)])),
]
"""

BROKEN_URLS = """
from django.urls import path

import views
from good_urls import urlpatterns as good

urlpatterns = [
    *good,
    path("dropped", views.dropped),
    path("weakened", views.weakened),
    path("stale-nonce", views.stale_nonce),
    path("inline", views.inline),
]
"""

CONFTEST = """
import os

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "plugin_settings"
django.setup()
"""

TESTS = """
import pytest
from django.core.wsgi import get_wsgi_application
from django.test import Client, override_settings

from plugin_settings import SECURE_HEADERS as CONFIG


def test_correct_project_every_route(secure_routes):
    reports = secure_routes(Client(), CONFIG)
    assert [r.label for r in reports] == ["GET /", "GET /about/", "GET /more/page"]
    assert len(secure_routes(get_wsgi_application(), CONFIG)) == 3


def test_correct_project_one_response(secure_headers):
    secure_headers(Client().get("/items/3"), CONFIG)


@pytest.fixture
def broken():
    with override_settings(ROOT_URLCONF="broken_urls"):
        yield Client()


def test_dropped_header(secure_routes, broken):
    secure_routes(broken, CONFIG, paths=["/dropped"])


def test_weakened_value(secure_routes, broken):
    secure_routes(broken, CONFIG, paths=["/weakened"])


def test_stale_nonce(secure_routes, broken):
    secure_routes(broken, CONFIG, paths=["/stale-nonce"])


def test_inline_script(secure_routes, broken):
    secure_routes(broken, CONFIG, paths=["/inline"])


def test_broken_project_every_route(secure_routes, broken):
    secure_routes(broken, CONFIG)
"""


def test_plugin_with_django(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        plugin_settings=SETTINGS,
        views=VIEWS,
        good_urls=GOOD_URLS,
        broken_urls=BROKEN_URLS,
        conftest=CONFTEST,
        test_django_project=TESTS,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=5)
    result.stdout.fnmatch_lines(
        [
            "*AssertionError: 1 of 1 routes fail the header check",
            "*GET /dropped does not match the given configuration:",
            "*  * X-Frame-Options: not sent",
            "*  - X-Frame-Options: SAMEORIGIN",
            "*  + X-Frame-Options: (not sent)",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /weakened does not match the given configuration:",
            "*  * Content-Security-Policy: script-src allows https://cdn.example, which the "
            "configuration does not",
            "*  - Content-Security-Policy: script-src 'self' 'nonce-{nonce}'",
            "*  + Content-Security-Policy: script-src 'self' 'nonce-*' https://cdn.example",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /stale-nonce does not match the given configuration:",
            "*  * Content-Security-Policy: the nonce of <script> on line 2 is "
            "'c3RhbGVub25jZXN0YWxl', the header's is '*'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "*GET /inline does not match the given configuration:",
            "*  * Content-Security-Policy: inline <script> on line 3 is blocked by the policy "
            "('track()'): give it the response's nonce",
        ]
    )
    result.stdout.fnmatch_lines(["*AssertionError: 4 of 7 routes fail the header check"])
