from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from flask import Flask

import secure

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from werkzeug.wrappers import Response

#: What BALANCED (nothing configured) sends: the golden values every package's tests share.
_BALANCED: Mapping[str, str] = dict(
    json.loads(
        (Path(__file__).resolve().parents[3] / "testdata" / "presets.json").read_text("utf-8")
    )["balanced"]
)


def check_headers(response: Response, expected: Mapping[str, str | None]) -> None:
    """Each expected header is sent exactly once with that value; ``None``: not sent."""
    for name, value in expected.items():
        sent = response.headers.getlist(name)
        if value is None:
            assert sent == [], f"{name} should be absent, got {sent!r}"
        else:
            assert sent == [value], f"{name}: expected [{value!r}], got {sent!r}"


@pytest.fixture
def check() -> Callable[[Response, Mapping[str, str | None]], None]:
    """The shared assertion: ``check(response, {name: value or None})``."""
    return check_headers


@pytest.fixture
def balanced() -> Mapping[str, str]:
    return _BALANCED


@pytest.fixture
def app() -> Flask:
    app = Flask(__name__)
    app.config["TESTING"] = True

    @app.get("/")
    def index() -> str:
        return "hello"

    return app


@pytest.fixture
def strict() -> Mapping[str, str]:
    return dict(secure.Secure.from_preset(secure.Preset.STRICT).header_items())
