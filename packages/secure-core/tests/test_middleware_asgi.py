"""SecureASGIMiddleware: raw ASGI callables and real Starlette applications."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket

from secure import CustomHeader, Preset, Secure
from secure._snapshot import HeaderSnapshot
from secure.headers import ContentSecurityPolicy
from secure.middleware import SecureASGIMiddleware
from secure.nonce import NONCE

with warnings.catch_warnings():
    # Newer Starlette asks for httpx2 and warns when its TestClient falls back to httpx.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from starlette.testclient import TestClient

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

# A configuration written out by hand, so these tests do not depend on the presets.
SNAPSHOT = HeaderSnapshot(
    [
        ("Content-Security-Policy", "default-src 'self'", False),
        ("X-Frame-Options", "SAMEORIGIN", False),
        ("Server", "", False),
        ("X-Content-Type-Options", "nosniff", False),
    ]
)
SECURE_HEADERS: Headers = [
    (b"content-security-policy", b"default-src 'self'"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"server", b""),
    (b"x-content-type-options", b"nosniff"),
]
NONCE_SNAPSHOT = HeaderSnapshot(
    [
        ("X-Frame-Options", "DENY", False),
        ("Content-Security-Policy", "script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'", True),
        ("Referrer-Policy", "no-referrer", False),
    ]
)
NONCE_RE = re.compile(rb"script-src 'nonce-([A-Za-z0-9_-]{24})'; style-src 'nonce-\1'")

# What an application sends: managed names in odd case, unmanaged ones interleaved,
# repeated Set-Cookie and Vary, and a CSP of its own (in MULTI_OK, so it stays).
APP_HEADERS: Headers = [
    (b"Set-Cookie", b"session=abc; HttpOnly"),
    (b"X-Frame-Options", b"DENY"),
    (b"vary", b"Accept-Encoding"),
    (b"SERVER", b"uvicorn"),
    (b"set-cookie", b"theme=dark"),
    (b"Location", b"/next"),
    (b"Content-Security-Policy", b"img-src https:"),
    (b"content-length", b"2"),
    (b"x-content-type-OPTIONS", b"sniff"),
    (b"Vary", b"Cookie"),
]
APP_KEPT: Headers = [
    (b"Set-Cookie", b"session=abc; HttpOnly"),
    (b"vary", b"Accept-Encoding"),
    (b"set-cookie", b"theme=dark"),
    (b"Location", b"/next"),
    (b"Content-Security-Policy", b"img-src https:"),
    (b"content-length", b"2"),
    (b"Vary", b"Cookie"),
]


def http_scope(**extra: Any) -> Scope:
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "root_path": "",
        "headers": [],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    scope.update(extra)
    return scope


async def call(
    app: Callable[[Scope, Receive, Send], Awaitable[None]], scope: Scope
) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def run(
    app: Callable[[Scope, Receive, Send], Awaitable[None]], scope: Scope | None = None
) -> list[Message]:
    return asyncio.run(call(app, http_scope() if scope is None else scope))


def responder(
    headers: Iterable[Any] | None, *body: bytes, status: int = 200
) -> Callable[[Scope, Receive, Send], Awaitable[None]]:
    """A raw ASGI app that sends ``headers`` (omitted when None) and then ``body`` chunks."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        start: Message = {"type": "http.response.start", "status": status}
        if headers is not None:
            start["headers"] = headers
        await send(start)
        chunks = body or (b"",)
        for i, chunk in enumerate(chunks):
            await send(
                {"type": "http.response.body", "body": chunk, "more_body": i < len(chunks) - 1}
            )

    return app


def assert_headers(actual: Iterable[Any], app_kept: Headers, secure_headers: Headers) -> None:
    """The one check every response goes through: the application's headers Secure does not
    manage, untouched and in order, then Secure's, each exactly once."""
    assert [tuple(h) for h in actual] == [*app_kept, *secure_headers]


def nonce_of(headers: Iterable[tuple[bytes, bytes]]) -> str:
    (csp,) = [v for k, v in headers if k.lower() == b"content-security-policy"]
    match = NONCE_RE.fullmatch(csp)
    assert match is not None, csp
    return match.group(1).decode()


# -- merging headers -------------------------------------------------------------------


def test_mixed_case_managed_and_unmanaged_headers() -> None:
    sent = run(SecureASGIMiddleware(responder(list(APP_HEADERS), b"ok"), secure=SNAPSHOT))
    assert_headers(sent[0]["headers"], APP_KEPT, SECURE_HEADERS)
    assert sent[0]["status"] == 200
    assert sent[1] == {"type": "http.response.body", "body": b"ok", "more_body": False}


def test_overwrite_everything_when_multi_ok_is_empty() -> None:
    app = SecureASGIMiddleware(responder(list(APP_HEADERS)), secure=SNAPSHOT, multi_ok=())
    kept = [h for h in APP_KEPT if h[0] != b"Content-Security-Policy"]
    assert_headers(run(app)[0]["headers"], kept, SECURE_HEADERS)


@pytest.mark.parametrize(
    "multi_ok",
    [["X-Frame-Options"], {"x-frame-options"}, ("X-FRAME-OPTIONS",), iter(["x-Frame-options"])],
)
def test_multi_ok_names_are_appended_whatever_their_case(multi_ok: Iterable[str]) -> None:
    app = SecureASGIMiddleware(
        responder([(b"x-frame-options", b"DENY"), (b"Content-Security-Policy", b"img-src *")]),
        secure=SNAPSHOT,
        multi_ok=multi_ok,
    )
    # X-Frame-Options is kept and appended; CSP is no longer in multi_ok, so replaced.
    assert_headers(run(app)[0]["headers"], [(b"x-frame-options", b"DENY")], SECURE_HEADERS)


def test_default_multi_ok_is_secure_multi_ok() -> None:
    import secure

    app = SecureASGIMiddleware(responder([(b"content-security-policy-report-only", b"a 'b'")]))
    sent = run(app)[0]["headers"]
    assert "content-security-policy-report-only" in secure.MULTI_OK
    assert sent[0] == (b"content-security-policy-report-only", b"a 'b'")


@pytest.mark.parametrize("bad", ["content-security-policy", b"server"])
def test_multi_ok_rejects_a_single_string(bad: Any) -> None:
    with pytest.raises(TypeError, match=r"multi_ok: expected a collection"):
        SecureASGIMiddleware(responder([]), secure=SNAPSHOT, multi_ok=bad)


def test_multi_ok_rejects_non_str_names() -> None:
    with pytest.raises(TypeError, match=r"multi_ok: header names must be str, got bytes"):
        SecureASGIMiddleware(responder([]), secure=SNAPSHOT, multi_ok=[b"server"])  # type: ignore[list-item]


def test_response_without_headers_gets_the_secure_headers() -> None:
    assert_headers(
        run(SecureASGIMiddleware(responder(None), secure=SNAPSHOT))[0]["headers"],
        [],
        SECURE_HEADERS,
    )


def test_headers_as_lists_and_generators_are_accepted() -> None:
    as_lists = [[b"x-app", b"1"], [b"x-frame-options", b"DENY"]]
    sent = run(SecureASGIMiddleware(responder(as_lists), secure=SNAPSHOT))
    assert_headers(sent[0]["headers"], [(b"x-app", b"1")], SECURE_HEADERS)
    generated = ((k, v) for k, v in [(b"x-app", b"2"), (b"server", b"x")])
    sent = run(SecureASGIMiddleware(responder(generated), secure=SNAPSHOT))
    assert_headers(sent[0]["headers"], [(b"x-app", b"2")], SECURE_HEADERS)


def test_the_applications_message_and_header_list_are_not_mutated() -> None:
    app_headers = list(APP_HEADERS)
    start = {"type": "http.response.start", "status": 200, "headers": app_headers}
    body = {"type": "http.response.body", "body": b"ok"}
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send(start)
        await send(body)

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - never called
        raise AssertionError

    middleware = SecureASGIMiddleware(app, secure=SNAPSHOT)
    for _ in range(3):  # the app reuses one message: the result must not grow
        asyncio.run(middleware(http_scope(), receive, send))
    assert app_headers == APP_HEADERS
    assert start["headers"] is app_headers
    assert sent[0]["headers"] == sent[2]["headers"] == sent[4]["headers"]
    assert sent[1] is body  # other messages are forwarded as they are


def test_header_bytes_are_prebuilt_and_shared_between_requests() -> None:
    app = SecureASGIMiddleware(responder([]), secure=SNAPSHOT)
    first, second = run(app)[0]["headers"], run(app)[0]["headers"]
    assert first == second == SECURE_HEADERS
    assert first is not second
    assert all(a is b for a, b in zip(first, second, strict=True))  # the same tuples, built once


def test_streaming_body_and_other_messages_pass_through() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "trailers": True})
        for chunk in (b"a", b"b", b"c"):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        await send({"type": "http.response.trailers", "headers": [(b"server-timing", b"x")]})

    sent = run(SecureASGIMiddleware(app, secure=SNAPSHOT))
    assert sent[0]["trailers"] is True
    assert_headers(sent[0]["headers"], [], SECURE_HEADERS)
    assert [m.get("body") for m in sent[1:5]] == [b"a", b"b", b"c", b""]
    assert sent[5] == {"type": "http.response.trailers", "headers": [(b"server-timing", b"x")]}


def test_response_start_sent_late() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        for _ in range(5):
            await asyncio.sleep(0)
        await asyncio.sleep(0.01)
        await responder([(b"x-late", b"1")], b"late")(scope, receive, send)

    sent = run(SecureASGIMiddleware(app, secure=SNAPSHOT))
    assert_headers(sent[0]["headers"], [(b"x-late", b"1")], SECURE_HEADERS)


@pytest.mark.parametrize("status", [200, 204, 301, 304, 404, 500])
def test_every_status_gets_the_headers(status: int) -> None:
    sent = run(SecureASGIMiddleware(responder([(b"x-app", b"1")], status=status), secure=SNAPSHOT))
    assert sent[0]["status"] == status
    assert_headers(sent[0]["headers"], [(b"x-app", b"1")], SECURE_HEADERS)


def test_head_request() -> None:
    app = SecureASGIMiddleware(responder([(b"content-length", b"5")]), secure=SNAPSHOT)
    sent = run(app, http_scope(method="HEAD"))
    assert_headers(sent[0]["headers"], [(b"content-length", b"5")], SECURE_HEADERS)


class Boom(Exception):
    pass


@pytest.mark.parametrize("after_start", [False, True])
def test_application_exceptions_propagate_unchanged(after_start: bool) -> None:
    error = Boom("kaput")
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if after_start:
            await send({"type": "http.response.start", "status": 200, "headers": []})
        raise error

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - never called
        raise AssertionError

    with pytest.raises(Boom) as caught:
        asyncio.run(SecureASGIMiddleware(app, secure=SNAPSHOT)(http_scope(), receive, send))
    assert caught.value is error
    assert len(sent) == int(after_start)


@pytest.mark.parametrize("scope_type", ["websocket", "lifespan"])
@pytest.mark.parametrize("snapshot", [SNAPSHOT, NONCE_SNAPSHOT], ids=["plain", "nonce"])
def test_websocket_and_lifespan_scopes_are_untouched(
    scope_type: str, snapshot: HeaderSnapshot
) -> None:
    scope: Scope = {"type": scope_type, "asgi": {"version": "3.0"}}
    before = dict(scope)
    seen: list[tuple[Scope, Any, Any]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope, receive, send))
        await send({"type": "websocket.accept", "headers": [(b"x-frame-options", b"DENY")]})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:  # pragma: no cover - never called
        raise AssertionError

    asyncio.run(SecureASGIMiddleware(app, secure=snapshot)(scope, receive, send))
    assert seen == [(scope, receive, send)]  # the very same callables: nothing wrapped
    assert scope == before  # no state, no nonce
    assert sent == [{"type": "websocket.accept", "headers": [(b"x-frame-options", b"DENY")]}]


# -- the Secure object -----------------------------------------------------------------


def balanced_headers() -> Headers:
    return [
        (name.lower().encode(), value.encode())
        for name, value in Secure.with_default_headers().header_items()
    ]


def test_default_is_secure_with_default_headers() -> None:
    sent = run(SecureASGIMiddleware(responder([(b"x-app", b"1")])))
    assert_headers(sent[0]["headers"], [(b"x-app", b"1")], balanced_headers())


@pytest.mark.parametrize(
    "secure",
    [Secure.from_preset(Preset.STRICT), Preset.STRICT, "strict", {"preset": "strict"}],
    ids=["Secure", "Preset", "name", "config"],
)
def test_secure_argument_forms(secure: Any) -> None:
    expected = [
        (name.lower().encode(), value.encode())
        for name, value in Secure.from_preset(Preset.STRICT).header_items()
    ]
    assert_headers(
        run(SecureASGIMiddleware(responder([]), secure=secure))[0]["headers"], [], expected
    )


def test_secure_argument_of_the_wrong_type() -> None:
    with pytest.raises(TypeError, match=r"secure\.Secure"):
        SecureASGIMiddleware(responder([]), secure=42)  # type: ignore[arg-type]


def test_changing_secure_after_construction_does_not_change_the_middleware() -> None:
    # Policy: the middleware compiles the configuration once, when it is built. Later
    # changes to the Secure object never reach it, so a response always carries one
    # complete configuration; build a new middleware to apply new settings.
    secure_headers = Secure(
        xfo=None, custom=[CustomHeader("X-App-Version", "1"), CustomHeader("X-Other", "a")]
    )
    middleware = SecureASGIMiddleware(responder([]), secure=secure_headers)
    before = run(middleware)[0]["headers"]
    assert before == [(b"x-app-version", b"1"), (b"x-other", b"a")]

    secure_headers.allowlist_headers(allow_extra=["X-App-Version"], on_unexpected="drop")
    assert dict(secure_headers.headers) == {"X-App-Version": "1"}  # the object did change
    assert run(middleware)[0]["headers"] == before
    assert middleware.snapshot.items == (
        ("X-App-Version", "1", False),
        ("X-Other", "a", False),
    )
    rebuilt = SecureASGIMiddleware(responder([]), secure=secure_headers)
    assert run(rebuilt)[0]["headers"] == [(b"x-app-version", b"1")]


def test_a_snapshot_can_be_passed_directly() -> None:
    secure_headers = Secure.with_default_headers()
    middleware = SecureASGIMiddleware(responder([]), secure=secure_headers.snapshot())
    assert run(middleware)[0]["headers"] == balanced_headers()


# -- nonces ----------------------------------------------------------------------------


async def nonce_page(scope: Scope, receive: Receive, send: Send) -> None:
    """Reads the nonce as a template would, and sends it in the body."""
    nonce = scope["state"]["csp_nonce"]
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": nonce.encode()})


def test_nonce_in_state_and_header() -> None:
    scope = http_scope()
    sent = run(SecureASGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT), scope)
    nonce = nonce_of(sent[0]["headers"])
    assert sent[1]["body"].decode() == nonce == scope["state"]["csp_nonce"]
    assert sent[0]["headers"] == [
        (b"x-frame-options", b"DENY"),
        (
            b"content-security-policy",
            f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'".encode(),
        ),
        (b"referrer-policy", b"no-referrer"),
    ]


def test_nonce_is_fresh_url_safe_and_at_least_128_bits() -> None:
    app = SecureASGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)
    nonces = {nonce_of(run(app)[0]["headers"]) for _ in range(200)}  # several pool refills
    assert len(nonces) == 200
    for nonce in nonces:
        assert re.fullmatch(r"[A-Za-z0-9_-]{24}", nonce)
        assert len(base64.urlsafe_b64decode(nonce)) * 8 == 144


def test_existing_state_is_kept() -> None:
    state = {"db": "connection"}
    scope = http_scope(state=state)
    run(SecureASGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT), scope)
    assert scope["state"] is state
    assert state["db"] == "connection"
    assert set(state) == {"db", "csp_nonce"}


def test_no_nonce_slot_means_no_state_and_no_nonce() -> None:
    scope = http_scope()
    run(SecureASGIMiddleware(responder([]), secure=SNAPSHOT), scope)
    assert "state" not in scope
    assert "secure.csp_nonce" not in scope


def test_nonce_read_after_the_headers_were_sent_is_the_header_nonce() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"<html>", b"<script nonce=", scope["state"]["csp_nonce"].encode()):
            await asyncio.sleep(0)
            await send({"type": "http.response.body", "body": part, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    sent = run(SecureASGIMiddleware(app, secure=NONCE_SNAPSHOT))
    assert sent[3]["body"].decode() == nonce_of(sent[0]["headers"])


def test_replacing_the_nonce_before_the_headers_fails_loudly() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["state"]["csp_nonce"] = "chosen-by-the-app"
        await send({"type": "http.response.start", "status": 200, "headers": []})

    with pytest.raises(RuntimeError, match=r"scope\[\"state\"\]\[\"csp_nonce\"\] was changed"):
        run(SecureASGIMiddleware(app, secure=NONCE_SNAPSHOT))


def test_stacked_middleware_share_one_nonce() -> None:
    inner = SecureASGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)
    outer_snapshot = HeaderSnapshot(
        [("Content-Security-Policy", "script-src 'nonce-{nonce}'", True)]
    )
    outer = SecureASGIMiddleware(inner, secure=outer_snapshot)
    sent = run(outer)
    nonce = sent[1]["body"].decode()
    # Both policies are sent (CSP is in MULTI_OK) and both allow the page's nonce.
    assert [v for k, v in sent[0]["headers"] if k == b"content-security-policy"] == [
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'".encode(),
        f"script-src 'nonce-{nonce}'".encode(),
    ]


def test_an_invalid_inherited_nonce_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"not a nonce"):
        run(
            SecureASGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT),
            http_scope(**{"secure.csp_nonce": "x'; script-src *"}),
        )


def test_nonce_from_a_secure_with_a_nonce_slot() -> None:
    secure_headers = Secure(csp=ContentSecurityPolicy().default_src("'self'").script_src(NONCE))
    sent = run(SecureASGIMiddleware(nonce_page, secure=secure_headers))
    nonce = sent[1]["body"].decode()
    assert (
        b"content-security-policy",
        f"default-src 'self'; script-src 'nonce-{nonce}'".encode(),
    ) in sent[0]["headers"]


def test_a_thousand_concurrent_requests_get_distinct_matching_nonces() -> None:
    count = 1000
    arrived = 0
    all_in = asyncio.Event()

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal arrived
        seen = scope["state"]["csp_nonce"]
        arrived += 1
        if arrived == count:
            all_in.set()
        await all_in.wait()  # every request is in flight before any response starts
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await asyncio.sleep(0)
        await send({"type": "http.response.body", "body": seen.encode()})

    middleware = SecureASGIMiddleware(app, secure=NONCE_SNAPSHOT)

    async def main() -> list[list[Message]]:
        return await asyncio.gather(*(call(middleware, http_scope()) for _ in range(count)))

    results = asyncio.run(main())
    nonces = [nonce_of(sent[0]["headers"]) for sent in results]
    assert [sent[1]["body"].decode() for sent in results] == nonces
    assert len(set(nonces)) == count


# -- real Starlette applications -------------------------------------------------------


def raw(response: httpx.Response) -> Headers:
    return list(response.headers.raw)


async def plain(request: Request) -> Response:
    response = PlainTextResponse("hello", headers={"X-Frame-Options": "DENY", "Vary": "Accept"})
    response.set_cookie("session", "abc", httponly=True)
    response.set_cookie("theme", "dark")
    response.headers.append("Vary", "Cookie")
    response.headers["server"] = "starlette"
    return response


async def redirect(request: Request) -> Response:
    return RedirectResponse("/target", status_code=303, headers={"Set-Cookie": "flash=1"})


async def stream(request: Request) -> Response:
    async def chunks() -> AsyncIterator[bytes]:
        for part in (b"one ", b"two ", b"three"):
            await asyncio.sleep(0)
            yield part

    return StreamingResponse(chunks(), media_type="text/plain")


async def forbidden(request: Request) -> Response:
    raise HTTPException(403, "no")


class Teapot(Exception):
    pass


async def teapot(request: Request) -> Response:
    raise Teapot


async def crash(request: Request) -> Response:
    raise RuntimeError("unhandled")


async def page(request: Request) -> Response:
    nonce = request.state.csp_nonce
    return Response(f'<script nonce="{nonce}">go()</script>', media_type="text/html")


async def on_teapot(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("teapot", status_code=418, headers={"X-Handled": "yes"})


async def on_error(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("sorry", status_code=500, headers={"X-Handled": "500"})


async def ws_endpoint(websocket: WebSocket) -> None:
    await websocket.accept(headers=[(b"x-frame-options", b"ALLOWALL")])
    await websocket.send_text("hi")
    await websocket.close()


def starlette_app(tmp_path: Path, **kwargs: Any) -> Starlette:
    (tmp_path / "app.js").write_text("console.log(1)")
    return Starlette(
        routes=[
            Route("/", plain),
            Route("/redirect", redirect),
            Route("/stream", stream),
            Route("/forbidden", forbidden),
            Route("/teapot", teapot),
            Route("/crash", crash),
            Route("/page", page),
            WebSocketRoute("/ws", ws_endpoint),
            Mount("/static", StaticFiles(directory=tmp_path)),
        ],
        exception_handlers={Teapot: on_teapot, Exception: on_error},
        **kwargs,
    )


@pytest.fixture
def client(tmp_path: Path) -> Iterable[TestClient]:
    app = starlette_app(tmp_path)
    app.add_middleware(SecureASGIMiddleware, secure=SNAPSHOT)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


def test_starlette_ok_keeps_cookies_vary_and_content_headers(client: TestClient) -> None:
    response = client.get("/")
    assert response.text == "hello"
    assert_headers(
        raw(response),
        [
            (b"vary", b"Accept"),
            (b"content-length", b"5"),
            (b"content-type", b"text/plain; charset=utf-8"),
            (b"set-cookie", b"session=abc; HttpOnly; Path=/; SameSite=lax"),
            (b"set-cookie", b"theme=dark; Path=/; SameSite=lax"),
            (b"vary", b"Cookie"),
        ],
        SECURE_HEADERS,
    )


def test_starlette_redirect_keeps_location(client: TestClient) -> None:
    response = client.get("/redirect")
    assert response.status_code == 303
    assert_headers(
        raw(response),
        [(b"set-cookie", b"flash=1"), (b"content-length", b"0"), (b"location", b"/target")],
        SECURE_HEADERS,
    )


def test_starlette_streaming_response(client: TestClient) -> None:
    response = client.get("/stream")
    assert response.text == "one two three"
    assert_headers(raw(response), [(b"content-type", b"text/plain; charset=utf-8")], SECURE_HEADERS)


def test_starlette_head(client: TestClient) -> None:
    response = client.head("/")
    assert response.content == b""
    assert response.headers["content-length"] == "5"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"


@pytest.mark.parametrize(
    ("path", "status", "kept"),
    [
        (
            "/missing",
            404,
            [(b"content-length", b"9"), (b"content-type", b"text/plain; charset=utf-8")],
        ),
        (
            "/forbidden",
            403,
            [(b"content-length", b"2"), (b"content-type", b"text/plain; charset=utf-8")],
        ),
        (
            "/teapot",
            418,
            [
                (b"x-handled", b"yes"),
                (b"content-length", b"6"),
                (b"content-type", b"text/plain; charset=utf-8"),
            ],
        ),
    ],
)
def test_starlette_error_responses(
    client: TestClient, path: str, status: int, kept: Headers
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert_headers(raw(response), kept, SECURE_HEADERS)


def test_starlette_static_file_and_304(client: TestClient) -> None:
    first = client.get("/static/app.js")
    assert first.status_code == 200
    assert first.headers["x-content-type-options"] == "nosniff"
    again = client.get("/static/app.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    kept = [(k, v) for k, v in raw(again) if k not in {name for name, _ in SECURE_HEADERS}]
    assert (b"etag", first.headers["etag"].encode()) in kept
    assert_headers(raw(again), kept, SECURE_HEADERS)


def test_starlette_500_from_the_exception_handler_when_wrapping_the_app(tmp_path: Path) -> None:
    # Starlette runs the 500 handler in ServerErrorMiddleware, outside every
    # add_middleware() entry: wrap the application to cover those responses too.
    app = SecureASGIMiddleware(starlette_app(tmp_path), secure=SNAPSHOT)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/crash")
    assert response.status_code == 500
    assert response.text == "sorry"
    assert_headers(
        raw(response),
        [
            (b"x-handled", b"500"),
            (b"content-length", b"5"),
            (b"content-type", b"text/plain; charset=utf-8"),
        ],
        SECURE_HEADERS,
    )


def test_starlette_500_escapes_add_middleware(tmp_path: Path) -> None:
    # The documented limitation the previous test works around.
    app = starlette_app(tmp_path)
    app.add_middleware(SecureASGIMiddleware, secure=SNAPSHOT)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/crash")
    assert response.status_code == 500
    assert "x-frame-options" not in response.headers


def test_starlette_exception_propagates_through_the_middleware(tmp_path: Path) -> None:
    app = SecureASGIMiddleware(starlette_app(tmp_path), secure=SNAPSHOT)
    with TestClient(app) as test_client, pytest.raises(RuntimeError, match="unhandled"):
        test_client.get("/crash")


def test_starlette_websocket_is_untouched(client: TestClient) -> None:
    with client.websocket_connect("/ws") as websocket:
        assert websocket.receive_text() == "hi"
        assert websocket.extra_headers == [(b"x-frame-options", b"ALLOWALL")]


def test_starlette_request_state_nonce_with_lifespan_state(tmp_path: Path) -> None:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, str]]:
        yield {"db": "connected"}

    async def both(request: Request) -> Response:
        return JSONResponse({"db": request.state.db, "nonce": request.state.csp_nonce})

    app = Starlette(routes=[Route("/", both)], lifespan=lifespan)
    app.add_middleware(SecureASGIMiddleware, secure=NONCE_SNAPSHOT)
    with TestClient(app) as test_client:
        first, second = test_client.get("/"), test_client.get("/")
    for response in (first, second):
        assert response.json() == {"db": "connected", "nonce": nonce_of(raw(response))}
    assert first.json()["nonce"] != second.json()["nonce"]


def test_starlette_nonce_page_with_middleware_list(tmp_path: Path) -> None:
    app = starlette_app(
        tmp_path, middleware=[Middleware(SecureASGIMiddleware, secure=NONCE_SNAPSHOT)]
    )
    with TestClient(app) as test_client:
        response = test_client.get("/page")
    assert response.text == f'<script nonce="{nonce_of(raw(response))}">go()</script>'


def test_starlette_a_thousand_concurrent_requests() -> None:
    count = 1000
    arrived = 0
    all_in = asyncio.Event()

    async def endpoint(request: Request) -> Response:
        nonlocal arrived
        seen = request.state.csp_nonce
        arrived += 1
        if arrived == count:
            all_in.set()
        await all_in.wait()
        return PlainTextResponse(seen)

    app = Starlette(routes=[Route("/", endpoint)])
    app.add_middleware(SecureASGIMiddleware, secure=NONCE_SNAPSHOT)

    async def main() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await asyncio.gather(*(client.get("/") for _ in range(count)))

    responses = asyncio.run(main())
    nonces = [nonce_of(raw(r)) for r in responses]
    assert [r.text for r in responses] == nonces
    assert len(set(nonces)) == count
