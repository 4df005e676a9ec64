"""Shiny apps behind secure-shiny, served by uvicorn and driven in headless Chromium.

Under the Shiny preset an app loads, connects its websocket and updates its outputs with
no CSP violation. Under STRICT the same apps show what a generic strict policy breaks
(docs/frameworks/shiny.md, "What STRICT breaks").
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from harness import WatchedPage, uvicorn_command
from playwright.sync_api import Page, expect

# The app every Shiny test serves: a slider and a reactive text output.
SLIDER_APP = """
import os
from shiny import App, render, ui
from secure_shiny import secure_app

app_ui = ui.page_fluid(
    ui.input_slider("n", "N", min=0, max=100, value=20),
    ui.output_text("txt"),
)

def server(input, output, session):
    @render.text
    def txt():
        return f"n*2 is {input.n() * 2}"

app = secure_app(App(app_ui, server), secure=os.environ["SECURE_PRESET"])
"""

# Shiny's components that write inline code: a sidebar and cards (init scripts), a date
# input (a dependency with an inline script), a modal and dynamic UI (inline scripts
# sent over the websocket), an image output (a data: URL), selects (data: SVG carets).
RICH_APP = """
import base64, os, tempfile
from shiny import App, reactive, render, ui
from secure_shiny import secure_app

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

app_ui = ui.page_sidebar(
    ui.sidebar(
        ui.input_slider("n", "N", min=0, max=100, value=20),
        ui.input_date("day", "Day"),
        ui.input_select("plain", "Select", ["a", "b"], selectize=False),
        ui.input_selectize("fancy", "Selectize", ["x", "y"]),
        ui.input_action_button("open", "Open modal"),
    ),
    ui.card(ui.card_header("Card"), ui.output_text("txt"), full_screen=True, height="200px"),
    ui.output_ui("dynamic"),
    ui.output_image("img", height="20px"),
    title="Rich",
)

def server(input, output, session):
    @render.text
    def txt():
        return f"n*2 is {input.n() * 2}"

    @render.ui
    def dynamic():
        return ui.card(
            ui.card_header(f"dynamic card {input.n()}"),
            ui.input_date("day2", "Another day"),
            ui.layout_sidebar(ui.sidebar("inner"), "main"),
        )

    @render.image
    def img():
        fd, path = tempfile.mkstemp(suffix=".png")
        os.write(fd, PNG)
        os.close(fd)
        return {"src": path, "width": "20px", "height": "20px"}

    @reactive.effect
    @reactive.event(input.open)
    def _():
        ui.modal_show(ui.modal("Hello from a modal", title="Modal"))

app = secure_app(App(app_ui, server), secure=os.environ["SECURE_PRESET"])
"""


# One page with every Shiny UI component and render function the docs list (Shiny 1.0 and
# later): value box, tooltip, popover, accordion, navset, modal, notification, task
# button, dark mode, markdown, data frame (DataTable) and data grid (DataGrid), plot,
# image, table, code and a download.
COMPONENTS_APP = """
import base64, os, tempfile
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
from shiny import App, reactive, render, ui
from secure_shiny import secure_app

DATA = pd.DataFrame({"name": ["alpha", "beta", "gamma"], "value": [1, 2, 3]})
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
# Shiny 1.0 has render.download; later releases call it render.download_button.
download = getattr(render, "download_button", None) or render.download

app_ui = ui.page_navbar(
    ui.nav_panel(
        "Main",
        ui.layout_columns(
            ui.value_box("Total", "42", showcase=ui.span("*"), id="vbox"),
            ui.card(
                ui.tooltip(ui.input_action_button("tip", "Tooltip"), "A tooltip", id="tt"),
                ui.popover(ui.input_action_button("pop", "Popover"), "A popover", id="pp"),
            ),
        ),
        ui.accordion(
            ui.accordion_panel("Section A", "aaa"),
            ui.accordion_panel("Section B", ui.p("bbb", id="bbb")),
            id="acc",
        ),
        ui.navset_tab(
            ui.nav_panel("T1", "one"), ui.nav_panel("T2", ui.p("two", id="two")), id="tabs"
        ),
        ui.input_action_button("modal", "Modal"),
        ui.input_action_button("notify", "Notify"),
        ui.input_task_button("task", "Task"),
        ui.output_text("task_count"),
        ui.input_dark_mode(id="mode", mode="light"),
        ui.markdown("**bold** and `code`"),
        ui.output_data_frame("table"),
        ui.output_data_frame("grid"),
        ui.output_plot("plot", height="200px"),
        ui.output_image("img", height="20px"),
        ui.output_table("tbl"),
        ui.output_code("code"),
        ui.download_button("dl", "Download"),
    ),
    title="Components",
)

def server(input, output, session):
    @render.data_frame
    def table():
        return render.DataTable(DATA, filters=True, selection_mode="rows")

    @render.data_frame
    def grid():
        return render.DataGrid(DATA, editable=True)

    @render.plot
    def plot():
        fig, ax = plt.subplots()
        ax.plot([1, 2, 3])
        return fig

    @render.image
    def img():
        fd, path = tempfile.mkstemp(suffix=".png")
        os.write(fd, PNG)
        os.close(fd)
        return {"src": path, "width": "20px", "height": "20px"}

    @render.table
    def tbl():
        return DATA

    @render.code
    def code():
        return "print('hi')"

    @render.text
    def task_count():
        return f"task ran {input.task()} times"

    @download(filename="data.csv")
    def dl():
        yield DATA.to_csv(index=False)

    @reactive.effect
    @reactive.event(input.modal)
    def _():
        ui.modal_show(ui.modal("Hello from a modal", title="Modal"))

    @reactive.effect
    @reactive.event(input.notify)
    def _():
        ui.notification_show("A notification")

app = secure_app(App(app_ui, server), secure=os.environ["SECURE_PRESET"])
"""


# A UI function that writes its own inline code, with and without the request's nonce.
NONCE_APP = """
from shiny import App, ui
from secure_shiny import csp_nonce, secure_app, shiny_preset

def app_ui(request):
    nonce = csp_nonce(request)
    return ui.page_fluid(
        ui.tags.style("#own { color: rgb(0, 128, 0); }", nonce=nonce),
        ui.tags.script("document.documentElement.dataset.own = 'ran';", nonce=nonce),
        ui.HTML("<script>document.documentElement.dataset.injected = 'ran';</script>"),
        ui.p("styled", id="own"),
    )

app = secure_app(App(app_ui, None), secure=shiny_preset(nonce=True))
"""

ServeApp = Callable[[str, str], str]


@pytest.fixture
def serve_app(tmp_path: Path, server: Callable[..., str]) -> ServeApp:
    """Write an app to a file and serve it with uvicorn; returns the base URL."""

    def start(source: str, preset: str) -> str:
        (tmp_path / "app.py").write_text(textwrap.dedent(source))
        return server(
            uvicorn_command("app:app", app_dir=tmp_path),
            cwd=tmp_path,
            env={"SECURE_PRESET": preset},
        )

    return start


def move_slider(page: Page) -> None:
    """Drag the slider's handle to the right with the mouse, as a person would."""
    box = page.locator(".irs-handle.single").first.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 80, y, steps=5)
    page.mouse.up()


def open_app(watched: WatchedPage, url: str) -> list[str]:
    """Load the app; returns the websocket URLs the page opens."""
    sockets: list[str] = []
    watched.page.on("websocket", lambda ws: sockets.append(ws.url))
    response = watched.page.goto(url + "/")
    assert response is not None
    assert response.ok
    return sockets


def settle(page: Page) -> None:
    # Violation events are queued as tasks; give the last ones time to arrive.
    page.wait_for_timeout(300)


def test_slider_app_under_shiny_preset(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(SLIDER_APP, "shiny")
    sockets = open_app(watched_page, url)
    page = watched_page.page
    output = page.locator("#txt")

    expect(output).to_have_text("n*2 is 40")
    move_slider(page)
    expect(output).not_to_have_text("n*2 is 40")
    expect(output).to_have_text(re.compile(r"n\*2 is \d+"))
    settle(page)

    assert sockets == [url.replace("http://", "ws://") + "/websocket/"]
    watched_page.assert_no_csp_violations()
    assert watched_page.page_errors == []


def test_slider_app_under_strict(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(SLIDER_APP, "strict")
    sockets = open_app(watched_page, url)
    page = watched_page.page
    output = page.locator("#txt")

    # default-src 'self' covers the websocket, so the app itself still runs ...
    expect(output).to_have_text("n*2 is 40")
    move_slider(page)
    expect(output).not_to_have_text("n*2 is 40")
    settle(page)
    assert len(sockets) == 1

    # ... but Shiny's inline scripts (busy indicators, the date picker set-up) and
    # bslib's style attribute are blocked.
    blocked = sorted({(v.directive, v.blocked) for v in watched_page.violations})
    assert blocked == [("script-src-elem", "inline"), ("style-src-attr", "inline")]
    assert [v.directive for v in watched_page.violations].count("script-src-elem") == 2
    # Without them: no busy indicators, and no date input could ever work.
    assert page.evaluate("() => document.documentElement.dataset.shinyBusySpinners") is None
    assert page.evaluate("() => typeof window.jQuery.fn.bsDatepicker") == "undefined"


def test_rich_app_under_shiny_preset(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(RICH_APP, "shiny")
    open_app(watched_page, url)
    page = watched_page.page
    output = page.locator("#txt")

    expect(output).to_have_text("n*2 is 40")
    expect(page.locator("#dynamic")).to_contain_text("dynamic card 20")
    expect(page.locator("#img img")).to_have_attribute("src", re.compile("^data:image/png"))
    move_slider(page)
    expect(output).not_to_have_text("n*2 is 40")
    # Re-rendered dynamic UI runs its (hashed) init scripts again.
    expect(page.locator("#dynamic")).not_to_contain_text("dynamic card 20")

    page.locator("#day").click()
    expect(page.locator(".datepicker").first).to_be_visible()
    page.keyboard.press("Escape")
    page.locator("#open").click()
    expect(page.locator("#shiny-modal")).to_be_visible()
    expect(page.locator("#shiny-modal")).to_contain_text("Hello from a modal")
    settle(page)

    watched_page.assert_no_csp_violations()
    assert watched_page.page_errors == []


def test_rich_app_under_strict(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(RICH_APP, "strict")
    open_app(watched_page, url)
    page = watched_page.page

    # The date picker's set-up script is blocked, Shiny's client fails on the date
    # input, and no output ever renders.
    expect(page.locator("#txt")).to_have_text("", timeout=3000)
    settle(page)
    assert any("bsDatepicker" in error for error in watched_page.page_errors)
    directives = {v.directive for v in watched_page.violations}
    assert {"script-src-elem", "style-src-elem", "style-src-attr", "img-src"} <= directives


def test_nonce_for_own_inline_code(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(NONCE_APP, "")
    open_app(watched_page, url)
    page = watched_page.page

    expect(page.locator("#own")).to_have_css("color", "rgb(0, 128, 0)")
    settle(page)
    assert page.evaluate("() => document.documentElement.dataset.own") == "ran"
    # Inline code without the nonce stays blocked.
    assert page.evaluate("() => document.documentElement.dataset.injected") is None
    assert [(v.directive, v.blocked) for v in watched_page.violations] == [
        ("script-src-elem", "inline")
    ]


def grid_style(page: Page, selector: str) -> dict[str, str]:
    """Computed styles that only the data grid's own stylesheet sets."""
    result: dict[str, str] = page.locator(selector).evaluate(
        """(frame) => {
            const table = frame.querySelector(".shiny-data-grid > table");
            const head = table.querySelector("thead");
            const th = head.querySelector("th");
            const css = (el) => getComputedStyle(el);
            return {
                borderCollapse: css(table).borderCollapse,
                headPosition: css(head).position,
                headColor: css(th).color,
                headBackground: css(th).backgroundColor,
            };
        }"""
    )
    return result


def test_every_component_under_shiny_preset(serve_app: ServeApp, watched_page: WatchedPage) -> None:
    url = serve_app(COMPONENTS_APP, "shiny")
    open_app(watched_page, url)
    page = watched_page.page

    expect(page.locator("#vbox")).to_contain_text("42")
    expect(page.locator("strong")).to_have_text("bold")
    expect(page.locator("#plot img")).to_have_attribute("src", re.compile("^data:image/png"))
    expect(page.locator("#img img")).to_have_attribute("src", re.compile("^data:image/png"))
    expect(page.locator("#tbl table")).to_contain_text("gamma")
    expect(page.locator("#code")).to_have_text("print('hi')")

    # The data frame and data grid render, with the layout their stylesheet gives them
    # (Bootstrap's own table style is border-collapse: collapse and a static thead).
    for frame in ("#table", "#grid"):
        expect(page.locator(f"{frame} tbody tr")).to_have_count(3)
        style = grid_style(page, frame)
        assert style["borderCollapse"] == "separate"
        assert style["headPosition"] == "sticky"
    # The data frame's filters and row selection work.
    page.locator("#table thead input").first.fill("be")
    expect(page.locator("#table tbody tr")).to_have_count(1)
    page.locator("#table tbody td").first.click()
    expect(page.locator("#table tbody tr[aria-selected=true]")).to_have_count(1)
    # The data grid's cells are editable.
    page.locator("#grid tbody td").first.dblclick()
    expect(page.locator("#grid tbody textarea")).to_have_count(1)
    page.keyboard.press("Escape")

    page.locator("#tip").focus()
    expect(page.locator(".tooltip")).to_contain_text("A tooltip")
    page.locator("#pop").click()
    expect(page.locator(".popover")).to_contain_text("A popover")
    page.locator("#pop").click()

    page.get_by_text("Section B").click()
    expect(page.locator("#bbb")).to_be_visible()
    page.get_by_text("T2", exact=True).click()
    expect(page.locator("#two")).to_be_visible()

    page.locator("#task").click()
    expect(page.locator("#task_count")).to_have_text("task ran 1 times")
    page.locator("#notify").click()
    expect(page.locator("#shiny-notification-panel")).to_contain_text("A notification")
    page.locator("#modal").click()
    expect(page.locator("#shiny-modal")).to_contain_text("Hello from a modal")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#shiny-modal")).to_be_hidden()

    with page.expect_download() as download:
        page.locator("#dl").click()
    assert download.value.suggested_filename == "data.csv"

    # Dark mode: the grid's header text stays readable (its own colours, not the light
    # theme's background behind dark-theme text).
    page.locator("#mode").click()
    expect(page.locator("html")).to_have_attribute("data-bs-theme", "dark")
    style = grid_style(page, "#grid")
    assert style["headColor"] != style["headBackground"]
    assert style["headBackground"] not in {"rgba(0, 0, 0, 0)", "rgb(255, 255, 255)"}
    settle(page)

    watched_page.assert_no_csp_violations()
    assert watched_page.page_errors == []
