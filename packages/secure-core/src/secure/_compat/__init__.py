"""The ``secure`` 2.x API, kept working on top of this library.

Code written for 2.x's documented API runs unchanged; this package holds the pieces
that exist only for it, apart from the builders themselves:

* :mod:`secure._compat._builders`: mixin classes with the builder methods 2.x documents
  and the builders here do not have under that name (``.value()``, ``.custom()``,
  ``ReferrerPolicy.add``/``.fallback``, ``CacheControl.s_max_age``, ...). Each builder
  lists its mixin as a base class; every method delegates to the builder's own methods,
  so a 2.x spelling validates exactly like the current one.
* :mod:`secure._compat._names`: the ``HeaderName`` and ``HeaderDefaultValue`` enums of
  2.x's ``secure.headers.base_header``, derived from the builders.

The 2.x module paths ``secure.secure`` and ``secure.headers.base_header`` re-export from
here and from the current modules. The migration guide
(<https://typeerror.github.io/secure/migration/>) lists where 2.x behaviour
deliberately differs.
"""
