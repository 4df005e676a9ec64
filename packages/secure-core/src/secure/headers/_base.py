"""What header builders share.

:class:`BaseHeader`: a name, a rendered value, ``set`` and ``clear``, for every builder.
:class:`PolicyHeader`: named members in order and a report-only mode, for the two policy
headers that have one (Content-Security-Policy and Permissions-Policy).
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from secure._compat._builders import RawValueCompat
from secure._docs import see_header
from secure._validation import check_field_value

__all__ = ["BaseHeader", "PolicyHeader"]

_H = TypeVar("_H", bound="BaseHeader")
_Pol = TypeVar("_Pol", bound="PolicyHeader[Any]")
_M = TypeVar("_M")


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


class PolicyHeader(BaseHeader, Generic[_M]):
    """A policy: named members (directives, features) in the order first set, and a mode.

    ``report_only()`` switches the field name to ``_REPORT_ONLY_NAME`` (the policy is
    reported on, not enforced); the mode is the builder's identity, so ``clear()`` keeps
    it. ``set(value)`` parses the raw value into members (``_parse``), so later method
    calls edit it; the raw string is sent verbatim until they do. With no member the
    builder sends ``_DEFAULT``. Subclasses define those, ``_parse`` and ``_render_members``.
    """

    __slots__ = ("_members", "_report_only")

    _REPORT_ONLY_NAME: ClassVar[str]
    _DEFAULT: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self._members: dict[str, _M] = {}
        self._report_only = False

    @property
    def header_name(self) -> str:
        """The enforced field name, or its ``-Report-Only`` twin after ``report_only()``."""
        return self._REPORT_ONLY_NAME if self._report_only else self._NAME

    def report_only(self: _Pol, enabled: bool = True) -> _Pol:
        """Send the policy under its report-only field name: reported on, not enforced."""
        if not isinstance(enabled, bool):
            raise TypeError(
                see_header(
                    f"{self._NAME}: report_only() takes True or False, got {enabled!r}",
                    self._NAME,
                )
            )
        self._report_only = enabled
        return self

    def set(self: _Pol, value: str) -> _Pol:
        """Use a raw policy; it is validated with the same rules as the methods.

        The raw string is sent verbatim; later method calls edit the policy parsed from it.
        """
        value = check_field_value(self.header_name, value)
        self._members = self._parse(value)
        self._raw = value
        return self

    def copy(self: _Pol) -> _Pol:
        """An independent builder with the same policy and mode."""
        new = type(self)()
        new._members = dict(self._members)
        new._report_only = self._report_only
        new._raw = self._raw
        return new

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PolicyHeader) or other._NAME != self._NAME:
            return NotImplemented
        return (
            self._report_only == other._report_only
            and self._raw == other._raw
            and list(self._members.items()) == list(other._members.items())
        )

    def _render(self) -> str:
        return self._render_members() if self._members else self._DEFAULT

    def _render_members(self) -> str:
        raise NotImplementedError

    def _parse(self, value: str) -> dict[str, _M]:
        """The members of a raw value; ``ValueError`` naming the header when it is invalid."""
        raise NotImplementedError

    def _check_raw(self, value: str) -> None:
        self._parse(value)

    def _reset(self) -> None:
        self._members = {}

    def _discard(self, name: str) -> None:
        """Remove one member; a raw value no longer matches the members, so it goes too."""
        if self._members.pop(name, None) is not None:
            self._raw = None
