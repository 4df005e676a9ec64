"""Every framework-free usage example the library promises, run as written."""

from __future__ import annotations

import asyncio
import logging

from secure import COMMA_JOIN_OK, DEFAULT_ALLOWED_HEADERS, MULTI_OK, Preset, Secure
from secure.headers import ContentSecurityPolicy, PermissionsPolicy


class Response:
    def __init__(self) -> None:
        self.headers: dict[str, str] = {}


def test_quick_start(balanced: list[tuple[str, str]]) -> None:
    secure_headers = Secure.with_default_headers()
    response = Response()
    secure_headers.set_headers(response)

    async def main() -> None:
        await secure_headers.set_headers_async(response)

    asyncio.run(main())
    assert response.headers == dict(balanced)
    assert Secure.with_default_headers() == Secure.from_preset(Preset.BALANCED)


def test_presets(balanced: list[tuple[str, str]]) -> None:
    balanced_headers = Secure.from_preset(Preset.BALANCED)
    basic_headers = Secure.from_preset(Preset.BASIC)
    strict_headers = Secure.from_preset(Preset.STRICT)
    assert "Server" not in basic_headers.headers
    assert "Cache-Control" not in balanced_headers.headers
    assert "preload" not in strict_headers.headers["Strict-Transport-Security"]


def test_csp_builder() -> None:
    csp = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'", "cdn.typeerror.com")
        .style_src("'unsafe-inline'")
        .img_src("'self'", "images.typeerror.com")
        .connect_src("'self'", "api.typeerror.com")
    )
    secure_headers = Secure(csp=csp)
    assert secure_headers.headers["Content-Security-Policy"] == (
        "default-src 'self'; script-src 'self' cdn.typeerror.com; style-src 'unsafe-inline'; "
        "img-src 'self' images.typeerror.com; connect-src 'self' api.typeerror.com"
    )


def test_permissions_builder() -> None:
    permissions = PermissionsPolicy().geolocation("'self'").camera("'none'").microphone("'none'")
    secure_headers = Secure(permissions=permissions)
    assert secure_headers.headers["Permissions-Policy"] == (
        "geolocation=(self), camera=(), microphone=()"
    )


def test_custom_csp_for_middleware() -> None:
    secure_headers = Secure(
        csp=ContentSecurityPolicy().default_src("'self'").script_src("https://trusted.cdn")
    )
    assert list(secure_headers.header_items()) == [
        ("Content-Security-Policy", "default-src 'self'; script-src https://trusted.cdn")
    ]


def test_pipeline(balanced: list[tuple[str, str]]) -> None:
    logger = logging.getLogger("secure")
    secure_headers = (
        Secure.with_default_headers()
        .allowlist_headers(
            allowed=DEFAULT_ALLOWED_HEADERS,
            allow_extra=["X-My-App-Header"],
            on_unexpected="warn",  # "raise" (default), "drop", or "warn"
            allow_x_prefixed=False,
            logger=logger,
        )
        .deduplicate_headers(
            action="raise",  # "raise" (default), "first", "last", or "concat"
            comma_join_ok=COMMA_JOIN_OK,
            multi_ok=MULTI_OK,
            logger=logger,
        )
        .validate_and_normalize_headers(
            on_invalid="drop",  # "drop" (default), "warn", or "raise"
            strict=False,
            allow_obs_text=False,
            logger=logger,
        )
    )
    assert dict(secure_headers.headers) == dict(balanced)

    added: list[tuple[str, str]] = []

    class Headers:
        def add(self, name: str, value: str) -> None:
            added.append((name, value))

    class MultiResponse:
        headers = Headers()

    response = MultiResponse()
    for name, value in secure_headers.header_items():
        response.headers.add(name, value)
    assert added == balanced
