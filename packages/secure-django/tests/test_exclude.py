"""SECURE_HEADERS_EXCLUDE: URL path prefixes whose responses the middleware leaves alone."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, override_settings
from django_project.helpers import asgi_request, assert_headers

from secure.middleware import PathPrefixes
from secure_django import SecureHeadersMiddleware
from secure_django._conf import get_exclude
from secure_django.checks import check_configuration, check_misspelt_settings

OURS = "secure_django.middleware.SecureHeadersMiddleware"
WITHOUT_US = [m for m in settings.MIDDLEWARE if m != OURS]
EXCLUDE_ADMIN = override_settings(SECURE_HEADERS_EXCLUDE=["/admin/"])
# Headers whose value changes from one response to the next.
VOLATILE = {"expires", "date"}


def stable(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items() if k.lower() not in VOLATILE}


def without_us(path: str) -> dict[str, str]:
    """The headers of the same request with SecureHeadersMiddleware left out entirely."""
    with override_settings(MIDDLEWARE=WITHOUT_US):
        return stable(Client().get(path).headers)


@EXCLUDE_ADMIN
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/admin/login/", 200),
        ("/admin/", 302),  # the admin's redirect to its login page
        ("/admin", 301),  # CommonMiddleware's APPEND_SLASH redirect, below us
        ("/admin%2Flogin/", 200),  # decoded to /admin/login/, which the admin serves
    ],
)
def test_excluded_admin_has_exactly_the_headers_it_has_without_us(path: str, status: int) -> None:
    response = Client().get(path)
    assert response.status_code == status
    assert "Content-Security-Policy" not in response.headers
    assert "Permissions-Policy" not in response.headers
    assert stable(response.headers) == without_us(path)
    # Django's own headers and the admin's pass through: SecurityMiddleware's and the
    # admin's never_cache, for instance.
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    if status == 200:
        assert "no-cache" in response.headers["Cache-Control"]


@EXCLUDE_ADMIN
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/plain/", 200),
        ("/async/", 200),
        ("/nonce/template/", 200),
        ("/administrator/", 404),
        ("/ADMIN/login/", 404),
        ("//admin/login/", 404),
        # The admin answers these (a redirect to its login page), with our headers on.
        ("/admin/../plain/", 302),
        ("/admin/%2e%2e/plain/", 302),
        ("/static/admin/css/base.css", 404),
    ],
)
def test_other_pages_keep_every_header(path: str, status: int) -> None:
    response = Client().get(path)
    assert response.status_code == status
    assert_headers(response.headers)
    if path == "/plain/":
        assert response.headers["X-App"] == "kept"


@EXCLUDE_ADMIN
def test_prefixes_are_relative_to_the_script_prefix() -> None:
    # request.path_info is the path below SCRIPT_NAME, as Django routes it.
    response = Client().get("/admin/login/", SCRIPT_NAME="/site")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert_headers(Client().get("/plain/", SCRIPT_NAME="/admin").headers)


@override_settings(SECURE_HEADERS_EXCLUDE=["/nonce/"])
def test_an_excluded_page_gets_no_nonce() -> None:
    response = Client().get("/nonce/template/")
    assert "Content-Security-Policy" not in response.headers
    assert response.content.count(b'nonce=""') == 3  # tag, context processor, request


@override_settings(SECURE_HEADERS_EXCLUDE=["/async/", "/admin/"])
def test_asgi_excluded_and_other_pages() -> None:
    excluded = asgi_request("/async/")
    assert excluded.status == 200
    assert not any(k.lower() == b"content-security-policy" for k, _ in excluded.raw_headers)
    assert_headers(asgi_request("/plain/").headers)
    admin = asgi_request("/admin/login/")
    assert admin.status == 200
    assert "Content-Security-Policy" not in admin.headers


@override_settings(SECURE_HEADERS_EXCLUDE=["/async/"])
def test_async_client_excluded_page() -> None:
    async def run() -> None:
        response = await AsyncClient().get("/async/")
        assert response.status_code == 200
        assert response.content == b"async ok"
        assert "Content-Security-Policy" not in response.headers
        assert_headers((await AsyncClient().get("/plain/")).headers)

    asyncio.run(run())


def test_unset_or_empty_means_no_exclusion() -> None:
    assert get_exclude() is None
    with override_settings(SECURE_HEADERS_EXCLUDE=[]):
        assert get_exclude() is None
        assert_headers(Client().get("/admin/login/").headers)
    with override_settings(SECURE_HEADERS_EXCLUDE=("/admin",)):
        assert get_exclude() == PathPrefixes(["/admin/"])


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("/admin/", "SECURE_HEADERS_EXCLUDE: expected a list of path prefixes, got '/admin/'"),
        (["admin/"], "SECURE_HEADERS_EXCLUDE: 'admin/' must start with '/'; write '/admin/'"),
        (["/"], "SECURE_HEADERS_EXCLUDE: '/' would leave every path out"),
        ([None], "SECURE_HEADERS_EXCLUDE: path prefixes must be strings, got None"),
        (["/admin/%2F"], "SECURE_HEADERS_EXCLUDE: '/admin/%2F' is matched against the decoded"),
    ],
)
def test_a_bad_setting_fails_the_checks_and_the_middleware(value: object, message: str) -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    with override_settings(SECURE_HEADERS_EXCLUDE=value):
        (error,) = check_configuration(None)
        assert error.id == "secure_django.E001"
        assert error.msg.startswith(message)
        assert "SECURE_HEADERS_EXCLUDE takes a list of URL path prefixes" in (error.hint or "")
        with pytest.raises(ImproperlyConfigured, match=r"^SECURE_HEADERS_EXCLUDE: "):
            SecureHeadersMiddleware(view)


def test_the_setting_is_ours_and_a_near_miss_is_reported() -> None:
    with override_settings(SECURE_HEADERS_EXCLUDE=["/admin/"]):
        assert check_misspelt_settings(None) == []
    with override_settings(SECURE_HEADER_EXCLUDE=["/admin/"]):
        messages = check_misspelt_settings(None)
    assert [(m.id, m.hint) for m in messages] == [
        ("secure_django.W005", "Did you mean SECURE_HEADERS_EXCLUDE?")
    ]
