from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from flask import Flask

import secure

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from werkzeug.wrappers import Response

#: SPEC §3: what BALANCED (nothing configured) sends.
_BALANCED_CSP = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; "
    "form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; "
    "object-src 'none'; script-src 'self'; script-src-attr 'none'; "
    "style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)
_BALANCED: Mapping[str, str] = {
    "Cross-Origin-Resource-Policy": "same-origin",
    "Content-Security-Policy": _BALANCED_CSP,
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
    "Permissions-Policy": "geolocation=(), microphone=(), camera=()",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Server": "",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
}


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
