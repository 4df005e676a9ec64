"""SecureWSGIMiddleware: raw WSGI callables, wsgiref's PEP 3333 server, Flask and Werkzeug."""

from __future__ import annotations

import http.client
import io
import os
import re
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.handlers import SimpleHandler
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
from flask import Flask, Response, abort, redirect, request, stream_with_context
from werkzeug.serving import make_server

from secure import CustomHeader, Preset, Secure
from secure._snapshot import HeaderSnapshot
from secure.headers import ContentSecurityPolicy
from secure.middleware import SecureWSGIMiddleware
from secure.middleware.wsgi import SecureWSGIMiddleware as SecureWSGIMiddlewareFromModule

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Headers = list[tuple[str, str]]

# A configuration written out by hand, so these tests do not depend on the presets.
SNAPSHOT = HeaderSnapshot(
    [
        ("Content-Security-Policy", "default-src 'self'", False),
        ("X-Frame-Options", "SAMEORIGIN", False),
        ("Server", "", False),
        ("X-Content-Type-Options", "nosniff", False),
    ]
)
SECURE_HEADERS: Headers = [
    ("Content-Security-Policy", "default-src 'self'"),
    ("X-Frame-Options", "SAMEORIGIN"),
    ("Server", ""),
    ("X-Content-Type-Options", "nosniff"),
]
NONCE_SNAPSHOT = HeaderSnapshot(
    [
        ("X-Frame-Options", "DENY", False),
        ("Content-Security-Policy", "script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'", True),
    ]
)
NONCE_RE = re.compile(r"script-src 'nonce-([A-Za-z0-9_-]{24})'; style-src 'nonce-\1'")

APP_HEADERS: Headers = [
    ("Set-Cookie", "session=abc; HttpOnly"),
    ("X-Frame-Options", "DENY"),
    ("vary", "Accept-Encoding"),
    ("SERVER", "gunicorn"),
    ("set-cookie", "theme=dark"),
    ("Location", "/next"),
    ("Content-Security-Policy", "img-src https:"),
    ("Content-Length", "2"),
    ("x-content-type-OPTIONS", "sniff"),
    ("Vary", "Cookie"),
]
APP_KEPT: Headers = [
    ("Set-Cookie", "session=abc; HttpOnly"),
    ("vary", "Accept-Encoding"),
    ("set-cookie", "theme=dark"),
    ("Location", "/next"),
    ("Content-Security-Policy", "img-src https:"),
    ("Content-Length", "2"),
    ("Vary", "Cookie"),
]


def assert_headers(
    actual: Iterable[tuple[str, str]], app_kept: Headers, secure_headers: Headers
) -> None:
    """The one check every response goes through: the application's headers Secure does not
    manage, untouched and in order, then Secure's, each exactly once."""
    assert list(actual) == [*app_kept, *secure_headers]


def nonce_of(headers: Iterable[tuple[str, str]]) -> str:
    (csp,) = [v for k, v in headers if k.lower() == "content-security-policy"]
    match = NONCE_RE.fullmatch(csp)
    assert match is not None, csp
    return match.group(1)


def environ(**extra: Any) -> dict[str, Any]:
    env: dict[str, Any] = {"QUERY_STRING": ""}
    setup_testing_defaults(env)
    env.update(extra)
    return env


class Recorder:
    """A bare start_response that records its calls (no server semantics)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Headers]] = []
        self.written: list[bytes] = []

    def __call__(
        self, status: str, headers: Headers, exc_info: OptExcInfo | None = None, /
    ) -> Callable[[bytes], object]:
        self.calls.append((status, headers))
        return self.written.append


def app_sending(headers: Headers, *body: bytes, status: str = "200 OK") -> WSGIApplication:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response(status, list(headers))
        return list(body)

    return app


class Served:
    """One request through wsgiref's PEP 3333 handler, into memory."""

    def __init__(self, app: WSGIApplication, **extra: Any) -> None:
        out = io.BytesIO()
        self.logged: list[BaseException] = []
        logged = self.logged

        class Handler(SimpleHandler):
            def log_exception(self, exc_info: OptExcInfo) -> None:
                logged.append(exc_info[1])  # type: ignore[arg-type]

        env = environ(**extra)
        Handler(io.BytesIO(), out, io.StringIO(), env, multithread=False).run(app)
        head, _, self.body = out.getvalue().partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        self.status = status_line.split(" ", 1)[1]
        pairs = [tuple(line.split(": ", 1)) if ": " in line else (line[:-1], "") for line in lines]
        # wsgiref adds Date itself; everything else is what the application stack sent.
        self.headers: Headers = [(k, v) for k, v in pairs if k != "Date"]


# -- merging headers -------------------------------------------------------------------


def test_mixed_case_managed_and_unmanaged_headers() -> None:
    start_response = Recorder()
    body = SecureWSGIMiddleware(app_sending(APP_HEADERS, b"ok"), secure=SNAPSHOT)(
        environ(), start_response
    )
    assert list(body) == [b"ok"]
    ((status, headers),) = start_response.calls
    assert status == "200 OK"
    assert_headers(headers, APP_KEPT, SECURE_HEADERS)


def test_overwrite_everything_when_multi_ok_is_empty() -> None:
    start_response = Recorder()
    SecureWSGIMiddleware(app_sending(APP_HEADERS), secure=SNAPSHOT, multi_ok=[])(
        environ(), start_response
    )
    kept = [h for h in APP_KEPT if h[0] != "Content-Security-Policy"]
    assert_headers(start_response.calls[0][1], kept, SECURE_HEADERS)


def test_multi_ok_names_are_appended_whatever_their_case() -> None:
    start_response = Recorder()
    app = app_sending([("X-Frame-Options", "DENY"), ("content-security-policy", "img-src *")])
    SecureWSGIMiddleware(app, secure=SNAPSHOT, multi_ok={"x-FRAME-options"})(
        environ(), start_response
    )
    assert_headers(start_response.calls[0][1], [("X-Frame-Options", "DENY")], SECURE_HEADERS)


def test_multi_ok_rejects_a_single_string() -> None:
    with pytest.raises(TypeError, match=r"multi_ok: expected a collection"):
        SecureWSGIMiddleware(app_sending([]), secure=SNAPSHOT, multi_ok="server")


def test_the_applications_header_list_is_not_mutated() -> None:
    app_headers = list(APP_HEADERS)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", app_headers)
        return []

    middleware = SecureWSGIMiddleware(app, secure=SNAPSHOT)
    start_response = Recorder()
    for _ in range(2):
        middleware(environ(), start_response)
    assert app_headers == APP_HEADERS
    first, second = (headers for _, headers in start_response.calls)
    assert first == second
    assert first is not second
    assert all(
        a is b for a, b in zip(first[-4:], second[-4:], strict=True)
    )  # prebuilt once, copied


@pytest.mark.parametrize(
    "status",
    [
        "200 OK",
        "204 No Content",
        "302 Found",
        "304 Not Modified",
        "404 Not Found",
        "500 Internal Server Error",
    ],
)
def test_every_status_gets_the_headers(status: str) -> None:
    app = app_sending([("X-App", "1"), ("Content-Length", "0")], status=status)
    served = Served(SecureWSGIMiddleware(app, secure=SNAPSHOT))
    assert served.status == status
    assert_headers(served.headers, [("X-App", "1"), ("Content-Length", "0")], SECURE_HEADERS)


def test_the_applications_iterable_is_returned_unchanged() -> None:
    body = [b"a", b"b"]
    result = SecureWSGIMiddleware(lambda e, s: (s("200 OK", []), body)[1], secure=SNAPSHOT)(
        environ(), Recorder()
    )
    assert result is body


class ClosingBody:
    def __init__(self, *chunks: bytes, fail_at: int | None = None) -> None:
        self.chunks = chunks
        self.fail_at = fail_at
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        for i, chunk in enumerate(self.chunks):
            if i == self.fail_at:
                raise ValueError("broken body")
            yield chunk

    def close(self) -> None:
        self.closed += 1


@pytest.mark.parametrize("fail_at", [None, 0, 1])
def test_close_is_called_exactly_once(fail_at: int | None) -> None:
    body = ClosingBody(b"one", b"two", fail_at=fail_at)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    served = Served(SecureWSGIMiddleware(app, secure=SNAPSHOT))
    assert body.closed == 1
    if fail_at is None:
        assert served.body == b"onetwo"
        assert_headers(served.headers, [("Content-Type", "text/plain")], SECURE_HEADERS)
    else:
        assert [type(e) for e in served.logged] == [ValueError]


def test_generator_app_calls_start_response_lazily() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("X-Lazy", "1")])
        yield b"lazy"

    served = Served(SecureWSGIMiddleware(app, secure=SNAPSHOT))
    assert served.body == b"lazy"
    assert_headers(served.headers, [("X-Lazy", "1")], SECURE_HEADERS)


def test_write_callable() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"returned"]

    served = Served(SecureWSGIMiddleware(app, secure=SNAPSHOT))
    assert served.body == b"written returned"
    assert_headers(served.headers, [("Content-Type", "text/plain")], SECURE_HEADERS)


def test_exc_info_before_headers_are_sent_replaces_the_response() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html"), ("X-Partial", "1")])
        try:
            raise KeyError("template")
        except KeyError:
            start_response(
                "500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info()
            )
        return [b"error page"]

    served = Served(validator(SecureWSGIMiddleware(validator(app), secure=SNAPSHOT)))
    assert served.status == "500 Internal Server Error"
    assert served.body == b"error page"
    assert_headers(served.headers, [("Content-Type", "text/plain")], SECURE_HEADERS)
    assert served.logged == []


def test_exc_info_after_headers_were_sent_reraises_the_original_error() -> None:
    error = KeyError("late")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        try:
            raise error
        except KeyError:
            start_response("500 Internal Server Error", [], sys.exc_info())
        yield b"never"  # pragma: no cover - start_response re-raised

    served = Served(SecureWSGIMiddleware(app, secure=SNAPSHOT))
    assert served.status == "200 OK"
    assert served.body == b"partial"
    # The server logs the app's own error; Python 3.10's wsgiref wraps it in a KeyError
    # of its own on the way out of the generator, newer versions pass it through.
    [logged] = served.logged
    assert logged is error or (isinstance(logged, KeyError) and logged.args == (error,))
    assert_headers(served.headers, [("Content-Type", "text/plain")], SECURE_HEADERS)


def test_passes_the_wsgiref_validator_on_both_sides() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")])
        write(b"w")
        return ClosingBody(b"x", b"y")

    served = Served(validator(SecureWSGIMiddleware(validator(app), secure=NONCE_SNAPSHOT)))
    assert served.body == b"wxy"
    assert served.headers[:2] == [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")]


class Boom(Exception):
    pass


def test_application_exceptions_propagate_unchanged() -> None:
    error = Boom("kaput")

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raise error

    with pytest.raises(Boom) as caught:
        SecureWSGIMiddleware(app, secure=SNAPSHOT)(environ(), Recorder())
    assert caught.value is error


def test_start_response_without_exc_info_parameter_is_supported() -> None:
    # Some hand-written servers and test harnesses take exactly two arguments.
    seen: list[Headers] = []

    def two_argument_start_response(status: str, headers: Headers) -> Callable[[bytes], object]:
        seen.append(headers)
        return lambda data: None

    SecureWSGIMiddleware(app_sending([]), secure=SNAPSHOT)(environ(), two_argument_start_response)  # type: ignore[arg-type]
    assert seen == [SECURE_HEADERS]


def test_import_path_from_the_readme() -> None:
    assert SecureWSGIMiddlewareFromModule is SecureWSGIMiddleware


# -- the Secure object -----------------------------------------------------------------


def test_default_is_secure_with_default_headers() -> None:
    start_response = Recorder()
    SecureWSGIMiddleware(app_sending([("X-App", "1")]))(environ(), start_response)
    expected = list(Secure.with_default_headers().header_items())
    assert_headers(start_response.calls[0][1], [("X-App", "1")], expected)


@pytest.mark.parametrize("secure", [Preset.STRICT, "strict", {"preset": "strict"}])
def test_secure_argument_forms(secure: Any) -> None:
    start_response = Recorder()
    SecureWSGIMiddleware(app_sending([]), secure=secure)(environ(), start_response)
    assert start_response.calls[0][1] == list(Secure.from_preset(Preset.STRICT).header_items())


def test_changing_secure_after_construction_does_not_change_the_middleware() -> None:
    # Policy: compiled once at construction; build a new middleware for new settings.
    secure_headers = Secure(
        custom=[CustomHeader("X-App-Version", "1"), CustomHeader("X-Other", "a")]
    )
    middleware = SecureWSGIMiddleware(app_sending([]), secure=secure_headers)
    secure_headers.allowlist_headers(allow_extra=["X-App-Version"], on_unexpected="drop")
    start_response = Recorder()
    middleware(environ(), start_response)
    SecureWSGIMiddleware(app_sending([]), secure=secure_headers)(environ(), start_response)
    assert [headers for _, headers in start_response.calls] == [
        [("X-App-Version", "1"), ("X-Other", "a")],
        [("X-App-Version", "1")],
    ]


# -- nonces ----------------------------------------------------------------------------


def nonce_page(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [environ["secure.csp_nonce"].encode()]


def test_nonce_in_environ_and_header() -> None:
    env = environ()
    start_response = Recorder()
    body = SecureWSGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)(env, start_response)
    headers = start_response.calls[0][1]
    nonce = nonce_of(headers)
    assert b"".join(body).decode() == nonce == env["secure.csp_nonce"]
    assert headers == [
        ("Content-Type", "text/html"),
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'"),
    ]


def test_nonce_is_fresh_per_request() -> None:
    middleware = SecureWSGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)
    nonces = set()
    for _ in range(200):
        start_response = Recorder()
        middleware(environ(), start_response)
        nonces.add(nonce_of(start_response.calls[0][1]))
    assert len(nonces) == 200


def test_no_nonce_slot_means_no_environ_key() -> None:
    env = environ()
    SecureWSGIMiddleware(app_sending([]), secure=SNAPSHOT)(env, Recorder())
    assert "secure.csp_nonce" not in env


def test_nonce_read_after_the_headers_were_sent_is_the_header_nonce() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [])
        yield b"<html>"
        yield environ["secure.csp_nonce"].encode()

    served = Served(SecureWSGIMiddleware(app, secure=NONCE_SNAPSHOT))
    assert served.body == b"<html>" + nonce_of(served.headers).encode()


def test_replacing_the_nonce_before_the_headers_fails_loudly() -> None:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ["secure.csp_nonce"] = "mine"
        start_response("200 OK", [])
        return []

    with pytest.raises(RuntimeError, match=r"environ\['secure.csp_nonce'\] was changed"):
        SecureWSGIMiddleware(app, secure=NONCE_SNAPSHOT)(environ(), Recorder())


def test_stacked_middleware_share_one_nonce() -> None:
    outer_snapshot = HeaderSnapshot(
        [("Content-Security-Policy", "script-src 'nonce-{nonce}'", True)]
    )
    app = SecureWSGIMiddleware(
        SecureWSGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT), secure=outer_snapshot
    )
    start_response = Recorder()
    nonce = b"".join(app(environ(), start_response)).decode()
    assert [v for k, v in start_response.calls[0][1] if k == "Content-Security-Policy"] == [
        f"script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'",
        f"script-src 'nonce-{nonce}'",
    ]


def test_threads_calling_the_middleware_never_share_a_nonce() -> None:
    middleware = SecureWSGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)
    per_thread = 500
    seen: list[list[str]] = []
    start = threading.Barrier(8, timeout=10)

    def worker() -> None:
        mine = []
        start.wait()
        for _ in range(per_thread):
            start_response = Recorder()
            body = b"".join(middleware(environ(), start_response)).decode()
            assert body == nonce_of(start_response.calls[0][1])
            mine.append(body)
        seen.append(mine)

    workers = [threading.Thread(target=worker) for _ in range(8)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    nonces = [nonce for mine in seen for nonce in mine]
    assert len(nonces) == len(set(nonces)) == 8 * per_thread


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_worker_does_not_reuse_its_parents_nonces() -> None:
    # In a fresh interpreter (no pytest threads): the parent draws one nonce, so pooled
    # ones remain; then parent and child each draw the next. They must differ.
    script = textwrap.dedent(
        """
        import os
        from secure._snapshot import HeaderSnapshot
        from secure.middleware import SecureWSGIMiddleware

        snapshot = HeaderSnapshot([("Content-Security-Policy", "script-src 'nonce-{nonce}'", True)])
        app = SecureWSGIMiddleware(
            lambda environ, start_response: [environ["secure.csp_nonce"].encode()],
            secure=snapshot,
        )

        def draw():
            return b"".join(app({}, lambda status, headers: None)).decode()

        draw()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(write, draw().encode())
            os._exit(0)
        os.waitpid(pid, 0)
        print(draw(), os.read(read, 100).decode())
        """
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    parent, child = output.split()
    assert len(parent) == len(child) == 24
    assert parent != child


def test_an_invalid_inherited_nonce_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"not a nonce"):
        SecureWSGIMiddleware(nonce_page, secure=NONCE_SNAPSHOT)(
            environ(**{"secure.csp_nonce": "a\r\nSet-Cookie: x=1"}), Recorder()
        )


# -- real Flask / Werkzeug applications ------------------------------------------------


def flask_app(secure: Any = SNAPSHOT, *, wrap: bool = True) -> Flask:
    app = Flask(__name__)

    @app.get("/")
    def index() -> Response:
        response = Response("hello", headers={"X-Frame-Options": "DENY", "Vary": "Accept"})
        response.set_cookie("session", "abc", httponly=True)
        response.set_cookie("theme", "dark")
        response.headers.add("Vary", "Cookie")
        return response

    @app.get("/redirect")
    def go() -> Any:
        return redirect("/target", code=303)

    @app.get("/forbidden")
    def forbidden() -> Any:
        abort(403)

    @app.get("/crash")
    def crash() -> Any:
        raise RuntimeError("unhandled")

    @app.get("/stream")
    def stream() -> Response:
        def chunks() -> Iterator[str]:
            yield "one "
            yield "two "
            yield request.environ.get("secure.csp_nonce", "three")

        return Response(stream_with_context(chunks()), mimetype="text/plain")

    @app.get("/cached")
    def cached() -> Any:
        response = Response("v1 body", mimetype="text/plain")
        response.set_etag("v1")
        # make_conditional() adds the current Date when there is none: a fixed one keeps
        # the bare and the wrapped response equal across a second's boundary.
        response.headers["Date"] = "Tue, 01 Dec 2026 00:00:00 GMT"
        return response.make_conditional(request)

    @app.get("/page")
    def page() -> str:
        return f'<script nonce="{request.environ["secure.csp_nonce"]}">go()</script>'

    @app.errorhandler(500)
    def on_error(error: Exception) -> tuple[str, int, dict[str, str]]:
        return "sorry", 500, {"X-Handled": "500", "Server": "flask"}

    if wrap:
        app.wsgi_app = SecureWSGIMiddleware(app.wsgi_app, secure=secure)  # type: ignore[method-assign]
    return app


MANAGED = {"content-security-policy", "x-frame-options", "server", "x-content-type-options"}


def check_flask(path: str, status: int, **kwargs: Any) -> Any:
    """Request ``path`` from the Flask app with and without the middleware: the wrapped
    response is the bare one's unmanaged headers, in order, plus Secure's."""
    bare = flask_app(wrap=False).test_client().open(path, **kwargs)
    response = flask_app().test_client().open(path, **kwargs)
    assert response.status_code == bare.status_code == status
    assert response.data == bare.data
    kept = [h for h in wsgi_list(bare) if h[0].lower() not in MANAGED]
    assert_headers(wsgi_list(response), kept, SECURE_HEADERS)
    return response


def wsgi_list(response: Any) -> Headers:
    return list(response.headers.to_wsgi_list())


def test_flask_ok_keeps_cookies_vary_and_content_headers() -> None:
    response = check_flask("/", 200)
    assert response.text == "hello"
    assert [(k, v) for k, v in wsgi_list(response) if k in {"Set-Cookie", "Vary"}] == [
        ("Vary", "Accept"),
        ("Set-Cookie", "session=abc; HttpOnly; Path=/"),
        ("Set-Cookie", "theme=dark; Path=/"),
        ("Vary", "Cookie"),
    ]


def test_flask_redirect_keeps_location() -> None:
    response = check_flask("/redirect", 303)
    assert response.headers["Location"] == "/target"


@pytest.mark.parametrize(("path", "status"), [("/missing", 404), ("/forbidden", 403)])
def test_flask_error_responses(path: str, status: int) -> None:
    check_flask(path, status)


def test_flask_500_from_the_error_handler() -> None:
    response = check_flask("/crash", 500)
    assert response.text == "sorry"
    assert response.headers["X-Handled"] == "500"


def test_flask_streaming() -> None:
    assert check_flask("/stream", 200).text == "one two three"


def test_flask_head() -> None:
    response = check_flask("/", 200, method="HEAD")
    assert response.data == b""
    assert response.headers["Content-Length"] == "5"


def test_flask_304() -> None:
    response = check_flask("/cached", 304, headers={"If-None-Match": '"v1"'})
    assert response.headers["ETag"] == '"v1"'


def test_flask_nonce_in_page_and_streamed_late() -> None:
    client = flask_app(NONCE_SNAPSHOT).test_client()
    response = client.get("/page")
    assert response.text == f'<script nonce="{nonce_of(wsgi_list(response))}">go()</script>'
    streamed = client.get("/stream")
    assert streamed.text == f"one two {nonce_of(wsgi_list(streamed))}"


def test_flask_nonce_from_a_secure_with_a_nonce_slot() -> None:
    from secure.nonce import NONCE

    secure_headers = Secure(csp=ContentSecurityPolicy().default_src("'self'").script_src(NONCE))
    response = flask_app(secure_headers).test_client().get("/page")
    nonce = response.text.split('"')[1]
    assert (
        response.headers["Content-Security-Policy"]
        == f"default-src 'self'; script-src 'nonce-{nonce}'"
    )


def test_eight_threads_on_a_real_server_get_distinct_matching_nonces() -> None:
    threads = 8
    barrier = threading.Barrier(threads, timeout=10)
    app = Flask(__name__)

    @app.get("/")
    def index() -> str:
        seen: str = request.environ["secure.csp_nonce"]
        barrier.wait()  # all eight handlers hold their nonce at the same time
        return seen

    app.wsgi_app = SecureWSGIMiddleware(app.wsgi_app, secure=NONCE_SNAPSHOT)  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app, threaded=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    results: list[tuple[str, str]] = []
    failures: list[BaseException] = []

    def fetch() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            results.append((nonce_of(response.getheaders()), response.read().decode()))
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)
        finally:
            connection.close()

    clients = [threading.Thread(target=fetch) for _ in range(threads)]
    try:
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=20)
    finally:
        server.shutdown()
        server.server_close()
        serving.join(timeout=10)
    assert failures == []
    assert len(results) == threads
    assert all(header == body for header, body in results)
    assert len({header for header, _ in results}) == threads
