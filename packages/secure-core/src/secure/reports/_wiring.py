"""Point a configuration's policies at a report endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from secure._registry import by_key
from secure._secure import Secure
from secure.headers import ReportingEndpoints

if TYPE_CHECKING:
    from secure._presets import Preset

__all__ = ["DEFAULT_GROUP", "DEFAULT_PATH", "with_reporting"]

#: The endpoint name used by default: the Reporting API's ``default`` endpoint also
#: receives reports that name no endpoint (deprecation, intervention, crash...).
DEFAULT_GROUP: Final = "default"

#: Where the framework mountings put the receiver by default.
DEFAULT_PATH: Final = "/_reports"

# The policies that report to the endpoint: enforced and report-only CSP.
_POLICY_KEYS: Final = ("csp", "csp_report_only")


def with_reporting(
    secure: Secure | Preset | str | Mapping[str, object] | None,
    endpoint: str = DEFAULT_PATH,
    *,
    group: str = DEFAULT_GROUP,
) -> Secure:
    """A ``Secure`` whose policies send their violation reports to ``endpoint``.

    ``secure`` is anything ``Secure.coerce`` takes (a ``Secure``, a preset, a
    configuration mapping); it is not changed. The result has ``endpoint`` under the
    name ``group`` in ``Reporting-Endpoints`` (other endpoints are kept), and each CSP,
    enforced and report-only, gets ``report-to group`` (the Reporting API) and
    ``report-uri endpoint`` (for browsers without it; CSP3 §6.5). ``endpoint`` is a path
    (``/_reports``, resolved by the browser against the page's URL) or an ``https://``
    URL::

        >>> wired = with_reporting({"preset": "strict"}, "/_reports")
        >>> wired.headers["Reporting-Endpoints"]
        'default="/_reports"'
        >>> wired.headers["Content-Security-Policy"].split("; ")[-2:]
        ['report-uri /_reports', 'report-to default']
    """
    base = Secure.coerce(secure)
    existing = {name.lower(): value for name, value, _ in base.snapshot().items}
    endpoints = ReportingEndpoints()
    if "reporting-endpoints" in existing:
        endpoints.set(existing["reporting-endpoints"])
    endpoints.endpoint(group, endpoint)
    config: dict[str, object] = {"reporting_endpoints": endpoints.header_value}
    for key in _POLICY_KEYS:
        if by_key(key).lower in existing:
            config[key] = {"report-uri": [endpoint], "report-to": [group]}
    return Secure.from_config(config, base=base)
