"""The builder: documents in, :class:`~graph.model.KnowledgeGraph` out.

Documents stream from the inputs (:mod:`graph.building.documents`) one at a time;
those whose extraction is cached (``--update``) are reused, the others go
to an executor (:mod:`graph.building.executors`: this machine's processes,
or a Dask cluster) and come back as typed extractions, in input order; the
assembly (:mod:`graph.building.assemble`) merges them into the graph. Only
each document's extraction is kept, so memory holds the graph, never the
corpus.

Examples:
    >>> kg = build(["Acme Corp. acquired Widgets Inc. in 2020."], model="blank")
    >>> sorted(kg.triples())
    [('Acme', 'acquired', 'Widgets')]
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from graph.building.cache import ExtractionCache
from graph.building.executors import Executor, LocalExecutor
from graph.building.documents import MAX_BYTES, SourceText, count_documents, iter_sources
from graph.building.text import language_warning
from graph.errors import InputError
from graph.extract.extraction import Extraction
from graph.files import fault
from graph.model import Document, KnowledgeGraph

log = logging.getLogger(__name__)

Source = str | Path


def as_sources(inputs: Source | Iterable[Source]) -> list[Source]:
    """The inputs as a list: a ``str`` naming an existing file becomes a ``Path``."""
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    out: list[Source] = []
    for item in inputs:
        if isinstance(item, str) and "\n" not in item and len(item) < 1024 and os.path.exists(item):
            out.append(Path(item))
        else:
            out.append(item)
    return out


@dataclass
class Builder:
    """Build a graph from many documents, streaming, with optional reuse.

    Args:
        model: spaCy pipeline name, ``"blank"``, or ``None`` for the default.
        packs: rule packs (folders) added to the packaged rules.
        encoding: encoding of input files.
        min_confidence: drop relations whose confidence is lower.
        n_process: worker processes for ``nlp.pipe`` (the local executor).
        batch_size: documents per ``nlp.pipe`` batch.
        on_error: ``"fail"`` (the first unreadable document stops the build)
            or ``"skip"`` (it is logged, counted in :attr:`skipped`, and left out).
        cache_dir: a folder of per-document extractions (``kg build --update``):
            a document whose content hash and pipeline signature match is not
            processed again; changed documents are re-extracted, their old
            facts dropped.
        progress: called as ``progress(done, total_or_None)`` after each document.
        max_bytes: the largest input file or JSONL line (bigger: an
            :class:`~graph.errors.InputError`, as for an unreadable document).
        executor: where extraction runs; by default a
            :class:`~graph.building.executors.LocalExecutor` of ``model``,
            ``packs``, ``n_process`` and ``batch_size``.
    """

    model: str | None = None
    packs: tuple[Path, ...] = ()
    encoding: str = "utf-8"
    min_confidence: float = 0.0
    n_process: int = 1
    batch_size: int = 32
    on_error: str = "fail"
    cache_dir: Path | None = None
    progress: Callable[[int, int | None], None] | None = None
    max_bytes: int = MAX_BYTES
    executor: Executor | None = None
    skipped: list[str] = field(default_factory=list)
    processed: int = 0
    reused: int = 0

    def __post_init__(self) -> None:
        if self.on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {self.on_error!r}")
        self.packs = tuple(Path(p) for p in self.packs)
        if self.executor is None:
            self.executor = LocalExecutor(self.model, self.packs, self.n_process, self.batch_size)

    def _documents(self, inputs: list[Source]) -> Iterator[SourceText]:
        for item in iter_sources(inputs, encoding=self.encoding, max_bytes=self.max_bytes):
            if isinstance(item, InputError):
                if self.on_error == "fail":
                    raise item
                log.warning("skipped: %s", item)
                self.skipped.append(str(item))
                continue
            reason = language_warning(item.text)
            if reason is not None:
                log.warning("%s: %s", item.source, reason)
            yield item

    def extract(self, inputs: Source | Iterable[Source]) -> Iterator[tuple[Document, Extraction]]:
        """Yield ``(Document, extraction)`` for each document, in input order.

        Raises:
            InputError: an input cannot be read (with ``on_error="fail"``), or
                there is no input document at all.
        """
        sources = as_sources(inputs)
        if not sources:
            raise InputError("no input documents", path="<input>")
        executor = self.executor
        assert executor is not None
        cache = ExtractionCache(self.cache_dir, executor.signature()) if self.cache_dir is not None else None
        # documents in input order, each with its cached extraction (or None: the executor's)
        waiting: deque[tuple[SourceText, Extraction | None]] = deque()

        def todo() -> Iterator[SourceText]:
            for src in self._documents(sources):
                cached = cache.get(src.content_hash) if cache is not None else None
                waiting.append((src, cached))
                if cached is None:
                    yield src

        results = executor.run(todo(), count=lambda: count_documents(sources))
        fresh: deque[Extraction] = deque()
        exhausted = False
        done = 0
        while waiting or not exhausted:
            if not waiting or (waiting[0][1] is None and not fresh):
                try:
                    fresh.append(next(results))  # reads documents until one needs extracting
                except StopIteration:
                    exhausted = True
                    if waiting and waiting[0][1] is None:  # pragma: no cover - an executor bug
                        raise RuntimeError("the executor returned fewer extractions than documents") from None
                continue
            src, ext = waiting.popleft()
            if ext is None:
                ext = fresh.popleft()
                self.processed += 1
                if cache is not None:
                    cache.put(src.content_hash, ext)
            else:
                self.reused += 1
            for note in ext.notes:
                log.warning("%s: %s", src.id, note)
            done += 1
            fault("extracted")  # test-only (KG_FAULT)
            if self.progress is not None:
                self.progress(done, None)
            yield Document(id=src.id, source=src.source, content_hash=src.content_hash, chars=len(src.text),
                           title=src.title, date=src.date, url=src.url), ext
        if done == 0 and not self.skipped:
            raise InputError("no input documents", path="<input>")
        if cache is not None:
            cache.prune()  # documents no longer in the input

    def build(self, inputs: Source | Iterable[Source]) -> KnowledgeGraph:
        """Build the graph of ``inputs`` (see :func:`build`).

        Raises:
            InputError: an input cannot be read (with ``on_error="fail"``), or
                no document could be read at all.
        """
        from graph.building.assemble import assemble
        from graph.extract.rules import load_rules

        rules = load_rules(self.packs)  # the rules the pipeline reads (validated before any work)
        kg = assemble(self.extract(inputs), rules, min_confidence=self.min_confidence)
        if not kg.documents:
            raise InputError(f"no document could be read ({len(self.skipped)} skipped)", path="<input>")
        return kg


def build(
    inputs: Source | Iterable[Source],
    *,
    model: str | None = None,
    packs: Iterable[str | Path] = (),
    encoding: str = "utf-8",
    min_confidence: float = 0.0,
    n_process: int = 1,
    on_error: str = "fail",
) -> KnowledgeGraph:
    """Build a knowledge graph from files, folders, JSONL corpora or texts.

    Args:
        inputs: paths (``Path``, or ``str`` naming an existing file or folder;
            folders are read recursively, ``.jsonl`` files hold one
            ``{"id", "text", "title"?, "date"?, "url"?, "source"?}`` document per line, ``Path("-")`` is
            standard input) and raw texts (any other ``str``), or one of them.
        model: spaCy pipeline name, ``"blank"``, or ``None`` for the default.
        packs: rule packs (folders of ``gazetteer.jsonl``, ``relations.yaml``,
            ``cues.yaml``, ``families.yaml``) added to the packaged rules.
        encoding: encoding of the input files.
        min_confidence: drop relations whose confidence is lower.
        n_process: worker processes for spaCy (``nlp.pipe``).
        on_error: ``"fail"`` or ``"skip"`` unreadable documents.

    Raises:
        InputError: an input is missing, unreadable, undecodable or empty,
            or there is no input at all.
        ModelError: the named model is not installed.
        RuleError: a rule pack is invalid.
    """
    return Builder(model=model, packs=tuple(Path(p) for p in packs), encoding=encoding,
                   min_confidence=min_confidence, n_process=n_process, on_error=on_error).build(inputs)
