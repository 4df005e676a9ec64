"""Before Django 6 there is no SECURE_CSP: the opt-in to read it is refused clearly."""

from __future__ import annotations

import django
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from secure_django import get_secure

pytestmark = pytest.mark.skipif(django.VERSION >= (6, 0), reason="Django 6 has SECURE_CSP")


def test_the_opt_in_is_refused_before_django_6() -> None:
    settings = {"SECURE_HEADERS_USE_DJANGO_CSP": True, "SECURE_HEADERS": "balanced"}
    refused = r"SECURE_HEADERS_USE_DJANGO_CSP: Django [45]\.\d.* \(Django 6\.0 added it\)"
    with override_settings(**settings), pytest.raises(ImproperlyConfigured, match=refused):
        get_secure()


def test_without_the_opt_in_nothing_changes() -> None:
    with override_settings(SECURE_HEADERS_USE_DJANGO_CSP=False, SECURE_CSP={"default-src": []}):
        assert "'nonce-" in Client().get("/plain/").headers["Content-Security-Policy"]
