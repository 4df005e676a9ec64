"""Frameworks with no package of their own, wired with secure-core alone, behind the
server each one's documentation recommends.

The apps in ``apps/core_only/`` are wired as ``docs/frameworks/<name>.md`` shows:
Litestar behind granian, Quart behind Hypercorn, Falcon behind uWSGI (WSGI) and
uvicorn (ASGI), Sanic, aiohttp and Tornado behind their own servers, Pyramid behind
waitress and Bottle behind gunicorn. A raw HTTP/1.1 client (``stacks.fetch``) reads each
response's header lines as sent: on a page, a 404, a 500, a redirect, a static file and
a HEAD, every configured header is there exactly once with its configured value, the
app's cookies pass intact, the page's nonce is the header's, and a route with its own
headers (``/embed``) gets them.

``SECURE_STACKS=litestar,bottle`` runs only those frameworks' stacks (the ``stacks``
nox sessions use it to test each framework's oldest and newest release).

What the servers add on their own, and the setting that leaves exactly one ``Server``
header (docs/headers/server.md):

* granian sends ``date`` and no ``server`` header of its own;
* Hypercorn sends ``date`` and ``server: hypercorn-h11`` beside the app's; the demo
  runs it with ``include_server_header = false`` (``apps/core_only/hypercorn.toml``);
* uvicorn: ``--no-server-header``; gunicorn: ``apps/gunicorn.conf.py`` (see
  ``test_servers.py``);
* waitress sends ``Date``, and ``Server: waitress`` whenever the app's ``Server`` is
  missing *or empty*; the demo runs it with ``--ident=`` (an empty identity), so the
  configured empty header is the only one;
* uWSGI sends neither ``Server`` nor ``Date``;
* Sanic sends no ``Server`` header; aiohttp sends ``Server: Python/... aiohttp/...``
  only when the app sends none; Tornado's default ``Server: TornadoServer/...`` is set
  before ``set_default_headers`` runs, which replaces it.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pytest
from harness import gunicorn_command, serve, uvicorn_command
from stacks import GUNICORN_CONF, WireResponse, fetch, nonce_of

from secure import Secure

CORE_ONLY_DIR: Final = Path(__file__).resolve().parent / "apps" / "core_only"
STATIC_FILE: Final = CORE_ONLY_DIR.parent / "static" / "hello.txt"

if str(CORE_ONLY_DIR) not in sys.path:
    sys.path.insert(0, str(CORE_ONLY_DIR))

from core_only_common import EMBED, SECURE  # noqa: E402


def _command(args: str) -> tuple[str, ...]:
    """``python ARGS`` (split at spaces); ``{host}`` and ``{port}`` are filled in later."""
    return (sys.executable, *args.split())


def _uwsgi(module: str) -> tuple[str, ...]:
    """uWSGI (the ``pyuwsgi`` package's ``uwsgi`` script) serving ``module`` over HTTP;
    ``--die-on-term``: stop on SIGTERM (uWSGI reloads on it by default)."""
    uwsgi = str(Path(sys.executable).with_name("uwsgi"))
    args = "--master --processes 1 --die-on-term --disable-logging"
    return (uwsgi, "--http-socket", "{host}:{port}", "--module", module, *args.split())


@dataclass(frozen=True)
class CoreStack:
    """One core-only demo app behind one server."""

    framework: str  # the docs page, docs/frameworks/<framework>.md
    server: str
    command: tuple[str, ...]  # {host} and {port} are filled in by harness.serve
    #: What the server adds to a page besides the configured and the app's headers.
    adds: frozenset[str] = frozenset({"date"})

    @property
    def name(self) -> str:
        return f"{self.framework}-{self.server}"

    def __str__(self) -> str:
        return self.name


ALL_STACKS: Final = (
    CoreStack(
        "litestar",
        "granian",
        _command("-m granian --interface asgi --host {host} --port {port} litestar_app:app"),
    ),
    CoreStack(
        "quart",
        "hypercorn",
        _command("-m hypercorn --config hypercorn.toml --bind {host}:{port} quart_app:app"),
    ),
    CoreStack(
        "falcon",
        "uwsgi",
        _uwsgi("falcon_wsgi_app:app"),
        adds=frozenset(),
    ),
    CoreStack(
        "falcon",
        "uvicorn",
        tuple(uvicorn_command("falcon_asgi_app:app", args=["--no-server-header"])),
    ),
    CoreStack(
        "sanic",
        "sanic",
        _command("-m sanic sanic_app:app --host {host} --port {port} --single-process --no-motd"),
        adds=frozenset(),
    ),
    CoreStack(
        "aiohttp",
        "aiohttp",
        _command("-m aiohttp.web -H {host} -P {port} aiohttp_app:init"),
    ),
    CoreStack(
        "tornado",
        "tornado",
        _command("tornado_app.py --address {host} --port {port}"),
        # Tornado adds an ETag to every GET response with a body it holds whole.
        adds=frozenset({"date", "etag"}),
    ),
    CoreStack(
        "pyramid",
        "waitress",
        _command("-m waitress --host {host} --port {port} --ident= pyramid_app:app"),
    ),
    CoreStack(
        "bottle",
        "gunicorn",
        tuple(gunicorn_command("bottle_app:app", args=["--config", str(GUNICORN_CONF)])),
    ),
)

_SELECTED: Final = {
    name.strip() for name in os.environ.get("SECURE_STACKS", "").split(",") if name.strip()
}
STACKS: Final = [s for s in ALL_STACKS if not _SELECTED or s.framework in _SELECTED]


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    status: int
    embed: bool = False  # the route with its own headers

    @property
    def secure(self) -> Secure:
        return EMBED if self.embed else SECURE


CASES: Final = {
    "200": Case("GET", "/", 200),
    "404": Case("GET", "/no-such-page", 404),
    "500": Case("GET", "/boom", 500),
    "redirect": Case("GET", "/redirect", 302),
    "static": Case("GET", "/static/hello.txt", 200),
    # Not every framework answers HEAD on a page route (Litestar and Falcon send 405);
    # all of them serve it for static files.
    "HEAD": Case("HEAD", "/static/hello.txt", 200),
    "route": Case("GET", "/embed", 200, embed=True),
}

# Header names a response may carry besides the configured ones: the app's own, and
# framing the server adds.
APP_OR_FRAMING: Final = frozenset(
    {"content-type", "content-length", "set-cookie", "transfer-encoding", "connection"}
)


@contextlib.contextmanager
def serve_all(commands: Mapping[str, Sequence[str]]) -> Iterator[dict[str, str]]:
    """Start every server at once (most of the wait is their imports) and yield their
    base URLs by name; all are stopped together at the end, also when one fails."""
    Server = contextlib.AbstractContextManager[str]

    def start(command: Sequence[str]) -> tuple[Server, str]:
        server = serve(list(command), cwd=CORE_ONLY_DIR, timeout=90)
        return server, server.__enter__()

    def stop(server: Server) -> None:
        server.__exit__(None, None, None)

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {name: pool.submit(start, command) for name, command in commands.items()}
        started: list[Server] = []
        urls: dict[str, str] = {}
        errors: list[BaseException] = []
        for name, future in futures.items():
            try:
                server, urls[name] = future.result()
            except Exception as exc:
                errors.append(exc)
            else:
                started.append(server)
        try:
            if errors:
                raise errors[0]
            yield urls
        finally:
            list(pool.map(stop, started))


@pytest.fixture(scope="module")
def served() -> Iterator[Callable[[CoreStack], str]]:
    """``served(stack)``: its base URL; the servers start together, once per module."""
    with serve_all({stack.name: stack.command for stack in STACKS}) as urls:
        yield lambda stack: urls[stack.name]


def assert_headers(response: WireResponse, secure: Secure) -> str | None:
    """Every header of ``secure`` exactly once with its value, nothing else twice;
    returns the nonce of the CSP."""
    nonce = None
    for name, template in secure.snapshot().str_items("{nonce}"):
        value = response.one(name)
        if "{nonce}" in template:
            nonce = nonce_of(value)
            assert nonce, f"{name}: no nonce in {value!r}"
            template = template.replace("{nonce}", nonce)
        assert value == template, f"{name}: got {value!r}, configured {template!r}"
    configured = {name.lower() for name, _, _ in secure.snapshot().items}
    for name in SECURE.snapshot().names - configured:
        assert not response.get_all(name), f"{name} should not be sent\n{response}"
    names = response.names()
    duplicated = {name for name in names if names.count(name) > 1} - {"set-cookie"}
    assert not duplicated, f"sent more than once: {sorted(duplicated)}\n{response}"
    return nonce


PARAMS: Final = [
    pytest.param(stack, kind, id=f"{stack.name}-{kind}") for stack in STACKS for kind in CASES
]


@pytest.mark.parametrize(("stack", "kind"), PARAMS)
def test_headers_on_the_wire(
    served: Callable[[CoreStack], str], stack: CoreStack, kind: str
) -> None:
    case = CASES[kind]
    response = fetch(served(stack), case.path, method=case.method)
    assert response.status == case.status, str(response)
    nonce = assert_headers(response, case.secure)
    assert len(response.get_all("Date")) <= 1, str(response)

    if kind in ("200", "route"):
        # The page's nonce is the header's.
        assert nonce is not None
        assert re.findall(rb'nonce="([^"]+)"', response.body) == [nonce.encode()]
    if kind == "200":
        again = fetch(served(stack), case.path)
        assert nonce_of(again.one("Content-Security-Policy")) != nonce
        # The app's two cookies pass through intact. (Litestar merges a handler's
        # response_cookies through a set: their order changes from run to run.)
        session, theme = sorted(response.get_all("Set-Cookie"))
        assert session.startswith("demo_session=s3ss10n;"), session
        assert "HttpOnly" in session and "samesite=lax" in session.lower(), session
        assert theme.startswith("demo_theme=dark"), theme
    elif kind == "redirect":
        assert response.one("Location") in ("/", f"{served(stack)}/"), str(response)
    elif kind == "static":
        assert response.body == STATIC_FILE.read_bytes()
        assert response.one("Content-Type").startswith("text/plain")
    elif kind == "HEAD":
        assert response.body == b""


@pytest.mark.parametrize("stack", STACKS, ids=str)
def test_what_the_server_adds(served: Callable[[CoreStack], str], stack: CoreStack) -> None:
    """Besides the configured headers and the app's own, a page carries only what the
    server adds (``Date``, or nothing): never a second ``Server``."""
    response = fetch(served(stack), "/")
    configured = {name.lower() for name, _, _ in SECURE.snapshot().items}
    extra = set(response.names()) - configured - APP_OR_FRAMING
    assert extra == stack.adds, str(response)
    assert response.get_all("Server") == [""], str(response)


# -- what each server adds, and the setting that leaves one Server header --------------

BARE_SERVERS: Final = {
    # name: (command, the Server values on the wire, sends Date)
    "hypercorn": (
        _command("-m hypercorn --bind {host}:{port} bare_app:asgi_app"),
        ["", "hypercorn-h11"],
        True,
    ),
    "hypercorn-configured": (
        _command("-m hypercorn --config hypercorn.toml --bind {host}:{port} bare_app:asgi_app"),
        [""],
        True,
    ),
    "granian": (
        _command("-m granian --interface asgi --host {host} --port {port} bare_app:asgi_app"),
        [""],
        True,
    ),
    "waitress": (
        _command("-m waitress --host {host} --port {port} bare_app:wsgi_app"),
        ["", "waitress"],
        True,
    ),
    "waitress-ident": (
        _command("-m waitress --host {host} --port {port} --ident= bare_app:wsgi_app"),
        [""],
        True,
    ),
    "uwsgi": (
        _uwsgi("bare_app:wsgi_app"),
        [""],
        False,
    ),
}


@pytest.fixture(scope="module")
def bare_servers() -> Iterator[dict[str, str]]:
    with serve_all({name: command for name, (command, _, _) in BARE_SERVERS.items()}) as urls:
        yield urls


@pytest.mark.skipif(bool(_SELECTED), reason="runs with the whole suite, not per framework")
@pytest.mark.parametrize("server", BARE_SERVERS)
def test_what_each_server_adds(bare_servers: dict[str, str], server: str) -> None:
    """The facts docs/headers/server.md states: which servers add their own ``Server``
    beside the application's (empty) one, which add ``Date``, and the setting that
    leaves exactly one ``Server`` header."""
    _, servers, date = BARE_SERVERS[server]
    response = fetch(bare_servers[server], "/")
    assert response.status == 200, str(response)
    assert sorted(response.get_all("Server")) == servers, str(response)
    assert len(response.get_all("Date")) == int(date), str(response)
    configured = {name.lower() for name, _, _ in Secure.with_default_headers().snapshot().items}
    extra = set(response.names()) - configured - APP_OR_FRAMING - {"date"}
    assert not extra, str(response)
