"""secure_app(reports=...): the report endpoint next to a Shiny app."""

from __future__ import annotations

import json

import pytest
from shiny import App, ui
from starlette.testclient import TestClient

from secure.reports import ReportReceiver
from secure_shiny import secure_app, shiny_preset
from secure_shiny.reports import ReportsRouter

REPORTS = json.dumps(
    [
        {
            "type": "csp-violation",
            "url": "http://testserver/",
            "body": {"effectiveDirective": "img-src", "blockedURL": "https://x.example/a.png"},
        }
    ]
)
HEADERS = {"content-type": "application/reports+json"}


def shiny_app() -> App:
    return App(ui.page_fluid(ui.h1("hello")), None)


def test_reports_true_receives_and_wires_the_shiny_preset() -> None:
    app = shiny_app()
    receiver = ReportReceiver(sinks=[])
    with TestClient(secure_app(app, reports=receiver)) as client:
        assert client.post("/_reports", content=REPORTS, headers=HEADERS).status_code == 204
        page = client.get("/")
    assert receiver.stats["accepted"] == 1
    assert page.status_code == 200
    assert page.headers["reporting-endpoints"] == 'default="/_reports"'
    csp = page.headers["content-security-policy"]
    assert csp.startswith(shiny_preset(app).headers["Content-Security-Policy"])
    assert csp.endswith("; report-uri /_reports; report-to default")


def test_reports_at_another_path_with_a_configuration() -> None:
    app = shiny_app()
    wrapped = secure_app(app, {"preset": "strict"}, reports="/csp-reports")
    router = wrapped.app
    assert isinstance(router, ReportsRouter)
    with TestClient(wrapped) as client:
        assert client.post("/csp-reports", content=REPORTS, headers=HEADERS).status_code == 204
        assert client.post("/_reports", content=REPORTS, headers=HEADERS).status_code != 204
        assert client.get("/").headers["reporting-endpoints"] == 'default="/csp-reports"'
    assert router.reports.receiver.stats["accepted"] == 1


def test_without_reports_nothing_changes() -> None:
    app = shiny_app()
    with TestClient(secure_app(app)) as client:
        assert "reporting-endpoints" not in client.get("/").headers


@pytest.mark.parametrize(("reports", "error"), [("csp", ValueError), (3, TypeError)])
def test_reports_option_is_checked(reports: object, error: type[Exception]) -> None:
    with pytest.raises(error, match="reports"):
        secure_app(shiny_app(), reports=reports)  # type: ignore[arg-type]
