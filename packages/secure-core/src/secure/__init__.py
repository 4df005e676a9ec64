"""secure: HTTP security headers for Python web applications.

Build a set of headers from a preset, the builders or a configuration mapping, then
apply it to responses or hand it to a middleware::

    import secure

    secure_headers = secure.Secure.with_default_headers()
    secure_headers.set_headers(response)

Framework packages (``secure-flask``, ``secure-django``, ``secure-fastapi``,
``secure-shiny``) build on the same ``Secure`` object.
"""

from secure._override import Override
from secure._pipeline import COMMA_JOIN_OK, DEFAULT_ALLOWED_HEADERS, MULTI_OK
from secure._presets import Preset
from secure._secure import Secure
from secure._snapshot import HeaderSnapshot
from secure._version import __version__ as __version__
from secure.errors import HeaderSetError
from secure.headers import (
    CacheControl,
    ClearSiteData,
    ContentSecurityPolicy,
    CrossOriginEmbedderPolicy,
    CrossOriginOpenerPolicy,
    CrossOriginResourcePolicy,
    CustomHeader,
    OriginAgentCluster,
    PermissionsPolicy,
    ReferrerPolicy,
    ReportingEndpoints,
    Server,
    StrictTransportSecurity,
    XContentTypeOptions,
    XDnsPrefetchControl,
    XFrameOptions,
    XPermittedCrossDomainPolicies,
)
from secure.nonce import NONCE, csp_hash, generate_nonce

__all__ = [
    "COMMA_JOIN_OK",
    "DEFAULT_ALLOWED_HEADERS",
    "MULTI_OK",
    "NONCE",
    "CacheControl",
    "ClearSiteData",
    "ContentSecurityPolicy",
    "CrossOriginEmbedderPolicy",
    "CrossOriginOpenerPolicy",
    "CrossOriginResourcePolicy",
    "CustomHeader",
    "HeaderSetError",
    "HeaderSnapshot",
    "OriginAgentCluster",
    "Override",
    "PermissionsPolicy",
    "Preset",
    "ReferrerPolicy",
    "ReportingEndpoints",
    "Secure",
    "Server",
    "StrictTransportSecurity",
    "XContentTypeOptions",
    "XDnsPrefetchControl",
    "XFrameOptions",
    "XPermittedCrossDomainPolicies",
    "csp_hash",
    "generate_nonce",
]
