"""Under load the headers stay right: 20,000 requests, 100 at a time, per stack.

One ASGI stack (FastAPI under uvicorn) and one WSGI stack (Flask under gunicorn, threaded
workers) serve the nonce'd demo page. A client of 100 concurrent HTTP/1.1
connections (keep-alive where the server offers it) checks every response: status 200,
every configured header exactly once with its configured value, the page's nonce equal
to the header's, the app's two Set-Cookie headers exactly as on a single request, and
no header twice. Over the run every nonce must be distinct, and no request may fail.

Each run prints its figures (time, requests per second, errors, distinct nonces).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urlsplit

import pytest
from stacks import STACKS, Stack, configured_items, fetch, nonce_of, serve_stack

REQUESTS: Final = 20_000
CONCURRENCY: Final = 100
#: The whole run must finish within this many seconds (it takes a fraction of it).
DEADLINE: Final = 300.0
PATH: Final = "/"

_BODY_NONCE: Final = re.compile(rb'nonce="([^"]+)"')

# gunicorn runs two worker processes of eight threads each: nonces are drawn by threads
# of one process at the same time, and by two processes forked from one master, and none
# may repeat. uvicorn runs as usual, one process with one event loop.
LOAD_STACKS: Final = [
    pytest.param(STACKS["fastapi-uvicorn"], (), id="asgi-fastapi-uvicorn"),
    pytest.param(
        STACKS["flask-gunicorn"],
        ("--workers", "2", "--worker-class", "gthread", "--threads", "8"),
        id="wsgi-flask-gunicorn",
    ),
]


@dataclass
class Expected:
    """What every response must carry, prepared once."""

    #: lower-case name -> configured value split at the nonce slot
    headers: dict[str, list[str]]
    cookies: list[str]


@dataclass
class Tally:
    responses: int = 0
    errors: list[str] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    connections: int = 0


def check(head: bytes, body: bytes, expected: Expected, tally: Tally) -> None:
    """Check one response; a problem goes into ``tally.errors``."""
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 200 "):
        tally.errors.append(f"status: {lines[0]!r}")
        return
    seen: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        seen.setdefault(name.lower(), []).append(value.strip(" \t"))
    duplicated = [name for name, values in seen.items() if len(values) > 1]
    if duplicated != ["set-cookie"]:
        tally.errors.append(f"sent more than once: {duplicated}")
    nonce = None
    for name, parts in expected.headers.items():
        values = seen.get(name, [])
        if len(values) != 1:
            tally.errors.append(f"{name}: {values!r}")
            continue
        if len(parts) > 1:
            nonce = nonce_of(values[0])
            if nonce is None:
                tally.errors.append(f"{name}: no nonce in {values[0]!r}")
                continue
        if values[0] != (nonce or "").join(parts):
            tally.errors.append(f"{name}: {values[0]!r}")
    if seen.get("set-cookie") != expected.cookies:
        tally.errors.append(f"set-cookie: {seen.get('set-cookie')!r}")
    if nonce is None or _BODY_NONCE.findall(body) != [nonce.encode()]:
        tally.errors.append(f"page nonce {_BODY_NONCE.findall(body)!r} != header {nonce!r}")
        return
    tally.nonces.add(nonce)
    tally.responses += 1


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes, bool]:
    """One response from a keep-alive connection: head, body, and whether it closes."""
    head = (await reader.readuntil(b"\r\n\r\n"))[:-4]
    lower = head.lower()
    closes = b"\r\nconnection: close" in lower
    length = re.search(rb"\r\ncontent-length: *(\d+)", lower)
    if length:
        body = await reader.readexactly(int(length[1]))
    elif b"\r\ntransfer-encoding: chunked" in lower:
        chunks = bytearray()
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            chunks += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")  # the trailer section ends with an empty line
        body = bytes(chunks)
    else:
        body = await reader.read()
        closes = True
    return head, body, closes


async def run_load(url: str, expected: Expected, tally: Tally) -> None:
    split = urlsplit(url)
    host, port = split.hostname or "127.0.0.1", split.port or 80
    request = f"GET {PATH} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    remaining = REQUESTS

    async def client() -> None:
        nonlocal remaining
        reader = writer = None
        while remaining > 0:
            remaining -= 1
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                    tally.connections += 1
                assert reader is not None
                writer.write(request)
                head, body, closes = await asyncio.wait_for(read_response(reader), 60)
            except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError) as exc:
                tally.errors.append(f"request failed: {exc!r}")
                closes = True
            else:
                check(head, body, expected, tally)
            if closes and writer is not None:
                writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    await asyncio.wait_for(asyncio.gather(*(client() for _ in range(CONCURRENCY))), DEADLINE)


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Iterator[list[str]]:
    """Lines to print in the test session's output, whatever the verbosity."""
    lines: list[str] = []
    yield lines
    with capsys.disabled():
        for line in lines:
            print(f"\n{line}")


@pytest.mark.parametrize(("stack", "server_args"), LOAD_STACKS)
def test_headers_under_load(stack: Stack, server_args: tuple[str, ...], report: list[str]) -> None:
    with serve_stack(stack, args=server_args) as url:
        # One response on its own: the cookies as the app sends them.
        reference = fetch(url, PATH)
        expected = Expected(
            headers={
                name.lower(): value.split("{nonce}") for name, value in configured_items(stack)
            },
            cookies=reference.get_all("Set-Cookie"),
        )
        assert len(expected.cookies) == 2
        tally = Tally()
        started = time.perf_counter()
        asyncio.run(run_load(url, expected, tally))
        elapsed = time.perf_counter() - started

    report.append(
        f"load {' '.join([stack.name, *server_args])}: {REQUESTS} requests, concurrency "
        f"{CONCURRENCY}, {elapsed:.1f} s ({REQUESTS / elapsed:.0f} req/s), "
        f"{len(tally.errors)} errors, {len(tally.nonces)} distinct nonces, "
        f"{tally.connections} connections"
    )
    assert not tally.errors, f"{len(tally.errors)} bad responses, e.g. {tally.errors[:5]}"
    assert tally.responses == REQUESTS
    assert len(tally.nonces) == REQUESTS, "a nonce was sent twice"
