"""X-DNS-Prefetch-Control: whether the browser prefetches DNS for links (non-standard).

Documented by MDN ("X-DNS-Prefetch-Control"); Chromium and Firefox read ``on`` / ``off``
case-insensitively.
"""

from __future__ import annotations

from typing import ClassVar

from secure._compat._builders import XDnsPrefetchControlCompat
from secure.headers._token import TokenHeader

__all__ = ["XDnsPrefetchControl"]


class XDnsPrefetchControl(XDnsPrefetchControlCompat, TokenHeader):
    """The ``X-DNS-Prefetch-Control`` header; ``off`` unless configured.

    Example: ``XDnsPrefetchControl().on().header_value == "on"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "X-DNS-Prefetch-Control"
    _TOKENS: ClassVar[tuple[str, ...]] = ("on", "off")
    _DEFAULT: ClassVar[str] = "off"
    _CASE_SENSITIVE: ClassVar[bool] = False

    def on(self) -> XDnsPrefetchControl:
        """Allow DNS prefetching."""
        return self._use("on")

    def off(self) -> XDnsPrefetchControl:
        """Disable DNS prefetching, so links do not leak lookups (the default)."""
        return self._use("off")
