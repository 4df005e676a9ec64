"""Shared helpers for secure-core's tests."""

from __future__ import annotations

import pytest

BASELINE_CSP = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; form-action 'self'; "
    "frame-ancestors 'self'; img-src 'self' data:; object-src 'none'; script-src 'self'; "
    "script-src-attr 'none'; style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)

BALANCED = [
    ("Cross-Origin-Resource-Policy", "same-origin"),
    ("Content-Security-Policy", BASELINE_CSP),
    ("Strict-Transport-Security", "max-age=31536000; includeSubDomains"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Server", ""),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "SAMEORIGIN"),
]


@pytest.fixture
def balanced() -> list[tuple[str, str]]:
    """The BALANCED preset's headers, exactly as SPEC §3 lists them."""
    return list(BALANCED)


@pytest.fixture
def baseline_csp() -> str:
    """The CSP shared by BALANCED and BASIC."""
    return BASELINE_CSP
