"""Fuzzing ``Secure(...)``, ``derive``, ``header_items`` and ``Secure.from_config``.

The property is the builders' (see ``test_fuzz_builders.py``): a ``ValueError`` /
``TypeError`` that names the header or configuration key, or fields that are valid
RFC 9110 fields whose CSP and Permissions-Policy read back as configured.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import assume, given, note
from hypothesis import strategies as st

import secure
from secure import headers as builders


def _sibling(name: str) -> ModuleType:
    key = f"secure_core_tests.{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]


oracles = _sibling("fuzz_oracles")
strategies = _sibling("fuzz_strategies")
FUZZ = strategies.FUZZ

PAYLOADS = oracles.load_payloads()
TEXT_PAYLOADS = [p.value for p in PAYLOADS if type(p.value) is str and len(p.value) < 200]

# Violations the corpus shows today (see test_fuzz_builders.KNOWN for how this works).
KNOWN: dict[tuple[str, str], str] = {}
_KNOWN_KINDS = {kind for kind, _ in KNOWN}


def test_every_payload_through_secure_config_and_audit() -> None:
    entries = oracles.secure_entry_points()
    run = oracles.run_corpus(entries, PAYLOADS)
    print(f"{len(entries)} entry points x {len(PAYLOADS)} payloads: {run.counts}")
    assert run.counts["accepted"] > 500 and run.counts["refused"] > 5000
    assert oracles.compare_with_known(run, KNOWN) == []


# -- Hypothesis: configuration mappings --------------------------------------------------------

_RAW = {
    "cache": "no-store",
    "coep": "require-corp",
    "coop": "same-origin",
    "corp": "same-site",
    "csp": "default-src 'self'",
    "csp_report_only": "script-src 'self'; report-uri /csp",
    "hsts": "max-age=63072000; includeSubDomains",
    "permissions": "camera=(), usb=()",
    "permissions_report_only": "camera=()",
    "referrer": "no-referrer",
    "reporting_endpoints": 'csp="https://r.example/csp"',
    "server": "",
    "xcto": "nosniff",
    "xdfc": "off",
    "xfo": "DENY",
    "xpcdp": "none",
}
_KEYS = [*_RAW, "preset", "nonce", "custom", "remove", "Content-Security-Policy", "X-Frame-Options"]


@st.composite
def _setting(draw: st.DrawFn, key: str) -> object:
    text = strategies.hostile_text(TEXT_PAYLOADS)
    if key == "preset":
        return draw(st.one_of(st.sampled_from(["balanced", "basic", "strict", "none"]), text))
    if key == "nonce":
        return draw(
            st.one_of(st.booleans(), st.lists(st.sampled_from(["script-src", "style_src"])))
        )
    if key == "custom":
        return draw(st.dictionaries(st.one_of(st.just("X-Robots-Tag"), text), text, max_size=2))
    if key == "remove":
        return draw(st.lists(st.one_of(st.sampled_from(["Server", "x-frame-options"]), text)))
    if key in ("csp", "csp_report_only", "Content-Security-Policy"):
        sources = st.lists(st.one_of(strategies.csp_sources(), text), max_size=3)
        directives = st.sampled_from(["script-src", "img_src", "frame-ancestors", "x-custom"])
        table = st.dictionaries(directives, st.one_of(sources, st.booleans(), st.none()))
        return draw(st.one_of(table, st.just(_RAW["csp"]), text, st.booleans()))
    if key in ("permissions", "permissions_report_only"):
        allowlists = st.lists(strategies.pp_items(), max_size=2)
        table = st.dictionaries(st.sampled_from(["camera", "usb", "ch_ua"]), allowlists)
        return draw(st.one_of(table, st.just(_RAW[key]), text))
    raw = _RAW.get(key, "DENY")
    methods = st.dictionaries(
        st.sampled_from(
            ["max_age", "include_subdomains", "preload", "no_store", "deny", "same_site"]
        ),
        st.one_of(st.booleans(), st.integers(0, 10**8), text),
        max_size=2,
    )
    return draw(
        st.one_of(st.just(raw), text, st.booleans(), st.none(), methods, strategies.non_str())
    )


@st.composite
def configs(draw: st.DrawFn) -> dict[object, object]:
    keys = draw(st.lists(st.one_of(st.sampled_from(_KEYS), strategies.hostile_text()), max_size=4))
    return {key: draw(_setting(key)) for key in keys}


def _expected_csp(config: dict[object, object]) -> dict[str, tuple[str, ...] | None]:
    """What a csp table says each listed directive must hold (docs/configuration.md)."""
    table = config.get("csp")
    if not isinstance(table, dict) or config.get("nonce"):
        return {}
    expected: dict[str, tuple[str, ...] | None] = {}
    for directive, sources in table.items():
        name = directive.replace("_", "-")
        if sources is None or sources is False:
            expected[name] = None
        elif isinstance(sources, list):
            expected[name] = tuple(sources) or ("'none'",)
    return expected


@given(config=configs())
@FUZZ
def test_any_configuration_refuses_or_builds_valid_headers(config: dict[object, object]) -> None:
    subjects = ["secure config"]
    try:
        try:
            result = secure.Secure.from_config(config)
        except Exception as exc:
            oracles.check_error(exc, subjects)
            return
        items = oracles.secure_outcome(result).items
        checked = {n.lower(): v for n, v in oracles.check_items(items)}
        csp = checked.get("content-security-policy")
        if csp is not None:
            policy = dict(oracles.csp_directives(csp))
            for directive, sources in _expected_csp(config).items():
                assert policy.get(directive) == sources, (directive, policy)
    except oracles.PropertyViolation as violation:
        note(str(violation))
        assume(violation.kind not in _KNOWN_KINDS)
        raise


# -- Hypothesis: Secure(...) from random builders -------------------------------------------------


@st.composite
def built(draw: st.DrawFn, cls: type[builders.BaseHeader]) -> builders.BaseHeader | None:
    """A builder after a few random (valid or refused) calls, or None if it cannot render."""
    builder = cls()
    signatures = oracles.fluent_methods(cls)
    argument = strategies.argument_for(cls, TEXT_PAYLOADS)
    for _ in range(draw(st.integers(0, 4)) if signatures else 0):
        method = draw(st.sampled_from(sorted(signatures)))
        if method in ("nonce", "keyword"):
            continue
        params = [p for p in signatures[method].parameters.values() if p.name != "self"]
        count = draw(st.integers(0, 3)) if any(p.kind is p.VAR_POSITIONAL for p in params) else 0
        required = sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD)
        args = [draw(argument) for _ in range(required + count)]
        try:
            getattr(builder, method)(*args)
        except (ValueError, TypeError):
            continue
    try:
        oracles.check_field(builder.header_name, builder.header_value)
    except ValueError:
        return None
    return builder


@given(data=st.data())
@FUZZ
def test_secure_from_random_builders_renders_valid_fields_in_order(data: st.DataObject) -> None:
    keywords: dict[str, Any] = {}
    for keyword in data.draw(st.sets(st.sampled_from(sorted(oracles.SECURE_KEYWORDS)))):
        builder = data.draw(built(oracles.SECURE_KEYWORDS[keyword]))
        if builder is not None:
            keywords[keyword] = builder
    names = data.draw(st.lists(st.sampled_from(["X-Robots-Tag", "X-Other", "x-other"])))
    custom = [builders.CustomHeader(name, "v") for name in names]
    result = secure.Secure(**keywords, custom=custom)
    items = oracles.secure_outcome(result).items
    oracles.check_items(items)
    # One field per configured builder, in the documented order, then the custom ones.
    assert len(items) == len(keywords) + len(custom)
    assert [n for n, _ in items][len(keywords) :] == names
    assert result.snapshot().names == {n.lower() for n, _ in items}
    # Exempting is only for headers the configuration sends (anything else is a typo).
    exempt = ["Server"] if "server" in result.snapshot().names else []
    again = result.derive(headers={"X-Derived": "1"}, exempt=exempt)
    oracles.check_items(oracles.secure_outcome(again).items)
    assert "server" not in again.snapshot().names
