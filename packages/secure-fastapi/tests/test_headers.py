"""Per-route rules (SecureHeaders): FastAPI dependencies at app, router and route level."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, WebSocket
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import Message

from secure import Override, Secure
from secure.headers import ContentSecurityPolicy
from secure_fastapi import SecureHeaders, SecureMiddleware

BALANCED = Secure.with_default_headers().header_items()
BALANCED_CSP = dict(BALANCED)["Content-Security-Policy"]
Check = Callable[..., None]
ParseCSP = Callable[[str], dict[str, list[str]]]


def referrer(value: str) -> SecureHeaders:
    return SecureHeaders(headers={"Referrer-Policy": value})


# -- precedence ------------------------------------------------------------------------------


def precedence_app() -> FastAPI:
    app = FastAPI(dependencies=[Depends(referrer("no-referrer"))])
    router = APIRouter(dependencies=[Depends(referrer("same-origin"))])

    @app.get("/app")
    def app_level() -> dict[str, str]:
        return {}

    @router.get("/router")
    def router_level() -> dict[str, str]:
        return {}

    @router.get("/route", dependencies=[Depends(referrer("origin"))])
    def route_level() -> dict[str, str]:
        return {}

    @router.get("/param", dependencies=[Depends(referrer("origin"))])
    def param_level(_: None = Depends(referrer("strict-origin"))) -> dict[str, str]:
        return {}

    @router.get("/error", dependencies=[Depends(referrer("origin"))])
    def error() -> None:
        raise HTTPException(status_code=409)

    @router.get("/invalid", dependencies=[Depends(referrer("origin"))])
    def invalid(count: int) -> dict[str, int]:
        return {"count": count}

    @router.get("/crash", dependencies=[Depends(referrer("origin"))])
    def crash() -> None:
        raise RuntimeError("crash")

    included = APIRouter()

    @included.get("/include")
    def include_level() -> dict[str, str]:
        return {}

    app.include_router(router)
    app.include_router(included, dependencies=[Depends(referrer("unsafe-url"))])
    app.add_middleware(SecureMiddleware)
    return app


@pytest.mark.parametrize(
    ("path", "status", "expected"),
    [
        ("/app", 200, "no-referrer"),
        ("/router", 200, "same-origin"),
        ("/route", 200, "origin"),
        ("/param", 200, "strict-origin"),
        ("/include", 200, "unsafe-url"),
        # The route's choice holds for its error responses too.
        ("/error", 409, "origin"),
        ("/invalid", 422, "origin"),
        ("/crash", 500, "origin"),
        # No route ran: the app-wide value.
        ("/nowhere", 404, dict(BALANCED)["Referrer-Policy"]),
    ],
)
def test_most_specific_rule_wins(path: str, status: int, expected: str, check: Check) -> None:
    response = TestClient(precedence_app(), raise_server_exceptions=False).get(path)
    assert response.status_code == status
    check(response, {**dict(BALANCED), "Referrer-Policy": expected})


def test_rules_at_different_levels_compose(check: Check, parse_csp: ParseCSP) -> None:
    images = SecureHeaders(csp_sources={"img-src": ["https://img.example"]})
    app = FastAPI(dependencies=[Depends(images)])

    @app.get("/", dependencies=[Depends(SecureHeaders(exempt=["X-Frame-Options"]))])
    def index() -> dict[str, str]:
        return {}

    app.add_middleware(SecureMiddleware)
    response = TestClient(app).get("/")
    policy = parse_csp(response.headers["content-security-policy"])
    assert policy["img-src"] == ["'self'", "data:", "https://img.example"]
    check(response, [h for h in BALANCED if h[0] not in ("Content-Security-Policy",)][:-1])
    assert "x-frame-options" not in response.headers


def test_route_choice_is_not_overwritten_by_the_app_headers_handling(check: Check) -> None:
    app = FastAPI()

    @app.get("/", dependencies=[Depends(SecureHeaders(headers={"X-Frame-Options": "DENY"}))])
    def index() -> Response:
        # Even a value the route sets itself loses to the route's rule, not the reverse.
        return PlainTextResponse("ok", headers={"X-Frame-Options": "SAMEORIGIN"})

    app.add_middleware(SecureMiddleware)
    check(TestClient(app).get("/"), {"X-Frame-Options": "DENY"})


# -- what a rule can do -------------------------------------------------------------------


def one_route(rule: SecureHeaders, **options: Any) -> TestClient:
    app = FastAPI()

    @app.get("/", dependencies=[Depends(rule)])
    def index() -> Response:
        response = PlainTextResponse("ok")
        response.set_cookie("session", "1")
        return response

    app.add_middleware(SecureMiddleware, **options)
    return TestClient(app)


def test_exempt_a_route(check: Check) -> None:
    response = one_route(SecureHeaders(exempt=True)).get("/")
    check(response, absent=[name for name, _ in BALANCED])
    assert response.headers["set-cookie"].startswith("session=1")
    assert response.text == "ok"


def test_exempt_then_set(check: Check) -> None:
    response = one_route(SecureHeaders(exempt=True, headers={"X-Frame-Options": "DENY"})).get("/")
    check(response, {"X-Frame-Options": "DENY"}, absent=["content-security-policy"])
    assert sum(1 for name, _ in response.headers.raw if name.startswith(b"x-")) == 1


def test_remove_and_add_headers(check: Check) -> None:
    rule = SecureHeaders(headers={"Server": None, "X-Robots-Tag": "noindex"})
    response = one_route(rule).get("/")
    check(response, [*[h for h in BALANCED if h[0] != "Server"], ("X-Robots-Tag", "noindex")])
    assert "server" not in response.headers


@pytest.mark.parametrize(
    "csp",
    [
        ContentSecurityPolicy().default_src("'none'").img_src("'self'"),
        "default-src 'none'; img-src 'self'",
    ],
)
def test_replace_the_csp(csp: ContentSecurityPolicy | str, check: Check) -> None:
    response = one_route(SecureHeaders(csp=csp)).get("/")
    check(response, {"Content-Security-Policy": "default-src 'none'; img-src 'self'"})


def test_a_builder_is_copied_when_the_rule_is_made(check: Check) -> None:
    csp = ContentSecurityPolicy().default_src("'none'")
    rule = SecureHeaders(csp=csp)
    csp.default_src("'self'", "https:")
    check(one_route(rule).get("/"), {"Content-Security-Policy": "default-src 'none'"})


def test_rule_on_app_without_csp_fails_before_the_route_runs() -> None:
    ran: list[str] = []
    app = FastAPI()

    @app.get(
        "/", dependencies=[Depends(SecureHeaders(csp_sources={"img-src": ["https://i.example"]}))]
    )
    def index() -> dict[str, str]:
        ran.append("index")
        return {}

    app.add_middleware(SecureMiddleware, secure={"preset": "balanced", "csp": False})
    # The app's first call checks every route: the request never reaches the route.
    with pytest.raises(ValueError, match=r"route /: Content-Security-Policy: .*no CSP"):
        TestClient(app).get("/")
    assert ran == []


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"headers": {"Bad Name": "x"}}, ValueError, "Bad Name"),
        ({"headers": {"X-Test": "a\r\nb"}}, ValueError, "X-Test"),
        ({"csp_sources": {"script-src": ["'self'; img-src *"]}}, ValueError, "script-src"),
        ({"csp": "default-src 'self'\n"}, ValueError, "Content-Security-Policy"),
        ({"exempt": "X-Frame-Options"}, TypeError, "wrap it"),
        ({"exempt": True, "csp_sources": {"img-src": ["x.example"]}}, ValueError, "exempt=True"),
    ],
)
def test_bad_rules_fail_when_made(kwargs: dict[str, object], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        SecureHeaders(**kwargs)  # type: ignore[arg-type]


def test_a_rule_is_a_core_override() -> None:
    rule = SecureHeaders(headers={"X-Frame-Options": "DENY"}, exempt=["Server"])
    assert rule.override == Override(headers={"X-Frame-Options": "DENY"}, exempt=["Server"])
    assert rule == SecureHeaders(headers={"X-Frame-Options": "DENY"}, exempt=["Server"])
    assert hash(rule) == hash(rule.override)
    assert rule.apply(Secure.with_default_headers()).headers["X-Frame-Options"] == "DENY"
    with pytest.raises(AttributeError, match="immutable"):
        rule.override = Override()  # type: ignore[misc]


def test_repr() -> None:
    assert repr(SecureHeaders(exempt=True)) == "SecureHeaders(exempt=True)"
    assert (
        repr(SecureHeaders(headers={"Server": None})) == "SecureHeaders(headers={'Server': None})"
    )


# -- websockets and plain Starlette -----------------------------------------------------------


def test_app_level_rule_on_a_websocket_route() -> None:
    app = FastAPI(dependencies=[Depends(SecureHeaders(headers={"X-Frame-Options": "DENY"}))])

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    app.add_middleware(SecureMiddleware)
    with TestClient(app).websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "hi"


def test_starlette_endpoint_records_a_rule(check: Check) -> None:
    embed = SecureHeaders(exempt=["X-Frame-Options"])

    async def widget(request: Request) -> Response:
        embed(request)
        return PlainTextResponse("widget")

    app = Starlette(
        routes=[Route("/widget", widget)],
        middleware=[Middleware(SecureMiddleware)],
    )
    response = TestClient(app).get("/widget")
    check(response, [h for h in BALANCED if h[0] != "X-Frame-Options"])
    assert "x-frame-options" not in response.headers


def test_starlette_wrap_a_mount(check: Check) -> None:
    sub = Starlette(routes=[Route("/", lambda request: PlainTextResponse("sub"))])
    app = Starlette(
        routes=[
            Mount("/open", app=SecureHeaders(exempt=True).wrap(sub)),
            Mount("/normal", app=sub),
        ],
        middleware=[Middleware(SecureMiddleware)],
    )
    client = TestClient(app)
    check(client.get("/open/"), absent=[name for name, _ in BALANCED])
    check(client.get("/normal/"), BALANCED)


def start(app: Any) -> None:
    """Run the app's lifespan startup as a server does; raise what the app raised."""

    async def startup() -> list[Message]:
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "lifespan.startup"}

        async def send(message: Message) -> None:
            sent.append(message)

        try:
            await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        finally:
            # What the server sees first: the startup failed, with the error as message.
            assert sent[0]["type"] == "lifespan.startup.failed"
            assert sent[0]["message"].startswith("SecureMiddleware: ")
        return sent

    asyncio.run(startup())


# -- checked before any request -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"headers": {"X-Frame-Options": "ALLOWALL"}}, "X-Frame-Options: unknown value 'ALLOWALL'"),
        ({"headers": {"Strict-Transport-Security": "max-age=soon"}}, "Strict-Transport-Security"),
        ({"headers": {"Referrer-Policy": "sometimes"}}, "Referrer-Policy"),
        ({"headers": {"X-Frame-Options": "DENY", "x-frame-options": "SAMEORIGIN"}}, "twice"),
    ],
)
def test_invalid_values_are_refused_when_the_rule_is_made(
    kwargs: dict[str, object], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        SecureHeaders(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rule", "match"),
    [
        (
            SecureHeaders(exempt=["X-Fram-Options"]),
            "cannot exempt .*did you mean 'X-Frame-Options'",
        ),
        (SecureHeaders(headers={"X-Fram-Options": "DENY"}), "did you mean 'X-Frame-Options'"),
        (SecureHeaders(headers={"X-Powered-By": None}), "X-Powered-By: cannot remove"),
    ],
)
def test_names_the_configuration_does_not_send_fail_the_start(
    rule: SecureHeaders, match: str
) -> None:
    ran: list[str] = []
    app = FastAPI()

    @app.get("/fine")
    def fine() -> dict[str, str]:
        ran.append("fine")
        return {}

    @app.get("/page", dependencies=[Depends(rule)])
    def page() -> dict[str, str]:
        ran.append("page")
        return {}

    app.add_middleware(SecureMiddleware)
    # The lifespan startup fails with the error naming the route...
    with pytest.raises(ValueError, match=f"route /page: .*{match}"):
        start(app)
    # ...and without a lifespan, the first request of any route does, before it runs.
    with pytest.raises(ValueError, match=match):
        TestClient(app).get("/fine")
    assert ran == []


def test_a_starlette_mount_rule_is_checked_at_the_start() -> None:
    sub = Starlette(routes=[Route("/", lambda request: PlainTextResponse("sub"))])
    app = Starlette(
        routes=[Mount("/embed", app=SecureHeaders(exempt=["X-Fram-Options"]).wrap(sub))],
        middleware=[Middleware(SecureMiddleware)],
    )
    with pytest.raises(ValueError, match="route /embed: X-Fram-Options"):
        start(app)


# -- the application's own CSP ---------------------------------------------------------------


@pytest.mark.parametrize(
    "header", ["Content-Security-Policy", "Content-Security-Policy-Report-Only"]
)
@pytest.mark.parametrize("with_rule", [False, True])
def test_the_apps_own_csp_is_kept_beside_ours(header: str, with_rule: bool) -> None:
    own = "sandbox; default-src 'none'"
    rule = SecureHeaders(csp_sources={"img-src": ["https://img.example"]})
    app = FastAPI()

    @app.get("/upload", dependencies=[Depends(rule)] if with_rule else [])
    def uploaded() -> Response:
        # Uploaded HTML, served under a stricter policy of the app's own.
        return HTMLResponse("<p>user content</p>", headers={header: own})

    app.add_middleware(SecureMiddleware)
    response = TestClient(app).get("/upload")
    ours = (
        BALANCED_CSP
        if not with_rule
        else rule.apply(Secure.with_default_headers()).headers["Content-Security-Policy"]
    )
    values = response.headers.get_list(header)
    assert own in values
    if header == "Content-Security-Policy":
        # Both policies are enforced (CSP3 §8.1): the page gets the stricter of the two.
        assert sorted(values) == sorted([own, ours])
    else:
        assert response.headers.get_list("content-security-policy") == [ours]


# -- adding a CDN under STRICT -----------------------------------------------------------------


@pytest.mark.parametrize("directive", ["img-src", "connect-src", "frame-src", "script-src"])
def test_a_cdn_added_under_strict_keeps_self(directive: str, parse_csp: ParseCSP) -> None:
    app = FastAPI()
    cdn = SecureHeaders(csp_sources={directive: ["https://cdn.example"]})

    @app.get("/cdn", dependencies=[Depends(cdn)])
    def with_cdn() -> dict[str, str]:
        return {}

    @app.get("/plain")
    def plain() -> dict[str, str]:
        return {}

    app.add_middleware(SecureMiddleware, secure="strict")
    client = TestClient(app)
    policy = parse_csp(client.get("/cdn").headers["content-security-policy"])
    # A missing directive starts from its fallback, default-src 'self' (CSP3 §6.8.3).
    assert policy[directive] == ["'self'", "https://cdn.example"]
    assert policy["default-src"] == ["'self'"]
    assert "https://cdn.example" not in client.get("/plain").headers["content-security-policy"]


# -- a rule never leaks to routes nobody marked ------------------------------------------------


def test_two_fastapi_routes_sharing_an_endpoint(check: Check) -> None:
    def shared() -> dict[str, str]:
        return {"ok": "yes"}

    before = dict(vars(shared))
    embed = SecureHeaders(exempt=["X-Frame-Options"])
    app = FastAPI()
    app.add_api_route("/marked", shared, dependencies=[Depends(embed)])
    app.add_api_route("/unmarked", shared)
    app.add_middleware(SecureMiddleware)
    client = TestClient(app)
    check(client.get("/marked"), [h for h in BALANCED if h[0] != "X-Frame-Options"])
    assert "x-frame-options" not in client.get("/marked").headers
    check(client.get("/unmarked"), BALANCED)
    # Neither the function nor the rule was changed by being used.
    assert dict(vars(shared)) == before
    assert embed == SecureHeaders(exempt=["X-Frame-Options"])


def test_two_starlette_routes_sharing_an_endpoint(check: Check) -> None:
    async def shared(request: Request) -> Response:
        return PlainTextResponse("ok")

    embed = SecureHeaders(exempt=["X-Frame-Options"])
    app = Starlette(
        routes=[
            Mount("/marked", app=embed.wrap(Starlette(routes=[Route("/", shared)]))),
            Route("/unmarked", shared),
        ],
        middleware=[Middleware(SecureMiddleware)],
    )
    client = TestClient(app)
    check(client.get("/marked/"), [h for h in BALANCED if h[0] != "X-Frame-Options"])
    assert "x-frame-options" not in client.get("/marked/").headers
    check(client.get("/unmarked"), BALANCED)
