"""entity-kg: build knowledge graphs from English business and technology news.

The public API::

    import graph
    kg = graph.build(["article.txt"])          # -> KnowledgeGraph
    graph.export(kg, "turtle", "out/graph.ttl")
    graph.export(kg, "html", "out/graph.html")

Importing the package loads neither spaCy nor a model: :func:`build` does,
when it is first called.
"""

from __future__ import annotations

__version__ = "0.1.0"

from collections.abc import Iterable  # noqa: E402
from pathlib import Path  # noqa: E402

from graph.exporters import available as available_formats  # noqa: E402
from graph.exporters import export  # noqa: E402
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation  # noqa: E402

__all__ = [
    "Document", "Entity", "Evidence", "KnowledgeGraph", "Mention", "Relation",
    "available_formats", "build", "export", "__version__",
]


def build(
    inputs: str | Path | Iterable[str | Path],
    *,
    model: str | None = None,
    packs: Iterable[str | Path] = (),
    encoding: str = "utf-8",
    min_confidence: float = 0.0,
    n_process: int = 1,
    on_error: str = "fail",
) -> KnowledgeGraph:
    """Build a knowledge graph from files, folders, JSONL corpora or texts.

    The arguments are those of :func:`graph.building.builder.build`.
    """
    from graph.building.builder import build as _build

    return _build(inputs, model=model, packs=packs, encoding=encoding, min_confidence=min_confidence,
                  n_process=n_process, on_error=on_error)
