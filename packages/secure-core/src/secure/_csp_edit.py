"""Editing a policy without weakening it: adding sources and the nonce slot.

The configuration loader (``nonce``), ``Secure.derive`` and every per-route override
add sources through these two functions, so they all follow one rule: a directive the
policy lacks starts from the directive the browser would have used instead (its CSP
Level 3 fallback), so adding a CDN to ``img-src`` never takes ``'self'`` away from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from secure.headers import ContentSecurityPolicy
from secure.headers._csp_grammar import fallback_chain
from secure.nonce import NONCE

__all__ = ["add_nonce", "extend"]

# The element kinds a nonce governs: the nonce goes into every directive present that
# decides for that kind (CSP Level 3 §6.7.3: script-src-elem, when present, decides for
# <script> elements instead of script-src).
_ELEMENT_DIRECTIVES: Final[Mapping[str, tuple[str, ...]]] = {
    "script-src": ("script-src", "script-src-elem"),
    "style-src": ("style-src", "style-src-elem"),
}


def _inherited(policy: Mapping[str, tuple[str, ...]], directive: str) -> tuple[str, ...]:
    """What ``directive`` allows today: its own sources, or its fallback's."""
    # CSP Level 3 §6.8.3: the first directive of the chain the policy sets decides.
    for governing in fallback_chain(directive):
        if governing in policy:
            return policy[governing]
    return ()


def extend(csp: ContentSecurityPolicy, directive: str, sources: Iterable[str]) -> None:
    """Allow ``sources`` for ``directive`` too, keeping everything it allowed before.

    A missing directive starts from its fallback's sources; ``'none'`` is replaced (it
    cannot stand beside a source, CSP Level 3 §2.3.1).
    """
    name = directive.replace("_", "-").lower() if isinstance(directive, str) else directive
    added = list(sources)
    current = _inherited(csp.directives, name)
    kept = [s for s in current if s.lower() != "'none'"]
    # Setting an existing directive keeps its place in the policy; a new one goes last.
    csp.custom_directive(name, *dict.fromkeys([*kept, *added]))


def add_nonce(csp: ContentSecurityPolicy, directives: Iterable[str]) -> None:
    """Put the nonce slot into each directive, and into the element-level directives
    (``script-src-elem`` for ``script-src``, ...) that the policy already has."""
    policy = csp.directives
    targets: dict[str, None] = {}
    for directive in directives:
        name = directive.replace("_", "-").lower()
        for target in _ELEMENT_DIRECTIVES.get(name, (name,)):
            if target == name or target in policy:
                targets[target] = None
    for target in targets:
        if NONCE not in csp.directives.get(target, ()):
            extend(csp, target, [NONCE])
