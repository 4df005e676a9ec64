from __future__ import annotations

import http.client
import io
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import pytest
from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    redirect,
    send_file,
    session,
    stream_with_context,
)
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.serving import make_server
from werkzeug.wrappers import Response as WerkzeugResponse

import secure
from secure_flask import Secure, override

if TYPE_CHECKING:
    from pathlib import Path

CheckHeaders = Callable[[WerkzeugResponse, Mapping[str, "str | None"]], None]

# -- every kind of response ------------------------------------------------------------


@pytest.fixture
def full_app(tmp_path: Path) -> Flask:
    """An app that produces every kind of response Flask can make."""
    (tmp_path / "site.css").write_text("body { color: black }")
    app = Flask(__name__, static_folder=str(tmp_path), static_url_path="/static")
    # Unhandled exceptions become the 500 page, as in production.
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/")
    def index() -> str:
        return "hello"

    @app.get("/json")
    def json() -> dict[str, int]:
        return {"a": 1}

    @app.get("/abort")
    def aborted() -> str:
        abort(403)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/teapot")
    def teapot() -> str:
        raise LookupError

    @app.errorhandler(LookupError)
    def handle_lookup(exc: LookupError) -> tuple[str, int]:
        return "handled", 418

    @app.get("/redirect")
    def redirected() -> Response:
        return redirect("/")  # type: ignore[return-value]

    @app.get("/slash/")
    def slash() -> str:
        return "slash"

    @app.get("/file")
    def file() -> Response:
        return send_file(io.BytesIO(b"data"), mimetype="text/plain")

    @app.get("/stream")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            yield "a"
            yield "b"

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    @app.post("/only-post")
    def only_post() -> str:
        return "posted"

    Secure(app)
    return app


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        pytest.param("GET", "/", 200, id="view"),
        pytest.param("GET", "/json", 200, id="json"),
        pytest.param("HEAD", "/", 200, id="head"),
        pytest.param("GET", "/missing", 404, id="404"),
        pytest.param("GET", "/abort", 403, id="abort"),
        pytest.param("GET", "/boom", 500, id="unhandled-exception"),
        pytest.param("GET", "/teapot", 418, id="error-handler"),
        pytest.param("GET", "/redirect", 302, id="redirect"),
        pytest.param("GET", "/slash", 308, id="routing-redirect"),
        pytest.param("GET", "/only-post", 405, id="405"),
        pytest.param("GET", "/file", 200, id="send_file"),
        pytest.param("GET", "/static/site.css", 200, id="static"),
        pytest.param("GET", "/stream", 200, id="streamed"),
        pytest.param("OPTIONS", "/", 200, id="options"),
    ],
)
def test_every_response_kind_gets_the_headers(
    balanced: Mapping[str, str],
    full_app: Flask,
    check: CheckHeaders,
    method: str,
    url: str,
    status: int,
) -> None:
    with full_app.test_client().open(url, method=method) as response:
        assert response.status_code == status
        check(response, balanced)


def test_not_modified_static_file_gets_the_headers(
    balanced: Mapping[str, str], full_app: Flask, check: CheckHeaders
) -> None:
    client = full_app.test_client()
    with client.get("/static/site.css") as first:
        etag = first.headers["ETag"]
    with client.get("/static/site.css", headers={"If-None-Match": etag}) as response:
        assert response.status_code == 304
        check(response, balanced)


def test_before_request_response_gets_the_headers(
    balanced: Mapping[str, str], app: Flask, check: CheckHeaders
) -> None:
    @app.before_request
    def maintenance() -> tuple[str, int]:
        return "down for maintenance", 503

    Secure(app)
    response = app.test_client().get("/")
    assert response.status_code == 503
    check(response, balanced)


def test_streamed_response_on_a_real_server(balanced: Mapping[str, str], full_app: Flask) -> None:
    server = make_server("127.0.0.1", 0, full_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/stream")
        response = conn.getresponse()
        body = response.read()
        headers = response.getheaders()
        conn.close()
    finally:
        server.shutdown()
        thread.join()
    assert body == b"ab"
    # Werkzeug's development server adds its own Server header: not ours to check.
    for name, value in balanced.items():
        if name != "Server":
            assert [v for n, v in headers if n.lower() == name.lower()] == [value]


# -- what the app sets itself ----------------------------------------------------------


def test_managed_headers_replace_the_apps_and_others_pass_through(
    balanced: Mapping[str, str], app: Flask, check: CheckHeaders
) -> None:
    @app.get("/own")
    def own() -> Response:
        response = Response("own")
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["x-content-type-options"] = "whatever"
        response.headers["X-Request-Id"] = "42"
        response.headers.add("Set-Cookie", "a=1; Path=/")
        response.headers.add("Set-Cookie", "b=2; Path=/")
        return response

    Secure(app)
    response = app.test_client().get("/own")
    check(response, {**balanced, "X-Request-Id": "42"})
    assert response.headers.getlist("Set-Cookie") == ["a=1; Path=/", "b=2; Path=/"]
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_later_after_request_hooks_run_first_and_are_overwritten(
    app: Flask, check: CheckHeaders
) -> None:
    Secure(app)

    @app.after_request
    def set_xfo(response: Response) -> Response:
        response.headers["X-Frame-Options"] = "DENY"
        return response

    check(app.test_client().get("/"), {"X-Frame-Options": "SAMEORIGIN"})


# -- configuration ---------------------------------------------------------------------


def test_nothing_configured_means_balanced(balanced: Mapping[str, str], app: Flask) -> None:
    Secure(app)
    response = app.test_client().get("/")
    sent = {name: value for name, value in response.headers if name in balanced}
    assert sent == balanced
    assert Secure.headers_for(app) == secure.Secure.with_default_headers()


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("strict", id="preset-name"),
        pytest.param(secure.Preset.STRICT, id="preset"),
        pytest.param({"preset": "strict"}, id="mapping"),
        pytest.param(secure.Secure.from_preset(secure.Preset.STRICT), id="secure-object"),
    ],
)
def test_config_takes_what_the_core_takes(
    app: Flask, check: CheckHeaders, strict: Mapping[str, str], config: object
) -> None:
    app.config["SECURE_HEADERS"] = config
    Secure(app)
    check(app.test_client().get("/"), strict)


def test_shared_config_format(app: Flask, check: CheckHeaders) -> None:
    app.config["SECURE_HEADERS"] = {
        "preset": "balanced",
        "xfo": "DENY",
        "server": False,
        "custom": {"X-Robots-Tag": "noindex"},
    }
    Secure(app)
    check(
        app.test_client().get("/"),
        {"X-Frame-Options": "DENY", "Server": None, "X-Robots-Tag": "noindex"},
    )


def test_preset_none_sends_nothing(balanced: Mapping[str, str], app: Flask) -> None:
    app.config["SECURE_HEADERS"] = {"preset": "none"}
    Secure(app)
    response = app.test_client().get("/")
    assert not set(balanced) & set(response.headers.keys())


def test_constructor_secure_is_the_default_and_app_config_wins(
    balanced: Mapping[str, str], check: CheckHeaders, strict: Mapping[str, str]
) -> None:
    ext = Secure(secure="strict")
    plain, configured = Flask("plain"), Flask("configured")
    configured.config["SECURE_HEADERS"] = {"preset": "balanced"}
    for app in (plain, configured):
        app.add_url_rule("/", "index", lambda: "hello")
        ext.init_app(app)
    check(plain.test_client().get("/"), strict)
    check(configured.test_client().get("/"), balanced)


def test_factory_one_extension_many_apps(check: CheckHeaders) -> None:
    ext = Secure()

    def create_app(config: Mapping[str, object]) -> Flask:
        app = Flask(__name__)
        app.config.update(config)
        app.config["TRUSTED_HOSTS"] = ["localhost"]
        bp = Blueprint("pages", __name__)
        bp.add_url_rule("/", "index", lambda: "hello")
        app.register_blueprint(bp)
        ext.init_app(app)
        return app

    first = create_app({"SECURE_HEADERS": {"xfo": "DENY"}})
    second = create_app({"SECURE_HEADERS": {"preset": "basic"}, "SECURE_FORCE_HTTPS": True})
    check(first.test_client().get("/"), {"X-Frame-Options": "DENY", "Server": ""})
    check(
        second.test_client().get("/", base_url="https://localhost"),
        {"X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "no-referrer", "Server": None},
    )
    assert first.test_client().get("/").status_code == 200
    assert second.test_client().get("/").status_code == 307
    # No application state on the extension object.
    assert not hasattr(ext, "app")
    assert first.extensions["secure"] is not second.extensions["secure"]


def test_init_app_twice_registers_once_and_rereads_config(app: Flask, check: CheckHeaders) -> None:
    ext = Secure(app)
    wrapped = app.wsgi_app
    app.config["SECURE_HEADERS"] = {"xfo": "DENY"}
    ext.init_app(app)
    assert app.wsgi_app is wrapped
    assert app.after_request_funcs == {}
    check(app.test_client().get("/"), {"X-Frame-Options": "DENY"})


def test_second_extension_object_on_one_app_is_refused(app: Flask) -> None:
    Secure(app)
    with pytest.raises(RuntimeError, match=r"already has a secure_flask\.Secure"):
        Secure(app)


def test_headers_for_uninitialised_app_says_what_to_do(app: Flask) -> None:
    with pytest.raises(RuntimeError, match=r"call Secure\(app\) or secure.init_app\(app\)"):
        Secure.headers_for(app)


@pytest.mark.parametrize(
    ("config", "error", "message"),
    [
        pytest.param(
            {"SECURE_HEADERS": {"cps": "default-src 'self'"}},
            ValueError,
            r"app.config\['SECURE_HEADERS'\]: .*cps.*'csp'",
            id="unknown-key-suggests-closest",
        ),
        pytest.param(
            {"SECURE_HEADERS": {"xfo": "SAMEORIGIN\r\nX-Evil: 1"}},
            ValueError,
            r"app.config\['SECURE_HEADERS'\]: .*X-Frame-Options",
            id="header-injection",
        ),
        pytest.param(
            {"SECURE_HEADERS": "medium"},
            ValueError,
            r"app.config\['SECURE_HEADERS'\]: .*'medium'",
            id="unknown-preset",
        ),
        pytest.param(
            {"SECURE_HEADERS": 42},
            TypeError,
            r"app.config\['SECURE_HEADERS'\]: expected a secure.Secure",
            id="wrong-type",
        ),
        pytest.param(
            {"SECURE_FORCE_HTTPS": "yes"},
            ValueError,
            r"app.config\['SECURE_FORCE_HTTPS'\] must be True or False, got str 'yes'",
            id="force-https-not-bool",
        ),
        pytest.param(
            {"SECURE_HARDEN_SESSION_COOKIE": 1},
            ValueError,
            r"app.config\['SECURE_HARDEN_SESSION_COOKIE'\] must be True or False",
            id="cookie-not-bool",
        ),
    ],
)
def test_configuration_errors_name_the_key(
    app: Flask, config: Mapping[str, object], error: type[Exception], message: str
) -> None:
    app.config.update(config)
    with pytest.raises(error, match=message):
        Secure(app)
    assert "secure" not in app.extensions


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param(
            {"secure": {"hstss": {}}}, r"Secure\(secure=...\): .*hstss.*'hsts'", id="secure"
        ),
        pytest.param({"force_https": "no"}, r"Secure\(force_https=...\) must be", id="flag"),
    ],
)
def test_constructor_errors_name_the_option(kwargs: Mapping[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Secure(**kwargs)  # type: ignore[arg-type]


def test_views_added_after_init_app_are_compiled_on_first_use(
    balanced: Mapping[str, str], app: Flask, check: CheckHeaders
) -> None:
    Secure(app)

    @app.get("/late")
    @override(headers={"X-Frame-Options": "DENY"})
    def late() -> str:
        return "late"

    client = app.test_client()
    check(client.get("/late"), {**balanced, "X-Frame-Options": "DENY"})
    check(client.get("/"), balanced)


# -- HTTPS redirect ---------------------------------------------------------------------


def test_https_redirect_is_off_by_default(app: Flask) -> None:
    Secure(app)
    assert app.test_client().get("/").status_code == 200
    assert app.before_request_funcs == {}


@pytest.mark.parametrize(
    ("options", "config", "status"),
    [
        pytest.param({"force_https": True}, {}, 307, id="option"),
        pytest.param({}, {"SECURE_FORCE_HTTPS": True}, 307, id="config"),
        pytest.param({"force_https": True, "force_https_permanent": True}, {}, 308, id="perm"),
        pytest.param(
            {"force_https": True}, {"SECURE_FORCE_HTTPS_PERMANENT": True}, 308, id="perm-config"
        ),
    ],
)
def test_https_redirect(
    balanced: Mapping[str, str],
    app: Flask,
    check: CheckHeaders,
    options: Mapping[str, Any],
    config: Mapping[str, bool],
    status: int,
) -> None:
    app.config.update(config)
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    Secure(app, **options)
    client = app.test_client()
    response = client.get("/path?q=1&r=%C3%A9")
    assert response.status_code == status
    assert response.headers["Location"] == "https://localhost/path?q=1&r=%C3%A9"
    check(response, balanced)
    # 307/308 keep the method: a redirected POST is re-sent as a POST.
    assert client.post("/form", data={"a": "1"}).status_code == status
    assert client.get("/", base_url="https://localhost").status_code == 200


def test_app_config_can_turn_the_redirect_off(app: Flask) -> None:
    app.config["SECURE_FORCE_HTTPS"] = False
    Secure(app, force_https=True)
    assert app.test_client().get("/").status_code == 200


def test_https_redirect_respects_proxy_fix(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = ["localhost"]
    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)  # type: ignore[method-assign]
    Secure(app, force_https=True)
    client = app.test_client()
    assert client.get("/", headers={"X-Forwarded-Proto": "https"}).status_code == 200
    assert client.get("/", headers={"X-Forwarded-Proto": "http"}).status_code == 307


def test_untrusted_forwarded_proto_is_ignored_without_proxy_fix(app: Flask) -> None:
    app.config["SERVER_NAME"] = "localhost"
    Secure(app, force_https=True)
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 307


def test_https_redirect_never_goes_to_a_host_the_client_chose(app: Flask) -> None:
    Secure(app, force_https=True)
    client = app.test_client()
    # Neither SERVER_NAME nor TRUSTED_HOSTS: no host is known to be ours.
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "TRUSTED_HOSTS" in response.get_data(as_text=True)


def test_https_redirect_to_a_trusted_host_only(app: Flask) -> None:
    app.config["TRUSTED_HOSTS"] = ["shop.example"]
    Secure(app, force_https=True)
    client = app.test_client()
    good = client.get("/a?b=1", headers={"Host": "shop.example"})
    assert good.status_code == 307
    assert good.headers["Location"] == "https://shop.example/a?b=1"
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400


def test_https_redirect_uses_server_name(app: Flask) -> None:
    app.config["SERVER_NAME"] = "shop.example"
    Secure(app, force_https=True)
    response = app.test_client().get("/a", base_url="http://shop.example")
    assert response.headers["Location"] == "https://shop.example/a"


# -- session cookie ---------------------------------------------------------------------


def _session_cookie(app: Flask, **options: Any) -> str:
    app.secret_key = "test"

    @app.get("/login")
    def login() -> str:
        session["user"] = "alice"
        return "ok"

    Secure(app, **options)
    response = app.test_client().get("/login", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1
    return cookies[0]


def test_session_cookie_left_alone_by_default(app: Flask) -> None:
    cookie = _session_cookie(app)
    assert "Secure" not in cookie
    assert "SameSite" not in cookie
    assert "HttpOnly" in cookie  # Flask's own default


def test_session_cookie_hardened(app: Flask) -> None:
    cookie = _session_cookie(app, harden_session_cookie=True)
    assert "; Secure" in cookie
    assert "; HttpOnly" in cookie
    assert "; SameSite=Lax" in cookie


def test_session_cookie_hardening_keeps_samesite_strict(app: Flask) -> None:
    app.config["SESSION_COOKIE_SAMESITE"] = "Strict"
    app.config["SESSION_COOKIE_HTTPONLY"] = False
    app.config["SECURE_HARDEN_SESSION_COOKIE"] = True
    cookie = _session_cookie(app)
    assert "; SameSite=Strict" in cookie
    assert "; HttpOnly" in cookie
    assert "; Secure" in cookie


def test_extension_holds_no_app(app: Flask) -> None:
    ext = Secure(app)
    assert all(not isinstance(v, Flask) for v in vars(ext).values())


# -- the app's own CSP -----------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Content-Security-Policy", "Content-Security-Policy-Report-Only"]
)
def test_a_views_own_csp_is_kept_beside_ours(
    app: Flask, balanced: Mapping[str, str], header: str
) -> None:
    app.config["SECURE_HEADERS"] = {"csp_report_only": {"default-src": ["'self'"]}}

    @app.get("/upload")
    def upload() -> Response:
        response = Response("<p>uploaded</p>")
        response.headers[header] = "sandbox; default-src 'none'"
        return response

    Secure(app)
    sent = app.test_client().get("/upload").headers.getlist(header)
    assert "sandbox; default-src 'none'" in sent
    assert len(sent) == 2


@pytest.mark.parametrize("key", ["SECURE_HEADER", "SECURE_FORCE_HTTP", "SECURE_HEADRES"])
def test_a_misspelt_setting_is_refused_not_ignored(app: Flask, key: str) -> None:
    app.config[key] = {"preset": "strict"}
    with pytest.raises(ValueError, match=rf"app.config\['{key}'\] is not a secure-flask setting"):
        Secure(app)


def test_other_secure_prefixed_settings_are_left_alone(app: Flask) -> None:
    app.config["SECURE_PROXY_SSL_HEADER"] = ("X-Forwarded-Proto", "https")  # someone else's
    Secure(app)


# -- other libraries' settings, and the page each error ends with ------------------------------

HELMET_IN_SECURE_HEADERS = (
    "app.config['SECURE_HEADERS']: secure config: frameguard: unknown key; these are helmet's "
    'settings, not ours; in our format they are {"xfo": "DENY"} (\'secure convert\' writes '
    "this for you) (see https://typeerror.github.io/secure/configuration/#coming-from-helmet)"
)


def test_helmet_option_names_in_secure_headers_get_their_equivalent(app: Flask) -> None:
    app.config["SECURE_HEADERS"] = {"preset": "strict", "frameguard": {"action": "deny"}}
    with pytest.raises(ValueError, match="helmet") as raised:
        Secure(app)
    assert str(raised.value) == HELMET_IN_SECURE_HEADERS


def test_flask_talisman_keywords_get_their_equivalent() -> None:
    with pytest.raises(TypeError, match="flask-talisman") as raised:
        Secure(content_security_policy={"default-src": "'self'"}, frame_options="DENY")  # type: ignore[arg-type]
    assert str(raised.value) == (
        "Secure(content_security_policy=...) is a flask-talisman keyword; pass the "
        "configuration as Secure(app, secure=...): secure config: content_security_policy: "
        "unknown key; these are flask-talisman's settings, not ours; in our format they are "
        '{"preset": "balanced", "csp": "default-src \'self\'", "xfo": "DENY"} (\'secure convert\' '
        "writes this for you) (see "
        "https://typeerror.github.io/secure/configuration/#coming-from-flask-talisman)"
    )


def test_an_unknown_keyword_gets_the_closest_option() -> None:
    with pytest.raises(TypeError, match="forse_https") as raised:
        Secure(forse_https=True)  # type: ignore[arg-type]
    assert str(raised.value) == (
        "Secure() got an unexpected keyword argument 'forse_https'; did you mean "
        "'force_https'? (see https://typeerror.github.io/secure/frameworks/flask/#options)"
    )


@pytest.mark.parametrize(
    ("call", "page"),
    [
        (
            lambda: Secure(force_https="no"),  # type: ignore[arg-type]
            "frameworks/flask/#options",
        ),
        (lambda: Secure(secure={"xfo": "DENNY"}), "headers/x-frame-options/"),
        (lambda: override(), "frameworks/flask/#per-view-and-per-blueprint"),
    ],
    ids=["flag", "header", "decorator"],
)
def test_errors_end_with_their_documentation_page(call: Callable[[], object], page: str) -> None:
    with pytest.raises((TypeError, ValueError)) as raised:
        call()
    message = str(raised.value)
    assert message.endswith(f" (see https://typeerror.github.io/secure/{page})")
    assert message.count("(see https://") == 1


def test_a_misspelt_setting_points_at_the_options(app: Flask) -> None:
    app.config["SECURE_HEADER"] = "strict"
    with pytest.raises(ValueError, match="did you mean 'SECURE_HEADERS'") as raised:
        Secure(app)
    assert str(raised.value).endswith(
        "(see https://typeerror.github.io/secure/frameworks/flask/#options)"
    )
