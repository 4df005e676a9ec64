"""Cross-Origin-Embedder-Policy: which cross-origin subresources may load.

Defined by HTML, "The headers" (#the-coep-headers).
"""

from __future__ import annotations

from typing import ClassVar

from secure.headers._token import ReportingTokenHeader

__all__ = ["CrossOriginEmbedderPolicy"]


class CrossOriginEmbedderPolicy(ReportingTokenHeader):
    """The ``Cross-Origin-Embedder-Policy`` header; ``require-corp`` unless configured.

    Example: ``CrossOriginEmbedderPolicy().credentialless().header_value == "credentialless"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "Cross-Origin-Embedder-Policy"
    # HTML #the-coep-headers: embedder policy values, parsed as RFC 9651 tokens (case-sensitive).
    _TOKENS: ClassVar[tuple[str, ...]] = ("require-corp", "credentialless", "unsafe-none")
    _DEFAULT: ClassVar[str] = "require-corp"

    def require_corp(self) -> CrossOriginEmbedderPolicy:
        """Load cross-origin resources only if they opt in with CORP or CORS."""
        return self._use("require-corp")

    def credentialless(self) -> CrossOriginEmbedderPolicy:
        """Load no-CORS cross-origin resources without credentials."""
        return self._use("credentialless")

    def unsafe_none(self) -> CrossOriginEmbedderPolicy:
        """No restriction: the browser default."""
        return self._use("unsafe-none")
