"""The one "did you mean ...?" helper for every closed vocabulary in the library."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["closest", "suggest"]

# No name, key or token is longer; difflib's matching is quadratic in the length.
_MAX_WORD = 64


def closest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The choice closest to ``word`` (case and ``-``/``_`` ignored), or ``None``."""
    if not isinstance(word, str) or len(word) > _MAX_WORD:
        return None
    # Imported here: difflib is only needed on the error path.
    from difflib import SequenceMatcher

    def folded(text: str) -> str:
        return text.lower().replace("_", "-")

    target = folded(word)
    best: tuple[float, str] | None = None
    for choice in choices:
        matcher = SequenceMatcher(None, target, folded(choice))
        if matcher.real_quick_ratio() < cutoff or matcher.quick_ratio() < cutoff:
            continue
        score = matcher.ratio()
        if score >= cutoff and (best is None or score > best[0]):
            best = (score, choice)
    return best[1] if best else None


def suggest(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str:
    """``"; did you mean 'x'?"`` for the closest choice, or ``""`` when none is close."""
    match = closest(word, choices, cutoff=cutoff)
    return f"; did you mean {match!r}?" if match is not None else ""
