"""Fixtures for the integration suite: servers on 127.0.0.1 and headless Chromium.

``server``: a function ``server(command, **options) -> base URL`` (see ``harness.serve``)
whose servers stop when the test ends. ``browser``: Playwright's Chromium. ``watched_page``:
a fresh page that records console messages and CSP violations (``harness.WatchedPage``).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# The suite runs with --import-mode=importlib, which puts no test directory on sys.path;
# this one does, so test modules can `from harness import ...`.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import CHROMIUM, CHROMIUM_ARGS, WatchedPage, serve, watch_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _unavailable(reason: str) -> None:
    # CI must run the browser tests; a developer without Chromium gets a skip that says
    # how to get it.
    if _on_ci():
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
    pytest.skip(f"{reason}; install it with: apt-get install chromium")


@pytest.fixture
def server() -> Iterator[Callable[..., str]]:
    """Start servers for this test: ``url = server(uvicorn_command("app:app"), cwd=...)``."""
    with contextlib.ExitStack() as stack:

        def start(command: list[str], **options: Any) -> str:
            return stack.enter_context(serve(command, **options))

        yield start


# Module scope, not session: Playwright's sync API keeps an asyncio loop marked as
# running in this thread while it is started, and asyncio.run()/anyio.run() in any later
# test would then fail. A module's browser tests still share one Chromium.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Chromium (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``) via Playwright."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium not found at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev environment has it
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=list(CHROMIUM_ARGS), headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def watched_page(browser: Browser) -> Iterator[WatchedPage]:
    """A fresh page that records console messages, page errors and CSP violations."""
    with watch_page(browser) as watched:
        yield watched
