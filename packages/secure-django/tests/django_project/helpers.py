"""Helpers shared by the tests: header assertions and a real ASGI round trip."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.handlers.asgi import ASGIHandler

# What SECURE_HEADERS = {"preset": "balanced", "nonce": True} sends; the CSP is checked
# separately because of its nonce.
BALANCED_STATIC = {
    "Cross-Origin-Resource-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=()",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Server": "",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}
BALANCED_CSP = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; "
    "script-src 'self' 'nonce-{nonce}'; script-src-attr 'none'; "
    "style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)


def nonce_of(csp: str) -> str:
    """The nonce in a policy's script-src."""
    start = csp.index("'nonce-") + len("'nonce-")
    return csp[start : csp.index("'", start)]


def assert_headers(
    headers: Mapping[str, str],
    expected: Mapping[str, str | None] | None = None,
) -> None:
    """Assert the project's headers (or ``expected``; ``None`` = absent) are sent once."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if expected is None:
        expected = {**BALANCED_STATIC, "Content-Security-Policy": None}
        csp = lowered["content-security-policy"]
        assert csp == BALANCED_CSP.format(nonce=nonce_of(csp))
        expected = {k: v for k, v in expected.items() if v is not None}
    for name, value in expected.items():
        if value is None:
            assert name.lower() not in lowered, f"{name} should be absent"
        else:
            assert lowered.get(name.lower()) == value, name


class ASGIResponse:
    """What a real ``ASGIHandler`` sent for one request."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        start = messages[0]
        assert start["type"] == "http.response.start"
        self.status: int = start["status"]
        self.raw_headers: list[tuple[bytes, bytes]] = start["headers"]
        self.body = b"".join(m.get("body", b"") for m in messages[1:])

    def header_list(self, name: str) -> list[str]:
        key = name.lower().encode()
        return [v.decode("latin-1") for k, v in self.raw_headers if k.lower() == key]

    @property
    def headers(self) -> dict[str, str]:
        names = {k.decode("latin-1") for k, _ in self.raw_headers}
        result = {}
        for name in names:
            values = self.header_list(name)
            if name.lower() != "set-cookie":
                assert len(values) == 1, f"{name} sent {len(values)} times"
            result[name] = values[-1]
        return result


def asgi_request(
    path: str, method: str = "GET", headers: Iterable[tuple[bytes, bytes]] = ()
) -> ASGIResponse:
    """Send one request through Django's real ASGI handler."""
    return asyncio.run(_asgi_request(path, method, list(headers)))


async def _asgi_request(path: str, method: str, headers: list[tuple[bytes, bytes]]) -> ASGIResponse:
    handler = ASGIHandler()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    messages: list[dict[str, Any]] = []
    sent_body = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_body
        if not sent_body:
            sent_body = True
            return {"type": "http.request", "body": b"", "more_body": False}
        # The client stays connected until the handler is done.
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    async def send(message: Mapping[str, Any]) -> None:
        messages.append(dict(message))

    await handler(scope, receive, send)
    return ASGIResponse(messages)
