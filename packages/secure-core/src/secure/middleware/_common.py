"""Construction-time work shared by the ASGI and WSGI middleware.

Everything here runs once, when a middleware is built; nothing runs per request
except :func:`inherited_nonce`, and only on the rare path where an outer layer
already chose the request's nonce.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Final, TypeAlias, Union

from secure._snapshot import HeaderSnapshot
from secure.nonce import _PLACEHOLDER, _refill, _take, is_nonce

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

# The request's nonce comes from the shared pool in secure.nonce (inlined by the
# middleware: ``try: take_nonce() except IndexError: refill()``).
take_nonce: Final = _take
refill: Final = _refill


# Response header names applications send on almost every response, spelled as ASGI
# (lower case) and WSGI frameworks (canonical case) send them. The merge keeps an
# application header whose name is exactly one of these without lower-casing it: a
# set lookup instead of a str.lower() call per header (the names a configuration
# manages are taken out first, see ``kept_names``).
_COMMON_NAMES: Final = (
    "Accept-Ranges",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Origin",
    "Access-Control-Expose-Headers",
    "Age",
    "Allow",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Content-Length",
    "Content-Range",
    "Content-Type",
    "Date",
    "ETag",
    "Expires",
    "Last-Modified",
    "Link",
    "Location",
    "Pragma",
    "Retry-After",
    "Set-Cookie",
    "Transfer-Encoding",
    "Vary",
    "WWW-Authenticate",
)


def kept_names(drop: frozenset[str]) -> frozenset[str]:
    """Common application header names, in both spellings, that are not in ``drop``.

    A name in the result is never one the middleware replaces, whatever its case:
    its lower-case form is a common name and not in ``drop`` (which is lower-case).
    """
    return frozenset(
        spelling
        for name in _COMMON_NAMES
        if name.lower() not in drop
        for spelling in (name, name.lower())
    )


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
    try:
        given = list(multi_ok)
    except TypeError:
        raise TypeError(
            f"multi_ok: expected a collection of header names, got "
            f"{type(multi_ok).__name__} {multi_ok!r}"
        ) from None
    for name in given:
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
    if is_nonce(value):
        return value  # type: ignore[return-value]
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
