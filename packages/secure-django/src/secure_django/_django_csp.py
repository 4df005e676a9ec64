"""Django 6's own CSP configuration, read as input: its settings and its view decorators.

``SECURE_HEADERS_USE_DJANGO_CSP = True`` makes ``SecureHeadersMiddleware`` send the
policies of ``SECURE_CSP`` and ``SECURE_CSP_REPORT_ONLY``. Django's ``@csp_override``
and ``@csp_report_only_override`` leave their configuration on the view's response;
the middleware turns it into a :class:`secure.Override`, compiled once per distinct
configuration. Both read Django's directive tables with the core's configuration
loader, which knows ``CSP.NONCE`` (our nonce slot) and set-valued directives.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from secure import Override, Secure

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = [
    "ENFORCE_ATTR",
    "HAS_DJANGO_CSP",
    "REPORT_ONLY_ATTR",
    "SETTINGS",
    "USE_SETTING",
    "from_settings",
    "opted_in",
    "policy",
    "response_override",
]

#: The opt-in: take the CSP headers from Django 6's SECURE_CSP and SECURE_CSP_REPORT_ONLY.
USE_SETTING: Final = "SECURE_HEADERS_USE_DJANGO_CSP"
#: Django 6's settings, by the header each one configures.
SETTINGS: Final = {
    "Content-Security-Policy": "SECURE_CSP",
    "Content-Security-Policy-Report-Only": "SECURE_CSP_REPORT_ONLY",
}
#: Where Django 6's csp_override and csp_report_only_override leave their configuration
#: on a response (django/views/decorators/csp.py), for its ContentSecurityPolicyMiddleware.
ENFORCE_ATTR: Final = "_csp_config"
REPORT_ONLY_ATTR: Final = "_csp_ro_config"

#: Django 6.0 added SECURE_CSP and the csp decorators.
HAS_DJANGO_CSP: Final = django.VERSION >= (6, 0)

# The configuration keys (and header-name aliases) that also say what the CSP headers
# are; with the opt-in, Django's settings say it.
_CSP_KEYS: Final = frozenset(
    {"csp", "csp_report_only", "nonce", *(name.lower() for name in SETTINGS)}
)
_CONFIG_KEY: Final = {
    "Content-Security-Policy": "csp",
    "Content-Security-Policy-Report-Only": "csp_report_only",
}


def opted_in() -> bool:
    """Whether the project opted in; an opt-in Django cannot honour is an error."""
    value = getattr(settings, USE_SETTING, False)
    if not isinstance(value, bool):
        raise ImproperlyConfigured(f"{USE_SETTING}: expected True or False, got {value!r}")
    if value and not HAS_DJANGO_CSP:
        raise ImproperlyConfigured(
            f"{USE_SETTING}: Django {django.get_version()} has no SECURE_CSP setting (Django "
            "6.0 added it); remove the setting and put the policy in SECURE_HEADERS['csp']"
        )
    return value


def policy(where: str, config: object) -> str | None:
    """Django's directive table as our policy text (nonce slots kept); ``None`` for
    none, as Django sends no header for an empty configuration."""
    if not config:
        return None
    if not isinstance(config, Mapping):
        raise ValueError(
            f"{where}: expected a dict of directive -> sources, got {type(config).__name__} "
            f"{config!r}"
        )
    # Django leaves out a directive whose sources are empty (django.utils.csp.build_policy);
    # our configuration would send it with 'none'.
    table = {
        name: sources
        for name, sources in config.items()
        if not (isinstance(sources, (list, tuple, set, frozenset)) and not sources)
    }
    try:
        rendered = Secure.from_config({"preset": "none", "csp": table})
    except (TypeError, ValueError) as exc:
        message = str(exc).removeprefix("secure config: ")
        if message.startswith("csp."):
            message = message.removeprefix("csp.")
        elif message.startswith("csp: "):
            message = message.removeprefix("csp: ")
        raise ValueError(f"{where}: {message}") from None
    for _name, value, _templated in rendered.snapshot().items:
        return value
    return None  # every directive was off (None or False)


def from_settings(secure: Secure, value: object, *, setting: str) -> Secure:
    """``secure`` with its CSP headers taken from SECURE_CSP and SECURE_CSP_REPORT_ONLY
    when the project opted in; ``secure`` itself otherwise.

    ``value`` is the ``setting`` (SECURE_HEADERS) ``secure`` was built from: a key of it
    that also configures a CSP header is refused, so there is one place for each policy.
    """
    if not opted_in():
        return secure
    if isinstance(value, Mapping):
        for key in value:
            if isinstance(key, str) and key.lower() in _CSP_KEYS:
                raise ImproperlyConfigured(
                    f"{setting}[{key!r}]: {USE_SETTING} = True takes the Content-Security-"
                    "Policy headers and their nonce from SECURE_CSP and SECURE_CSP_REPORT_ONLY "
                    f"(CSP.NONCE is the nonce slot); remove {key!r} from {setting}, or the "
                    f"opt-in"
                )
    config: dict[str, object] = {}
    for header, name in SETTINGS.items():
        try:
            text = policy(name, getattr(settings, name, None))
        except ValueError as exc:
            raise ImproperlyConfigured(str(exc)) from None
        config[_CONFIG_KEY[header]] = text if text is not None else False
    return Secure.from_config(config, base=secure)


def response_override(
    request: HttpRequest, state: Mapping[str, Any], sent: frozenset[str]
) -> Override | None:
    """The Override for what Django's CSP decorators left on a response, or ``None``.

    ``state`` is the response's ``__dict__``; ``sent`` the lower-case names of the
    headers the project sends. As with Django's ContentSecurityPolicyMiddleware, an
    empty configuration means no such header on this response.
    """
    enforce = state.get(ENFORCE_ATTR, _ABSENT)
    report_only = state.get(REPORT_ONLY_ATTR, _ABSENT)
    if enforce is _ABSENT and report_only is _ABSENT:
        return None
    try:
        key = (_frozen(enforce), _frozen(report_only))
        hash(key)
    except TypeError:
        compile_ = _compile.__wrapped__  # not hashable: compiled each time (and refused)
        key = (enforce, report_only)
    else:
        compile_ = _compile
    has_csp = "content-security-policy" in sent
    has_report_only = "content-security-policy-report-only" in sent
    try:
        return compile_(key[0], key[1], has_csp, has_report_only)
    except ValueError as exc:
        # "@csp_override: script-src: ..." -> "@csp_override on the view 'name': script-src: ..."
        decorator, _, problem = str(exc).partition(": ")
        view = getattr(getattr(request, "resolver_match", None), "view_name", None)
        where = f"the view {view!r}" if view else f"the view of {request.path}"
        raise ImproperlyConfigured(f"{decorator} on {where}: {problem}") from None


_ABSENT: Final[Any] = object()


def _frozen(config: object) -> object:
    """A hashable stand-in for a decorator's table (a tuple of pairs, read back with
    ``dict``): lists become tuples and sets frozensets, which the loader reads alike."""
    if not isinstance(config, Mapping):
        return config
    return tuple((name, _frozen_sources(sources)) for name, sources in config.items())


def _frozen_sources(sources: object) -> object:
    if isinstance(sources, list):
        return tuple(sources)
    if isinstance(sources, set):
        return frozenset(sources)
    return sources


@functools.lru_cache(maxsize=256)
def _compile(
    enforce: object, report_only: object, has_csp: bool, has_report_only: bool
) -> Override:
    csp: str | None = None
    headers: dict[str, str] = {}
    exempt: list[str] = []
    for header, config, sent in (
        ("Content-Security-Policy", enforce, has_csp),
        ("Content-Security-Policy-Report-Only", report_only, has_report_only),
    ):
        if config is _ABSENT:
            continue
        decorator = _DECORATORS[header]
        text = policy(f"@{decorator}", dict(config) if isinstance(config, tuple) else config)
        if text is None:
            if sent:
                exempt.append(header)
        elif header == "Content-Security-Policy":
            csp = text  # the policy itself: a decorator of ours may still add sources to it
        else:
            headers[header] = text
    return Override(csp=csp, headers=headers, exempt=exempt)


_DECORATORS: Final = {
    "Content-Security-Policy": "csp_override",
    "Content-Security-Policy-Report-Only": "csp_report_only_override",
}
