"""SecureMiddleware on real FastAPI and Starlette apps: every kind of response."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, HTTPException, WebSocket
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from secure import Preset, Secure
from secure.headers import ContentSecurityPolicy, XFrameOptions
from secure_fastapi import SecureHeaders, SecureMiddleware

BALANCED = Secure.with_default_headers().header_items()
STRICT = Secure.from_preset(Preset.STRICT).header_items()
Check = Callable[..., None]


async def _chunks() -> AsyncIterator[bytes]:
    for chunk in (b"one ", b"two"):
        yield chunk


def fastapi_app(static: Path, **options: Any) -> FastAPI:
    app = FastAPI()

    @app.get("/route")
    def route() -> dict[str, str]:
        return {"hello": "world"}

    @app.get("/http-exception")
    def http_exception() -> None:
        raise HTTPException(status_code=418, detail="teapot", headers={"X-Teapot": "1"})

    @app.get("/validation")
    def validation(count: int) -> dict[str, int]:
        return {"count": count}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/stream")
    def stream() -> StreamingResponse:
        return StreamingResponse(_chunks(), media_type="text/plain")

    @app.get("/file")
    def file() -> FileResponse:
        return FileResponse(static / "hello.txt")

    @app.get("/redirect")
    def redirect() -> RedirectResponse:
        return RedirectResponse("/route", status_code=307)

    @app.websocket("/ws")
    async def ws(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hi")
        await websocket.close()

    sub = FastAPI()

    @sub.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "yes"}

    app.mount("/static", StaticFiles(directory=static), name="static")
    app.mount("/sub", sub)
    app.mount(
        "/starlette",
        Starlette(routes=[Route("/ping", lambda request: PlainTextResponse("pong"))]),
    )
    app.add_middleware(SecureMiddleware, **options)
    return app


async def _starlette_boom(request: Request) -> Response:
    raise RuntimeError("boom")


async def _starlette_http_exception(request: Request) -> Response:
    raise StarletteHTTPException(status_code=403, detail="no")


async def _starlette_ws(websocket: Any) -> None:
    await websocket.accept()
    await websocket.send_text("hi")
    await websocket.close()


def starlette_app(static: Path, **options: Any) -> Starlette:
    return Starlette(
        routes=[
            Route("/route", lambda request: JSONResponse({"hello": "world"})),
            Route("/http-exception", _starlette_http_exception),
            Route("/boom", _starlette_boom),
            Route(
                "/stream",
                lambda request: StreamingResponse(_chunks(), media_type="text/plain"),
            ),
            Route("/file", lambda request: FileResponse(static / "hello.txt")),
            Route("/redirect", lambda request: RedirectResponse("/route", status_code=302)),
            WebSocketRoute("/ws", _starlette_ws),
            Mount("/static", StaticFiles(directory=static)),
        ],
        middleware=[Middleware(SecureMiddleware, **options)],
    )


@pytest.fixture
def static(tmp_path: Path) -> Path:
    (tmp_path / "hello.txt").write_text("hello\n")
    (tmp_path / "page.html").write_text("<p>hi</p>\n")
    return tmp_path


@pytest.fixture(params=["fastapi", "starlette"])
def make_app(request: pytest.FixtureRequest, static: Path) -> Callable[..., Starlette]:
    factory = fastapi_app if request.param == "fastapi" else starlette_app
    return lambda **options: factory(static, **options)


COMMON = [
    ("GET", "/route", 200),
    ("GET", "/http-exception", None),
    ("GET", "/boom", 500),
    ("GET", "/stream", 200),
    ("GET", "/file", 200),
    ("GET", "/redirect", None),
    ("GET", "/static/hello.txt", 200),
    ("GET", "/static/missing.txt", 404),
    ("GET", "/nowhere", 404),
    ("POST", "/route", 405),
    ("HEAD", "/route", None),
    ("HEAD", "/static/hello.txt", 200),
]


@pytest.mark.parametrize(("method", "path", "status"), COMMON)
def test_every_response_kind_gets_the_headers(
    make_app: Callable[..., Starlette], method: str, path: str, status: int | None, check: Check
) -> None:
    client = TestClient(make_app(), raise_server_exceptions=False, follow_redirects=False)
    response = client.request(method, path)
    if status is not None:
        assert response.status_code == status
    check(response, BALANCED)


@pytest.mark.parametrize(
    ("path", "status"),
    [("/validation", 422), ("/validation?count=x", 422), ("/sub/ping", 200), ("/sub/no", 404)],
)
def test_fastapi_specific_responses_get_the_headers(
    static: Path, path: str, status: int, check: Check
) -> None:
    response = TestClient(fastapi_app(static)).get(path)
    assert response.status_code == status
    check(response, BALANCED)


def test_mounted_starlette_app_gets_the_headers(static: Path, check: Check) -> None:
    response = TestClient(fastapi_app(static)).get("/starlette/ping")
    assert response.text == "pong"
    check(response, BALANCED)


def test_not_modified_gets_the_headers(make_app: Callable[..., Starlette], check: Check) -> None:
    client = TestClient(make_app())
    etag = client.get("/static/hello.txt").headers["etag"]
    response = client.get("/static/hello.txt", headers={"If-None-Match": etag})
    assert response.status_code == 304
    check(response, BALANCED)


def test_bodies_and_app_headers_pass_through(make_app: Callable[..., Starlette]) -> None:
    client = TestClient(make_app(), follow_redirects=False)
    assert client.get("/stream").text == "one two"
    assert client.get("/file").text == "hello\n"
    redirect = client.get("/redirect")
    assert redirect.headers["location"] == "/route"
    exception = client.get("/http-exception")
    assert exception.status_code in (403, 418)


def test_http_exception_headers_are_kept(static: Path, check: Check) -> None:
    response = TestClient(fastapi_app(static)).get("/http-exception")
    assert response.status_code == 418
    assert response.headers["x-teapot"] == "1"
    check(response, BALANCED)


def test_unhandled_exception_still_propagates(make_app: Callable[..., Starlette]) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        TestClient(make_app()).get("/boom")


def test_unhandled_exception_body_is_starlettes(make_app: Callable[..., Starlette]) -> None:
    response = TestClient(make_app(), raise_server_exceptions=False).get("/boom")
    assert response.status_code == 500
    assert response.text == "Internal Server Error"
    assert response.headers["content-type"].startswith("text/plain")


def test_websocket_is_untouched(make_app: Callable[..., Starlette]) -> None:
    with TestClient(make_app()).websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "hi"


@pytest.mark.parametrize(
    ("secure", "expected"),
    [
        (None, BALANCED),
        (Secure.with_default_headers(), BALANCED),
        (Preset.STRICT, STRICT),
        ("strict", STRICT),
        ({"preset": "strict"}, STRICT),
        (
            {"preset": "basic", "xfo": "DENY", "remove": ["Strict-Transport-Security"]},
            Secure.from_config(
                {"preset": "basic", "xfo": "DENY", "remove": ["Strict-Transport-Security"]}
            ).header_items(),
        ),
    ],
)
def test_configuration_forms(
    make_app: Callable[..., Starlette],
    secure: object,
    expected: list[tuple[str, str]],
    check: Check,
) -> None:
    response = TestClient(make_app(secure=secure)).get("/route")
    check(response, expected)
    assert len(response.headers) == len(expected) + 2  # content-length, content-type


def test_configuration_is_compiled_once(make_app: Callable[..., Starlette]) -> None:
    secure = Secure(xfo=XFrameOptions().deny())
    client = TestClient(make_app(secure=secure))
    client.get("/route")
    # Changing the object afterwards does not change what the middleware sends.
    secure.allowlist_headers(allowed=["content-type"], on_unexpected="drop")
    assert secure.header_items() == ()
    assert client.get("/route").headers["x-frame-options"] == "DENY"


def test_configuration_errors_fail_at_construction() -> None:
    app = Starlette()
    with pytest.raises(ValueError, match="xfoo"):
        SecureMiddleware(app, secure={"xfoo": "DENY"})
    with pytest.raises(ValueError, match="nope"):
        SecureMiddleware(app, secure="nope")
    with pytest.raises(TypeError, match="wrap it"):
        SecureMiddleware(app, multi_ok="content-security-policy")
    with pytest.raises(TypeError, match="DocsPolicy"):
        SecureMiddleware(app, docs="yes")  # type: ignore[arg-type]


def test_secure_property_is_a_copy() -> None:
    middleware = SecureMiddleware(Starlette(), secure="strict")
    assert middleware.secure == Secure.from_preset(Preset.STRICT)
    assert middleware.secure is not middleware.secure


# -- the application's own headers ------------------------------------------------------


def _own_headers(request: Request) -> Response:
    response = PlainTextResponse("ok", headers={"X-Frame-Options": "DENY", "X-App": "1"})
    response.set_cookie("a", "1")
    response.set_cookie("b", "2")
    response.headers.append("Content-Security-Policy", "img-src https://app.example")
    response.headers.append("X-App", "2")
    return response


def test_app_headers_pass_through_in_order_and_managed_ones_once() -> None:
    app = Starlette(routes=[Route("/", _own_headers)], middleware=[Middleware(SecureMiddleware)])
    response = TestClient(app).get("/")
    raw = [(k.decode(), v.decode()) for k, v in response.headers.raw]
    app_part = [(k, v) for k, v in raw if k in ("set-cookie", "x-app")]
    assert app_part == [
        ("x-app", "1"),
        ("set-cookie", "a=1; Path=/; SameSite=lax"),
        ("set-cookie", "b=2; Path=/; SameSite=lax"),
        ("x-app", "2"),
    ]
    # Secure's value replaces the app's single-valued header...
    assert response.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    # ...and a multi_ok header (CSP) is appended: both policies are enforced.
    balanced_csp = dict(BALANCED)["Content-Security-Policy"]
    assert response.headers.get_list("content-security-policy") == [
        "img-src https://app.example",
        balanced_csp,
    ]


def test_multi_ok_empty_replaces_every_managed_header(check: Check) -> None:
    app = Starlette(
        routes=[Route("/", _own_headers)],
        middleware=[Middleware(SecureMiddleware, multi_ok=())],
    )
    response = TestClient(app).get("/")
    check(response, BALANCED)
    assert response.headers.get_list("x-app") == ["1", "2"]


async def _raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    # Header names in the wrong case, and a message dict the middleware must not edit.
    await send(_RAW_START)
    await send({"type": "http.response.body", "body": b"raw"})


_RAW_START: Message = {
    "type": "http.response.start",
    "status": 200,
    "headers": [(b"X-Frame-Options", b"DENY"), (b"Content-Type", b"text/plain")],
}


def test_raw_asgi_app_headers_any_case_and_message_not_mutated(check: Check) -> None:
    before = [tuple(h) for h in _RAW_START["headers"]]
    response = TestClient(SecureMiddleware(_raw_app)).get("/")
    assert response.text == "raw"
    check(response, BALANCED)
    assert [tuple(h) for h in _RAW_START["headers"]] == before


def test_lifespan_and_websocket_scopes_pass_through() -> None:
    seen: list[tuple[str, list[str]]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["type"], sorted(k for k in scope if k.startswith("secure"))))
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        elif scope["type"] == "websocket":
            await receive()  # websocket.connect
            await send({"type": "websocket.accept", "headers": [(b"x-ws", b"1")]})
            await receive()  # websocket.disconnect, when the client leaves

    csp = ContentSecurityPolicy().default_src("'self'").script_src("'self'", "'nonce-{nonce}'")
    middleware = SecureMiddleware(app, secure=Secure(csp=csp))

    async def lifespan() -> list[Message]:
        incoming: list[Message] = [
            {"type": "lifespan.startup"},
            {"type": "lifespan.shutdown"},
        ]
        sent: list[Message] = []

        async def receive() -> Message:
            return incoming.pop(0)

        async def send(message: Message) -> None:
            sent.append(message)

        await middleware({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
        return sent

    assert asyncio.run(lifespan()) == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]
    with TestClient(middleware).websocket_connect("/ws"):
        pass
    assert [s[0] for s in seen] == ["lifespan", "websocket"]
    assert all(keys == [] for _, keys in seen)


# -- unhandled exceptions: what Starlette's ServerErrorMiddleware does ---------------------


def test_custom_500_handler_runs_once_and_wrapping_the_app_adds_headers(check: Check) -> None:
    calls: list[str] = []

    async def on_error(request: Request, exc: Exception) -> Response:
        calls.append(type(exc).__name__)
        return JSONResponse({"error": "sorry"}, status_code=500)

    inner = Starlette(routes=[Route("/boom", _starlette_boom)], exception_handlers={500: on_error})
    response = TestClient(SecureMiddleware(inner), raise_server_exceptions=False).get("/boom")
    assert response.json() == {"error": "sorry"}
    check(response, BALANCED)
    assert calls == ["RuntimeError"]


def test_custom_500_handler_with_add_middleware_is_left_to_starlette() -> None:
    calls: list[str] = []

    async def on_error(request: Request, exc: Exception) -> Response:
        calls.append(type(exc).__name__)
        return JSONResponse({"error": "sorry"}, status_code=500)

    app = Starlette(
        routes=[Route("/boom", _starlette_boom)],
        exception_handlers={Exception: on_error},
        middleware=[Middleware(SecureMiddleware)],
    )
    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    # The handler's page, produced once, outside every add_middleware entry.
    assert response.json() == {"error": "sorry"}
    assert calls == ["RuntimeError"]
    assert "x-frame-options" not in response.headers


def test_debug_traceback_page_is_left_to_starlette() -> None:
    app = Starlette(
        debug=True,
        routes=[Route("/boom", _starlette_boom)],
        middleware=[Middleware(SecureMiddleware)],
    )
    response = TestClient(app, raise_server_exceptions=False).get(
        "/boom", headers={"Accept": "text/html"}
    )
    assert response.status_code == 500
    assert "content-security-policy" not in response.headers


def test_exception_after_response_start_propagates_without_second_response() -> None:
    async def broken_stream() -> AsyncIterator[bytes]:
        yield b"partial"
        raise RuntimeError("mid-stream")

    app = Starlette(
        routes=[Route("/", lambda request: StreamingResponse(broken_stream()))],
        middleware=[Middleware(SecureMiddleware)],
    )
    # Older Starlette test clients wrap it in an exception group.
    with pytest.raises(Exception) as raised:  # noqa: PT011
        TestClient(app).get("/")
    assert "mid-stream" in repr(raised.value)


# -- more than one SecureMiddleware --------------------------------------------------------


def test_inner_middleware_of_a_mounted_app_wins(check: Check) -> None:
    sub = Starlette(
        routes=[Route("/", lambda request: PlainTextResponse("sub"))],
        middleware=[Middleware(SecureMiddleware, secure="strict")],
    )
    app = Starlette(
        routes=[
            Route("/", lambda request: PlainTextResponse("main")),
            Mount("/sub", sub),
        ],
        middleware=[Middleware(SecureMiddleware)],
    )
    client = TestClient(app)
    check(client.get("/"), BALANCED)
    # The mounted app's own configuration, once: no second CSP from the outer layer.
    response = client.get("/sub/")
    assert response.text == "sub"
    check(response, STRICT, absent=["cross-origin-resource-policy"])


def test_wrapping_and_add_middleware_do_not_duplicate(check: Check) -> None:
    app = Starlette(
        routes=[Route("/", lambda request: PlainTextResponse("ok"))],
        middleware=[Middleware(SecureMiddleware)],
    )
    check(TestClient(SecureMiddleware(app, secure="strict")).get("/"), BALANCED)


def test_helmet_option_names_in_the_configuration_get_their_equivalent() -> None:
    helmet = {"contentSecurityPolicy": {"directives": {"defaultSrc": ["'self'"]}}}
    with pytest.raises(ValueError, match="helmet") as raised:
        SecureMiddleware(Starlette(), secure=helmet)
    assert str(raised.value) == (
        "secure config: contentSecurityPolicy: unknown key; these are helmet's settings, not "
        'ours; in our format they are {"preset": "balanced", "csp": "default-src \'self\'"} '
        "('secure convert' writes this for you) "
        "(see https://typeerror.github.io/secure/configuration/#coming-from-helmet)"
    )


def test_errors_end_with_their_documentation_page() -> None:
    with pytest.raises(TypeError, match="wrap it") as raised:
        SecureHeaders(exempt="X-Frame-Options")
    assert str(raised.value).endswith(
        "(see https://typeerror.github.io/secure/frameworks/fastapi/#per-route-headers)"
    )
    with pytest.raises(TypeError, match="DocsPolicy") as raised:
        SecureMiddleware(Starlette(), docs="yes")  # type: ignore[arg-type]
    assert str(raised.value).endswith(
        "(see https://typeerror.github.io/secure/frameworks/fastapi/#fastapis-docs-and-redoc)"
    )
