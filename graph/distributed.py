"""Build on a Dask cluster: partition the corpus, extract on workers, merge here.

The client reads the corpus as a stream (folders, JSONL, standard input,
as :class:`graph.pipeline.Builder` does) and sends it to the workers in
partitions of documents. Each worker loads the pipeline once
(:func:`graph.pipeline.load_nlp` is cached per process) and returns, for
each document, its :class:`~graph.model.Document` and its extraction: plain
data. The client merges them with :func:`graph.assemble.assemble`, in input
order, so the graph — and every file written from it — is byte-identical to
the one the local engine builds from the same corpus. Only a few partitions
are in flight at a time, so neither the client nor the cluster ever holds
the corpus.

Dask is an optional dependency (``pip install 'entity-kg[dask]'``); this
module imports it only when a build starts. Workers of an existing cluster
need entity-kg and the same model installed; they must run the same
version, which is checked (:func:`graph.pipeline.pipeline_signature`).

The graph can also be written as N-Quads partitions, one named graph per
document, for bulk loading into any triple store
(:func:`partition_nquads`; ``kg build --partitions-nquads DIR``).
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from graph.documents import MAX_BYTES, SourceText, expand_paths
from graph.errors import InputError, KGError
from graph.model import Document, KnowledgeGraph

log = logging.getLogger(__name__)

#: Documents per partition when no number of partitions is given.
PARTITION_DOCS = 250

Extraction = tuple[Document, dict[str, Any]]


class EngineError(KGError):
    """The Dask engine cannot run: Dask missing, scheduler unreachable, a worker lost."""

    exit_code = 3


# ---------------------------------------------------------------------------
# On the workers
# ---------------------------------------------------------------------------

_LOCK = threading.Lock()  # one pipeline per worker process, used by one thread at a time


def extract_partition(
    docs: list[tuple[str, str, str]], model: str | None = None, batch_size: int = 32,
) -> tuple[str, list[Extraction]]:
    """Extract one partition: ``(id, source, text)`` triples in, plain data out.

    Runs on a Dask worker (or anywhere): the pipeline is loaded once per
    process. Returns the pipeline signature, so that the client can tell
    that every worker ran the same code, model and rules, and
    ``(Document, extraction)`` for each document, in order.

    Examples:
        >>> sig, out = extract_partition([("d1", "d1.txt", "Nvidia makes the H100.")], "blank")
        >>> [(doc.id, doc.chars, len(data["mentions"])) for doc, data in out]
        [('d1', 22, 2)]
    """
    from graph.pipeline import load_nlp, pipeline_signature

    with _LOCK:
        nlp = load_nlp(model, extraction_only=True)
        signature = _signature(nlp, pipeline_signature)
        out: list[Extraction] = []
        stream = nlp.pipe(((text, (doc_id, source)) for doc_id, source, text in docs),
                          as_tuples=True, batch_size=batch_size)
        for (doc, (doc_id, source)), (_i, _s, text) in zip(stream, docs):
            src = SourceText(doc_id, source, text)
            out.append((Document(id=doc_id, source=source, content_hash=src.content_hash, chars=len(text)),
                        doc.user_data["kg"]))
    return signature, out


_SIGNATURES: dict[int, str] = {}


def _signature(nlp: Any, fn: Callable[[Any], str]) -> str:
    key = id(nlp)
    if key not in _SIGNATURES:
        _SIGNATURES[key] = fn(nlp)
    return _SIGNATURES[key]


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


def count_documents(inputs: Iterable[str | Path]) -> int:
    """Count the documents of the inputs without reading them as text.

    A JSONL file counts its non-blank lines (a bad line still counts);
    every other file, standard input and each raw text count one.

    Raises:
        InputError: a folder holds no readable file.

    Examples:
        >>> count_documents(["Nvidia makes the H100.", "AMD makes the MI300X."])
        2
    """
    n = 0
    for item in expand_paths(list(inputs)):
        if isinstance(item, Path) and item.suffix.lower() == ".jsonl" and item.is_file():
            with open(item, "rb") as fh:
                n += sum(1 for line in fh if line.strip())
        else:
            n += 1
    return n


@dataclass
class DaskBuilder:
    """Build a graph on a Dask cluster; the same interface as :class:`~graph.pipeline.Builder`.

    Args:
        model, encoding, min_confidence, batch_size, on_error, cache_dir,
            max_bytes, progress: as for :class:`~graph.pipeline.Builder`
            (the client reads the corpus, so ``max_bytes`` applies there).
        n_process: workers of the local cluster started when no
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
    encoding: str = "utf-8"
    min_confidence: float = 0.0
    n_process: int = 1
    batch_size: int = 32
    on_error: str = "fail"
    cache_dir: Path | None = None
    max_bytes: int = MAX_BYTES
    progress: Callable[[int, int | None], None] | None = None
    scheduler: str | None = None
    partitions: int | None = None
    client: Any = None
    connect_timeout: str = "20s"
    skipped: list[str] = field(default_factory=list)
    processed: int = 0
    reused: int = 0

    def __post_init__(self) -> None:
        if self.on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {self.on_error!r}")
        if self.partitions is not None and self.partitions < 1:
            raise KGError(f"--partitions {self.partitions} must be 1 or more")

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
        with LocalCluster(n_workers=self.n_process, threads_per_worker=1, processes=True,
                          dashboard_address=None, silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
            yield client

    def _partition_size(self, sources: list[Any], workers: int) -> int:
        total = count_documents(sources)
        if self.partitions is not None:
            return max(1, math.ceil(total / self.partitions))
        return max(1, min(PARTITION_DOCS, math.ceil(total / max(2 * workers, 1))))

    def extract(self, inputs: Any) -> Iterator[Extraction]:
        """Yield ``(Document, extraction)`` for each document, in input order.

        Raises:
            InputError: as :meth:`graph.pipeline.Builder.extract`.
            EngineError: Dask is missing, the scheduler cannot be reached, a
                worker was lost, or the workers run different versions.
        """
        from graph.pipeline import Builder, _as_sources, load_nlp, pipeline_signature

        sources = _as_sources(inputs)
        if not sources:
            raise InputError("no input documents", path="<input>")
        # the local Builder reads the documents and keeps the --update cache
        local = Builder(model=self.model, encoding=self.encoding, on_error=self.on_error,
                        cache_dir=self.cache_dir, max_bytes=self.max_bytes)
        local.skipped = self.skipped
        signature = pipeline_signature(load_nlp(self.model, extraction_only=True)) if self.cache_dir is not None else None
        used: set[Path] = set()
        done = 0
        with self._connect() as client:
            workers = max(1, len(client.nthreads()))
            size = self._partition_size(sources, workers)
            window = 2 * sum(client.nthreads().values()) or 2
            log.info("dask: %d worker(s), partitions of %d document(s)", workers, size)
            for src, data in self._stream(client, local._documents(sources), size, window, signature, local):
                if local.cache_dir is not None and signature is not None:
                    used.add(local._store(src, signature, data))
                done += 1
                if self.progress is not None:
                    self.progress(done, None)
                yield Document(id=src.id, source=src.source, content_hash=src.content_hash, chars=len(src.text)), data
        if done == 0 and not self.skipped:
            raise InputError("no input documents", path="<input>")
        if self.cache_dir is not None and self.cache_dir.is_dir():
            for old in self.cache_dir.glob("*.json"):
                if old not in used:
                    old.unlink(missing_ok=True)  # documents no longer in the input

    def _stream(self, client: Any, docs: Iterator[SourceText], size: int, window: int,
                signature: str | None, local: Any) -> Iterator[tuple[SourceText, dict[str, Any]]]:
        """Submit partitions (at most ``window`` in flight) and yield results in input order."""
        queue: deque[tuple[list[tuple[SourceText, dict[str, Any] | None]], Any]] = deque()
        seen: list[str] = []  # the signature every worker must share

        def collect() -> Iterator[tuple[SourceText, dict[str, Any]]]:
            part, future = queue.popleft()
            extracted: list[Extraction] = []
            if future is not None:
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
                if seen and sig != seen[0] or signature is not None and sig != signature:
                    raise EngineError("the Dask workers run a different entity-kg version, model or rule "
                                      f"files than {'each other' if seen else 'this client'} "
                                      f"(pipeline signature {sig} vs {seen[0] if seen else signature}); "
                                      "install the same version everywhere")
                seen.append(sig)
            fresh = iter(extracted)
            for src, cached in part:
                if cached is not None:
                    self.reused += 1
                    yield src, cached
                else:
                    meta, data = next(fresh)
                    if meta.id != src.id:  # pragma: no cover - a worker bug
                        raise EngineError(f"a worker returned document {meta.id!r} for {src.id!r}")
                    self.processed += 1
                    yield src, data

        def submit(part: list[tuple[SourceText, dict[str, Any] | None]]) -> None:
            todo = [(s.id, s.source, s.text) for s, cached in part if cached is None]
            future = client.submit(extract_partition, todo, self.model, self.batch_size, pure=False) if todo else None
            queue.append((part, future))

        part: list[tuple[SourceText, dict[str, Any] | None]] = []
        for src in docs:
            cached = local._cached(src, signature) if signature is not None else None
            part.append((src, cached))
            if len(part) >= size:
                submit(part)
                part = []
                while len(queue) >= window:
                    yield from collect()
        if part:
            submit(part)
        while queue:
            yield from collect()

    def build(self, inputs: Any) -> KnowledgeGraph:
        """Build the graph of ``inputs`` on the cluster (see :class:`~graph.pipeline.Builder`).

        Raises:
            InputError: an input cannot be read (with ``on_error="fail"``), or
                no document could be read at all.
            EngineError: see :meth:`extract`.
        """
        from graph.assemble import assemble
        from graph.relate import _gz_index, compiled_rules

        ruleset, _ = compiled_rules()
        kg = assemble(self.extract(inputs), _gz_index(), ruleset, min_confidence=self.min_confidence)
        if not kg.documents:
            raise InputError(f"no document could be read ({len(self.skipped)} skipped)", path="<input>")
        return kg


# ---------------------------------------------------------------------------
# N-Quads partitions
# ---------------------------------------------------------------------------


def partition_graph(kg: KnowledgeGraph, partitions: int | None = None) -> list[KnowledgeGraph]:
    """Cut ``kg`` into ``partitions`` graphs of consecutive documents (sorted by id).

    Each part holds its documents, the relations they state (with only
    their evidence, and the relation's own confidence and qualifiers), and
    the entities these mention or relate. Together the parts give every
    triple of :func:`graph.rdf.to_dataset` (entities no document mentions
    go into the first part).

    Args:
        partitions: the number of parts (fewer if there are fewer
            documents); by default one per :data:`PARTITION_DOCS` documents.

    Examples:
        >>> from graph.model import Entity
        >>> kg = KnowledgeGraph(documents=tuple(Document(id=f"d{i}", source="s", content_hash="") for i in range(5)),
        ...                     entities=(Entity(id="acme", type="Company", label="Acme"),))
        >>> [len(p.documents) for p in partition_graph(kg, 2)], len(partition_graph(kg, 2)[0].entities)
        ([2, 3], 1)
    """
    docs = kg.documents
    n = partitions if partitions is not None else max(1, math.ceil(len(docs) / PARTITION_DOCS))
    if n < 1:
        raise ValueError(f"partitions ({n}) must be 1 or more")
    n = max(1, min(n, len(docs)))
    chunks = [docs[k * len(docs) // n:(k + 1) * len(docs) // n] for k in range(n)]  # sizes differ by 1 at most
    part_of = {d.id: k for k, chunk in enumerate(chunks) for d in chunk}
    rels: list[list[Any]] = [[] for _ in chunks]
    ents: list[set[str]] = [set() for _ in chunks]
    mentions: list[list[tuple[str, tuple[str, ...]]]] = [[] for _ in chunks]
    for rel in kg.relations:
        by_part: dict[int, list[Any]] = {}
        for ev in rel.evidence:
            if ev.doc_id in part_of:
                by_part.setdefault(part_of[ev.doc_id], []).append(ev)
        for k, evs in by_part.items():
            rels[k].append(replace(rel, evidence=tuple(evs)))
            ents[k].update((rel.subject, rel.object))
    for d, ids in kg.mentions_by_doc:
        if d in part_of:
            mentions[part_of[d]].append((d, ids))
            ents[part_of[d]].update(ids)
    placed: set[str] = set()
    for ent in kg.entities:
        for m in ent.mentions:
            if m.doc_id in part_of:
                ents[part_of[m.doc_id]].add(ent.id)
    for k in range(len(chunks)):
        placed |= ents[k]
    ents[0].update(e.id for e in kg.entities if e.id not in placed)
    known = {e.id for e in kg.entities}
    return [KnowledgeGraph(documents=chunk, entities=tuple(e for e in kg.entities if e.id in ents[k] & known),
                           relations=tuple(rels[k]), mentions_by_doc=tuple(mentions[k]))
            for k, chunk in enumerate(chunks)]


def partition_nquads(kg: KnowledgeGraph, partitions: int | None = None) -> dict[str, bytes]:
    """Return N-Quads files ``part-00000.nq``... of :func:`partition_graph`'s parts.

    Each file is what the ``nquads`` exporter writes for its part: entities
    in the default graph, and one named graph per document (the document's
    IRI) with its description and the relations it states, with their
    evidence. Loading every file into one store gives the ``nquads`` export
    of the whole graph.
    """
    from graph import exporters

    generate = exporters.get("nquads").generate
    parts = partition_graph(kg, partitions)
    width = max(5, len(str(len(parts) - 1)))
    return {f"part-{k:0{width}d}.nq": generate(p) for k, p in enumerate(parts)}  # type: ignore[misc]
