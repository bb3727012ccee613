"""Where extraction runs: the executor interface and the local executor.

An executor turns a stream of documents into their extractions, in the same
order, and names the pipeline signature they come from. The
:class:`~graph.building.builder.Builder` reads the documents, keeps the
``--update`` cache and assembles the graph; it does not care where spaCy
runs. Two executors ship: :class:`LocalExecutor` (this machine, spaCy's own
worker processes with ``n_process``) and
:class:`~graph.building.dask_executor.DaskExecutor` (a Dask cluster).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any, Protocol

from graph.building.documents import SourceText
from graph.extract.extraction import Extraction, get_extraction


class Executor(Protocol):
    """Runs extraction somewhere; see the module docstring."""

    def signature(self) -> str:
        """The pipeline signature of the extractions :meth:`run` returns."""

    def run(self, docs: Iterable[SourceText], *, count: Callable[[], int]) -> Iterator[Extraction]:
        """Yield the extraction of each of ``docs``, in order.

        ``docs`` is read lazily, as the executor needs documents; ``count()``
        counts the documents of the whole input without reading them (an
        executor that cuts the input into partitions uses it).
        """


@dataclass
class LocalExecutor:
    """Extract on this machine: ``nlp.pipe`` with ``n_process`` worker processes.

    Texts go to the workers untokenized and come back as empty ``Doc``s that
    carry only the extraction (:func:`graph.extract.pipeline.load_nlp` with
    ``extraction_only``): a document's tokens, parse and tensor never cross
    a process boundary.
    """

    model: str | None = None
    packs: tuple[Path, ...] = ()
    n_process: int = 1
    batch_size: int = 32
    _nlp: Any = field(default=None, repr=False)
    #: load the pipeline with the cyclic garbage collector paused, then freeze
    #: what the process holds (:func:`gc.freeze`): for a process that builds
    #: once and exits (``kg build``), see :meth:`nlp`
    freeze: bool = False

    def nlp(self) -> Any:  # noqa: ANN401 - a spaCy Language
        """The pipeline (loaded on first use).

        With :attr:`freeze`, spaCy's import and the pipeline's load (about
        140,000 objects that live as long as the process: the vocabulary, the
        gazetteer's 10,000 patterns, the compiled rules) run with the cyclic
        collector paused, and are then moved out of its reach: each of its
        full passes walked them all again while the documents were processed.
        Measured (``kg build``, 70 articles): the collections (``gc.callbacks``)
        went from 623 in 0.34 s to 443 in 0.19-0.24 s, and the interpreter's exit
        (last ``atexit`` handler to the process's end) from 0.27-0.33 s to
        0.04 s, the collector no longer walking the pipeline at the end either
        (a bare ``nlp.pipe`` script: 0.16 s); the outputs are the same. Not the default:
        a process that keeps building would keep, uncollected, any cycle
        frozen with the pipeline.
        """
        if self._nlp is None:
            enabled = gc.isenabled()
            if self.freeze:
                gc.disable()
            try:
                from graph.extract.pipeline import load_nlp

                self._nlp = load_nlp(self.model, packs=self.packs, extraction_only=True)
            finally:
                if self.freeze:
                    gc.freeze()
                    if enabled:
                        gc.enable()
        return self._nlp

    def signature(self) -> str:
        from graph.extract.pipeline import pipeline_signature

        return pipeline_signature(self.nlp())

    def run(self, docs: Iterable[SourceText], *, count: Callable[[], int] | None = None) -> Iterator[Extraction]:
        texts = (src.text for src in docs)
        stream = self.nlp().pipe(texts, batch_size=self.batch_size, n_process=self.n_process)
        for doc in stoppable(stream, self.n_process):
            yield get_extraction(doc)


def stoppable(stream: Iterator[Any], n_process: int) -> Iterator[Any]:
    """``stream`` (of ``nlp.pipe``), such that Ctrl-C or SIGTERM stops its
    worker processes at once and quietly.

    spaCy's multiprocessing pipe, interrupted, waits for its workers, which
    may wait for it (``kg build --jobs 2``, Ctrl-C: a hang). Here the first
    signal terminates the workers, then raises in this process as usual
    (``KeyboardInterrupt``, or what the previous SIGTERM handler raises);
    the workers, forked with the same handler, ignore the signal (a terminal
    sends Ctrl-C to the whole process group) and are killed by this process.
    """
    if n_process <= 1 or threading.current_thread() is not threading.main_thread():
        yield from stream
        return
    owner = os.getpid()
    previous: dict[int, Any] = {}
    die_with_parent(owner)

    def stop(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:
            return  # a worker: the parent stops it
        for child in multiprocessing.active_children():
            child.kill()  # SIGKILL: the workers run this handler too, and ignore SIGINT and SIGTERM
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)  # raises KeyboardInterrupt (or the CLI's Terminated)
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:  # a background job ignores Ctrl-C: so do we
            previous[sig] = signal.signal(sig, stop)
    try:
        with warnings.catch_warnings():  # spaCy's W127: the workers we stopped did not complete
            warnings.filterwarnings("ignore", message=r".*worker processes completed")
            yield from stream
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        die_with_parent(None)


_PARENT: list[int] = []  # the process whose forked children must die with it (empty: none)
_HOOKED: list[bool] = []


def die_with_parent(parent: int | None) -> None:
    """Make processes forked from now on by ``parent`` (None: no longer) die when it dies.

    spaCy's ``--jobs`` workers block reading a pipe whose other ends the
    workers hold too, so a ``kg`` killed by SIGKILL or the OOM killer left
    them alive forever, holding the output folder's lock (every later build
    exited 3). On Linux each forked child asks the kernel for SIGKILL when
    its parent dies (``prctl(PR_SET_PDEATHSIG)``), and exits at once if the
    parent died before it asked. Elsewhere this does nothing.
    """
    if sys.platform != "linux" or not hasattr(os, "register_at_fork"):
        return
    _PARENT[:] = [parent] if parent is not None else []
    if parent is not None and not _HOOKED:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child only calls it
        os.register_at_fork(after_in_child=lambda: _ask_for_death(libc))
        _HOOKED.append(True)


def _ask_for_death(libc: Any) -> None:
    if not _PARENT:
        return
    PR_SET_PDEATHSIG = 1
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != _PARENT[0]:  # the parent died before the request
        os._exit(1)
