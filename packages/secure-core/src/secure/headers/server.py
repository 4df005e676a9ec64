"""Server: the product name the response advertises (RFC 9110 §10.2.4)."""

from __future__ import annotations

from typing import ClassVar

from secure.headers._token import SimpleHeader

__all__ = ["Server"]


class Server(SimpleHeader):
    """The ``Server`` header; empty unless configured, so the stack is not advertised.

    An empty value replaces whatever the framework or server would send; RFC 9110
    §10.2.4 warns that detailed product tokens help attackers find known flaws.

    Example: ``Server().set("").header_value == ""``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "Server"

    def _render(self) -> str:
        return ""
