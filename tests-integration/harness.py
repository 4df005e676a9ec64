"""Real servers on 127.0.0.1 and a watched headless Chromium page.

``serve()`` starts a server command on a free port, waits until it answers and always
stops it (its whole process group). ``watch_page()`` opens a page that records console
messages, uncaught errors and every CSP violation the browser reports. The fixtures in
``conftest.py`` wrap both; see ``README.md`` for how to use them.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "HOST",
    "CSPViolation",
    "ConsoleEntry",
    "ServerError",
    "WatchedPage",
    "free_port",
    "gunicorn_command",
    "serve",
    "uvicorn_command",
    "watch_page",
]

HOST: Final = "127.0.0.1"
#: The browser the suite drives; override with the CHROMIUM_PATH environment variable.
CHROMIUM: Final = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
#: Root in a container has no sandbox; no GPU; no traffic to anything but our servers.
CHROMIUM_ARGS: Final = ("--no-sandbox", "--disable-gpu", "--disable-background-networking")


class ServerError(RuntimeError):
    """The server exited, or did not answer in time; the message ends with its output."""


# -- servers ---------------------------------------------------------------------------


def free_port(host: str = HOST) -> int:
    """A TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def uvicorn_command(
    app: str, *, app_dir: str | Path | None = None, factory: bool = False, args: Sequence[str] = ()
) -> list[str]:
    """``python -m uvicorn APP`` on ``{host}:{port}`` (filled in by :func:`serve`)."""
    command = [sys.executable, "-m", "uvicorn", app, "--host", "{host}", "--port", "{port}"]
    if app_dir is not None:
        command += ["--app-dir", str(app_dir)]
    if factory:
        command.append("--factory")
    return [*command, "--log-level", "warning", *args]


def gunicorn_command(
    app: str,
    *,
    chdir: str | Path | None = None,
    worker_class: str | None = None,
    args: Sequence[str] = (),
) -> list[str]:
    """``python -m gunicorn APP`` bound to ``{host}:{port}``, one worker."""
    command = [sys.executable, "-m", "gunicorn", app, "--bind", "{host}:{port}", "--workers", "1"]
    if chdir is not None:
        command += ["--chdir", str(chdir)]
    if worker_class is not None:
        command += ["--worker-class", worker_class]
    return [*command, *args]


@contextlib.contextmanager
def serve(
    command: Sequence[str],
    *,
    cwd: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    ready_path: str = "/",
    timeout: float = 30.0,
) -> Iterator[str]:
    """Run ``command`` and yield its base URL, ``http://127.0.0.1:PORT``.

    ``{host}`` and ``{port}`` in the arguments are replaced. The server is ready when
    ``ready_path`` gets any HTTP answer (a 404 counts). ``env`` is added to this
    process's environment. On exit the server's process group gets SIGTERM, then SIGKILL.
    """
    # Another process can take the port between free_port() and the server's bind().
    for attempt in range(3):
        port = free_port()
        argv = [arg.replace("{host}", HOST).replace("{port}", str(port)) for arg in command]
        with tempfile.TemporaryFile() as log, _process(argv, cwd, env, log) as process:
            url = f"http://{HOST}:{port}"
            try:
                _wait_until_answering(process, url + ready_path, timeout)
            except ServerError as exc:
                if process.poll() is not None and b"in use" in _tail(log) and attempt < 2:
                    continue
                raise ServerError(f"{exc}; {' '.join(argv)}\n{_tail(log).decode()}") from None
            yield url
            return
    raise AssertionError("unreachable")  # pragma: no cover


@contextlib.contextmanager
def _process(
    argv: list[str], cwd: str | Path | None, env: Mapping[str, str] | None, log: Any
) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: workers are stopped with it
    )
    try:
        yield process
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_until_answering(process: subprocess.Popen[bytes], url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerError(f"the server exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answered
        except OSError:
            time.sleep(0.1)
    raise ServerError(f"the server did not answer {url} within {timeout:g}s")


def _tail(log: Any, size: int = 4000) -> bytes:
    log.seek(0)
    data: bytes = log.read()
    return data[-size:]


# -- the browser -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConsoleEntry:
    """One console message: its type ("log", "warning", "error", ...) and text."""

    type: str
    text: str


@dataclass(frozen=True)
class CSPViolation:
    """One ``securitypolicyviolation`` event (CSP Level 3, "Violation DOM Events")."""

    directive: str  # effectiveDirective, e.g. "script-src-elem"
    blocked: str  # blockedURI: a URL, or "inline", "eval", "data", ...
    source: str  # sourceFile: where the blocked thing was
    line: int
    column: int
    sample: str
    disposition: str  # "enforce" or "report"


# Runs in every document before the page's own scripts, and is not subject to the
# page's CSP (Playwright injects it through the DevTools protocol).
_LISTENER: Final = """
document.addEventListener("securitypolicyviolation", (e) => {
  window.__secureHarnessViolation(JSON.stringify({
    directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
    line: e.lineNumber, column: e.columnNumber, sample: e.sample,
    disposition: e.disposition,
  }));
}, true);
"""


@dataclass
class WatchedPage:
    """A page, and what the browser said while it was open.

    Wait with ``playwright.sync_api.expect`` (``expect(locator).to_have_text(...)``);
    ``page.wait_for_function("...")`` compiles its string with ``eval`` in the page and
    is itself reported as a violation under a CSP without ``'unsafe-eval'``.
    """

    page: Page
    console: list[ConsoleEntry] = field(default_factory=list)
    violations: list[CSPViolation] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    @property
    def csp_console(self) -> list[str]:
        """Console messages in which Chromium reports a blocked load or execution."""
        return [e.text for e in self.console if "Content Security Policy" in e.text]

    def assert_no_csp_violations(self) -> None:
        """Fail with everything the browser reported about CSP, if it reported anything."""
        problems = [*map(repr, self.violations), *self.csp_console]
        assert not problems, "CSP violations:\n" + "\n".join(problems)


@contextlib.contextmanager
def watch_page(browser: Browser, **context_options: Any) -> Iterator[WatchedPage]:
    """A new page in a fresh browser context, closed at the end."""
    context = browser.new_context(**context_options)
    try:
        page = context.new_page()
        watched = WatchedPage(page)

        def on_violation(_source: object, payload: str) -> None:
            watched.violations.append(CSPViolation(**json.loads(payload)))

        def on_console(message: ConsoleMessage) -> None:
            watched.console.append(ConsoleEntry(message.type, message.text))

        context.expose_binding("__secureHarnessViolation", on_violation)
        context.add_init_script(_LISTENER)
        page.on("console", on_console)
        page.on("pageerror", lambda error: watched.page_errors.append(str(error)))
        yield watched
    finally:
        context.close()
