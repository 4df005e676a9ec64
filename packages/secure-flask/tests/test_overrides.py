from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from flask import Blueprint, Flask, Response, abort
from flask.views import MethodView, View
from werkzeug.wrappers import Response as WerkzeugResponse

from secure.headers import ContentSecurityPolicy
from secure_flask import Secure, allow_http, exempt, override

CheckHeaders = Callable[[WerkzeugResponse, Mapping[str, "str | None"]], None]


def _csp(response: WerkzeugResponse) -> dict[str, list[str]]:
    """The directives of the response's CSP: directive -> sources."""
    (value,) = response.headers.getlist("Content-Security-Policy")
    return {
        name: sources
        for name, *sources in (part.split() for part in value.split(";") if part.strip())
    }


# -- override ---------------------------------------------------------------------------


def test_override_sets_replaces_and_removes_headers_for_one_view(
    app: Flask, check: CheckHeaders, balanced: Mapping[str, str]
) -> None:
    @app.get("/embed")
    @override(
        {"X-Frame-Options": None, "Cache-Control": "no-store", "referrer-policy": "no-referrer"}
    )
    def embed() -> str:
        return "embed"

    Secure(app)
    client = app.test_client()
    check(
        client.get("/embed"),
        {
            **balanced,
            "X-Frame-Options": None,
            "Cache-Control": "no-store",
            "Referrer-Policy": "no-referrer",
        },
    )
    check(client.get("/"), {**balanced, "Cache-Control": None})


def test_override_adds_csp_sources_for_one_view(app: Flask) -> None:
    @app.get("/checkout")
    @override(csp_sources={"script-src": ["https://js.stripe.com"], "frame-src": "https://x.test"})
    def checkout() -> str:
        return "pay"

    Secure(app)
    client = app.test_client()
    csp = _csp(client.get("/checkout"))
    assert csp["script-src"] == ["'self'", "https://js.stripe.com"]
    # frame-src was missing: it starts from default-src, its CSP3 fallback.
    assert csp["frame-src"] == ["'self'", "https://x.test"]
    assert csp["default-src"] == ["'self'"]
    assert _csp(client.get("/"))["script-src"] == ["'self'"]


@pytest.mark.parametrize(
    "policy",
    [
        pytest.param(ContentSecurityPolicy().default_src("'none'").img_src("'self'"), id="builder"),
        pytest.param("default-src 'none'; img-src 'self'", id="string"),
    ],
)
def test_override_replaces_the_csp(
    app: Flask, check: CheckHeaders, policy: ContentSecurityPolicy | str
) -> None:
    @app.get("/image")
    @override(csp=policy)
    def image() -> str:
        return "image"

    Secure(app)
    check(
        app.test_client().get("/image"),
        {"Content-Security-Policy": "default-src 'none'; img-src 'self'"},
    )


def test_override_keeps_its_own_copy_of_a_builder(app: Flask, check: CheckHeaders) -> None:
    policy = ContentSecurityPolicy().default_src("'none'")

    @app.get("/image")
    @override(csp=policy)
    def image() -> str:
        return "image"

    policy.default_src("https://changed.test")
    Secure(app)
    check(app.test_client().get("/image"), {"Content-Security-Policy": "default-src 'none'"})


@pytest.mark.parametrize("decorator", [exempt, override({"Cache-Control": "no-store"})])
def test_a_decorator_above_the_route_is_refused_at_init_app(
    app: Flask, decorator: Callable[[Any], Any]
) -> None:
    @decorator
    @app.get("/above")
    def above() -> str:
        return "above"

    with pytest.raises(ValueError, match=r"view 'above'.*above @app.route"):
        Secure(app)


def test_rules_survive_functools_wraps_decorators(app: Flask, check: CheckHeaders) -> None:
    def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    @app.get("/account")
    @login_required
    @override(headers={"Cache-Control": "no-store"})
    def account() -> str:
        return "account"

    Secure(app)
    check(app.test_client().get("/account"), {"Cache-Control": "no-store"})


def test_stacked_decorators_apply_inside_out(app: Flask, check: CheckHeaders) -> None:
    @app.get("/stacked")
    @exempt("X-Frame-Options")
    @override({"X-Frame-Options": "DENY", "Cache-Control": "no-store"})
    def stacked() -> str:
        return "stacked"

    Secure(app)
    check(app.test_client().get("/stacked"), {"X-Frame-Options": None, "Cache-Control": "no-store"})


def test_error_responses_of_an_overridden_view_keep_its_headers(
    app: Flask, check: CheckHeaders
) -> None:
    @app.get("/gone")
    @override(headers={"Cache-Control": "no-store"})
    def gone() -> str:
        abort(410)

    Secure(app)
    response = app.test_client().get("/gone")
    assert response.status_code == 410
    check(response, {"Cache-Control": "no-store"})


def test_class_based_views(app: Flask, check: CheckHeaders) -> None:
    @override(headers={"X-Frame-Options": "DENY"})
    class Decorated(MethodView):
        def get(self) -> str:
            return "class"

    class WithDecorators(View):
        decorators = [exempt("Server")]  # noqa: RUF012

        def dispatch_request(self) -> str:
            return "listed"

    app.add_url_rule("/decorated", view_func=Decorated.as_view("decorated"))
    app.add_url_rule("/listed", view_func=WithDecorators.as_view("listed"))
    Secure(app)
    client = app.test_client()
    check(client.get("/decorated"), {"X-Frame-Options": "DENY"})
    check(client.get("/listed"), {"Server": None, "X-Frame-Options": "SAMEORIGIN"})


# -- exempt -----------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["bare", "called"])
def test_exempt_from_everything(app: Flask, balanced: Mapping[str, str], form: str) -> None:
    def health() -> str:
        return "ok"

    app.add_url_rule("/health", view_func=exempt(health) if form == "bare" else exempt()(health))
    Secure(app)
    client = app.test_client()
    assert not set(balanced) & set(client.get("/health").headers.keys())
    assert set(balanced) <= set(client.get("/").headers.keys())


def test_exempt_chosen_headers_keeps_the_views_own(
    app: Flask, check: CheckHeaders, balanced: Mapping[str, str]
) -> None:
    @app.get("/widget")
    @exempt("X-Frame-Options", "content-security-policy")
    def widget() -> Response:
        response = Response("widget")
        response.headers["X-Frame-Options"] = "ALLOW-FROM https://partner.test"
        return response

    Secure(app)
    check(
        app.test_client().get("/widget"),
        {
            **balanced,
            "X-Frame-Options": "ALLOW-FROM https://partner.test",
            "Content-Security-Policy": None,
        },
    )


# -- blueprints -------------------------------------------------------------------------


def test_blueprint_rules_apply_to_its_views_then_the_views_own(
    app: Flask, check: CheckHeaders, balanced: Mapping[str, str]
) -> None:
    admin = override({"X-Frame-Options": "DENY", "Cache-Control": "no-store"})(
        Blueprint("admin", __name__, url_prefix="/admin")
    )
    reports = exempt("Cache-Control")(Blueprint("reports", __name__, url_prefix="/reports"))
    api = exempt(Blueprint("api", __name__, url_prefix="/api"))

    @admin.get("/")
    def dashboard() -> str:
        return "admin"

    @admin.get("/frame")
    @override(headers={"X-Frame-Options": "SAMEORIGIN"})
    def frame() -> str:
        return "frame"

    @reports.get("/")
    def report() -> str:
        return "report"

    @api.get("/")
    def data() -> dict[str, int]:
        return {"a": 1}

    admin.register_blueprint(reports)
    app.register_blueprint(admin)
    app.register_blueprint(api)
    Secure(app)
    client = app.test_client()
    check(client.get("/admin/"), {"X-Frame-Options": "DENY", "Cache-Control": "no-store"})
    check(client.get("/admin/frame"), {"X-Frame-Options": "SAMEORIGIN"})
    # Nested: the outer blueprint's rules, then the inner one's.
    check(client.get("/admin/reports/"), {"X-Frame-Options": "DENY", "Cache-Control": None})
    assert not set(balanced) & set(client.get("/api/").headers.keys())
    check(client.get("/"), balanced)
    # A 404 under a blueprint's prefix has no endpoint: the app's headers.
    check(client.get("/api/missing"), balanced)


def test_one_view_two_apps_each_with_its_own_base(check: CheckHeaders) -> None:
    @override(csp_sources={"img-src": ["https://img.test"]})
    def gallery() -> str:
        return "gallery"

    ext = Secure()
    apps = [Flask("a"), Flask("b")]
    apps[1].config["SECURE_HEADERS"] = {"csp": "default-src 'none'"}
    for app in apps:
        app.add_url_rule("/", view_func=gallery)
        ext.init_app(app)
    assert _csp(apps[0].test_client().get("/"))["img-src"] == [
        "'self'",
        "data:",
        "https://img.test",
    ]
    assert _csp(apps[1].test_client().get("/"))["img-src"] == ["https://img.test"]


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        pytest.param(
            lambda: override({"X-Frame-Options": "DENY\r\nSet-Cookie: a=1"}),
            ValueError,
            "X-Frame-Options",
            id="value-injection",
        ),
        pytest.param(
            lambda: override({"Bad Name": "1"}), ValueError, "Bad Name", id="name-not-a-token"
        ),
        pytest.param(
            lambda: override(csp_sources={"script-src": ["https://a.test; object-src *"]}),
            ValueError,
            "Content-Security-Policy",
            id="csp-directive-injection",
        ),
        pytest.param(
            lambda: exempt("X Frame Options"), ValueError, "X Frame Options", id="exempt-name"
        ),
        pytest.param(lambda: override(), TypeError, "needs headers=", id="override-empty"),
        pytest.param(
            lambda: exempt("X-Frame-Options", 1),  # type: ignore[call-overload]
            TypeError,
            "header names",
            id="type",
        ),
    ],
)
def test_bad_rules_fail_when_decorating(
    make: Callable[[], Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make()(lambda: "view")


@pytest.mark.parametrize("target", [42, "view", dict], ids=["int", "str", "class"])
def test_decorating_something_that_is_not_a_view(target: Any) -> None:
    with pytest.raises(TypeError, match="decorates a view function"):
        override({"X-Frame-Options": "DENY"})(target)


def test_rule_that_does_not_fit_the_app_fails_at_init_app(app: Flask) -> None:
    @app.get("/cdn")
    @override(csp_sources={"script-src": ["https://cdn.test"]})
    def cdn() -> str:
        return "cdn"

    app.config["SECURE_HEADERS"] = {"csp": False}
    with pytest.raises(ValueError, match=r"view 'cdn': Content-Security-Policy"):
        Secure(app)


# -- allow_http -------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["bare", "called"])
def test_allow_http_skips_the_redirect_for_one_view(
    app: Flask, check: CheckHeaders, balanced: Mapping[str, str], form: str
) -> None:
    def healthz() -> str:
        return "ok"

    app.add_url_rule(
        "/healthz", view_func=allow_http(healthz) if form == "bare" else allow_http()(healthz)
    )
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    Secure(app, force_https=True)
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    check(response, balanced)  # still gets the headers
    assert client.get("/").status_code == 307


def test_allow_http_on_a_blueprint(app: Flask) -> None:
    probes = allow_http(Blueprint("probes", __name__, url_prefix="/probes"))
    probes.add_url_rule("/live", "live", lambda: "ok")
    app.register_blueprint(probes)
    app.config["SECURE_FORCE_HTTPS"] = True
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    Secure(app)
    client = app.test_client()
    assert client.get("/probes/live").status_code == 200
    assert client.get("/probes/missing").status_code == 307


def test_allow_http_for_a_view_added_after_init_app(app: Flask) -> None:
    Secure(app, force_https=True)

    @app.get("/late")
    @allow_http
    def late() -> str:
        return "late"

    assert app.test_client().get("/late").status_code == 200


def test_init_app_again_with_a_rule_that_does_not_fit_keeps_the_old_config(
    app: Flask, check: CheckHeaders, balanced: Mapping[str, str]
) -> None:
    @app.get("/cdn")
    @override(csp_sources={"script-src": ["https://cdn.test"]})
    def cdn() -> str:
        return "cdn"

    ext = Secure(app)
    app.config["SECURE_HEADERS"] = {"csp": False}
    with pytest.raises(ValueError, match="view 'cdn'"):
        ext.init_app(app)
    check(app.test_client().get("/"), balanced)


# -- decorators wrap, never mutate ---------------------------------------------------


def test_exempt_on_a_view_shared_by_two_routes_leaves_the_other_alone(
    app: Flask, check: CheckHeaders
) -> None:
    def page() -> str:
        return "page"

    app.add_url_rule("/plain", "plain", page)
    app.add_url_rule("/embeddable", "embeddable", exempt("X-Frame-Options")(page))
    Secure(app)
    client = app.test_client()
    check(client.get("/plain"), {"X-Frame-Options": "SAMEORIGIN"})
    check(client.get("/embeddable"), {"X-Frame-Options": None})
    assert not hasattr(page, "__secure_flask_rules__")
    assert vars(page) == {}


@pytest.mark.parametrize("base", [View, MethodView])
def test_exempt_on_a_view_class_leaves_the_undecorated_class_alone(
    app: Flask, check: CheckHeaders, base: type[View]
) -> None:
    class Page(base):  # type: ignore[misc, valid-type]
        def dispatch_request(self) -> str:
            return "page"

        def get(self) -> str:
            return "page"

    before = dict(vars(Page))
    embeddable = exempt("X-Frame-Options")(Page)
    assert embeddable is not Page
    assert dict(vars(Page)) == before
    app.add_url_rule("/plain", view_func=Page.as_view("plain"))
    app.add_url_rule("/embeddable", view_func=embeddable.as_view("embeddable"))
    Secure(app)
    client = app.test_client()
    check(client.get("/plain"), {"X-Frame-Options": "SAMEORIGIN"})
    check(client.get("/embeddable"), {"X-Frame-Options": None})


def test_decorated_blueprint_is_not_changed(app: Flask, check: CheckHeaders) -> None:
    bp = Blueprint("bp", __name__, url_prefix="/bp")
    bp.add_url_rule("/", "index", lambda: "bp")
    before = dict(vars(bp))
    marked = exempt("X-Frame-Options")(bp)
    assert marked is bp
    assert dict(vars(bp)) == before
    app.register_blueprint(bp)
    Secure(app)
    check(app.test_client().get("/bp/"), {"X-Frame-Options": None})


def test_async_view_keeps_working_when_wrapped(app: Flask, check: CheckHeaders) -> None:
    pytest.importorskip("asgiref")

    @app.get("/async")
    @override({"Cache-Control": "no-store"})
    async def page() -> str:
        return "async"

    Secure(app)
    response = app.test_client().get("/async")
    assert response.text == "async"
    check(response, {"Cache-Control": "no-store"})


# -- validated before any request -----------------------------------------------------


def test_override_with_a_value_the_configuration_refuses_fails_when_decorating() -> None:
    with pytest.raises(ValueError, match=r"X-Frame-Options.*ALLOWALL"):
        override(headers={"X-Frame-Options": "ALLOWALL"})


def test_exempting_a_misspelt_header_fails_at_init_app(app: Flask) -> None:
    @app.get("/typo")
    @exempt("X-Fram-Options")
    def typo() -> str:
        return "typo"

    with pytest.raises(ValueError, match=r"view 'typo': X-Fram-Options.*'X-Frame-Options'"):
        Secure(app)


# -- CSP sources keep 'self' -------------------------------------------------------------


@pytest.mark.parametrize("directive", ["img-src", "connect-src", "frame-src"])
def test_cdn_added_under_strict_keeps_self(app: Flask, directive: str) -> None:
    @app.get("/cdn")
    @override(csp_sources={directive: ["https://cdn.example.test"]})
    def cdn() -> str:
        return "cdn"

    app.config["SECURE_HEADERS"] = "strict"
    Secure(app)
    client = app.test_client()
    sources = _csp(client.get("/cdn"))[directive]
    assert "'self'" in sources
    assert "https://cdn.example.test" in sources
    assert "https://cdn.example.test" not in client.get("/").headers["Content-Security-Policy"]
