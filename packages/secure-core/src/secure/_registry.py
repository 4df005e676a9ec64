"""The catalogue of security headers: the one table every other list is derived from.

Each :class:`HeaderSpec` says what the library knows about one header: its field name,
the builder that renders it, the ``Secure(...)``/configuration keyword that sets it (if
any), and how repeated fields combine. ``Secure``'s slots, the configuration keys and
their header-name aliases, the strict-validation grammar, the pipeline's
``MULTI_OK``/``COMMA_JOIN_OK``/``DEFAULT_ALLOWED_HEADERS``, the canonical spellings and
the checker's single-valued set all read this table.

Adding a header: one line here, its builder module in ``secure/headers/``, a keyword on
``Secure.__init__`` and ``SecureConfig`` (``tests/test_registry.py`` fails until they
agree), and a reference page under <https://typeerror.github.io/secure/headers/>.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from secure import headers as h

if TYPE_CHECKING:
    from secure.headers._base import BaseHeader

__all__ = ["HEADERS", "KEYED", "KEYWORDS", "HeaderSpec", "by_key", "by_name"]


class HeaderSpec:
    """What the library knows about one security header (read-only by convention).

    ``name``: the field name, canonically spelled (``"Content-Security-Policy"``).
    ``builder``: the builder that renders and parses it; ``None`` for a header the
    library only names. The table holds the builder's name (``builder_name``); its module
    is imported when ``builder`` is first read, so the table itself imports no builder.
    ``key``: the ``Secure(...)`` keyword and configuration key; ``None`` when only
    ``custom`` can set it. ``report_only``: the builder renders the ``-Report-Only``
    variant. ``joinable``: repeated fields can be joined with ", " without changing the
    meaning (list-based fields, RFC 9110 §5.3; structured-field lists and dictionaries,
    RFC 9651 §3.1-3.2). ``multi``: several fields may stand on one response and all apply
    (CSP Level 3 §3.1, "multiple policies"), so middleware appends ours beside the
    application's. ``single``: browsers read one field only (RFC 6797 §8.1, HTML's
    X-Frame-Options processing, RFC 9651 items).
    """

    # A plain class, not a dataclass: ``import secure`` stays free of ``dataclasses``.
    __slots__ = (
        "builder_name",
        "joinable",
        "key",
        "lower",
        "multi",
        "name",
        "report_only",
        "single",
    )

    def __init__(
        self,
        name: str,
        builder_name: str | None = None,
        key: str | None = None,
        *,
        report_only: bool = False,
        joinable: bool = False,
        multi: bool = False,
        single: bool = False,
    ) -> None:
        self.name = name
        self.lower = name.lower()
        self.builder_name = builder_name
        self.key = key
        self.report_only = report_only
        self.joinable = joinable
        self.multi = multi
        self.single = single

    def __repr__(self) -> str:
        return f"HeaderSpec({self.name!r}, key={self.key!r})"

    @property
    def builder(self) -> type[BaseHeader] | None:
        """The builder class (``secure.headers.<builder_name>``), or ``None``."""
        if self.builder_name is None:
            return None
        builder: type[BaseHeader] = getattr(h, self.builder_name)
        return builder

    def new_builder(self) -> BaseHeader:
        """A fresh builder for this header, switched to report-only where it applies."""
        if self.builder is None:
            raise TypeError(f"{self.name}: no builder renders this header")
        builder = self.builder()
        if self.report_only and isinstance(builder, (h.ContentSecurityPolicy, h.PermissionsPolicy)):
            builder.report_only()
        return builder


_CSP: Final = "ContentSecurityPolicy"
_PP: Final = "PermissionsPolicy"

#: Every header the library knows, in the order ``Secure`` renders its keyword slots.
HEADERS: Final[tuple[HeaderSpec, ...]] = (
    HeaderSpec("Cache-Control", "CacheControl", "cache", joinable=True),
    HeaderSpec("Cross-Origin-Embedder-Policy", "CrossOriginEmbedderPolicy", "coep", single=True),
    HeaderSpec("Cross-Origin-Opener-Policy", "CrossOriginOpenerPolicy", "coop", single=True),
    HeaderSpec("Cross-Origin-Resource-Policy", "CrossOriginResourcePolicy", "corp", single=True),
    HeaderSpec("Content-Security-Policy", _CSP, "csp", joinable=True, multi=True),
    HeaderSpec(
        "Content-Security-Policy-Report-Only",
        _CSP,
        "csp_report_only",
        report_only=True,
        joinable=True,
        multi=True,
    ),
    HeaderSpec("Strict-Transport-Security", "StrictTransportSecurity", "hsts", single=True),
    HeaderSpec("Permissions-Policy", _PP, "permissions", joinable=True),
    HeaderSpec(
        "Permissions-Policy-Report-Only",
        _PP,
        "permissions_report_only",
        report_only=True,
        joinable=True,
    ),
    HeaderSpec("Referrer-Policy", "ReferrerPolicy", "referrer", joinable=True),
    HeaderSpec("X-Permitted-Cross-Domain-Policies", "XPermittedCrossDomainPolicies", "xpcdp"),
    HeaderSpec("X-DNS-Prefetch-Control", "XDnsPrefetchControl", "xdfc"),
    HeaderSpec("Server", "Server", "server"),
    HeaderSpec("X-Content-Type-Options", "XContentTypeOptions", "xcto", single=True),
    HeaderSpec("X-Frame-Options", "XFrameOptions", "xfo"),
    HeaderSpec("Reporting-Endpoints", "ReportingEndpoints", "reporting_endpoints", joinable=True),
    # Headers with a builder but no keyword of their own (set them through ``custom``).
    HeaderSpec("Clear-Site-Data", "ClearSiteData", joinable=True),
    HeaderSpec("Origin-Agent-Cluster", "OriginAgentCluster"),
    # Headers the presets or the checker name, with no builder.
    HeaderSpec("Cross-Origin-Embedder-Policy-Report-Only"),
    HeaderSpec("Cross-Origin-Opener-Policy-Report-Only"),
    HeaderSpec("X-Download-Options"),
    HeaderSpec("X-XSS-Protection", single=True),
)

#: The headers with a ``Secure(...)`` keyword, in rendering order.
KEYED: Final[tuple[HeaderSpec, ...]] = tuple(spec for spec in HEADERS if spec.key)

_BY_KEY: Final[Mapping[str, HeaderSpec]] = MappingProxyType(
    {spec.key: spec for spec in KEYED if spec.key}
)
#: The ``Secure(...)`` keywords (and configuration keys) that set a header, in order.
KEYWORDS: Final[tuple[str, ...]] = tuple(_BY_KEY)
_BY_NAME: Final[Mapping[str, HeaderSpec]] = MappingProxyType({s.lower: s for s in HEADERS})


def by_key(key: str) -> HeaderSpec:
    """The spec for a ``Secure(...)`` keyword; ``KeyError`` if there is none."""
    return _BY_KEY[key]


def by_name(name: str) -> HeaderSpec | None:
    """The spec for a header name (any case), or ``None`` for a header we do not know."""
    return _BY_NAME.get(name.lower())
