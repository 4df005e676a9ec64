"""Where the documentation site lives, for messages that send a reader to a page."""

from __future__ import annotations

from typing import Final

#: The published documentation (``site_url`` in mkdocs.yml).
DOCS_URL: Final = "https://typeerror.github.io/secure/"


def docs_url(page: str) -> str:
    """The address of a page of ``docs/``: ``docs_url("frameworks/django.md#migrating")``.

    Takes the page's path under ``docs/`` (a test checks that it exists) and gives the URL
    MkDocs publishes it at (``frameworks/django/#migrating``).
    """
    path, _, anchor = page.partition("#")
    if not path.endswith(".md"):
        raise ValueError(f"docs_url: expected a .md page under docs/, got {page!r}")
    stem = path.removesuffix(".md")
    url = DOCS_URL if stem == "index" else f"{DOCS_URL}{stem.removesuffix('/index')}/"
    return f"{url}#{anchor}" if anchor else url
