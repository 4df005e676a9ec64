"""Any other header, by name and value, validated against RFC 9110 §5."""

from __future__ import annotations

from secure._validation import check_field_name, check_field_value
from secure.headers._token import SimpleHeader

__all__ = ["CustomHeader"]


class CustomHeader(SimpleHeader):
    """A header this library has no builder for; ``clear()`` returns to ``value``.

    Both parts are checked when the object is made: the name must be an RFC 9110
    token (§5.1) and the value a valid field value without control characters (§5.5).

    Example: ``CustomHeader("X-Robots-Tag", "noindex").header_value == "noindex"``.
    """

    __slots__ = ("_name", "_value")

    def __init__(self, header: str, value: str) -> None:
        super().__init__()
        self._name = check_field_name(header)
        self._value = check_field_value(self._name, value)

    @property
    def header_name(self) -> str:
        """The field name as given, e.g. ``"X-Robots-Tag"``."""
        return self._name

    def _render(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"CustomHeader({self._name!r}, {self.header_value!r})"
