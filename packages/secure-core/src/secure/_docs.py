"""Where the documentation site lives, for messages that send a reader to a page.

Every error raised for bad user input ends with ``(see <page>)``: :func:`see` appends that
pointer, and is the only place that writes it.
"""

from __future__ import annotations

import functools
import re
from typing import Final

from secure._registry import by_name

#: The published documentation (``site_url`` in mkdocs.yml).
DOCS_URL: Final = "https://typeerror.github.io/secure/"


# The pointer ``see`` appends; a message ends with at most one.
# Compiled on first use: only an error that re-words another reads it.
@functools.cache
def _pointer() -> re.Pattern[str]:
    return re.compile(r" \(see " + re.escape(DOCS_URL) + r"[^ ()]*\)\Z")


#: Pages for the settings that are not one header's.
BUILD: Final = "getting-started.md#build-a-secure"
CONFIGURATION: Final = "configuration.md#the-keys"
CUSTOM_HEADERS: Final = "headers/custom-headers.md"
OVERRIDES: Final = "middleware.md#per-route-overrides"
EXCLUDE: Final = "middleware.md#leaving-whole-paths-to-the-application"
PIPELINE: Final = "migration.md#what-works-unchanged"
PRESETS: Final = "presets.md"
NONCES: Final = "nonces.md"


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


def header_page(name: object) -> str:
    """The page of ``docs/headers/`` that explains a header (any case, ``-Report-Only`` too).

    A header the library has no builder for is a custom header.
    """
    spec = by_name(name) if isinstance(name, str) else None
    if spec is None or spec.builder_name is None:
        return CUSTOM_HEADERS
    return f"headers/{spec.lower.removesuffix('-report-only')}.md"


def bare(message: str) -> str:
    """``message`` without the pointer :func:`see` appended, for a caller that re-words it."""
    return _pointer().sub("", message)


def see(message: object, page: str) -> str:
    """``message`` ending with ``(see <url of page>)``; ``page`` is a path under ``docs/``.

    A pointer the message already ends with (from the builder an outer caller wraps) is
    replaced, so the caller that knows the setting names the page, once.
    """
    return f"{bare(str(message))} (see {docs_url(page)})"


def see_header(message: object, header: object) -> str:
    """``see(message, header_page(header))``: the error of a header's builder."""
    return see(message, header_page(header))
