"""Drive a Shiny ASGI app directly: real Shiny, real ASGI messages, no HTTP client.

(Starlette's TestClient warns about its HTTP client on current Starlette, and warnings
are errors in this suite; the ASGI protocol itself is small enough to speak here.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import pytest

Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Message, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]

_SERVER = [(b"host", b"testserver")]


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def values(self, name: str) -> list[str]:
        """Every value of header ``name`` (any case), in order."""
        return [v for n, v in self.headers if n == name.lower()]

    @property
    def text(self) -> str:
        return self.body.decode()


async def _get(app: ASGIApp, path: str) -> Response:
    scope: Message = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": _SERVER,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[Message] = []
    requested = False
    done = asyncio.Event()

    async def receive() -> Message:
        # The request once; then, as a server does, wait until the response is over.
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            done.set()

    await app(scope, receive, send)
    start = sent[0]
    assert start["type"] == "http.response.start"
    return Response(
        status=start["status"],
        headers=[(n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"]],
        body=b"".join(m.get("body", b"") for m in sent[1:]),
    )


@pytest.fixture
def get() -> Callable[[ASGIApp, str], Response]:
    """``get(app, path)``: one GET request through the ASGI app."""

    def get(app: ASGIApp, path: str = "/") -> Response:
        return asyncio.run(_get(app, path))

    return get


@dataclass
class WebSocketRun:
    accept: Message
    received: list[dict[str, Any]]


async def _websocket(app: ASGIApp, init: dict[str, Any], until: str) -> WebSocketRun:
    scope: Message = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "scheme": "ws",
        "path": "/websocket/",
        "raw_path": b"/websocket/",
        "root_path": "",
        "query_string": b"",
        "headers": _SERVER,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "subprotocols": [],
    }
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    outbox: asyncio.Queue[Message] = asyncio.Queue()
    await inbox.put({"type": "websocket.connect"})

    async def send(message: Message) -> None:
        await outbox.put(message)

    async def run_app() -> None:
        await app(scope, inbox.get, send)

    task = asyncio.create_task(run_app())
    try:
        accept = await asyncio.wait_for(outbox.get(), 10)
        await inbox.put({"type": "websocket.receive", "text": json.dumps(init)})
        received: list[dict[str, Any]] = []
        while not any(until in json.dumps(m) for m in received):
            message = await asyncio.wait_for(outbox.get(), 10)
            assert message["type"] == "websocket.send", message
            received.append(json.loads(message["text"]))
        await inbox.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(task, 10)
    finally:
        task.cancel()
    return WebSocketRun(accept, received)


@pytest.fixture
def websocket() -> Callable[[ASGIApp, dict[str, Any], str], WebSocketRun]:
    """``websocket(app, init, until)``: open Shiny's websocket, send the client's init
    message, and collect the server's messages until one contains ``until``."""

    def websocket(app: ASGIApp, init: dict[str, Any], until: str) -> WebSocketRun:
        return asyncio.run(_websocket(app, init, until))

    return websocket
