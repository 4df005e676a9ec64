"""Exceptions raised by :mod:`secure`."""

from __future__ import annotations

__all__ = ["HeaderSetError"]


class HeaderSetError(RuntimeError):
    """A response object refused a header, or failed while one was being set.

    The original exception is chained as ``__cause__``. A ``RuntimeError``, as in 2.x, so
    ``except RuntimeError`` keeps catching it.
    """
