"""Settings of the Django project the tests run against."""

from __future__ import annotations

import importlib.util
from pathlib import Path

HERE = Path(__file__).resolve().parent

SECRET_KEY = "secure-django-tests-only-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "django_project.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
STATIC_URL = "/static/"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}

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
]

# BALANCED plus a nonce in script-src.
SECURE_HEADERS = {"preset": "balanced", "nonce": True}

# Django's SecurityMiddleware stays for SECURE_SSL_REDIRECT; its header settings agree
# with SECURE_HEADERS (or are off), so the clash checks stay quiet.
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"

TEMPLATES: list[dict[str, object]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "secure_django.context_processors.csp_nonce",
            ],
        },
    },
]

if importlib.util.find_spec("jinja2") is not None:
    TEMPLATES.append(
        {
            "BACKEND": "django.template.backends.jinja2.Jinja2",
            "DIRS": [HERE / "jinja2"],
            "OPTIONS": {"context_processors": ["secure_django.context_processors.csp_nonce"]},
        }
    )
