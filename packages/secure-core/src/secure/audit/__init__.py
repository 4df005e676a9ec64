"""The policy checker: weak, missing and harmful security headers, each with a reference.

:func:`audit_headers` reads any list of ``(name, value)`` header fields: a ``Secure``'s
``header_items()`` (a CSP nonce slot appears as ``'nonce-{nonce}'``) or the fields of
a live response. It parses every raw value itself, the way browsers do, so it judges
what a browser would enforce, not what a builder meant::

    from secure.audit import audit_headers

    for finding in audit_headers([("X-XSS-Protection", "1; mode=block")]):
        print(finding.severity, finding.header, finding.message)

``Secure.audit()`` is ``audit_headers`` over the configured headers. Every rule, its
reason and its reference are listed in :data:`RULES` and on the policy checker's page,
<https://typeerror.github.io/secure/security/>.

Each rule is defined next to the check that fires it, in the private modules of this
package: ``_csp`` (Content-Security-Policy), ``_hsts``, ``_browser`` (framing, sniffing,
referrers, isolation, Permissions-Policy) and ``_leaks`` (legacy headers, CORS, cookies,
the fields themselves).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

# Importing the rule modules defines their rules and checks, in import order: the
# order of findings of one severity, and of RULES.
from secure.audit import _csp, _hsts  # noqa: F401

# isort: split
from secure.audit import _browser, _leaks  # noqa: F401
from secure.audit._core import (
    SEVERITIES,
    Finding,
    Report,
    Response,
    Rule,
    Severity,
    defined_checks,
    defined_rules,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["RULES", "SEVERITIES", "Finding", "Rule", "Severity", "audit_headers"]

#: Every rule by id, in report order within a severity.
RULES: Final[Mapping[str, Rule]] = defined_rules()

_CHECKS: Final = defined_checks()
_ORDER: Final = {severity: index for index, severity in enumerate(SEVERITIES)}


def audit_headers(items: Iterable[tuple[str, str]]) -> list[Finding]:
    """Check a list of header fields; findings from the most to the least severe.

    Names are case-insensitive and repeated fields are read the way browsers read them
    (several CSP fields all apply, the first HSTS field counts, ...). Headers that are
    missing are findings too.
    """
    response = Response(items)
    report = Report()
    for run in _CHECKS:
        run(response, report)
    return sorted(report.findings, key=lambda f: _ORDER[f.severity])
