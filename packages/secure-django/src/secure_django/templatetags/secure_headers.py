"""``{% load secure_headers %}``: the request's CSP nonce in Django templates."""

from __future__ import annotations

from django import template

__all__ = ["csp_nonce", "register"]

register = template.Library()


@register.simple_tag(takes_context=True)
def csp_nonce(context: template.Context) -> str:
    """The request's CSP nonce: ``<script nonce="{% csp_nonce %}">``.

    Empty when the template is rendered without a request (an email, say) or without
    ``SecureHeadersMiddleware``.
    """
    request = getattr(context, "request", None)
    nonce = getattr(request, "csp_nonce", None)
    return "" if nonce is None else str(nonce)
