"""A stock ``django-admin startproject`` with secure-django added as the docs say.

``manage.py check`` and ``manage.py check --deploy`` run in subprocesses against the
generated project, so Django's own checks see exactly what a new project has: its
template's settings, Django's defaults for everything else. The ids they report are
pinned here.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import django
import pytest

# What `django-admin startproject` gives, with nothing changed: no HSTS (W004), no SSL
# redirect (W008), the generated SECRET_KEY (W009), cookies without Secure (W012, W016),
# DEBUG = True (W018), no ALLOWED_HOSTS (W020): the same on Django 4.2, 5.2 and 6.0.
STOCK_DEPLOY = {
    "security.W004",
    "security.W008",
    "security.W009",
    "security.W012",
    "security.W016",
    "security.W018",
    "security.W020",
}
if django.VERSION >= (6, 1):
    # Django 6.1's template configures MAILERS with the console backend, an error under
    # --deploy (so `check --deploy` exits 1 there).
    STOCK_DEPLOY.add("mail.E001")

# The settings docs/frameworks/django.md ("Quick start") adds.
APP = "secure_django"
MIDDLEWARE = "secure_django.middleware.SecureHeadersMiddleware"
SECURE_HEADERS = 'SECURE_HEADERS = {"preset": "balanced", "nonce": True}\n'
# Django's settings for the headers BALANCED sends, with the values it sends. The same
# lines are what a project without secure-django would write for those headers.
EQUAL_DJANGO_SETTINGS = """
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"
"""
# With those, Django's check --deploy judges the values sent: HSTS is set, without
# preload (W021), and X-Frame-Options is SAMEORIGIN, not DENY (W019).
EQUAL_DEPLOY = (STOCK_DEPLOY - {"security.W004"}) | {"security.W019", "security.W021"}

_CHECK_ID = re.compile(r"\(([a-z_]+\.[CDEIW]\d{3})\)")


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh project from the installed Django's template; each test copies it."""
    root = tmp_path_factory.mktemp("stock")
    subprocess.run(
        [sys.executable, "-m", "django", "startproject", "mysite", str(root)],
        check=True,
        capture_output=True,
    )
    return root


def project(stock: Path, tmp_path: Path, *, ours: bool, django_settings: bool) -> Path:
    """A copy of the stock project with our app and middleware, Django's equal header
    settings, or both."""
    root = tmp_path / "project"
    root.mkdir(parents=True)
    for source in stock.rglob("*"):
        target = root / source.relative_to(stock)
        if source.is_dir():
            target.mkdir(exist_ok=True)
        else:
            target.write_bytes(source.read_bytes())
    path = root / "mysite" / "settings.py"
    text = path.read_text()
    if ours:
        text = _insert_after(text, "django.contrib.staticfiles", APP)
        text = _insert_after(text, "django.middleware.security.SecurityMiddleware", MIDDLEWARE)
        text += "\n" + SECURE_HEADERS
    if django_settings:
        text += EQUAL_DJANGO_SETTINGS
    path.write_text(text)
    return root


def _insert_after(text: str, entry: str, new: str) -> str:
    line = re.search(rf"^(\s*)(['\"]){re.escape(entry)}\2,\n", text, re.MULTILINE)
    assert line is not None, f"{entry} not found in the generated settings.py"
    indent, quote = line[1], line[2]
    return text[: line.end()] + f"{indent}{quote}{new}{quote},\n" + text[line.end() :]


def check_ids(root: Path, *args: str) -> set[str]:
    """The ids ``manage.py check`` reports for the project at ``root``."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mysite.settings"}
    done = subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = set(_CHECK_ID.findall(done.stdout + done.stderr))
    errors = any(".E" in check_id for check_id in found)
    assert done.returncode == (1 if errors else 0), done.stderr
    return found


def test_the_stock_project(stock: Path, tmp_path: Path) -> None:
    root = project(stock, tmp_path, ours=False, django_settings=False)
    assert check_ids(root, "--deploy") == STOCK_DEPLOY


def test_adding_secure_django_adds_no_warning(stock: Path, tmp_path: Path) -> None:
    """Before, our checks reported Django's defaults as clashes: secure_django.W012
    (SECURE_REFERRER_POLICY's "same-origin") and W014 (XFrameOptionsMiddleware's
    "DENY"), although SECURE_HEADERS' values are the ones sent."""
    root = project(stock, tmp_path, ours=True, django_settings=False)
    assert check_ids(root) == set()
    assert check_ids(root, "--deploy") == STOCK_DEPLOY


def test_with_the_documented_django_settings(stock: Path, tmp_path: Path) -> None:
    """The quick start's Django settings make Django's check --deploy judge what is
    sent, and give exactly the warnings Django's own equivalent settings give."""
    ours = project(stock, tmp_path / "ours", ours=True, django_settings=True)
    assert check_ids(ours) == set()
    assert check_ids(ours, "--deploy") == EQUAL_DEPLOY

    django_only = project(stock, tmp_path / "django", ours=False, django_settings=True)
    assert check_ids(django_only, "--deploy") == EQUAL_DEPLOY
