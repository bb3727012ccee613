"""The graph as N-Quads partitions: one file per group of documents, for bulk loading.

``kg build --partitions-nquads DIR`` writes ``DIR/part-NNNNN.nq``: each file
is what the ``nquads`` exporter writes for its part (entities in the default
graph, one named graph per document); loaded together they are the
``nquads`` export of the whole graph. Any triple store bulk-loads them, and
so does ``kg load``.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from graph.model import Document, KnowledgeGraph  # noqa: F401 - Document: the doctest

#: Documents per partition when no number of partitions is given.
PARTITION_DOCS = 250


def partition_graph(kg: KnowledgeGraph, partitions: int | None = None) -> list[KnowledgeGraph]:
    """Cut ``kg`` into ``partitions`` graphs of consecutive documents (sorted by id).

    Each part holds its documents, the relations they state (with only
    their evidence, and the relation's own confidence and qualifiers), and
    the entities these mention or relate. Together the parts give every
    triple of :func:`graph.rdf.convert.to_dataset` (entities no document mentions
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
    from graph.exporters import get

    generate = get("nquads").generate
    parts = partition_graph(kg, partitions)
    width = max(5, len(str(len(parts) - 1)))
    return {f"part-{k:0{width}d}.nq": generate(p) for k, p in enumerate(parts)}  # type: ignore[misc]
