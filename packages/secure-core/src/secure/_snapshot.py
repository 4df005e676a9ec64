"""``HeaderSnapshot``: the compiled per-request plan of a configuration.

``Secure.snapshot()`` builds one. Middleware and framework integrations keep the
snapshot, never the mutable ``Secure``: a response can only ever see one complete,
validated configuration. Everything is worked out here, once: the encoded headers,
the nonce slots split out, which application headers ours replace, and the merge of
our headers into an ASGI or WSGI response's. Per request the work is a list copy,
one ``join`` per nonce slot, and one pass over the application's headers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from secure._docs import NONCES, see
from secure._pipeline import MULTI_OK
from secure.nonce import _PLACEHOLDER

__all__ = ["HeaderSnapshot"]

# Response header names applications send on almost every response, spelled as ASGI
# (lower case) and WSGI frameworks (canonical case) send them. The merge keeps an
# application header whose name is exactly one of these without lower-casing it: a
# set lookup instead of a str.lower() call per header (names the configuration
# replaces are taken out first).
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

_MERGED: Final = "middleware.md#how-the-headers-are-merged"

_NEEDS_NONCE: Final = see(
    "Content-Security-Policy: this configuration has a nonce slot; "
    "pass the request's nonce (secure.nonce.generate_nonce())",
    NONCES,
)


def appendable_names(multi_ok: Iterable[str] | None) -> frozenset[str]:
    """Lower-cased ``multi_ok`` names (default ``secure.MULTI_OK``), checked."""
    if multi_ok is None:
        return MULTI_OK
    if isinstance(multi_ok, (str, bytes)):
        raise TypeError(
            see(
                f"multi_ok: expected a collection of header names, got the single string "
                f"{multi_ok!r}; wrap it: multi_ok={{{multi_ok!r}}}",
                _MERGED,
            )
        )
    try:
        given = list(multi_ok)
    except TypeError:
        raise TypeError(
            see(
                f"multi_ok: expected a collection of header names, got "
                f"{type(multi_ok).__name__} {multi_ok!r}",
                _MERGED,
            )
        ) from None
    names = []
    for name in given:
        if not isinstance(name, str):
            raise TypeError(
                see(
                    f"multi_ok: header names must be str, got {type(name).__name__} {name!r}",
                    _MERGED,
                )
            )
        names.append(name.lower())
    return frozenset(names)


def _latin1(text: str) -> bytes:
    return text.encode("latin-1")


class HeaderSnapshot:
    """Compiled headers: names and values validated, ordered and encoded once.

    ``items`` are ``(name, value, templated)`` triples; a templated value contains the
    nonce placeholder ``{nonce}`` and is filled per request. ``multi_ok`` names
    (default ``secure.MULTI_OK``, the CSP headers) are appended beside the
    application's own fields; every other name we set replaces the application's.
    """

    __slots__ = (
        "_asgi_slots",
        "_asgi_static",
        "_str_slots",
        "_str_static",
        "asgi_drop",
        "asgi_keep",
        "asgi_names",
        "drop",
        "items",
        "keep",
        "names",
        "needs_nonce",
    )

    def __init__(
        self, items: Iterable[tuple[str, str, bool]], *, multi_ok: Iterable[str] | None = None
    ) -> None:
        self.items: Final = tuple(items)
        #: Lower-cased names of every header this snapshot sets.
        self.names: Final = frozenset(name.lower() for name, _, _ in self.items)
        self.asgi_names: Final = frozenset(_latin1(n) for n in self.names)
        self.needs_nonce: Final = any(templated for _, _, templated in self.items)
        #: Lower-cased names whose application fields the merge drops (ours replace them).
        self.drop: Final = self.names - appendable_names(multi_ok)
        self.asgi_drop: Final = frozenset(_latin1(n) for n in self.drop)
        #: Application header names, in both spellings, known not to be in ``drop``.
        self.keep: Final = frozenset(
            spelling
            for name in _COMMON_NAMES
            if name.lower() not in self.drop
            for spelling in (name, name.lower())
        )
        self.asgi_keep: Final = frozenset(_latin1(n) for n in self.keep)
        # Headers in order, a templated value left empty; its slot is (index, name, parts
        # split at the placeholder), so nonce.join(parts) is the filled value.
        self._str_static: Final = [
            (name, "" if templated else value) for name, value, templated in self.items
        ]
        self._str_slots: Final = tuple(
            (index, name, tuple(value.split(_PLACEHOLDER)))
            for index, (name, value, templated) in enumerate(self.items)
            if templated
        )
        # ASGI wants lower-cased byte names (ASGI HTTP spec, "Response Start").
        self._asgi_static: Final = [
            (_latin1(name.lower()), _latin1(value)) for name, value in self._str_static
        ]
        self._asgi_slots: Final = tuple(
            (index, _latin1(name.lower()), tuple(_latin1(p) for p in parts))
            for index, name, parts in self._str_slots
        )

    def with_multi_ok(self, multi_ok: Iterable[str] | None) -> HeaderSnapshot:
        """The same headers, appending ``multi_ok`` names instead of the default's."""
        return HeaderSnapshot(self.items, multi_ok=multi_ok)

    # -- our headers --------------------------------------------------------------------

    def str_items(self, nonce: str | None = None) -> list[tuple[str, str]]:
        """``(name, value)`` pairs; ``nonce`` fills the nonce slot when there is one."""
        return self.merge_wsgi((), nonce)

    def asgi_items(self, nonce: str | None = None) -> list[tuple[bytes, bytes]]:
        """Encoded ``(name, value)`` pairs for an ASGI ``http.response.start`` message."""
        return self.merge_asgi((), nonce)

    # -- merged into a response's -------------------------------------------------------

    def merge_asgi(
        self, app_headers: Iterable[tuple[bytes, bytes]], nonce: str | None = None
    ) -> list[tuple[bytes, bytes]]:
        """The application's ASGI headers without the ones ours replace, then ours.

        A new list: the application's own list is left as it built it.
        """
        keep = self.asgi_keep
        drop = self.asgi_drop
        merged = [h for h in app_headers if h[0] in keep or h[0].lower() not in drop]
        merged += self._asgi_static
        if self._asgi_slots:  # filled in place: no copy of our list, no extra call
            if nonce is None:
                raise ValueError(_NEEDS_NONCE)
            start = len(merged) - len(self._asgi_static)
            token = nonce.encode("ascii")
            for index, name, parts in self._asgi_slots:
                merged[start + index] = (name, token.join(parts))
        return merged

    def merge_wsgi(
        self, app_headers: Iterable[tuple[str, str]], nonce: str | None = None
    ) -> list[tuple[str, str]]:
        """The application's WSGI headers without the ones ours replace, then ours."""
        keep = self.keep
        drop = self.drop
        merged = [h for h in app_headers if h[0] in keep or h[0].lower() not in drop]
        merged += self._str_static
        if self._str_slots:  # filled in place: no copy of our list, no extra call
            if nonce is None:
                raise ValueError(_NEEDS_NONCE)
            start = len(merged) - len(self._str_static)
            for index, name, parts in self._str_slots:
                merged[start + index] = (name, nonce.join(parts))
        return merged

    def __repr__(self) -> str:
        return f"HeaderSnapshot({[(n, v) for n, v, _ in self.items]!r})"
