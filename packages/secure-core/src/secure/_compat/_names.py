"""``HeaderName`` and ``HeaderDefaultValue``: the enums of 2.x's ``secure.headers.base_header``.

Every member is read from a builder (its ``header_name``, or the ``header_value`` of a
builder left at its defaults), so the enums can never disagree with what is sent.
"""

from __future__ import annotations

from enum import Enum

from secure.headers.cache_control import CacheControl
from secure.headers.content_security_policy import ContentSecurityPolicy
from secure.headers.cross_origin_embedder_policy import CrossOriginEmbedderPolicy
from secure.headers.cross_origin_opener_policy import CrossOriginOpenerPolicy
from secure.headers.cross_origin_resource_policy import CrossOriginResourcePolicy
from secure.headers.permissions_policy import PermissionsPolicy
from secure.headers.referrer_policy import ReferrerPolicy
from secure.headers.server import Server
from secure.headers.strict_transport_security import StrictTransportSecurity
from secure.headers.x_content_type_options import XContentTypeOptions
from secure.headers.x_dns_prefetch_control import XDnsPrefetchControl
from secure.headers.x_frame_options import XFrameOptions
from secure.headers.x_permitted_cross_domain_policies import XPermittedCrossDomainPolicies

__all__ = ["HeaderDefaultValue", "HeaderName"]


class HeaderName(Enum):
    """The name of each header a builder renders (2.x's member names)."""

    CACHE_CONTROL = CacheControl().header_name
    CONTENT_SECURITY_POLICY = ContentSecurityPolicy().header_name
    CONTENT_SECURITY_POLICY_REPORT_ONLY = ContentSecurityPolicy().report_only().header_name
    CROSS_ORIGIN_EMBEDDER_POLICY = CrossOriginEmbedderPolicy().header_name
    CROSS_ORIGIN_OPENER_POLICY = CrossOriginOpenerPolicy().header_name
    CROSS_ORIGIN_RESOURCE_POLICY = CrossOriginResourcePolicy().header_name
    PERMISSION_POLICY = PermissionsPolicy().header_name
    REFERRER_POLICY = ReferrerPolicy().header_name
    SERVER = Server().header_name
    STRICT_TRANSPORT_SECURITY = StrictTransportSecurity().header_name
    X_CONTENT_TYPE_OPTIONS = XContentTypeOptions().header_name
    X_DNS_PREFETCH_CONTROL = XDnsPrefetchControl().header_name
    X_FRAME_OPTIONS = XFrameOptions().header_name
    X_PERMITTED_CROSS_DOMAIN_POLICIES = XPermittedCrossDomainPolicies().header_name


class HeaderDefaultValue(Enum):
    """The value each builder sends when nothing is configured (2.x's member names)."""

    CACHE_CONTROL = CacheControl().header_value
    CONTENT_SECURITY_POLICY = ContentSecurityPolicy().header_value
    CROSS_ORIGIN_EMBEDDER_POLICY = CrossOriginEmbedderPolicy().header_value
    CROSS_ORIGIN_OPENER_POLICY = CrossOriginOpenerPolicy().header_value
    PERMISSION_POLICY = PermissionsPolicy().header_value
    REFERRER_POLICY = ReferrerPolicy().header_value
    SERVER = Server().header_value
    STRICT_TRANSPORT_SECURITY = StrictTransportSecurity().header_value
    X_CONTENT_TYPE_OPTIONS = XContentTypeOptions().header_value
    X_DNS_PREFETCH_CONTROL = XDnsPrefetchControl().header_value
    X_FRAME_OPTIONS = XFrameOptions().header_value
    X_PERMITTED_CROSS_DOMAIN_POLICIES = XPermittedCrossDomainPolicies().header_value
