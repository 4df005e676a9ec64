"""Stands in for the ``secure`` package when that package's ``__init__.py`` is gone.

Python imports a package directory that has an ``__init__.py`` before a module of the
same name in the same directory (PEP 420, "Specification"), so while secure-core is
intact this file is never imported. It is imported only after another distribution that
listed the same paths, ``secure`` 2.x, was uninstalled or upgraded after secure-core was
written over it and took secure-core's files with it. Then this says what to run,
instead of an ``ImportError`` about a namespace package.
"""

raise ImportError(
    "The 'secure' package is incomplete: secure-core's files were removed when the "
    "'secure' 2.x distribution they replaced was uninstalled or upgraded. "
    "Restore them with: pip install --force-reinstall secure-core"
)
