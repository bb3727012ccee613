"""The networkx form of a graph: a ``MultiDiGraph`` of entities and relations.

Nodes are entity ids with the attributes ``type``, ``label`` and
``aliases`` (a tuple); edges go subject → object with ``key`` = the
predicate and the attributes ``predicate``, ``confidence``, ``evidence``
(the tuple of :class:`~graph.model.Evidence`) and the qualifiers that are
set (``amount``, ``currency``, ``count``, ``date``). Documents are not
nodes. Node and edge order follow the (sorted) ``KnowledgeGraph``, so the
result is deterministic.

Examples:
    >>> from graph.model import Entity, Evidence, KnowledgeGraph, Relation
    >>> ev = Evidence(doc_id="d", start=0, end=9, sentence="A makes B.", rule_id="r_v1",
    ...               confidence=0.9)
    >>> kg = KnowledgeGraph(
    ...     entities=(Entity(id="a", type="Company", label="A"), Entity(id="b", type="Chip", label="B")),
    ...     relations=(Relation(subject="a", predicate="manufacturerOf", object="b", evidence=(ev,)),))
    >>> g = to_networkx(kg)
    >>> list(g.edges(keys=True))
    [('a', 'b', 'manufacturerOf')]
    >>> g.nodes["b"]["type"]
    'Chip'
"""

from __future__ import annotations

import networkx as nx

from graph.model import KnowledgeGraph


def to_networkx(kg: KnowledgeGraph) -> nx.MultiDiGraph:
    """Return ``kg`` as a ``networkx.MultiDiGraph`` (edge key = predicate).

    Args:
        kg: the knowledge graph.

    Returns:
        A new graph; changing it does not change ``kg``.
    """
    g = nx.MultiDiGraph()
    for ent in kg.entities:
        g.add_node(ent.id, type=ent.type, label=ent.label, aliases=tuple(ent.aliases))
    for rel in kg.relations:
        attrs: dict[str, object] = {
            "predicate": rel.predicate,
            "confidence": rel.confidence,
            "evidence": rel.evidence,
        }
        for name in ("amount", "currency", "count", "date"):
            value = getattr(rel, name)
            if value is not None:
                attrs[name] = value
        g.add_edge(rel.subject, rel.object, key=rel.predicate, **attrs)
    return g
