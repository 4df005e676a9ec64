"""``set(raw)`` on every builder checks the raw value against that header's grammar.

Each builder has a table of values that are wrong for its header (and must raise a
``ValueError`` naming the header, leaving the builder as it was) and of values that are
right (and must be sent verbatim). A builder added without a table fails
``test_every_builder_has_a_table``.
"""

from __future__ import annotations

import pytest

from secure import headers as builders
from secure.headers import BaseHeader

# builder -> (values its grammar refuses, values it accepts as they are)
TABLES: dict[type[BaseHeader], tuple[list[str], list[str]]] = {
    builders.CacheControl: (
        [
            "",
            "no-store,",  # an empty list element at the end
            ", no-store",
            "max-age",  # needs delta-seconds (RFC 9111 §5.2.2.1)
            "max-age=-1",
            "max-age=1.5",
            'max-age="5"',  # the quoted form is not to be sent (RFC 9111 §5.2.2.1)
            "nostore",
            "no-store max-age=0",
            "no-store;max-age=0",
            "private, public",  # contradictory
            "max-age=0, max-age=1",  # duplicated (RFC 9111 §4.2.1)
            "only-if-cached=1",  # takes no value (RFC 9111 §5.2.1.7)
            "no-cache=Set-Cookie",  # field names go in quotes
            "immutable=1",
        ],
        ["no-store", "no-store, max-age=0", 'private="Set-Cookie", must-revalidate'],
    ),
    builders.ClearSiteData: (
        ["", "cache", '"cache",', '"cache" "cookies"', '"Cache"', '"cache";'],
        ['"cache"', '"cache", "cookies", "storage"', '"*"'],
    ),
    builders.ContentSecurityPolicy: (
        [
            "",
            ";",
            "; default-src 'self'",  # a policy starts with a directive (CSP3 §2.2)
            "default-src",  # an empty source list
            "default-src self",  # an unquoted keyword is a host
            "default-src 'self'; default-src *",
            "default-src 'self', script-src *",  # two policies
            "script-src 'unsafe-inline",
            "script-src 'nonce-a.b'",
            "frame-ancestors 'unsafe-inline'",
            "upgrade-insecure-requests 1",
            "sandbox allow-everything",
            "report-to a b",
        ],
        [
            "default-src 'self'",
            "DEFAULT-SRC 'self';;",
            "script-src 'self' 'nonce-{nonce}' 'strict-dynamic'; object-src 'none'",
            "navigate-to 'self'",  # an unknown directive is kept (CSP3 §2.2.1)
        ],
    ),
    builders.CrossOriginEmbedderPolicy: (
        ["", "corp", 'require-corp; report-to=""', "credentialless;", "Require-Corp"],
        ["require-corp", 'credentialless; report-to="coep"'],
    ),
    builders.CrossOriginOpenerPolicy: (
        [
            "",
            "same-origin;",
            "same-origin; report-to=coop",  # report-to is an sf-string
            'same-origin; report-to="Coop"',  # and names a lower-case key
            "same-origin; foo=1",
            "Same-Origin",
            "same-origin, unsafe-none",
        ],
        ["same-origin", 'same-origin-allow-popups; report-to="coop"', "noopener-allow-popups"],
    ),
    builders.CrossOriginResourcePolicy: (
        ["", "same-origin;", "Same-Site", "cross-origin, same-site"],
        ["same-origin", "same-site", "cross-origin"],
    ),
    builders.OriginAgentCluster: (["", "?2", "1", "?1;a", "true"], ["?1", "?0"]),
    builders.PermissionsPolicy: (
        [
            "",
            "camera",  # a bare key is a boolean, not an allowlist
            "camera=(self",
            "Camera=()",
            "camera=(), camera=()",
            'camera=("https://a.example"/)',
            "camera=(none)",
            "camera=('self')",
            "camera=(), ",
        ],
        [
            "camera=()",
            'camera=(self "https://a.example"), geolocation=*',
            "camera=self",  # a bare token or string is an allowlist too
            "camera=();report-to=pp",
        ],
    ),
    builders.ReferrerPolicy: (
        ["", ",", "no-referrer,", "No-Referrer", "no-referrer strict-origin", "none"],
        ["no-referrer", "no-referrer, strict-origin-when-cross-origin"],
    ),
    builders.ReportingEndpoints: (
        [
            "",
            "a=https://r.example",  # the URL is an sf-string
            'a="https://r.example",',
            'A="https://r.example"',
            'a="http://r.example"',  # not potentially trustworthy
            'a="relative"',  # neither absolute nor a path
            'a="https://r.example";p=1',
            'a="https://r.example" b="https://s.example"',
        ],
        [
            'csp="https://r.example/csp"',
            'a="https://r.example/", b="http://localhost:8000/r"',
            'a="/reports"',  # a path: resolved against the response's URL
        ],
    ),
    builders.Server: (
        ["(", "a/", "a b(", "/1.0", "a (b", "a (b))", "a (b\\", "x=y", ";", '"quoted"'],
        ["", "example", "example/1.0", "Apache/2.4.41 (Ubuntu)", "a (b (c) \\) d) e/1"],
    ),
    builders.StrictTransportSecurity: (
        [
            "",
            "includeSubDomains",  # max-age is required (RFC 6797 §6.1.1)
            "max-age",
            "max-age=",
            "max-age=-1",
            "max-age=1e9",
            "max-age=1; max-age=2",
            "max-age=1, includeSubDomains",
            "max-age=31536000; preload",  # preload needs includeSubDomains
            "max-age=1; foo",
            'max-age="1',
            "max-age=1 2",
            "max-age=1; includeSubDomains=1",
        ],
        ["max-age=0", "max-age=31536000; includeSubDomains", 'max-age="600";', "MAX-AGE=1"],
    ),
    builders.XContentTypeOptions: (
        ["", "nosniff, nosniff", "no-sniff", "nosniff;"],
        ["nosniff", "NOSNIFF"],
    ),
    builders.XDnsPrefetchControl: (["", "yes", "off, on", "1"], ["on", "off", "OFF"]),
    builders.XFrameOptions: (
        ["", "DENY, SAMEORIGIN", "ALLOW-FROM https://a.example", "deny;", "ALLOWALL"],
        ["DENY", "SAMEORIGIN", "deny"],
    ),
    builders.XPermittedCrossDomainPolicies: (
        ["", "None", "all,none", "master_only"],
        ["none", "master-only", "by-content-type", "none-this-response"],
    ),
}

INVALID = [(cls, value) for cls, (bad, _) in TABLES.items() for value in bad]
VALID = [(cls, value) for cls, (_, good) in TABLES.items() for value in good]


def _id(case: object) -> str:
    return case.__name__ if isinstance(case, type) else repr(case)


def test_every_builder_has_a_table() -> None:
    every = {getattr(builders, name) for name in builders.__all__ if name not in ("BaseHeader",)}
    # CustomHeader has no grammar of its own: anything RFC 9110 allows is its value.
    assert every - {builders.CustomHeader} == set(TABLES)


@pytest.mark.parametrize(("cls", "value"), INVALID, ids=_id)
def test_set_refuses_what_the_grammar_refuses(cls: type[BaseHeader], value: str) -> None:
    builder = cls()
    try:
        before = builder.header_value
    except ValueError:
        before = None
    with pytest.raises(ValueError, match=f"^{builder.header_name}: "):
        builder.set(value)
    # A refused value changes nothing.
    try:
        after = builder.header_value
    except ValueError:
        after = None
    assert after == before


@pytest.mark.parametrize(("cls", "value"), VALID, ids=_id)
def test_set_sends_a_valid_value_verbatim(cls: type[BaseHeader], value: str) -> None:
    assert cls().set(value).header_value == value


@pytest.mark.parametrize("cls", list(TABLES), ids=_id)
def test_set_accepts_what_the_builder_renders(cls: type[BaseHeader]) -> None:
    for value in TABLES[cls][1]:
        rendered = cls().set(value)
        # Parse, then edit nothing: re-rendering from the parsed state keeps the meaning.
        again = cls().set(rendered.header_value)
        assert again.header_value == value


# Values of about 200 KB shaped to make a backtracking pattern retry at every position
# (long runs of whitespace inside a list, around "=" or ","). Parsing them is linear:
# with the quadratic list splitting these builders once used, the ReferrerPolicy case
# alone took over 30 s; now each case takes milliseconds.
_SIZE = 200_000
HOSTILE = {
    "spaces": "a" + " " * _SIZE + "b",
    "tabs-and-spaces": "a" + " \t" * (_SIZE // 2) + "=b",
    "spaced-commas": "a" + " , " * (_SIZE // 3) + "b",
    "quoted-spaces": '"a' + " " * _SIZE + 'b"',
    "digits": "1" * _SIZE,
    "semicolons": "a" + " ;" * (_SIZE // 2) + "b",
}


@pytest.mark.parametrize("shape", list(HOSTILE))
@pytest.mark.parametrize("cls", [*TABLES, builders.CustomHeader], ids=_id)
def test_huge_values_are_parsed_in_linear_time(cls: type[BaseHeader], shape: str) -> None:
    builder = cls("X-Example", "x") if cls is builders.CustomHeader else cls()  # type: ignore[call-arg]
    error = None
    try:
        builder.set(HOSTILE[shape])
    except ValueError as exc:
        error = str(exc)
    assert error is None or error.startswith(f"{builder.header_name}: ")
