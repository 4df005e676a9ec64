"""Settings of the Django demo project: Django's own security middleware, then secure's."""

from __future__ import annotations

import demo_common

SECRET_KEY = "django-demo-insecure-key-for-tests-only"  # a local demo: never deploy it
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = ["secure_django"]  # template tags and system checks

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: on the way out it sets the headers before Django's
    # SecurityMiddleware, which only adds its own where none is set.
    "secure_django.middleware.SecureHeadersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "django_demo.urls"
WSGI_APPLICATION = "django_demo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [demo_common.HERE / "django_demo" / "templates"],
        "OPTIONS": {
            # {{ csp_nonce }} in every template rendered with a request.
            "context_processors": ["secure_django.context_processors.csp_nonce"],
        },
    }
]

USE_TZ = True

# The shared configuration: BALANCED plus a nonce and a hash in script-src.
SECURE_HEADERS = demo_common.SECURE_HEADERS
