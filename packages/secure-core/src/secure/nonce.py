"""Per-request CSP nonces and hash sources.

A Content-Security-Policy can hold a *nonce slot*: the source :data:`NONCE` in any
directive (usually ``script-src`` and ``style-src``). Every response then gets a fresh
nonce from :func:`generate_nonce`, substituted into the prebuilt header, and the same
value is handed to the code that renders the page (CSP Level 3 §6.7.2.2).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Final, Literal

__all__ = ["NONCE", "NONCE_BYTES", "csp_hash", "generate_nonce"]

#: The nonce slot: put it in a CSP directive's sources, e.g.
#: ``ContentSecurityPolicy().script_src("'self'", NONCE)``. Each response replaces
#: ``{nonce}`` with a fresh value.
NONCE: Final = "'nonce-{nonce}'"

#: Random bytes per nonce: 128 bits, the minimum CSP Level 3 §7.2 recommends.
NONCE_BYTES: Final = 16

_PLACEHOLDER: Final = "{nonce}"


def generate_nonce() -> str:
    """A fresh nonce: 128 bits from :mod:`secrets`, URL-safe base64 without padding.

    The alphabet (A-Z a-z 0-9 ``-`` ``_``) is inside CSP's ``base64-value`` grammar
    (CSP Level 3 §2.3.1) and is safe in HTML attributes without escaping.
    """
    return secrets.token_urlsafe(NONCE_BYTES)


def csp_hash(
    content: str | bytes, algorithm: Literal["sha256", "sha384", "sha512"] = "sha256"
) -> str:
    """The CSP hash source for an inline ``<script>`` or ``<style>`` body.

    ``content`` is the exact text between the tags (str is encoded as UTF-8, as browsers
    do, CSP Level 3 §8.4). Returns e.g. ``'sha256-...'``, ready for ``script_src``.

    >>> csp_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    if algorithm not in ("sha256", "sha384", "sha512"):
        raise ValueError(
            f"Content-Security-Policy: unsupported hash algorithm {algorithm!r}; "
            "use 'sha256', 'sha384' or 'sha512' (CSP Level 3 §2.3.1)"
        )
    data = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.new(algorithm, data).digest()
    return f"'{algorithm}-{base64.b64encode(digest).decode('ascii')}'"
