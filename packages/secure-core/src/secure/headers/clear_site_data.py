"""Clear-Site-Data: ask the browser to wipe the site's data (W3C Clear Site Data §3.1)."""

from __future__ import annotations

from typing import ClassVar, Final

from secure._docs import see_header
from secure.headers._token import SimpleHeader, split_list, unknown

__all__ = ["ClearSiteData"]

# Clear Site Data §3.1 types, plus "clientHints" (Client Hints Infrastructure) and
# "prefetchCache" / "prerenderCache" (Speculation Rules), which browsers also accept.
_TYPES: Final = (
    "cache",
    "cookies",
    "storage",
    "executionContexts",
    "clientHints",
    "prefetchCache",
    "prerenderCache",
    "*",
)


class ClearSiteData(SimpleHeader):
    """The ``Clear-Site-Data`` header; it has no default: choose at least one type.

    Types render as quoted strings in call order; reading ``header_value`` with none
    chosen raises ``ValueError``.

    Example: ``ClearSiteData().cache().cookies().header_value == '"cache", "cookies"'``.
    """

    __slots__ = ("_types",)

    _NAME: ClassVar[str] = "Clear-Site-Data"

    def __init__(self) -> None:
        super().__init__()
        self._types: list[str] = []

    def cache(self) -> ClearSiteData:
        """Clear the HTTP cache (and, in some browsers, bfcache and prerendered pages)."""
        return self._add("cache")

    def cookies(self) -> ClearSiteData:
        """Clear cookies and HTTP authentication for the registrable domain."""
        return self._add("cookies")

    def storage(self) -> ClearSiteData:
        """Clear DOM storage: localStorage, IndexedDB, service workers, ..."""
        return self._add("storage")

    def execution_contexts(self) -> ClearSiteData:
        """Reload every browsing context of the origin."""
        return self._add("executionContexts")

    def client_hints(self) -> ClearSiteData:
        """Forget the client hints the origin asked for with Accept-CH."""
        return self._add("clientHints")

    def prefetch_cache(self) -> ClearSiteData:
        """Drop speculative prefetches for the origin."""
        return self._add("prefetchCache")

    def prerender_cache(self) -> ClearSiteData:
        """Drop speculative prerenders for the origin."""
        return self._add("prerenderCache")

    def all(self) -> ClearSiteData:
        """Clear every type, present and future (``"*"``)."""
        return self._add("*")

    def _add(self, data_type: str) -> ClearSiteData:
        self._raw = None
        if data_type not in self._types:
            self._types.append(data_type)
        return self

    def _render(self) -> str:
        if not self._types:
            raise ValueError(
                see_header(
                    f"{self.header_name}: no data types chosen, so there is nothing to send; "
                    "call cache(), cookies(), storage(), execution_contexts(), client_hints(), "
                    "prefetch_cache(), prerender_cache() or all()",
                    self.header_name,
                )
            )
        # Clear Site Data §3.1: each type is a quoted-string; unquoted types are invalid.
        return ", ".join(f'"{data_type}"' for data_type in self._types)

    def _reset(self) -> None:
        self._types = []

    def _check_raw(self, value: str) -> None:
        types: list[str] = []
        for item in split_list(value):
            inner = item[1:-1] if len(item) >= 2 and item[0] == item[-1] == '"' else None
            if inner is None:
                if item in _TYPES:
                    raise ValueError(
                        see_header(
                            f"{self.header_name}: {item!r} in {value!r} must be quoted: "
                            f"write '\"{item}\"'; browsers ignore unquoted types "
                            "(Clear Site Data §3.1)",
                            self.header_name,
                        )
                    )
                raise ValueError(
                    see_header(
                        f"{self.header_name}: cannot parse {item!r} in {value!r}; write quoted "
                        "types separated by ', ', e.g. '\"cache\", \"cookies\"' "
                        "(Clear Site Data §3.1)",
                        self.header_name,
                    )
                )
            if inner not in _TYPES:
                raise unknown(self.header_name, "data type", inner, _TYPES, within=value)
            if inner not in types:
                types.append(inner)
        # Adopt the parsed types so later method calls add to them.
        self._types = types
