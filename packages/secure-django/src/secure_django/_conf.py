"""Read ``settings.SECURE_HEADERS`` once and share the resulting ``Secure``."""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from secure import Secure

__all__ = ["SETTING", "get_secure"]

#: The one setting this package reads. Never one of Django's own ``SECURE_*`` names.
SETTING: Final = "SECURE_HEADERS"

_cached: Secure | None = None


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
        _cached = _build(getattr(settings, SETTING, None))
    return _cached


def _build(value: Any) -> Secure:
    try:
        return Secure.coerce(value)
    except (TypeError, ValueError) as exc:
        message = str(exc).removeprefix("secure config: ")
        raise ImproperlyConfigured(f"{SETTING}: {message}") from exc


@receiver(setting_changed)
def _reset(*, setting: str, **kwargs: object) -> None:
    # override_settings(SECURE_HEADERS=...) in tests: rebuild on next use.
    global _cached
    if setting == SETTING:
        _cached = None
