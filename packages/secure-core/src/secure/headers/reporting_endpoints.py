"""Reporting-Endpoints: named URLs for browser reports (W3C Reporting API).

The value is an RFC 9651 dictionary: each key an endpoint name (what CSP ``report-to``
and COOP/COEP ``report-to`` refer to), each value an sf-string holding the URL.
"""

from __future__ import annotations

from typing import ClassVar

from secure._docs import see_header
from secure._structured_field import Item, StructuredFieldError, parse_dictionary
from secure._validation import check_str, describe_char
from secure.headers._token import SimpleHeader, check_sf_key

__all__ = ["ReportingEndpoints"]


class ReportingEndpoints(SimpleHeader):
    """The ``Reporting-Endpoints`` header; it has no default: add at least one endpoint.

    Endpoints render as ``name="url"`` in the order added; adding a name again replaces
    its URL in place. URLs must be ``https`` (or ``http`` on a loopback host), because
    browsers drop reports to other URLs, or a path such as ``/reports``, which the
    browser resolves against the URL of the response that carries the header.

    Example: ``ReportingEndpoints().endpoint("csp", "https://example.com/csp")``
    renders ``csp="https://example.com/csp"``.
    """

    __slots__ = ("_endpoints",)

    _NAME: ClassVar[str] = "Reporting-Endpoints"

    def __init__(self) -> None:
        super().__init__()
        self._endpoints: dict[str, str] = {}

    def endpoint(self, name: str, url: str) -> ReportingEndpoints:
        """Name ``url`` as the endpoint ``name`` (a lower-case structured-field key)."""
        name = check_sf_key(self.header_name, "endpoint name", name)
        url = self._check_url(name, url)
        self._raw = None
        self._endpoints[name] = url
        return self

    @property
    def endpoints(self) -> dict[str, str]:
        """A copy of the endpoints, name to URL."""
        return dict(self._endpoints)

    def _check_url(self, name: str, url: object) -> str:
        header = self.header_name
        url = check_str(header, url, f"URL of endpoint {name!r}")
        for char in url:
            # An sf-string holds printable ASCII (RFC 9651 §3.3.3); a URL needs no space,
            # quote or backslash, and anything else must be percent-encoded.
            if not "\x21" <= char <= "\x7e" or char in '"\\':
                raise ValueError(
                    see_header(
                        f"{header}: invalid URL {url!r} for endpoint {name!r}: "
                        f"{describe_char(char)} is not allowed; percent-encode it",
                        header,
                    )
                )
        if url.startswith("/") and not url.startswith("//"):
            # A path-absolute reference: the Reporting API parses an endpoint URL with the
            # response's URL as its base (Reporting API §3.2 "Process reporting endpoints
            # for response"), so it reports to the page's own origin.
            return url
        from urllib.parse import urlsplit  # only configuration pays for it

        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
        except ValueError as exc:
            raise ValueError(
                see_header(f"{header}: invalid URL {url!r} for endpoint {name!r}: {exc}", header)
            ) from None
        scheme = parts.scheme.lower()
        if not scheme or not host:
            raise ValueError(
                see_header(
                    f"{header}: URL {url!r} for endpoint {name!r} must be absolute, "
                    "e.g. 'https://example.com/reports', or a path such as '/reports'",
                    header,
                )
            )
        # Reporting API: reports only go to potentially trustworthy URLs (Secure Contexts
        # "Is url potentially trustworthy?"): https, or http to a loopback host.
        if scheme != "https" and not (scheme == "http" and _is_loopback(host)):
            raise ValueError(
                see_header(
                    f"{header}: URL {url!r} for endpoint {name!r} is not potentially trustworthy, "
                    "so browsers would never send reports to it; use an https:// URL "
                    "(http:// is accepted only for localhost and loopback addresses)",
                    header,
                )
            )
        return url

    def _render(self) -> str:
        if not self._endpoints:
            raise ValueError(
                see_header(
                    f"{self.header_name}: no endpoints, so there is nothing to send; add one "
                    "with endpoint('default', 'https://example.com/reports')",
                    self.header_name,
                )
            )
        return ", ".join(f'{name}="{url}"' for name, url in self._endpoints.items())

    def _reset(self) -> None:
        self._endpoints = {}

    def _check_raw(self, value: str) -> None:
        header = self.header_name
        how = (
            "write endpoints as name=\"url\" separated by ', ', "
            "e.g. 'csp=\"https://example.com/csp\"' (RFC 9651 §3.2)"
        )
        try:
            members = parse_dictionary(header, value)
        except StructuredFieldError as exc:
            raise ValueError(
                see_header(
                    f"{header}: cannot parse {value!r} at character {exc.position} "
                    f"(expected {exc.expected}); {how}",
                    header,
                )
            ) from None
        endpoints: dict[str, str] = {}
        for name, member in members:
            # Each member is an sf-string without parameters; URLs need no escapes, so a
            # backslash (an escaped quote or backslash) is refused with the rest.
            if (
                not isinstance(member, Item)
                or member.kind != "string"
                or member.params
                or "\\" in member.text
            ):
                raise ValueError(
                    see_header(
                        f"{header}: cannot parse member {name!r} of {value!r}; {how}", header
                    )
                )
            if name in endpoints:
                raise ValueError(
                    see_header(
                        f"{header}: endpoint {name!r} appears twice in {value!r}; keep one "
                        "(a structured-field dictionary keeps only the last)",
                        header,
                    )
                )
            endpoints[name] = self._check_url(name, member.text[1:-1])
        # Adopt the parsed endpoints so later method calls add to them.
        self._endpoints = endpoints


def _is_loopback(host: str) -> bool:
    # Secure Contexts: "localhost" names and loopback IP addresses are trustworthy.
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress  # only configuration pays for it

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
