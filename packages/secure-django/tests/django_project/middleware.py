from __future__ import annotations

from secure_django.middleware import SecureHeadersMiddleware


class ProjectHeadersMiddleware(SecureHeadersMiddleware):
    """A project's own subclass: the checks must still recognise it."""
