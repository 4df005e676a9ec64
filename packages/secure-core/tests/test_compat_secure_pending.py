"""``secure`` 2.x's documented ``Secure`` API that this ``Secure`` does not offer yet.

2.x's ``Secure`` keeps the builders it was given: ``headers_list`` is that mutable list,
and ``headers``, ``header_items()``, ``str()`` and ``set_headers()`` read it each time.
These tests restate 2.x's README, configuration guide and ``Secure`` documentation in our
own words. They are expected to fail until ``Secure`` keeps its builders (its redesign);
``strict=True`` turns each into a failure the moment it passes, so the marker comes off
with the change that makes them pass.
"""

from __future__ import annotations

import asyncio

import pytest

from secure import (
    ContentSecurityPolicy,
    CustomHeader,
    Preset,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)
from secure.headers.base_header import BaseHeader

pytestmark = pytest.mark.xfail(strict=True, reason="Secure-level 2.x API pending")


class DictResponse:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


def test_headers_list_is_the_ordered_list_of_builders() -> None:
    xfo, xcto = XFrameOptions(), XContentTypeOptions()
    secure_headers = Secure(xcto=xcto, xfo=xfo)
    assert isinstance(secure_headers.headers_list, list)  # type: ignore[attr-defined]
    assert secure_headers.headers_list == [xcto, xfo]  # type: ignore[attr-defined]
    assert all(isinstance(h, BaseHeader) for h in secure_headers.headers_list)  # type: ignore[attr-defined]


def test_customising_a_preset_through_headers_list() -> None:
    # The configuration guide's recipe: replace the preset's HSTS builder.
    secure_headers = Secure.from_preset(Preset.BASIC)
    secure_headers.headers_list = [  # type: ignore[attr-defined]
        header
        for header in secure_headers.headers_list  # type: ignore[attr-defined]
        if header.header_name != "Strict-Transport-Security"
    ]
    secure_headers.headers_list.append(  # type: ignore[attr-defined]
        StrictTransportSecurity().max_age(63072000).include_subdomains()
    )
    assert secure_headers.headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains"
    )
    names = [name for name, _ in secure_headers.header_items()]
    assert names[-1] == "Strict-Transport-Security"
    assert names.count("Strict-Transport-Security") == 1


def test_appending_a_builder_reaches_the_response() -> None:
    secure_headers = Secure(xfo=XFrameOptions())
    secure_headers.headers_list.append(CustomHeader("X-App", "1"))  # type: ignore[attr-defined]
    response = DictResponse()
    secure_headers.set_headers(response)
    assert response.headers == {"X-Frame-Options": "SAMEORIGIN", "X-App": "1"}


def test_changing_a_builder_after_passing_it_changes_the_headers() -> None:
    xfo = XFrameOptions()
    csp = ContentSecurityPolicy().default_src("'self'")
    secure_headers = Secure(csp=csp, xfo=xfo)
    xfo.deny()
    csp.img_src("'self'", "data:")
    assert secure_headers.headers["X-Frame-Options"] == "DENY"
    assert dict(secure_headers.header_items())["Content-Security-Policy"] == (
        "default-src 'self'; img-src 'self' data:"
    )
    response = DictResponse()
    asyncio.run(secure_headers.set_headers_async(response))
    assert response.headers["X-Frame-Options"] == "DENY"


def test_header_items_is_a_tuple_of_pairs() -> None:
    items = Secure(xfo=XFrameOptions(), xcto=XContentTypeOptions()).header_items()
    assert items == (("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "SAMEORIGIN"))
    assert Secure().header_items() == ()


def test_headers_raises_on_a_repeated_name_and_header_items_keeps_both() -> None:
    secure_headers = Secure(custom=[CustomHeader("X-App", "1"), CustomHeader("x-app", "2")])
    with pytest.raises(ValueError, match="x-app"):
        secure_headers.headers  # noqa: B018
    assert list(secure_headers.header_items()) == [("X-App", "1"), ("x-app", "2")]
    # Even for names that may repeat on the wire (MULTI_OK): the mapping is single-valued.
    two_csps = Secure(
        csp=ContentSecurityPolicy().default_src("'self'"),
        custom=[CustomHeader("Content-Security-Policy", "img-src 'self'")],
    )
    with pytest.raises(ValueError, match="Content-Security-Policy"):
        two_csps.headers  # noqa: B018


def test_normalized_headers_follow_later_changes_to_the_builders() -> None:
    # headers returns the normalised snapshot "until the configured headers change".
    secure_headers = Secure.with_default_headers().validate_and_normalize_headers()
    secure_headers.headers_list.append(CustomHeader("X-App", "1"))  # type: ignore[attr-defined]
    assert secure_headers.headers["X-App"] == "1"
