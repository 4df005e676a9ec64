from __future__ import annotations

import pytest
from shiny import App, ui

from secure_shiny._inline import scan_html


@pytest.mark.parametrize(
    ("html", "scripts", "styles"),
    [
        ("<script>run()</script>", ["run()"], []),
        ('<script type="module">run()</script>', ["run()"], []),
        ('<script type="text/javascript">run()</script>', ["run()"], []),
        ('<script type=" Application/JavaScript ">run()</script>', ["run()"], []),
        ('<script type="">run()</script>', ["run()"], []),
        ('<script type="importmap">{"imports": {}}</script>', ['{"imports": {}}'], []),
        # Data blocks never run: no source needed.
        ('<script type="application/json">{"a": 1}</script>', [], []),
        ('<script type="application/html-dependencies">jquery[3.6.0]</script>', [], []),
        # External scripts are allowed by URL, not by hash.
        ('<script src="lib/shiny.js"></script>', [], []),
        ("<style>p { color: red; }</style>", [], ["p { color: red; }"]),
        ('<style type="text/css">p {}</style>', [], ["p {}"]),
        # Raw text: character references and markup stay as written (that is what the
        # browser hashes).
        ('<script>x = "&amp;" + "<b>";</script>', ['x = "&amp;" + "<b>";'], []),
        ("<script>if (a < b) {}</script>", ["if (a < b) {}"], []),
        ("<script></script>", [""], []),
        (
            "<head><script>a()</script><style>b {}</style></head>"
            "<body><p style='color: red'>x</p><script>c()</script></body>",
            ["a()", "c()"],
            ["b {}"],
        ),
    ],
)
def test_scan_html(html: str, scripts: list[str], styles: list[str]) -> None:
    content = scan_html(html)
    assert list(content.scripts) == scripts
    assert list(content.styles) == styles
    assert content.conditional_panels is False


def test_conditional_panels_are_detected() -> None:
    assert scan_html('<div data-display-if="input.n &gt; 5">x</div>').conditional_panels
    page = App(ui.page_fluid(ui.panel_conditional("input.n > 5", "big")), None).ui
    assert not callable(page)
    assert scan_html(page["html"]).conditional_panels


def test_scan_finds_shiny_inline_code() -> None:
    page = App(ui.page_fluid(ui.input_date("day", "Day")), None).ui
    assert not callable(page)
    content = scan_html(page["html"])
    assert any("shinyBusySpinners" in s for s in content.scripts)
    assert any("noConflict" in s for s in content.scripts)
    # The dependency manifest is a data block, not a script.
    assert not any("jquery[" in s for s in content.scripts)
