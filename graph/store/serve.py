"""A SPARQL 1.1 Protocol endpoint over a store: Oxigraph servers, read-only, behind a guard.

``kg serve`` runs ``oxigraph serve-read-only`` (the ``oxigraph`` package on
PyPI installs that binary next to the Python interpreter) on a store made
by ``kg load``. What the server offers and enforces:

* SPARQL 1.1 Protocol queries: ``GET``/``POST /query``, results as JSON,
  XML, CSV or TSV (content negotiation), graphs as Turtle, N-Triples...
* read-only: the store is opened read-only;
* a time limit per query (``--timeout-s``);
* the default graph is the union of all graphs (``--union-default-graph``),
  as in ``kg query``, so one-graph-per-document stores answer the same
  queries as a Turtle file.

It does not stop every query at its time limit (a COUNT over a six-way
join of a few hundred triples runs on for minutes), sets no limit on the
size of an answer, and goes wherever a ``SERVICE`` clause points. So the
servers listen on private loopback ports, several of them, each answering
one request at a time (:mod:`graph.store.workers`), and ``kg serve`` puts
its own front on ``--bind`` (:class:`~graph.store.proxy.ResultLimitProxy`,
see there for every limit): a query that overruns its time gets HTTP 503
and only its own server is killed, so other clients lose nothing.

The servers read a *snapshot* of the store taken when ``kg serve`` starts
(a RocksDB checkpoint: hard links beside the store, else a copy in the
temporary folder), deleted when it stops: ``kg load --replace`` while the
endpoint runs does not switch it to the new data half-way (a server
restarted after a runaway query used to open the replaced store); ``kg
serve`` logs once that the store changed, and serves the new data after a
restart.

Examples:
    >>> parse_bind("127.0.0.1:7878")
    ('127.0.0.1', 7878)
    >>> endpoint_url("127.0.0.1", 7878)
    'http://127.0.0.1:7878/query'
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Collection
from pathlib import Path
from types import FrameType
from typing import Any

from graph.errors import InputError, KGError, LoaderError
from graph.exporters.html import served_html
from graph.store.explorer import NO_SUMMARY, summary
from graph.store.proxy import (  # noqa: F401 - the limits, here where kg serve's options are
    DEFAULT_TIMEOUT,
    DISCARD_BYTES,
    MAX_REQUEST_BYTES,
    TIMEOUT_GRACE,
    ResultLimitProxy,
)
from graph.store.workers import WorkerPool

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


#: Oxigraph servers of an endpoint (``--workers``): queries that run at the same time.
DEFAULT_WORKERS = 4


def snapshot(store: Path) -> Path:
    """Make a checkpoint of ``store`` to serve (hard links beside it, else a copy in the
    temporary folder) and return its folder, which the caller deletes.

    Raises:
        LoaderError: the store cannot be read or the snapshot written.
    """
    import pyoxigraph

    from graph.files import temporary_beside

    try:
        work = temporary_beside(store, folder=True, suffix=".serving")
    except KGError:
        work = Path(tempfile.mkdtemp(prefix="kg-serve-"))
    try:
        pyoxigraph.Store.read_only(str(store)).backup(str(work / "store"))
    except (OSError, RuntimeError) as err:
        shutil.rmtree(work, ignore_errors=True)
        raise LoaderError(f"cannot take a snapshot of the store to serve: {str(err).splitlines()[0]}",
                          path=str(store)) from err
    return work


def _identity(store: Path) -> tuple[int, bytes] | None:
    """What changes when ``kg load`` replaces the store: the folder and its CURRENT file."""
    try:
        return os.stat(store).st_ino, (store / "CURRENT").read_bytes()
    except OSError:
        return None


class Endpoint:
    """A running read-only endpoint: Oxigraph workers behind the front; a context manager.

    Examples (not run here: they start servers)::

        with Endpoint("db", "127.0.0.1", 7878) as ep:
            print(ep.url)      # http://127.0.0.1:7878/query
    """

    def __init__(self, store: Path | str, host: str = "127.0.0.1", port: int = 7878, *,
                 timeout: float | None = DEFAULT_TIMEOUT, cors: bool = False,
                 ready_timeout: float = 20.0, max_result_bytes: int | None = None,
                 workers: int = DEFAULT_WORKERS, allow_service: Collection[str] = (),
                 explorer: bool = True) -> None:
        self.store = Path(store)
        self.explorer = explorer
        self.host, self.port = host, port
        self.timeout, self.cors, self.ready_timeout = timeout, cors, ready_timeout
        self.max_result_bytes = max_result_bytes
        self.workers, self.allow_service = workers, tuple(allow_service)
        self.pool: WorkerPool | None = None
        self.proxy: ResultLimitProxy | None = None
        self._snapshot: Path | None = None
        self._identity: tuple[int, bytes] | None = None
        self._warned = False

    @property
    def url(self) -> str:
        """The SPARQL query URL."""
        return endpoint_url(self.host, self.port)

    @property
    def explorer_url(self) -> str:
        """The explorer page's URL."""
        return self.url.removesuffix("query")

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        """The Oxigraph server processes now serving."""
        return [] if self.pool is None else self.pool.processes

    def start(self) -> Endpoint:
        """Start the servers and the front; return once they accept connections.

        Raises:
            InputError: ``store`` is not a store.
            LoaderError: no ``oxigraph`` binary, the port is taken, or a
                server stopped during start-up.
        """
        _check_store(self.store)
        binary = find_oxigraph()
        if not _port_free(self.host, self.port):
            raise LoaderError(f"cannot listen on {self.host}:{self.port}: address in use or not "
                              "available; choose another with --bind HOST:PORT")
        self._identity = _identity(self.store)
        self._snapshot = snapshot(self.store)
        served = self._snapshot / "store"

        def command(bind: str) -> list[str]:
            host, port = parse_bind(bind)
            return server_command(served, host, port, timeout=self.timeout, cors=self.cors, binary=binary)

        try:
            self.pool = WorkerPool(command, self.workers, self.ready_timeout).start()
            self.pool.on_replace = self._check_identity
            self.proxy = ResultLimitProxy((self.host, self.port), self.pool, max_result_bytes=self.max_result_bytes,
                                          timeout=self.timeout, cors=self.cors, allow_service=self.allow_service)
            if self.explorer:
                facts = summary(lambda text: _ask(self.pool, text))  # type: ignore[arg-type]
                self.proxy.page, self.proxy.summarised = served_html(facts), facts["summarised"]
                if not facts["summarised"]:
                    log.warning("%s: %s", self.store, NO_SUMMARY)
        except OSError as err:
            self.stop()
            raise LoaderError(f"cannot listen on {self.host}:{self.port}: {err.strerror or err}; "
                              "choose another with --bind HOST:PORT") from err
        except BaseException:
            self.stop()
            raise
        threading.Thread(target=self.proxy.serve_forever, kwargs={"poll_interval": 0.2},
                         name="kg-serve-proxy", daemon=True).start()
        return self

    def _check_identity(self) -> None:
        if not self._warned and _identity(self.store) != self._identity:
            self._warned = True
            log.warning("the store %s changed since kg serve started; still serving the data as it was "
                        "then (restart kg serve to serve the new data)", self.store)

    def wait(self) -> int:
        """Wait until the endpoint fails (a server cannot be started again: 1) or stops (0)."""
        return 0 if self.pool is None else self.pool.wait()

    def stop(self, grace: float = 10.0) -> None:
        """Stop the front, then the servers (SIGTERM, SIGKILL after ``grace`` s); delete the snapshot."""
        proxy, self.proxy = self.proxy, None
        if proxy is not None:
            proxy.shutdown()
            proxy.server_close()
        pool, self.pool = self.pool, None
        if pool is not None:
            pool.stop(grace)
        work, self._snapshot = self._snapshot, None
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)

    def __enter__(self) -> Endpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _ask(pool: WorkerPool, text: str, timeout: float = 120.0) -> dict[str, Any]:
    """Run one query on a worker of ``pool`` (the explorer's start-up questions); its JSON results.

    Raises:
        LoaderError: no worker came free, or the query failed.
    """
    worker = pool.acquire(timeout)
    if worker is None:
        raise LoaderError("no Oxigraph server came free to prepare the explorer page")
    clean = False
    try:
        conn = http.client.HTTPConnection(*worker.address, timeout=timeout)
        try:
            conn.request("POST", "/query", body=text.encode("utf-8"), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            resp = conn.getresponse()
            body = resp.read()
        finally:
            conn.close()
        if resp.status != 200:
            raise LoaderError(f"preparing the explorer page, a query failed: HTTP {resp.status} "
                              f"{body[:200].decode('utf-8', 'replace')}")
        clean = True
        answer: dict[str, Any] = json.loads(body)
        return answer
    except (OSError, http.client.HTTPException, ValueError) as err:
        raise LoaderError(f"preparing the explorer page, a query failed: {err}") from err
    finally:
        (pool.release if clean else pool.discard)(worker)


class _Stop(Exception):
    """Raised by the SIGTERM handler to leave the wait."""


def serve(store: Path | str, bind: str = DEFAULT_BIND, *, timeout: float | None = DEFAULT_TIMEOUT,
          cors: bool = False, announce: Callable[[str], None] = print,
          max_result_bytes: int | None = DEFAULT_MAX_RESULT_BYTES, workers: int = DEFAULT_WORKERS,
          allow_service: Collection[str] = (), explorer: bool = True,
          announce_explorer: Callable[[str], None] | None = None) -> int:
    """Serve ``store`` read-only until Ctrl-C, SIGINT or SIGTERM; return an exit code.

    ``announce`` receives the endpoint URL once the server accepts
    connections (``kg serve`` prints it), then ``announce_explorer`` the
    explorer page's URL (``explorer``: serve it at ``/``). Answers larger than
    ``max_result_bytes`` are refused (HTTP 422, or a reset connection once
    streaming); ``None``: no limit. ``workers`` Oxigraph servers answer at
    most that many queries at once; ``allow_service``: endpoint URLs a
    ``SERVICE`` clause may name (none by default).

    Raises:
        KGError: a bad ``bind``.
        InputError: ``store`` is not a store.
        LoaderError: no server binary, port taken, or start-up failed.
    """
    host, port = parse_bind(bind)
    if not _is_loopback(host):
        log.warning("binding to %s: the endpoint is reachable from other machines", host)
    endpoint = Endpoint(store, host, port, timeout=timeout, cors=cors, max_result_bytes=max_result_bytes,
                        workers=workers, allow_service=allow_service, explorer=explorer)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        raise _Stop

    # both, explicitly: a shell starts background jobs with SIGINT ignored
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        endpoint.start()
        announce(endpoint.url)
        if explorer and announce_explorer is not None:
            announce_explorer(endpoint.explorer_url)
        code = endpoint.wait()
        if code != 0:
            raise LoaderError("an Oxigraph server could not be started again; the endpoint stopped")
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

