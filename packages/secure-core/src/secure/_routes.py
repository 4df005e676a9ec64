"""Listing an application's GET routes and requesting them, for ``secure.testing``.

Each framework is recognised by the module its class comes from, so nothing here
imports a framework the application does not already use. Flask, Starlette/FastAPI
and Django are requested through their own test clients; any other WSGI or ASGI
callable through a small standard-library caller.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import io
import re
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["CallResponse", "client_for", "discover"]

Get = Callable[[str], Any]


def _framework(app: Any) -> str | None:
    for cls in type(app).__mro__:
        root = cls.__module__.split(".")[0]
        if root in ("flask", "starlette", "django"):
            return root
    return None


def discover(app: Any) -> list[str] | None:
    """The paths of ``app``'s GET routes without parameters, or None if unknown."""
    framework = _framework(app)
    if framework == "flask":
        return [
            rule.rule
            for rule in app.url_map.iter_rules()
            if "GET" in (rule.methods or ()) and not rule.arguments and not rule.subdomain
        ]
    if framework == "starlette" and not hasattr(app, "routes"):  # a TestClient
        return discover(app.app)
    if framework == "starlette":
        skip = {
            getattr(app, name, None)
            for name in ("docs_url", "redoc_url", "swagger_ui_oauth2_redirect_url")
        }
        return [p for p in _starlette_paths(app.routes, "") if p not in skip]
    if framework == "django":
        from django.urls import get_resolver

        return ["/" + p for p in _django_paths(get_resolver().url_patterns)]
    return None


def _starlette_paths(routes: Any, prefix: str) -> Iterator[str]:
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str) or "{" in path:
            continue  # a Host, or a path with parameters: the user lists those
        if hasattr(route, "methods"):  # Route, FastAPI's APIRoute
            if route.methods is None or "GET" in route.methods:
                yield prefix + path
        elif hasattr(route, "routes"):  # Mount
            try:
                children = route.routes
            except Exception:  # a mounted app without routes (StaticFiles, ...)
                continue
            yield from _starlette_paths(children or (), prefix + path)


_PLAIN_REGEX = re.compile(r"[^.*+?\[\](){}|\\$^]*")


def _django_paths(patterns: Any, prefix: str = "") -> Iterator[str]:
    for entry in patterns:
        pattern = entry.pattern
        if getattr(pattern, "converters", None):
            continue  # path("<int:pk>/", ...)
        if hasattr(pattern, "regex") and not hasattr(pattern, "_route"):
            text = pattern.regex.pattern.removeprefix("^").removesuffix("$")
            text = text.removesuffix(r"\Z")
            if not _PLAIN_REGEX.fullmatch(text):
                continue  # re_path with groups or wildcards
        else:
            text = str(pattern)
            if "<" in text:
                continue
        if hasattr(entry, "url_patterns"):  # include()
            yield from _django_paths(entry.url_patterns, prefix + text)
        else:
            yield prefix + text


@contextlib.contextmanager
def client_for(app: Any) -> Iterator[Get]:
    """A function that GETs a path from ``app`` and returns the response."""
    framework = _framework(app)
    if framework == "flask" and hasattr(app, "test_client"):
        yield app.test_client().get
    elif framework == "starlette" and hasattr(app, "routes"):
        from starlette.testclient import TestClient

        # Error pages need their headers too: answer 500 instead of raising. No
        # lifespan (older Starlette leaks its streams); pass a TestClient opened with
        # `with` for an app that needs its startup.
        client = TestClient(app, raise_server_exceptions=False)
        try:
            # A redirect's own headers are checked, not those of where it leads.
            yield lambda path: client.get(path, follow_redirects=False)
        finally:
            client.close()
    elif framework == "starlette":  # a TestClient
        yield lambda path: app.get(path, follow_redirects=False)
    elif framework == "django":
        from django.test import Client

        django_client = app if isinstance(app, Client) else Client(raise_request_exception=False)
        yield django_client.get
    elif _is_asgi(app):
        yield lambda path: _call_asgi(app, path)
    elif callable(app):
        yield lambda path: _call_wsgi(app, path)
    else:
        raise TypeError(f"cannot request paths from {type(app).__name__}: not a WSGI/ASGI app")


def _is_asgi(app: Any) -> bool:
    call = app if inspect.isfunction(app) or inspect.ismethod(app) else type(app).__call__
    return inspect.iscoroutinefunction(call)


@dataclass(frozen=True)
class CallResponse:
    """What the standard-library callers got: status, header fields, body."""

    status: int
    headers: list[tuple[str, str]]
    content: bytes


def _split_path(path: str) -> tuple[str, str]:
    path, _, query = path.partition("?")
    return path, query


def _call_wsgi(app: Callable[..., Any], path: str) -> CallResponse:
    from wsgiref.util import setup_testing_defaults

    path_info, query = _split_path(path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    setup_testing_defaults(environ)
    started: list[tuple[str, list[tuple[str, str]]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        started[:] = [(status, list(headers))]
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    status, headers = started[0]
    return CallResponse(int(status.split()[0]), headers, body)


def _call_asgi(app: Callable[..., Any], path: str) -> CallResponse:
    path_only, query = _split_path(path)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path_only,
        "raw_path": path_only.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    status: list[int] = []
    headers: list[tuple[str, str]] = []
    body: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])
            headers.extend(
                (bytes(n).decode("latin-1"), bytes(v).decode("latin-1"))
                for n, v in message.get("headers", [])
            )
        elif message["type"] == "http.response.body":
            body.append(bytes(message.get("body", b"")))

    def run() -> None:
        try:
            asyncio.run(app(scope, receive, send))
        except Exception:
            # Servers log an error raised after the response started (Starlette's
            # error middleware re-raises once it has sent its 500 page); keep the page.
            if not status:
                raise

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        run()
    else:  # called from async code: run the app on its own loop in another thread
        errors: list[BaseException] = []

        def target() -> None:
            try:
                run()
            except BaseException as exc:
                errors.append(exc)

        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
    return CallResponse(status[0] if status else 500, headers, b"".join(body))
