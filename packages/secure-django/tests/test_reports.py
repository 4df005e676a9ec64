"""secure_django.reports: the report endpoint as a URL include, CSRF-exempt."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from secure.reports import Report, ReportReceiver, with_reporting
from secure_django.reports import get_receiver

REPORTS = json.dumps(
    [
        {
            "type": "csp-violation",
            "url": "https://app.example/",
            "body": {"effectiveDirective": "img-src", "blockedURL": "https://x.example/a.png"},
        }
    ]
)


@pytest.fixture
def received() -> Iterator[list[Report]]:
    collected: list[Report] = []
    settings = {
        "ROOT_URLCONF": "reports_urls",
        "SECURE_HEADERS": with_reporting({"preset": "balanced"}, "/_reports"),
        "SECURE_HEADERS_REPORTS": {"sinks": [collected.append], "rate_limit": (3, 3600)},
    }
    with override_settings(**settings):
        yield collected


def test_reports_are_received_with_csrf_checks_on(received: list[Report]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/_reports", REPORTS, content_type="application/reports+json")
    assert (response.status_code, response.content) == (204, b"")
    assert [r.blocked for r in received] == ["https://x.example/a.png"]
    legacy = json.dumps(
        {"csp-report": {"document-uri": "https://a.example/", "blocked-uri": "inline"}}
    )
    assert (
        client.post("/_reports", legacy, content_type="application/csp-report").status_code == 204
    )
    headers = client.get("/plain/").headers
    assert headers["Reporting-Endpoints"] == 'default="/_reports"'
    assert "report-uri /_reports; report-to default" in headers["Content-Security-Policy"]


def test_refusals_rate_limit_and_preflight(received: list[Report]) -> None:
    client = Client()
    post = client.post
    assert post("/_reports", "nope", content_type="application/reports+json").status_code == 400
    assert post("/_reports", "[]", content_type="text/plain").status_code == 415
    assert client.get("/_reports").status_code == 405
    preflight = client.options(
        "/_reports",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "POST"},
    )
    assert (preflight.status_code, preflight.headers["Access-Control-Allow-Origin"]) == (204, "*")
    statuses = [
        post("/_reports", REPORTS, content_type="application/reports+json").status_code
        for _ in range(5)
    ]
    assert statuses == [204, 204, 204, 429, 429]
    assert get_receiver().stats["rate_limited"] == 2


def test_receiver_setting_is_checked() -> None:
    with (
        override_settings(SECURE_HEADERS_REPORTS={"max_body": 0}),
        pytest.raises(ImproperlyConfigured, match=r"SECURE_HEADERS_REPORTS: .*max_body"),
    ):
        get_receiver()
    with (
        override_settings(SECURE_HEADERS_REPORTS="logging"),
        pytest.raises(ImproperlyConfigured, match=r"expected a secure\.reports\.ReportReceiver"),
    ):
        get_receiver()
    receiver = ReportReceiver()
    with override_settings(SECURE_HEADERS_REPORTS=receiver):
        assert get_receiver() is receiver
    with override_settings(SECURE_HEADERS_REPORTS=None):
        assert isinstance(get_receiver(), ReportReceiver)
