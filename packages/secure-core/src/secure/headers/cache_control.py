"""Cache-Control: response caching directives (RFC 9111 §5.2; RFC 8246; RFC 5861)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Final

from secure._compat._builders import CacheControlCompat
from secure._docs import bare, see_header
from secure._validation import QUOTED_STRING, TCHAR, check_field_name
from secure.headers._token import SimpleHeader, check_delta_seconds, split_list, unknown

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["CacheControl"]

# RFC 9111 §5.2.2.1, §5.2.2.10, §5.2.1.3 and RFC 5861 §3, §4: the argument is
# delta-seconds, in token form only ("a sender MUST NOT generate the quoted-string form").
_NUMERIC: Final = frozenset(
    {"max-age", "s-maxage", "stale-while-revalidate", "stale-if-error", "min-fresh"}
)
# RFC 9111 §5.2.1.2: max-stale takes delta-seconds, or nothing for any staleness.
_OPTIONAL_NUMERIC: Final = frozenset({"max-stale"})
# RFC 9111 §5.2.2.4 and §5.2.2.7: optionally a quoted list of field names.
_FIELD_LISTS: Final = frozenset({"no-cache", "private"})
# Every response directive this builder knows, in the order the RFCs define them.
_DIRECTIVES: Final = (
    "max-age",
    "must-revalidate",
    "must-understand",
    "no-cache",
    "no-store",
    "no-transform",
    "private",
    "proxy-revalidate",
    "public",
    "s-maxage",
    "immutable",
    "stale-while-revalidate",
    "stale-if-error",
    # RFC 9111 §5.2.1: request directives. A cache ignores them in a response; the
    # builder renders them too (max_stale(), min_fresh(), only_if_cached()).
    "max-stale",
    "min-fresh",
    "only-if-cached",
)
# Nothing stored, and anything stored anyway is already stale (RFC 9111 §5.2.2.1, §5.2.2.5).
_DEFAULT: Final = "no-store, max-age=0"

# RFC 9111 §5.2: cache-directive = token [ "=" ( token / quoted-string ) ] (quoted-string:
# RFC 9110 §5.6.4); list_members() handles the commas and whitespace between them.
_DIRECTIVE: Final = re.compile(rf"({TCHAR}+)(?:=({TCHAR}+|{QUOTED_STRING}))?")
_QUOTED_PAIR: Final = re.compile(r"\\(.)")


def _skip_ows(value: str, position: int) -> int:
    while position < len(value) and value[position] in " \t":
        position += 1
    return position


def _list_members(
    header: str, value: str, member: re.Pattern[str], how: str
) -> Iterator[re.Match[str]]:
    """Each member of an RFC 9110 §5.6.1 list, as ``member`` matches it at its position.

    Members are separated by ``,`` with optional whitespace; anything else is a
    ``ValueError`` that says where parsing stopped and, in ``how``, how to write the value.
    """
    position = 0
    while True:
        found = member.match(value, position)
        if found is None:
            break
        yield found
        position = _skip_ows(value, found.end())
        if position == len(value):
            return
        if value[position] != ",":
            break
        position = _skip_ows(value, position + 1)
    raise ValueError(
        see_header(f"{header}: cannot parse {value!r} at character {position}; {how}", header)
    )


class CacheControl(CacheControlCompat, SimpleHeader):
    """The ``Cache-Control`` header; ``no-store, max-age=0`` unless configured.

    Directives render in call order; calling one again replaces its value in place.

    Example: ``CacheControl().no_store().max_age(0).header_value == "no-store, max-age=0"``.
    """

    __slots__ = ("_directives",)

    _NAME: ClassVar[str] = "Cache-Control"

    def __init__(self) -> None:
        super().__init__()
        # directive name -> rendered argument (None for a directive without one)
        self._directives: dict[str, str | None] = {}

    # RFC 9111 §5.2.2.1
    def max_age(self, seconds: int) -> CacheControl:
        """Fresh for ``seconds`` seconds."""
        return self._put("max-age", self._seconds("max-age", seconds))

    # RFC 9111 §5.2.2.10
    def s_maxage(self, seconds: int) -> CacheControl:
        """Fresh for ``seconds`` seconds in shared caches (overrides ``max-age`` there)."""
        return self._put("s-maxage", self._seconds("s-maxage", seconds))

    # RFC 9111 §5.2.2.4
    def no_cache(self, *field_names: str) -> CacheControl:
        """Revalidate before every reuse; with field names, only those fields are held back."""
        return self._put("no-cache", self._field_list("no-cache", field_names))

    # RFC 9111 §5.2.2.5
    def no_store(self) -> CacheControl:
        """Store the response in no cache at all."""
        return self._put("no-store", None)

    # RFC 9111 §5.2.2.6
    def no_transform(self) -> CacheControl:
        """Intermediaries must not transform the content."""
        return self._put("no-transform", None)

    # RFC 9111 §5.2.2.2
    def must_revalidate(self) -> CacheControl:
        """Once stale, never reuse without successful revalidation."""
        return self._put("must-revalidate", None)

    # RFC 9111 §5.2.2.8
    def proxy_revalidate(self) -> CacheControl:
        """Like ``must-revalidate``, for shared caches only."""
        return self._put("proxy-revalidate", None)

    # RFC 9111 §5.2.2.3
    def must_understand(self) -> CacheControl:
        """Store only if the cache understands the status code's caching rules."""
        return self._put("must-understand", None)

    # RFC 9111 §5.2.2.7
    def private(self, *field_names: str) -> CacheControl:
        """For one user: shared caches must not store it (or only not these fields)."""
        return self._put("private", self._field_list("private", field_names))

    # RFC 9111 §5.2.2.9
    def public(self) -> CacheControl:
        """Any cache may store it, even if it would normally be uncacheable."""
        return self._put("public", None)

    # RFC 8246 §2
    def immutable(self) -> CacheControl:
        """The content never changes while fresh: skip revalidation on reload."""
        return self._put("immutable", None)

    # RFC 5861 §3
    def stale_while_revalidate(self, seconds: int) -> CacheControl:
        """Serve stale for up to ``seconds`` while revalidating in the background."""
        return self._put("stale-while-revalidate", self._seconds("stale-while-revalidate", seconds))

    # RFC 5861 §4
    def stale_if_error(self, seconds: int) -> CacheControl:
        """Serve stale for up to ``seconds`` when revalidation fails with an error."""
        return self._put("stale-if-error", self._seconds("stale-if-error", seconds))

    def _seconds(self, directive: str, seconds: object) -> str:
        return str(check_delta_seconds(self.header_name, directive, seconds))

    def _field_list(self, directive: str, field_names: tuple[object, ...]) -> str | None:
        if not field_names:
            return None
        names = [check_field_name(name, header=self.header_name) for name in field_names]
        # The quoted-string form; RFC 9111 says a sender SHOULD NOT use the token form.
        return '"' + ", ".join(names) + '"'

    def _put(self, directive: str, argument: str | None) -> CacheControl:
        self._check_conflict(directive, self._directives, None)
        self._raw = None
        self._directives[directive] = argument
        return self

    def _check_conflict(
        self, directive: str, directives: dict[str, str | None], raw: str | None
    ) -> None:
        # RFC 9111 §5.2.2.7 / §5.2.2.9: a response cannot be both for one user only and
        # storable by any shared cache; a cache would have to pick one at random.
        other = {"public": "private", "private": "public"}.get(directive)
        if other is not None and other in directives:
            where = ", already set" if raw is None else f" in {raw!r}"
            raise ValueError(
                see_header(
                    f"{self.header_name}: {directive!r} conflicts with {other!r}{where}: "
                    "a response is either for one user (private) or storable by shared caches "
                    "(public) (RFC 9111 §5.2.2.7, §5.2.2.9); call clear() and choose one",
                    self.header_name,
                )
            )

    def _render(self) -> str:
        if not self._directives:
            return _DEFAULT
        return ", ".join(
            name if argument is None else f"{name}={argument}"
            for name, argument in self._directives.items()
        )

    def _reset(self) -> None:
        self._directives = {}

    def _check_raw(self, value: str) -> None:
        directives: dict[str, str | None] = {}
        how = (
            "write directives as name or name=value separated by ', ', "
            "e.g. 'no-store, max-age=0' (RFC 9111 §5.2)"
        )
        for found in _list_members(self.header_name, value, _DIRECTIVE, how):
            # Directive names are case-insensitive (RFC 9111 §5.2).
            name = found[1].lower()
            self._check_directive(value, name, found[2], directives)
            try:
                directives[name] = self._raw_argument(name, found[2])
            except ValueError as exc:
                raise ValueError(
                    see_header(f"{bare(str(exc))} (in {value!r})", self.header_name)
                ) from None
        # Adopt the parsed directives so later method calls build on them.
        self._directives = directives

    def _check_directive(
        self, value: str, name: str, argument: str | None, seen: dict[str, str | None]
    ) -> None:
        header = self.header_name
        if name not in _DIRECTIVES:
            raise unknown(header, "directive", name, _DIRECTIVES, within=value)
        if name in seen:
            # RFC 9111 §4.2.1: a duplicated directive makes its value invalid.
            raise ValueError(
                see_header(
                    f"{header}: {name!r} appears twice in {value!r}; a cache treats a duplicated "
                    "directive as invalid (RFC 9111 §4.2.1): keep one",
                    header,
                )
            )
        self._check_conflict(name, seen, value)
        if name in _NUMERIC or (name in _OPTIONAL_NUMERIC and argument is not None):
            if argument is None or not (argument.isascii() and argument.isdigit()):
                raise ValueError(
                    see_header(
                        f"{header}: {name!r} in {value!r} needs a number of seconds written "
                        f"without quotes, e.g. '{name}=0' (RFC 9111 §1.2.2, §5.2)",
                        header,
                    )
                )
        elif name in _FIELD_LISTS:
            if argument is not None and not argument.startswith('"'):
                raise ValueError(
                    see_header(
                        f"{header}: write the field names of {name!r} in quotes, "
                        f"e.g. '{name}=\"{argument}\"', not {value!r} "
                        "(RFC 9111 §5.2.2.4, §5.2.2.7)",
                        header,
                    )
                )
        elif argument is not None:
            raise ValueError(
                see_header(
                    f"{header}: {name!r} takes no value, got {name}={argument} in {value!r}; "
                    f"write just '{name}' (RFC 9111 §5.2.2)",
                    header,
                )
            )

    def _raw_argument(self, name: str, argument: str | None) -> str | None:
        if argument is None:
            return None
        if name in _NUMERIC or name in _OPTIONAL_NUMERIC:
            return str(int(argument))
        # A quoted list of field names: unescape, split, and check each is a token.
        inner = _QUOTED_PAIR.sub(r"\1", argument[1:-1])
        names = tuple(split_list(inner))
        if names == ("",):
            raise ValueError(
                see_header(
                    f"{self.header_name}: {name}=\"\" lists no field names; write just '{name}' "
                    f"or name the fields, e.g. '{name}=\"Set-Cookie\"'",
                    self.header_name,
                )
            )
        return self._field_list(name, names)
