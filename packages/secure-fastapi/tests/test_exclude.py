"""SecureMiddleware(exclude=...): URL path prefixes left to the application alone."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from starlette.requests import Request

from secure_fastapi import SecureMiddleware

with warnings.catch_warnings():
    # Newer Starlette asks for httpx2 and warns when its TestClient falls back to httpx.
    warnings.filterwarnings("ignore", message=r"Using `httpx` with `starlette\.testclient`")
    from starlette.testclient import TestClient

APP = """
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from secure_fastapi import SecureMiddleware

app = FastAPI()


@app.get("/admin/{rest:path}")
def admin(rest: str) -> PlainTextResponse:
    return PlainTextResponse("admin", headers={"X-Frame-Options": "SAMEORIGIN"})


@app.get("/account/")
def account() -> PlainTextResponse:
    return PlainTextResponse("account")


app.add_middleware(SecureMiddleware, secure={"nonce": True}, exclude=["/admin/"])
"""


def make_app(**options: object) -> FastAPI:
    app = FastAPI()

    @app.get("/admin/{rest:path}")
    def admin(rest: str, request: Request) -> PlainTextResponse:
        if rest == "boom":
            raise RuntimeError("boom")
        nonce = getattr(request.state, "csp_nonce", "none")
        return PlainTextResponse(nonce, headers={"X-Frame-Options": "SAMEORIGIN"})

    @app.get("/page/")
    def page() -> PlainTextResponse:
        return PlainTextResponse("page", headers={"X-Frame-Options": "SAMEORIGIN"})

    app.add_middleware(SecureMiddleware, **options)  # type: ignore[arg-type]
    return app


def test_excluded_routes_keep_only_their_own_headers() -> None:
    client = TestClient(make_app(secure={"nonce": True}, exclude=["/admin/"]))
    admin = client.get("/admin/users/")
    page = client.get("/page/")
    assert admin.text == "none"  # no nonce chosen
    assert admin.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "content-security-policy" not in admin.headers
    assert "x-content-type-options" not in admin.headers
    assert "'nonce-" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    docs = client.get("/docs")
    assert "content-security-policy" in docs.headers


def test_the_default_error_page_follows_the_exclusion() -> None:
    client = TestClient(make_app(exclude=["/admin/"]), raise_server_exceptions=False)
    excluded = client.get("/admin/boom")
    assert excluded.status_code == 500
    assert "content-security-policy" not in excluded.headers
    app = make_app(exclude=["/other/"])
    other = TestClient(app, raise_server_exceptions=False).get("/admin/boom")
    assert other.status_code == 500
    assert "content-security-policy" in other.headers


@pytest.mark.parametrize(
    ("exclude", "message"),
    [
        ("/admin/", "exclude: expected a list of path prefixes, got '/admin/'"),
        (["admin/"], "exclude: 'admin/' must start with '/'"),
    ],
)
def test_a_bad_exclude_fails_the_start(exclude: object, message: str) -> None:
    with (
        pytest.raises((TypeError, ValueError), match=f"^{message}"),
        TestClient(make_app(exclude=exclude)),
    ):
        pass  # pragma: no cover - the start fails
    with pytest.raises((TypeError, ValueError), match=f"^{message}"):
        SecureMiddleware(FastAPI(), exclude=exclude)  # type: ignore[arg-type]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def uvicorn_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    pytest.importorskip("uvicorn")
    where: Path = tmp_path_factory.mktemp("exclude_app")
    (where / "exclude_app.py").write_text(APP)
    port = _free_port()
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "exclude_app:app"),
            *("--host", "127.0.0.1", "--port", str(port), "--no-access-log"),
        ],
        cwd=where,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    output = server.stderr.read().decode() if server.stderr else ""
                    raise RuntimeError(output) from None
                time.sleep(0.05)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stderr is not None:
            server.stderr.close()


# What uvicorn hands the application for each request target, which page answers, and
# whether our headers are left off: only for the admin, and only for a plain path.
@pytest.mark.parametrize(
    ("target", "served", "excluded"),
    [
        ("/admin/", "admin", True),
        ("/admin/login/?next=/account/", "admin", True),
        ("/admin/%6Cogin/", "admin", True),  # decoded to /admin/login/
        ("/admin%2Flogin/", "admin", True),  # uvicorn decodes %2F in scope["path"] too
        ("/account/", "account", False),
        ("/administrator/", None, False),
        ("/ADMIN/", None, False),
        ("//admin/", None, False),
        ("/admin//x", "admin", False),
        ("/admin/../account/", "admin", False),
        ("/admin/%2e%2e/account/", "admin", False),
        ("/admin/%252e%252e/account/", "admin", False),
        ("/admin/..%5Caccount/", "admin", False),
        ("/./admin/", None, False),
    ],
)
def test_uvicorn_hostile_request_targets(
    uvicorn_port: int, target: str, served: str | None, excluded: bool
) -> None:
    # http.client sends the request target as written: no client-side normalisation.
    connection = http.client.HTTPConnection("127.0.0.1", uvicorn_port, timeout=10)
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
