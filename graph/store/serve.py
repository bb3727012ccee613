"""A SPARQL 1.1 Protocol endpoint over a store: the Oxigraph server, read-only.

``kg serve`` runs ``oxigraph serve-read-only`` (the ``oxigraph`` package on
PyPI installs that binary next to the Python interpreter) on a store made
by ``kg load``. What the server offers and enforces:

* SPARQL 1.1 Protocol queries: ``GET``/``POST /query``, results as JSON,
  XML, CSV or TSV (content negotiation), graphs as Turtle, N-Triples...
* read-only: ``POST /update`` and the Graph Store writes are refused
  (HTTP 403), and the store is opened read-only;
* bound to ``127.0.0.1`` unless told otherwise;
* a time limit per query (``--timeout-s``; ours defaults to 30 s);
* the default graph is the union of all graphs (``--union-default-graph``),
  as in ``kg query``, so one-graph-per-document stores answer the same
  queries as a Turtle file.

The Oxigraph server has no limit on the size of a result, and its time
limit does not stop every query (a COUNT over a six-way join of a few
hundred triples runs on for minutes; a streaming answer is not cut off), so
``kg serve`` puts a small proxy in front of it (:class:`~graph.store.proxy.ResultLimitProxy`):
the server listens on a private loopback port, the proxy on ``--bind``. The
proxy passes on ``GET``/``POST`` queries, refuses every write itself (HTTP
403), reads at most ``--max-result-bytes`` of an answer (default 50 MB; a
bigger one is dropped and the client gets HTTP 422, "add LIMIT"), and gives
up on an answer not complete ``--timeout`` + 2 s after the request (HTTP
503), then restarts the server so that the query stops using the CPU
(queries running at that moment fail with HTTP 502). The size limit is on
bytes, not rows: counting rows would mean parsing every result format, and
bytes are what fill memory and the wire.

Examples:
    >>> parse_bind("127.0.0.1:7878")
    ('127.0.0.1', 7878)
    >>> endpoint_url("127.0.0.1", 7878)
    'http://127.0.0.1:7878/query'
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import IO

from graph.errors import InputError, KGError, LoaderError
from graph.store.proxy import (  # noqa: F401 - the limits, here where kg serve's options are
    DEFAULT_TIMEOUT,
    DISCARD_BYTES,
    MAX_REQUEST_BYTES,
    TIMEOUT_GRACE,
    ResultLimitProxy,
)

log = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:7878"
#: The largest answer ``kg serve`` sends (bytes); ``--max-result-bytes``.
DEFAULT_MAX_RESULT_BYTES = 50_000_000
#: The server version this code is tested with (the store format must match pyoxigraph's).
OXIGRAPH_VERSION = "0.5.13"


def find_oxigraph() -> Path:
    """Return the ``oxigraph`` server binary: next to Python, else on ``PATH``.

    Raises:
        LoaderError: it is not installed.
    """
    here = Path(sys.executable).parent / ("oxigraph.exe" if os.name == "nt" else "oxigraph")
    if here.is_file() and os.access(here, os.X_OK):
        return here
    found = shutil.which("oxigraph")
    if found:
        return Path(found)
    raise LoaderError("the Oxigraph server is not installed; "
                      f"install it with: pip install 'oxigraph=={OXIGRAPH_VERSION}'")


def oxigraph_version(binary: Path | None = None) -> str:
    """Return the version the ``oxigraph`` binary reports (e.g. ``"0.5.13"``)."""
    out = subprocess.run([str(binary or find_oxigraph()), "--version"], capture_output=True,
                         text=True, timeout=30, check=False)
    return out.stdout.strip().rsplit(" ", 1)[-1]


def parse_bind(bind: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[::1]:7878`` for IPv6) into host and port.

    Raises:
        KGError: not ``HOST:PORT`` with a port in 1..65535.
    """
    host, sep, port = bind.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise KGError(f"--bind {bind!r} must be HOST:PORT with a port in 1..65535, e.g. {DEFAULT_BIND}")
    return host.strip("[]"), int(port)


def endpoint_url(host: str, port: int) -> str:
    """Return the query URL of an endpoint at ``host:port``."""
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/query"


def _is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        if os.name != "nt":  # as the servers do: connections in TIME_WAIT do not count
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def server_command(store: Path, host: str, port: int, *, timeout: float | None = DEFAULT_TIMEOUT,
                   cors: bool = False, binary: Path | None = None) -> list[str]:
    """Return the command line of a read-only Oxigraph server on ``store``."""
    shown = f"[{host}]" if ":" in host else host
    cmd = [str(binary or find_oxigraph()), "serve-read-only", "--location", str(store),
           "--bind", f"{shown}:{port}", "--union-default-graph"]
    if timeout:
        cmd += ["--timeout-s", str(max(1, round(timeout)))]
    if cors:
        cmd.append("--cors")
    return cmd


def _check_store(store: Path) -> None:
    from graph.store.query import is_store, open_store

    if not store.is_dir():
        raise InputError("no such store folder; create it with `kg load GRAPH --store DIR`", path=str(store))
    if not is_store(store):
        raise InputError("not an Oxigraph store (no CURRENT file); create one with `kg load GRAPH --store DIR`",
                         path=str(store))
    open_store(store)  # a corrupt store: one clear line here, not the server's backtrace


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel send SIGTERM to the server if ``kg`` dies (even by SIGKILL)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Endpoint:
    """A running read-only Oxigraph server; a context manager that stops it.

    Examples (not run here: they start a server)::

        with Endpoint("db", "127.0.0.1", 7878) as ep:
            print(ep.url)      # http://127.0.0.1:7878/query
    """

    def __init__(self, store: Path | str, host: str = "127.0.0.1", port: int = 7878, *,
                 timeout: float | None = DEFAULT_TIMEOUT, cors: bool = False,
                 ready_timeout: float = 20.0, max_result_bytes: int | None = None) -> None:
        self.store = Path(store)
        self.host, self.port = host, port
        self.timeout, self.cors, self.ready_timeout = timeout, cors, ready_timeout
        self.max_result_bytes = max_result_bytes
        self.process: subprocess.Popen[bytes] | None = None
        self.proxy: ResultLimitProxy | None = None
        self._cmd: list[str] = []
        self._server_address = (host, port)
        self._lock = threading.Lock()
        self._restarting = False
        self._restart_requested = threading.Event()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The SPARQL query URL."""
        return endpoint_url(self.host, self.port)

    def start(self) -> Endpoint:
        """Start the server and wait until it accepts connections.

        Raises:
            InputError: ``store`` is not a store.
            LoaderError: no ``oxigraph`` binary, the port is taken, or the
                server stopped during start-up.
        """
        _check_store(self.store)
        binary = find_oxigraph()
        if not _port_free(self.host, self.port):
            raise LoaderError(f"cannot listen on {self.host}:{self.port}: address in use or not "
                              "available; choose another with --bind HOST:PORT")
        # behind the proxy, the server listens on a private loopback port
        host, port = (self.host, self.port) if self.max_result_bytes is None else ("127.0.0.1", _free_port())
        self._cmd = server_command(self.store, host, port, timeout=self.timeout, cors=self.cors, binary=binary)
        self._server_address = (host, port)
        self.process = self._spawn()
        if self.max_result_bytes is not None:
            try:
                self.proxy = ResultLimitProxy((self.host, self.port), (host, port),
                                              max_result_bytes=self.max_result_bytes,
                                              timeout=self.timeout, cors=self.cors, on_overrun=self.restart)
            except OSError as err:
                self.stop()
                raise LoaderError(f"cannot listen on {self.host}:{self.port}: {err.strerror or err}; "
                                  "choose another with --bind HOST:PORT") from err
            threading.Thread(target=self.proxy.serve_forever, kwargs={"poll_interval": 0.2},
                             name="kg-serve-proxy", daemon=True).start()
            self._stopping.clear()
            self._supervisor = threading.Thread(target=self._supervise, name="kg-serve-supervisor", daemon=True)
            self._supervisor.start()
        return self

    def _spawn(self) -> subprocess.Popen[bytes]:
        """Start the server process and wait until it accepts connections."""
        log.info("starting %s", " ".join(self._cmd))
        proc = subprocess.Popen(self._cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env={**os.environ, "RUST_BACKTRACE": "0"},
                                preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        threading.Thread(target=_relay, args=(proc.stderr,), name="kg-serve-stderr", daemon=True).start()
        host, port = self._server_address
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            code = proc.poll()
            if code is not None:
                raise LoaderError(f"the Oxigraph server stopped at start-up (exit code {code}); "
                                  "see its message above")
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return proc
            except OSError:
                time.sleep(0.05)
        proc.kill()
        proc.wait()
        raise LoaderError(f"the Oxigraph server did not answer on {host}:{port} within {self.ready_timeout:.0f} s")

    def restart(self) -> None:
        """Have the server killed and started again, soon (what the proxy asks
        for when a query overruns its time: Oxigraph does not stop every query
        at ``--timeout-s``, e.g. an aggregate over a huge join, and would go on
        using the CPU). The restart runs in a thread that lives as long as the
        endpoint: Linux sends the parent-death signal when the *thread* that
        started a child ends."""
        self._restart_requested.set()

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            if self._restart_requested.wait(0.2):
                self._restart_requested.clear()
                if not self._stopping.is_set():
                    self._restart_now()

    def _restart_now(self) -> None:
        with self._lock:
            old = self.process
            if old is None or self._restarting:
                return
            self._restarting = True
        try:
            log.warning("a query ran past the time limit; restarting the Oxigraph server to stop it")
            old.kill()
            old.wait()
            new: subprocess.Popen[bytes] | None = self._spawn()
            with self._lock:
                if self.process is old:  # not stopped meanwhile
                    self.process, new = new, None
            if new is not None:
                new.kill()
                new.wait()
        except LoaderError as err:
            log.error("%s", err)
        finally:
            with self._lock:
                self._restarting = False

    def wait(self) -> int:
        """Wait for the server to stop by itself; return its exit code."""
        while True:
            proc = self.process
            if proc is None:
                return 0
            code = proc.wait()
            with self._lock:
                if self.process is proc and not self._restarting:
                    return code
            time.sleep(0.05)  # restarted: wait for the new one

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds."""
        proxy, self.proxy = self.proxy, None
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        self._stopping.set()
        supervisor, self._supervisor = self._supervisor, None
        if supervisor is not None and supervisor is not threading.current_thread():
            supervisor.join()
        with self._lock:
            proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


#: Server messages that are not news: its private address, and what it says
#: when the proxy drops an answer that is too big or too slow.
_QUIET = (b"Listening for requests at", b"OxHTTP TCP error when writing response",
          b"Internal server error while streaming results: The SPARQL operation has been cancelled")


def _relay(stream: IO[bytes]) -> None:
    """Pass the server's messages on to our stderr, but for :data:`_QUIET` ones (logged)."""
    with stream:
        for line in stream:
            if line.startswith(_QUIET):
                log.debug("oxigraph: %s", line.decode("utf-8", "replace").rstrip())
            else:
                sys.stderr.write(line.decode("utf-8", "replace"))
                sys.stderr.flush()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Stop(Exception):
    """Raised by the SIGTERM handler to leave the wait."""


def serve(store: Path | str, bind: str = DEFAULT_BIND, *, timeout: float | None = DEFAULT_TIMEOUT,
          cors: bool = False, announce: Callable[[str], None] = print,
          max_result_bytes: int | None = DEFAULT_MAX_RESULT_BYTES) -> int:
    """Serve ``store`` read-only until Ctrl-C, SIGINT or SIGTERM; return an exit code.

    ``announce`` receives the endpoint URL once the server accepts
    connections (``kg serve`` prints it). Answers larger than
    ``max_result_bytes`` are refused (HTTP 422); ``None``: no limit, and no
    proxy in front of the server.

    Raises:
        KGError: a bad ``bind``.
        InputError: ``store`` is not a store.
        LoaderError: no server binary, port taken, or start-up failed.
    """
    host, port = parse_bind(bind)
    if not _is_loopback(host):
        log.warning("binding to %s: the endpoint is reachable from other machines", host)
    endpoint = Endpoint(store, host, port, timeout=timeout, cors=cors, max_result_bytes=max_result_bytes)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    # both, explicitly: a shell starts background jobs with SIGINT ignored
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        endpoint.start()
        announce(endpoint.url)
        code = endpoint.wait()
        if code != 0:
            raise LoaderError(f"the Oxigraph server stopped with exit code {code}")
        return 0
    except (KeyboardInterrupt, _Stop):
        endpoint.stop()
        return 0
    finally:
        endpoint.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def http_query(url: str, query: str, accept: str = "application/sparql-results+json",
               timeout: float = 30.0) -> tuple[int, bytes]:
    """POST a SPARQL query to an endpoint; return the HTTP status and body.

    A small helper for tests and notebooks (``urllib``, no dependency).
    """
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=query.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/sparql-query", "Accept": accept})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (http to our own endpoint)
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()

