"""Read ``settings.SECURE_HEADERS`` once and share the resulting ``Secure``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from secure import Secure
from secure.middleware import PathPrefixes
from secure_django import _django_csp

if TYPE_CHECKING:
    from secure import Override

__all__ = [
    "EXCLUDE_SETTING",
    "SETTING",
    "check_override",
    "check_pending",
    "get_exclude",
    "get_secure",
]

#: The setting that configures the headers. Never one of Django's own ``SECURE_*`` names.
SETTING: Final = "SECURE_HEADERS"
#: URL path prefixes (``request.path_info``) whose responses the middleware leaves alone.
EXCLUDE_SETTING: Final = "SECURE_HEADERS_EXCLUDE"

# Read with SECURE_HEADERS when the project opts in to Django 6's CSP settings.
_READ_TOO: Final = frozenset({_django_csp.USE_SETTING, *_django_csp.SETTINGS.values()})

_cached: Secure | None = None
# Overrides declared before the settings could be read (or while SECURE_HEADERS was
# invalid); SecureHeadersMiddleware checks them when Django builds it.
_pending: list[Override] = []


def get_secure() -> Secure:
    """The ``Secure`` built from ``settings.SECURE_HEADERS`` (BALANCED when unset).

    The setting is read and validated on first use and the result is kept, so the
    middleware, the view decorators and the system checks share one object. An invalid
    setting raises ``ImproperlyConfigured`` naming the offending key.

    >>> get_secure().headers["X-Frame-Options"]
    'SAMEORIGIN'
    """
    global _cached
    if _cached is None:
        value = getattr(settings, SETTING, None)
        _cached = _django_csp.from_settings(_build(value), value, setting=SETTING)
    return _cached


def _build(value: Any) -> Secure:
    try:
        return Secure.coerce(value)
    except (TypeError, ValueError) as exc:
        message = str(exc).removeprefix("secure config: ")
        raise ImproperlyConfigured(f"{SETTING}: {message}") from exc


def get_exclude() -> PathPrefixes | None:
    """``settings.SECURE_HEADERS_EXCLUDE`` as a :class:`secure.middleware.PathPrefixes`
    (``None`` when unset or empty); an invalid value raises ``ImproperlyConfigured``.

    >>> get_exclude() is None
    True
    """
    value = getattr(settings, EXCLUDE_SETTING, None)
    if value is None:
        return None
    try:
        prefixes = PathPrefixes(value, where=EXCLUDE_SETTING)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(str(exc)) from exc
    return prefixes or None


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: object) -> None:
    # override_settings(SECURE_HEADERS=...) in tests: rebuild on next use.
    global _cached
    if setting == SETTING or setting in _READ_TOO:
        _cached = None


def check_override(override: Override) -> None:
    """Check a view's override against the project's configuration, now if possible.

    ``Secure.snapshot(override)`` raises ``ValueError`` when the override does not fit
    (exempting a header the project does not send, a typo'd name, CSP sources without a
    CSP) and otherwise compiles it, so the first request finds it ready. Before the
    settings are configured, or while ``SECURE_HEADERS`` is invalid (the middleware and
    ``manage.py check`` report that), the check waits for :func:`check_pending`.
    """
    if settings.configured:
        try:
            base = get_secure()
        except ImproperlyConfigured:
            pass
        else:
            base.snapshot(override)
            return
    _pending.append(override)


def check_pending(base: Secure) -> None:
    """Check the overrides :func:`check_override` could not check when declared."""
    while _pending:
        override = _pending[-1]
        try:
            base.snapshot(override)
        except ValueError as exc:
            raise ImproperlyConfigured(f"a view decorator: {exc}") from exc
        _pending.pop()
