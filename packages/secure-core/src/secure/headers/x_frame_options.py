"""X-Frame-Options: whether the page may be framed (RFC 7034; HTML "The X-Frame-Options header")."""

from __future__ import annotations

from typing import ClassVar

from secure._compat._builders import XFrameOptionsCompat
from secure._docs import see_header
from secure.headers._token import TokenHeader

__all__ = ["XFrameOptions"]


class XFrameOptions(XFrameOptionsCompat, TokenHeader):
    """The ``X-Frame-Options`` header; ``SAMEORIGIN`` unless configured.

    Example: ``XFrameOptions().deny().header_value == "DENY"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "X-Frame-Options"
    _TOKENS: ClassVar[tuple[str, ...]] = ("DENY", "SAMEORIGIN")
    _DEFAULT: ClassVar[str] = "SAMEORIGIN"
    # RFC 7034 §2.1 and HTML's "X-Frame-Options" processing compare case-insensitively.
    _CASE_SENSITIVE: ClassVar[bool] = False

    def deny(self) -> XFrameOptions:
        """Never allow the page in a frame."""
        return self._use("DENY")

    def sameorigin(self) -> XFrameOptions:
        """Allow framing only by pages of the same origin."""
        return self._use("SAMEORIGIN")

    def _match(self, value: str) -> str:
        # ALLOW-FROM (RFC 7034 §2.1) was never implemented consistently and HTML's
        # processing model treats it as invalid, which browsers then ignore entirely.
        if value.lower().startswith("allow-from"):
            raise ValueError(
                see_header(
                    f"{self.header_name}: {value!r} is obsolete: browsers ignore ALLOW-FROM "
                    "(HTML, X-Frame-Options processing). Use 'DENY' or 'SAMEORIGIN' here, "
                    "and allow specific origins with the Content-Security-Policy directive "
                    "frame-ancestors <origin> (CSP Level 3 §6.4.2)",
                    self.header_name,
                )
            )
        return super()._match(value)
