"""Extract on a Dask cluster: partitions of documents go to the workers.

The :class:`~graph.building.builder.Builder` reads the corpus as a stream
and hands it to :class:`DaskExecutor`, which cuts it into partitions and
keeps only a few in flight, so neither the client nor the cluster ever
holds the corpus. Each worker loads the pipeline once
(:func:`extract_partition`) and returns each document's
:class:`~graph.extract.extraction.Extraction`: plain data. The builder
assembles them in input order, so the graph — and every file written from
it — is byte-identical to the one the local executor builds.

Dask is an optional dependency (``pip install 'entity-kg[dask]'``); this
module imports it only when a build starts. Workers of an existing cluster
need entity-kg and the same model installed; they must run the same
version and rules, which is checked (the pipeline signature).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.building.documents import SourceText
from graph.errors import KGError
from graph.extract.extraction import Extraction, get_extraction

log = logging.getLogger(__name__)

#: Documents per partition when no number of partitions is given.
PARTITION_DOCS = 250


class EngineError(KGError):
    """The Dask engine cannot run: Dask missing, scheduler unreachable, a worker lost."""

    exit_code = 3


# ---------------------------------------------------------------------------
# On the workers
# ---------------------------------------------------------------------------

_LOCK = threading.Lock()  # one pipeline per worker process, used by one thread at a time


def extract_partition(
    docs: list[tuple[str, str]], model: str | None = None, packs: tuple[str, ...] = (), batch_size: int = 32,
) -> tuple[str, list[tuple[str, Extraction]]]:
    """Extract one partition: ``(id, text)`` pairs in, ``(id, extraction)`` pairs out.

    Runs on a Dask worker (or anywhere): the pipeline is loaded once per
    process (:func:`graph.extract.pipeline.load_nlp` keeps it per
    configuration). Also returns the pipeline signature, so that the client
    can tell that every worker ran the same code, model and rules.

    Examples:
        >>> sig, out = extract_partition([("d1", "Nvidia makes the H100.")], "blank")
        >>> [(doc_id, len(ext.mentions)) for doc_id, ext in out]
        [('d1', 2)]
    """
    from graph.extract.pipeline import load_nlp, pipeline_signature

    with _LOCK:
        nlp = load_nlp(model, packs=tuple(Path(p) for p in packs), extraction_only=True)
        stream = nlp.pipe((text for _id, text in docs), batch_size=batch_size)
        out = [(doc_id, get_extraction(doc)) for (doc_id, _text), doc in zip(docs, stream)]
        return pipeline_signature(nlp), out


# ---------------------------------------------------------------------------
# On the client
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet_dask() -> Iterator[None]:
    """Keep Dask's start-up and shut-down chatter (INFO) out of ``kg``'s stderr, unless -v."""
    loggers = [logging.getLogger(n) for n in ("distributed", "dask")]
    levels = [lg.level for lg in loggers]
    if not log.isEnabledFor(logging.INFO):
        for lg in loggers:
            lg.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)


@dataclass
class DaskExecutor:
    """Extract on a Dask cluster.

    Args:
        model, packs, batch_size: the pipeline the workers load (as for
            :class:`~graph.building.executors.LocalExecutor`).
        n_workers: workers of the local cluster started when no
            ``scheduler`` is given (one thread each).
        scheduler: address of a running scheduler (``tcp://host:8786``);
            ``None`` starts a ``LocalCluster`` for the build.
        partitions: number of partitions the corpus is cut into; by
            default one per :data:`PARTITION_DOCS` documents, and at least
            two per worker.
        client: an existing ``distributed.Client`` to use instead (tests,
            notebooks); it is not closed.
        connect_timeout: how long to try to reach ``scheduler``.
    """

    model: str | None = None
    packs: tuple[Path, ...] = ()
    batch_size: int = 32
    n_workers: int = 1
    scheduler: str | None = None
    partitions: int | None = None
    client: Any = None
    connect_timeout: str = "20s"
    _expected: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.partitions is not None and self.partitions < 1:
            raise KGError(f"--partitions {self.partitions} must be 1 or more")

    def signature(self) -> str:
        """The signature of this client's pipeline, which every worker must then share."""
        from graph.extract.pipeline import load_nlp, pipeline_signature

        self._expected = pipeline_signature(load_nlp(self.model, packs=self.packs, extraction_only=True))
        return self._expected

    @contextlib.contextmanager
    def _connect(self) -> Iterator[Any]:
        if self.client is not None:
            yield self.client
            return
        try:
            import distributed  # noqa: F401  (configures its loggers on import: before _quiet_dask)
        except ImportError as err:
            raise EngineError("--engine dask needs Dask: pip install 'entity-kg[dask]' "
                              "(or pip install 'dask[distributed]')") from err
        with _quiet_dask(), self._start() as client:
            yield client

    @contextlib.contextmanager
    def _start(self) -> Iterator[Any]:
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=self.connect_timeout)
            except (OSError, TimeoutError) as err:
                raise EngineError(f"cannot reach the Dask scheduler at {self.scheduler}: {err}") from err
            with client:
                yield client
            return
        with LocalCluster(n_workers=self.n_workers, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client

    def _partition_size(self, total: int, workers: int) -> int:
        if self.partitions is not None:
            return max(1, math.ceil(total / self.partitions))
        return max(1, min(PARTITION_DOCS, math.ceil(total / max(2 * workers, 1))))

    def run(self, docs: Iterable[SourceText], *, count: Callable[[], int]) -> Iterator[Extraction]:
        """Yield each document's extraction, in order; at most two partitions per worker thread in flight.

        Raises:
            EngineError: Dask is missing, the scheduler cannot be reached, a
                worker was lost, or the workers run different versions.
        """
        with self._connect() as client:
            workers = max(1, len(client.nthreads()))
            size = self._partition_size(count(), workers)
            window = 2 * sum(client.nthreads().values()) or 2
            log.info("dask: %d worker(s), partitions of %d document(s)", workers, size)
            queue: deque[tuple[list[str], Any]] = deque()
            seen: list[str] = []  # the signature every worker must share

            def submit(part: list[SourceText]) -> None:
                todo = [(s.id, s.text) for s in part]
                packs = tuple(str(p) for p in self.packs)
                queue.append(([s.id for s in part], client.submit(
                    extract_partition, todo, self.model, packs, self.batch_size, pure=False)))

            def collect() -> Iterator[Extraction]:
                ids, future = queue.popleft()
                try:
                    sig, extracted = future.result()
                except (OSError, TimeoutError) as err:
                    raise EngineError(f"lost the Dask cluster during the build: {err}") from err
                except Exception as err:
                    if type(err).__name__ in ("KilledWorker", "CommClosedError", "CancelledError",
                                              "FutureCancelledError"):
                        raise EngineError(f"a Dask worker failed: {type(err).__name__}: {err}") from err
                    raise
                future.release()
                if seen and sig != seen[0] or self._expected is not None and sig != self._expected:
                    raise EngineError("the Dask workers run a different entity-kg version, model or rule "
                                      f"files than {'each other' if seen else 'this client'} "
                                      f"(pipeline signature {sig} vs {seen[0] if seen else self._expected}); "
                                      "install the same version everywhere")
                seen.append(sig)
                for doc_id, (got, ext) in zip(ids, extracted, strict=True):
                    if got != doc_id:  # pragma: no cover - a worker bug
                        raise EngineError(f"a worker returned document {got!r} for {doc_id!r}")
                    yield ext

            part: list[SourceText] = []
            for src in docs:
                part.append(src)
                if len(part) >= size:
                    submit(part)
                    part = []
                    while len(queue) >= window:
                        yield from collect()
            if part:
                submit(part)
            while queue:
                yield from collect()
