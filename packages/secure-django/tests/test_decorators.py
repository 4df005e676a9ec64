"""Per-view decorators on function and class-based views, sync and async."""

from __future__ import annotations

import asyncio

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, override_settings
from django_project.helpers import BALANCED_STATIC, asgi_request, assert_headers, nonce_of
from django_project.views import EMBED_CSP

from secure_django import add_csp_sources, exempt_headers, override_headers, replace_csp

OVERRIDDEN = {
    **BALANCED_STATIC,
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
    "Server": None,
}


def _all(path: str) -> list[dict[str, str]]:
    """The headers of ``path`` through the sync client, the async client and ASGI."""

    async def async_client() -> dict[str, str]:
        return dict((await AsyncClient().get(path)).headers)

    return [
        dict(Client().get(path).headers),
        asyncio.run(async_client()),
        asgi_request(path).headers,
    ]


@pytest.mark.parametrize("path", ["/dec/overridden/", "/dec/async-overridden/"])
def test_override_headers(path: str) -> None:
    for headers in _all(path):
        assert_headers(headers, OVERRIDDEN)
        assert "'nonce-" in headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/dec/extended/", "/dec/async-extended/"])
def test_add_csp_sources(path: str) -> None:
    for headers in _all(path):
        csp = headers["Content-Security-Policy"]
        nonce = nonce_of(csp)
        assert f"script-src 'self' 'nonce-{nonce}' https://js.example;" in csp
        # connect-src starts from default-src (CSP3 fallback), so 'self' is kept.
        assert csp.endswith("connect-src 'self' https://api.example")
        assert_headers(headers, BALANCED_STATIC)


def test_added_sources_keep_the_request_nonce() -> None:
    response = Client().get("/dec/extended/")
    assert nonce_of(response.headers["Content-Security-Policy"]) == response.content.decode()


def test_replace_csp() -> None:
    for headers in _all("/dec/replaced/"):
        assert_headers(headers, {**BALANCED_STATIC, "Content-Security-Policy": EMBED_CSP})


def test_exempt_named_headers() -> None:
    for headers in _all("/dec/exempted/"):
        assert_headers(
            headers,
            {**BALANCED_STATIC, "X-Frame-Options": None, "Content-Security-Policy": None},
        )


# Django's SecurityMiddleware adds its own headers when they are missing; turn its header
# settings off to see exactly what the exemption leaves out.
@override_settings(SECURE_REFERRER_POLICY=None, SECURE_CONTENT_TYPE_NOSNIFF=False)
@pytest.mark.parametrize("path", ["/dec/exempt-all/", "/dec/async-exempt-all/"])
def test_exempt_all(path: str) -> None:
    for headers in _all(path):
        assert_headers(
            headers,
            {**dict.fromkeys(BALANCED_STATIC), "Content-Security-Policy": None},
        )


def test_django_security_middleware_still_fills_exempted_headers() -> None:
    # Documented: an exemption only stops SecureHeadersMiddleware.
    headers = Client().get("/dec/exempt-all/").headers
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in headers


def test_stacked_decorators_compose() -> None:
    for headers in _all("/dec/stacked/"):
        assert_headers(headers, {**BALANCED_STATIC, "X-Frame-Options": "DENY", "Server": None})
        assert "img-src 'self' data: https://img.example;" in headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("path", "body"),
    [("/cbv/sync/", b"sync class"), ("/cbv/async/", b"async class")],
)
def test_decorated_class(path: str, body: bytes) -> None:
    assert Client().get(path).content == body
    for headers in _all(path):
        assert_headers(headers, {**BALANCED_STATIC, "X-Frame-Options": "DENY"})


def test_decorated_subclass_composes_with_its_parent() -> None:
    for headers in _all("/cbv/subclass/"):
        assert_headers(headers, {**BALANCED_STATIC, "X-Frame-Options": "DENY", "Server": None})


def test_decorating_a_class_leaves_its_parent_alone() -> None:
    # SyncClassView's parent is View; View itself must not have been changed.
    from django.views import View

    from secure_django.decorators import MARK_ATTR

    assert not hasattr(View.dispatch, MARK_ATTR)
    assert not hasattr(View, MARK_ATTR)


@pytest.mark.parametrize("path", ["/cbv/as-view/", "/cbv/async-as-view/"])
def test_decorated_as_view(path: str) -> None:
    for headers in _all(path):
        assert_headers(headers, {**BALANCED_STATIC, "Server": None})


def test_method_decorator_on_async_dispatch() -> None:
    for headers in _all("/cbv/method-decorator/"):
        assert_headers(headers, {**BALANCED_STATIC, "X-Frame-Options": "DENY"})


def test_undecorated_views_are_unaffected() -> None:
    for headers in _all("/plain/"):
        assert_headers(headers)


def test_error_pages_of_decorated_views_get_the_project_headers() -> None:
    @exempt_headers()
    def view(request: HttpRequest) -> HttpResponse:
        raise ValueError

    # The decorator only changes responses the view returns.
    with pytest.raises(ValueError):  # noqa: PT011
        view(HttpRequest())


def test_decorated_function_keeps_its_name_and_async_nature() -> None:
    from asgiref.sync import iscoroutinefunction
    from django_project import views

    assert views.async_overridden.__name__ == "async_overridden"
    assert iscoroutinefunction(views.async_overridden)
    assert not iscoroutinefunction(views.overridden)


@override_settings(SECURE_HEADERS={"preset": "strict"})
def test_overrides_follow_the_project_configuration() -> None:
    # Derived from STRICT now, not from the configuration at import time.
    headers = Client().get("/dec/overridden/").headers
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cache-Control"] == "no-store"
    assert "Server" not in headers


def test_bad_decorator_arguments_fail_when_decorating() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    with pytest.raises(ValueError, match="X-Bad"):
        override_headers({"X-Bad": "a\nb"})(view)
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        add_csp_sources({"script-src": ["https://x; img-src *"]})(view)
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        replace_csp("default-src 'self'\r\n")(view)
    with pytest.raises(TypeError, match="replace_csp"):
        replace_csp(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="exempt_headers"):
        exempt_headers(42)  # type: ignore[arg-type]


@override_settings(SECURE_HEADERS={"csp": False})
def test_add_csp_sources_without_a_csp_fails() -> None:
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    with pytest.raises(ValueError, match="no CSP"):
        add_csp_sources({"script-src": ["https://x"]})(view)


@override_settings(SECURE_HEADERS={"cps": {}})
def test_decorating_with_a_broken_project_configuration_defers_the_error() -> None:
    # The middleware and `manage.py check` report SECURE_HEADERS; importing views must
    # not crash first.
    @override_headers({"X-Frame-Options": "DENY"})
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert view(HttpRequest()).status_code == 200


# -- decorators wrap, never mutate ------------------------------------------------------


@pytest.mark.parametrize(
    ("marked", "unmarked"),
    [
        ("/shared/exempt/", "/shared/plain/"),
        ("/shared/async-exempt/", "/shared/async-plain/"),
        ("/shared/function-exempt/", "/shared/function-plain/"),
    ],
)
def test_a_view_routed_twice_is_marked_only_where_decorated(marked: str, unmarked: str) -> None:
    for headers in _all(marked):
        assert_headers(headers, {**BALANCED_STATIC, "X-Frame-Options": None})
    for headers in _all(unmarked):
        assert_headers(headers)


def test_decorating_a_class_returns_a_subclass_and_leaves_the_class_alone() -> None:
    from django.views import View

    class Page(View):
        def get(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse("page")

    class Child(Page):
        pass

    dispatch = Page.dispatch
    marked = exempt_headers("X-Frame-Options")(Page)
    assert marked is not Page
    assert issubclass(marked, Page)
    assert marked.__name__ == "Page"
    assert Page.dispatch is dispatch is View.dispatch
    assert Child.dispatch is View.dispatch


def test_decorating_a_dispatch_method_leaves_it_alone() -> None:
    from django.views import View

    dispatch = View.dispatch
    wrapped = exempt_headers("Server")(View.dispatch)
    assert wrapped is not dispatch
    assert View.dispatch is dispatch
    assert not hasattr(dispatch, "__secure_django_override__")


def test_shared_vocabulary_names() -> None:
    from secure_django import exempt, override

    @override(headers={"X-Frame-Options": "DENY"}, csp_sources={"img-src": "https://i.example"})
    @exempt("Server")
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    @exempt
    def bare(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    from secure import Override

    assert view(HttpRequest())._secure_headers_override == Override(  # type: ignore[attr-defined]
        headers={"X-Frame-Options": "DENY"},
        csp_sources={"img-src": ["https://i.example"]},
        exempt=["Server"],
    )
    assert bare(HttpRequest())._secure_headers_override == Override(exempt_all=True)  # type: ignore[attr-defined]
    with pytest.raises(TypeError, match="needs headers="):
        override()


# -- validation when decorating ---------------------------------------------------------


def test_invalid_managed_header_value_fails_before_any_view() -> None:
    with pytest.raises(ValueError, match="X-Frame-Options"):
        override_headers({"X-Frame-Options": "ALLOWALL"})


@pytest.mark.parametrize("name", ["X-Fram-Options", "Strict-Transport-Securty"])
def test_typo_in_an_exempt_name_fails_before_any_view(name: str) -> None:
    from secure_django import exempt

    with pytest.raises(ValueError, match="did you mean"):
        exempt_headers(name)
    with pytest.raises(ValueError, match="did you mean"):
        exempt(name)


def test_overrides_declared_before_the_settings_are_checked_when_the_middleware_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from secure_django import SecureHeadersMiddleware, _conf

    monkeypatch.setattr(_conf, "_pending", [])
    # SECURE_HEADERS cannot be read now; the decorator cannot check against it yet.
    with override_settings(SECURE_HEADERS={"cps": {}}):
        exempt_headers("X-Fram-Options")
    with pytest.raises(ImproperlyConfigured, match="did you mean"):
        SecureHeadersMiddleware(lambda request: HttpResponse())


# -- the application's own CSP, CDNs under STRICT ---------------------------------------


@pytest.mark.parametrize("path", ["/own-csp/", "/own-csp/decorated/"])
def test_the_view_own_csp_is_kept_next_to_ours(path: str) -> None:
    from django_project.views import OWN_CSP

    for headers in _all(path):
        own, ours = headers["Content-Security-Policy"].split(", ")
        assert own == OWN_CSP
        assert ours.startswith("default-src 'self'; ")
        assert "'nonce-" in ours
        assert headers["Content-Security-Policy-Report-Only"] == (
            "default-src 'none'; report-uri /r"
        )


def test_other_managed_headers_the_view_sets_are_replaced() -> None:
    # One rule with the core middleware: ours replace the view's (exempt to keep it).
    for headers in _all("/own-xfo/"):
        assert headers["X-Frame-Options"] == "SAMEORIGIN"


@override_settings(SECURE_HEADERS={"preset": "strict"})
def test_cdn_sources_under_strict_keep_self() -> None:
    csp = Client().get("/cdn/").headers["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in csp.split("; ") if " " in d)
    for directive in ("img-src", "connect-src", "frame-src"):
        assert directives[directive].split() == ["'self'", "https://cdn.example"], directive


def test_decorated_class_keeps_what_other_dispatch_decorators_set() -> None:
    from django.urls import path
    from django.utils.decorators import method_decorator
    from django.views import View
    from django.views.decorators.csrf import csrf_exempt

    @method_decorator(csrf_exempt, name="dispatch")
    class Hook(View):
        def post(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse("hooked")

    urlpatterns = [path("hook/", exempt_headers("X-Frame-Options")(Hook).as_view())]
    with override_settings(ROOT_URLCONF=type("urls", (), {"urlpatterns": urlpatterns})):
        response = Client(enforce_csrf_checks=True).post("/hook/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response.headers
