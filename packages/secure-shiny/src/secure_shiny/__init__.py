"""Security headers for Shiny for Python apps, built on ``secure``.

Wrap the app; the HTTP responses get the Shiny preset (a strict policy under which Shiny
still loads, connects its websocket and updates outputs), the websocket is untouched::

    from shiny import App
    from secure_shiny import secure_app

    app = secure_app(App(app_ui, server))
"""

from __future__ import annotations

from importlib.metadata import version as _version

from secure_shiny._app import SHINY, ShinySecureArg, csp_nonce, secure_app
from secure_shiny._preset import shiny_csp, shiny_inline_sources, shiny_preset
from secure_shiny.reports import ReportsArg

__all__ = [
    "SHINY",
    "ReportsArg",
    "ShinySecureArg",
    "csp_nonce",
    "secure_app",
    "shiny_csp",
    "shiny_inline_sources",
    "shiny_preset",
]

#: The installed distribution's version (one version for every ``secure-*`` package).
__version__ = _version("secure-shiny")
