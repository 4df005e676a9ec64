"""What every rule module shares: findings, rules, the report and the parsed response."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias, TypeVar

_T = TypeVar("_T")

Severity = Literal["high", "medium", "low", "info"]

#: Severities from the most to the least serious.
SEVERITIES: Final[tuple[Severity, ...]] = ("high", "medium", "low", "info")

# Reference bases the rules cite.
MDN: Final = "https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/"
CSP3: Final = "https://www.w3.org/TR/CSP3/"
OWASP_HEADERS: Final = (
    "https://cheatsheetseries.owasp.org/cheatsheets/HTTP_Headers_Cheat_Sheet.html"
)


@dataclass(frozen=True)
class Finding:
    """One problem: a stable rule id, how serious, which header, why, and where to read more."""

    rule: str
    severity: Severity
    header: str
    message: str
    reference: str


@dataclass(frozen=True)
class Rule:
    """A check the auditor makes; ``summary`` is the reason, as the docs give it."""

    id: str
    severity: Severity
    header: str
    summary: str
    reference: str


class Response:
    """The header fields under audit, by lower-case name, in the order they came."""

    def __init__(self, items: Iterable[tuple[str, str]]) -> None:
        self.fields: dict[str, list[str]] = {}
        for item in items:
            name, value = item
            if not isinstance(name, str) or not isinstance(value, str):
                raise TypeError(
                    f"audit_headers: expected (name, value) pairs of str, got {item!r:.200}"
                )
            self.fields.setdefault(name.lower(), []).append(value)
        self._parsed: dict[tuple[str, Callable[[str], Any]], Any] = {}

    def get(self, name: str) -> list[str]:
        """The values of every field called ``name`` (lower-case), or ``[]``."""
        return self.fields.get(name, [])

    def parsed(self, name: str, parse: Callable[[str], list[_T]]) -> list[_T]:
        """``parse`` over every ``name`` field, results joined; parsed once per response."""
        key = (name, parse)
        if key not in self._parsed:
            self._parsed[key] = [part for value in self.get(name) for part in parse(value)]
        result: list[_T] = self._parsed[key]
        return result


class Report:
    """Collects findings; each rule reports once per header (several cookies excepted)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def add(self, rule: Rule, message: str, header: str | None = None) -> None:
        # One line, whatever the input held (values are shown with repr()).
        message = " ".join(message.split())
        self.findings.append(
            Finding(rule.id, rule.severity, header or rule.header, message, rule.reference)
        )


Check: TypeAlias = Callable[[Response, Report], None]

# Every rule and every check, in the order the rule modules define them.
_RULES: dict[str, Rule] = {}
_CHECKS: list[Check] = []


def rule(id: str, severity: Severity, header: str, summary: str, reference: str) -> Rule:
    """Define a rule; ids are unique across the checker."""
    if id in _RULES:
        raise RuntimeError(f"secure.audit: rule {id!r} is defined twice")
    defined = Rule(id, severity, header, summary, reference)
    _RULES[id] = defined
    return defined


def check(function: Check) -> Check:
    """Register a check: ``audit_headers`` runs every check in definition order."""
    _CHECKS.append(function)
    return function


Judge: TypeAlias = Callable[[Response], str | None]


def reports(found: Rule) -> Callable[[Judge], Judge]:
    """Register ``judge`` as a check: it returns the message for ``found``, or None."""

    def register(judge: Judge) -> Judge:
        def run(response: Response, report: Report) -> None:
            message = judge(response)
            if message is not None:
                report.add(found, message)

        check(run)
        return judge

    return register


def defined_rules() -> dict[str, Rule]:
    return dict(_RULES)


def defined_checks() -> tuple[Check, ...]:
    return tuple(_CHECKS)


def shown(values: list[str]) -> str:
    """A short, one-line, escaped rendering of some values for a message."""
    text = ", ".join(repr(v[:60]) for v in values[:3])
    return text + (f" and {len(values) - 3} more" if len(values) > 3 else "")


def title(name: str) -> str:
    """A lower-case field name as people write it: ``x-powered-by`` -> ``X-Powered-By``."""
    special = {"x-aspnet-version": "X-AspNet-Version", "x-aspnetmvc-version": "X-AspNetMvc-Version"}
    return special.get(name) or "-".join(part.capitalize() for part in name.split("-"))
