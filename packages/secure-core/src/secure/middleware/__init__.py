"""Middleware that adds the security headers to every response of an ASGI or WSGI app."""

from __future__ import annotations

from secure.middleware.asgi import SecureASGIMiddleware
from secure.middleware.wsgi import SecureWSGIMiddleware

__all__ = ["SecureASGIMiddleware", "SecureWSGIMiddleware"]
