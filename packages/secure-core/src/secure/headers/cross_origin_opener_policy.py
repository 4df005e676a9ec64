"""Cross-Origin-Opener-Policy: isolate the browsing context group.

Defined by HTML, "The headers" (#the-coop-headers).
"""

from __future__ import annotations

from typing import ClassVar

from secure._compat._builders import ReplaceCustomCompat
from secure.headers._token import ReportingTokenHeader

__all__ = ["CrossOriginOpenerPolicy"]


class CrossOriginOpenerPolicy(ReplaceCustomCompat, ReportingTokenHeader):
    """The ``Cross-Origin-Opener-Policy`` header; ``same-origin`` unless configured.

    Example: ``CrossOriginOpenerPolicy().same_origin_allow_popups().report_to("coop")``
    renders ``same-origin-allow-popups; report-to="coop"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "Cross-Origin-Opener-Policy"
    # HTML #the-coop-headers: the opener policy values, parsed as RFC 9651 tokens (case-sensitive).
    _TOKENS: ClassVar[tuple[str, ...]] = (
        "same-origin",
        "same-origin-allow-popups",
        "unsafe-none",
        "noopener-allow-popups",
    )
    _DEFAULT: ClassVar[str] = "same-origin"

    def same_origin(self) -> CrossOriginOpenerPolicy:
        """Share a browsing context group only with same-origin, same-policy documents."""
        return self._use("same-origin")

    def same_origin_allow_popups(self) -> CrossOriginOpenerPolicy:
        """Like ``same-origin``, but keep references to popups this page opens."""
        return self._use("same-origin-allow-popups")

    def unsafe_none(self) -> CrossOriginOpenerPolicy:
        """No isolation: the browser default."""
        return self._use("unsafe-none")

    def noopener_allow_popups(self) -> CrossOriginOpenerPolicy:
        """Always sever the opener, even for same-origin openers."""
        return self._use("noopener-allow-popups")
