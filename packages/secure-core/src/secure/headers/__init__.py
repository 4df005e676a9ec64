"""Header builders: one small class per security header.

Each builder exposes ``header_name`` and ``header_value`` and fluent methods that
return the builder::

    from secure.headers import StrictTransportSecurity

    StrictTransportSecurity().max_age(63072000).include_subdomains().header_value
    # 'max-age=63072000; includeSubDomains'

Each builder lives in the module named after it (``StrictTransportSecurity`` in
``secure.headers.strict_transport_security``) and is imported on first use, so importing
this package costs nothing until a builder is needed (PEP 562).
"""

from __future__ import annotations

#: ``typing.TYPE_CHECKING`` without importing ``typing`` (type checkers read it as true).
TYPE_CHECKING = False

if TYPE_CHECKING:
    from secure.headers._base import BaseHeader as BaseHeader
    from secure.headers.cache_control import CacheControl as CacheControl
    from secure.headers.clear_site_data import ClearSiteData as ClearSiteData
    from secure.headers.content_security_policy import (
        ContentSecurityPolicy as ContentSecurityPolicy,
    )
    from secure.headers.cross_origin_embedder_policy import (
        CrossOriginEmbedderPolicy as CrossOriginEmbedderPolicy,
    )
    from secure.headers.cross_origin_opener_policy import (
        CrossOriginOpenerPolicy as CrossOriginOpenerPolicy,
    )
    from secure.headers.cross_origin_resource_policy import (
        CrossOriginResourcePolicy as CrossOriginResourcePolicy,
    )
    from secure.headers.custom_header import CustomHeader as CustomHeader
    from secure.headers.origin_agent_cluster import OriginAgentCluster as OriginAgentCluster
    from secure.headers.permissions_policy import PermissionsPolicy as PermissionsPolicy
    from secure.headers.referrer_policy import ReferrerPolicy as ReferrerPolicy
    from secure.headers.reporting_endpoints import ReportingEndpoints as ReportingEndpoints
    from secure.headers.server import Server as Server
    from secure.headers.strict_transport_security import (
        StrictTransportSecurity as StrictTransportSecurity,
    )
    from secure.headers.x_content_type_options import (
        XContentTypeOptions as XContentTypeOptions,
    )
    from secure.headers.x_dns_prefetch_control import (
        XDnsPrefetchControl as XDnsPrefetchControl,
    )
    from secure.headers.x_frame_options import XFrameOptions as XFrameOptions
    from secure.headers.x_permitted_cross_domain_policies import (
        XPermittedCrossDomainPolicies as XPermittedCrossDomainPolicies,
    )

__all__ = [
    "BaseHeader",
    "CacheControl",
    "ClearSiteData",
    "ContentSecurityPolicy",
    "CrossOriginEmbedderPolicy",
    "CrossOriginOpenerPolicy",
    "CrossOriginResourcePolicy",
    "CustomHeader",
    "OriginAgentCluster",
    "PermissionsPolicy",
    "ReferrerPolicy",
    "ReportingEndpoints",
    "Server",
    "StrictTransportSecurity",
    "XContentTypeOptions",
    "XDnsPrefetchControl",
    "XFrameOptions",
    "XPermittedCrossDomainPolicies",
]


def _module_of(name: str) -> str:
    """The module below ``secure.headers`` that defines the builder ``name``.

    The builder's name in snake case (``XDnsPrefetchControl`` → ``x_dns_prefetch_control``);
    the base class lives in ``_base``.
    """
    if name == "BaseHeader":
        return "_base"
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # __import__ rather than importlib.import_module: the same import, through the
    # interpreter's own path, which `python -X importtime` reports.
    module = __import__(f"{__name__}.{_module_of(name)}", fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
