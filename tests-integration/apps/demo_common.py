"""What every demo app shares: the header configuration, the page scripts, the cookies.

The demo apps (``flask_app.py``, ``django_demo/``, ``fastapi_app.py``, ``starlette_app.py``)
each serve the same routes with their framework's own API, so the integration tests can
send the same requests to every stack and expect the same headers:

========================  ===============================================================
``/``                     HTML page: a nonce'd script, an inline script without the
                          nonce, a script allowed by its hash, a tampered copy of it,
                          and ``/static/app.js``; sets two cookies
``/features``             HTML page that asks for geolocation and the camera
``/features/allowed``     the same page without Permissions-Policy
``/xfo-only``             the page without CSP: only X-Frame-Options guards framing
``/embeddable``           the page without CSP nor X-Frame-Options: anyone can frame it
``/referrer/no-referrer`` the page with ``Referrer-Policy: no-referrer``
``/referrer/unsafe-url``  the page with ``Referrer-Policy: unsafe-url``
``/report-only``          the page with a report-only policy that allows no script
``/redirect``             302 to ``/``
``/stream``               a streamed (chunked) plain-text body
``/boom``                 raises: the framework's 500 page
``/static/...``           static files: ``hello.txt``, ``app.js``
========================  ===============================================================

``DEMO_CSP_REPORT_URI`` in the environment adds a ``report-uri`` to the policies.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

import secure

__all__ = [
    "COOKIES",
    "HASHED_SCRIPT",
    "HERE",
    "INLINE_SCRIPT",
    "PAGE_CONTEXT",
    "REPORT_ONLY_HEADER",
    "SECURE_HEADERS",
    "STATIC_DIR",
    "STREAM_CHUNKS",
    "TAMPERED_SCRIPT",
    "TEMPLATES_DIR",
    "config",
    "report_only_policy",
]

HERE: Final = Path(__file__).resolve().parent
TEMPLATES_DIR: Final = HERE / "templates"
STATIC_DIR: Final = HERE / "static"

#: The body of the page's inline script that has neither nonce nor hash: always blocked.
INLINE_SCRIPT: Final = 'document.getElementById("inline").textContent = "inline script ran";'
#: The body of an inline script the policy allows by its hash (CSP Level 3 §8.4: the
#: hash covers the exact text between <script> and </script>).
HASHED_SCRIPT: Final = 'document.getElementById("hashed").textContent = "hashed script ran";'
#: The same script with one word changed: its hash is not in the policy.
TAMPERED_SCRIPT: Final = HASHED_SCRIPT.replace('"hashed"', '"tampered"').replace(
    "hashed script", "tampered script"
)

#: What the page templates get: the three scripts' bodies. Read-only: pass a copy, as
#: Starlette's ``TemplateResponse`` stores the request in the context it is given.
PAGE_CONTEXT: Final = MappingProxyType(
    {
        "inline_script": INLINE_SCRIPT,
        "hashed_script": HASHED_SCRIPT,
        "tampered_script": TAMPERED_SCRIPT,
    }
)

#: Cookies ``/`` sets: the middleware must pass both Set-Cookie headers through intact.
COOKIES: Final[tuple[tuple[str, str, dict[str, Any]], ...]] = (
    ("demo_session", "s3ss10n", {"httponly": True, "samesite": "Lax"}),
    ("demo_theme", "dark", {}),
)

#: What ``/stream`` sends, one chunk at a time.
STREAM_CHUNKS: Final = tuple(f"chunk {i}\n" for i in range(5))

REPORT_ONLY_HEADER: Final = "Content-Security-Policy-Report-Only"


def config(report_uri: str | None = None) -> dict[str, Any]:
    """The shared configuration (docs/configuration.md) every demo app uses.

    BALANCED, plus a per-request nonce and one hash in ``script-src``; with
    ``report_uri``, the browser reports violations there (CSP Level 3 §6.4.1).
    """
    csp: dict[str, Any] = {"script-src": ["'self'", secure.csp_hash(HASHED_SCRIPT)]}
    if report_uri:
        csp["report-uri"] = [report_uri]
    return {"preset": "balanced", "csp": csp, "nonce": ["script-src"]}


def report_only_policy(report_uri: str | None = None) -> str:
    """A trial policy that allows no script at all: it reports the page's scripts,
    and blocks nothing (CSP Level 3 §3.2, report-only policies)."""
    policy = "script-src 'none'"
    return f"{policy}; report-uri {report_uri}" if report_uri else policy


REPORT_URI: Final = os.environ.get("DEMO_CSP_REPORT_URI") or None
SECURE_HEADERS: Final = config(REPORT_URI)
REPORT_ONLY_POLICY: Final = report_only_policy(REPORT_URI)
