"""The end-to-end builder: texts in, :class:`~graph.model.KnowledgeGraph` out.

Examples:
    >>> kg = build(["Acme Corp. acquired Widgets Inc. in 2020."], model="blank")
    >>> sorted(kg.triples())
    [('Acme', 'acquired', 'Widgets'), ('Widgets', 'subsidiaryOf', 'Acme')]
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language

import graph.relate  # noqa: F401  (registers the kg_relations factory)
from graph.assemble import assemble
from graph.documents import SourceText, read_documents
from graph.errors import InputError
from graph.model import KnowledgeGraph
from graph.recognize import build_pipeline
from graph.relate import _gz_index, compiled_rules

log = logging.getLogger(__name__)

Source = str | Path


@lru_cache(maxsize=4)
def load_nlp(model: str | None = None) -> Language:
    """Return the full pipeline (language model, recognizers, relation rules).

    ``model`` is a spaCy pipeline name, ``"blank"`` for the model-free
    pipeline, or ``None`` for the default (see :mod:`graph.recognize`).
    """
    nlp = build_pipeline(model)
    nlp.add_pipe("kg_relations")
    return nlp


def _as_sources(inputs: Source | Iterable[Source]) -> list[Source]:
    if isinstance(inputs, (str, Path)):
        inputs = [inputs]
    out: list[Source] = []
    for item in inputs:
        if isinstance(item, str) and "\n" not in item and len(item) < 1024 and os.path.isfile(item):
            out.append(Path(item))
        else:
            out.append(item)
    return out


def extract(
    docs: Iterable[SourceText],
    nlp: Language,
    *,
    batch_size: int = 16,
    n_process: int = 1,
) -> Iterator[tuple[SourceText, dict[str, Any]]]:
    """Run the pipeline over documents; yield each with its extraction."""
    pairs = ((d.text, d) for d in docs)
    for doc, src in nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process):
        yield src, doc.user_data["kg"]


def build(
    inputs: Source | Iterable[Source],
    *,
    model: str | None = None,
    encoding: str = "utf-8",
    min_confidence: float = 0.0,
    n_process: int = 1,
) -> KnowledgeGraph:
    """Build a knowledge graph from files or texts.

    Args:
        inputs: paths (``Path``, or ``str`` naming an existing file) and raw
            texts (any other ``str``), or one of them.
        model: spaCy pipeline name, ``"blank"``, or ``None`` for the default.
        encoding: encoding of the input files.
        min_confidence: drop relations whose confidence is lower.
        n_process: worker processes for spaCy (``nlp.pipe``).

    Raises:
        InputError: an input is missing, unreadable, undecodable or empty,
            or there is no input at all.
        ModelError: the named model is not installed.
    """
    sources = _as_sources(inputs)
    if not sources:
        raise InputError("no input documents", path="<input>")
    docs = list(read_documents(sources, encoding=encoding))
    nlp = load_nlp(model)
    ruleset, _ = compiled_rules()
    return assemble(extract(docs, nlp, n_process=n_process), _gz_index(), ruleset,
                    min_confidence=min_confidence)
