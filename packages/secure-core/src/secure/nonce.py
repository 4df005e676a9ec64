"""Per-request CSP nonces and hash sources.

A Content-Security-Policy can hold a *nonce slot*: the source :data:`NONCE` in any
directive (usually ``script-src`` and ``style-src``). Every response then gets a fresh
nonce from :func:`generate_nonce`, substituted into the prebuilt header, and the same
value is handed to the code that renders the page (CSP Level 3 §6.7.2.2).
"""

from __future__ import annotations

import binascii
import os
import re
import sys
from collections import deque
from typing import TYPE_CHECKING, Final, Literal

if TYPE_CHECKING:
    import mmap

__all__ = ["NONCE", "NONCE_BYTES", "csp_hash", "generate_nonce", "is_nonce"]

#: The nonce slot: put it in a CSP directive's sources, e.g.
#: ``ContentSecurityPolicy().script_src("'self'", NONCE)``. Each response replaces
#: ``{nonce}`` with a fresh value.
NONCE: Final = "'nonce-{nonce}'"

#: Random bytes per nonce: 144 bits (CSP Level 3 §7.2 asks for at least 128 from a
#: CSPRNG). A multiple of 3, so a nonce is 24 base64 characters without padding.
NONCE_BYTES: Final = 18

_PLACEHOLDER: Final = "{nonce}"
_NONCE_CHARS: Final = NONCE_BYTES // 3 * 4
_BATCH: Final = 64

# CSP Level 3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" )*2( "=" )
_NONCE_VALUE: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")

# Nonces come from a pool filled in batches: one getrandom() call per 64 nonces
# instead of one per request (the syscall costs more than the rest of the per-request
# work). Each nonce is fresh CSPRNG output, handed out exactly once; deque.popleft()
# and .extend() are atomic, so threads never share one.
#
# The pool belongs to the process that filled it. A forked child inherits a copy, and
# not every server forks through Python (uWSGI calls the C fork(), which skips
# os.register_at_fork hooks), so every draw first checks that this process owns the
# pool: a child never hands out a nonce its parent or a sibling may also hand out.
_pool: deque[str] = deque()


class _PidMark:
    """Owner check by pid: a ``getpid()`` system call on every draw."""

    __slots__ = ("_owner",)

    def __init__(self) -> None:
        self._owner = 0

    def __getitem__(self, index: int) -> bool:
        return os.getpid() == self._owner

    def __setitem__(self, index: int, value: int) -> None:
        self._owner = os.getpid()


def _ownership_mark() -> _PidMark | mmap.mmap:
    """What ``generate_nonce`` reads to know that the pool is this process's.

    Where the kernel supports it, one private memory page with ``MADV_WIPEONFORK``
    (Linux 4.14+, madvise(2)): the kernel hands every child, however it was forked, that
    page filled with zeros, so a 0 in its first byte means "not filled by this
    process". Reading it costs a memory load instead of a system call. Elsewhere the
    owner's pid, asked of the OS on every draw.
    """
    if sys.platform != "linux":
        return _PidMark()
    import mmap

    try:
        page = mmap.mmap(-1, mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        page.madvise(getattr(mmap, "MADV_WIPEONFORK", 18))  # 18 in <linux/mman.h>
    except (OSError, ValueError):  # a kernel older than 4.14, or no madvise
        return _PidMark()
    return page


#: Truthy at index 0 while the pool belongs to this process.
_mark: Final = _ownership_mark()

# base64url (RFC 4648 §5) is base64 with "-" and "_" for "+" and "/".
_URLSAFE: Final = bytes.maketrans(b"+/", b"-_")
# Where each nonce sits in a batch's text: sliced in C by map(), not in a Python loop.
_CUTS: Final = tuple(
    slice(start, start + _NONCE_CHARS) for start in range(0, _NONCE_CHARS * _BATCH, _NONCE_CHARS)
)


def _refill() -> str:
    """Fill the pool with a new batch and return one more fresh nonce."""
    # os.urandom is what secrets.token_bytes uses: the OS CSPRNG. The text is exactly
    # base64.urlsafe_b64encode(...) (no padding: the length is a multiple of 3).
    raw = os.urandom(NONCE_BYTES * _BATCH)
    text = binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).decode("ascii")
    nonces = list(map(text.__getitem__, _CUTS))
    _pool.extend(nonces[1:])
    return nonces[0]


def generate_nonce() -> str:
    """A fresh nonce: 144 bits from the OS CSPRNG, URL-safe base64, 24 characters.

    The alphabet (A-Z a-z 0-9 ``-`` ``_``) is inside CSP's ``base64-value`` grammar
    (CSP Level 3 §2.3.1) and is safe in HTML attributes without escaping. Never the
    same in two processes, however the process was forked.
    """
    if not _mark[0]:
        # First use, or inherited from the parent: those nonces are not ours to give.
        _pool.clear()
        _mark[0] = 1
    try:
        return _pool.popleft()
    except IndexError:
        return _refill()


def is_nonce(value: object) -> bool:
    """True when ``value`` is a string a CSP ``'nonce-...'`` source can carry."""
    return isinstance(value, str) and _NONCE_VALUE.fullmatch(value) is not None


def csp_hash(
    content: str | bytes, algorithm: Literal["sha256", "sha384", "sha512"] = "sha256"
) -> str:
    """The CSP hash source for an inline ``<script>`` or ``<style>`` body.

    ``content`` is the exact text between the tags (str is encoded as UTF-8, as browsers
    do, CSP Level 3 §8.4). Returns e.g. ``'sha256-...'``, ready for ``script_src``.

    >>> csp_hash("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    import base64
    import hashlib

    if algorithm not in ("sha256", "sha384", "sha512"):
        from secure._docs import see

        raise ValueError(
            see(
                f"Content-Security-Policy: unsupported hash algorithm {algorithm!r}; "
                "use 'sha256', 'sha384' or 'sha512' (CSP Level 3 §2.3.1)",
                "nonces.md#hashes-the-cache-friendly-alternative",
            )
        )
    data = content.encode("utf-8") if isinstance(content, str) else content
    digest = hashlib.new(algorithm, data).digest()
    return f"'{algorithm}-{base64.b64encode(digest).decode('ascii')}'"
