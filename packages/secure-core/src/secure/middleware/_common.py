"""Construction-time work shared by the ASGI and WSGI middleware.

Everything here runs once, when a middleware is built; nothing runs per request
except :func:`inherited_nonce`, and only on the rare path where an outer layer
already chose the request's nonce.
"""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections import deque
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias, Union

from secure._snapshot import HeaderSnapshot
from secure.nonce import _PLACEHOLDER

if TYPE_CHECKING:
    from secure._presets import Preset
    from secure._secure import Secure

#: What the ``secure=`` argument accepts: a ``Secure`` (the seed's form), a snapshot
#: taken from one, or anything ``Secure.coerce`` reads (a preset, a preset name, a
#: configuration mapping); ``None`` means ``Secure.with_default_headers()``.
SecureArg: TypeAlias = Union["Secure", HeaderSnapshot, "Preset", str, Mapping[str, object], None]

#: Where the request's nonce lives: the WSGI environ key, and the ASGI scope key that
#: stacked middleware use to agree on one nonce (the public ASGI place is
#: ``scope["state"]["csp_nonce"]``).
NONCE_KEY: Final = "secure.csp_nonce"
STATE_KEY: Final = "csp_nonce"

# CSP Level 3 §2.3.1: base64-value = 1*( ALPHA / DIGIT / "+" / "/" / "-" / "_" )*2( "=" )
_NONCE_VALUE: Final = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


# Per-request nonces come from a pool filled in batches: one `secrets` call (one getrandom
# syscall) per batch instead of one per request. Each nonce is 18 fresh random bytes
# (144 bits; CSP Level 3 "nonce-source" asks for at least 128 bits from a CSPRNG, unique
# each time a policy is sent) and is never handed out twice; 18 is a
# multiple of 3, so a whole batch base64-encodes in one call and slices into 24-character
# url-safe nonces. deque.popleft() and .extend() are thread-safe.
_NONCE_BYTES: Final = 18
_NONCE_CHARS: Final = _NONCE_BYTES // 3 * 4
_BATCH: Final = 64
_pool: deque[str] = deque()


#: Take a pooled nonce; raises IndexError when the pool is empty: then call ``refill``.
#: (Inlined by the middleware instead of a helper function: it runs on every request.)
take_nonce: Final = _pool.popleft


def refill() -> str:
    """Fill the pool with a new batch and return one more fresh nonce."""
    text = base64.urlsafe_b64encode(secrets.token_bytes(_NONCE_BYTES * _BATCH)).decode("ascii")
    nonces = [text[i : i + _NONCE_CHARS] for i in range(0, len(text), _NONCE_CHARS)]
    _pool.extend(nonces[1:])
    return nonces[0]


# A forked worker (gunicorn --preload, multiprocessing) must never hand out the nonces
# its parent still holds: each process draws its own.
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_pool.clear)


def resolve_snapshot(secure: SecureArg) -> HeaderSnapshot:
    """The immutable snapshot a middleware keeps for its whole life."""
    if isinstance(secure, HeaderSnapshot):
        return secure
    from secure._secure import Secure

    return Secure.coerce(secure).snapshot()


def appendable_names(multi_ok: Iterable[str] | None) -> frozenset[str]:
    """Lower-cased ``multi_ok`` names (default ``secure.MULTI_OK``)."""
    if multi_ok is None:
        from secure._pipeline import MULTI_OK

        return MULTI_OK
    if isinstance(multi_ok, (str, bytes)):
        raise TypeError(
            f"multi_ok: expected a collection of header names, got the single string "
            f"{multi_ok!r}; wrap it: multi_ok={{{multi_ok!r}}}"
        )
    names = []
    for name in multi_ok:
        if not isinstance(name, str):
            raise TypeError(
                f"multi_ok: header names must be str, got {type(name).__name__} {name!r}"
            )
        names.append(name.lower())
    return frozenset(names)


#: A header whose value holds the nonce slot: its index in the header list, its name, and
#: its value split at the slot, so that ``nonce.join(parts)`` is the filled value.
Slot: TypeAlias = tuple[int, str, tuple[str, ...]]


def split_templates(snapshot: HeaderSnapshot) -> tuple[list[tuple[str, str]], list[Slot]]:
    """The snapshot's headers, with each templated value split at its nonce slot.

    Per request a middleware copies the first list and fills the few slots, instead of
    rebuilding every header.
    """
    headers: list[tuple[str, str]] = []
    slots: list[Slot] = []
    for index, (name, value, templated) in enumerate(snapshot.items):
        if templated:
            slots.append((index, name, tuple(value.split(_PLACEHOLDER))))
            value = ""
        headers.append((name, value))
    return headers, slots


def inherited_nonce(value: object, where: str) -> str:
    """A nonce an outer layer stored for this request, checked before it reaches a header."""
    if isinstance(value, str) and _NONCE_VALUE.fullmatch(value) is not None:
        return value
    raise ValueError(
        f"Content-Security-Policy: {where} holds {value!r}, which is not a nonce "
        "(a base64 value, CSP Level 3 §2.3.1); only the Secure middleware should set it"
    )


def nonce_replaced(where: str, expected: str, found: object) -> RuntimeError:
    """The error for a nonce that was overwritten before the response headers went out."""
    return RuntimeError(
        f"Content-Security-Policy: {where} was changed from {expected!r} to {found!r} "
        "after the middleware generated it; the page and the header would carry different "
        "nonces and the browser would block the page's scripts. Read the nonce, never "
        "assign it."
    )
