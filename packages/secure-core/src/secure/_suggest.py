"""The one "did you mean" helper of the package, for error messages.

``difflib`` is imported inside :func:`closest`, on the error path only, so ``import
secure`` never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["closest", "suggest"]

# No key, directive or token is this long; difflib is quadratic in the word's length, so
# a huge bad value must not make building its error message slow.
_MAX_WORD: Final = 64


def _fold(word: str) -> str:
    # Case and "-" versus "_" are the usual slips (config keys are snake_case, header
    # tokens kebab-case), so they never count against a match.
    return word.lower().replace("_", "-")


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` (case and ``-``/``_`` ignored), or ``None``."""
    if not isinstance(word, str) or len(word) > _MAX_WORD:
        return None
    from difflib import get_close_matches

    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(_fold(choice), choice)
    close = get_close_matches(_fold(word), list(by_fold), n=1, cutoff=cutoff)
    return by_fold[close[0]] if close else None


def suggest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the choice closest to ``word``, or ``""``.

    Matching ignores case and treats ``-`` and ``_`` alike; the suggestion is spelled
    as in ``choices``.

    >>> suggest("no-referer", ["no-referrer", "origin"])
    "; did you mean 'no-referrer'?"
    """
    match = closest(word, choices, cutoff=cutoff)
    return f"; did you mean {match!r}?" if match is not None else ""
