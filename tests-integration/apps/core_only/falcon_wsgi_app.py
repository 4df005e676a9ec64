"""Falcon (WSGI), core only. Run it with uWSGI (the ``pyuwsgi`` package)::

uwsgi --http-socket 127.0.0.1:8000 --module falcon_wsgi_app:app --master
"""

from __future__ import annotations

import falcon
from core_only_common import STATIC_DIR
from falcon_common import RESOURCES, SecurityHeaders

app = falcon.App(middleware=[SecurityHeaders()])
for path, resource in RESOURCES.items():
    app.add_route(path, resource)
app.add_static_route("/static", str(STATIC_DIR))
