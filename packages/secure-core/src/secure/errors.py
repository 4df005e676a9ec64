"""Exceptions raised by :mod:`secure`."""

from __future__ import annotations

__all__ = ["HeaderSetError"]


class HeaderSetError(Exception):
    """A response object refused a header, or failed while one was being set.

    The original exception is chained as ``__cause__``.
    """
