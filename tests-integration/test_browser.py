"""The headers protect users in a real browser: headless Chromium against the demo apps.

Each demo app runs behind its real server (``stacks.py``); a second origin, a small HTTP
server this module runs on another port, plays the other site: it frames the app, is
the target of cross-origin navigations, and is the ``report-uri`` the policies report to.

For Flask, Django, FastAPI and Starlette this proves that:

* an inline script without the nonce is blocked and reported (in the page and to the
  ``report-uri``), the nonce'd one runs, and a hash from ``secure.csp_hash()`` lets
  exactly that script run, not a copy with one word changed;
* another origin cannot frame the app, by ``frame-ancestors`` or by X-Frame-Options
  alone, and can frame a page that sends neither;
* Permissions-Policy turns geolocation and the camera off, even with the user's consent;
* Referrer-Policy decides what a cross-origin navigation's ``Referer`` carries;
* a report-only policy reports to the ``report-uri`` and blocks nothing.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import pytest
from harness import CHROMIUM, CHROMIUM_ARGS, HOST, WatchedPage, watch_page
from stacks import STACKS, Stack, demo_common, fetch, serve_stack

from secure import csp_hash

if TYPE_CHECKING:
    from playwright.sync_api import Browser

BROWSER_STACKS: Final = (
    "flask-gunicorn",
    "fastapi-uvicorn",
    "django-gunicorn",
    "starlette-uvicorn",
)

# Chromium's camera: a fake device, no prompt (the permission is granted below).
MEDIA_ARGS: Final = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")


# -- the other origin ------------------------------------------------------------------


@dataclass
class OtherOrigin:
    """What the second origin saw: CSP reports and the requests that landed on it."""

    url: str = ""
    reports: list[dict[str, Any]] = field(default_factory=list)
    referers: dict[str, str | None] = field(default_factory=dict)  # landing path -> Referer
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def report_uri(self) -> str:
        return f"{self.url}/csp-report"

    def wait_for_reports(
        self, match: Callable[[dict[str, Any]], bool], count: int, timeout: float = 15.0
    ) -> list[dict[str, Any]]:
        """The reports ``match`` accepts, once there are ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                found = [report for report in self.reports if match(report)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


def _handler(origin: OtherOrigin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/csp-report":
                # CSP Level 3 §5.5 (report-uri): {"csp-report": {...}}, application/csp-report.
                assert self.headers.get("Content-Type") == "application/csp-report"
                with origin.lock:
                    origin.reports.append(json.loads(body)["csp-report"])
            self._send(204, b"")

        def do_GET(self) -> None:
            path, _, query = self.path.partition("?")
            if path == "/frame":
                # A page of this origin that frames the URL it is given.
                src = escape(query.removeprefix("src="))
                self._send(
                    200, f'<!doctype html><title>framer</title><iframe src="{src}">'.encode()
                )
            elif path.startswith("/landing/"):
                with origin.lock:
                    origin.referers[path] = self.headers.get("Referer")
                self._send(200, b"<!doctype html><title>landed</title>")
            else:
                self._send(404, b"")

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def other_origin() -> Iterator[OtherOrigin]:
    origin = OtherOrigin()
    server = ThreadingHTTPServer((HOST, 0), _handler(origin))
    origin.url = f"http://{HOST}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# -- the app and the browser -----------------------------------------------------------


@dataclass(frozen=True)
class Deployed:
    stack: Stack
    url: str


@pytest.fixture(scope="module", params=BROWSER_STACKS)
def app(request: pytest.FixtureRequest, other_origin: OtherOrigin) -> Iterator[Deployed]:
    stack = STACKS[request.param]
    with serve_stack(stack, report_uri=other_origin.report_uri) as url:
        yield Deployed(stack, url)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Headless Chromium with a fake camera; module scope, like conftest's ``browser``."""
    if not os.path.exists(CHROMIUM):
        reason = f"Chromium not found at {CHROMIUM}"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"{reason} (CI is set, so the browser tests must run)", pytrace=False)
        pytest.skip(f"{reason}; install it with: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *MEDIA_ARGS], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def watched(chromium: Browser) -> Iterator[WatchedPage]:
    """A page whose user said yes to geolocation and the camera: only a policy can say no."""
    with watch_page(
        chromium,
        permissions=["geolocation", "camera"],
        geolocation={"latitude": 48.8584, "longitude": 2.2945},
    ) as page:
        yield page


def expect_text(watched: WatchedPage, selector: str, text: str | re.Pattern[str]) -> None:
    from playwright.sync_api import expect

    expect(watched.page.locator(selector)).to_have_text(text)


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def script_lines(html: str) -> dict[str, int]:
    """Line of each inline script of the page, by the element id it writes to."""
    lines: dict[str, int] = {}
    for number, line in enumerate(html.splitlines(), start=1):
        found = re.search(r'<script[^>]*>document\.getElementById\("(\w+)"\)', line)
        if found:
            lines[found[1]] = number
    return lines


# -- CSP: nonces and hashes ------------------------------------------------------------


def test_only_the_nonced_and_hashed_scripts_run(
    app: Deployed, watched: WatchedPage, other_origin: OtherOrigin
) -> None:
    lines = script_lines(fetch(app.url, "/").body.decode())
    page_url = f"{app.url}/"
    watched.page.goto(page_url)

    expect_text(watched, "#nonced", "nonce'd script ran")
    expect_text(watched, "#hashed", "hashed script ran")
    # A script file from 'self', served with its JavaScript type (nosniff checks it).
    expect_text(watched, "#external", "same-origin script file ran")
    # The page's scripts run in order: by now the two before them had their turn.
    expect_text(watched, "#inline", "inline script did not run")
    expect_text(watched, "#tampered", "tampered script did not run")

    # Blocked, and reported in the page: the script without nonce or hash, and the copy of
    # the hashed script with one word changed.
    assert eventually(lambda: len(watched.violations) >= 2)
    assert {(v.directive, v.blocked, v.disposition) for v in watched.violations} == {
        ("script-src-elem", "inline", "enforce")
    }
    assert sorted(v.line for v in watched.violations) == [lines["inline"], lines["tampered"]]
    # Chromium names the hash each blocked script would need: secure.csp_hash() agrees.
    suggested = set(re.findall(r"a hash \('(sha256-[^']+)'\)", "\n".join(watched.csp_console)))
    assert {f"'{h}'" for h in suggested} == {
        csp_hash(demo_common.INLINE_SCRIPT),
        csp_hash(demo_common.TAMPERED_SCRIPT),
    }

    # ... and reported to the policy's report-uri.
    def blocked_here(report: dict[str, Any]) -> bool:
        return (
            report.get("document-uri") == page_url
            and report.get("effective-directive") == "script-src-elem"
            and report.get("disposition") == "enforce"
        )

    reports = other_origin.wait_for_reports(blocked_here, count=2)
    assert sorted(r["line-number"] for r in reports) == [lines["inline"], lines["tampered"]]
    assert all(r["blocked-uri"] == "inline" for r in reports)


# -- framing ---------------------------------------------------------------------------

FRAMING: Final = [
    # path, what must stop another origin from framing it (None: nothing does)
    pytest.param("/", "frame-ancestors", id="csp-frame-ancestors"),
    pytest.param("/xfo-only", "X-Frame-Options", id="x-frame-options-alone"),
    pytest.param("/embeddable", None, id="control-no-headers"),
]


@pytest.mark.parametrize(("path", "guard"), FRAMING)
def test_another_origin_cannot_frame_the_app(
    app: Deployed, watched: WatchedPage, other_origin: OtherOrigin, path: str, guard: str | None
) -> None:
    target = f"{app.url}{path}"
    watched.page.goto(f"{other_origin.url}/frame?src={target}")
    assert len(watched.page.frames) == 2
    frame = watched.page.frames[1]
    if guard is None:
        # The same page without the two headers loads in the other origin's frame.
        assert eventually(lambda: frame.url == target), frame.url
        assert frame.locator("h1").text_content() == "secure demo"
        return

    def refused() -> bool:
        return any(
            ("Framing" in text or "Refused to display" in text) and guard in text
            for text in (entry.text for entry in watched.console)
        )

    assert eventually(refused), f"no refusal by {guard} in {watched.console}"
    assert urlsplit(frame.url).netloc != urlsplit(app.url).netloc, frame.url
    assert frame.locator("h1", has_text="secure demo").count() == 0
    if guard == "frame-ancestors":
        reports = other_origin.wait_for_reports(
            lambda r: (
                r.get("document-uri") == target
                and r.get("effective-directive") == "frame-ancestors"
            ),
            count=1,
        )
        assert reports, "the frame-ancestors violation was not reported"


# -- Permissions-Policy ----------------------------------------------------------------


def test_permissions_policy_turns_off_geolocation_and_camera(
    app: Deployed, watched: WatchedPage
) -> None:
    watched.page.goto(f"{app.url}/features")
    expect_text(watched, "#geolocation", re.compile(r"^geolocation: denied .*permissions policy"))
    expect_text(watched, "#camera", re.compile(r"^camera: denied \(NotAllowedError"))
    console = "\n".join(entry.text for entry in watched.console)
    assert "Permissions policy violation: camera is not allowed" in console

    # Control: the same page, the same granted permissions, without Permissions-Policy.
    watched.page.goto(f"{app.url}/features/allowed")
    expect_text(watched, "#geolocation", "geolocation: allowed")
    expect_text(watched, "#camera", "camera: allowed")


# -- Referrer-Policy -------------------------------------------------------------------

REFERRER: Final = [
    # page, the Referer a cross-origin navigation from it carries ({app}: the app's origin)
    pytest.param("/?q=secret", "{app}/", id="strict-origin-when-cross-origin"),
    pytest.param("/referrer/no-referrer?q=secret", None, id="no-referrer"),
    pytest.param(
        "/referrer/unsafe-url?q=secret", "{app}/referrer/unsafe-url?q=secret", id="unsafe-url"
    ),
]

_NAVIGATE: Final = """url => {
  const link = document.createElement("a");
  link.href = url;
  document.body.append(link);
  link.click();
}"""


@pytest.mark.parametrize(("path", "expected"), REFERRER)
def test_referrer_policy_controls_the_cross_origin_referer(
    app: Deployed,
    watched: WatchedPage,
    other_origin: OtherOrigin,
    path: str,
    expected: str | None,
) -> None:
    watched.page.goto(f"{app.url}{path}")
    landing = f"/landing/{app.stack.name}/{time.monotonic_ns()}"
    # The page follows a link to the other origin (Playwright's script is not the page's:
    # the page's CSP does not apply to it, the page's referrer policy does).
    watched.page.evaluate(_NAVIGATE, f"{other_origin.url}{landing}")
    watched.page.wait_for_url(f"{other_origin.url}{landing}")
    with other_origin.lock:
        referer = other_origin.referers[landing]
    assert referer == (expected.format(app=app.url) if expected else None)


# -- report-only -----------------------------------------------------------------------


def test_report_only_policy_reports_without_blocking(
    app: Deployed, watched: WatchedPage, other_origin: OtherOrigin
) -> None:
    lines = script_lines(fetch(app.url, "/report-only").body.decode())
    page_url = f"{app.url}/report-only"
    watched.page.goto(page_url)

    # The trial policy allows no script at all, yet the scripts the enforced policy
    # allows run: report-only blocks nothing.
    expect_text(watched, "#nonced", "nonce'd script ran")
    expect_text(watched, "#hashed", "hashed script ran")
    expect_text(watched, "#external", "same-origin script file ran")
    script_file = f"{app.url}/static/app.js"
    inline_scripts = sorted(lines.values())
    assert len(inline_scripts) == 4

    def reported() -> list[tuple[str, int]]:
        return [(v.blocked, v.line) for v in watched.violations if v.disposition == "report"]

    assert eventually(lambda: len(reported()) >= 5)
    assert sorted(line for blocked, line in reported() if blocked == "inline") == inline_scripts
    assert [blocked for blocked, _ in reported() if blocked != "inline"] == [script_file]
    enforced = sorted(v.line for v in watched.violations if v.disposition == "enforce")
    assert enforced == [lines["inline"], lines["tampered"]]

    # The report-uri the test serves got one report per script, naming the trial policy.
    reports = other_origin.wait_for_reports(
        lambda r: r.get("document-uri") == page_url and r.get("disposition") == "report",
        count=5,
    )
    assert sorted(r["line-number"] for r in reports if r["blocked-uri"] == "inline") == (
        inline_scripts
    )
    assert [r["blocked-uri"] for r in reports if r["blocked-uri"] != "inline"] == [script_file]
    assert {r["original-policy"] for r in reports} == {
        demo_common.report_only_policy(other_origin.report_uri)
    }
