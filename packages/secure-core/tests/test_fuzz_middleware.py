"""Fuzzing ``SecureASGIMiddleware`` and ``SecureWSGIMiddleware`` with real requests.

Whatever the configuration and whatever the application sends, a response leaves the
middleware with valid fields only, the application's unmanaged headers untouched and in
order, each managed header exactly once (unless in ``multi_ok``), and, with a nonce
slot, the request's nonce in the CSP.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secure import MULTI_OK
from secure.middleware import SecureASGIMiddleware, SecureWSGIMiddleware


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

KNOWN: dict[tuple[str, str], str] = {}


def test_every_payload_through_both_middlewares() -> None:
    entries = oracles.middleware_entry_points()
    run = oracles.run_corpus(entries, PAYLOADS)
    print(f"{len(entries)} entry points x {len(PAYLOADS)} payloads: {run.counts}")
    assert run.counts["accepted"] > 300
    assert oracles.compare_with_known(run, KNOWN) == []


_TOKEN = st.from_regex(r"[A-Za-z][A-Za-z0-9-]{0,12}", fullmatch=True)
_VALUE = st.from_regex(r"(?:[!-~](?:[ !-~]{0,20}[!-~])?)?", fullmatch=True)
_MANAGED = [
    "Content-Security-Policy",
    "x-frame-options",
    "STRICT-TRANSPORT-SECURITY",
    "Server",
    "Cache-Control",
    "Set-Cookie",
]
app_headers = st.lists(st.tuples(st.one_of(_TOKEN, st.sampled_from(_MANAGED)), _VALUE), max_size=8)
configurations = st.one_of(
    st.sampled_from(["balanced", "basic", "strict", None]),
    st.fixed_dictionaries(
        {"preset": st.sampled_from(["balanced", "strict", "none"])},
        optional={
            "nonce": st.one_of(st.just(True), st.just(["script-src", "style-src"])),
            "custom": st.dictionaries(st.sampled_from(["Set-Cookie", "X-Extra", "Link"]), _VALUE),
        },
    ).filter(lambda c: not (c.get("nonce") and c["preset"] == "none")),
)


@pytest.mark.parametrize("kind", ["ASGI", "WSGI"])
@given(
    headers=app_headers,
    configuration=configurations,
    multi_ok=st.one_of(st.none(), st.sets(st.sampled_from(["Set-Cookie", "x-extra", "Link"]))),
)
@FUZZ
def test_middleware_keeps_app_headers_and_adds_valid_ones_once(
    kind: str, headers: list[tuple[str, str]], configuration: object, multi_ok: set[str] | None
) -> None:
    if kind == "ASGI":
        asgi = SecureASGIMiddleware(
            oracles.asgi_app(headers), secure=configuration, multi_ok=multi_ok
        )
        sent, nonce = oracles.run_asgi(asgi)
        names = asgi.snapshot.names
    else:
        wsgi = SecureWSGIMiddleware(
            oracles.wsgi_app(headers), secure=configuration, multi_ok=multi_ok
        )
        sent, nonce = oracles.run_wsgi(wsgi)
        names = wsgi.snapshot.names
    appended = MULTI_OK if multi_ok is None else {n.lower() for n in multi_ok}
    oracles.check_response(sent, headers, names, appended & names, nonce)
    if isinstance(configuration, dict) and configuration.get("nonce"):
        assert isinstance(nonce, str) and len(nonce) >= 22
