"""The report endpoint under load and abuse, in every framework's mounting.

Each framework serves the endpoint behind its real server (gunicorn for Flask and
Django, uvicorn for FastAPI and Shiny), with an aggregate capped at 200 rows and a rate
limit of 80 reports per client. 100 concurrent clients (told apart by the
``X-Forwarded-For`` a proxy would add) each send 100 reports in 10 batches of 10: 10,000
reports per framework. One report of each batch is one of four recurring violations,
the other nine are unique.
This proves that:

* no request fails: every answer is 204, or 429 once a client's 80 reports are in;
* the rate limit holds exactly: each client's first 8 batches are accepted, the rest
  refused;
* memory stays bounded: the aggregate never holds more than its 200 rows while 7,200
  unique violations arrive, and the recurring ones keep their exact counts;
* hostile bodies (not JSON, 10 MB, 10,000 nested lists, wrong types, escape sequences,
  huge strings) are answered 400/413/415 and nothing of them reaches the log raw.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Final

import pytest
from harness import HOST, gunicorn_command, uvicorn_command

CLIENTS: Final = 100
BATCHES: Final = 10  # per client
BATCH: Final = 10  # reports per request
LIMIT: Final = 80  # reports per client
MAX_ROWS: Final = 200
HOT: Final = 4  # recurring violations

COMMON: Final = f"""
import logging
import os

from secure.reports import AggregateSink, ReportReceiver

logging.basicConfig(filename=os.environ["LOG_FILE"], level=logging.DEBUG)


def receiver():
    return ReportReceiver(
        sinks=[AggregateSink(os.environ["AGGREGATE"], max_rows={MAX_ROWS})],
        rate_limit=({LIMIT}, 3600),
        client_header="X-Forwarded-For",
    )
"""

APPS: Final = {
    "flask": """
from flask import Flask
from secure_flask import Secure, collect_reports
from common import receiver

app = Flask(__name__)
app.get("/")(lambda: "ok")
Secure(app)
collect_reports(app, receiver())
""",
    "django": """
from django.conf import settings
from secure.reports import with_reporting
from common import receiver

settings.configure(
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["127.0.0.1"],
    SECRET_KEY="load-test-only-0123456789-abcdefghijklmnopqrstuvwxyz",
    INSTALLED_APPS=["secure_django"],
    MIDDLEWARE=["secure_django.middleware.SecureHeadersMiddleware"],
    SECURE_HEADERS=with_reporting({"preset": "balanced"}, "/_reports"),
    SECURE_HEADERS_REPORTS=receiver(),
)
import django

django.setup()
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", lambda request: HttpResponse("ok")),
    path("_reports", include("secure_django.reports")),
]
application = get_wsgi_application()
""",
    "fastapi": """
from fastapi import FastAPI
from secure_fastapi import SecureMiddleware, collect_reports
from common import receiver

app = FastAPI()
app.get("/")(lambda: {"ok": True})
app.add_middleware(SecureMiddleware, secure=collect_reports(app, None, receiver=receiver()))
""",
    "shiny": """
from shiny import App, ui
from secure_shiny import secure_app
from common import receiver

app = secure_app(App(ui.page_fluid(ui.h1("ok")), None), reports=receiver())
""",
}


def command(framework: str, tmp_path: Path) -> list[str]:
    threads = ("--worker-class", "gthread", "--threads", "8", "--log-level", "warning")
    if framework == "flask":
        return gunicorn_command("flask_load:app", chdir=tmp_path, args=threads)
    if framework == "django":
        return gunicorn_command("django_load:application", chdir=tmp_path, args=threads)
    return uvicorn_command(f"{framework}_load:app", app_dir=tmp_path)


def report(client: int, batch: int, index: int) -> dict[str, object]:
    if index == 0:  # the recurring one
        blocked = f"https://hot{batch % HOT}.example/lib.js"
    else:
        blocked = f"https://c{client}-b{batch}-r{index}.example/x.js"
    return {
        "type": "csp-violation",
        "url": "https://app.example/checkout",
        "age": 5,
        "body": {
            "documentURL": "https://app.example/checkout",
            "effectiveDirective": "script-src-elem",
            "blockedURL": blocked,
            "disposition": "enforce",
            "originalPolicy": "default-src 'self'",
            "lineNumber": batch,
        },
    }


def request_bytes(
    body: bytes,
    *,
    client: str,
    content_type: str = "application/reports+json",
    length: int | None = None,
) -> bytes:
    head = (
        f"POST /_reports HTTP/1.1\r\nHost: {HOST}\r\nContent-Type: {content_type}\r\n"
        f"Content-Length: {len(body) if length is None else length}\r\n"
        f"X-Forwarded-For: {client}\r\n\r\n"
    )
    return head.encode("latin-1") + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str]]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    if length:
        await reader.readexactly(length)
    return status, headers


async def run_client(host: str, port: int, client: int) -> list[int]:
    statuses: list[int] = []
    reader, writer = await asyncio.open_connection(host, port)
    address = f"10.0.{client // 256}.{client % 256}"
    for batch in range(BATCHES):
        body = json.dumps([report(client, batch, i) for i in range(BATCH)]).encode()
        writer.write(request_bytes(body, client=address))
        await writer.drain()
        status, headers = await read_answer(reader)
        statuses.append(status)
        if headers.get("connection", "").lower() == "close":
            writer.close()
            await writer.wait_closed()
            reader, writer = await asyncio.open_connection(host, port)
    writer.close()
    await writer.wait_closed()
    return statuses


async def run_load(url: str) -> list[list[int]]:
    host, port = url.removeprefix("http://").split(":")
    return await asyncio.gather(*(run_client(host, int(port), c) for c in range(CLIENTS)))


def hostile_answer(url: str, raw: bytes) -> int:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(raw)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


TEN_MB: Final = 10 * 1024 * 1024

#: (name, request bytes, expected status). Every payload carries the word "rawmark"
#: (or control characters) that must never reach the log as sent.
HOSTILE: Final[list[tuple[str, Callable[[str], bytes], int]]] = [
    ("not-json", lambda c: request_bytes(b"\x1b[2J rawmark <script>", client=c), 400),
    # The 10 MB body is announced; the endpoint answers before reading it.
    ("10MB", lambda c: request_bytes(b"[" + b" " * 1000, client=c, length=TEN_MB), 413),
    ("nested", lambda c: request_bytes(b"[" * 10_000 + b"]" * 10_000, client=c), 400),
    (
        "wrong-types",
        lambda c: request_bytes(b'[{"type": ["rawmark"], "body": {"lineNumber": "x"}}]', client=c),
        400,
    ),
    (
        "escape-sequences",
        lambda c: request_bytes(
            b'[{"type": "csp\\r\\nFORGED rawmark \\u001b[31m", "body": "rawmark"}]', client=c
        ),
        400,
    ),
    (
        "huge-string",
        lambda c: request_bytes(json.dumps([{"type": "rawmark" * 20_000}]).encode(), client=c),
        413,
    ),
    ("media-type", lambda c: request_bytes(b"[]", client=c, content_type="text/rawmark"), 415),
]


@pytest.mark.parametrize("framework", list(APPS))
def test_load_and_abuse(framework: str, tmp_path: Path, server: Callable[..., str]) -> None:
    (tmp_path / "common.py").write_text(COMMON)
    (tmp_path / f"{framework}_load.py").write_text(APPS[framework])
    aggregate = tmp_path / "aggregate.sqlite3"
    log_file = tmp_path / "server.log"
    url = server(
        command(framework, tmp_path),
        cwd=tmp_path,
        env={"AGGREGATE": str(aggregate), "LOG_FILE": str(log_file), "PYTHONPATH": str(tmp_path)},
    )

    started = time.monotonic()
    results = asyncio.run(run_load(url))
    elapsed = time.monotonic() - started
    print(f"{framework}: {CLIENTS * BATCHES} requests in {elapsed:.1f}s")

    # No error, and the rate limit exactly: 8 batches of 10 in, the other 2 refused.
    accepted = LIMIT // BATCH
    for statuses in results:
        assert statuses == [204] * accepted + [429] * (BATCHES - accepted)

    with sqlite3.connect(aggregate) as db:
        rows = db.execute("SELECT count(*) FROM report_counts").fetchone()[0]
        hot = dict(
            db.execute(
                "SELECT blocked, count FROM report_counts WHERE blocked LIKE 'https://hot%'"
            ).fetchall()
        )
        evicted = db.execute("SELECT value FROM report_meta WHERE name = 'evicted'").fetchone()[0]
    assert rows <= MAX_ROWS
    # 100 clients x 8 accepted batches x 9 unique reports, minus what the table holds.
    assert evicted >= CLIENTS * accepted * (BATCH - 1) - MAX_ROWS
    # The recurring violations survive the flood. Exactly: at the very start a hot row has
    # a count of 1 like every other row, and the eviction (least reported, oldest first)
    # may take it before it recurs, so a few early reports can be lost, never more.
    expected = CLIENTS * accepted // HOT
    assert set(hot) == {f"https://hot{i}.example" for i in range(HOT)}
    assert all(expected - 5 <= count <= expected for count in hot.values()), hot

    # Abuse: each hostile body from a fresh client address.
    answers = Counter()
    for number, (name, make, expected) in enumerate(HOSTILE):
        status = hostile_answer(url, make(f"192.0.2.{number}"))
        assert status == expected, name
        answers[status] += 1
    log = log_file.read_text(encoding="utf-8", errors="replace")
    assert "refused reports from 192.0.2.0: 400" in log
    assert "rawmark" not in log
    assert "\x1b" not in log and "FORGED" not in log
    assert "Traceback" not in log
