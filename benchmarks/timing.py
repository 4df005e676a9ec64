"""Timing, checking and statistics shared by every benchmark level.

A *level* is one way of serving a request (raw ASGI, Flask, Django's handler, ...). It
holds *variants*: the same minimal application with no security headers (``A``), with a
hand-written middleware that appends a constant, pre-encoded list of the same headers
(``B``, the floor), with ``secure`` and with the peers that install beside it.

Every variant is timed in the same process, in short blocks, interleaved in a fresh
random order each round: this machine's speed drifts within seconds, so a variant is
only ever compared with the ``A`` block of its own round. Before and after timing, one
request per variant goes through :func:`check_level`, so no variant can win by sending
fewer headers.
"""

from __future__ import annotations

import asyncio
import gc
import random
import re
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any, Literal, TypeAlias

# -- the request every level serves ------------------------------------------------------

Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]
StartResponse: TypeAlias = Callable[..., Any]
WSGIApp: TypeAlias = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]
Headers: TypeAlias = list[tuple[str, str]]

#: A GET over HTTPS (so peers that only send HSTS on secure requests send it).
ASGI_SCOPE: Mapping[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.4"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "https",
    "path": "/",
    "raw_path": b"/",
    "root_path": "",
    "query_string": b"",
    "headers": [
        (b"host", b"example.com"),
        (b"user-agent", b"bench/1"),
        (b"accept", b"text/html"),
    ],
    "client": ("127.0.0.1", 50000),
    "server": ("example.com", 443),
}

_WSGI_INPUT = BytesIO(b"")

WSGI_ENVIRON: Mapping[str, Any] = {
    "REQUEST_METHOD": "GET",
    "SCRIPT_NAME": "",
    "PATH_INFO": "/",
    "QUERY_STRING": "",
    "SERVER_NAME": "example.com",
    "SERVER_PORT": "443",
    "SERVER_PROTOCOL": "HTTP/1.1",
    "REMOTE_ADDR": "127.0.0.1",
    "HTTP_HOST": "example.com",
    "HTTP_USER_AGENT": "bench/1",
    "HTTP_ACCEPT": "text/html",
    "HTTPS": "on",
    "wsgi.version": (1, 0),
    "wsgi.url_scheme": "https",
    "wsgi.input": _WSGI_INPUT,
    "wsgi.errors": BytesIO(),
    "wsgi.multithread": False,
    "wsgi.multiprocess": False,
    "wsgi.run_once": False,
}


async def _receive() -> Message:
    return {"type": "http.request", "body": b"", "more_body": False}


async def _discard(message: Message) -> None:
    return None


def _start_response(status: str, headers: Headers, exc_info: object = None) -> Callable[..., Any]:
    return _write


def _write(data: bytes) -> None:
    return None


# -- the header set every variant sends --------------------------------------------------

#: ``Secure.with_default_headers()`` (the BALANCED preset, testdata/presets.json),
#: written out by hand so the floor does not depend on the library it is the floor for.
BALANCED: tuple[tuple[str, str], ...] = (
    ("Cross-Origin-Resource-Policy", "same-origin"),
    (
        "Content-Security-Policy",
        "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; "
        "form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; "
        "object-src 'none'; script-src 'self'; script-src-attr 'none'; "
        "style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests",
    ),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Server", ""),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
)

#: The configuration of the nonce variants: BALANCED with a nonce slot in script-src.
NONCE_CONFIG: Mapping[str, object] = {"preset": "balanced", "nonce": True}

#: What a nonce variant's CSP looks like (CSP Level 3 §2.3.1 base64-value).
NONCE_SOURCE = re.compile(r"'nonce-([A-Za-z0-9+/_-]+={0,2})'")

#: Every header any variant of any level might add (lower-case).
SECURITY_NAMES = frozenset(
    {
        "cache-control",
        "content-security-policy",
        "content-security-policy-report-only",
        "cross-origin-embedder-policy",
        "cross-origin-opener-policy",
        "cross-origin-resource-policy",
        "origin-agent-cluster",
        "permissions-policy",
        "referrer-policy",
        "strict-transport-security",
        "x-content-type-options",
        "x-dns-prefetch-control",
        "x-download-options",
        "x-frame-options",
        "x-permitted-cross-domain-policies",
        "x-xss-protection",
    }
)


class FloorASGIMiddleware:
    """``B`` for ASGI: append a constant list of pre-encoded headers, nothing else."""

    def __init__(self, app: ASGIApp, headers: Iterable[tuple[str, str]] = BALANCED) -> None:
        self.app = app
        self.headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class FloorWSGIMiddleware:
    """``B`` for WSGI: append a constant list of headers, nothing else."""

    def __init__(self, app: WSGIApp, headers: Iterable[tuple[str, str]] = BALANCED) -> None:
        self.app = app
        self.headers = list(headers)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        extra = self.headers

        def start_with_headers(status: str, headers: Headers, exc_info: object = None) -> Any:
            return start_response(status, headers + extra, exc_info)

        return self.app(environ, start_with_headers)


class CarefulASGIMiddleware:
    """A hand-written middleware with ``secure``'s guarantees and none of its tricks.

    Like ``B``, plus what our middleware guarantees: an application header with one of our
    names (any case) is replaced, not duplicated, and the application's message is
    left as it built it. With ``nonce_template``, a fresh ``secrets`` nonce per request
    is formatted into the CSP, stored in ``scope["state"]``, and encoded.
    """

    def __init__(
        self,
        app: ASGIApp,
        headers: Iterable[tuple[str, str]] = BALANCED,
        nonce_template: str | None = None,
    ) -> None:
        self.app = app
        self.headers = [(n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers]
        self.names = frozenset(n for n, _ in self.headers)
        self.template = nonce_template

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = self.names
        extra = self.headers
        if self.template is not None:
            import secrets

            nonce = secrets.token_urlsafe(16)
            scope.setdefault("state", {})["csp_nonce"] = nonce
            csp = self.template.replace("{nonce}", nonce).encode("latin-1")
            extra = [(n, csp if n == b"content-security-policy" else v) for n, v in extra]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", ()) if h[0].lower() not in names]
                message = {**message, "headers": headers + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CarefulWSGIMiddleware:
    """:class:`CarefulASGIMiddleware` for WSGI (the nonce goes in the environ)."""

    def __init__(
        self,
        app: WSGIApp,
        headers: Iterable[tuple[str, str]] = BALANCED,
        nonce_template: str | None = None,
    ) -> None:
        self.app = app
        self.headers = list(headers)
        self.names = frozenset(n.lower() for n, _ in self.headers)
        self.template = nonce_template

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        names = self.names
        extra = self.headers
        if self.template is not None:
            import secrets

            nonce = environ["secure.csp_nonce"] = secrets.token_urlsafe(16)
            csp = self.template.replace("{nonce}", nonce)
            extra = [(n, csp if n == "Content-Security-Policy" else v) for n, v in extra]

        def start_with_headers(status: str, headers: Headers, exc_info: object = None) -> Any:
            kept = [h for h in headers if h[0].lower() not in names]
            return start_response(status, kept + extra, exc_info)

        return self.app(environ, start_with_headers)


# -- expectations: what each variant must send -------------------------------------------

Check: TypeAlias = Callable[[Headers], list[str]]


def _security(headers: Headers) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in headers:
        if name.lower() in SECURITY_NAMES or name.lower() == "server":
            found.setdefault(name.lower(), []).append(value)
    return found


def expect_none(headers: Headers) -> list[str]:
    """``A``: the application alone sends no security header."""
    found = sorted(n for n in _security(headers) if n != "server")
    return [f"unexpected security headers {found}"] if found else []


def expect_exact(
    expected: Iterable[tuple[str, str]] = BALANCED, *, nonce: bool = False, lower: bool = False
) -> Check:
    """Each expected header exactly once with exactly this value (CSP: nonce filled in).

    ``lower``: the names must be emitted lower-case (the ASGI spec, "Response Start").
    """
    wanted = [(n.lower(), n, v) for n, v in expected]

    def check(headers: Headers) -> list[str]:
        problems = []
        found = _security(headers)
        for key, name, value in wanted:
            values = found.get(key, [])
            if len(values) != 1:
                problems.append(f"{name}: sent {len(values)} times, expected once")
                continue
            got = values[0]
            if nonce and key == "content-security-policy":
                if NONCE_SOURCE.search(got) is None:
                    problems.append(f"{name}: no nonce in {got!r}")
                got = NONCE_SOURCE.sub("'nonce-X'", got)
                value = NONCE_SOURCE.sub("'nonce-X'", value)
            if got != value:
                problems.append(f"{name}: {got!r} != {value!r}")
        if lower:
            upper = [n for n, _ in headers if n.lower() in found and n != n.lower()]
            if upper:
                problems.append(f"ASGI header names not lower-case: {upper}")
        return problems

    return check


def expect_names(*names: str, nonce: bool = False) -> Check:
    """A peer: at least these headers (peers choose their own values), once each."""

    def check(headers: Headers) -> list[str]:
        found = _security(headers)
        problems = [
            f"{name}: sent {len(found.get(name.lower(), []))} times, expected once"
            for name in names
            if len(found.get(name.lower(), [])) != 1
        ]
        if nonce:
            csp = found.get("content-security-policy", [""])[0]
            if NONCE_SOURCE.search(csp) is None:
                problems.append(f"Content-Security-Policy: no nonce in {csp!r}")
        return problems

    return check


# -- variants and levels -----------------------------------------------------------------

Role = Literal["baseline", "floor", "ours", "peer"]


@dataclass
class Variant:
    """One application of a level; ``app`` is an ASGI or WSGI callable."""

    key: str
    label: str
    role: Role
    app: Any
    check: Check
    #: Whether the CSP carries a per-request nonce (checked to differ between requests).
    nonce: bool = False


@dataclass(frozen=True)
class Target:
    """``variant``'s overhead must be at most ``limit`` times ``reference``'s."""

    variant: str
    reference: str
    limit: float
    text: str


@dataclass
class Level:
    key: str
    title: str
    protocol: Literal["asgi", "wsgi"]
    variants: list[Variant]
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# -- one request, observed ----------------------------------------------------------------


def observe(level: Level, variant: Variant, loop: asyncio.AbstractEventLoop) -> Headers:
    """The response headers of one request (ASGI names decoded as latin-1, case kept)."""
    if level.protocol == "asgi":
        messages: list[Message] = []

        async def capture(message: Message) -> None:
            messages.append(message)

        loop.run_until_complete(variant.app(dict(ASGI_SCOPE), _receive, capture))
        start = next(m for m in messages if m["type"] == "http.response.start")
        status = int(start["status"])
        headers = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in start["headers"]]
    else:
        seen: list[tuple[str, Headers]] = []

        def start_response(status: str, headers: Headers, exc_info: object = None) -> Any:
            seen.append((status, list(headers)))
            return _write

        body = variant.app(dict(WSGI_ENVIRON), start_response)
        try:
            b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()
        status = int(seen[0][0].split()[0])
        headers = seen[0][1]
    if status != 200:
        raise AssertionError(f"{level.key}/{variant.key}: status {status}, expected 200")
    return headers


def check_level(level: Level, loop: asyncio.AbstractEventLoop) -> list[str]:
    """Problems with any variant's headers (empty: every variant sends what it should)."""
    problems: list[str] = []
    for variant in level.variants:
        first = observe(level, variant, loop)
        second = observe(level, variant, loop)
        problems.extend(
            f"{level.key}/{variant.key}: {problem}"
            for problem in variant.check(first) + variant.check(second)
        )
        if variant.nonce:
            nonces = [
                NONCE_SOURCE.findall({n.lower(): v for n, v in h}["content-security-policy"])
                for h in (first, second)
            ]
            if not nonces[0] or nonces[0] == nonces[1]:
                problems.append(f"{level.key}/{variant.key}: nonce not fresh: {nonces}")
    return problems


# -- timing -------------------------------------------------------------------------------


async def _asgi_block(app: ASGIApp, n: int) -> int:
    scope = ASGI_SCOPE
    receive = _receive
    send = _discard
    clock = time.thread_time_ns
    start = clock()
    for _ in range(n):
        await app({**scope}, receive, send)
    return clock() - start


def _wsgi_block(app: WSGIApp, n: int) -> int:
    environ = WSGI_ENVIRON
    start_response = _start_response
    clock = time.thread_time_ns
    start = clock()
    for _ in range(n):
        body = app({**environ}, start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return clock() - start


def time_block(level: Level, variant: Variant, n: int, loop: asyncio.AbstractEventLoop) -> float:
    """Nanoseconds per request over ``n`` back-to-back requests."""
    if level.protocol == "asgi":
        elapsed = loop.run_until_complete(_asgi_block(variant.app, n))
    else:
        elapsed = _wsgi_block(variant.app, n)
    return elapsed / n


@dataclass
class Samples:
    """Per-round nanoseconds per request, by variant key."""

    level: str
    block: int
    rounds: int
    ns: dict[str, list[float]]


def measure(
    level: Level,
    *,
    seconds: float,
    block_ms: float = 4.0,
    min_rounds: int = 15,
    max_rounds: int = 2000,
    seed: int = 0,
    block: int | None = None,
) -> Samples:
    """Time every variant in interleaved blocks, a fresh random order each round.

    ``block`` fixes the requests per block; by default it is sized from ``A``'s speed
    to last about ``block_ms``.
    """
    loop = asyncio.new_event_loop()
    try:
        if block is None:
            # Warm up (imports, caches, specialisation), then size a block from A's speed.
            for variant in level.variants:
                time_block(level, variant, 50, loop)
            baseline = level.variants[0]
            per_call = min(time_block(level, baseline, 200, loop) for _ in range(3))
            block = max(5, int(block_ms * 1e6 / per_call))
        n = block
        rng = random.Random(seed)
        order = list(level.variants)
        ns: dict[str, list[float]] = {v.key: [] for v in order}
        # Setup objects will not be collected: keep the collector's work per request.
        gc.collect()
        gc.freeze()
        deadline = time.monotonic() + seconds
        rounds = 0
        while rounds < max_rounds and (rounds < min_rounds or time.monotonic() < deadline):
            rng.shuffle(order)
            for variant in order:
                ns[variant.key].append(time_block(level, variant, n, loop))
            rounds += 1
        gc.unfreeze()
        return Samples(level.key, n, rounds, ns)
    finally:
        loop.close()


# -- statistics ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    value: float
    low: float
    high: float


def _ratio_of_medians(a: Sequence[float], b: Sequence[float]) -> float:
    denominator = statistics.median(b)
    return statistics.median(a) / denominator if denominator > 0 else float("inf")


def overheads(samples: Samples, baseline: str = "A") -> dict[str, list[float]]:
    """Per-round ``variant - A`` in nanoseconds (paired within each round)."""
    base = samples.ns[baseline]
    return {k: [v - b for v, b in zip(vs, base, strict=True)] for k, vs in samples.ns.items()}


def ratio(
    samples: Samples, variant: str, reference: str, *, resamples: int = 2000, seed: int = 1
) -> Estimate:
    """Median overhead of ``variant`` over median overhead of ``reference``, with a 95%
    percentile-bootstrap interval (rounds resampled together, keeping the pairing)."""
    over = overheads(samples)
    a, b = over[variant], over[reference]
    value = _ratio_of_medians(a, b)
    rng = random.Random(seed)
    rounds = len(a)
    boot = []
    for _ in range(resamples):
        idx = [rng.randrange(rounds) for _ in range(rounds)]
        boot.append(_ratio_of_medians([a[i] for i in idx], [b[i] for i in idx]))
    boot.sort()
    return Estimate(value, boot[int(0.025 * resamples)], boot[int(0.975 * resamples) - 1])
