"""Receive browser reports in a FastAPI or Starlette app, and point its policies at them.

::

    app = FastAPI()
    app.add_middleware(SecureMiddleware, secure=collect_reports(app, {"preset": "balanced"}))
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from starlette.routing import Route

from secure import Preset, Secure
from secure.reports import (
    DEFAULT_GROUP,
    DEFAULT_PATH,
    ReportReceiver,
    ReportsASGIApp,
    with_reporting,
)

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = ["collect_reports", "reports_route"]


def reports_route(path: str = DEFAULT_PATH, receiver: ReportReceiver | None = None) -> Route:
    """A Starlette route with the report endpoint at ``path``; it answers every method
    itself (POST, the CORS preflight, 405 for the rest). Left out of the OpenAPI schema::

        app = Starlette(routes=[reports_route("/_reports", ReportReceiver(sinks=[...]))])
    """
    return Route(path, ReportsASGIApp(receiver), include_in_schema=False)


def collect_reports(
    app: Starlette,
    secure: Secure | Preset | str | Mapping[str, object] | None = None,
    *,
    path: str = DEFAULT_PATH,
    receiver: ReportReceiver | None = None,
    group: str = DEFAULT_GROUP,
) -> Secure:
    """Add the report endpoint to ``app`` and return ``secure`` pointed at it.

    ``secure`` is what ``SecureMiddleware(secure=...)`` takes; the result has
    ``Reporting-Endpoints`` and ``report-to``/``report-uri`` in every CSP
    (``secure.reports.with_reporting``). The route goes first, so a catch-all mount
    cannot hide it::

        app.add_middleware(SecureMiddleware, secure=collect_reports(app, "strict"))
    """
    app.router.routes.insert(0, reports_route(path, receiver))
    return with_reporting(secure, path, group=group)
