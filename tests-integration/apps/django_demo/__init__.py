"""The Django demo project: secure-django's middleware, configured by ``SECURE_HEADERS``.

Served by gunicorn (WSGI, ``django_demo.wsgi``) and by uvicorn (ASGI, ``django_demo.asgi``)
from the ``apps`` directory; the routes are listed in ``demo_common``.
"""
