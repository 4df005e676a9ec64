"""Django app configuration: registers the system checks."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["SecureDjangoConfig"]


class SecureDjangoConfig(AppConfig):
    name = "secure_django"
    verbose_name = "Security headers"

    def ready(self) -> None:
        from secure_django import checks  # noqa: F401  (registers the checks)
