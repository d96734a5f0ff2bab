"""A test peer's HTTP server: a threaded WSGI server on 127.0.0.1, at a port the OS chooses,
served from a daemon thread for as long as the peer runs (`start`/`stop`, or `with`).

A peer subclasses `LoopbackServer`, answers requests in `_wsgi`, and may do in `_bound` what needs
its address (`base_url`) before the first request: that is known once the port is bound.
"""

import ssl
import threading
from collections.abc import Iterable
from types import TracebackType
from typing import Self
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

# How often the serving loop looks for stop(): stop() waits up to this long, once per test.
POLL_INTERVAL = 0.05


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """The test output is no place for an access log (errors are still logged)."""


class LoopbackServer:
    """A peer serving HTTP on http://127.0.0.1:<OS-chosen port> from a daemon thread."""

    # Names the serving thread, and the peer in errors.
    name: str = "loopback server"

    def __init__(self) -> None:
        self._httpd: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._httpd is not None:
            raise RuntimeError(f"{self.name} is already running")
        self._httpd = make_server(
            "127.0.0.1",
            0,
            self._wsgi,
            threaded=True,
            request_handler=_QuietHandler,
            ssl_context=self._ssl_context(),
        )
        try:
            self._bound()
        except BaseException:
            self._httpd.server_close()
            self._httpd = None
            raise
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL},
            name=self.name,
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = None
        self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._httpd is not None

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError(f"{self.name} is not running: call start() first")
        scheme = "https" if self._httpd.ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self._httpd.server_port}"

    def _ssl_context(self) -> ssl.SSLContext | None:
        """TLS for a peer that speaks HTTPS (and may ask for the client's certificate)."""
        return None

    def _bound(self) -> None:
        """Called once the port is bound (`base_url` answers), before the first request."""

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """The peer's WSGI application: a subclass answers its requests here."""
        raise NotImplementedError
