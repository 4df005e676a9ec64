"""secure.nonce: per-request nonces and CSP hash sources."""

from __future__ import annotations

import base64
import re

import pytest

from secure._snapshot import HeaderSnapshot
from secure.nonce import NONCE, NONCE_BYTES, csp_hash, generate_nonce

# -- generate_nonce --------------------------------------------------------------------


def test_nonce_is_128_bits_of_url_safe_base64() -> None:
    nonce = generate_nonce()
    # CSP Level 3 §7.2: at least 128 bits; 18 bytes are 24 base64url characters.
    assert NONCE_BYTES >= 16
    assert re.fullmatch(r"[A-Za-z0-9_-]{24}", nonce)
    assert len(base64.urlsafe_b64decode(nonce + "==")) == NONCE_BYTES


def test_nonces_do_not_repeat() -> None:
    assert len({generate_nonce() for _ in range(10_000)}) == 10_000


def test_nonce_fits_the_csp_base64_value_grammar() -> None:
    # CSP Level 3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" )*2( "=" )
    grammar = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
    assert all(grammar.fullmatch(generate_nonce()) for _ in range(1000))


def test_nonce_slot_constant() -> None:
    assert NONCE == "'nonce-{nonce}'"
    assert NONCE.format(nonce="abc") == "'nonce-abc'"


def test_snapshot_fills_every_slot_with_the_same_nonce() -> None:
    snapshot = HeaderSnapshot(
        [
            ("Content-Security-Policy", f"script-src {NONCE}; style-src 'self' {NONCE}", True),
            ("X-Frame-Options", "DENY", False),
        ]
    )
    assert snapshot.needs_nonce
    assert snapshot.str_items("n0nce") == [
        ("Content-Security-Policy", "script-src 'nonce-n0nce'; style-src 'self' 'nonce-n0nce'"),
        ("X-Frame-Options", "DENY"),
    ]
    assert snapshot.asgi_items("n0nce") == [
        (b"content-security-policy", b"script-src 'nonce-n0nce'; style-src 'self' 'nonce-n0nce'"),
        (b"x-frame-options", b"DENY"),
    ]
    with pytest.raises(ValueError, match="nonce slot"):
        snapshot.str_items()


# -- csp_hash --------------------------------------------------------------------------

# Known vectors: the CSP specification's hash-source example (alert('Hello, world.');),
# the widely published doSomething(); example, and the empty-string digests; each was
# also checked with `printf '%s' TEXT | openssl dgst -ALG -binary | base64`.
VECTORS = [
    ("alert('Hello, world.');", "sha256", "qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng="),
    ("doSomething();", "sha256", "RFWPLDbv2BY+rCkDzsE+0fr8ylGr2R2faWMhq4lfEQc="),
    ("alert(1)", "sha256", "bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI="),
    ("", "sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="),
    ("", "sha384", "OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"),
    (
        "",
        "sha512",
        "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg==",
    ),
    ("\u00e9", "sha256", "SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw/biumnEw="),  # UTF-8 c3 a9
]


@pytest.mark.parametrize(("content", "algorithm", "digest"), VECTORS)
def test_csp_hash_known_vectors(content: str, algorithm: str, digest: str) -> None:
    assert csp_hash(content, algorithm) == f"'{algorithm}-{digest}'"  # type: ignore[arg-type]
    assert csp_hash(content.encode("utf-8"), algorithm) == f"'{algorithm}-{digest}'"  # type: ignore[arg-type]


def test_csp_hash_defaults_to_sha256() -> None:
    assert csp_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"


def test_csp_hash_hashes_the_exact_text() -> None:
    # Browsers hash the element's text as it is: whitespace and newlines count.
    assert csp_hash("alert(1)") != csp_hash(" alert(1)")
    assert csp_hash("alert(1)\n") != csp_hash("alert(1)\r\n")


@pytest.mark.parametrize("algorithm", ["md5", "sha1", "SHA256", "sha-256"])
def test_csp_hash_rejects_other_algorithms(algorithm: str) -> None:
    with pytest.raises(
        ValueError, match=r"Content-Security-Policy: unsupported hash algorithm.*'sha256'"
    ):
        csp_hash("x", algorithm)  # type: ignore[arg-type]
