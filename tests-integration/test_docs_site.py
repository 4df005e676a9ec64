"""The documentation site renders in a real browser, with its navigation.

``mkdocs build`` writes the site, a static file server on 127.0.0.1 serves it, and headless
Chromium opens three pages: the home page, a framework guide and the API reference. Each
must show its title and the theme's navigation (Getting started, Frameworks, ..., API
reference) styled by the theme, run no script that fails, show none of the hidden test
blocks, and leave a screenshot (``docs-<page>.png`` in the test's temporary directory).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import pytest
from test_docs_examples import build_site

if TYPE_CHECKING:
    from harness import WatchedPage


#: path on the site -> its title (the page's <h1>)
PAGES: Final = {
    "": "secure",
    "frameworks/flask/": "Flask",
    "api/secure/": "secure (secure-core)",
}
NAVIGATION: Final = (
    "Getting started",
    "Frameworks",
    "Configuration",
    "Presets",
    "Headers",
    "API reference",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(out)
    return out


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.strip("/") or "home")
def test_page_renders_with_navigation(
    site: Path,
    server: Callable[..., str],
    watched_page: WatchedPage,
    path: str,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    base = server(
        [
            sys.executable,
            "-m",
            "http.server",
            "{port}",
            "--bind",
            "{host}",
            "--directory",
            str(site),
        ]
    )
    page = watched_page.page
    page.set_viewport_size({"width": 1400, "height": 1000})
    response = page.goto(f"{base}/{path}")
    assert response is not None and response.status == 200

    # The title, and the permalink anchor the theme appends to it.
    title = re.compile(rf"^{re.escape(PAGES[path])}\s*¶?\s*$")
    expect(page.locator("article h1").first).to_have_text(title)
    # The primary navigation, in the sidebar a wide screen shows: its top-level entries
    # (pages, and section titles) in the order readers need them.
    sidebar = page.locator(".md-sidebar--primary")
    expect(sidebar).to_be_visible()
    top = sidebar.locator(".md-nav--primary > .md-nav__list > .md-nav__item").locator(
        ":scope > .md-nav__link"
    )
    for label in NAVIGATION:
        expect(
            top.filter(has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")).first
        ).to_be_visible()
    labels = [" ".join(text.split()) for text in top.all_inner_texts()]
    order = [labels.index(label) for label in NAVIGATION if label in labels]
    assert len(order) == len(NAVIGATION) and order == sorted(order), labels

    # The theme's stylesheet is applied: its header bar has the configured colour.
    header = page.locator("header.md-header")
    expect(header).to_have_css("background-color", re.compile(r"rgb\(6[34], 81, 181\)"))  # indigo
    # Hidden test blocks are HTML comments: no text of theirs is on the page.
    assert page.get_by_text("docs-test").count() == 0
    assert page.get_by_text("test_client()").count() == 0
    assert watched_page.page_errors == []

    shot = tmp_path / f"docs-{path.strip('/').replace('/', '-') or 'home'}.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000  # a rendered page, not a blank one
