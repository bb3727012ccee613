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

The server has no limit on the size of a result; use ``LIMIT``.

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
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from graph.errors import InputError, KGError, LoaderError

log = logging.getLogger(__name__)

DEFAULT_BIND = "127.0.0.1:7878"
DEFAULT_TIMEOUT = 30.0
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
    from graph.query import is_store

    if not store.is_dir():
        raise InputError("no such store folder; create it with `kg load GRAPH --store DIR`", path=str(store))
    if not is_store(store):
        raise InputError("not an Oxigraph store (no CURRENT file); create one with `kg load GRAPH --store DIR`",
                         path=str(store))


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
                 ready_timeout: float = 20.0) -> None:
        self.store = Path(store)
        self.host, self.port = host, port
        self.timeout, self.cors, self.ready_timeout = timeout, cors, ready_timeout
        self.process: subprocess.Popen[bytes] | None = None

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
        cmd = server_command(self.store, self.host, self.port, timeout=self.timeout, cors=self.cors)
        if not _port_free(self.host, self.port):
            raise LoaderError(f"cannot listen on {self.host}:{self.port}: address in use or not "
                              "available; choose another with --bind HOST:PORT")
        log.info("starting %s", " ".join(cmd))
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                self.process = None
                raise LoaderError(f"the Oxigraph server stopped at start-up (exit code {code}); "
                                  "see its message above")
            try:
                with socket.create_connection((self.host, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise LoaderError(f"the Oxigraph server did not answer on {self.host}:{self.port} "
                          f"within {self.ready_timeout:.0f} s")

    def wait(self) -> int:
        """Wait for the server to stop by itself; return its exit code."""
        return self.process.wait() if self.process else 0

    def stop(self, grace: float = 10.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds."""
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


class _Stop(Exception):
    """Raised by the SIGTERM handler to leave the wait."""


def serve(store: Path | str, bind: str = DEFAULT_BIND, *, timeout: float | None = DEFAULT_TIMEOUT,
          cors: bool = False, announce: Callable[[str], None] = print) -> int:
    """Serve ``store`` read-only until Ctrl-C, SIGINT or SIGTERM; return an exit code.

    ``announce`` receives the endpoint URL once the server accepts
    connections (``kg serve`` prints it).

    Raises:
        KGError: a bad ``bind``.
        InputError: ``store`` is not a store.
        LoaderError: no server binary, port taken, or start-up failed.
    """
    host, port = parse_bind(bind)
    if not _is_loopback(host):
        log.warning("binding to %s: the endpoint is reachable from other machines", host)
    endpoint = Endpoint(store, host, port, timeout=timeout, cors=cors)

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

