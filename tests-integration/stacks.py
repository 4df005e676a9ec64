"""The demo apps as they are deployed, and a raw HTTP/1.1 client to read what they send.

A :class:`Stack` is one demo app (``apps/``) behind one real server: gunicorn for the
WSGI apps, uvicorn for the ASGI ones. :func:`serve_stack` runs it on 127.0.0.1 (an
ephemeral port, stopped at the end; see ``harness.serve``).

:func:`fetch` speaks HTTP/1.1 over a plain socket and keeps every header line exactly as
it arrived, in order, duplicates included: a dict-based client would merge or hide the
duplicates these tests look for.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from harness import gunicorn_command, serve, uvicorn_command

from secure import Secure

__all__ = [
    "APPS_DIR",
    "GUNICORN_CONF",
    "STACKS",
    "Stack",
    "WireResponse",
    "configured_items",
    "demo_common",
    "fetch",
    "nonce_of",
    "serve_stack",
]

APPS_DIR: Final = Path(__file__).resolve().parent / "apps"
GUNICORN_CONF: Final = APPS_DIR / "gunicorn.conf.py"

# The apps import demo_common by its top-level name; so do the tests.
if str(APPS_DIR) not in sys.path:
    sys.path.insert(0, str(APPS_DIR))
demo_common: Any = importlib.import_module("demo_common")


@dataclass(frozen=True)
class Stack:
    """One demo app behind one server, run as its module docstring says."""

    name: str
    package: str  # the distribution under test
    server: str  # "gunicorn" or "uvicorn"
    app: str  # module:attribute, relative to APPS_DIR
    #: The routes the app has beyond "/", "/static/hello.txt" and a 404.
    full: bool = True

    @property
    def asgi(self) -> bool:
        return self.server == "uvicorn"

    def command(self, *, server_fix: bool = True, args: Sequence[str] = ()) -> list[str]:
        """The server command. ``server_fix``: the deployment setting that makes the
        configured ``Server`` header the only one (uvicorn ``--no-server-header``,
        gunicorn ``-c gunicorn.conf.py``)."""
        if self.asgi:
            fix = ["--no-server-header"] if server_fix else []
            return uvicorn_command(self.app, app_dir=APPS_DIR, args=[*fix, *args])
        fix = ["--config", str(GUNICORN_CONF)] if server_fix else []
        return gunicorn_command(self.app, chdir=APPS_DIR, args=[*fix, *args])

    def __str__(self) -> str:
        return self.name


STACKS: Final = {
    stack.name: stack
    for stack in (
        Stack("flask-gunicorn", "secure-flask", "gunicorn", "flask_app:app"),
        Stack("django-gunicorn", "secure-django", "gunicorn", "django_demo.wsgi:application"),
        Stack("django-uvicorn", "secure-django", "uvicorn", "django_demo.asgi:application"),
        Stack("fastapi-uvicorn", "secure-fastapi", "uvicorn", "fastapi_app:app"),
        Stack("starlette-uvicorn", "secure-fastapi", "uvicorn", "starlette_app:app"),
        Stack("shiny-uvicorn", "secure-shiny", "uvicorn", "shiny_app:app", full=False),
    )
}


@contextlib.contextmanager
def serve_stack(
    stack: Stack,
    *,
    report_uri: str | None = None,
    server_fix: bool = True,
    args: Sequence[str] = (),
) -> Iterator[str]:
    """Serve ``stack`` on 127.0.0.1 and yield its base URL; stopped on exit."""
    env = {"DEMO_CSP_REPORT_URI": report_uri or ""}
    command = stack.command(server_fix=server_fix, args=args)
    # Not from APPS_DIR: gunicorn would read ./gunicorn.conf.py even when not asked to.
    with serve(command, cwd=APPS_DIR.parent, env=env, timeout=60) as url:
        yield url


def configured_items(stack: Stack, *, report_uri: str | None = None) -> list[tuple[str, str]]:
    """The headers the stack is configured to send, with ``{nonce}`` left in place."""
    if stack.name.startswith("shiny"):
        snapshot = importlib.import_module("shiny_app").app.snapshot
    else:
        snapshot = Secure.from_config(demo_common.config(report_uri)).snapshot()
    items: list[tuple[str, str]] = snapshot.str_items("{nonce}")
    return items


_NONCE_SOURCE: Final = re.compile(r"'nonce-([A-Za-z0-9+/_-]+={0,2})'")


def nonce_of(csp: str) -> str | None:
    """The nonce in a Content-Security-Policy value, if it has one."""
    found = _NONCE_SOURCE.findall(csp)
    if len(set(found)) > 1:
        raise AssertionError(f"more than one nonce in one policy: {csp!r}")
    return found[0] if found else None


# -- a raw HTTP/1.1 client ---------------------------------------------------------------


@dataclass(frozen=True)
class WireResponse:
    """A response as it arrived: status, every header line in order, the decoded body."""

    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    chunked: bool
    head: bytes = field(repr=False)  # the raw bytes up to the blank line

    def get_all(self, name: str) -> list[str]:
        """Every value sent under ``name`` (any case), in order."""
        lower = name.lower()
        return [value for key, value in self.headers if key.lower() == lower]

    def one(self, name: str) -> str:
        """The value of a header that must be on the wire exactly once."""
        values = self.get_all(name)
        assert len(values) == 1, f"{name}: expected exactly one, got {values!r}\n{self}"
        return values[0]

    def names(self) -> list[str]:
        return [key.lower() for key, _ in self.headers]

    def __str__(self) -> str:
        return self.head.decode("latin-1")


def fetch(
    base_url: str,
    path: str = "/",
    *,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    timeout: float = 15.0,
) -> WireResponse:
    """Send one request on a new connection (``Connection: close``) and read it all."""
    url = urlsplit(base_url)
    host, port = url.hostname or "127.0.0.1", url.port or 80
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(request)
        data = bytearray()
        while chunk := sock.recv(65536):
            data += chunk
    return parse_response(bytes(data), head_only=method == "HEAD")


def parse_response(data: bytes, *, head_only: bool = False) -> WireResponse:
    """Parse one complete HTTP/1.1 response (RFC 9112)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    assert sep, f"no end of the header section in {data[:500]!r}"
    status_line, *field_lines = head.decode("latin-1").split("\r\n")
    version, status, reason = [*status_line.split(" ", 2), ""][:3]
    assert version.startswith("HTTP/1."), status_line
    parsed: list[tuple[str, str]] = []
    for line in field_lines:
        name, colon, value = line.partition(":")
        assert colon and name == name.strip(), f"malformed field line {line!r}"
        # RFC 9112 §5: the value is what is between optional whitespace.
        parsed.append((name, value.strip(" \t")))
    chunked = any(
        name.lower() == "transfer-encoding" and "chunked" in value.lower() for name, value in parsed
    )
    body = b"" if head_only else (_dechunk(rest) if chunked else rest)
    return WireResponse(int(status), reason, tuple(parsed), body, chunked, head)


def _dechunk(data: bytes) -> bytes:
    # RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF chunk-data CRLF ... last-chunk CRLF
    body = bytearray()
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(body)
        body += data[:size]
        assert data[size : size + 2] == b"\r\n", "malformed chunk"
        data = data[size + 2 :]
