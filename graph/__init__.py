"""entity-kg: build knowledge graphs from English business and technology news.

The public API::

    import graph
    kg = graph.build(["article.txt"])          # -> KnowledgeGraph
    graph.export(kg, "turtle", "out/graph.ttl")
    graph.export(kg, "html", "out/graph.html")
"""

from __future__ import annotations

__version__ = "0.1.0"

from graph.exporters import available as available_formats  # noqa: E402
from graph.exporters import export  # noqa: E402
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation  # noqa: E402
from graph.pipeline import build  # noqa: E402

__all__ = [
    "Document", "Entity", "Evidence", "KnowledgeGraph", "Mention", "Relation",
    "available_formats", "build", "export", "__version__",
]
