"""Under real uWSGI (``pyuwsgi``), every response's nonce is unique across workers.

uWSGI forks its workers with the C ``fork()``, skipping Python's at-fork hooks, and
re-forks them from the master when ``--max-requests`` recycles a worker. An application
that drew a nonce while loading (a warm-up render, a health check) leaves a pool of
nonces in the master; no worker may hand those out.
"""

from __future__ import annotations

import http.client
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from stacks import nonce_of

APP = """
import secure
from secure.middleware import SecureWSGIMiddleware

# Drawn in the master before uWSGI forks: its pool is inherited by every worker.
secure.generate_nonce()

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [environ["secure.csp_nonce"].encode()]

application = SecureWSGIMiddleware(app, secure={"preset": "strict", "nonce": True})
"""

REQUESTS = 150


def _uwsgi() -> str:
    found = shutil.which("uwsgi", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip("pyuwsgi is not installed (uv sync --group integration)")
    return found


def test_nonces_are_unique_across_uwsgi_workers_and_recycling(
    server: Callable[..., str], tmp_path: Path
) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    url = server(
        [
            _uwsgi(),
            "--http-socket",
            "{host}:{port}",
            "--wsgi-file",
            "app.py",
            "--master",
            "--processes",
            "4",
            "--max-requests",
            "10",
            "--disable-logging",
            "--die-on-term",
        ],
        cwd=tmp_path,
    )
    parts = urlsplit(url)
    seen: list[str] = []
    for _ in range(REQUESTS):
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read().decode()
            header_nonce = nonce_of(response.getheader("Content-Security-Policy") or "")
        finally:
            connection.close()
        assert response.status == 200
        assert header_nonce == body  # the page and the header agree
        seen.append(body)
    assert len(seen) == REQUESTS
    assert len(set(seen)) == REQUESTS, f"{REQUESTS - len(set(seen))} nonces were reused"
