"""``secure check --format sarif``: the report as a SARIF 2.1.0 log for code scanning.

SARIF 2.1.0 is the OASIS Static Analysis Results Interchange Format
(https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html). One run, one
result per policy-checker finding, missing header and difference. Each rule of the
policy checker is a ``reportingDescriptor``; a result's location is the configuration
file when one was given (so a dashboard can show it beside the code), else the URL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from secure.audit import RULES

if TYPE_CHECKING:
    from secure.cli._check import CheckReport

__all__ = ["sarif_log"]

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION: Final = "2.1.0"

# SARIF §3.27.10 "level": error, warning, note or none.
_LEVEL: Final = {"high": "error", "medium": "warning", "low": "note", "info": "none"}

_MISSING: Final = "secure-check/missing-header"
_DIFFERENT: Final = "secure-check/different-value"
_OWN_RULES: Final = (
    (_MISSING, "A header of the expected configuration is not sent.", "error"),
    (_DIFFERENT, "A header is sent with another value than configured.", "warning"),
)


def _rules() -> list[dict[str, object]]:
    rules: list[dict[str, object]] = [
        {
            "id": rule.id,
            "shortDescription": {"text": rule.summary},
            "helpUri": rule.reference,
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"header": rule.header, "severity": rule.severity},
        }
        for rule in RULES.values()
    ]
    rules += [
        {
            "id": rule_id,
            "shortDescription": {"text": text},
            "defaultConfiguration": {"level": level},
        }
        for rule_id, text, level in _OWN_RULES
    ]
    return rules


def sarif_log(report: CheckReport, *, version: str, config: str | None) -> dict[str, object]:
    """The SARIF 2.1.0 log of ``report`` (a JSON-ready dict)."""
    rules = _rules()
    index = {str(rule["id"]): position for position, rule in enumerate(rules)}
    where = config if config is not None else report.fetched.final_url
    location = [{"physicalLocation": {"artifactLocation": {"uri": where}}}]
    url = report.fetched.final_url

    def result(rule_id: str, level: str, text: str, header: str) -> dict[str, object]:
        return {
            "ruleId": rule_id,
            "ruleIndex": index[rule_id],
            "level": level,
            "message": {"text": f"{url}: {text}"},
            "locations": location,
            # A stable identity across runs, so a dashboard tracks one alert per header.
            "partialFingerprints": {"secureCheck/v1": f"{rule_id}:{header.lower()}:{url}"},
        }

    results = [
        result(f.rule, _LEVEL[f.severity], f"{f.header}: {f.message}", f.header)
        for f in report.findings
        if f.rule in index
    ]
    results += [
        result(_MISSING, "error", f"{name} is missing (expected: {value})", name)
        for name, value in report.missing
        if value is not None
    ]
    results += [
        result(
            _DIFFERENT,
            "warning",
            f"{d.name} is {d.actual!r}; expected {d.expected!r}",
            d.name,
        )
        for d in report.different
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "secure check",
                        "version": version,
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {
                    "url": report.fetched.url,
                    "finalUrl": url,
                    "scoring": report.scoring,
                    "score": report.score,
                    "grade": report.grade,
                },
            }
        ],
    }
