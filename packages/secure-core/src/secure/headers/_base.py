"""The base every header builder shares: a name, a rendered value, ``set`` and ``clear``."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from secure._compat._builders import RawValueCompat
from secure._validation import check_field_value

__all__ = ["BaseHeader"]

_H = TypeVar("_H", bound="BaseHeader")


class BaseHeader(RawValueCompat):
    """Base class of the header builders.

    A builder keeps structured state (directives, tokens, numbers) and renders it to one
    field value. ``set(value)`` replaces the structured state with a raw value, which is
    validated against the header's grammar; ``clear()`` forgets both and returns the
    builder to its default. Subclasses define ``_NAME`` and ``_render``, and may refine
    ``_check_raw`` (the grammar of a raw value) and ``_reset`` (back to defaults).
    """

    __slots__ = ("_raw",)

    _NAME: ClassVar[str]

    def __init__(self) -> None:
        self._raw: str | None = None

    @property
    def header_name(self) -> str:
        """The field name this builder renders, e.g. ``"Strict-Transport-Security"``."""
        return self._NAME

    @property
    def header_value(self) -> str:
        """The rendered field value; always a valid RFC 9110 field value."""
        if self._raw is not None:
            return self._raw
        return check_field_value(self.header_name, self._render())

    @property
    def has_nonce(self) -> bool:
        """True when the value holds a per-request nonce slot (only CSP can)."""
        return False

    def set(self: _H, value: str) -> _H:
        """Use ``value`` verbatim (after validation) instead of the structured state."""
        value = check_field_value(self.header_name, value)
        self._check_raw(value)
        self._raw = value
        return self

    def clear(self: _H) -> _H:
        """Forget any raw value and structured state; back to the builder's default."""
        self._raw = None
        self._reset()
        return self

    def copy(self: _H) -> _H:
        """An independent copy: changing one never changes the other."""
        import copy

        return copy.deepcopy(self)

    def _render(self) -> str:
        raise NotImplementedError

    def _check_raw(self, value: str) -> None:
        """Check a raw value against the header's grammar; raise ``ValueError`` if wrong."""

    def _reset(self) -> None:
        """Return the structured state to the builder's default."""

    def __repr__(self) -> str:
        try:
            value = self.header_value
        except ValueError as exc:
            value = f"<invalid: {exc}>"
        return f"{type(self).__name__}({self.header_name}: {value!r})"
