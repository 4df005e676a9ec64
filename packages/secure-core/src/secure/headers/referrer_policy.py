"""Referrer-Policy: how much of the URL goes in the Referer header (W3C Referrer Policy)."""

from __future__ import annotations

from typing import ClassVar, Final

from secure._compat._builders import ReferrerPolicyCompat
from secure._docs import see_header
from secure.headers._token import SimpleHeader, split_list, unknown

__all__ = ["ReferrerPolicy"]

# Referrer Policy §3: the policy tokens (the empty string, "no policy", is not offered).
TOKENS: Final = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "same-origin",
    "origin",
    "strict-origin",
    "origin-when-cross-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)
_DEFAULT: Final = "strict-origin-when-cross-origin"


class ReferrerPolicy(ReferrerPolicyCompat, SimpleHeader):
    """The ``Referrer-Policy`` header; ``strict-origin-when-cross-origin`` unless configured.

    Each method adds its token; several build a fallback list, in call order. A browser
    uses the last token it understands (Referrer Policy §8.1), so put the newest policy
    last. Calling a token again moves it to the end.

    Example: ``ReferrerPolicy().no_referrer().strict_origin_when_cross_origin()``
    renders ``no-referrer, strict-origin-when-cross-origin``.
    """

    __slots__ = ("_tokens",)

    _NAME: ClassVar[str] = "Referrer-Policy"

    def __init__(self) -> None:
        super().__init__()
        self._tokens: list[str] = []

    def no_referrer(self) -> ReferrerPolicy:
        """Never send a Referer."""
        return self._add("no-referrer")

    def no_referrer_when_downgrade(self) -> ReferrerPolicy:
        """Send the full URL, except from HTTPS to HTTP."""
        return self._add("no-referrer-when-downgrade")

    def origin(self) -> ReferrerPolicy:
        """Send only the origin."""
        return self._add("origin")

    def origin_when_cross_origin(self) -> ReferrerPolicy:
        """Full URL to the same origin, only the origin elsewhere."""
        return self._add("origin-when-cross-origin")

    def same_origin(self) -> ReferrerPolicy:
        """Full URL to the same origin, nothing elsewhere."""
        return self._add("same-origin")

    def strict_origin(self) -> ReferrerPolicy:
        """Only the origin, and nothing from HTTPS to HTTP."""
        return self._add("strict-origin")

    def strict_origin_when_cross_origin(self) -> ReferrerPolicy:
        """Full URL same-origin, origin cross-origin, nothing on downgrade (the default)."""
        return self._add("strict-origin-when-cross-origin")

    def unsafe_url(self) -> ReferrerPolicy:
        """Always send the full URL, even from HTTPS to HTTP (leaks paths and queries)."""
        return self._add("unsafe-url")

    def _add(self, token: str) -> ReferrerPolicy:
        self._raw = None
        # The last token wins, so a repeat must move to the end to keep its meaning.
        if token in self._tokens:
            self._tokens.remove(token)
        self._tokens.append(token)
        return self

    def _render(self) -> str:
        return ", ".join(self._tokens) if self._tokens else _DEFAULT

    def _reset(self) -> None:
        self._tokens = []

    def _check_raw(self, value: str) -> None:
        tokens: list[str] = []
        for token in split_list(value):
            if not token:
                raise ValueError(
                    see_header(
                        f"{self.header_name}: empty policy in {value!r}; write one or more "
                        "policy tokens separated by ', ', e.g. 'no-referrer, strict-origin'",
                        self.header_name,
                    )
                )
            # Referrer Policy §8.1 matches tokens exactly, so 'No-Referrer' is ignored.
            if token not in TOKENS:
                raise unknown(self.header_name, "policy", token, TOKENS, within=value)
            if token in tokens:
                tokens.remove(token)
            tokens.append(token)
        # Adopt the list so later method calls extend it.
        self._tokens = tokens
