"""From violation reports to a configuration change: what to allow, and what not to.

Reports are grouped by (type, disposition, directive, blocked origin); each CSP group
becomes a source to add to the directive that actually governs the blocked load (CSP3
§6.8.3: an effective directive such as ``script-src-elem`` falls back to ``script-src``
and then ``default-src``), written in the shared configuration format. What must not
be allowed by a source (inline code, ``eval``, ``data:`` scripts) becomes a note.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from secure.reports._record import Report, blocked_key

__all__ = ["Group", "Note", "Proposal", "group_reports", "propose"]

# CSP3 §6.8.3 / §6.8.4: each effective directive and the directives it falls back to.
_FALLBACK: Final[dict[str, tuple[str, ...]]] = {
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "script-src-attr": ("script-src-attr", "script-src", "default-src"),
    "style-src-elem": ("style-src-elem", "style-src", "default-src"),
    "style-src-attr": ("style-src-attr", "style-src", "default-src"),
    "script-src": ("script-src", "default-src"),
    "style-src": ("style-src", "default-src"),
    "worker-src": ("worker-src", "child-src", "script-src", "default-src"),
    "frame-src": ("frame-src", "child-src", "default-src"),
    "fenced-frame-src": ("fenced-frame-src", "frame-src", "child-src", "default-src"),
    "child-src": ("child-src", "default-src"),
    "connect-src": ("connect-src", "default-src"),
    "font-src": ("font-src", "default-src"),
    "img-src": ("img-src", "default-src"),
    "manifest-src": ("manifest-src", "default-src"),
    "media-src": ("media-src", "default-src"),
    "object-src": ("object-src", "default-src"),
    "prefetch-src": ("prefetch-src", "default-src"),
}
# Directives that never fall back to default-src (CSP3 §6.3, §6.4).
_STANDALONE: Final = ("base-uri", "form-action", "frame-ancestors")

# Where executing code could come from: a scheme source there runs anyone's code.
_CODE_DIRECTIVES: Final = frozenset(
    ("script-src", "script-src-elem", "script-src-attr", "worker-src", "object-src", "base-uri")
)

_KEY_FOR: Final = {"enforce": "csp", "report": "csp_report_only"}


@dataclass(frozen=True)
class Group:
    """Reports of one kind: how many, and on which pages."""

    type: str
    disposition: str
    directive: str
    blocked: str
    count: int
    paths: tuple[str, ...]
    sample: Report


@dataclass(frozen=True)
class Note:
    """A violation the proposal leaves alone, and what to do instead."""

    key: str
    directive: str
    blocked: str
    count: int
    paths: tuple[str, ...]
    advice: str


@dataclass(frozen=True)
class Proposal:
    """A change in the shared configuration format, and the notes beside it.

    ``config`` maps ``csp``/``csp_report_only`` to directive -> the directive's whole new
    source list (the configuration format replaces a directive's sources).
    ``added`` lists, per key and directive, only the new sources.
    """

    config: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    added: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    notes: tuple[Note, ...] = ()


def _disposition(report: Report) -> str:
    # Old report-uri bodies have no disposition; they came from an enforced policy.
    return report.disposition if report.disposition in ("enforce", "report") else "enforce"


def group_reports(reports: Iterable[Report]) -> list[Group]:
    """Group reports by (type, disposition, directive, blocked origin); most frequent first."""
    counts: dict[tuple[str, str, str, str], list[Report]] = {}
    for report in reports:
        disposition = _disposition(report) if report.type == "csp-violation" else report.disposition
        key = (report.type, disposition, report.directive, report.blocked_origin)
        counts.setdefault(key, []).append(report)
    groups = [
        Group(
            type=key[0],
            disposition=key[1],
            directive=key[2],
            blocked=key[3],
            count=len(members),
            paths=tuple(sorted({r.document_path for r in members if r.document_path})),
            sample=members[0],
        )
        for key, members in counts.items()
    ]
    groups.sort(key=lambda g: (-g.count, g.type, g.disposition, g.directive, g.blocked))
    return groups


def _policy_directives(policy: str) -> dict[str, list[str]]:
    """A serialized policy's directives (CSP3 §2.2.1: the first of a name wins)."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        tokens = part.split()
        if tokens and tokens[0].lower() not in directives:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def _origin(url: str) -> str:
    key = blocked_key(url)
    return key if "://" in key else ""


def _keep(source: str) -> bool:
    # A nonce is per response: the configuration's "nonce" key puts it back.
    return not source.lower().startswith("'nonce-")


def _source_for(group: Group, directive: str) -> tuple[str | None, str]:
    """The source that allows ``group``, or ``None`` and the advice to give instead."""
    blocked = group.blocked
    if blocked in ("inline", ""):
        what = "inline code" if blocked else "an unnamed resource"
        return None, (
            f'{what}: add a nonce ("nonce": true) or a hash source '
            "(secure.nonce.csp_hash), not 'unsafe-inline'"
        )
    if blocked in ("eval", "wasm-eval"):
        return None, "eval(): change the code; 'unsafe-eval' would allow any string to run"
    if blocked.startswith("trusted-types"):
        return None, "Trusted Types: create a policy for this sink in the page's code"
    if "://" in blocked:
        if blocked == _origin(group.sample.url):
            return "'self'", ""
        return blocked, ""
    if blocked.endswith(":"):
        if directive in _CODE_DIRECTIVES:
            return None, (
                f"{blocked} in {directive}: a scheme source would run anyone's code; "
                "serve the code from a URL or use a hash"
            )
        return blocked, ""
    return None, f"{blocked}: not a URL the policy can name"


def _governing(effective: str, policy: dict[str, list[str]]) -> tuple[str, list[str]]:
    """The directive to edit for ``effective``, and its current sources."""
    chain = _FALLBACK.get(effective, (effective,))
    for name in chain:
        if name in policy:
            if name == "default-src":
                break
            return name, [s for s in policy[name] if _keep(s)]
    if effective in _STANDALONE or effective not in _FALLBACK:
        return effective, []
    # Governed by default-src (or nothing): give the load its own directive, starting
    # from default-src's sources so nothing it allowed is lost. -elem/-attr variants are
    # folded into their base directive, which governs both.
    target = effective.removesuffix("-elem").removesuffix("-attr")
    start = [s for s in policy.get("default-src", []) if _keep(s) and s != "'none'"]
    return target, start


def propose(reports: Iterable[Report]) -> Proposal:
    """The configuration change that allows what the CSP reports show was blocked.

    >>> report = Report(type="csp-violation", url="https://a.example/", disposition="enforce",
    ...                 directive="img-src", blocked="https://img.example/x.png",
    ...                 policy="default-src 'self'")
    >>> propose([report]).config
    {'csp': {'img-src': ["'self'", 'https://img.example']}}
    """
    collected = list(reports)
    config: dict[str, dict[str, list[str]]] = {}
    added: dict[str, dict[str, list[str]]] = {}
    notes: list[Note] = []
    for group in group_reports(r for r in collected if r.type == "csp-violation"):
        key = _KEY_FOR[group.disposition]
        policies = [
            _policy_directives(r.policy)
            for r in collected
            if r.type == "csp-violation"
            and _disposition(r) == group.disposition
            and r.policy
            and r.directive == group.directive
        ]
        merged: dict[str, list[str]] = {}
        for policy in policies:
            for name, sources in policy.items():
                current = merged.setdefault(name, [])
                current.extend(s for s in sources if s not in current)
        directive, sources = _governing(group.directive, merged)
        source, advice = _source_for(group, directive)
        strict = "'strict-dynamic'" in (s.lower() for s in sources)
        if source is not None and strict and directive.startswith("script-src"):
            source, advice = (
                None,
                (
                    f"{group.blocked}: {directive} has 'strict-dynamic', which ignores host "
                    "sources; load the script from a nonce'd script instead"
                ),
            )
        if source is None:
            notes.append(
                Note(key, group.directive, group.blocked, group.count, group.paths, advice)
            )
            continue
        target = config.setdefault(key, {})
        current = target.setdefault(directive, list(sources))
        if "'none'" in current:
            current.remove("'none'")
        if source not in current:
            current.append(source)
            added.setdefault(key, {}).setdefault(directive, []).append(source)
        elif source not in added.get(key, {}).get(directive, ()):
            advice = f"{source} is already in {directive}: these reports predate that policy"
            notes.append(
                Note(key, group.directive, group.blocked, group.count, group.paths, advice)
            )
    for key in list(config):
        config[key] = {
            name: sources
            for name, sources in sorted(config[key].items())
            if name in added.get(key, {})
        }
        if not config[key]:
            del config[key]
    return Proposal(config=config, added=added, notes=tuple(notes))
