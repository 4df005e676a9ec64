"""Middleware that adds the security headers to every response of an ASGI or WSGI app.

The request's nonce lives under :data:`NONCE_SCOPE_KEY` (ASGI scope, and
``scope["state"]["csp_nonce"]``) or :data:`NONCE_ENVIRON_KEY` (WSGI environ);
:func:`scope_nonce` and :func:`environ_nonce` read it, choosing it on first use, so
framework code and the middleware always agree on one nonce per request.
"""

from __future__ import annotations

from secure._paths import PathPrefixes
from secure.middleware._common import (
    NONCE_ENVIRON_KEY,
    NONCE_SCOPE_KEY,
    NONCE_STATE_KEY,
    environ_nonce,
    scope_nonce,
)
from secure.middleware.asgi import SecureASGIMiddleware
from secure.middleware.wsgi import SecureWSGIMiddleware

__all__ = [
    "NONCE_ENVIRON_KEY",
    "NONCE_SCOPE_KEY",
    "NONCE_STATE_KEY",
    "PathPrefixes",
    "SecureASGIMiddleware",
    "SecureWSGIMiddleware",
    "environ_nonce",
    "scope_nonce",
]
