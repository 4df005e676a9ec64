"""A configuration error stops the server's start under uvicorn (a real process)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn")

BAD_CONFIGURATION = """
from fastapi import FastAPI
from secure_fastapi import SecureMiddleware

app = FastAPI()
app.add_middleware(SecureMiddleware, secure={"xfoo": "DENY"})
"""

BAD_ROUTE_RULE = """
from fastapi import Depends, FastAPI
from secure_fastapi import SecureHeaders, SecureMiddleware

app = FastAPI()

@app.get("/", dependencies=[Depends(SecureHeaders(exempt=["X-Fram-Options"]))])
def index() -> dict[str, str]:
    return {}

app.add_middleware(SecureMiddleware)
"""


def run_uvicorn(tmp_path: Path, source: str, lifespan: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "bad_app.py").write_text(source)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bad_app:app",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--lifespan",
            lifespan,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("lifespan", ["auto", "on"])
@pytest.mark.parametrize(
    ("source", "message"),
    [
        (BAD_CONFIGURATION, "secure config: xfoo: unknown key; did you mean 'xfo'?"),
        (BAD_ROUTE_RULE, "route /: X-Fram-Options: cannot exempt"),
    ],
)
def test_the_server_does_not_start(
    tmp_path: Path, lifespan: str, source: str, message: str
) -> None:
    result = run_uvicorn(tmp_path, source, lifespan)
    assert result.returncode != 0, result.stderr
    assert f"SecureMiddleware: {message}" in result.stderr
    assert "Application startup failed" in result.stderr
    assert "Uvicorn running" not in result.stderr
