"""The health endpoint: a WSGI application, and a small threaded server that serves it."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from types import TracebackType
from typing import Any, TypeAlias
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .health import DEFAULT_TIMEOUT, HealthCheck, HealthRunner

HEALTH_PATHS = frozenset({"/health", "/healthz"})

StartResponse: TypeAlias = Callable[..., Any]
WSGIApplication: TypeAlias = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def health_handler(
    checks: Mapping[str, HealthCheck] | None = None,
    *,
    service: str | None = None,
    version: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> WSGIApplication:
    """A WSGI application answering GET/HEAD /health and /healthz: 200 when every check passes, else 503.

    Other paths answer 404, other methods 405. Mount it in any WSGI server or dispatch to it.
    """
    runner = HealthRunner(checks or {}, service=service, version=version, timeout=timeout)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        head = environ.get("REQUEST_METHOD") == "HEAD"
        if (environ.get("PATH_INFO") or "/") not in HEALTH_PATHS:
            return _send(start_response, HTTPStatus.NOT_FOUND, {"error": "not found"}, head)
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return _send(start_response, HTTPStatus.METHOD_NOT_ALLOWED, {"error": "method not allowed"}, head, [("Allow", "GET, HEAD")])
        report = runner.run()
        status = HTTPStatus.OK if report.status == "ok" else HTTPStatus.SERVICE_UNAVAILABLE
        return _send(start_response, status, report.to_dict(), head)

    return application


def _send(
    start_response: StartResponse,
    status: HTTPStatus,
    body: Mapping[str, Any],
    head: bool,
    extra_headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        # HEAD gets the headers GET would, body length included.
        ("Content-Length", str(len(payload))),
        # Probes must see the current state, never a proxy's copy.
        ("Cache-Control", "no-store"),
        *(extra_headers or []),
    ]
    start_response(f"{status.value} {status.phrase}", headers)
    return [] if head else [payload]


class HealthServer:
    """Serves health_handler() on its own port, from a background thread. Also a context manager."""

    def __init__(self, application: WSGIApplication, port: int, host: str) -> None:
        self._server = _ThreadingWSGIServer((host, port), _QuietRequestHandler, bind_and_activate=False)
        self._server.set_app(application)
        self._thread: threading.Thread | None = None

    @property
    def listening(self) -> bool:
        return self._thread is not None

    @property
    def address(self) -> tuple[str, int]:
        """(host, port) bound, once listening: the port picked for port 0."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def listen(self) -> tuple[str, int]:
        """Binds and starts serving; returns (host, port), so port 0 reveals the port picked.

        Raises OSError (errno EADDRINUSE) when the port is taken.
        """
        if self._thread is not None:
            raise RuntimeError("the health server is already listening")
        try:
            self._server.server_bind()
            self._server.server_activate()
        except BaseException:
            self._server.server_close()
            raise
        # A short poll interval: close() waits up to one interval for the serving loop.
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="health-server", daemon=True)
        self._thread.start()
        return self.address

    def close(self) -> None:
        """Stops accepting connections and returns once open requests have finished. Safe to call twice."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> HealthServer:
        self.listen()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


def create_health_server(
    port: int,
    checks: Mapping[str, HealthCheck] | None = None,
    *,
    host: str = "",
    service: str | None = None,
    version: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> HealthServer:
    """A HealthServer for `port` on `host` (default: every IPv4 interface); call listen() to start it."""
    return HealthServer(health_handler(checks, service=service, version=version, timeout=timeout), port, host)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    # close() joins request threads, which it only tracks when they are not daemons;
    # the handler's socket timeout bounds how long a silent client can hold one.
    daemon_threads = False
    block_on_close = True

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS, which can stall for
        # seconds where DNS is unreachable; the WSGI environ only needs a name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host) or "localhost"
        self.server_port = int(port)
        self.setup_environ()


class _QuietRequestHandler(WSGIRequestHandler):
    timeout = 10

    def log_message(self, format: str, *args: Any) -> None:
        """Probes arrive every few seconds; an access line for each would drown the service's own logs."""
