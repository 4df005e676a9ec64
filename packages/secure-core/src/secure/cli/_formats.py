"""Render a header list for a web server or hosting platform.

Each renderer takes the ``(name, value)`` pairs of a configuration (already validated
RFC 9110 fields, no nonce slot) and returns the text to paste plus notes for the user.
Every format is checked against the real tool where one can run (nginx, Apache, Caddy)
and by a parser of the documented syntax otherwise; see ``docs/deployment.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

__all__ = ["FORMATS", "STATIC_FORMATS", "FormatError", "Rendered", "render"]

Items = Sequence[tuple[str, str]]


class FormatError(ValueError):
    """The configuration cannot be expressed in the chosen format."""


@dataclass(frozen=True)
class Rendered:
    """What ``secure show`` prints: ``text`` on stdout, each note on stderr."""

    text: str
    notes: tuple[str, ...] = field(default=())


def _is_server(name: str) -> bool:
    return name.lower() == "server"


def _http(items: Items, source: str) -> Rendered:
    # RFC 9110 §5.2: "field-name: field-value"; an empty value is just "Name:".
    lines = [f"{name}: {value}" if value else f"{name}:" for name, value in items]
    return Rendered("\n".join(lines) + "\n" if lines else "")


def _json(items: Items, source: str) -> Rendered:
    return Rendered(json.dumps(dict(items), indent=2, ensure_ascii=False) + "\n")


# -- nginx --------------------------------------------------------------------------------


def _nginx_quote(name: str, value: str) -> str:
    # nginx expands $variables inside add_header values and has no escape for "$"
    # (ngx_http_script_compile rejects a "$" that does not start a variable name).
    if "$" in value:
        raise FormatError(
            f"{name}: nginx expands '$' in add_header values and cannot escape it; "
            f"remove the '$' from {value!r} or set this header in the application"
        )
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _nginx(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {source}",
        "# Include in a server {} (or location {}) block. A block with add_header",
        "# directives of its own inherits none from the enclosing level, so repeat",
        "# or include this snippet there too.",
        "# proxy_hide_header drops the copy a proxied application sends, so each",
        "# header reaches the client exactly once.",
    ]
    headers: list[str] = []
    for name, value in items:
        if _is_server(name):
            # add_header Server ... would add a second Server field next to nginx's
            # own; server_tokens off is the most stock nginx can do ("Server: nginx").
            out += [
                "server_tokens off;",
                "# nginx always sends its own Server header; server_tokens off hides",
                "# the version. To replace it, use the headers-more module",
                "# (Debian: libnginx-mod-http-headers-more-filter):",
                f'#   more_set_headers "Server: {value}";'
                if value
                else "#   more_clear_headers Server;",
            ]
            continue
        headers.append(f"proxy_hide_header {name};")
        headers.append(f"add_header {name} {_nginx_quote(name, value)} always;")
    return Rendered("\n".join(out + headers) + "\n")


# -- Apache -------------------------------------------------------------------------------


def _apache_quote(name: str, value: str) -> str:
    # Apache substitutes ${VAR} in configuration files before mod_headers sees them.
    if "${" in value:
        raise FormatError(
            f"{name}: Apache substitutes '${{...}}' in configuration files; "
            f"remove it from {value!r} or set this header in the application"
        )
    # mod_headers reads %-format specifiers in values: a literal "%" is "%%".
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")
    return f'"{escaped}"'


def _apache(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {source}",
        "# Needs mod_headers (a2enmod headers). Place in the server configuration, a",
        "# <VirtualHost>, <Directory> or .htaccess (AllowOverride FileInfo).",
        '# "always" covers error responses too; "onsuccess unset" drops the copy an',
        "# application or proxied backend already set, so each header is sent once.",
    ]
    for name, value in items:
        if _is_server(name):
            out += [
                "# Apache's own Server header cannot be removed or replaced; this sets",
                "# it on proxied responses. In the main server configuration add:",
                "#   ServerTokens Prod",
            ]
        out.append(f"Header always set {name} {_apache_quote(name, value)}")
        out.append(f"Header onsuccess unset {name}")
    return Rendered("\n".join(out) + "\n")


# -- Caddy --------------------------------------------------------------------------------


def _caddy_quote(name: str, value: str) -> str:
    # In a quoted Caddyfile token only \" is an escape; any other backslash stays, so
    # a backslash before a quote or at the end cannot be written. Refuse them all.
    if "\\" in value:
        raise FormatError(
            f"{name}: a backslash in {value!r} cannot be written reliably in a "
            "Caddyfile; set this header in the application"
        )
    # {...} is a Caddy placeholder, replaced at request time; \{ \} keep braces literal.
    escaped = value.replace('"', '\\"').replace("{", "\\{").replace("}", "\\}")
    return f'"{escaped}"'


def _caddy(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {source}",
        "# Paste inside a site block. defer applies the headers as the response is",
        "# written, so they replace any copy the upstream application sent.",
        "header {",
        "\tdefer",
    ]
    for name, value in items:
        if _is_server(name) and not value:
            out.append("\t-Server")  # Caddy's header directive: "-Field" deletes it
        else:
            out.append(f"\t{name} {_caddy_quote(name, value)}")
    out.append("}")
    return Rendered("\n".join(out) + "\n")


# -- Netlify / Cloudflare Pages _headers ---------------------------------------------------

# Cloudflare Pages: "Header values ... 2,000 characters" per line, including the name.
_CLOUDFLARE_LINE_LIMIT: Final = 2000


def _headers_file(items: Items, source: str, platform: str) -> Rendered:
    out = [
        f"# Security headers from: {source}",
        f"# Save as _headers in the site's output directory ({platform}).",
    ]
    body = ["/*"]
    for name, value in items:
        if _is_server(name):
            out.append(
                f"# Server: {platform} sends its own Server header; _headers cannot "
                "remove or replace it."
            )
            continue
        if not value:
            raise FormatError(f"{name}: {platform} _headers cannot send an empty value")
        line = f"  {name}: {value}"
        if platform == "Cloudflare Pages" and len(line.strip()) > _CLOUDFLARE_LINE_LIMIT:
            raise FormatError(
                f"{name}: the line is {len(line.strip())} characters; Cloudflare Pages "
                f"accepts at most {_CLOUDFLARE_LINE_LIMIT} per header line"
            )
        body.append(line)
    return Rendered("\n".join(out + body) + "\n")


def _netlify(items: Items, source: str) -> Rendered:
    return _headers_file(items, source, "Netlify")


def _cloudflare(items: Items, source: str) -> Rendered:
    return _headers_file(items, source, "Cloudflare Pages")


# -- Vercel -------------------------------------------------------------------------------


def _vercel(items: Items, source: str) -> Rendered:
    notes: list[str] = []
    headers: list[dict[str, str]] = []
    for name, value in items:
        if _is_server(name):
            notes.append("Server: Vercel sends its own Server header; vercel.json cannot change it")
            continue
        if not value:
            raise FormatError(f"{name}: vercel.json cannot send an empty value")
        headers.append({"key": name, "value": value})
    document = {
        "$schema": "https://openapi.vercel.sh/vercel.json",
        # "/(.*)" is Vercel's path-to-regexp pattern for every path.
        "headers": [{"source": "/(.*)", "headers": headers}],
    }
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    return Rendered(text, tuple(notes))


_Renderer = Callable[[Items, str], Rendered]

_RENDERERS: Final[dict[str, _Renderer]] = {
    "http": _http,
    "json": _json,
    "nginx": _nginx,
    "apache": _apache,
    "caddy": _caddy,
    "netlify": _netlify,
    "vercel": _vercel,
    "cloudflare": _cloudflare,
}

#: Every format name ``secure show --format`` accepts, in help order.
FORMATS: Final = tuple(_RENDERERS)

#: Formats that end up as static server configuration: they cannot mint a nonce.
STATIC_FORMATS: Final = frozenset(FORMATS) - {"http", "json"}


def render(fmt: str, items: Items, source: str) -> Rendered:
    """Render ``items`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return _RENDERERS[fmt](items, source)
