"""Hypothesis strategies and settings for the fuzz tests (``test_fuzz_*.py``).

Settings: the ``secure-ci`` profile (the default) keeps the fuzz tests inside the normal
suite's time budget; ``SECURE_FUZZ_PROFILE=secure-long`` or ``SECURE_FUZZ_EXAMPLES=N``
runs more examples (``nox -s fuzz`` does). The profiles are applied per test, so the
rest of the suite keeps its own Hypothesis settings.
"""

from __future__ import annotations

import base64
import os
import string
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from secure import headers as builders
from secure.nonce import NONCE, csp_hash

settings.register_profile(
    "secure-ci",
    max_examples=40,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "secure-long",
    max_examples=2_000,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_profile = settings.get_profile(os.environ.get("SECURE_FUZZ_PROFILE", "secure-ci"))
_examples = os.environ.get("SECURE_FUZZ_EXAMPLES")

#: Decorate every fuzz test with this (after ``@given``).
FUZZ = settings(_profile, max_examples=int(_examples)) if _examples else settings(_profile)

#: Run every payload through every builder method (not in rotation): ``SECURE_FUZZ_FULL=1``.
FULL = os.environ.get("SECURE_FUZZ_FULL") == "1"

# Characters that break headers, policies and parsers, and their look-alikes.
DANGEROUS = (
    "\r\n\x00\x7f\t\x0b\x0c\x1c\x1e\x85\xa0\u2028\u2029\u560a\u010d\uff07\u037e\uff1b"
    "\ufeff\u200b;,'\" \\(){}=*:/%?#@"
)
FRAGMENTS = (
    "'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "'nonce-",
    "{nonce}", "https:", "https://", "http://", "data:", "*", "*.", "example.com", ":8443",
    "/path", "//", "%3B", "script-src", "default-src", "max-age=", "31536000", "preload",
    "includeSubDomains", "self", "src", "camera", "no-store", "DENY", "nosniff", "?1",
    "report-to=", ";", ",", " ", "\r\n", "'", '"', "(", ")", "=",
)  # fmt: skip


def hostile_text(payloads: list[str] | None = None) -> st.SearchStrategy[str]:
    """Text that tries to break things: random, dangerous characters, grammar fragments."""
    options = [
        st.text(max_size=40),
        st.text(alphabet=string.ascii_letters + string.digits + DANGEROUS, max_size=40),
        st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join),
    ]
    if payloads:
        options.append(st.sampled_from(payloads))
    return st.one_of(options)


def non_str() -> st.SearchStrategy[object]:
    """Values of the wrong type: numbers, bools, None, bytes, containers."""
    return st.one_of(
        st.integers(),
        st.booleans(),
        st.none(),
        st.floats(),
        st.binary(max_size=10),
        st.lists(st.text(max_size=5), max_size=2),
        st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=1),
    )


_LABEL = st.from_regex(r"[a-z0-9](?:[a-z0-9-]{0,8}[a-z0-9])?", fullmatch=True)
_HOST = st.lists(_LABEL, min_size=1, max_size=3).map(".".join)
_BASE64 = st.binary(min_size=1, max_size=24).map(lambda b: base64.b64encode(b).decode())


def csp_sources() -> st.SearchStrategy[str]:
    """Valid CSP3 §2.3.1 source expressions (keywords, schemes, hosts, nonces, hashes)."""
    return st.one_of(
        st.sampled_from(
            [
                "'self'",
                "'unsafe-inline'",
                "'unsafe-eval'",
                "'strict-dynamic'",
                "'report-sample'",
                "'wasm-unsafe-eval'",
                "'unsafe-hashes'",
                "https:",
                "data:",
                "blob:",
                "*",
                NONCE,
            ]
        ),
        st.builds(lambda h: f"https://{h}", _HOST),
        st.builds(lambda h: f"*.{h}", _HOST),
        st.builds(lambda h, p: f"https://{h}:{p}/a/b", _HOST, st.integers(0, 65535)),
        _BASE64.map(lambda v: f"'nonce-{v}'"),
        st.text(max_size=20).map(csp_hash),
    )


def pp_items() -> st.SearchStrategy[str]:
    """Permissions-Policy allowlist items (valid ones and near misses)."""
    return st.one_of(
        st.sampled_from(["'self'", "self", "'src'", "*", "'none'"]),
        st.builds(lambda h: f"https://{h}", _HOST),
        st.builds(lambda h: f'"https://*.{h}:8443"', _HOST),
    )


def argument_for(cls: type[builders.BaseHeader], payloads: list[str]) -> st.SearchStrategy[Any]:
    """One argument for any of ``cls``'s methods: mostly plausible, sometimes hostile."""
    plausible: list[st.SearchStrategy[Any]] = [st.booleans(), st.integers(0, 10**8)]
    if cls is builders.ContentSecurityPolicy:
        plausible += [
            csp_sources(),
            st.sampled_from(["script-src", "style_src", "img-src", "navigate-to", "allow-scripts"]),
        ]
    elif cls is builders.PermissionsPolicy:
        plausible += [pp_items(), st.sampled_from(["camera", "ch-ua", "geolocation"])]
    elif cls is builders.CacheControl:
        plausible.append(st.sampled_from(["Set-Cookie", "Authorization", "X-Private"]))
    elif cls is builders.ReportingEndpoints:
        plausible.append(
            st.sampled_from(["default", "csp", "https://r.example/x", "http://127.0.0.1/r"])
        )
    else:
        plausible.append(st.sampled_from(["default", "coop-reports", "endpoint-1"]))
    return st.one_of(st.one_of(plausible), st.one_of(plausible), hostile_text(payloads), non_str())
