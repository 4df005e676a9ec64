"""Receive browser reports in a Flask app, and point its policies at them.

::

    app = Flask(__name__)
    Secure(app)
    collect_reports(app)          # POST /_reports; CSP report-to + report-uri point there
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, request

from secure.reports import (
    DEFAULT_GROUP,
    DEFAULT_PATH,
    ReportReceiver,
    environ_headers,
    with_reporting,
)

__all__ = ["collect_reports", "reports_blueprint"]


def reports_blueprint(
    receiver: ReportReceiver | None = None,
    *,
    path: str = DEFAULT_PATH,
    name: str = "secure_reports",
) -> Blueprint:
    """A blueprint with the report endpoint at ``path`` (POST and the CORS preflight).

    ``receiver`` holds the limits and sinks (default: ``ReportReceiver()``, which logs
    each report). It only receives; :func:`collect_reports` also wires the headers::

        app.register_blueprint(reports_blueprint(ReportReceiver(sinks=[...])))
    """
    handler = receiver if receiver is not None else ReportReceiver()
    blueprint = Blueprint(name, __name__)

    def receive_reports() -> Response:
        # The receiver reads the body itself, through Werkzeug's length-limited stream.
        answer = handler.handle(
            request.method,
            environ_headers(request.environ),
            request.stream.read,
            peer=request.remote_addr,
        )
        return Response(status=answer.status, headers=list(answer.headers))

    blueprint.add_url_rule(
        path,
        "receive",
        receive_reports,
        methods=["POST", "OPTIONS"],
        provide_automatic_options=False,
    )
    return blueprint


def collect_reports(
    app: Flask,
    receiver: ReportReceiver | None = None,
    *,
    path: str = DEFAULT_PATH,
    group: str = DEFAULT_GROUP,
) -> ReportReceiver:
    """Receive reports at ``path`` and make the app's policies send them there.

    Call it after ``Secure(app)``/``init_app(app)``: it registers the endpoint and sets
    ``app.config["SECURE_HEADERS"]`` to the app's headers with ``Reporting-Endpoints``
    and ``report-to``/``report-uri`` in every CSP (``secure.reports.with_reporting``).
    Returns the receiver (its ``stats`` count what arrived)::

        Secure(app)
        collect_reports(app, ReportReceiver(sinks=[JSONLinesSink("reports.jsonl")]))
    """
    from secure_flask._extension import Secure

    state = app.extensions.get("secure")
    if state is None:
        raise RuntimeError(
            "collect_reports(app): call it after Secure(app) (or init_app(app)), so that "
            "it can point the app's policies at the report endpoint"
        )
    handler = receiver if receiver is not None else ReportReceiver()
    app.register_blueprint(reports_blueprint(handler, path=path))
    app.config["SECURE_HEADERS"] = with_reporting(Secure.headers_for(app), path, group=group)
    state.extension.init_app(app)  # re-reads app.config
    return handler
