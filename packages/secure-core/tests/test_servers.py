"""secure.servers: the settings that leave the configured Server header the only one.

The real servers (gunicorn, uvicorn, Werkzeug) are checked on the wire in
tests-integration/test_server_header.py; these tests run without gunicorn or uvicorn.
"""

from __future__ import annotations

import socket
import sys
import threading
import types
from collections.abc import Iterable
from typing import Any

import pytest

from secure import Secure
from secure.servers import UVICORN_OPTIONS, gunicorn_server_header, werkzeug_request_handler


def test_uvicorn_options_are_uvicorns_server_header_setting() -> None:
    assert dict(UVICORN_OPTIONS) == {"server_header": False}
    with pytest.raises(TypeError):
        UVICORN_OPTIONS["server_header"] = True  # type: ignore[index]


@pytest.fixture
def gunicorn_wsgi(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """A stand-in for gunicorn.http.wsgi, which holds the value gunicorn writes."""
    module = types.ModuleType("gunicorn.http.wsgi")
    module.SERVER = "gunicorn"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "gunicorn.http.wsgi", module)
    return module


@pytest.mark.parametrize(
    ("secure", "value"),
    [
        (None, ""),
        (Secure.from_config({"preset": "balanced"}), ""),
        (Secure.from_config({"preset": "balanced", "server": "webapp"}), "webapp"),
        # No Server configured: gunicorn must still send one, so it is empty.
        (Secure.from_config({"preset": "basic"}), ""),
    ],
)
def test_gunicorn_server_header_sets_the_configured_value(
    gunicorn_wsgi: types.ModuleType, secure: Secure | None, value: str
) -> None:
    assert gunicorn_server_header(secure) == value
    assert value == gunicorn_wsgi.SERVER


def test_werkzeug_request_handler_leaves_server_to_the_application() -> None:
    serving = pytest.importorskip("werkzeug.serving")

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Server", "webapp"), ("Content-Length", "2")])
        return [b"ok"]

    handler = werkzeug_request_handler()
    assert issubclass(handler, serving.WSGIRequestHandler)
    httpd = serving.make_server("127.0.0.1", 0, app, request_handler=handler)
    thread = threading.Thread(target=httpd.handle_request)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", httpd.server_port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
    finally:
        thread.join(timeout=10)
        httpd.server_close()
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    assert head[0].endswith(" 200 OK")
    servers = [line.split(":", 1)[1].strip() for line in head if line.lower().startswith("server:")]
    assert servers == ["webapp"]
    assert any(line.startswith("Date: ") for line in head)
