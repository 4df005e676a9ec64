"""Template context processor: ``{{ csp_nonce }}`` in Django and Jinja2 templates."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["csp_nonce"]


def csp_nonce(request: HttpRequest) -> dict[str, object]:
    """Expose the request's CSP nonce as ``csp_nonce``.

    Add ``"secure_django.context_processors.csp_nonce"`` to the ``context_processors``
    option of a ``TEMPLATES`` backend, then write ``<script nonce="{{ csp_nonce }}">``.
    The nonce is only generated if a template uses it.
    """
    return {"csp_nonce": getattr(request, "csp_nonce", "")}
