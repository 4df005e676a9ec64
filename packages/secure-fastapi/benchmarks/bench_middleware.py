"""Per-request overhead of SecureMiddleware against a hand-written ASGI middleware.

The hand-written one appends a constant, pre-encoded header list at
``http.response.start`` and does nothing else: the floor for any header middleware.
The target is SecureMiddleware's overhead <= 1.25x that floor. Run::

    uv run python packages/secure-fastapi/benchmarks/bench_middleware.py
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from secure import Secure
from secure_fastapi import SecureMiddleware

Message = dict[str, Any]
HEADERS = [
    (name.lower().encode(), value.encode())
    for name, value in Secure.with_default_headers().header_items()
]


async def app(scope: Any, receive: Any, send: Any) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


class HandWritten:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message["headers"], *HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def receive() -> Message:
    return {"type": "http.request", "body": b""}


async def send(message: Message) -> None:
    pass


async def run(target: Any, n: int) -> float:
    start = time.process_time()
    for _ in range(n):
        await target(
            {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": "/",
                "raw_path": b"/",
                "root_path": "",
                "query_string": b"",
                "headers": [(b"host", b"test")],
                "state": {},
            },
            receive,
            send,
        )
    return (time.process_time() - start) / n


def fastapi_app() -> Any:
    from fastapi import FastAPI

    api = FastAPI()

    @api.get("/")
    def index() -> dict[str, str]:
        return {"hello": "world"}

    return api


def main(n: int = 10_000, repeat: int = 25) -> None:
    for label, inner in (("raw ASGI app", app), ("FastAPI app", fastapi_app())):
        compare(label, inner, n if inner is app else n // 10, repeat)


def compare(label: str, app: Any, n: int, repeat: int) -> None:
    targets = {
        "bare app": app,
        "hand-written": HandWritten(app),
        "SecureMiddleware": SecureMiddleware(app),
        "SecureMiddleware(docs=False)": SecureMiddleware(app, docs=False),
        "SecureMiddleware(nonce)": SecureMiddleware(app, secure={"nonce": True}),
    }
    # Interleaved rounds, median per target: robust against a busy machine.
    samples: dict[str, list[float]] = {name: [] for name in targets}
    for _ in range(repeat):
        for name, target in targets.items():
            samples[name].append(asyncio.run(run(target, n)))
    # The minimum: the run least disturbed by the rest of the machine.
    times = {name: min(values) for name, values in samples.items()}
    bare = times.pop("bare app")
    floor = times["hand-written"] - bare
    print(f"{label}: {bare * 1e6:.2f} us/request without middleware")
    for name, value in times.items():
        extra = value - bare
        print(
            f"{name:30} +{extra * 1e6:.2f} us  ({extra / floor:.2f}x hand-written, "
            f"{extra / bare:.1%} of a request)"
        )


if __name__ == "__main__":
    main()
