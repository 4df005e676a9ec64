"""Receive browser reports in a Django project: one URL include, CSRF-exempt.

::

    # urls.py
    urlpatterns = [..., path("_reports", include("secure_django.reports"))]

    # settings.py: point the policies at it, and (optionally) configure the receiver
    from secure.reports import JSONLinesSink, with_reporting
    SECURE_HEADERS = with_reporting({"preset": "balanced"}, "/_reports")
    SECURE_HEADERS_REPORTS = {"sinks": [JSONLinesSink("reports.jsonl")]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver as on_signal
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.views.decorators.csrf import csrf_exempt

from secure._docs import see
from secure.reports import ReportReceiver, environ_headers

__all__ = ["SETTING", "get_receiver", "receive_reports", "reports_view", "urlpatterns"]

#: The setting that configures the receiver: a ``ReportReceiver``, or a mapping of its
#: keyword arguments (``{"sinks": [...], "rate_limit": (600, 60)}``). Default: logging.
SETTING: Final = "SECURE_HEADERS_REPORTS"

_cached: ReportReceiver | None = None


def get_receiver() -> ReportReceiver:
    """The ``ReportReceiver`` built from ``settings.SECURE_HEADERS_REPORTS``, kept."""
    global _cached
    if _cached is None:
        value = getattr(settings, SETTING, None)
        if value is None:
            _cached = ReportReceiver()
        elif isinstance(value, ReportReceiver):
            _cached = value
        elif isinstance(value, Mapping):
            try:
                _cached = ReportReceiver(**value)
            except (TypeError, ValueError) as exc:
                raise ImproperlyConfigured(f"{SETTING}: {exc}") from exc
        else:
            raise ImproperlyConfigured(
                see(
                    f"{SETTING}: expected a secure.reports.ReportReceiver or a mapping of its "
                    f"options, got {type(value).__name__} {value!r}",
                    "frameworks/django.md#violation-reports",
                )
            )
    return _cached


@on_signal(setting_changed)
def _reset(*, setting: str, **kwargs: object) -> None:
    global _cached
    if setting == SETTING:
        _cached = None


def reports_view(receiver: ReportReceiver | None = None) -> Any:
    """A CSRF-exempt view for the report endpoint, with its own ``receiver``
    (default: the one from the setting)::

        path("csp-reports", reports_view(ReportReceiver(sinks=[...])))
    """

    @csrf_exempt
    def view(request: HttpRequest) -> HttpResponse:
        handler = receiver if receiver is not None else get_receiver()
        # Browsers send reports without a CSRF token: they are anonymous, write-only
        # data, refused unless well-formed and within the limits.
        answer = handler.handle(
            request.method or "GET",
            environ_headers(request.META),
            request.read,
            peer=request.META.get("REMOTE_ADDR"),
        )
        response = HttpResponse(status=answer.status)
        for name, value in answer.headers:
            response[name] = value
        return response

    return view


#: The view behind ``include("secure_django.reports")``.
receive_reports = reports_view()

urlpatterns: list[URLPattern] = [path("", receive_reports, name="secure-reports")]
