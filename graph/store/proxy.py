"""The proxy in front of the Oxigraph server: refuses writes, caps answers and time.

The Oxigraph server has no limit on the size of a result, and its time limit
does not stop every query, so ``kg serve`` listens here and passes queries on
to the server on a private loopback port (see :mod:`graph.store.serve`): every
write is refused (HTTP 403), an answer over ``max_result_bytes`` is dropped
(HTTP 422, "add LIMIT"), an answer not complete ``timeout`` + 2 s after the
request is given up (HTTP 503) and the server restarted.
"""

from __future__ import annotations

import contextlib
import http.client
import logging
import socket
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

#: The default time limit of a query (seconds); ``kg serve --timeout``.
DEFAULT_TIMEOUT = 30.0
#: The largest request body (a query) the proxy accepts.
MAX_REQUEST_BYTES = 1_000_000


#: How much of a refused (too large) request body is read and dropped before the connection closes.
DISCARD_BYTES = 16_000_000


#: How Oxigraph ends an answer it stopped at its time limit after sending "200 OK".
_CANCELLED = b"The SPARQL operation has been cancelled"


#: Seconds the proxy waits beyond ``--timeout`` before it gives up on an answer.
TIMEOUT_GRACE = 2.0


def _left(deadline: float | None) -> float | None:
    return None if deadline is None else max(0.01, deadline - time.monotonic())


#: Response headers the proxy passes on from the server.
_PASS_HEADERS = frozenset({
    "content-type", "vary", "allow", "access-control-allow-origin", "access-control-allow-methods",
    "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age",
})


#: Request headers the proxy passes on to the server.
_FORWARD_HEADERS = ("Accept", "Content-Type", "Origin", "Access-Control-Request-Method",
                    "Access-Control-Request-Headers")


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    timeout = 120  # an idle or stalled client connection is closed
    server: ResultLimitProxy

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)

    def do_GET(self) -> None:  # noqa: N802
        self._forward()

    def do_POST(self) -> None:  # noqa: N802
        if urlsplit(self.path).path != "/query":
            self._refuse()
        else:
            self._forward()

    def do_OPTIONS(self) -> None:  # noqa: N802
        if self.server.cors:
            self._forward()
        else:
            self._reply(405, "method not allowed: this endpoint answers GET and POST /query")

    def do_PUT(self) -> None:  # noqa: N802
        self._refuse()

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    def _refuse(self) -> None:
        self._reply_and_close(403, "this SPARQL endpoint is read-only: updates and Graph Store writes are refused")

    def _reply_and_close(self, status: int, text: str) -> None:
        """Refuse a request without forwarding it, then close the connection.

        A client sends the whole body before it reads the answer; closing
        the socket with the body unread would reset the connection, and the
        client would see a broken pipe instead of the answer. So (a bounded
        part of) the declared body is read and dropped first.
        """
        self.close_connection = True
        self._reply(status, text)
        try:
            left = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            left = 0
        left = min(max(left, 0), DISCARD_BYTES)
        with contextlib.suppress(OSError):
            self.connection.settimeout(2)
            while left > 0:
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

    def _reply(self, status: int, text: str) -> None:
        body = (text + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def _too_slow(self) -> None:
        self._reply(503, f"the query ran longer than this endpoint's limit of {self.server.query_timeout:g} s; "
                    "make it more selective, add LIMIT (or serve with a larger --timeout)")

    def _forward(self) -> None:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._reply(411, "send the query with a Content-Length header")
            return
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            self._reply_and_close(413, f"a request may have at most {MAX_REQUEST_BYTES:,} bytes")
            return
        body = self.rfile.read(length) if length else None
        headers = {h: v for h in _FORWARD_HEADERS if (v := self.headers.get(h))}
        limit, seconds = self.server.max_result_bytes, self.server.query_timeout
        deadline = None if seconds is None else time.monotonic() + seconds + TIMEOUT_GRACE
        conn = http.client.HTTPConnection(*self.server.upstream, timeout=_left(deadline))
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            chunks: list[bytes] = []
            size = 0
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(_left(deadline))
                chunk = resp.read(1 << 16)
                if not chunk:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError  # an answer that streams on and on
                size += len(chunk)
                if size > limit:  # stop reading: the server sees the connection close and stops
                    self._reply(422, f"the result is larger than this endpoint's limit of {limit:,} bytes; "
                                "add LIMIT to the query (or serve with a larger --max-result-bytes)")
                    return
                chunks.append(chunk)
        except TimeoutError:
            conn.close()
            self._too_slow()
            if self.server.on_overrun is not None:
                self.server.on_overrun()  # the server may not stop the query by itself
            return
        except (OSError, http.client.HTTPException) as err:
            self._reply(502, f"the SPARQL server did not answer: {err}")
            return
        finally:
            conn.close()
        data = b"".join(chunks)
        if resp.status == 200 and data.rstrip().endswith(_CANCELLED):
            # Oxigraph stopped the query at its time limit after it had sent the
            # status line: the body is a cut-off result followed by the message
            self._too_slow()
            return
        self.send_response(resp.status, resp.reason)
        for name, value in resp.getheaders():
            if name.lower() in _PASS_HEADERS:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class ResultLimitProxy(ThreadingHTTPServer):
    """An HTTP front for a read-only SPARQL server: refuses writes, big and slow answers.

    ``GET`` requests and ``POST /query`` go to the server at ``upstream``;
    ``POST`` elsewhere, ``PUT``, ``DELETE`` and ``PATCH`` get HTTP 403. An
    answer is read into memory up to ``max_result_bytes``: a bigger one is
    dropped (the server notices and stops) and the client gets HTTP 422. An
    answer not complete ``timeout`` (+ :data:`TIMEOUT_GRACE`) seconds after
    the request gets HTTP 503, and ``on_overrun`` is called (``kg serve``
    restarts the server, which does not stop every query at its own time
    limit). A request body is limited to :data:`MAX_REQUEST_BYTES`.
    """

    daemon_threads = True

    def __init__(self, bind: tuple[str, int], upstream: tuple[str, int], *, max_result_bytes: int,
                 timeout: float | None = DEFAULT_TIMEOUT, cors: bool = False,
                 on_overrun: Callable[[], None] | None = None) -> None:
        if max_result_bytes < 1:
            raise ValueError(f"max_result_bytes ({max_result_bytes}) must be 1 or more")
        self.address_family = socket.AF_INET6 if ":" in bind[0] else socket.AF_INET
        self.upstream = upstream
        self.max_result_bytes = max_result_bytes
        self.query_timeout = timeout or None
        self.on_overrun = on_overrun
        self.cors = cors
        super().__init__(bind, _ProxyHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        log.debug("request from %s failed", client_address, exc_info=True)  # e.g. the client left
