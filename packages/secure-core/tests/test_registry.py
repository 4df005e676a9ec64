"""The header registry is the one catalogue: every typed surface and table agrees with it."""

from __future__ import annotations

import inspect
import typing

import pytest

import secure
from secure import _config, _pipeline
from secure._registry import HEADERS, KEYED, KEYWORDS, by_key, by_name
from secure.config import SecureConfig
from secure.headers import ContentSecurityPolicy, PermissionsPolicy


def test_secure_keywords_are_the_registry_keys() -> None:
    parameters = inspect.signature(secure.Secure.__init__).parameters
    keywords = {name for name in parameters if name not in ("self", "custom")}
    assert keywords == set(KEYWORDS)


def test_secure_keyword_annotations_name_the_registry_builders() -> None:
    hints = typing.get_type_hints(secure.Secure.__init__)
    for spec in KEYED:
        assert spec.builder is not None
        assert hints[spec.key or ""] == spec.builder | None, spec.key


def test_config_schema_has_a_key_per_registry_header() -> None:
    header_keys = set(SecureConfig.__annotations__) - {"preset", "nonce", "custom", "remove"}
    assert header_keys == set(KEYWORDS)
    assert set(_config.HEADER_KEYS) == set(KEYWORDS)


def test_every_keyed_header_name_is_a_config_alias() -> None:
    for spec in KEYED:
        assert _config.ALIASES[spec.name.lower()] == spec.key


def test_pipeline_tables_come_from_the_registry() -> None:
    assert {spec.name.lower() for spec in HEADERS} == secure.DEFAULT_ALLOWED_HEADERS
    assert {s.name.lower() for s in HEADERS if s.multi} == secure.MULTI_OK
    assert {s.name.lower() for s in HEADERS if s.joinable} | {"vary"} == secure.COMMA_JOIN_OK
    assert _pipeline._CANONICAL["x-dns-prefetch-control"] == "X-DNS-Prefetch-Control"


@pytest.mark.parametrize("spec", [s for s in HEADERS if s.builder_name is not None], ids=str)
def test_each_builder_renders_the_name_the_registry_gives(
    spec: secure._registry.HeaderSpec,
) -> None:
    # The table names its builders; each name is a public builder of secure.headers.
    assert spec.builder is getattr(secure.headers, spec.builder_name or "")
    assert spec.builder.__name__ == spec.builder_name
    assert spec.new_builder().header_name == spec.name
    if spec.report_only:
        assert spec.builder in (ContentSecurityPolicy, PermissionsPolicy)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Content-Security-Policy-Report-Only", "default-src 'bogus'"),
        # Strict validation used to skip this one: the registry makes every header count.
        ("Permissions-Policy-Report-Only", "camera=(self"),
    ],
)
def test_strict_validation_covers_both_report_only_headers(name: str, value: str) -> None:
    from secure.headers import CustomHeader

    config = secure.Secure(custom=[CustomHeader(name, value)])
    with pytest.raises(ValueError, match=name):
        config.validate_and_normalize_headers(on_invalid="raise", strict=True)


def test_lookups() -> None:
    assert by_key("csp").name == "Content-Security-Policy"
    assert by_name("x-frame-options") is by_key("xfo")
    assert by_name("X-Robots-Tag") is None
    with pytest.raises(KeyError):
        by_key("nope")


def test_no_module_cycle_between_presets_config_and_secure() -> None:
    import ast
    from pathlib import Path

    root = Path(secure.__file__).parent
    for module in ("_presets.py", "_config.py", "_registry.py", "_override.py", "_csp_edit.py"):
        tree = ast.parse((root / module).read_text(encoding="utf-8"))
        imported = {
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        }
        # Function-local imports count too: ast.walk sees every import in the module.
        assert "secure._secure" not in imported, module
        assert "secure.config" not in imported, module
