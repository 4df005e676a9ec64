"""secure_flask.reports: the report endpoint in a Flask app, wired to the headers."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from secure.reports import Report, ReportReceiver
from secure_flask import Secure, collect_reports, override, reports_blueprint

REPORTS = json.dumps(
    [
        {
            "type": "csp-violation",
            "url": "https://app.example/",
            "body": {"effectiveDirective": "img-src", "blockedURL": "https://x.example/a.png"},
        }
    ]
)
LEGACY = json.dumps({"csp-report": {"document-uri": "https://app.example/", "blocked-uri": "eval"}})


def make_app(received: list[Report], config: object = None) -> Flask:
    app = Flask(__name__)
    if config is not None:
        app.config["SECURE_HEADERS"] = config

    @app.get("/")
    def index() -> str:
        return "ok"

    @app.get("/embed")
    @override(csp_sources={"frame-ancestors": ["https://partner.example"]})
    def embed() -> str:
        return "embed"

    Secure(app)
    collect_reports(app, ReportReceiver(sinks=[received.append]))
    return app


def test_reports_are_received_and_the_policies_point_at_them() -> None:
    received: list[Report] = []
    app = make_app(received, {"preset": "balanced", "csp_report_only": {"default-src": "'self'"}})
    client = app.test_client()
    response = client.post("/_reports", data=REPORTS, content_type="application/reports+json")
    assert (response.status_code, response.data) == (204, b"")
    response = client.post("/_reports", data=LEGACY, content_type="application/csp-report")
    assert response.status_code == 204
    assert [(r.directive, r.blocked) for r in received] == [
        ("img-src", "https://x.example/a.png"),
        ("", "eval"),
    ]
    headers = client.get("/").headers
    assert headers["Reporting-Endpoints"] == 'default="/_reports"'
    assert headers["Content-Security-Policy"].endswith("; report-uri /_reports; report-to default")
    assert headers["Content-Security-Policy-Report-Only"] == (
        "default-src 'self'; report-uri /_reports; report-to default"
    )
    # Per-view overrides build on the wired headers.
    embed = client.get("/embed").headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example" in embed
    assert "report-to default" in embed


def test_refusals_and_preflight() -> None:
    app = make_app([])
    client = app.test_client()
    assert (
        client.post("/_reports", data="[[[", content_type="application/reports+json").status_code
        == 400
    )
    assert client.post("/_reports", data="[]", content_type="text/plain").status_code == 415
    big = "[" + " " * 70_000 + "]"
    assert (
        client.post("/_reports", data=big, content_type="application/reports+json").status_code
        == 413
    )
    assert client.get("/_reports").status_code == 405
    preflight = client.options(
        "/_reports",
        headers={"Origin": "https://other.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert preflight.data == b""


def test_collect_reports_needs_the_extension_first() -> None:
    with pytest.raises(RuntimeError, match=r"after Secure\(app\)"):
        collect_reports(Flask(__name__))


def test_the_blueprint_alone_only_receives() -> None:
    received: list[Report] = []
    app = Flask(__name__)
    app.register_blueprint(reports_blueprint(ReportReceiver(sinks=[received.append]), path="/csp"))
    client = app.test_client()
    response = client.post("/csp", data=REPORTS, content_type="application/reports+json")
    assert response.status_code == 204
    assert len(received) == 1
    assert "Reporting-Endpoints" not in response.headers
