"""The Django admin under secure-django's default configuration, in headless Chromium.

A project with the admin, ``secure_django`` and nothing in ``SECURE_HEADERS`` (so the
BALANCED preset: ``script-src 'self'``, ``script-src-attr 'none'``, ``form-action
'self'``) runs under gunicorn. The test logs in through the login form, opens the
User change form and uses its widgets: the calendar and the clock of the date/time
fields (``DateTimeShortcuts.js``), the two-box permission selector of
``filter_horizontal`` (``SelectFilter2.js``), then saves. Every page must run without
a CSP violation, a console error or a page error.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import WatchedPage, gunicorn_command
from playwright.sync_api import expect

SETTINGS = """
from pathlib import Path

HERE = Path(__file__).resolve().parent
SECRET_KEY = "admin-browser-test-only-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"
USE_TZ = True
STATIC_URL = "/static/"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": HERE / "db.sqlite3"}}

# What `startproject` generates, with secure_django added as docs/frameworks/django.md says.
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "secure_django",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "secure_django.middleware.SecureHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]
# No SECURE_HEADERS: the default configuration (BALANCED).
"""

URLS = """
from django.contrib import admin
from django.contrib.staticfiles.views import serve
from django.http import HttpResponse
from django.urls import path, re_path

urlpatterns = [
    path("admin/", admin.site.urls),
    # The admin's own static files, through the middleware like every response (a
    # production site serves them from a web server or WhiteNoise).
    re_path(r"^static/(?P<path>.*)$", serve, {"insecure": True}),
    # Chromium asks for /favicon.ico; a 404 would be a console error.
    path("favicon.ico", lambda request: HttpResponse(status=204)),
]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
"""

PASSWORD = "admin-browser-test-password"


@pytest.fixture
def admin_url(tmp_path: Path, server: Callable[..., str]) -> str:
    for name, source in {"settings.py": SETTINGS, "urls.py": URLS, "wsgi.py": WSGI}.items():
        (tmp_path / name).write_text(textwrap.dedent(source))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "settings",
        "PYTHONPATH": str(tmp_path),
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    django_admin = [sys.executable, "-m", "django"]
    for command in (
        ["migrate", "--noinput"],
        ["createsuperuser", "--noinput", "--username", "admin", "--email", "admin@example.com"],
        ["check", "--fail-level", "WARNING"],  # the project is clean, secure_django included
    ):
        done = subprocess.run(
            [*django_admin, *command], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr
    base = server(
        gunicorn_command("wsgi:application", chdir=tmp_path),
        cwd=tmp_path,
        env={"DJANGO_SETTINGS_MODULE": "settings"},
        ready_path="/admin/login/",
    )
    return base + "/admin/"


def assert_clean(watched: WatchedPage) -> None:
    watched.page.wait_for_timeout(300)  # violation events arrive asynchronously
    watched.assert_no_csp_violations()
    errors = [entry.text for entry in watched.console if entry.type == "error"]
    assert errors == [], errors
    assert watched.page_errors == []


def test_admin_login_and_change_form_widgets(admin_url: str, watched_page: WatchedPage) -> None:
    page = watched_page.page

    # The login form (form-action 'self': it posts to its own origin).
    response = page.goto(admin_url)
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "script-src-attr 'none'" in policy
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text("admin")

    # The superuser's change form: date/time widgets and filter_horizontal selectors.
    page.goto(admin_url + "auth/user/1/change/")
    expect(page.locator("#id_username")).to_have_value("admin")

    # The calendar of the "last login" date (the form's first date/time field, so its
    # widgets are number 0): open it, pick the 15th.
    page.click("#calendarlink0")
    calendar = page.locator("#calendarbox0")
    expect(calendar).to_be_visible()
    calendar.locator("td a").get_by_text("15", exact=True).click()
    expect(calendar).to_be_hidden()
    expect(page.locator("#id_last_login_0")).to_have_value(re.compile(r"-15$"))

    # The clock of its time: "Noon".
    page.click("#clocklink0")
    clock = page.locator("#clockbox0")
    expect(clock).to_be_visible()
    clock.get_by_role("button", name="Noon").click()
    expect(page.locator("#id_last_login_1")).to_have_value("12:00:00")

    # The permissions selector: filter the available list, choose one.
    expect(page.locator("#id_user_permissions_from")).to_be_visible()
    page.fill("#id_user_permissions_input", "add group")
    page.locator("#id_user_permissions_from option", has_text="Can add group").click()
    page.click("#id_user_permissions_add")
    expect(page.locator("#id_user_permissions_to option")).to_have_count(1)

    page.click("input[name=_save]")
    expect(page.locator(".messagelist .success")).to_be_visible()
    assert_clean(watched_page)
