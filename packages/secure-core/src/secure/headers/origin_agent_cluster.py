"""Origin-Agent-Cluster: ask for an origin-keyed agent cluster.

Defined by HTML, "Origin-keyed agent clusters".
"""

from __future__ import annotations

from typing import ClassVar

from secure.headers._token import TokenHeader

__all__ = ["OriginAgentCluster"]


class OriginAgentCluster(TokenHeader):
    """The ``Origin-Agent-Cluster`` header; ``?1`` unless configured.

    Example: ``OriginAgentCluster().off().header_value == "?0"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "Origin-Agent-Cluster"
    # HTML parses the header as an RFC 9651 §3.3.6 boolean: `?1` or `?0`.
    _TOKENS: ClassVar[tuple[str, ...]] = ("?1", "?0")
    _DEFAULT: ClassVar[str] = "?1"

    def on(self) -> OriginAgentCluster:
        """Request origin-keyed isolation (the default)."""
        return self._use("?1")

    def off(self) -> OriginAgentCluster:
        """Request site-keyed agent clusters."""
        return self._use("?0")
