"""Where received reports go: a logger, a JSON Lines file, any callable, an aggregate.

A sink is any callable taking one :class:`~secure.reports.Report`. The receiver calls
each sink for each accepted report; a sink that raises is logged and counted, and the
other sinks still run.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final

from secure.reports._record import Report, escape

__all__ = ["LOGGER_NAME", "JSONLinesSink", "LoggingSink", "Sink", "format_line"]

#: A sink: called once per accepted report.
Sink = Callable[[Report], object]

#: The logger the receiver and :class:`LoggingSink` write to by default.
LOGGER_NAME: Final = "secure.reports"

_LINE_FIELDS: Final = ("directive", "blocked", "disposition", "source_file", "line", "sample")


def format_line(report: Report) -> str:
    """One log line for a report: ``key=value`` pairs, every value escaped.

    >>> format_line(Report(type="csp-violation", url="https://a.example/", blocked="inline"))
    'report type=csp-violation url=https://a.example/ blocked=inline'
    """
    parts = [f"report type={escape(report.type)}"]
    if report.url:
        parts.append(f"url={_value(report.url)}")
    for name in _LINE_FIELDS:
        value = getattr(report, name)
        if value not in ("", None):
            parts.append(f"{name}={_value(value)}")
    return " ".join(parts)


def _value(value: object) -> str:
    text = escape(value)
    # A space or quote would make the pairs ambiguous: quote such values.
    if not text or any(c in text for c in ' "='):
        return '"' + text.replace('"', '\\"') + '"'
    return text


class LoggingSink:
    """Log one structured line per report (the default sink).

    The line is ``report type=... url=... directive=... blocked=...``, every value
    escaped; the record also carries the whole report as ``record.secure_report`` (a
    dict), for JSON formatters and log pipelines (OpenTelemetry, Loki, ...)::

        ReportReceiver(sinks=[LoggingSink(logging.getLogger("csp"), level=logging.WARNING)])
    """

    __slots__ = ("level", "logger")

    def __init__(self, logger: logging.Logger | str = LOGGER_NAME, *, level: int = logging.INFO):
        self.logger = logging.getLogger(logger) if isinstance(logger, str) else logger
        self.level = level

    def __call__(self, report: Report) -> None:
        if self.logger.isEnabledFor(self.level):
            self.logger.log(
                self.level, "%s", format_line(report), extra={"secure_report": report.to_dict()}
            )

    def __repr__(self) -> str:
        return f"LoggingSink({self.logger.name!r}, level={logging.getLevelName(self.level)})"


class JSONLinesSink:
    """Append each report to a JSON Lines file, one ``Report.to_dict()`` per line.

    Lines are written with one ``write`` on a file opened in append mode, so the worker
    processes of one server can share the file (POSIX appends of a line are not
    interleaved). ``secure reports FILE`` reads it::

        ReportReceiver(sinks=[JSONLinesSink("reports.jsonl")])
    """

    __slots__ = ("_lock", "path")

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def __call__(self, report: Report) -> None:
        # ensure_ascii: the file is plain ASCII, every control character escaped.
        line = json.dumps(report.to_dict(), ensure_ascii=True, separators=(",", ":")) + "\n"
        data = line.encode("ascii")
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)

    def __repr__(self) -> str:
        return f"JSONLinesSink({str(self.path)!r})"
