"""The HTTP front of ``kg serve``: what reaches the Oxigraph servers, and how answers come back.

``kg serve`` listens here; each query goes to an Oxigraph server of its own
from a :class:`~graph.store.workers.WorkerPool`. The front (issues 8 and 17):

* refuses a ``Host`` header that does not name the bound address (DNS
  rebinding: a web page whose name resolves to 127.0.0.1), HTTP 403;
* refuses every write (HTTP 403), a request over :data:`MAX_REQUEST_BYTES`
  (413), a query nested too deep or with a ``SERVICE`` not allowed (400,
  :mod:`graph.store.guard`), then passes the query on as the text it checked
  (``POST /query``, ``application/sparql-query``), so the server cannot read
  the request otherwise than the check did;
* holds at most :data:`MAX_CONNECTIONS` connections and
  :data:`MAX_REQUESTS` queries at once (waiting or running; HTTP 503 with
  ``Retry-After`` beyond), and closes a connection that has not sent its
  whole request within :data:`REQUEST_TIMEOUT` seconds (a client trickling
  a byte every 30 s held a thread for minutes);
* gives up on an answer not complete ``timeout`` + :data:`TIMEOUT_GRACE`
  seconds after the request (HTTP 503) and kills that query's server only;
* streams answers: up to :data:`COMMIT_BYTES` is held back, so a small
  answer gets its true status (422 over ``max_result_bytes``, 503 for a
  query Oxigraph cancelled, 500 for an error met while answering); past
  that the answer goes out as it comes (HTTP/1.1 chunked), and an error,
  the size limit or the time limit then *resets* the connection, so the
  client sees a broken answer, never a 200 with the error text inside the
  CSV or JSON;
* with ``cors``, puts ``Access-Control-Allow-Origin: *`` on its own answers
  too (403, 413, 422, 503...).
"""

from __future__ import annotations

import contextlib
import http.client
import io
import logging
import socket
import struct
import threading
import time
from collections.abc import Collection
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

from graph.errors import KGError
from graph.store.explorer import EXPLORER_API, PAGE_CSP, api_query
from graph.store.guard import check_query
from graph.store.workers import Worker, WorkerPool

log = logging.getLogger(__name__)

#: The default time limit of a query (seconds); ``kg serve --timeout``.
DEFAULT_TIMEOUT = 30.0
#: The largest request body (a query) the proxy accepts.
MAX_REQUEST_BYTES = 1_000_000
#: How much of a refused (too large) request body is read and dropped before the connection closes.
DISCARD_BYTES = 16_000_000
#: Seconds the proxy waits beyond ``--timeout`` before it gives up on an answer.
TIMEOUT_GRACE = 2.0
#: Seconds a client has to send a whole request (and that an idle connection stays open).
REQUEST_TIMEOUT = 10.0
#: Open client connections (one thread each); more are answered 503 at once.
MAX_CONNECTIONS = 64
#: Queries at once, waiting for a server or running; more get 503 with Retry-After.
MAX_REQUESTS = 32
#: Bytes of an answer held back before the status line goes out (then it streams).
COMMIT_BYTES = 1 << 20
#: Seconds a query waits for a free server when there is no time limit.
QUEUE_WAIT = 30.0
#: How Oxigraph reports a query it stopped at its own time limit.
CANCELLED = "The SPARQL operation has been cancelled"

_READ_ONLY = "this SPARQL endpoint is read-only: updates and Graph Store writes are refused"
#: Response headers passed on from the server.
_PASS_HEADERS = frozenset({
    "content-type", "vary", "allow", "access-control-allow-origin", "access-control-allow-methods",
    "access-control-allow-headers", "access-control-expose-headers", "access-control-max-age",
})
#: Request headers passed on to the server.
_FORWARD_HEADERS = ("Accept", "Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers")


def _left(deadline: float | None, default: float | None = None) -> float | None:
    return default if deadline is None else max(0.01, deadline - time.monotonic())


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """The ``Host`` headers a client of ``host:port`` may send; None: any (a wildcard bind)."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - that is what we look for
        return None
    shown = f"[{host}]" if ":" in host else host
    names = {f"{shown}:{port}".lower()}
    if host in ("localhost", "::1") or host.startswith("127."):
        names |= {f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}"}
    return frozenset(names)


class _ClientGone(Exception):
    """Writing to the client failed or timed out."""


class _DeadlineReader(io.RawIOBase):
    """A socket reader that fails once ``deadline`` has passed, however the bytes trickle in."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.sock = sock
        self.deadline = time.monotonic() + seconds

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive in time")
        self.sock.settimeout(left)
        return self.sock.recv_into(buffer)


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kg-serve"
    server: ResultLimitProxy

    def setup(self) -> None:
        super().setup()
        self.reader = _DeadlineReader(self.connection, self.server.request_timeout)
        self.rfile = io.BufferedReader(self.reader)

    def handle_one_request(self) -> None:
        self.reader.deadline = time.monotonic() + self.server.request_timeout
        super().handle_one_request()

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        log.debug("%s " + format, self.address_string(), *args)

    # ------------------------------------------------------------------ methods

    def do_GET(self) -> None:  # noqa: N802
        if self._admit():
            path = urlsplit(self.path).path
            if path == "/query":
                self._query()
            elif self.server.page is not None and path == "/":
                self._page()
            elif self.server.page is not None and path.startswith(EXPLORER_API):
                self._explorer(path[len(EXPLORER_API):])
            elif path == "/update":
                self._refuse()
            else:
                self._relay("GET", self.path, None, self._headers())

    def do_POST(self) -> None:  # noqa: N802
        if self._admit():
            if urlsplit(self.path).path != "/query":
                self._refuse()
            else:
                self._query()

    def do_OPTIONS(self) -> None:  # noqa: N802
        if self._admit():
            if self.server.cors:
                self._relay("OPTIONS", self.path, None, self._headers())
            else:
                self._reply(405, "method not allowed: this endpoint answers GET and POST /query")

    def do_PUT(self) -> None:  # noqa: N802
        if self._admit():
            self._refuse()

    do_DELETE = do_PATCH = do_PUT  # noqa: N815

    # ------------------------------------------------------------------ refusals

    def _admit(self) -> bool:
        allowed = self.server.allowed_hosts
        host = (self.headers.get("Host") or "").strip().lower()
        if allowed is None or host in allowed:
            return True
        self._reply_and_close(403, f"Host {host[:100]!r} is not this endpoint; use one of "
                              f"{', '.join(sorted(allowed))}")
        return False

    def _refuse(self) -> None:
        self._reply_and_close(403, _READ_ONLY)

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
            self.reader.deadline = time.monotonic() + 2
            while left > 0:
                chunk = self.rfile.read1(min(left, 65536))
                if not chunk:
                    break
                left -= len(chunk)

    def _reply(self, status: int, text: str, retry_after: int | None = None) -> None:
        body = (text + "\n").encode("utf-8")
        with contextlib.suppress(OSError):
            self.connection.settimeout(self.server.request_timeout)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if self.server.cors:
                self.send_header("Access-Control-Allow-Origin", "*")
            if retry_after is not None:
                self.send_header("Retry-After", str(retry_after))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)

    def _too_slow(self) -> None:
        self._reply(503, f"the query ran longer than this endpoint's limit of {self.server.query_timeout:g} s; "
                    "make it more selective, add LIMIT (or serve with a larger --timeout)")

    def _too_big(self) -> None:
        self._reply(422, f"the result is larger than this endpoint's limit of {self.server.max_result_bytes:,} "
                    "bytes; add LIMIT to the query (or serve with a larger --max-result-bytes)")

    def _abort(self) -> None:
        """End a committed answer with a connection reset: the client sees it broken."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    # ------------------------------------------------------------------ the explorer

    def _page(self) -> None:
        """The explorer page (``kg serve`` renders it once, at start)."""
        page = self.server.page or b""
        with contextlib.suppress(OSError):
            self.connection.settimeout(self.server.request_timeout)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.send_header("Content-Security-Policy", PAGE_CSP)
            self.send_header("X-Content-Type-Options", "nosniff")
            self.send_header("Referrer-Policy", "no-referrer")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(page)

    def _explorer(self, name: str) -> None:
        """One of the explorer's fixed queries, its values bound as terms, through the same limits."""
        try:
            text = api_query(name, parse_qs(urlsplit(self.path).query, True), self.server.summarised)
        except KGError as err:
            self._reply(400, err.message)
            return
        self._relay("POST", "/query", text.encode("utf-8"),
                    {"Accept": "application/sparql-results+json", "Content-Type": "application/sparql-query"})

    # ------------------------------------------------------------------ queries

    def _headers(self) -> dict[str, str]:
        return {h: v for h in _FORWARD_HEADERS if (v := self.headers.get(h))}

    def _body(self) -> bytes | None:
        """The request body, or None when it was refused (and answered)."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            self._reply(411, "send the query with a Content-Length header")
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_REQUEST_BYTES:
            self._reply_and_close(413, f"a request may have at most {MAX_REQUEST_BYTES:,} bytes")
            return None
        try:
            return self.rfile.read(length) if length else b""
        except OSError:
            self.close_connection = True
            return None

    def _query(self) -> None:
        """Check a SPARQL query and pass it on as ``POST /query`` with exactly the text checked."""
        body = self._body()
        if body is None:
            return
        url = urlsplit(self.path)
        params = parse_qsl(url.query, keep_blank_values=True)
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.command == "POST" and kind == "application/x-www-form-urlencoded":
            params += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        elif self.command == "POST" and kind == "application/sparql-query":
            params.append(("query", body.decode("utf-8", "replace")))
        elif self.command == "POST":
            self._reply(415, "send the query as application/sparql-query or as a form (query=...)")
            return
        if any(name == "update" for name, _ in params):
            self.close_connection = True  # the body is read already: nothing to drop
            self._reply(403, _READ_ONLY)
            return
        texts = [value for name, value in params if name == "query"]
        if len(texts) != 1:
            self._reply(400, "give exactly one query: the query parameter, or the body of a POST")
            return
        try:
            check_query(texts[0], self.server.allow_service)
        except KGError as err:
            self._reply(400, err.message)
            return
        rest = urlencode([(name, value) for name, value in params if name != "query"])
        headers = {**self._headers(), "Content-Type": "application/sparql-query"}
        self._relay("POST", "/query" + (f"?{rest}" if rest else ""), texts[0].encode("utf-8"), headers)

    def _relay(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> None:
        server = self.server
        if not server.requests.acquire(blocking=False):
            self._reply(503, f"this endpoint is answering {server.max_requests} queries already; retry "
                        "shortly", retry_after=1)
            return
        try:
            seconds = server.query_timeout
            deadline = None if seconds is None else time.monotonic() + seconds + TIMEOUT_GRACE
            worker = server.pool.acquire(_left(deadline, QUEUE_WAIT))
            if worker is None:
                self._reply(503, "every SPARQL server of this endpoint stayed busy; retry shortly", retry_after=1)
                return
            clean = False
            try:
                clean = self._stream(worker, method, path, body, headers, deadline)
            finally:
                (server.pool.release if clean else server.pool.discard)(worker)
        finally:
            server.requests.release()

    def _send(self, data: bytes, deadline: float | None) -> None:
        try:
            self.connection.settimeout(_left(deadline, QUEUE_WAIT))
            self.wfile.write(data)
        except OSError as err:
            raise _ClientGone from err

    def _stream(self, worker: Worker, method: str, path: str, body: bytes | None, headers: dict[str, str],
                deadline: float | None) -> bool:
        """Pass one request to ``worker`` and its answer back; whether the worker may serve again."""
        limit = self.server.max_result_bytes
        chunked = self.request_version == "HTTP/1.1"
        conn = http.client.HTTPConnection(*worker.address, timeout=_left(deadline))
        committed, held, size = False, bytearray(), 0
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(_left(deadline))
                chunk = resp.read1(1 << 16)
                if not chunk:
                    break
                if deadline is not None and time.monotonic() > deadline:
                    raise TimeoutError  # an answer that streams on and on
                size += len(chunk)
                if limit is not None and size > limit:
                    log.warning("an answer passed the limit of %s bytes", f"{limit:,}")
                    self._abort() if committed else self._too_big()
                    return False
                if committed:
                    self._send(b"%X\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk, deadline)
                    continue
                held += chunk
                if len(held) > COMMIT_BYTES and resp.status == 200:
                    self._commit(resp, chunked)
                    committed = True
                    self._send(b"%X\r\n%s\r\n" % (len(held), held) if chunked else bytes(held), deadline)
                    held.clear()
        except TimeoutError:
            log.warning("a query ran past the time limit; killing its Oxigraph server (other queries go on)")
            self._abort() if committed else self._too_slow()
            return False
        except _ClientGone:
            self.close_connection = True
            return False
        except (OSError, http.client.HTTPException) as err:
            if committed:
                self._abort()
            else:
                self._reply(502, f"the SPARQL server did not answer: {err}")
            return False
        finally:
            conn.close()
        worker.drain()  # the server reports an error on stderr before it writes it into the answer
        if worker.errors:
            error = worker.errors[-1]
            if committed:
                log.warning("an answer broke off: %s", error)
                self._abort()
            elif CANCELLED in error:
                self._too_slow()
            else:
                self._reply(500, f"the query failed while its answer was being written: {error[:300]}")
            return True
        if resp.status != 200 and CANCELLED.encode() in held:
            self._too_slow()  # stopped by Oxigraph's own time limit before it answered
            return True
        try:
            if committed:
                if chunked:
                    self._send(b"0\r\n\r\n", deadline)
                return True
            self.send_response(resp.status, resp.reason)
            for name, value in resp.getheaders():
                if name.lower() in _PASS_HEADERS:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(held)))
            self.end_headers()
            self._send(bytes(held), deadline)
        except (_ClientGone, OSError):
            self.close_connection = True
        return True

    def _commit(self, resp: http.client.HTTPResponse, chunked: bool) -> None:
        self.send_response(resp.status, resp.reason)
        for name, value in resp.getheaders():
            if name.lower() in _PASS_HEADERS:
                self.send_header(name, value)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()


class ResultLimitProxy(ThreadingHTTPServer):
    """The HTTP front of a :class:`~graph.store.workers.WorkerPool` (see the module's text).

    ``max_result_bytes`` None: no size limit; ``timeout`` None: no time
    limit; ``allow_service``: endpoint URLs a ``SERVICE`` clause may name;
    ``max_connections``, ``max_requests`` and ``request_timeout``: see
    :data:`MAX_CONNECTIONS`, :data:`MAX_REQUESTS`, :data:`REQUEST_TIMEOUT`.
    """

    daemon_threads = True
    #: The listen backlog: socketserver's 5 overflowed under 20 clients (a 1 s SYN
    #: retry, and now and then a connection reset; measured).
    request_queue_size = 128

    def __init__(self, bind: tuple[str, int], pool: WorkerPool, *, max_result_bytes: int | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT, cors: bool = False,
                 allow_service: Collection[str] = (), max_connections: int = MAX_CONNECTIONS,
                 max_requests: int = MAX_REQUESTS, request_timeout: float = REQUEST_TIMEOUT) -> None:
        if max_result_bytes is not None and max_result_bytes < 1:
            raise ValueError(f"max_result_bytes ({max_result_bytes}) must be 1 or more")
        self.address_family = socket.AF_INET6 if ":" in bind[0] else socket.AF_INET
        self.pool = pool
        self.max_result_bytes = max_result_bytes
        self.query_timeout = timeout or None
        self.cors = cors
        self.allow_service = frozenset(allow_service)
        self.max_requests = max_requests
        self.request_timeout = request_timeout
        self.requests = threading.BoundedSemaphore(max_requests)
        self.page: bytes | None = None  # the explorer page at ``/`` (None: ``/`` goes to the Oxigraph server)
        self.summarised = True  # whether its store has the relation summary (graph.store.summary)
        self._connections = threading.BoundedSemaphore(max_connections)
        super().__init__(bind, _ProxyHandler)
        self.allowed_hosts = allowed_hosts(bind[0], self.server_address[1])

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        if not self._connections.acquire(blocking=False):
            body = b"this endpoint has too many open connections; retry shortly\n"
            with contextlib.suppress(OSError):
                request.settimeout(1)
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n"
                                b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s"
                                % (len(body), body))
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connections.release()
            raise

    def process_request_thread(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def handle_error(self, request: object, client_address: object) -> None:
        log.debug("request from %s failed", client_address, exc_info=True)  # e.g. the client left
