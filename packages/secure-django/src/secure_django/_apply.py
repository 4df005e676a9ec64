"""Where a view's override travels with its response, and how a plan is set on one.

Both marks are plain data in the response's ``__dict__``, so a response that Django's
cache pickles (``cache_page``, ``UpdateCacheMiddleware``) keeps them: a cache hit is
served with its view's headers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from django.http.response import ResponseHeaders

if TYPE_CHECKING:
    from secure._snapshot import HeaderSnapshot

__all__ = ["APPLIED_ATTR", "RESPONSE_ATTR", "set_headers"]

#: A decorated view's :class:`secure.Override`, on the responses it returns.
RESPONSE_ATTR: Final = "_secure_headers_override"
#: Set once SecureHeadersMiddleware has put its headers on the response: ``True`` when
#: they carry a nonce. A response cached after that (the per-site cache above the
#: middleware) is served as it was stored, not given a second set of headers.
APPLIED_ATTR: Final = "_secure_headers_applied"


def _store_layout_is_known() -> bool:
    # ResponseHeaders (Django 3.2+) keeps ``lower-case name -> (name, value)`` in
    # ``_store``. Check that once rather than trust it; if a Django release changes it,
    # set_headers falls back to the public ``headers[name] = value``.
    probe = ResponseHeaders({})
    probe["X-Probe"] = "1"
    return getattr(probe, "_store", None) == {"x-probe": ("X-Probe", "1")}


_FAST_STORE: Final = _store_layout_is_known()


def set_headers(headers: ResponseHeaders, plan: HeaderSnapshot, nonce: str | None) -> None:
    """Merge ``plan`` into a Django response's headers, the core's rule in one store.

    Names in ``plan.drop`` replace the application's value; the others (the CSP
    headers) are kept beside the application's own. Django holds one field per name,
    so the two policies become one comma-separated list, which a browser enforces as
    two policies (CSP3 §3.1, ``1#serialized-policy``; RFC 9110 §5.3).
    """
    drop = plan.drop
    if _FAST_STORE and type(headers) is ResponseHeaders:
        # ResponseHeaders.__setitem__ re-checks every name and value; the core checked
        # ours when the configuration was built (RFC 9110 §5.5) and a nonce is URL-safe
        # base64, so the pairs go straight into the store.
        store = headers._store
        for name, value in plan.str_items(nonce):
            lower = name.lower()
            if lower not in drop and lower in store:
                value = f"{store[lower][1]}, {value}"
            store[lower] = (name, value)
        return
    for name, value in plan.str_items(nonce):
        if name.lower() not in drop and name in headers:
            value = f"{headers[name]}, {value}"
        headers[name] = value


#: A plan without a nonce slot, keyed as Django's store keys it, and the lower-case
#: names (the CSP headers) that are kept beside an application value.
Prepared = tuple[dict[str, tuple[str, str]], tuple[str, ...]]


def prepare(plan: HeaderSnapshot) -> Prepared | None:
    """The project's own plan, prepared once for :func:`set_prepared`; ``None`` with a
    nonce slot (or where Django's store is not the known layout)."""
    if plan.needs_nonce or not _FAST_STORE:
        return None
    pairs = {name.lower(): (name, value) for name, value in plan.str_items()}
    return pairs, tuple(name for name in pairs if name not in plan.drop)


def set_prepared(headers: ResponseHeaders, prepared: Prepared) -> bool:
    """:func:`set_headers` as one ``dict.update``, when no application value has to be
    kept beside ours; ``False`` (nothing set) when one has."""
    if type(headers) is not ResponseHeaders:
        return False
    pairs, appended = prepared
    store = headers._store
    for name in appended:
        if name in store:
            return False
    store.update(pairs)
    return True
