"""The Shiny demo app: ``secure_app`` with the Shiny preset.

Run it with uvicorn; ``--no-server-header`` stops uvicorn from sending its own
``server: uvicorn`` beside the configured ``Server`` header::

    uvicorn shiny_app:app --no-server-header
"""

from __future__ import annotations

from typing import Any

import demo_common as demo
from shiny import App, render, ui

from secure_shiny import secure_app

app_ui = ui.page_fluid(
    ui.input_slider("n", "N", min=0, max=100, value=20),
    ui.output_text("twice"),
)


def server(input: Any, output: Any, session: Any) -> None:
    @render.text
    def twice() -> str:
        return f"n*2 is {input.n() * 2}"


app = secure_app(App(app_ui, server, static_assets={"/static": demo.STATIC_DIR}))
