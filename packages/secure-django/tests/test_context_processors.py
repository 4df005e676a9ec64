"""``secure_django.context_processors.csp_nonce`` for Django and Jinja2 templates."""

from __future__ import annotations

import re

import pytest
from django.http import HttpRequest
from django.test import Client
from django_project.helpers import nonce_of

from secure_django.context_processors import csp_nonce


def test_context_processor_without_the_middleware() -> None:
    assert csp_nonce(HttpRequest()) == {"csp_nonce": ""}


def test_jinja2_backend() -> None:
    pytest.importorskip("jinja2")
    response = Client().get("/nonce/jinja/")
    header_nonce = nonce_of(response.headers["Content-Security-Policy"])
    rendered = re.findall(r'nonce="([^"]*)"', response.content.decode())
    assert rendered == [header_nonce, header_nonce]
