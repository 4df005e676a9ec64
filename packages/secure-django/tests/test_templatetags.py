"""``{% csp_nonce %}`` and ``{{ request.csp_nonce }}`` in Django templates."""

from __future__ import annotations

import re

from django.template import Context, Template
from django.test import Client
from django_project.helpers import asgi_request, nonce_of


def _nonces(html: str) -> dict[str, str]:
    return {m.group(2): m.group(1) for m in re.finditer(r'nonce="([^"]*)" id="(\w+)"', html)}


def test_rendered_nonce_equals_the_header_nonce() -> None:
    response = Client().get("/nonce/template/")
    header_nonce = nonce_of(response.headers["Content-Security-Policy"])
    assert _nonces(response.content.decode()) == {
        "tag": header_nonce,
        "processor": header_nonce,
        "request": header_nonce,
    }


def test_rendered_nonce_equals_the_header_nonce_under_asgi() -> None:
    response = asgi_request("/nonce/template/")
    header_nonce = nonce_of(response.headers["Content-Security-Policy"])
    assert set(_nonces(response.body.decode()).values()) == {header_nonce}


def test_each_request_renders_a_new_nonce() -> None:
    client = Client()
    first = _nonces(client.get("/nonce/template/").content.decode())["tag"]
    second = _nonces(client.get("/nonce/template/").content.decode())["tag"]
    assert first != second
    assert len(first) >= 22  # 128 bits, base64


def test_tag_without_a_request_renders_nothing() -> None:
    template = Template('{% load secure_headers %}<script nonce="{% csp_nonce %}">')
    assert template.render(Context()) == '<script nonce="">'
