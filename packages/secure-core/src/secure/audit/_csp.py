"""Content-Security-Policy rules.

Policies are parsed the lenient way browsers parse them (CSP3 §2.2.1), and judged with
the builder's own vocabulary: the directives and keywords of ``headers._csp_grammar``,
its CSP3 §6.8.3 fallback lists and host-source grammar, and the nonce syntax of
``secure.nonce``. Several enforced policies all apply (CSP3 §3.1), so a weakness is
reported only when every enforced policy has it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final, TypeAlias

from secure._suggest import suggest
from secure.audit._core import CSP3, MDN, Report, Response, Rule, check, reports, rule, shown
from secure.headers._csp_grammar import (
    DIRECTIVES,
    HASH_LENGTHS,
    fallback_chain,
    is_unquoted_keyword,
    parse_host_source,
)
from secure.nonce import NONCE, is_nonce

_CSP: Final = "Content-Security-Policy"
_CSPRO: Final = "Content-Security-Policy-Report-Only"

#: A parsed policy: lower-case directive name -> its lower-case values, as written.
Policy = dict[str, tuple[str, ...]]
PolicyCheck: TypeAlias = Callable[[Policy], str | None]
SourceCheck: TypeAlias = Callable[[tuple[str, ...]], str | None]

# Infra "ASCII whitespace", which CSP3 §2.2.1 splits on.
_ASCII_WHITESPACE: Final = re.compile(r"[\t\n\f\r ]+")
# Sources that trust a script by its nonce or hash (CSP3 §2.3.1 nonce-source, hash-source).
_TRUSTED_PREFIXES: Final = ("'nonce-", *(f"'{algorithm}-" for algorithm in HASH_LENGTHS))
# CSP3 §7.1: a nonce carries at least 128 bits, 22 base64 characters.
_MIN_NONCE_CHARS: Final = 22
# Directives whose values are source lists, where an unquoted keyword is a host name.
_SOURCE_LISTS: Final = frozenset(
    name for name, kind in DIRECTIVES.items() if kind in ("sources", "ancestors")
)


def parse_policies(value: str, *, fold_case: bool = True) -> list[Policy]:
    """The policies of one CSP field value, parsed like CSP3 §2.2.1 (browsers are lenient).

    Directive names are case-insensitive; ``fold_case`` lower-cases the values too, which
    the rules compare as keywords. Nonces and paths keep their case with ``False``.
    """
    policies = []
    # CSP3 §3.1: a field value is a comma-separated list of serialized policies.
    for serialized in value.split(","):
        policy: Policy = {}
        for token in serialized.split(";"):
            token = token.strip("\t\n\f\r ")
            if not token or not token.isascii():
                continue  # CSP3 §2.2.1 step 2.2: skipped
            name, *values = _ASCII_WHITESPACE.split(token.lower() if fold_case else token)
            name = name.lower()
            if name not in policy:  # a repeated directive is ignored (§2.2.1 step 2.5)
                policy[name] = tuple(values)
        if policy:
            policies.append(policy)
    return policies


def _enforced(response: Response) -> list[Policy]:
    return response.parsed("content-security-policy", parse_policies)


def _report_only(response: Response) -> list[Policy]:
    return response.parsed("content-security-policy-report-only", parse_policies)


def _effective(policy: Policy, directive: str) -> tuple[str, ...] | None:
    """The sources the policy applies to ``directive``'s requests (CSP3 §6.8.3), or None."""
    for name in fallback_chain(directive):
        if name in policy:
            return policy[name]
    return None


def _in_every(policies: list[Policy], find: Callable[[Policy], str | None]) -> str | None:
    """``find``'s answer for the first policy, when every enforced policy has the weakness."""
    answers = [find(policy) for policy in policies]
    if answers and all(answer is not None for answer in answers):
        return answers[0]
    return None


def _trusted(sources: tuple[str, ...]) -> bool:
    return any(source.startswith(_TRUSTED_PREFIXES) for source in sources)


def _strict(sources: tuple[str, ...]) -> bool:
    # CSP3 §8.2: with 'strict-dynamic' and a nonce or hash, host and scheme sources and
    # 'unsafe-inline' are ignored (they remain only as a fallback for older browsers).
    return "'strict-dynamic'" in sources and _trusted(sources)


def _policy_check(policy_rule: Rule) -> Callable[[PolicyCheck], PolicyCheck]:
    """Make ``find(policy) -> message | None`` a check of every enforced policy."""

    def register(find: PolicyCheck) -> PolicyCheck:
        reports(policy_rule)(lambda response: _in_every(_enforced(response), find))
        return find

    return register


def _script_check(script_rule: Rule) -> Callable[[SourceCheck], SourceCheck]:
    """Make ``find(sources) -> problem | None`` a check of every script source list."""

    def in_policy(find: SourceCheck) -> PolicyCheck:
        def first(policy: Policy) -> str | None:
            for directive, sources in _script_lists(policy):
                problem = find(sources)
                if problem is not None:
                    return f"{directive} {problem}"
            return None

        return first

    def register(find: SourceCheck) -> SourceCheck:
        _policy_check(script_rule)(in_policy(find))
        return find

    return register


def _script_lists(policy: Policy) -> list[tuple[str, tuple[str, ...]]]:
    """(directive, sources) governing scripts, explicit -elem/-attr included.

    Empty when neither script-src nor default-src is set (``csp-script-unrestricted``).
    """
    main = _effective(policy, "script-src")
    if main is None:
        return []
    lists = [("script-src" if "script-src" in policy else "default-src", main)]
    lists.extend(
        (name, policy[name]) for name in ("script-src-elem", "script-src-attr") if name in policy
    )
    return lists


def is_any_host(source: str) -> bool:
    """True for a source that matches every host: ``*``, ``https:``, ``https://*``, ``*:443``."""
    if source in ("*", "http:", "https:") or source.startswith("*://"):
        return True
    parts = parse_host_source(source)
    return parts is not None and parts.host == "*"


# -- presence and mode -----------------------------------------------------------------------

CSP_MISSING: Final = rule(
    "csp-missing",
    "high",
    _CSP,
    "No enforced Content-Security-Policy: nothing limits what an injected script can do.",
    f"{MDN}Content-Security-Policy",
)
CSP_REPORT_ONLY: Final = rule(
    "csp-report-only",
    "medium",
    _CSP,
    "Only a Content-Security-Policy-Report-Only policy is sent: violations are reported "
    "but nothing is blocked.",
    f"{CSP3}#cspro-header",
)


@check
def _presence(response: Response, report: Report) -> None:
    if _enforced(response):
        return
    if response.get("content-security-policy-report-only"):
        report.add(
            CSP_REPORT_ONLY,
            "only Content-Security-Policy-Report-Only is sent; no policy is enforced",
        )
    else:
        report.add(CSP_MISSING, "no Content-Security-Policy is sent")


CSP_REPORT_ONLY_IGNORED: Final = rule(
    "csp-report-only-ignored",
    "low",
    _CSPRO,
    "sandbox and upgrade-insecure-requests do nothing in a report-only policy (browsers "
    "ignore them there): send them in the enforced Content-Security-Policy.",
    f"{CSP3}#directive-sandbox",
)
# CSP3 §6.3.2 (sandbox) and Upgrade Insecure Requests §3.1: ignored in report-only.
_IGNORED_IN_REPORT_ONLY: Final = ("sandbox", "upgrade-insecure-requests")


@check
def _report_only_ignored(response: Response, report: Report) -> None:
    ignored = [
        name
        for name in _IGNORED_IN_REPORT_ONLY
        if any(name in policy for policy in _report_only(response))
    ]
    if ignored:
        report.add(CSP_REPORT_ONLY_IGNORED, f"{' and '.join(ignored)} ignored in report-only")


# -- scripts ---------------------------------------------------------------------------------

CSP_SCRIPT_UNRESTRICTED: Final = rule(
    "csp-script-unrestricted",
    "high",
    _CSP,
    "Neither script-src nor default-src is set, so scripts load from anywhere.",
    f"{CSP3}#directive-script-src",
)


@_policy_check(CSP_SCRIPT_UNRESTRICTED)
def _script_unrestricted(policy: Policy) -> str | None:
    if _script_lists(policy):
        return None
    return "no script-src or default-src: scripts load from anywhere"


CSP_UNSAFE_INLINE: Final = rule(
    "csp-unsafe-inline",
    "high",
    _CSP,
    "script-src allows 'unsafe-inline' without a nonce or hash: any injected inline "
    "script or event handler runs, which defeats the policy's main purpose.",
    f"{MDN}Content-Security-Policy/script-src#unsafe_inline_script",
)


@_script_check(CSP_UNSAFE_INLINE)
def _unsafe_inline(sources: tuple[str, ...]) -> str | None:
    # CSP3 "Does a source list allow all inline behavior for type?": 'unsafe-inline' is
    # ignored when a nonce or hash is present.
    if "'unsafe-inline'" in sources and not _trusted(sources):
        return "allows 'unsafe-inline' without a nonce or hash"
    return None


CSP_UNSAFE_EVAL: Final = rule(
    "csp-unsafe-eval",
    "medium",
    _CSP,
    "script-src allows 'unsafe-eval': strings reaching eval(), Function() or "
    "setTimeout(string) become code.",
    f"{MDN}Content-Security-Policy/script-src#unsafe_eval_expressions",
)


@_script_check(CSP_UNSAFE_EVAL)
def _unsafe_eval(sources: tuple[str, ...]) -> str | None:
    return "allows 'unsafe-eval'" if "'unsafe-eval'" in sources else None


CSP_SCRIPT_WILDCARD: Final = rule(
    "csp-script-wildcard",
    "high",
    _CSP,
    "script-src allows any host ('*', 'https:', 'http:', 'https://*', '*:*', '*:443', ...) "
    "without 'strict-dynamic' and a nonce or hash: an attacker can load a script from a "
    "host they control.",
    f"{CSP3}#directive-script-src",
)


@_script_check(CSP_SCRIPT_WILDCARD)
def _script_wildcard(sources: tuple[str, ...]) -> str | None:
    if _strict(sources):
        return None
    wildcards = [source for source in sources if is_any_host(source)]
    return f"allows scripts from any host ({shown(wildcards)})" if wildcards else None


CSP_SCRIPT_DATA: Final = rule(
    "csp-script-data",
    "high",
    _CSP,
    "script-src allows data: URLs without 'strict-dynamic' and a nonce or hash: "
    "an injected <script src=data:...> runs.",
    f"{CSP3}#directive-script-src",
)


@_script_check(CSP_SCRIPT_DATA)
def _script_data(sources: tuple[str, ...]) -> str | None:
    return "allows data: scripts" if "data:" in sources and not _strict(sources) else None


CSP_SCRIPT_HTTP: Final = rule(
    "csp-script-http",
    "low",
    _CSP,
    "script-src allows a host over http://: on a page served over plain HTTP a network "
    "attacker can replace the script (HTTPS pages block such mixed content).",
    "https://www.w3.org/TR/mixed-content/",
)


@_script_check(CSP_SCRIPT_HTTP)
def _script_http(sources: tuple[str, ...]) -> str | None:
    if _strict(sources):
        return None
    # http://* is already a wildcard (csp-script-wildcard); this is about named hosts.
    plain = [s for s in sources if s.startswith("http://") and not is_any_host(s)]
    return f"allows scripts over plain http:// ({shown(plain)})" if plain else None


CSP_STRICT_DYNAMIC_WITHOUT_NONCE: Final = rule(
    "csp-strict-dynamic-without-nonce",
    "medium",
    _CSP,
    "'strict-dynamic' without a nonce or hash: browsers that support it ignore the host "
    "allowlist and 'unsafe-inline', so no script can be trusted to load.",
    f"{CSP3}#strict-dynamic-usage",
)


@_script_check(CSP_STRICT_DYNAMIC_WITHOUT_NONCE)
def _strict_dynamic_without_nonce(sources: tuple[str, ...]) -> str | None:
    if "'strict-dynamic'" in sources and not _trusted(sources):
        return "has 'strict-dynamic' but no nonce or hash"
    return None


CSP_SCRIPT_GADGET_HOST: Final = rule(
    "csp-script-gadget-host",
    "high",
    _CSP,
    "script-src allows a host that serves JSONP endpoints or AngularJS (www.google.com, "
    "ajax.googleapis.com, cdnjs.cloudflare.com, cdn.jsdelivr.net, ...) without "
    "'strict-dynamic' and a nonce or hash: injected markup can run script through them.",
    f"{CSP3}#strict-dynamic-usage",
)

# Hosts that serve, below the given paths, either JSONP (the response calls whatever
# function the URL names, so <script src=".../?callback=alert"> runs attacker-chosen
# code) or a library that turns markup into code (AngularJS, and the CDNs that host
# every version of it and of similar libraries). "/" is anywhere on the host.
_SCRIPT_GADGET_HOSTS: Final[dict[str, tuple[str, ...]]] = {
    # libraries, any version
    "ajax.googleapis.com": ("/ajax/libs/", "/ajax/services/"),
    "cdnjs.cloudflare.com": ("/ajax/libs/",),
    "cdn.jsdelivr.net": ("/",),  # any npm package or GitHub file
    "unpkg.com": ("/",),  # any npm package
    "code.angularjs.org": ("/",),
    # JSONP endpoints
    "www.google.com": ("/complete/search", "/jsapi"),
    "google.com": ("/complete/search", "/jsapi"),
    "suggestqueries.google.com": ("/complete/search",),
    "accounts.google.com": ("/o/oauth2/revoke",),
    "www.googleapis.com": ("/customsearch/",),
    "maps.googleapis.com": ("/maps/api/js",),
    "api.github.com": ("/",),
    "api.flickr.com": ("/services/",),
    "graph.facebook.com": ("/",),
    "cdn.syndication.twimg.com": ("/",),
}


def _serves_gadget(source: str) -> bool:
    parts = parse_host_source(source)
    if parts is None or parts.scheme not in ("", "http", "https") or parts.host == "*":
        return False
    host, path = parts.host.rstrip("."), parts.path
    for gadget_host, gadget_paths in _SCRIPT_GADGET_HOSTS.items():
        # CSP3 §6.7.2.9: "*.example.com" matches subdomains of example.com only.
        if host != gadget_host and not (host.startswith("*.") and gadget_host.endswith(host[1:])):
            continue
        # CSP3 §6.7.2.10: a path ending in "/" matches as a prefix, any other exactly.
        if not path or any(
            path.startswith(prefix) or (path.endswith("/") and prefix.startswith(path))
            for prefix in gadget_paths
        ):
            return True
    return False


@_script_check(CSP_SCRIPT_GADGET_HOST)
def _script_gadget_host(sources: tuple[str, ...]) -> str | None:
    if _strict(sources):
        return None
    gadgets = [source for source in sources if _serves_gadget(source)]
    if not gadgets:
        return None
    return (
        f"allows {shown(gadgets)}, which serve JSONP or AngularJS; trust scripts by nonce "
        "with 'strict-dynamic' instead"
    )


# -- object-src, base-uri, form-action ----------------------------------------------------

CSP_OBJECT_SRC_MISSING: Final = rule(
    "csp-object-src-missing",
    "high",
    _CSP,
    "Neither object-src nor default-src is set: <object> and <embed> can load "
    "plugin content and HTML from anywhere.",
    f"{CSP3}#directive-object-src",
)
CSP_OBJECT_SRC_WILDCARD: Final = rule(
    "csp-object-src-wildcard",
    "high",
    _CSP,
    "object-src (or the default-src it falls back to) allows any host or data: URLs: "
    "an injected <object> or <embed> loads content that can run script.",
    f"{CSP3}#directive-object-src",
)
CSP_OBJECT_SRC_NOT_NONE: Final = rule(
    "csp-object-src-not-none",
    "low",
    _CSP,
    "object-src (or the default-src it falls back to) is not 'none'; almost no site needs plugins.",
    f"{CSP3}#directive-object-src",
)


@check
def _object_src(response: Response, report: Report) -> None:
    # One finding, the worst: missing, then any host, then anything but 'none'.
    policies = _enforced(response)
    missing = "no object-src or default-src"
    if _in_every(policies, lambda p: missing if _effective(p, "object-src") is None else None):
        report.add(CSP_OBJECT_SRC_MISSING, missing)
        return

    def wildcard(policy: Policy) -> str | None:
        sources = _effective(policy, "object-src") or ()
        loose = [s for s in sources if is_any_host(s) or s == "data:"]
        return f"object-src allows {shown(loose)}" if loose else None

    message = _in_every(policies, wildcard)
    if message is not None:
        report.add(CSP_OBJECT_SRC_WILDCARD, message)
        return
    not_none = "object-src is not 'none'"
    if _in_every(
        policies, lambda p: None if _effective(p, "object-src") == ("'none'",) else not_none
    ):
        report.add(CSP_OBJECT_SRC_NOT_NONE, not_none)


CSP_NONCE_WITHOUT_BASE_URI: Final = rule(
    "csp-nonce-without-base-uri",
    "high",
    _CSP,
    "Scripts are trusted by nonce (or by hash with 'strict-dynamic') and base-uri is "
    "missing or allows any host: an injected <base> tag points every relative nonced "
    "<script src> at the attacker's server, and the nonce makes it run.",
    f"{CSP3}#directive-base-uri",
)
CSP_BASE_URI_MISSING: Final = rule(
    "csp-base-uri-missing",
    "medium",
    _CSP,
    "No base-uri (it does not fall back to default-src), or one allowing any host: an "
    "injected <base> tag redirects every relative script URL.",
    f"{CSP3}#directive-base-uri",
)


def _base_uri_open(policy: Policy) -> str | None:
    if "base-uri" not in policy:
        return "no base-uri (it has no fallback)"
    loose = [s for s in policy["base-uri"] if is_any_host(s)]
    return f"base-uri allows {shown(loose)}" if loose else None


def _nonce_based(policy: Policy) -> bool:
    # A nonce trusts a <script> whatever its URL; so does a hash with 'strict-dynamic'.
    return any(
        any(s.startswith("'nonce-") for s in sources) or _strict(sources)
        for _, sources in _script_lists(policy)
    )


@check
def _base_uri(response: Response, report: Report) -> None:
    policies = _enforced(response)

    def nonce_and_open(policy: Policy) -> str | None:
        return _base_uri_open(policy) if _nonce_based(policy) else None

    message = _in_every(policies, nonce_and_open)
    if message is not None:
        report.add(
            CSP_NONCE_WITHOUT_BASE_URI,
            f"{message} while scripts are trusted by nonce; add base-uri 'none' or 'self'",
        )
        return
    message = _in_every(policies, _base_uri_open)
    if message is not None:
        report.add(CSP_BASE_URI_MISSING, f"{message}; add base-uri 'none' or 'self'")


CSP_FORM_ACTION_MISSING: Final = rule(
    "csp-form-action-missing",
    "low",
    _CSP,
    "No form-action (it does not fall back to default-src): an injected form can "
    "send what the user types to any site.",
    f"{CSP3}#directive-form-action",
)


@_policy_check(CSP_FORM_ACTION_MISSING)
def _form_action_missing(policy: Policy) -> str | None:
    if "form-action" in policy:
        return None
    return "no form-action (it has no fallback); add form-action 'self'"


# -- styles and framing ---------------------------------------------------------------------

CSP_STYLE_UNSAFE_INLINE: Final = rule(
    "csp-style-unsafe-inline",
    "low",
    _CSP,
    "style-src allows 'unsafe-inline' without a nonce or hash: injected CSS can "
    "restyle the page and leak data through selectors.",
    f"{MDN}Content-Security-Policy/style-src#unsafe_inline_styles",
)


@_policy_check(CSP_STYLE_UNSAFE_INLINE)
def _style_unsafe_inline(policy: Policy) -> str | None:
    sources = _effective(policy, "style-src") or ()
    if "'unsafe-inline'" in sources and not _trusted(sources):
        return "style-src allows 'unsafe-inline'"
    return None


CSP_FRAME_ANCESTORS_WILDCARD: Final = rule(
    "csp-frame-ancestors-wildcard",
    "medium",
    _CSP,
    "frame-ancestors allows any site ('*' or a bare scheme), and browsers then ignore "
    "X-Frame-Options: the page can be framed for clickjacking.",
    f"{CSP3}#directive-frame-ancestors",
)


@_policy_check(CSP_FRAME_ANCESTORS_WILDCARD)
def _frame_ancestors_wildcard(policy: Policy) -> str | None:
    if any(is_any_host(s) for s in policy.get("frame-ancestors", ())):
        return "frame-ancestors allows every site"
    return None


# -- syntax: what browsers read differently from what was meant -------------------------------

CSP_UNQUOTED_KEYWORD: Final = rule(
    "csp-unquoted-keyword",
    "medium",
    _CSP,
    "A keyword, nonce or hash is written without single quotes (self, none, "
    "unsafe-inline, nonce-...): browsers read it as a host name.",
    f"{CSP3}#grammardef-keyword-source",
)
CSP_UNKNOWN_DIRECTIVE: Final = rule(
    "csp-unknown-directive",
    "low",
    _CSP,
    "A directive browsers do not know (often a typo such as script-scr): it is "
    "ignored, so what it was meant to restrict is not restricted.",
    f"{CSP3}#csp-directives",
)
CSP_WEAK_NONCE: Final = rule(
    "csp-weak-nonce",
    "medium",
    _CSP,
    "A nonce is shorter than 22 base64 characters (128 bits), so it can be guessed; "
    "use secure.nonce.generate_nonce() for each response.",
    f"{CSP3}#security-nonces",
)


def _weak_nonce(source: str) -> bool:
    if not (source.startswith("'nonce-") and source.endswith("'")) or source == NONCE:
        return False
    nonce = source[len("'nonce-") : -1]
    return len(nonce.rstrip("=")) < _MIN_NONCE_CHARS or not is_nonce(nonce)


@check
def _syntax(response: Response, report: Report) -> None:
    # Each of these is a mistake wherever it appears, in any enforced policy.
    unquoted: list[str] = []
    unknown: list[str] = []
    weak_nonces: list[str] = []
    for policy in _enforced(response):
        for name, values in policy.items():
            if name not in DIRECTIVES and name not in unknown:
                unknown.append(name)
            sources = name in _SOURCE_LISTS or name.endswith("-src")
            unquoted.extend(f"{name} {v}" for v in values if sources and is_unquoted_keyword(v))
            weak_nonces.extend(v for v in values if _weak_nonce(v))
    if unquoted:
        report.add(
            CSP_UNQUOTED_KEYWORD,
            f"{shown(unquoted)}: keywords, nonces and hashes need single quotes",
        )
    if unknown:
        hint = suggest(unknown[0], DIRECTIVES) if len(unknown) == 1 else ""
        report.add(CSP_UNKNOWN_DIRECTIVE, f"browsers ignore {shown(unknown)}{hint}")
    if weak_nonces:
        report.add(
            CSP_WEAK_NONCE,
            f"{shown(weak_nonces)} is shorter than {_MIN_NONCE_CHARS} base64 characters",
        )
