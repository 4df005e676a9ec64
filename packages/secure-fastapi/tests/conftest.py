"""Test configuration and shared helpers for secure-fastapi: real apps, no mocks."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Newer Starlette asks for the httpx2 package in its TestClient and warns when it
    # finds httpx instead; that is about the test tooling, not about this package.
    config.addinivalue_line(
        "filterwarnings", "ignore:Using `httpx` with `starlette.testclient` is deprecated"
    )
    # Older Starlette imports python-multipart as `multipart`, which newer python-multipart
    # releases deprecate; again nothing this package does.
    config.addinivalue_line("filterwarnings", "ignore:Please use `import python_multipart` instead")
    # Older Starlette test clients use an anyio alias that newer anyio releases deprecate.
    config.addinivalue_line("filterwarnings", "ignore:The anyio.abc.BlockingPortal alias")
    # Starlette 0.37's TestClient leaves its anyio streams for the collector when an app
    # runs without its lifespan; newer anyio reports that as unraisable on Python 3.13.
    config.addinivalue_line(
        "filterwarnings",
        "ignore:Exception ignored in. <function MemoryObject"
        ":pytest.PytestUnraisableExceptionWarning",
    )


#: The headers of the default configuration (the BALANCED preset), in order: the golden
#: values every package's tests share.
BALANCED: list[tuple[str, str]] = [
    (name, value)
    for name, value in json.loads(
        (Path(__file__).resolve().parents[3] / "testdata" / "presets.json").read_text("utf-8")
    )["balanced"]
]


def assert_headers(
    response: Any,
    expected: Iterable[tuple[str, str]] | Mapping[str, str] = (),
    *,
    absent: Iterable[str] = (),
) -> None:
    """Each expected header is on the response exactly once, with exactly that value."""
    items = expected.items() if isinstance(expected, Mapping) else expected
    for name, value in items:
        assert response.headers.get_list(name) == [value], name
    for name in absent:
        assert name not in response.headers, name


def csp_directives(value: str) -> dict[str, list[str]]:
    """A CSP header value as directive -> sources (CSP Level 3 §2.2 grammar)."""
    policy: dict[str, list[str]] = {}
    for part in value.split(";"):
        tokens = part.split()
        if tokens:
            policy[tokens[0]] = tokens[1:]
    return policy


@pytest.fixture
def check() -> Callable[..., None]:
    """The shared assertion: ``check(response, expected, absent=...)``."""
    return assert_headers


@pytest.fixture
def balanced() -> list[tuple[str, str]]:
    """The headers of the default configuration (BALANCED), in order."""
    return list(BALANCED)


@pytest.fixture
def parse_csp() -> Callable[[str], dict[str, list[str]]]:
    """Split a CSP header value into directive -> sources."""
    return csp_directives
