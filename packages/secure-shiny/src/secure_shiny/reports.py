"""Receive browser reports next to a Shiny app: ``secure_app(app, reports=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from secure._docs import see
from secure.reports import DEFAULT_PATH, ReportReceiver, ReportsASGIApp

if TYPE_CHECKING:
    from secure.middleware.asgi import ASGIApp, Receive, Scope, Send

__all__ = ["ReportsArg", "ReportsRouter", "resolve_reports"]

#: What ``secure_app(reports=...)`` accepts: ``True`` for a logging receiver at
#: ``/_reports``, a path for it somewhere else, or a ``ReportReceiver`` of your own.
ReportsArg: TypeAlias = bool | str | ReportReceiver | None


def resolve_reports(reports: ReportsArg) -> tuple[str, ReportReceiver] | None:
    """The path and receiver ``reports`` asks for, or ``None`` when it is off."""
    if reports is None or reports is False:
        return None
    if reports is True:
        return DEFAULT_PATH, ReportReceiver()
    if isinstance(reports, str):
        if not reports.startswith("/"):
            raise ValueError(
                see(
                    f"secure_app(reports=...): a path starts with '/', got {reports!r}",
                    "frameworks/shiny.md#violation-reports",
                )
            )
        return reports, ReportReceiver()
    if isinstance(reports, ReportReceiver):
        return DEFAULT_PATH, reports
    raise TypeError(
        see(
            "secure_app(reports=...): expected True, a path or a secure.reports.ReportReceiver, "
            f"got {type(reports).__name__} {reports!r}",
            "frameworks/shiny.md#violation-reports",
        )
    )


class ReportsRouter:
    """An ASGI app that sends requests for ``path`` to the receiver, the rest to ``app``."""

    __slots__ = ("app", "path", "reports")

    def __init__(self, app: ASGIApp, path: str, receiver: ReportReceiver) -> None:
        self.app = app
        self.path = path
        self.reports = ReportsASGIApp(receiver)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path = scope.get("path", "")
            root = scope.get("root_path", "")
            if path == self.path or (root and path == root + self.path):
                await self.reports(scope, receive, send)
                return
        await self.app(scope, receive, send)
