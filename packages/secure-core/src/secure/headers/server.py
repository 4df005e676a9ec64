"""Server: the product name the response advertises (RFC 9110 §10.2.4)."""

from __future__ import annotations

from typing import ClassVar, Final

from secure._docs import see_header
from secure._validation import TCHAR, compiled
from secure.headers._token import SimpleHeader

__all__ = ["Server"]


# RFC 9110 §10.2.4: Server = product *( RWS ( product / comment ) );
# product = token [ "/" product-version ]; product-version = token (§5.6.2 tchar).
# Compiled on the first parse: ``Server().set("")``, what the presets send, never needs it.
_PRODUCT: Final = rf"{TCHAR}+(?:/{TCHAR}+)?"
_RWS: Final = r"[ \t]+"


# RFC 9110 §5.6.5: ctext = HTAB / SP / %x21-27 / %x2A-5B / %x5D-7E (obs-text is never sent).
_CTEXT: Final = frozenset("\t " + "".join(chr(c) for c in range(0x21, 0x7F) if c not in b"()\\"))


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

    def _check_raw(self, value: str) -> None:
        # The empty value is not in the grammar, but it is this builder's purpose: it
        # replaces whatever the framework would advertise.
        product_pattern, rws = compiled(_PRODUCT), compiled(_RWS)
        position, first = 0, True
        while position < len(value):
            if not first:
                gap = rws.match(value, position)
                if gap is None or gap.end() == len(value):
                    raise self._error(value, position)
                position = gap.end()
            if value[position] == "(" and not first:
                position = self._comment_end(value, position)
            else:
                product = product_pattern.match(value, position)
                if product is None:
                    raise self._error(value, position)
                position = product.end()
            first = False

    def _comment_end(self, value: str, position: int) -> int:
        # comment = "(" *( ctext / quoted-pair / comment ) ")"
        # quoted-pair = "\" ( HTAB / SP / VCHAR )
        depth, start = 0, position
        while position < len(value):
            char = value[position]
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return position + 1
            elif char == "\\":
                position += 1
                if position == len(value):
                    break
            elif char not in _CTEXT:
                raise self._error(value, position)
            position += 1
        raise self._error(value, start)

    def _error(self, value: str, position: int) -> ValueError:
        return ValueError(
            see_header(
                f"{self.header_name}: cannot parse {value!r} at character {position}; a Server "
                "value is products and comments such as 'example/1.0 (linux)' (RFC 9110 §10.2.4), "
                "or empty to advertise nothing",
                self.header_name,
            )
        )
