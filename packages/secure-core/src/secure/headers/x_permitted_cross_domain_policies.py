"""X-Permitted-Cross-Domain-Policies: Adobe cross-domain policy files (Adobe's
"Cross-domain policy file specification", meta-policy values; OWASP Secure Headers)."""

from __future__ import annotations

from typing import ClassVar

from secure._compat._builders import XPermittedCrossDomainPoliciesCompat
from secure.headers._token import TokenHeader

__all__ = ["XPermittedCrossDomainPolicies"]


class XPermittedCrossDomainPolicies(XPermittedCrossDomainPoliciesCompat, TokenHeader):
    """The ``X-Permitted-Cross-Domain-Policies`` header; ``none`` unless configured.

    Example: ``XPermittedCrossDomainPolicies().master_only().header_value == "master-only"``.
    """

    __slots__ = ()

    _NAME: ClassVar[str] = "X-Permitted-Cross-Domain-Policies"
    # The meta-policy values of Adobe's specification (lower-case, as specified).
    _TOKENS: ClassVar[tuple[str, ...]] = (
        "none",
        "master-only",
        "by-content-type",
        "by-ftp-filename",
        "all",
        "none-this-response",
    )
    _DEFAULT: ClassVar[str] = "none"

    def none(self) -> XPermittedCrossDomainPolicies:
        """No policy file is allowed anywhere on this domain (the default)."""
        return self._use("none")

    def master_only(self) -> XPermittedCrossDomainPolicies:
        """Only the master policy file (``/crossdomain.xml``) is allowed."""
        return self._use("master-only")

    def by_content_type(self) -> XPermittedCrossDomainPolicies:
        """Only policy files served as ``text/x-cross-domain-policy`` (HTTP/HTTPS only)."""
        return self._use("by-content-type")

    def by_ftp_filename(self) -> XPermittedCrossDomainPolicies:
        """Only policy files named ``crossdomain.xml`` (FTP only)."""
        return self._use("by-ftp-filename")

    def all(self) -> XPermittedCrossDomainPolicies:
        """Every policy file on this domain is allowed."""
        return self._use("all")

    def none_this_response(self) -> XPermittedCrossDomainPolicies:
        """Ignore a policy file in this response only."""
        return self._use("none-this-response")
