"""CSP3 §6.8.3 directive fallback lists, as ``secure.headers._csp_grammar`` gives them."""

from __future__ import annotations

import pytest

from secure.headers._csp_grammar import DIRECTIVES, fallback_chain, parse_host_source


@pytest.mark.parametrize(
    ("directive", "chain"),
    [
        ("script-src-elem", ("script-src-elem", "script-src", "default-src")),
        ("script-src-attr", ("script-src-attr", "script-src", "default-src")),
        ("style-src-elem", ("style-src-elem", "style-src", "default-src")),
        ("style-src-attr", ("style-src-attr", "style-src", "default-src")),
        ("worker-src", ("worker-src", "child-src", "script-src", "default-src")),
        ("frame-src", ("frame-src", "child-src", "default-src")),
        ("fenced-frame-src", ("fenced-frame-src", "frame-src", "child-src", "default-src")),
        ("script-src", ("script-src", "default-src")),
        ("style-src", ("style-src", "default-src")),
        ("child-src", ("child-src", "default-src")),
        ("img-src", ("img-src", "default-src")),
        ("connect-src", ("connect-src", "default-src")),
        ("font-src", ("font-src", "default-src")),
        ("manifest-src", ("manifest-src", "default-src")),
        ("media-src", ("media-src", "default-src")),
        ("object-src", ("object-src", "default-src")),
        ("prefetch-src", ("prefetch-src", "default-src")),
        ("default-src", ("default-src",)),
        # not fetch directives: nothing to fall back to (CSP3 §6.3, §6.4)
        ("base-uri", ("base-uri",)),
        ("form-action", ("form-action",)),
        ("frame-ancestors", ("frame-ancestors",)),
        ("sandbox", ("sandbox",)),
        # a directive browsers do not know has no fallback either
        ("navigate-to", ("navigate-to",)),
        ("made-up-src", ("made-up-src",)),
    ],
)
def test_fallback_chain(directive: str, chain: tuple[str, ...]) -> None:
    assert fallback_chain(directive) == chain


def test_every_fetch_directive_ends_at_default_src() -> None:
    fetch = [d for d, kind in DIRECTIVES.items() if kind == "sources" and "-src" in d]
    assert len(fetch) == 18
    for directive in fetch:
        chain = fallback_chain(directive)
        assert chain[0] == directive and chain[-1] == "default-src"
        assert all(step in DIRECTIVES for step in chain)


@pytest.mark.parametrize(
    ("source", "parts"),
    [
        ("https://*.example.com:443/js/", ("https", "*.example.com", "443", "/js/")),
        ("cdn.example.com", ("", "cdn.example.com", "", "")),
        ("*", ("", "*", "", "")),
        ("*:*", ("", "*", "*", "")),
        ("http://*", ("http", "*", "", "")),
        ("'self'", None),
        ("https:", None),
    ],
)
def test_parse_host_source(source: str, parts: tuple[str, ...] | None) -> None:
    assert parse_host_source(source) == parts
