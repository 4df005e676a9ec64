"""Server settings that let the configured ``Server`` header be the only one.

The middleware only changes what the application hands to its server; some servers add
their own ``Server`` header beside it, or drop it and write their own (RFC 9110 §10.2.4
defines the field). Each helper here is the one setting a server offers for that:

* uvicorn sends ``server: uvicorn`` beside the application's header unless started with
  ``--no-server-header``; :data:`UVICORN_OPTIONS` is that setting for ``uvicorn.run()``
  and ``uvicorn.Config()``.
* gunicorn drops the application's ``Server`` and writes its own from
  ``gunicorn.http.wsgi.SERVER``; :func:`gunicorn_server_header`, called from a
  ``gunicorn.conf.py``, sets that to the configured value.
* Werkzeug's development server writes ``Server: Werkzeug/...`` before the application's
  headers; :func:`werkzeug_request_handler` is a request handler for ``app.run()`` and
  ``werkzeug.serving.run_simple()`` that leaves ``Server`` to the application.

None of them imports its server until called; the core depends on none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from secure._secure import Secure

__all__ = ["UVICORN_OPTIONS", "gunicorn_server_header", "werkzeug_request_handler"]

#: Keyword arguments for ``uvicorn.run(app, **UVICORN_OPTIONS)`` (and ``uvicorn.Config``):
#: uvicorn's ``server_header=False``, the ``--no-server-header`` option of its command.
UVICORN_OPTIONS: Final[Mapping[str, Any]] = MappingProxyType({"server_header": False})


def _server_value(secure: Secure | None) -> str:
    if secure is None:
        return ""
    value = secure.headers.get("Server")
    return "" if value is None else value


def gunicorn_server_header(secure: Secure | None = None) -> str:
    """Make gunicorn send the configured ``Server`` value; call it in ``gunicorn.conf.py``.

    gunicorn always writes one ``Server`` header and drops the application's; it has no
    setting for the value, but writes whatever ``gunicorn.http.wsgi.SERVER`` holds. This
    sets it to ``secure``'s ``Server`` value (empty for the presets, and when ``secure``
    is ``None``). gunicorn cannot send no ``Server`` header at all: a configuration
    without one gets an empty one. Returns the value set::

        # gunicorn.conf.py
        from secure.servers import gunicorn_server_header

        gunicorn_server_header()
    """
    value = _server_value(secure)
    wsgi = importlib.import_module("gunicorn.http.wsgi")
    # gunicorn.SERVER would not do: gunicorn.http.wsgi copied it when it was imported.
    setattr(wsgi, "SERVER", value)  # noqa: B010 - a module attribute mypy cannot see
    return value


def werkzeug_request_handler() -> type[Any]:
    """A Werkzeug request handler that sends no ``Server`` header of its own.

    Werkzeug's development server writes ``Server: Werkzeug/<version> Python/<version>``
    ahead of the application's headers, so an application that sets ``Server`` sends two.
    With this handler the application's headers are the only ones (plus ``Date``)::

        app.run(request_handler=werkzeug_request_handler())

    ``flask run`` takes no request handler; start the development server with
    ``app.run()`` (or ``werkzeug.serving.run_simple(..., request_handler=...)``).
    """
    serving = importlib.import_module("werkzeug.serving")
    base: type[Any] = serving.WSGIRequestHandler

    def send_response(self: Any, code: int, message: str | None = None) -> None:
        # http.server.BaseHTTPRequestHandler.send_response, without its Server line.
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())

    return type("NoServerHeaderRequestHandler", (base,), {"send_response": send_response})
