"""An immutable, pre-encoded view of a configuration, for the per-request path.

``Secure.snapshot()`` builds one. Middleware and framework integrations keep the
snapshot, never the mutable ``Secure``: a response can only ever see one complete,
validated configuration. Per request the work is a list copy, plus one ``str.join``
per templated value when a nonce slot exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from secure.nonce import _PLACEHOLDER

__all__ = ["HeaderSnapshot"]


class HeaderSnapshot:
    """Compiled headers: names and values validated, ordered and encoded once.

    ``items`` are ``(name, value, templated)`` triples; a templated value contains the
    nonce placeholder ``{nonce}`` and is filled per request.
    """

    __slots__ = (
        "_asgi_parts",
        "_asgi_static",
        "_str_parts",
        "_wsgi_static",
        "asgi_names",
        "items",
        "names",
        "needs_nonce",
    )

    def __init__(self, items: Iterable[tuple[str, str, bool]]) -> None:
        self.items: Final = tuple(items)
        #: Lower-cased names of every header this snapshot sets.
        self.names: Final = frozenset(name.lower() for name, _, _ in self.items)
        self.asgi_names: Final = frozenset(n.encode("latin-1") for n in self.names)
        self.needs_nonce: Final = any(templated for _, _, templated in self.items)
        # str pairs for WSGI and framework response objects (names keep their case).
        self._str_parts: Final = tuple(
            (name, tuple(value.split(_PLACEHOLDER)) if templated else (value,))
            for name, value, templated in self.items
        )
        self._wsgi_static: Final = tuple(
            (name, value) for name, value, templated in self.items if not templated
        )
        # ASGI wants lower-cased byte names (ASGI HTTP spec, "Response Start").
        self._asgi_parts: Final = tuple(
            (name.lower().encode("latin-1"), tuple(p.encode("latin-1") for p in parts))
            for name, parts in self._str_parts
        )
        self._asgi_static: Final = tuple(
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in self._wsgi_static
        )

    def str_items(self, nonce: str | None = None) -> list[tuple[str, str]]:
        """``(name, value)`` pairs; ``nonce`` fills the nonce slot when there is one."""
        if not self.needs_nonce:
            return list(self._wsgi_static)
        if nonce is None:
            raise ValueError(
                "Content-Security-Policy: this configuration has a nonce slot; "
                "pass the request's nonce (secure.nonce.generate_nonce())"
            )
        return [(name, nonce.join(parts)) for name, parts in self._str_parts]

    def asgi_items(self, nonce: str | None = None) -> list[tuple[bytes, bytes]]:
        """Encoded ``(name, value)`` pairs for an ASGI ``http.response.start`` message."""
        if not self.needs_nonce:
            return list(self._asgi_static)
        if nonce is None:
            raise ValueError(
                "Content-Security-Policy: this configuration has a nonce slot; "
                "pass the request's nonce (secure.nonce.generate_nonce())"
            )
        token = nonce.encode("ascii")
        return [(name, token.join(parts)) for name, parts in self._asgi_parts]

    def __repr__(self) -> str:
        return f"HeaderSnapshot({[(n, v) for n, v, _ in self.items]!r})"
