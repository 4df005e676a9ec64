"""The report endpoint: limits, rate limiting, CORS, and the ASGI and WSGI apps.

One :class:`ReportReceiver` holds the policy (limits, sinks, counters); the ASGI and
WSGI apps only move bytes between their server and it. Every answer has an empty body:
nothing a client sends is ever echoed back.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from secure.reports._record import Report, ReportError, escape, parse_body
from secure.reports._sinks import LOGGER_NAME, LoggingSink, Sink

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from secure.middleware.asgi import Receive, Scope, Send

__all__ = ["Answer", "ReportReceiver", "ReportsASGIApp", "ReportsWSGIApp"]

_REASONS: Final = {
    204: "No Content",
    400: "Bad Request",
    405: "Method Not Allowed",
    411: "Length Required",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
}

_STAT_FOR_STATUS: Final = {
    400: "malformed",
    405: "bad_method",
    411: "malformed",
    413: "too_large",
    415: "bad_media_type",
    429: "rate_limited",
}

_MEDIA_TYPES: Final = ("application/reports+json", "application/csp-report", "application/json")


@dataclass(frozen=True)
class Answer:
    """What to answer: a status and headers; the body is always empty."""

    status: int
    headers: tuple[tuple[str, str], ...] = ()

    @property
    def status_line(self) -> str:
        """``"204 No Content"``, for WSGI's ``start_response``."""
        return f"{self.status} {_REASONS[self.status]}"


class _RateLimiter:
    """At most ``limit`` reports per client in each fixed window of ``window`` seconds.

    The table of clients is bounded: past ``max_clients`` the least recently seen is
    forgotten, so a scan of spoofed addresses cannot grow memory.
    """

    def __init__(self, limit: int, window: float, max_clients: int) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._clients: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _entry(self, client: str, now: float) -> list[float]:
        entry = self._clients.get(client)
        if entry is None or now - entry[0] >= self.window:
            entry = [now, 0.0]
            self._clients[client] = entry
            if len(self._clients) > self.max_clients:
                self._clients.popitem(last=False)
        self._clients.move_to_end(client)
        return entry

    def exhausted(self, client: str) -> bool:
        with self._lock:
            return self._entry(client, time.monotonic())[1] >= self.limit

    def take(self, client: str, count: int) -> bool:
        with self._lock:
            entry = self._entry(client, time.monotonic())
            if entry[1] + count > self.limit:
                entry[1] = self.limit  # a client that overshoots waits for the window
                return False
            entry[1] += count
            return True

    def __len__(self) -> int:
        return len(self._clients)


class ReportReceiver:
    """Receive browser reports: validate, limit, normalise, and hand them to sinks.

    * ``sinks``: callables taking a :class:`Report` (default: one :class:`LoggingSink`).
    * ``max_body``: the largest body in bytes (default 64 KiB); larger: 413.
    * ``max_reports``: the most reports in one Reporting API batch (default 100); more: 413.
    * ``rate_limit``: ``(reports, seconds)`` per client (default 600 per minute), or
      ``None``; past it: 429. Counted per process.
    * ``client_header``: take the client address from this request header, set by your
      reverse proxy (``"X-Real-IP"``; of a list such as ``X-Forwarded-For``, the last
      address, the one your proxy appended), instead of the peer address.
    * ``allow_origins``: origins whose pages may send reports here from another origin
      (CORS), or ``"*"`` (default): the answers carry no data, so any page may report.

    Use it through :class:`ReportsASGIApp`, :class:`ReportsWSGIApp` or a framework's
    mounting; ``stats`` counts what was accepted and refused::

        receiver = ReportReceiver(sinks=[LoggingSink(), JSONLinesSink("reports.jsonl")])
        app = ReportsASGIApp(receiver)
    """

    def __init__(
        self,
        *,
        sinks: Iterable[Sink] | None = None,
        max_body: int = 64 * 1024,
        max_reports: int = 100,
        rate_limit: tuple[int, float] | None = (600, 60.0),
        max_clients: int = 10_000,
        client_header: str | None = None,
        allow_origins: Iterable[str] | str = "*",
        logger: logging.Logger | str = LOGGER_NAME,
    ) -> None:
        self.sinks: tuple[Sink, ...] = tuple(sinks) if sinks is not None else (LoggingSink(),)
        for sink in self.sinks:
            if not callable(sink):
                raise TypeError(
                    f"ReportReceiver(sinks=...): each sink must be callable, got {sink!r}"
                )
        self.max_body = _positive("max_body", max_body)
        self.max_reports = _positive("max_reports", max_reports)
        self._limiter: _RateLimiter | None = None
        if rate_limit is not None:
            if not isinstance(rate_limit, tuple) or len(rate_limit) != 2:
                raise TypeError(
                    "ReportReceiver(rate_limit=...): expected (reports, seconds) or None, "
                    f"got {rate_limit!r}"
                )
            count, window = rate_limit
            if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
                raise ValueError(
                    "ReportReceiver(rate_limit=...): the window must be a positive number of "
                    f"seconds, got {window!r}"
                )
            self._limiter = _RateLimiter(
                _positive("rate_limit", count), float(window), _positive("max_clients", max_clients)
            )
        if client_header is not None and (
            not isinstance(client_header, str) or not client_header.strip()
        ):
            raise ValueError(
                f"ReportReceiver(client_header=...): expected a header name, got {client_header!r}"
            )
        self.client_header = client_header.strip().lower() if client_header else None
        if isinstance(allow_origins, str):
            if allow_origins != "*":
                raise ValueError(
                    "ReportReceiver(allow_origins=...): expected '*' or a list of origins such "
                    f"as ['https://app.example'], got the string {allow_origins!r}"
                )
            self.allow_origins: frozenset[str] | None = None
        else:
            self.allow_origins = frozenset(o.rstrip("/").lower() for o in allow_origins)
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self._stats: dict[str, int] = dict.fromkeys(
            ("requests", "accepted", "sink_errors", *sorted(set(_STAT_FOR_STATUS.values()))), 0
        )
        self._stats_lock = threading.Lock()

    # -- counters -------------------------------------------------------------------------

    @property
    def stats(self) -> dict[str, int]:
        """Counts since start, in this process: ``requests``, ``accepted`` reports, and
        refusals: ``malformed`` (400), ``too_large`` (413), ``rate_limited`` (429),
        ``bad_media_type`` (415), ``bad_method`` (405); ``sink_errors``."""
        with self._stats_lock:
            return dict(self._stats)

    def _count(self, name: str, amount: int = 1) -> None:
        with self._stats_lock:
            self._stats[name] += amount

    # -- the protocol ----------------------------------------------------------------------

    def client_of(self, headers: Mapping[str, str], peer: str | None) -> str:
        """The client a request is rate-limited as."""
        if self.client_header is not None:
            value = headers.get(self.client_header, "")
            last = value.rsplit(",", 1)[-1].strip()
            if last:
                return last[:64]
        return peer or "unknown"

    def _cors(self, headers: Mapping[str, str]) -> list[tuple[str, str]]:
        origin = headers.get("origin")
        if origin is None:
            return []
        if self.allow_origins is None:
            return [("Access-Control-Allow-Origin", "*")]
        if origin.rstrip("/").lower() in self.allow_origins:
            # The configured spelling, never the request's bytes.
            return [("Access-Control-Allow-Origin", origin.rstrip("/").lower()), ("Vary", "Origin")]
        return [("Vary", "Origin")]

    def start(
        self,
        method: str,
        headers: Mapping[str, str],
        client: str,
        *,
        length_required: bool = False,
    ) -> Answer | None:
        """Everything decided before reading the body: an answer, or ``None`` to read it.

        ``headers`` has lower-case names; ``length_required`` refuses a body without a
        ``Content-Length`` (411), for servers that cannot tell where one ends.
        """
        self._count("requests")
        if method == "OPTIONS":
            # A CORS preflight (Fetch §4.8): the Reporting API's POST carries a
            # non-safelisted Content-Type, so a cross-origin endpoint is asked first.
            cors = self._cors(headers)
            if cors and cors[0][0] == "Access-Control-Allow-Origin":
                cors += [
                    ("Access-Control-Allow-Methods", "POST"),
                    ("Access-Control-Allow-Headers", "Content-Type"),
                    ("Access-Control-Max-Age", "86400"),
                ]
            return Answer(204, (("Allow", "POST, OPTIONS"), *cors))
        if method != "POST":
            allow = (("Allow", "POST, OPTIONS"),)
            return self._refuse(405, f"method {escape(method[:16])}", client, allow)
        media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media not in _MEDIA_TYPES:
            return self._refuse(415, "unsupported Content-Type", client, cors=headers)
        length = headers.get("content-length")
        if length is None and length_required:
            return self._refuse(411, "no Content-Length", client, cors=headers)
        if length is not None:
            if not length.isascii() or not length.isdigit():
                return self._refuse(400, "invalid Content-Length", client, cors=headers)
            # Compared as text first: int() refuses thousands of digits (a traceback).
            digits = length.lstrip("0") or "0"
            if len(digits) > 15 or int(digits) > self.max_body:
                return self._refuse(413, "Content-Length over the limit", client, cors=headers)
        if self._limiter is not None and self._limiter.exhausted(client):
            return self._refuse(429, "rate limit", client, cors=headers)
        return None

    def finish(self, body: bytes, headers: Mapping[str, str], client: str) -> Answer:
        """Parse the body read after :meth:`start` and deliver its reports to the sinks."""
        if len(body) > self.max_body:
            return self._refuse(413, f"more than {self.max_body} bytes", client, cors=headers)
        try:
            reports = parse_body(
                headers.get("content-type", ""),
                body,
                max_reports=self.max_reports,
                user_agent=headers.get("user-agent", ""),
            )
        except ReportError as exc:
            return self._refuse(exc.status, exc.reason, client, cors=headers)
        if self._limiter is not None and not self._limiter.take(client, len(reports)):
            return self._refuse(429, "rate limit", client, cors=headers)
        self.deliver(reports)
        return Answer(204, tuple(self._cors(headers)))

    def deliver(self, reports: Iterable[Report]) -> None:
        """Hand reports to every sink; a failing sink is logged and counted."""
        accepted = 0
        for report in reports:
            accepted += 1
            for sink in self.sinks:
                try:
                    sink(report)
                except Exception:
                    self._count("sink_errors")
                    self.logger.exception("report sink %s failed", escape(repr(sink)))
        self._count("accepted", accepted)

    def handle(
        self,
        method: str,
        headers: Mapping[str, str],
        read: Callable[[int], bytes],
        *,
        peer: str | None,
        length_required: bool = False,
    ) -> Answer:
        """The whole exchange for a synchronous server: ``read(n)`` returns up to ``n``
        bytes of the body (``b""`` at its end). Used by the WSGI app and the Flask and
        Django views."""
        client = self.client_of(headers, peer)
        answer = self.start(method, headers, client, length_required=length_required)
        if answer is not None:
            return answer
        limit = self.max_body + 1
        chunks: list[bytes] = []
        size = 0
        while size < limit:
            chunk = read(limit - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return self.finish(b"".join(chunks), headers, client)

    def _refuse(
        self,
        status: int,
        reason: str,
        client: str,
        extra: tuple[tuple[str, str], ...] = (),
        *,
        cors: Mapping[str, str] | None = None,
    ) -> Answer:
        self._count(_STAT_FOR_STATUS[status])
        # A flood of 429s is expected under abuse; the counter is the signal there.
        level = logging.DEBUG if status == 429 else logging.INFO
        if self.logger.isEnabledFor(level):
            self.logger.log(
                level, "refused reports from %s: %d %s", escape(client), status, escape(reason)
            )
        # An empty body, said so: without it a server may fall back to chunked encoding.
        # (A 204 never carries Content-Length, RFC 9110 §8.6.)
        headers = [("Content-Length", "0"), *extra]
        if status == 429 and self._limiter is not None:
            headers.append(("Retry-After", str(max(1, round(self._limiter.window)))))
        if cors is not None:
            headers += self._cors(cors)
        return Answer(status, tuple(headers))

    def __repr__(self) -> str:
        return f"ReportReceiver(sinks={list(self.sinks)!r}, max_body={self.max_body})"


def _positive(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"ReportReceiver({name}=...): expected a positive integer, got {value!r}")
    return value


# -- ASGI -------------------------------------------------------------------------------------


class ReportsASGIApp:
    """The report endpoint as an ASGI app; it answers on whatever path it is mounted at.

    Sinks run in a worker thread, so a slow disk never blocks the event loop::

        app = ReportsASGIApp(ReportReceiver(sinks=[JSONLinesSink("reports.jsonl")]))
        # uvicorn module:app, or mount it in Starlette/FastAPI at "/_reports"
    """

    __slots__ = ("receiver",)

    def __init__(self, receiver: ReportReceiver | None = None) -> None:
        self.receiver = receiver if receiver is not None else ReportReceiver()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if kind != "http":
            # A websocket has nothing to report: refuse the handshake (ASGI spec).
            await send({"type": "websocket.close", "code": 1008})
            return
        receiver = self.receiver
        headers: dict[str, str] = {}
        for name, value in scope.get("headers", ()):
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        peer = scope.get("client")
        client = receiver.client_of(headers, peer[0] if peer else None)
        answer = receiver.start(scope.get("method", "GET"), headers, client)
        if answer is None:
            body = await _read_asgi_body(receive, receiver.max_body + 1)
            if body is None:
                return  # the client went away
            import asyncio  # the WSGI side never needs it

            answer = await asyncio.to_thread(receiver.finish, body, headers, client)
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [(n.lower().encode(), v.encode("latin-1")) for n, v in answer.headers],
            }
        )
        await send({"type": "http.response.body", "body": b""})


async def _read_asgi_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit or not message.get("more_body", False):
            # Past the limit, stop reading: finish() answers 413.
            return b"".join(chunks)


# -- WSGI -------------------------------------------------------------------------------------


class ReportsWSGIApp:
    """The report endpoint as a WSGI app; it answers on whatever path it is mounted at::

    application = ReportsWSGIApp(ReportReceiver(sinks=[JSONLinesSink("reports.jsonl")]))
    """

    __slots__ = ("receiver",)

    def __init__(self, receiver: ReportReceiver | None = None) -> None:
        self.receiver = receiver if receiver is not None else ReportReceiver()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        answer = handle_environ(self.receiver, environ)
        start_response(answer.status_line, list(answer.headers))
        return []


def environ_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request headers of a WSGI environ, with lower-case names."""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        value = environ.get(key)
        if value:
            headers[key.replace("_", "-").lower()] = str(value)
    return headers


def handle_environ(receiver: ReportReceiver, environ: Mapping[str, Any]) -> Answer:
    """Answer one WSGI request (shared by the WSGI app and the Flask/Django views)."""
    headers = environ_headers(environ)
    method = str(environ.get("REQUEST_METHOD", "GET"))
    stream = environ.get("wsgi.input")
    # Without a length a WSGI server may block on read() (PEP 3333), unless it says
    # the stream ends (wsgi.input_terminated, e.g. for a chunked body).
    length_required = not environ.get("wsgi.input_terminated")
    length = headers.get("content-length", "")
    digits = length.lstrip("0") or "0"
    usable = length.isascii() and length.isdigit() and len(digits) <= 15
    remaining = [int(digits)] if usable else None

    def read(size: int) -> bytes:
        if stream is None:
            return b""
        if remaining is not None:
            size = min(size, remaining[0])
            if size <= 0:
                return b""
        data: bytes = stream.read(size)
        if remaining is not None:
            remaining[0] -= len(data)
        return data

    return receiver.handle(
        method, headers, read, peer=environ.get("REMOTE_ADDR"), length_required=length_required
    )
