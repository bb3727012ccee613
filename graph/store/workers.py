"""A pool of Oxigraph server processes that each answer one request at a time.

``kg serve`` used to run one Oxigraph server and restart it when a query
overran its time: every other client's request in flight at that moment
got HTTP 502 (issue 17: one client sending a slow query every 2 s failed 106
requests of 20 others in 40 s). Here each request has a server of its own
for as long as it runs (:meth:`WorkerPool.acquire`), so a runaway query is
stopped by killing its server alone (:meth:`WorkerPool.discard`), and a
fresh one takes its place. A server starts in about 45 ms and holds about
22 MB (measured, empty store).

A server reports an error met while it streams an answer on its stderr
*before* it writes the error text into the answer (Oxigraph's
``ReadForWrite``), and then ends the answer normally, as if complete; so
when an answer ends, :meth:`Worker.drain` reads what the server has said:
a report there means the answer is broken (see :mod:`graph.store.proxy`).
"""

from __future__ import annotations

import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable

from graph.errors import LoaderError

log = logging.getLogger(__name__)

#: How the server starts a report of an error it met while streaming an answer.
STREAM_ERROR = b"Internal server error while streaming results: "
#: Server messages that are not news: its private address, a client that left.
_QUIET = (b"Listening for requests at", b"OxHTTP TCP error when writing response")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    """Linux: have the kernel send SIGTERM to the server if ``kg`` dies (even by SIGKILL)."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Worker:
    """One Oxigraph server on a private loopback port."""

    def __init__(self, command: Callable[[str], list[str]], ready_timeout: float = 20.0) -> None:
        self.address = ("127.0.0.1", free_port())
        self.errors: list[str] = []  # what the server reported while streaming, oldest first
        self._lock = threading.Lock()
        self._pending = b""
        cmd = command(f"127.0.0.1:{self.address[1]}")
        log.info("starting %s", " ".join(cmd))
        self.process = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, env={**os.environ, "RUST_BACKTRACE": "0"},
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        assert self.process.stderr is not None
        self._fd = self.process.stderr.fileno()
        os.set_blocking(self._fd, False)
        threading.Thread(target=self._relay, name="kg-serve-stderr", daemon=True).start()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            code = self.process.poll()
            if code is not None:
                raise LoaderError(f"the Oxigraph server stopped at start-up (exit code {code}); "
                                  "see its message above")
            try:
                with socket.create_connection(self.address, timeout=0.5):
                    return
            except OSError:
                time.sleep(0.02)
        self.kill()
        raise LoaderError(f"the Oxigraph server did not answer on {self.address[1]} within "
                          f"{ready_timeout:.0f} s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Stop the server at once (a query it runs stops with it)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def terminate(self, grace: float = 10.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()

    def drain(self) -> None:
        """Read and handle whatever the server has written to stderr so far."""
        with self._lock:
            while True:
                try:
                    data = os.read(self._fd, 65536)
                except (BlockingIOError, InterruptedError):
                    return
                except OSError:
                    return
                if not data:
                    return
                lines = (self._pending + data).split(b"\n")
                self._pending = lines.pop()
                for line in lines:
                    self._line(line)

    def _line(self, line: bytes) -> None:
        if line.startswith(STREAM_ERROR):
            self.errors.append(line[len(STREAM_ERROR):].decode("utf-8", "replace").strip())
            log.info("oxigraph: %s", line.decode("utf-8", "replace"))
        elif line.startswith(_QUIET):
            log.debug("oxigraph: %s", line.decode("utf-8", "replace"))
        else:
            sys.stderr.write(line.decode("utf-8", "replace") + "\n")
            sys.stderr.flush()

    def _relay(self) -> None:
        while self.process.poll() is None:
            try:
                ready, _, _ = select.select([self._fd], [], [], 0.5)
            except (OSError, ValueError):
                return
            if ready:
                self.drain()
        self.drain()


class WorkerPool:
    """``size`` workers; a request takes one (:meth:`acquire`) and gives it back.

    A worker given back after a clean answer serves the next request; one
    discarded (:meth:`discard`: its query overran, its client left, its
    answer was cut) is killed and replaced by a thread that lives as long as
    the pool (Linux sends the parent-death signal when the *thread* that
    started a child ends).
    """

    def __init__(self, command: Callable[[str], list[str]], size: int = 4, ready_timeout: float = 20.0) -> None:
        if size < 1:
            raise ValueError(f"size ({size}) must be 1 or more")
        self.command, self.size, self.ready_timeout = command, size, ready_timeout
        self.workers: list[Worker] = []
        self.failure: LoaderError | None = None
        self.on_replace: Callable[[], None] | None = None
        self._idle: queue.Queue[Worker] = queue.Queue()
        self._replace: queue.Queue[Worker | None] = queue.Queue()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> WorkerPool:
        try:
            for _ in range(self.size):
                worker = Worker(self.command, self.ready_timeout)
                self.workers.append(worker)
                self._idle.put(worker)
        except LoaderError:
            self.stop()
            raise
        self._thread = threading.Thread(target=self._replacer, name="kg-serve-workers", daemon=True)
        self._thread.start()
        return self

    @property
    def processes(self) -> list[subprocess.Popen[bytes]]:
        with self._lock:
            return [w.process for w in self.workers]

    def acquire(self, timeout: float | None) -> Worker | None:
        """A worker of one's own, or None if none came free within ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._stopped.is_set():
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return None
            try:
                worker = self._idle.get(timeout=0.5 if left is None else min(left, 0.5))
            except queue.Empty:
                continue
            if worker.alive():
                worker.drain()
                worker.errors.clear()
                return worker
            self.discard(worker)  # died by itself: replace it
        return None

    def release(self, worker: Worker) -> None:
        """Give back a worker whose answer went out whole."""
        if worker.alive() and not self._stopped.is_set():
            self._idle.put(worker)
        else:
            self.discard(worker)

    def discard(self, worker: Worker) -> None:
        """Kill a worker (and the query it runs) and have a new one started."""
        worker.kill()
        self._replace.put(worker)

    def _replacer(self) -> None:
        while True:
            old = self._replace.get()
            if old is None or self._stopped.is_set():
                return
            try:
                new = Worker(self.command, self.ready_timeout)
            except LoaderError as err:
                log.error("%s", err)
                self.failure = err
                self._stopped.set()
                return
            with self._lock:
                if self._stopped.is_set():
                    new.kill()
                    return
                self.workers = [new if w is old else w for w in self.workers]
            if self.on_replace is not None:
                self.on_replace()
            self._idle.put(new)

    def wait(self) -> int:
        """Block until the pool stops; 0, or 1 when a worker could not be started again."""
        while not self._stopped.wait(0.5):  # a timed wait: Ctrl-C is handled meanwhile
            pass
        return 0 if self.failure is None else 1

    def stop(self, grace: float = 10.0) -> None:
        self._stopped.set()
        self._replace.put(None)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        with self._lock:
            workers = list(self.workers)
        for worker in workers:
            worker.terminate(grace)
