"""Find the inline ``<script>`` and ``<style>`` elements of a rendered Shiny page.

A CSP without ``'unsafe-inline'`` lets an inline element run only when its exact text,
encoded as UTF-8, hashes to a source in the policy (CSP Level 3, "Does element match
source list for type and source?"). Shiny writes several such
elements itself, so the Shiny preset lists their hashes. This module reads them out of
HTML that Shiny rendered, with the standard library's tokenizer.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from secure._html import SCRIPT_TYPES

__all__ = ["InlineContent", "scan_html"]


@dataclass(frozen=True)
class InlineContent:
    """What a page runs inline: script and style texts, in document order."""

    scripts: tuple[str, ...]
    styles: tuple[str, ...]
    #: True when an element carries ``data-display-if``: a ``ui.panel_conditional()``,
    #: whose condition Shiny compiles with ``new Function`` (needs ``'unsafe-eval'``).
    conditional_panels: bool


class _Scanner(HTMLParser):
    def __init__(self) -> None:
        # Script and style bodies are raw text (HTML, "raw text elements"): the tokenizer
        # hands them over unchanged, character references included, as the browser
        # hashes them.
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.conditional_panels = False
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if "data-display-if" in names:
            self.conditional_panels = True
        if tag == "script" and "src" not in names and _executable(attrs):
            self._start("script")
        elif tag == "style":
            self._start("style")

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        text = "".join(self._text)
        (self.scripts if tag == "script" else self.styles).append(text)
        self._open = None

    def _start(self, tag: str) -> None:
        self._open = tag
        self._text = []


def _executable(attrs: list[tuple[str, str | None]]) -> bool:
    kind = dict(attrs).get("type")
    return (kind or "").strip().lower() in SCRIPT_TYPES


def scan_html(html: str) -> InlineContent:
    """The inline scripts and styles of ``html`` (a whole page or a fragment)."""
    scanner = _Scanner()
    scanner.feed(html)
    scanner.close()
    return InlineContent(
        scripts=tuple(scanner.scripts),
        styles=tuple(scanner.styles),
        conditional_panels=scanner.conditional_panels,
    )
