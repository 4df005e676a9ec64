"""PathPrefixes and the middlewares' ``exclude=``: whole URL prefixes left to the app."""

from __future__ import annotations

import asyncio
import http.client
import io
import posixpath
import threading
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote
from wsgiref.handlers import SimpleHandler
from wsgiref.util import setup_testing_defaults

import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from werkzeug.serving import make_server

from secure import Override, Secure
from secure._snapshot import HeaderSnapshot
from secure.middleware import (
    NONCE_ENVIRON_KEY,
    PathPrefixes,
    SecureASGIMiddleware,
    SecureWSGIMiddleware,
)

with warnings.catch_warnings():
    # Newer Starlette asks for httpx2 and warns when its TestClient falls back to httpx.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from starlette.testclient import TestClient

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

Message = MutableMapping[str, Any]

SNAPSHOT = HeaderSnapshot(
    [
        ("Content-Security-Policy", "default-src 'self'", False),
        ("X-Frame-Options", "DENY", False),
    ]
)
NONCE_CONFIG = {"preset": "balanced", "nonce": True}
# What the application sends itself: it must arrive untouched on an excluded path.
APP_HEADERS = [("Content-Type", "text/plain"), ("X-Frame-Options", "SAMEORIGIN")]
OURS = "Content-Security-Policy"

ADMIN = PathPrefixes(["/admin/", "/vendor/app"])


# -- which paths a prefix covers --------------------------------------------------------

COVERED = [
    "/admin",
    "/admin/",
    "/admin/login/",
    "/admin/auth/user/1/change/",
    "/admin/;x",
    "/vendor/app",
    "/vendor/app/",
    "/vendor/app/static/app.js",
]

NOT_COVERED = [
    # Segment boundaries: a prefix never covers a longer name.
    "/administrator",
    "/admin-panel/",
    "/admin.php",
    "/adminx/",
    "/vendor/apple/",
    "/vendor/",
    # Paths are case-sensitive (RFC 3986 §6.2.2.1): another route, which keeps its headers.
    "/ADMIN/",
    "/Admin/login/",
    # Not the start of the path.
    "/",
    "",
    "/x/admin/",
    "/static/admin/app.css",
    # Empty segments and dot-segments: never covered, whatever a router makes of them.
    "//admin/",
    "/admin//",
    "/admin//x",
    "/./admin/",
    "/admin/./",
    "/admin/../account/",
    "/admin/..",
    "/admin/.",
    "/admin/x/..",
    # A backslash, which some routers take for a slash.
    "/admin/..\\account",
    "/admin\\",
    "/admin/\\x",
    # A '%' left after the server decoded the path: a double-encoded request.
    "/admin%2F",
    "/admin/%2e%2e/account",
    "/admin/%252e",
    # Spaces and other text around the prefix.
    " /admin/",
    "/admin ",
    "/admin\x00/",
]


@pytest.mark.parametrize("path", COVERED)
def test_covered_paths(path: str) -> None:
    assert ADMIN.matches(path)


@pytest.mark.parametrize("path", NOT_COVERED)
def test_paths_that_are_not_covered(path: str) -> None:
    assert not ADMIN.matches(path)


# Paths built from the pieces that matter: slashes, dots, backslashes, percent-escapes
# and the letters of the prefix.
_PIECES = st.sampled_from(["/", ".", "..", "\\", "%2e", "%2f", "%5c", "%25", "admin", "x"])
_TRICKS = st.sampled_from(["/", "..", "\\", "%2e", "x"])


@given(
    st.one_of(
        st.lists(_PIECES, max_size=12).map("".join),
        st.lists(_TRICKS, max_size=5).map(lambda pieces: "/admin/" + "".join(pieces)),
    )
)
@settings(max_examples=300, database=None)
def test_a_covered_path_stays_covered_whatever_is_done_to_it_later(path: str) -> None:
    # Whatever a proxy, router or file server behind us may still do to the path
    # (decode it again, take "\\" for "/", resolve dot-segments, merge slashes), a covered
    # path stays under the prefix: a normal page can never be reached through one.
    if not ADMIN.matches(path):
        return
    for seen in (path, unquote(path), unquote(unquote(path))):
        resolved = posixpath.normpath(seen.replace("\\", "/"))
        resolved = "/" + resolved.lstrip("/")
        assert resolved == "/admin" or resolved.startswith("/admin/"), (path, resolved)


def test_a_trailing_slash_does_not_change_a_prefix() -> None:
    assert PathPrefixes(["/admin"]) == PathPrefixes(["/admin/"]) == PathPrefixes(["/admin//"])
    assert PathPrefixes(["/admin", "/admin/"]).prefixes == ("/admin/",)
    assert hash(PathPrefixes(["/admin"])) == hash(PathPrefixes(["/admin/"]))
    assert repr(PathPrefixes(["/a", "/b/"])) == "PathPrefixes(['/a/', '/b/'])"
    assert PathPrefixes(["/a"]) != ["/a/"]


def test_the_value_is_built_from_a_copy() -> None:
    given = ["/admin/"]
    prefixes = PathPrefixes(given)
    given.append("/other/")
    assert prefixes.prefixes == ("/admin/",)
    assert PathPrefixes(iter(["/a/"])).prefixes == ("/a/",)  # any iterable, read once
    assert PathPrefixes(prefixes, where="again") == prefixes


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (
            "/admin/",
            TypeError,
            "expected a list of path prefixes, got '/admin/'; write ['/admin/']",
        ),
        (b"/admin/", TypeError, "expected a list of path prefixes"),
        (42, TypeError, "expected a list of path prefixes, got 42"),
        ([42], TypeError, "path prefixes must be strings, got 42"),
        ([b"/admin/"], TypeError, "path prefixes must be strings, got b'/admin/'"),
        (["admin/"], ValueError, "'admin/' must start with '/'; write '/admin/'"),
        ([""], ValueError, "'' must start with '/'"),
        (["/"], ValueError, "'/' would leave every path out"),
        (["//"], ValueError, "'//' would leave every path out"),
        (["/admin/?next=x"], ValueError, "matched against the path only"),
        (["/admin/#top"], ValueError, "matched against the path only"),
        (["/admin%2F"], ValueError, "matched against the decoded path"),
        (["/a//b/"], ValueError, "has an empty, '.' or '..' segment"),
        (["/./admin/"], ValueError, "has an empty, '.' or '..' segment"),
        (["/admin/../x/"], ValueError, "has an empty, '.' or '..' segment"),
        (["/admin/.."], ValueError, "has an empty, '.' or '..' segment"),
        (["/admin\\x"], ValueError, "has an empty, '.' or '..' segment or a backslash"),
        (["/admin /"], ValueError, "printable ASCII without spaces"),
        (["/admin\r\nX-Evil: 1"], ValueError, "'/admin\\r\\nX-Evil: 1' must be printable ASCII"),
        (["/café/"], ValueError, "printable ASCII"),
    ],
)
def test_bad_prefixes_are_refused_naming_the_setting_and_value(
    value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as info:
        PathPrefixes(value, where="SOME_SETTING")
    assert str(info.value).startswith("SOME_SETTING: ")
    assert message in str(info.value)
    # The middleware names its own argument.
    with pytest.raises(error, match=r"^exclude: "):
        SecureASGIMiddleware(asgi_app, secure=SNAPSHOT, exclude=value)
    with pytest.raises(error, match=r"^exclude: "):
        SecureWSGIMiddleware(wsgi_app, secure=SNAPSHOT, exclude=value)


def test_no_prefix_means_no_exclusion() -> None:
    assert not PathPrefixes([])
    assert SecureASGIMiddleware(asgi_app, exclude=[]).exclude is None
    assert SecureWSGIMiddleware(wsgi_app, exclude=()).exclude is None
    assert SecureASGIMiddleware(asgi_app).exclude is None
    assert SecureASGIMiddleware(asgi_app, exclude=ADMIN).exclude is ADMIN
    assert SecureWSGIMiddleware(wsgi_app, exclude=["/admin"]).exclude == PathPrefixes(["/admin/"])


# -- ASGI --------------------------------------------------------------------------------


async def asgi_app(
    scope: MutableMapping[str, Any],
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    headers = [(k.encode(), v.encode()) for k, v in APP_HEADERS]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


def asgi_call(app: Any, scope: dict[str, Any]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent


def http_scope(path: str, root_path: str = "") -> dict[str, Any]:
    return {"type": "http", "method": "GET", "path": path, "root_path": root_path, "headers": []}


def names(headers: Iterable[tuple[bytes, bytes]]) -> list[str]:
    return [name.decode().lower() for name, _ in headers]


@pytest.mark.parametrize("secure", [SNAPSHOT, NONCE_CONFIG])
@pytest.mark.parametrize("path", COVERED)
def test_asgi_excluded_paths_reach_the_app_untouched(path: str, secure: Any) -> None:
    seen: list[dict[str, Any]] = []
    sent_by_app: list[Message] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(dict(scope))
        message = {"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"1")]}
        sent_by_app.append(message)
        await send(message)

    scope = http_scope(path)
    sent = asgi_call(SecureASGIMiddleware(app, secure=secure, exclude=ADMIN), scope)
    # The same message object, the same headers, and no nonce chosen for the request.
    assert sent == sent_by_app and sent[0] is sent_by_app[0]
    assert sent[0]["headers"] == [(b"x-app", b"1")]
    assert seen == [http_scope(path)]


@pytest.mark.parametrize("path", NOT_COVERED)
def test_asgi_other_paths_get_the_headers(path: str) -> None:
    sent = asgi_call(
        SecureASGIMiddleware(asgi_app, secure=SNAPSHOT, exclude=ADMIN), http_scope(path)
    )
    assert names(sent[0]["headers"]) == [
        "content-type",
        "content-security-policy",
        "x-frame-options",
    ]


@pytest.mark.parametrize(
    ("path", "root_path", "excluded"),
    [
        # The server puts the mount point in front of the path (ASGI's root_path).
        ("/app/admin/", "/app", True),
        ("/app/admin", "/app", True),
        ("/app/", "/app", False),
        ("/app", "/app", False),
        ("/app/x/admin/", "/app", False),
        ("/appadmin/", "/app", False),
        # A server that leaves the mount point out of the path.
        ("/admin/", "/app", True),
        ("/x/", "/app", False),
        # Prefixes are relative to the mount point, not to the site's root.
        ("/admin/", "", True),
        ("/app/admin/", "", False),
    ],
)
def test_asgi_prefixes_are_relative_to_root_path(path: str, root_path: str, excluded: bool) -> None:
    middleware = SecureASGIMiddleware(asgi_app, secure=SNAPSHOT, exclude=["/admin/"])
    sent = asgi_call(middleware, http_scope(path, root_path))
    assert (OURS.lower() not in names(sent[0]["headers"])) is excluded


@pytest.mark.parametrize("scope", [{"type": "http"}, {"type": "http", "path": None}])
def test_asgi_a_scope_without_a_path_is_not_excluded(scope: dict[str, Any]) -> None:
    assert not ADMIN.matches_scope(scope)
    sent = asgi_call(SecureASGIMiddleware(asgi_app, secure=SNAPSHOT, exclude=ADMIN), scope)
    assert OURS.lower() in names(sent[0]["headers"])


def test_asgi_exclusion_wins_over_select_and_select_still_applies_elsewhere() -> None:
    calls: list[str] = []

    def select(scope: Any) -> Override:
        calls.append(scope["path"])
        return Override(exempt=["X-Frame-Options"])

    middleware = SecureASGIMiddleware(
        asgi_app, secure=Secure.from_config({"preset": "balanced"}), exclude=ADMIN, select=select
    )
    admin = asgi_call(middleware, http_scope("/admin/"))
    page = asgi_call(middleware, http_scope("/page/"))
    assert calls == ["/page/"]
    assert names(admin[0]["headers"]) == ["content-type", "x-frame-options"]
    assert "content-security-policy" in names(page[0]["headers"])
    assert dict(page[0]["headers"])[b"X-Frame-Options"] == b"SAMEORIGIN"  # the app's own


def starlette_app() -> Starlette:
    async def page(request: Request) -> PlainTextResponse:
        nonce = getattr(request.state, "csp_nonce", "none")
        return PlainTextResponse(nonce, headers={"X-Frame-Options": "SAMEORIGIN"})

    routes = [Route("/admin/{rest:path}", page), Route("/page/", page)]
    return Starlette(routes=[*routes, Mount("/sub", routes=routes)])


def test_starlette_admin_keeps_its_own_headers_and_other_pages_get_ours() -> None:
    app = SecureASGIMiddleware(starlette_app(), secure=NONCE_CONFIG, exclude=["/admin/"])
    with TestClient(app) as client:
        admin = client.get("/admin/login/")
        page = client.get("/page/")
        upper = client.get("/ADMIN/login/")
    assert admin.status_code == page.status_code == 200
    assert admin.text == "none"  # no nonce chosen on an excluded path
    assert admin.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "content-security-policy" not in admin.headers
    assert f"'nonce-{page.text}'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert upper.status_code == 404 and "content-security-policy" in upper.headers


def test_starlette_middleware_on_a_mounted_app_is_relative_to_the_mount() -> None:
    inner = starlette_app()
    guarded = SecureASGIMiddleware(inner, secure=SNAPSHOT, exclude=["/admin/"])
    app = Starlette(routes=[Mount("/sub", app=guarded)])
    with TestClient(app) as client:
        assert "content-security-policy" not in client.get("/sub/admin/x").headers
        assert "content-security-policy" in client.get("/sub/page/").headers


def test_websocket_and_lifespan_scopes_are_passed_through_as_before() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    middleware = SecureASGIMiddleware(app, secure=SNAPSHOT, exclude=ADMIN)
    asgi_call(middleware, {"type": "websocket", "path": "/admin/"})
    asgi_call(middleware, {"type": "lifespan"})
    assert seen == ["websocket", "lifespan"]


# -- WSGI --------------------------------------------------------------------------------


def wsgi_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", list(APP_HEADERS))
    return [environ.get(NONCE_ENVIRON_KEY, "none").encode()]


def wsgi_call(app: Any, path: str, **extra: Any) -> tuple[list[tuple[str, str]], bytes]:
    env: dict[str, Any] = {"PATH_INFO": path, **extra}
    setup_testing_defaults(env)
    out = io.BytesIO()
    SimpleHandler(io.BytesIO(), out, io.StringIO(), env, multithread=False).run(app)
    head, _, body = out.getvalue().partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")[1:]
    pairs = [tuple(line.split(": ", 1)) for line in lines]
    return [(k, v) for k, v in pairs if k != "Date"], body


@pytest.mark.parametrize("secure", [SNAPSHOT, NONCE_CONFIG])
@pytest.mark.parametrize("path", COVERED)
def test_wsgi_excluded_paths_reach_the_app_untouched(path: str, secure: Any) -> None:
    calls: list[Any] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        calls.append(headers)
        return lambda data: None

    env: dict[str, Any] = {"PATH_INFO": path}
    result = SecureWSGIMiddleware(wsgi_app, secure=secure, exclude=ADMIN)(env, start_response)
    assert list(result) == [b"none"]
    assert calls == [APP_HEADERS]
    assert env == {"PATH_INFO": path}  # no nonce chosen


@pytest.mark.parametrize("path", NOT_COVERED)
def test_wsgi_other_paths_get_the_headers(path: str) -> None:
    headers, _ = wsgi_call(SecureWSGIMiddleware(wsgi_app, secure=SNAPSHOT, exclude=ADMIN), path)
    assert [k for k, _ in headers] == [
        "Content-Type",
        "Content-Security-Policy",
        "X-Frame-Options",
        "Content-Length",
    ]


@pytest.mark.parametrize(
    ("script_name", "path_info", "excluded"),
    [
        ("", "/admin/", True),
        ("/app", "/admin/", True),
        ("/app", "/page/", False),
        # SCRIPT_NAME is the mount point: prefixes are relative to it.
        ("/admin", "/page/", False),
        ("", "/app/admin/", False),
    ],
)
def test_wsgi_prefixes_are_relative_to_script_name(
    script_name: str, path_info: str, excluded: bool
) -> None:
    middleware = SecureWSGIMiddleware(wsgi_app, secure=SNAPSHOT, exclude=["/admin/"])
    headers, _ = wsgi_call(middleware, path_info, SCRIPT_NAME=script_name)
    assert all(k != OURS for k, _ in headers) is excluded


def test_wsgi_environ_without_path_info_is_not_excluded() -> None:
    assert not ADMIN.matches_environ({})
    assert not ADMIN.matches_environ({"PATH_INFO": b"/admin/"})


@pytest.fixture(scope="module")
def flask_server() -> Iterator[int]:
    app = Flask(__name__)

    @app.get("/admin/", defaults={"rest": ""})
    @app.get("/admin/<path:rest>")
    def admin(rest: str) -> tuple[str, int, dict[str, str]]:
        return "admin", 200, {"X-Frame-Options": "SAMEORIGIN"}

    @app.get("/account/")
    def account() -> str:
        return "account"

    app.wsgi_app = SecureWSGIMiddleware(  # type: ignore[method-assign]
        app.wsgi_app, secure=NONCE_CONFIG, exclude=["/admin/"]
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()
    thread.join()


# Which page the application serves for each request target, as Werkzeug's server
# decodes it, and whether our headers are left off: only for the admin page, and only
# when the path the application routes is in its plain form.
@pytest.mark.parametrize(
    ("target", "served", "excluded"),
    [
        ("/admin/", "admin", True),
        ("/admin/login/?next=/account/", "admin", True),
        ("/admin/%6Cogin/", "admin", True),  # decoded by the server to /admin/login/
        ("/admin%2Flogin/", "admin", True),  # %2F decoded to "/": routed to the admin
        ("//admin/", "admin", True),  # Werkzeug's server reads "//admin/" as "/admin/"
        ("/account/", "account", False),
        ("/administrator/", None, False),
        ("/ADMIN/", None, False),
        # Dot-segments, a double-encoded path, a backslash: the admin route answers, with
        # our headers on, whatever a proxy in front may have made of the path.
        ("/admin/../account/", "admin", False),
        ("/admin/%2e%2e/account/", "admin", False),
        ("/admin/%252e%252e/account/", "admin", False),
        ("/admin/..%5Caccount/", "admin", False),
        ("/./admin/", None, False),
    ],
)
def test_wsgi_on_a_real_server_with_hostile_request_targets(
    flask_server: int, target: str, served: str | None, excluded: bool
) -> None:
    # http.client sends the request target as written: no client-side normalisation.
    connection = http.client.HTTPConnection("127.0.0.1", flask_server, timeout=10)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    assert (body if response.status == 200 else None) == served
    assert (response.getheader("Content-Security-Policy") is None) is excluded
    assert (response.getheader("X-Content-Type-Options") is None) is excluded
    if excluded:
        assert response.getheader("X-Frame-Options") == "SAMEORIGIN"  # the app's own
