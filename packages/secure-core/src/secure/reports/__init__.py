"""Receive the reports browsers send about your policies, and aggregate them.

A framework-free endpoint for the Reporting API (``application/reports+json``, every
report type) and CSP's legacy ``report-uri`` (``application/csp-report``), as an ASGI
and a WSGI app. Both formats become one :class:`Report`; sinks log them, append them to
a JSON Lines file, count them in a bounded SQLite table, or call your function::

    from secure.reports import JSONLinesSink, LoggingSink, ReportReceiver, ReportsASGIApp
    from secure.reports import with_reporting

    receiver = ReportReceiver(sinks=[LoggingSink(), JSONLinesSink("reports.jsonl")])
    reports_app = ReportsASGIApp(receiver)        # mount at /_reports
    headers = with_reporting({"preset": "strict"}, "/_reports")

See <https://typeerror.github.io/secure/reports/>. Standard library only.
"""

from __future__ import annotations

from secure.reports._aggregate import AggregateRow, AggregateSink
from secure.reports._propose import Group, Note, Proposal, group_reports, propose
from secure.reports._receiver import (
    Answer,
    ReportReceiver,
    ReportsASGIApp,
    ReportsWSGIApp,
    environ_headers,
)
from secure.reports._record import Report, ReportError, escape, parse_body
from secure.reports._sinks import LOGGER_NAME, JSONLinesSink, LoggingSink, Sink, format_line
from secure.reports._wiring import DEFAULT_GROUP, DEFAULT_PATH, with_reporting

__all__ = [
    "DEFAULT_GROUP",
    "DEFAULT_PATH",
    "LOGGER_NAME",
    "AggregateRow",
    "AggregateSink",
    "Answer",
    "Group",
    "JSONLinesSink",
    "LoggingSink",
    "Note",
    "Proposal",
    "Report",
    "ReportError",
    "ReportReceiver",
    "ReportsASGIApp",
    "ReportsWSGIApp",
    "Sink",
    "environ_headers",
    "escape",
    "format_line",
    "group_reports",
    "parse_body",
    "propose",
    "with_reporting",
]
