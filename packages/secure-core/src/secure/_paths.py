"""``PathPrefixes``: URL path prefixes whose responses a middleware leaves alone.

A prefix covers whole path segments: ``/admin/`` (or ``/admin``) covers ``/admin``,
``/admin/`` and everything below, never ``/administrator``. Paths compare as the
application routes them (percent-decoded, case-sensitive: RFC 3986 §6.2.2.1), and a
request path that is not in its plain form (a ``.`` or ``..`` segment, an empty segment,
a backslash, a ``%`` left after decoding) is never covered: such a request keeps its
headers, whatever a server or router later makes of it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from secure._docs import EXCLUDE, see
from secure._validation import show

__all__ = ["PathPrefixes"]

# Text that cannot appear in a prefix or in a covered path's plain form. RFC 3986 §3.3
# (segments, "." and ".." dot-segments, §5.2.4); "?" and "#" end the path (§3.4, §3.5).
_NOT_PLAIN: Final = ("//", "/./", "/../", "\\", "%")
_NOT_PLAIN_END: Final = ("/.", "/..")


def _plain(path: str) -> bool:
    """Whether a path has no dot-segment, empty segment, backslash or leftover ``%``."""
    for bad in _NOT_PLAIN:
        if bad in path:
            return False
    return not path.endswith(_NOT_PLAIN_END)


def _prefix(value: object, where: str) -> str:
    """One validated prefix, without its trailing ``/``."""
    if not isinstance(value, str):
        raise TypeError(f"{where}: path prefixes must be strings, got {show(value)}")
    text = str.__str__(value)
    if not text.startswith("/"):
        hint = (
            f"; write {'/' + text.lstrip('/')!r}" if text.isascii() and text.isprintable() else ""
        )
        raise ValueError(f"{where}: {show(value)} must start with '/'{hint}")
    if not (text.isascii() and text.isprintable()) or " " in text:
        raise ValueError(
            f"{where}: {show(value)} must be printable ASCII without spaces (a path as the "
            "application routes it)"
        )
    if "?" in text or "#" in text:
        raise ValueError(
            f"{where}: {show(value)} is matched against the path only; remove the query or fragment"
        )
    if "%" in text:
        raise ValueError(
            f"{where}: {show(value)} is matched against the decoded path; write the "
            "character itself, not its percent-encoding"
        )
    stem = text.rstrip("/")
    if not stem:
        raise ValueError(
            f"{where}: {show(value)} would leave every path out; remove the middleware instead"
        )
    if not _plain(text.rstrip("/") + "/"):
        raise ValueError(
            f"{where}: {show(value)} has an empty, '.' or '..' segment or a backslash; write "
            "the path as the application routes it"
        )
    return stem


class PathPrefixes:
    """URL path prefixes, each covering whole segments, that a middleware leaves alone.

    Given to ``SecureASGIMiddleware(app, exclude=...)`` (and the WSGI one, and each
    framework's setting), a covered request reaches the application untouched and its
    response passes through as the application built it: no header, no nonce::

        PathPrefixes(["/admin/", "/vendor/"]).matches("/admin/login/")  # True
    """

    __slots__ = ("_dirs", "_stems", "prefixes")

    prefixes: tuple[str, ...]

    def __init__(self, prefixes: Iterable[str] | PathPrefixes, *, where: str = "exclude") -> None:
        if isinstance(prefixes, PathPrefixes):
            prefixes = prefixes.prefixes
        if isinstance(prefixes, (str, bytes)) or not isinstance(prefixes, Iterable):
            raise TypeError(
                see(
                    f"{where}: expected a list of path prefixes, got {show(prefixes)}"
                    + (f"; write [{show(prefixes)}]" if isinstance(prefixes, str) else ""),
                    EXCLUDE,
                )
            )
        try:
            stems = tuple(dict.fromkeys(_prefix(value, where) for value in prefixes))
        except (TypeError, ValueError) as exc:
            raise type(exc)(see(str(exc), EXCLUDE)) from None
        #: The prefixes, each written with one trailing ``/``.
        self.prefixes = tuple(f"{stem}/" for stem in stems)
        self._stems = frozenset(stems)
        self._dirs = self.prefixes

    def __bool__(self) -> bool:
        return bool(self.prefixes)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PathPrefixes):
            return NotImplemented
        return self.prefixes == other.prefixes

    def __hash__(self) -> int:
        return hash(self.prefixes)

    def __repr__(self) -> str:
        return f"PathPrefixes({list(self.prefixes)!r})"

    def matches(self, path: str) -> bool:
        """Whether a request path (as the application routes it) is covered."""
        if not (path.startswith(self._dirs) or path in self._stems):
            return False
        return _plain(path)

    def matches_scope(self, scope: Mapping[str, Any]) -> bool:
        """:meth:`matches` for an ASGI HTTP scope, its path taken below ``root_path``."""
        path = scope.get("path")
        if not isinstance(path, str):
            return False
        root = scope.get("root_path")
        # The path below the mount point (ASGI's root_path, like WSGI's SCRIPT_NAME), when
        # the server puts the mount point in front of it.
        if root and isinstance(root, str) and path.startswith(root):
            rest = path[len(root) :]
            if not rest or rest.startswith("/"):
                path = rest or "/"
        return self.matches(path)

    def matches_environ(self, environ: Mapping[str, Any]) -> bool:
        """:meth:`matches` for a WSGI environ: ``PATH_INFO``, below ``SCRIPT_NAME``."""
        path = environ.get("PATH_INFO")
        return isinstance(path, str) and self.matches(path)


def path_prefixes(value: Iterable[str] | PathPrefixes | None, where: str) -> PathPrefixes | None:
    """The ``exclude=`` argument as a value; ``None`` when it covers nothing."""
    if value is None:
        return None
    prefixes = value if isinstance(value, PathPrefixes) else PathPrefixes(value, where=where)
    return prefixes or None
