"""2.x's module path for ``BaseHeader``, ``HeaderName`` and ``HeaderDefaultValue``.

``BaseHeader`` is the base class of every builder (:mod:`secure.headers._base`); the two
enums come from :mod:`secure._compat._names`.
"""

from secure._compat._names import HeaderDefaultValue, HeaderName
from secure.headers._base import BaseHeader

__all__ = ["BaseHeader", "HeaderDefaultValue", "HeaderName"]
