"""SecureHeadersMiddleware under WSGI (Django's test client) and ASGI (ASGIHandler)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from asgiref.sync import iscoroutinefunction
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIHandler
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, override_settings
from django_project.helpers import asgi_request, assert_headers, nonce_of

from secure import Secure
from secure_django import SecureHeadersMiddleware, get_secure

# Django warns when ASGI serves a synchronous file iterator; that is Django's business.
_SYNC_ITERATOR = pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")

# (path, status) for every kind of response, under WSGI and ASGI.
RESPONSES = [
    ("/plain/", 200),
    ("/async/", 200),
    ("/redirect/", 302),
    ("/missing/", 404),
    ("/no-such-url/", 404),
    ("/forbidden/", 403),
    ("/error/", 500),
    ("/file/", 200),
    ("/nonce/template/", 200),
    ("/plain", 301),  # CommonMiddleware's APPEND_SLASH redirect
    ("/admin/", 302),  # the admin's redirect to its login page
    ("/admin/login/", 200),
]


@pytest.mark.parametrize(("path", "status"), [*RESPONSES, ("/stream/", 200)])
def test_wsgi_every_response_kind(path: str, status: int) -> None:
    response = Client(raise_request_exception=False).get(path)
    assert response.status_code == status
    assert_headers(response.headers)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        *[p for p in RESPONSES if p[0] != "/file/"],
        ("/async-stream/", 200),
        pytest.param("/file/", 200, marks=_SYNC_ITERATOR),
    ],
)
def test_asgi_every_response_kind(path: str, status: int) -> None:
    response = asgi_request(path)
    assert response.status == status
    assert_headers(response.headers)


@_SYNC_ITERATOR
@pytest.mark.parametrize("path", ["/plain/", "/stream/", "/file/", "/no-such-url/"])
def test_head(path: str) -> None:
    assert_headers(Client().head(path).headers)
    assert_headers(asgi_request(path, method="HEAD").headers)


@override_settings(
    MIDDLEWARE=[
        "secure_django.middleware.SecureHeadersMiddleware",
        "django.middleware.http.ConditionalGetMiddleware",
    ]
)
def test_not_modified() -> None:
    etag = Client().get("/plain/").headers["ETag"]
    response = Client().get("/plain/", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert_headers(response.headers)
    asgi = asgi_request("/plain/", headers=[(b"if-none-match", etag.encode())])
    assert asgi.status == 304
    assert_headers(asgi.headers)


def test_async_client() -> None:
    async def run() -> None:
        response = await AsyncClient().get("/async/")
        assert response.content == b"async ok"
        assert_headers(response.headers)

    asyncio.run(run())


def test_streaming_body_is_untouched() -> None:
    response = Client().get("/stream/")
    assert b"".join(response.streaming_content) == b"one two"  # type: ignore[attr-defined]
    assert asgi_request("/async-stream/").body == b"one two"


def test_application_headers_pass_through() -> None:
    response = asgi_request("/plain/")
    assert response.headers["X-App"] == "kept"
    cookies = response.header_list("Set-Cookie")
    assert [c.split(";")[0] for c in cookies] == ["a=1", "b=2"]
    assert asgi_request("/redirect/").headers["Location"] == "/plain/"


def test_managed_header_set_by_the_view_is_overwritten() -> None:
    response = asgi_request("/own-xfo/")
    assert response.header_list("X-Frame-Options") == ["SAMEORIGIN"]


def test_response_with_its_own_headers_class() -> None:
    # Not Django's ResponseHeaders: the headers go through its public __setitem__.
    response = Client().get("/custom-headers-class/")
    assert_headers(response.headers)
    assert asgi_request("/custom-headers-class/").header_list("X-Frame-Options") == ["SAMEORIGIN"]


def test_nonce_is_fresh_per_request_and_matches_the_header() -> None:
    client = Client()
    seen = set()
    for _ in range(3):
        response = client.get("/nonce/json/")
        body = response.json()
        assert body["generated_before_use"] is False
        assert nonce_of(response.headers["Content-Security-Policy"]) == body["nonce"]
        seen.add(body["nonce"])
    assert len(seen) == 3


def test_nonce_under_asgi_matches_the_header() -> None:
    response = asgi_request("/nonce/json/")
    body = json.loads(response.body)
    assert nonce_of(response.headers["Content-Security-Policy"]) == body["nonce"]


def test_admin_login_page_renders() -> None:
    wsgi = Client().get("/admin/login/")
    assert wsgi.status_code == 200
    assert b'name="username"' in wsgi.content
    assert_headers(wsgi.headers)
    asgi = asgi_request("/admin/login/")
    assert asgi.status == 200
    assert b'name="username"' in asgi.body
    assert_headers(asgi.headers)


@override_settings(SECURE_HEADERS=None)
def test_balanced_when_not_configured() -> None:
    response = Client().get("/plain/")
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    csp = response.headers["Content-Security-Policy"]
    assert csp == Secure.with_default_headers().headers["Content-Security-Policy"]
    assert "nonce" not in csp


def test_balanced_when_the_setting_is_absent() -> None:
    with override_settings(SECURE_HEADERS=None):
        from django.conf import settings

        del settings.SECURE_HEADERS
        assert not hasattr(settings, "SECURE_HEADERS")
        assert get_secure() == Secure.with_default_headers()


@override_settings(SECURE_HEADERS="strict")
def test_preset_name() -> None:
    response = Client().get("/plain/")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store, max-age=0"


@override_settings(SECURE_HEADERS={"preset": "strict", "xfo": False, "custom": {"X-Extra": "1"}})
def test_configuration_dict() -> None:
    response = Client().get("/plain/")
    assert "X-Frame-Options" not in response.headers
    assert response.headers["X-Extra"] == "1"


def test_secure_object_is_accepted() -> None:
    configured = Secure.from_preset("basic")
    with override_settings(SECURE_HEADERS=configured):
        assert get_secure() is configured
        response = Client().get("/plain/")
        assert response.headers["X-XSS-Protection"] == "0"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ({"cps": {}}, "cps"),
        ({"preset": "balanced", "hsts": {"max_agee": 1}}, "max_agee"),
        ({"custom": {"X-Bad": "a\r\nb"}}, "X-Bad"),
        (42, "int"),
    ],
)
def test_invalid_configuration_raises_improperly_configured(value: object, fragment: str) -> None:
    with override_settings(SECURE_HEADERS=value):
        with pytest.raises(ImproperlyConfigured, match="SECURE_HEADERS") as info:
            Client().get("/plain/")
        assert fragment in str(info.value)


def test_configuration_is_read_once() -> None:
    first = get_secure()
    assert get_secure() is first
    middleware = SecureHeadersMiddleware(lambda request: HttpResponse())
    assert middleware.secure is first
    assert middleware.snapshot.items == first.snapshot().items


def test_sync_and_async_modes() -> None:
    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert not iscoroutinefunction(SecureHeadersMiddleware(sync_view))
    assert iscoroutinefunction(SecureHeadersMiddleware(async_view))


@override_settings(DEBUG=True)
def test_no_sync_async_adaptation_under_asgi(caplog: pytest.LogCaptureFixture) -> None:
    # Django logs every adaptation it makes at DEBUG when DEBUG is on.
    with caplog.at_level(logging.DEBUG, logger="django.request"):
        ASGIHandler().load_middleware(is_async=True)
    # The whole test project's stack runs async: nothing adapted, ours included.
    assert [r.getMessage() for r in caplog.records if "adapted" in r.getMessage()] == []


def test_helmet_option_names_in_secure_headers_get_their_equivalent() -> None:
    value = {"preset": "strict", "frameguard": {"action": "deny"}, "noSniff": True}
    with (
        override_settings(SECURE_HEADERS=value),
        pytest.raises(ImproperlyConfigured, match="helmet") as raised,
    ):
        get_secure()
    assert str(raised.value) == (
        "SECURE_HEADERS: frameguard: unknown key; these are helmet's settings, not ours; in our "
        'format they are {"xfo": "DENY", "xcto": "nosniff"} (\'secure convert\' writes this for '
        "you) (see https://typeerror.github.io/secure/configuration/#coming-from-helmet)"
    )


def test_decorator_errors_end_with_their_documentation_page() -> None:
    from secure_django.decorators import exempt_headers

    with pytest.raises(TypeError, match="takes header names") as raised:
        exempt_headers(1)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "exempt_headers() takes header names, got int 1 "
        "(see https://typeerror.github.io/secure/frameworks/django/#per-view)"
    )
