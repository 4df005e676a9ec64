"""Violation reports from a real browser, and the policy they lead to.

An app (Starlette under uvicorn, mounted with ``secure_fastapi.collect_reports``) serves
a page that loads a script and an image from another origin and fetches from it, under
an enforced and a report-only CSP. The other origin is a second server with its own
report endpoint. Both serve HTTPS with a certificate made for the test: Chromium reads
``Reporting-Endpoints`` only from responses over a cryptographic scheme, and the
Reporting API's uploads then go there. Headless Chromium runs with
``--short-reporting-delay`` so report batches leave within a second instead of a
minute. This proves that:

* the receiver gets Reporting API reports (``report-to`` + ``Reporting-Endpoints``) for
  both policies, at a same-origin path and at another origin (after a CORS preflight);
* it gets legacy ``report-uri`` reports, same-origin and cross-origin, when the policy
  has only ``report-uri`` (as browsers without the Reporting API see it);
* ``secure reports`` proposes exactly the three sources the page needed, and the page
  runs clean under the configuration with the proposal applied.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest
from harness import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HOST,
    WatchedPage,
    free_port,
    uvicorn_command,
    watch_page,
)

from secure.cli import main

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# A 1x1 transparent PNG.
PNG: Final = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)

OTHER_APP: Final = f'''
import os
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from secure.reports import JSONLinesSink, ReportReceiver
from secure_fastapi import reports_route

PNG = bytes.fromhex("{PNG.hex()}")


def lib(request):
    code = 'document.getElementById("lib").textContent = "loaded";'
    return Response(code, media_type="text/javascript")


def pic(request):
    return Response(PNG, media_type="image/png")


def api(request):
    return PlainTextResponse("fetched", headers={{"Access-Control-Allow-Origin": "*"}})


receiver = ReportReceiver(sinks=[JSONLinesSink(os.environ["REPORTS_FILE"])])
app = Starlette(
    routes=[
        Route("/lib.js", lib),
        Route("/pic.png", pic),
        Route("/api", api),
        reports_route("/_reports", receiver),
    ]
)
'''

APP: Final = """
import json
import os

from starlette.applications import Starlette
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from secure import Secure
from secure.reports import JSONLinesSink, ReportReceiver, with_reporting
from secure_fastapi import SecureMiddleware, collect_reports

OTHER = os.environ["OTHER"]
MODE = os.environ["MODE"]
config = json.loads(open(os.environ["CONFIG"]).read())

PAGE = f'''<!doctype html>
<title>reports</title>
<h1>page</h1>
<p id="lib">not loaded</p>
<p id="fetch">not fetched</p>
<img id="pic" src="{OTHER}/pic.png" alt="">
<script src="{OTHER}/lib.js"></script>
<script src="/app.js"></script>
'''
APP_JS = f'''fetch("{OTHER}/api").then(r => r.text()).then(t => {{
  document.getElementById("fetch").textContent = t;
}}, () => {{ document.getElementById("fetch").textContent = "refused"; }});
'''


def page(request):
    return HTMLResponse(PAGE)


def app_js(request):
    return Response(APP_JS, media_type="text/javascript")


app = Starlette(routes=[Route("/", page), Route("/app.js", app_js)])
receiver = ReportReceiver(sinks=[JSONLinesSink(os.environ["REPORTS_FILE"])])
if MODE == "same-origin":
    secure = collect_reports(app, config, receiver=receiver)
elif MODE == "cross-origin":
    secure = with_reporting(config, OTHER + "/_reports")
elif MODE in ("report-uri", "cross-origin-report-uri"):
    # What a browser without the Reporting API sees: report-uri only.
    endpoint = "/_reports" if MODE == "report-uri" else OTHER + "/_reports"
    if MODE == "report-uri":
        collect_reports(app, config, receiver=receiver)
    for key in ("csp", "csp_report_only"):
        config[key] = {**config[key], "report-uri": [endpoint]}
    secure = Secure.from_config(config)
else:
    secure = Secure.from_config(config)
app.add_middleware(SecureMiddleware, secure=secure)
"""


#: The policies under test: the enforced one lets the page fetch from the other origin,
#: the report-only one does not; neither allows its script or image.
def config_for(other: str) -> dict[str, object]:
    return {
        "preset": "none",
        "csp": {"default-src": ["'self'"], "connect-src": ["'self'", other]},
        "csp_report_only": {"default-src": ["'self'"]},
    }


#: (disposition, directive) of every report the page causes.
EXPECTED: Final = {
    ("enforce", "script-src-elem"),
    ("enforce", "img-src"),
    ("report", "script-src-elem"),
    ("report", "img-src"),
    ("report", "connect-src"),
}


@pytest.fixture(scope="module")
def reporting_browser() -> Iterator[Browser]:
    """Chromium that delivers Reporting API batches after ~100 ms instead of a minute,
    and accepts the test's own certificate."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM}; install it with: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[*CHROMIUM_ARGS, "--short-reporting-delay", "--ignore-certificate-errors"],
            headless=True,
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl, from Debian's openssl package)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.fail("openssl is needed to make the test certificate (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [
            openssl,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=IP:{HOST}",
        ],
        check=True,
        capture_output=True,
    )
    return key, cert


@contextlib.contextmanager
def serve_tls(
    app: str, folder: Path, certificate: tuple[Path, Path], env: dict[str, str]
) -> Iterator[str]:
    """``app`` under uvicorn with TLS on a free port; yields ``https://127.0.0.1:PORT``."""
    key, cert = certificate
    port = free_port()
    command = [
        arg.replace("{host}", HOST).replace("{port}", str(port))
        for arg in uvicorn_command(app, app_dir=folder)
    ]
    command += ["--ssl-keyfile", str(key), "--ssl-certfile", str(cert)]
    log = folder / f"{app.split(':')[0]}-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=folder,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"https://{HOST}:{port}"
    try:
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{app} did not start:\n{log.read_text()}")
            try:
                urllib.request.urlopen(url + "/", timeout=2, context=unverified).close()
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


class Site:
    """The other origin (static files and a report endpoint) and the app under test."""

    def __init__(
        self, tmp_path: Path, stack: contextlib.ExitStack, certificate: tuple[Path, Path]
    ) -> None:
        self.tmp = tmp_path
        self.stack = stack
        self.certificate = certificate
        (tmp_path / "other_app.py").write_text(OTHER_APP)
        (tmp_path / "app.py").write_text(APP)
        self.other_reports = tmp_path / "other-reports.jsonl"
        self.other = stack.enter_context(
            serve_tls(
                "other_app:app", tmp_path, certificate, {"REPORTS_FILE": str(self.other_reports)}
            )
        )

    def start(self, mode: str, config: dict[str, object], name: str) -> tuple[str, Path]:
        config_file = self.tmp / f"{name}.json"
        config_file.write_text(json.dumps(config))
        reports = self.tmp / f"{name}.jsonl"
        env = {
            "OTHER": self.other,
            "MODE": mode,
            "CONFIG": str(config_file),
            "REPORTS_FILE": str(reports),
        }
        url = self.stack.enter_context(serve_tls("app:app", self.tmp, self.certificate, env))
        return url, reports


@pytest.fixture
def site(tmp_path: Path, certificate: tuple[Path, Path]) -> Iterator[Site]:
    with contextlib.ExitStack() as stack:
        yield Site(tmp_path, stack, certificate)


def read_reports(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def wait_for(path: Path, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 30
    while True:
        found = read_reports(path)
        if done(found) or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def kinds(reports: list[dict[str, Any]], page_url: str) -> set[tuple[str, str]]:
    return {
        (r["disposition"], r["directive"])
        for r in reports
        if r["type"] == "csp-violation" and r["url"].startswith(page_url)
    }


def visit(browser: Browser, url: str) -> WatchedPage:
    with watch_page(browser, ignore_https_errors=True) as watched:
        watched.page.goto(url + "/")
        from playwright.sync_api import expect

        expect(watched.page.locator("#fetch")).not_to_have_text("not fetched")
        watched.page.wait_for_timeout(300)
        # Leaving the page flushes its queued reports.
        watched.page.goto("about:blank")
        watched.page.wait_for_timeout(300)
        return watched


@pytest.mark.parametrize(
    ("mode", "source", "where"),
    [
        ("same-origin", "reporting-api", "app"),
        ("report-uri", "report-uri", "app"),
        ("cross-origin", "reporting-api", "other"),
        ("cross-origin-report-uri", "report-uri", "other"),
    ],
)
def test_browser_reports_reach_the_receiver(
    site: Site, reporting_browser: Browser, mode: str, source: str, where: str
) -> None:
    url, app_reports = site.start(mode, config_for(site.other), mode)
    watched = visit(reporting_browser, url)
    # The page saw what the reports say: blocked script and image, fetch allowed.
    assert {(v.disposition, v.directive) for v in watched.violations} == EXPECTED
    path = app_reports if where == "app" else site.other_reports
    reports = wait_for(path, lambda found: kinds(found, url) >= EXPECTED)
    assert kinds(reports, url) == EXPECTED
    mine = [r for r in reports if r["url"].startswith(url)]
    assert {r["source"] for r in mine} == {source}
    assert {r["blocked"].rsplit("/", 1)[0] for r in mine} == {site.other}
    if where == "other":
        assert read_reports(app_reports) == []


def test_secure_reports_proposes_exactly_what_the_page_needs(
    site: Site, reporting_browser: Browser, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_for(site.other)
    url, reports_file = site.start("same-origin", config, "before")
    visit(reporting_browser, url)
    wait_for(reports_file, lambda found: kinds(found, url) >= EXPECTED)

    assert main(["reports", str(reports_file), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    other = site.other
    assert result["added"] == {
        "csp": {"img-src": [other], "script-src": [other]},
        "csp_report_only": {"connect-src": [other], "img-src": [other], "script-src": [other]},
    }
    assert result["notes"] == []

    # Apply the proposal: each directive's list replaces the configuration's.
    applied: dict[str, Any] = json.loads(json.dumps(config))
    for key, directives in result["proposal"].items():
        applied[key] = {**applied[key], **directives}
    after_url, after_reports = site.start("same-origin", applied, "after")
    with watch_page(reporting_browser, ignore_https_errors=True) as watched:
        from playwright.sync_api import expect

        watched.page.goto(after_url + "/")
        expect(watched.page.locator("#lib")).to_have_text("loaded")
        expect(watched.page.locator("#fetch")).to_have_text("fetched")
        assert watched.page.evaluate("document.getElementById('pic').naturalWidth") == 1
        watched.page.wait_for_timeout(300)
        watched.assert_no_csp_violations()
        assert watched.page_errors == []
    time.sleep(1.5)  # longer than the short reporting delay: nothing was queued
    assert read_reports(after_reports) == []

    # The text output a reader sees.
    assert main(["reports", str(reports_file)]) == 0
    text = capsys.readouterr().out
    assert f'  script-src = ["\'self\'", "{other}"]  # adds {other}\n' in text
