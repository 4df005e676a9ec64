"""Security headers for Django, configured by one ``SECURE_HEADERS`` setting.

::

    INSTALLED_APPS = [..., "secure_django"]
    MIDDLEWARE = [
        "django.middleware.security.SecurityMiddleware",
        "secure_django.middleware.SecureHeadersMiddleware",
        ...
    ]
    SECURE_HEADERS = {"preset": "balanced", "nonce": True}
"""

from __future__ import annotations

from secure_django._conf import get_secure
from secure_django.decorators import (
    add_csp_sources,
    exempt,
    exempt_headers,
    override,
    override_headers,
    replace_csp,
)
from secure_django.middleware import CachedNonceWarning, SecureHeadersMiddleware
from secure_django.reports import reports_view

__all__ = [
    "CachedNonceWarning",
    "SecureHeadersMiddleware",
    "add_csp_sources",
    "exempt",
    "exempt_headers",
    "get_secure",
    "override",
    "override_headers",
    "replace_csp",
    "reports_view",
]
