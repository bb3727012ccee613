"""The end-to-end builder: texts in, :class:`~graph.model.KnowledgeGraph` out.

Documents stream through ``nlp.pipe`` in batches: a corpus is read one file
(or JSONL line) at a time and only each document's extraction — its
mentions, relations and the sentences they come from — is kept, so memory
holds the graph, never the corpus.

Examples:
    >>> kg = build(["Acme Corp. acquired Widgets Inc. in 2020."], model="blank")
    >>> sorted(kg.triples())
    [('Acme', 'acquired', 'Widgets')]
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import signal
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import FrameType
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

import graph.relate  # noqa: F401  (registers the kg_relations factory)
from graph import __version__
from graph.assemble import assemble
from graph.documents import MAX_BYTES, SourceText, iter_sources
from graph.errors import InputError, OutputError
from graph.model import Document, KnowledgeGraph
from graph.recognize import build_pipeline
from graph.relate import _gz_index, compiled_rules
from graph.resources import pattern_path

log = logging.getLogger(__name__)

Source = str | Path
Extraction = tuple[Document, dict[str, Any]]


EXTRACTION_ONLY = "kg_extraction_only"


@Language.component(EXTRACTION_ONLY)
def extraction_only(doc: Doc) -> Doc:
    """The last component of the builder's pipeline: an empty ``Doc`` that
    carries only ``user_data["kg"]`` (the extraction) replaces the annotated one.

    The builder reads nothing else, and with ``--jobs N`` spaCy sends every
    ``Doc`` from its worker to the main process as bytes: the tokens, tags,
    parse and tensor of a 500-word article are about 290 KB to write, copy
    and read back, the extraction a few KB.
    """
    light = Doc(doc.vocab, words=[])
    light.user_data["kg"] = doc.user_data["kg"]
    light._context = doc._context  # nlp.pipe(..., as_tuples=True) returns it with the Doc
    return light


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None, *, extraction_only: bool = False) -> Language:
    """Return the full pipeline (language model, recognizers, relation rules).

    ``model`` is a spaCy pipeline name, ``"blank"`` for the model-free
    pipeline, or ``None`` for the default (see :mod:`graph.recognize`).
    With ``extraction_only``, the pipeline returns empty documents that
    carry only the extraction (``doc.user_data["kg"]``), which is what the
    builder needs (see :func:`extraction_only`).
    """
    nlp = build_pipeline(model)
    nlp.add_pipe("kg_relations")
    if extraction_only:
        nlp.add_pipe(EXTRACTION_ONLY)
    return nlp


def pipeline_signature(nlp: Language) -> str:
    """A hash of everything that decides what is extracted: code version,
    model name and version, and the pattern files. Cached extractions are
    reused only when it matches."""
    h = hashlib.sha256()
    names = ",".join(name for name in nlp.pipe_names if name != EXTRACTION_ONLY)
    h.update(f"{__version__}|{nlp.meta.get('name')}|{nlp.meta.get('version')}|{names}".encode())
    for name in ("gazetteer.jsonl", "relations.yaml", "cues.yaml", "families.yaml"):
        h.update(pattern_path(name).read_bytes())
    return h.hexdigest()[:16]


def _as_sources(inputs: Source | Iterable[Source]) -> list[Source]:
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    out: list[Source] = []
    for item in inputs:
        if isinstance(item, str) and "\n" not in item and len(item) < 1024 and os.path.exists(item):
            out.append(Path(item))
        else:
            out.append(item)
    return out


def _stoppable(stream: Iterator[Any], n_process: int) -> Iterator[Any]:
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


@dataclass
class Builder:
    """Build a graph from many documents, streaming, with optional reuse.

    Args:
        model: spaCy pipeline name, ``"blank"``, or ``None`` for the default.
        encoding: encoding of input files.
        min_confidence: drop relations whose confidence is lower.
        n_process: worker processes for ``nlp.pipe``.
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
    """

    model: str | None = None
    encoding: str = "utf-8"
    min_confidence: float = 0.0
    n_process: int = 1
    batch_size: int = 32
    on_error: str = "fail"
    cache_dir: Path | None = None
    progress: Callable[[int, int | None], None] | None = None
    skipped: list[str] = field(default_factory=list)
    processed: int = 0
    reused: int = 0
    max_bytes: int = MAX_BYTES

    def __post_init__(self) -> None:
        if self.on_error not in ("fail", "skip"):
            raise ValueError(f"on_error must be 'fail' or 'skip', not {self.on_error!r}")

    # -- documents -------------------------------------------------------------

    def _documents(self, inputs: list[Source]) -> Iterator[SourceText]:
        for item in iter_sources(inputs, encoding=self.encoding, max_bytes=self.max_bytes):
            if isinstance(item, InputError):
                if self.on_error == "fail":
                    raise item
                log.warning("skipped: %s", item)
                self.skipped.append(str(item))
                continue
            yield item

    # -- cache ------------------------------------------------------------------

    def _cache_file(self, content_hash: str, signature: str) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir / f"{content_hash.split(':', 1)[1][:40]}-{signature}.json"

    def _cached(self, src: SourceText, signature: str) -> dict[str, Any] | None:
        if self.cache_dir is None:
            return None
        path = self._cache_file(src.content_hash, signature)
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _store(self, src: SourceText, signature: str, data: dict[str, Any]) -> Path:
        assert self.cache_dir is not None
        path = self._cache_file(src.content_hash, signature)
        try:
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, sort_keys=True, ensure_ascii=False), encoding="utf-8")
            os.replace(tmp, path)
        except OSError as err:
            raise OutputError(f"cannot write the extraction cache: {err.strerror or err}", path=str(path)) from err
        return path

    # -- extraction -------------------------------------------------------------

    def extract(self, inputs: Source | Iterable[Source]) -> Iterator[Extraction]:
        """Yield ``(Document, extraction)`` for each document, in input order."""
        sources = _as_sources(inputs)
        if not sources:
            raise InputError("no input documents", path="<input>")
        nlp = load_nlp(self.model, extraction_only=True)
        signature = pipeline_signature(nlp) if self.cache_dir is not None else ""
        used: set[Path] = set()
        reuse: dict[str, dict[str, Any]] = {}
        done = 0

        def to_process() -> Iterator[tuple[str, SourceText]]:
            for src in self._documents(sources):
                data = self._cached(src, signature)
                if data is not None:
                    reuse[src.id] = data
                    yield "", src  # marker: reuse, no text for spaCy
                else:
                    yield src.text, src

        # texts only, not (text, source) tuples: with as_tuples spaCy tokenizes in this
        # process and ships each Doc to the workers; the sources wait here, in order
        waiting: deque[SourceText] = deque()

        def texts() -> Iterator[str]:
            for text, src in to_process():
                waiting.append(src)
                yield text

        stream = _stoppable(nlp.pipe(texts(), batch_size=self.batch_size, n_process=self.n_process),
                            self.n_process)
        for doc in stream:
            src = waiting.popleft()
            meta = Document(id=src.id, source=src.source, content_hash=src.content_hash, chars=len(src.text))
            if src.id in reuse:
                data = reuse.pop(src.id)
                self.reused += 1
            else:
                data = doc.user_data["kg"]
                self.processed += 1
            if self.cache_dir is not None:
                used.add(self._store(src, signature, data))
            done += 1
            if self.progress is not None:
                self.progress(done, None)
            yield meta, data
        if done == 0 and not self.skipped:
            raise InputError("no input documents", path="<input>")
        if self.cache_dir is not None and self.cache_dir.is_dir():
            for old in self.cache_dir.glob("*.json"):
                if old not in used:
                    old.unlink(missing_ok=True)  # documents no longer in the input

    def build(self, inputs: Source | Iterable[Source]) -> KnowledgeGraph:
        """Build the graph of ``inputs`` (see :func:`build`).

        Raises:
            InputError: an input cannot be read (with ``on_error="fail"``), or
                no document could be read at all.
        """
        ruleset, _ = compiled_rules()
        kg = assemble(self.extract(inputs), _gz_index(), ruleset, min_confidence=self.min_confidence)
        if not kg.documents:
            raise InputError(f"no document could be read ({len(self.skipped)} skipped)", path="<input>")
        return kg


def build(
    inputs: Source | Iterable[Source],
    *,
    model: str | None = None,
    encoding: str = "utf-8",
    min_confidence: float = 0.0,
    n_process: int = 1,
    on_error: str = "fail",
) -> KnowledgeGraph:
    """Build a knowledge graph from files, folders, JSONL corpora or texts.

    Args:
        inputs: paths (``Path``, or ``str`` naming an existing file or folder;
            folders are read recursively, ``.jsonl`` files hold one
            ``{"id", "text", "source"?}`` document per line, ``Path("-")`` is
            standard input) and raw texts (any other ``str``), or one of them.
        model: spaCy pipeline name, ``"blank"``, or ``None`` for the default.
        encoding: encoding of the input files.
        min_confidence: drop relations whose confidence is lower.
        n_process: worker processes for spaCy (``nlp.pipe``).
        on_error: ``"fail"`` or ``"skip"`` unreadable documents.

    Raises:
        InputError: an input is missing, unreadable, undecodable or empty,
            or there is no input at all.
        ModelError: the named model is not installed.
    """
    return Builder(model=model, encoding=encoding, min_confidence=min_confidence,
                   n_process=n_process, on_error=on_error).build(inputs)


def extract(docs: Iterable[SourceText], nlp: Language, *, batch_size: int = 32,
            n_process: int = 1) -> Iterator[Extraction]:
    """Run a pipeline over already-read documents; yield each with its extraction."""
    pairs = ((d.text, d) for d in docs)
    for doc, src in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield Document(id=src.id, source=src.source, content_hash=src.content_hash, chars=len(src.text)), doc.user_data["kg"]
