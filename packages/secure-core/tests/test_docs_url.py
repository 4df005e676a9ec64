from __future__ import annotations

import pytest

from secure._docs import DOCS_URL, docs_url


@pytest.mark.parametrize(
    ("page", "url"),
    [
        ("index.md", DOCS_URL),
        ("nonces.md", f"{DOCS_URL}nonces/"),
        ("headers/index.md", f"{DOCS_URL}headers/"),
        ("frameworks/django.md#migrating", f"{DOCS_URL}frameworks/django/#migrating"),
    ],
)
def test_docs_url(page: str, url: str) -> None:
    assert docs_url(page) == url


def test_docs_url_takes_a_page_path() -> None:
    with pytest.raises(ValueError, match=r"expected a \.md page"):
        docs_url("frameworks/django/")


def test_docs_url_is_https() -> None:
    assert DOCS_URL.startswith("https://")
    assert DOCS_URL.endswith("/")
