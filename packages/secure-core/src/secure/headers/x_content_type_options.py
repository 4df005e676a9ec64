"""X-Content-Type-Options: turn off MIME sniffing (Fetch "X-Content-Type-Options header")."""

from __future__ import annotations

from typing import ClassVar

from secure.headers._token import TokenHeader

__all__ = ["XContentTypeOptions"]


class XContentTypeOptions(TokenHeader):
    """The ``X-Content-Type-Options`` header; ``nosniff`` is its only value.

    Example: ``XContentTypeOptions().nosniff().header_value == "nosniff"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "X-Content-Type-Options"
    _TOKENS: ClassVar[tuple[str, ...]] = ("nosniff",)
    _DEFAULT: ClassVar[str] = "nosniff"
    # Fetch "determine nosniff": an ASCII case-insensitive match for `nosniff`.
    _CASE_SENSITIVE: ClassVar[bool] = False

    def nosniff(self) -> XContentTypeOptions:
        """Block responses whose Content-Type does not match their use (the default)."""
        return self._use("nosniff")
