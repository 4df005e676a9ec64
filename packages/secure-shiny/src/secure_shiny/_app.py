"""Wrap a Shiny app in the core's ASGI middleware, with the Shiny preset by default."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from shiny import App

from secure import Preset, Secure
from secure.middleware import NONCE_STATE_KEY, SecureASGIMiddleware
from secure.reports import with_reporting
from secure_shiny._preset import shiny_preset
from secure_shiny.reports import ReportsArg, ReportsRouter, resolve_reports

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

__all__ = ["SHINY", "ShinySecureArg", "csp_nonce", "secure_app"]

#: The preset name that selects :func:`shiny_preset` in ``secure_app(secure=...)``.
SHINY = "shiny"

#: What ``secure_app(secure=...)`` accepts.
ShinySecureArg: TypeAlias = Secure | Preset | str | Mapping[str, object] | None


def secure_app(
    app: App | str | os.PathLike[str],
    secure: ShinySecureArg = None,
    *,
    multi_ok: Iterable[str] | None = None,
    reports: ReportsArg = None,
) -> SecureASGIMiddleware:
    """Serve a Shiny app with security headers on every HTTP response.

    ``app`` is a ``shiny.App``, or the path of a Shiny Express app file. ``secure`` is
    ``None`` or ``"shiny"`` for :func:`shiny_preset` (with hashes for the app's own
    inline scripts), or anything ``secure.Secure.coerce`` takes: a ``Secure``, a
    ``Preset`` or its name, a configuration mapping (``{"preset": "shiny", ...}`` edits
    the Shiny preset). The websocket is not touched. ``reports=True`` also receives
    browser reports at ``/_reports`` (see :mod:`secure_shiny.reports`)::

        app = secure_app(App(app_ui, server))
    """
    if not isinstance(app, App):
        from shiny.express import wrap_express_app

        app = wrap_express_app(Path(app).resolve())
    if secure is None or secure == SHINY:
        headers = shiny_preset(app)
    elif isinstance(secure, Mapping) and secure.get("preset") == SHINY:
        # The shared configuration format, starting from the Shiny preset.
        rest = {key: value for key, value in secure.items() if key != "preset"}
        headers = Secure.from_config(rest, base=shiny_preset(app))
    else:
        headers = Secure.coerce(secure)
    collect = resolve_reports(reports)
    if collect is not None:
        path, receiver = collect
        wired = with_reporting(headers, path)
        return SecureASGIMiddleware(
            ReportsRouter(app, path, receiver), secure=wired, multi_ok=multi_ok
        )
    return SecureASGIMiddleware(app, secure=headers, multi_ok=multi_ok)


def csp_nonce(request: HTTPConnection) -> str:
    """The CSP nonce of this request, for your own inline ``<script>``/``<style>``.

    Use it in a UI function, with ``shiny_preset(nonce=True)``::

        def app_ui(request):
            return ui.page_fluid(ui.tags.script("...", nonce=csp_nonce(request)))
    """
    nonce = request.scope.get("state", {}).get(NONCE_STATE_KEY)
    if not isinstance(nonce, str):
        raise LookupError(
            "Content-Security-Policy: this request has no CSP nonce; serve the app with "
            "secure_app(app, secure=shiny_preset(app, nonce=True)) (a CSP with a nonce slot)"
        )
    return nonce
