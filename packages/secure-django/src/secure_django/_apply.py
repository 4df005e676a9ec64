"""Applying a snapshot to Django responses, and per-view overrides of it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from django.http.response import ResponseHeaders

from secure import Secure

if TYPE_CHECKING:
    from django.http import HttpResponseBase

    from secure._snapshot import HeaderSnapshot

__all__ = ["RESPONSE_ATTR", "VIEW_ATTR", "Compiled", "Override", "Step"]

#: Where a decorated view leaves its override on the response it returns.
RESPONSE_ATTR: Final = "_secure_headers_override"
#: Where a decorated view keeps its override, so stacked decorators compose.
VIEW_ATTR: Final = "_secure_headers_override"

Step = Callable[[Secure], Secure]


def _store_layout_is_known() -> bool:
    # ResponseHeaders (Django 3.2+) keeps ``lower-case name -> (name, value)`` in
    # ``_store``. Check that once rather than trust it blindly; if a Django release
    # changes it, Compiled.apply falls back to the public ``headers[name] = value``.
    probe = ResponseHeaders({})
    probe["X-Probe"] = "1"
    return getattr(probe, "_store", None) == {"x-probe": ("X-Probe", "1")}


_FAST_STORE: Final = _store_layout_is_known()


class Compiled:
    """A snapshot in the shape of Django's header store, built once.

    ``ResponseHeaders.__setitem__`` re-checks every name and value (charset, CR/LF);
    the core validated ours when the configuration was built (RFC 9110 §5.5: ASCII
    field values, no control characters) and a nonce is URL-safe base64, so the
    prebuilt pairs go straight into the store: one ``dict.update`` per response.
    """

    __slots__ = ("_lowers", "_static", "snapshot")

    def __init__(self, snapshot: HeaderSnapshot) -> None:
        self.snapshot: Final = snapshot
        # The names, in the order str_items() gives them (a placeholder fills the slot).
        items = snapshot.str_items("0" if snapshot.needs_nonce else None)
        self._lowers: Final = tuple(name.lower() for name, _ in items)
        self._static: Final = (
            None if snapshot.needs_nonce else dict(zip(self._lowers, items, strict=True))
        )

    def apply(self, response: HttpResponseBase, nonce: object) -> None:
        """Set the headers on ``response``, overwriting the ones it already has."""
        static = self._static
        headers = response.headers
        if _FAST_STORE and type(headers) is ResponseHeaders:
            if static is not None:
                headers._store.update(static)
            else:
                headers._store.update(
                    zip(self._lowers, self.snapshot.str_items(str(nonce)), strict=True)
                )
            return
        items = static.values() if static is not None else self.snapshot.str_items(str(nonce))
        for name, value in items:
            headers[name] = value


class Override:
    """The derive steps of one decorated view, and the headers they produce.

    The headers are computed from the project's ``Secure`` when the view is decorated
    and kept; the middleware passes its own ``Secure`` to :meth:`resolve`, which only
    derives again when that is a different object (e.g. under ``override_settings``).
    """

    __slots__ = ("_composed", "_resolved", "steps")

    def __init__(self, steps: tuple[Step, ...]) -> None:
        self.steps: Final = steps
        # (base, compiled) in one attribute: a concurrent reader never sees a mix.
        self._resolved: tuple[Secure, Compiled] | None = None
        self._composed: dict[Override, Override] = {}

    def resolve(self, base: Secure) -> Compiled:
        """The headers for a response of this view, given the project's ``Secure``."""
        resolved = self._resolved
        if resolved is None or resolved[0] is not base:
            derived = base
            for step in self.steps:
                derived = step(derived)
            resolved = self._resolved = (base, Compiled(derived.snapshot()))
        return resolved[1]

    def after(self, inner: Override | None) -> Override:
        """This override applied on top of ``inner`` (a decorator closer to the view)."""
        if inner is None:
            return self
        composed = self._composed.get(inner)
        if composed is None:
            composed = self._composed[inner] = Override(inner.steps + self.steps)
        return composed
