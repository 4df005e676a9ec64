"""Falcon (ASGI), core only. Run it with uvicorn::

uvicorn falcon_asgi_app:app --no-server-header
"""

from __future__ import annotations

import falcon.asgi
from core_only_common import STATIC_DIR
from falcon_common import RESOURCES, AsyncResource, SecurityHeaders

app = falcon.asgi.App(middleware=[SecurityHeaders()])
for path, resource in RESOURCES.items():
    app.add_route(path, AsyncResource(resource))
app.add_static_route("/static", str(STATIC_DIR))
