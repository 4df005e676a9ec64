"""Cross-Origin-Resource-Policy: who may embed this resource.

Defined by Fetch, "Cross-Origin-Resource-Policy header".
"""

from __future__ import annotations

from typing import ClassVar

from secure.headers._token import TokenHeader

__all__ = ["CrossOriginResourcePolicy"]


class CrossOriginResourcePolicy(TokenHeader):
    """The ``Cross-Origin-Resource-Policy`` header; ``same-origin`` unless configured.

    Example: ``CrossOriginResourcePolicy().same_site().header_value == "same-site"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "Cross-Origin-Resource-Policy"
    # Fetch "cross-origin resource policy check": three values, compared byte for byte.
    _TOKENS: ClassVar[tuple[str, ...]] = ("same-origin", "same-site", "cross-origin")
    _DEFAULT: ClassVar[str] = "same-origin"

    def same_origin(self) -> CrossOriginResourcePolicy:
        """Only same-origin pages may load this resource."""
        return self._use("same-origin")

    def same_site(self) -> CrossOriginResourcePolicy:
        """Only pages of the same site may load this resource."""
        return self._use("same-site")

    def cross_origin(self) -> CrossOriginResourcePolicy:
        """Any origin may load this resource."""
        return self._use("cross-origin")
