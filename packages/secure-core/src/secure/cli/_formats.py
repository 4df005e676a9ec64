"""Render a header list for a web server or hosting platform.

Each renderer takes the ``(name, value)`` pairs of a configuration (validated RFC 9110
fields, no nonce slot) and returns the text to paste plus notes for the user. What a
tool would interpret in a name or a value (its variables and placeholders, escape
sequences, quotes, comment and operator characters) is escaped by that tool's own
grammar, or, where the grammar has no escape, refused with a :class:`FormatError` that
names the format, the header and (an excerpt of) the value. Every format is checked
against the real tool where one can run (nginx, Apache, Caddy) and by the platform's
own parser otherwise; see <https://typeerror.github.io/secure/deployment/>.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from secure._validation import is_field_name
from secure.cli._safe import excerpt, printable

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


# RFC 9110 §5.1 field-name = token; §5.5 field-value: visible characters, spaces and
# tabs (obs-text, bytes 0x80-0xFF, included), never CR, LF or NUL.
_FIELD_VALUE: Final = re.compile(r"[\t\x20-\x7e\x80-\xff]*")


def _refuse(fmt: str, name: str, value: str, why: str) -> FormatError:
    return FormatError(f"--format {fmt}: {printable(name)}: cannot write {excerpt(value)}: {why}")


def _check_field(fmt: str, name: str, value: str) -> None:
    """Refuse what is not an HTTP field, whatever the caller validated before."""
    if not is_field_name(name):
        raise _refuse(fmt, name, name, "a header name is an RFC 9110 token")
    if not _FIELD_VALUE.fullmatch(value):
        raise _refuse(
            fmt, name, value, "control characters (CR, LF, NUL, ...) are not allowed in a value"
        )


_PLAIN_NAME: Final = re.compile(r"[A-Za-z0-9-]+")


def _name(name: str, quote: Callable[[str], str]) -> str:
    """A header name as written: as is when it is letters, digits and "-", else quoted
    ("#Name" would start a comment, "Name;x" end a directive)."""
    return name if _PLAIN_NAME.fullmatch(name) else quote(name)


def _comment(source: str) -> str:
    # The source names a --config path; a newline in it must not end the comment line.
    return printable(source)


def _http(items: Items, source: str) -> Rendered:
    for name, value in items:
        _check_field("http", name, value)
    # RFC 9110 §5.2: "field-name: field-value"; an empty value is just "Name:".
    lines = [f"{name}: {value}" if value else f"{name}:" for name, value in items]
    return Rendered("\n".join(lines) + "\n" if lines else "")


def _json(items: Items, source: str) -> Rendered:
    for name, value in items:
        _check_field("json", name, value)
    return Rendered(json.dumps(dict(items), indent=2, ensure_ascii=False) + "\n")


# -- nginx --------------------------------------------------------------------------------


def _nginx_string(text: str) -> str:
    # In a double-quoted nginx string "\\" is a backslash and "\\"" a quote; "\\n",
    # "\\t" and "\\r" would be control characters, so every backslash is doubled.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_NGINX_NAME: Final = re.compile(r"[A-Za-z0-9_-]+")


def _nginx_quote(name: str, value: str) -> str:
    _check_field("nginx", name, value)
    # nginx expands $variables inside add_header values and has no escape for "$"
    # (ngx_http_script_compile rejects a "$" that does not start a variable name).
    if "$" in value:
        raise _refuse(
            "nginx",
            name,
            value,
            "nginx expands '$' in add_header values and cannot escape it; remove the "
            "'$' or set this header in the application",
        )
    if not _NGINX_NAME.fullmatch(name):
        # nginx hashes an upstream field name only over these characters, so
        # proxy_hide_header could never match the application's copy of this one.
        raise _refuse(
            "nginx",
            name,
            name,
            "nginx matches header names of letters, digits, '-' and '_' only, so it could "
            "not replace an upstream copy; set this header in the application",
        )
    return _nginx_string(value)


def _nginx(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {_comment(source)}",
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
        quoted = _nginx_quote(name, value)
        written = _name(name, _nginx_string)
        headers.append(f"proxy_hide_header {written};")
        headers.append(f"add_header {written} {quoted} always;")
    return Rendered("\n".join(out + headers) + "\n")


# -- Apache -------------------------------------------------------------------------------


def _apache_string(text: str) -> str:
    # Apache's configuration reader (ap_getword_conf) turns "\\\\" into "\\" and "\\""
    # into '"' inside a double-quoted argument.
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _apache_quote(name: str, value: str) -> str:
    _check_field("apache", name, value)
    # Apache substitutes ${VAR} in configuration files before mod_headers sees them.
    for text in (name, value):
        if "${" in text:
            raise _refuse(
                "apache",
                name,
                text,
                "Apache substitutes '${...}' in configuration files and has no escape for "
                "it; remove it or set this header in the application",
            )
    # mod_headers evaluates a value that starts with "expr=" as an expression.
    if value.startswith("expr="):
        raise _refuse(
            "apache", name, value, "mod_headers evaluates a value that starts with 'expr='"
        )
    # mod_headers then reads its own escapes: "\\n", "\\r", "\\t" are control
    # characters and "\\\\" a backslash; "%{...}e" and friends are variables and "%%"
    # a percent sign. Escape for mod_headers first, then for the configuration reader.
    return _apache_string(value.replace("\\", "\\\\").replace("%", "%%"))


def _apache(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {_comment(source)}",
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
        quoted = _apache_quote(name, value)
        out.append(f"Header always set {_name(name, _apache_string)} {quoted}")
        out.append(f"Header onsuccess unset {_name(name, _apache_string)}")
    return Rendered("\n".join(out) + "\n")


# -- Caddy --------------------------------------------------------------------------------


def _caddy_string(text: str) -> str:
    # Only for names: a token holds no quote, backslash or brace.
    return f'"{text}"'


def _caddy_quote(name: str, value: str) -> str:
    _check_field("caddy", name, value)
    # The header directive reads a leading "-" as delete and "+" as add (and "?", ">"
    # as set-default and replace, which are not token characters).
    if name.startswith(("-", "+")):
        raise _refuse(
            "caddy",
            name,
            name,
            "Caddy's header directive reads a leading '-' or '+' as an operator",
        )
    # In a quoted Caddyfile token only \" is an escape; any other backslash stays, so
    # a backslash before a quote or at the end cannot be written. Refuse them all.
    if "\\" in value:
        raise _refuse(
            "caddy",
            name,
            value,
            "a backslash cannot be written reliably in a Caddyfile; set this header "
            "in the application",
        )
    # "{$NAME}" and "{$NAME:default}" are replaced by environment variables when the
    # Caddyfile is read, before any quoting or escaping applies.
    if "{$" in value:
        raise _refuse(
            "caddy",
            name,
            value,
            "Caddy replaces '{$...}' with an environment variable when it reads the "
            "Caddyfile, and has no escape for it",
        )
    # {...} is a Caddy placeholder, replaced at request time; \{ \} keep braces literal.
    return '"' + value.replace('"', '\\"').replace("{", "\\{").replace("}", "\\}") + '"'


def _caddy(items: Items, source: str) -> Rendered:
    out = [
        f"# Security headers from: {_comment(source)}",
        "# Paste inside a site block. defer applies the headers as the response is",
        "# written, so they replace any copy the upstream application sent.",
        "header {",
        "\tdefer",
    ]
    for name, value in items:
        if _is_server(name) and not value:
            out.append("\t-Server")  # Caddy's header directive: "-Field" deletes it
        else:
            quoted = _caddy_quote(name, value)
            out.append(f"\t{_name(name, _caddy_string)} {quoted}")
    out.append("}")
    return Rendered("\n".join(out) + "\n")


# -- Netlify / Cloudflare Pages _headers ---------------------------------------------------

# Cloudflare Pages: "Header values ... 2,000 characters" per line, including the name.
_CLOUDFLARE_LINE_LIMIT: Final = 2000


def _headers_file(items: Items, source: str, platform: str) -> Rendered:
    out = [
        f"# Security headers from: {_comment(source)}",
        f"# Save as _headers in the site's output directory ({platform}).",
    ]
    fmt = "netlify" if platform == "Netlify" else "cloudflare"
    body = ["/*"]
    for name, value in items:
        if _is_server(name):
            out.append(
                f"# Server: {platform} sends its own Server header; _headers cannot "
                "remove or replace it."
            )
            continue
        _check_field(fmt, name, value)
        if not value:
            raise _refuse(fmt, name, value, f"{platform} _headers cannot send an empty value")
        # A line that starts with "#" is a comment; Cloudflare reads "! Name" as
        # "remove Name". Neither can be escaped.
        if name.startswith(("#", "!")):
            raise _refuse(
                fmt,
                name,
                name,
                f"{platform} _headers reads a name starting with '#' or '!' "
                "as a comment or a removal",
            )
        if value != value.strip():
            raise _refuse(fmt, name, value, f"{platform} _headers strips spaces around a value")
        line = f"  {name}: {value}"
        if platform == "Cloudflare Pages" and len(line.strip()) > _CLOUDFLARE_LINE_LIMIT:
            raise _refuse(
                fmt,
                name,
                value,
                f"the line is {len(line.strip())} characters; Cloudflare Pages "
                f"accepts at most {_CLOUDFLARE_LINE_LIMIT} per header line",
            )
        body.append(line)
    return Rendered("\n".join(out + body) + "\n")


def _netlify(items: Items, source: str) -> Rendered:
    return _headers_file(items, source, "Netlify")


def _cloudflare(items: Items, source: str) -> Rendered:
    return _headers_file(items, source, "Cloudflare Pages")


# -- Vercel -------------------------------------------------------------------------------


_VERCEL_REFERENCE: Final = re.compile(r"\$[0-9A-Za-z_]")


def _vercel(items: Items, source: str) -> Rendered:
    notes: list[str] = []
    headers: list[dict[str, str]] = []
    for name, value in items:
        if _is_server(name):
            notes.append("Server: Vercel sends its own Server header; vercel.json cannot change it")
            continue
        _check_field("vercel", name, value)
        if not value:
            raise _refuse("vercel", name, value, "vercel.json cannot send an empty value")
        if _VERCEL_REFERENCE.search(value):
            # The rule compiles to a route whose headers may name the source's captures
            # ("$1", "$name"); Vercel fills them in from the request path.
            raise _refuse(
                "vercel",
                name,
                value,
                "Vercel replaces '$1' and '$name' in header values with parts of the "
                "request path, and has no escape for them",
            )
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
