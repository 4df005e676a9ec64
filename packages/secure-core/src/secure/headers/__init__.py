"""Header builders: one small class per security header.

Each builder exposes ``header_name`` and ``header_value`` and fluent methods that
return the builder::

    from secure.headers import StrictTransportSecurity

    StrictTransportSecurity().max_age(63072000).include_subdomains().header_value
    # 'max-age=63072000; includeSubDomains'
"""

from secure.headers._base import BaseHeader
from secure.headers.cache_control import CacheControl
from secure.headers.clear_site_data import ClearSiteData
from secure.headers.content_security_policy import ContentSecurityPolicy
from secure.headers.cross_origin_embedder_policy import CrossOriginEmbedderPolicy
from secure.headers.cross_origin_opener_policy import CrossOriginOpenerPolicy
from secure.headers.cross_origin_resource_policy import CrossOriginResourcePolicy
from secure.headers.custom_header import CustomHeader
from secure.headers.origin_agent_cluster import OriginAgentCluster
from secure.headers.permissions_policy import PermissionsPolicy
from secure.headers.referrer_policy import ReferrerPolicy
from secure.headers.reporting_endpoints import ReportingEndpoints
from secure.headers.server import Server
from secure.headers.strict_transport_security import StrictTransportSecurity
from secure.headers.x_content_type_options import XContentTypeOptions
from secure.headers.x_dns_prefetch_control import XDnsPrefetchControl
from secure.headers.x_frame_options import XFrameOptions
from secure.headers.x_permitted_cross_domain_policies import XPermittedCrossDomainPolicies

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
