"""Django's DEBUG error page in headless Chromium, as docs/frameworks/django.md ("The
DEBUG error page") describes it.

Django 6.0 and later mark their debug views with ``@csp_override({})``, which the
middleware honours: the page has no policy and its script runs. Before 6.0, under the
quick start's configuration the technical 500 page shows its traceback and its inline
JavaScript (an inline ``<script>`` and ``onclick`` handlers) is blocked and reported;
with the documented DEBUG allowance it runs without a violation.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
import pytest
from harness import WatchedPage, gunicorn_command
from playwright.sync_api import expect

DJANGO_6 = django.VERSION >= (6, 0)

APP = """
import json
import os

from django.conf import settings

settings.configure(
    DEBUG=True,
    SECRET_KEY="debug-page-test-only",
    ALLOWED_HOSTS=["127.0.0.1"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=["secure_django"],
    MIDDLEWARE=[
        "django.middleware.security.SecurityMiddleware",
        "secure_django.middleware.SecureHeadersMiddleware",
        "django.middleware.common.CommonMiddleware",
    ],
    SECURE_HEADERS=json.loads(os.environ["SECURE_HEADERS_JSON"]),
)

from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def broken(request):
    raise RuntimeError("debug page test")


urlpatterns = [
    path("", lambda request: HttpResponse("up")),
    path("broken/", broken),
    path("favicon.ico", lambda request: HttpResponse(status=204)),
]
application = get_wsgi_application()
"""

QUICK_START = {"preset": "balanced", "nonce": True}
DEBUG_ALLOWANCE = {
    "preset": "balanced",
    "nonce": False,
    "csp": {"script-src": ["'self'", "'unsafe-inline'"], "script-src-attr": ["'unsafe-inline'"]},
}


def open_debug_page(
    tmp_path: Path, server: Callable[..., str], page_watch: WatchedPage, config: dict[str, Any]
) -> None:
    (tmp_path / "debugapp.py").write_text(APP)
    url = server(
        gunicorn_command("debugapp:application", chdir=tmp_path),
        cwd=tmp_path,
        env={"SECURE_HEADERS_JSON": json.dumps(config)},
    )
    page = page_watch.page
    response = page.goto(url + "/broken/")
    assert response is not None
    assert response.status == 500
    expect(page.locator("h1")).to_contain_text("RuntimeError")
    # Click a frame's line: its onclick handler toggles the lines around it.
    page.locator("#browserTraceback ol.context-line li[onclick]").first.click()
    page.wait_for_timeout(300)  # violation events arrive asynchronously


@pytest.mark.skipif(not DJANGO_6, reason="Django 6 exempts its debug views")
def test_django_6_debug_page_runs_under_the_quick_start(
    tmp_path: Path, server: Callable[..., str], watched_page: WatchedPage
) -> None:
    open_debug_page(tmp_path, server, watched_page, QUICK_START)
    watched_page.assert_no_csp_violations()
    assert watched_page.page_errors == []
    # Its onload handler ran: the copy-and-paste view is hidden behind its link.
    expect(watched_page.page.locator("#pastebinTraceback")).to_be_hidden()


@pytest.mark.skipif(DJANGO_6, reason="Django 6 exempts its debug views")
def test_the_debug_page_script_is_blocked(
    tmp_path: Path, server: Callable[..., str], watched_page: WatchedPage
) -> None:
    open_debug_page(tmp_path, server, watched_page, QUICK_START)
    blocked = {(v.directive, v.blocked, v.disposition) for v in watched_page.violations}
    assert ("script-src-elem", "inline", "enforce") in blocked
    assert ("script-src-attr", "inline", "enforce") in blocked
    # The page's JavaScript did not run: the copy-and-paste view, which its onload
    # handler hides, is still shown.
    expect(watched_page.page.locator("#pastebinTraceback")).to_be_visible()


def test_the_debug_allowance_lets_it_run(
    tmp_path: Path, server: Callable[..., str], watched_page: WatchedPage
) -> None:
    open_debug_page(tmp_path, server, watched_page, DEBUG_ALLOWANCE)
    watched_page.assert_no_csp_violations()
    assert watched_page.page_errors == []
    # The onload handler ran, and the click showed the frame's surrounding lines.
    expect(watched_page.page.locator("#pastebinTraceback")).to_be_hidden()
    expect(watched_page.page.locator("#browserTraceback ol.pre-context").first).to_be_visible()
