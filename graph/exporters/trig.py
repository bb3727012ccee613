"""TriG: one named graph per source document, as readable as Turtle.

The layout is that of :func:`graph.rdf.convert.to_dataset`: entities in the default
graph; each document's graph (named by the document's IRI) holds the
document's description and mentions, and the relations it states with
their assertion and the evidence from that document. Written by the fast
Turtle writer (:mod:`graph.exporters.turtle`), not rdflib's serializer (which
took about 90 s for 900,000 quads): tests check the quads are ``to_dataset``'s.
"""

from __future__ import annotations

from graph.exporters import register
from graph.exporters.turtle import iter_trig, trig_bytes
from graph.model import KnowledgeGraph


@register("trig", suffix=".trig", media_type="application/trig", stream=iter_trig)
def generate_trig(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as TriG (UTF-8, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> print(generate_trig(KnowledgeGraph(
        ...     entities=(Entity(id="acme", type="Company", label="Acme"),))).decode().split("# Entities")[1].strip())
        kgr:acme a ekg:Company ;
            rdfs:label "Acme" .
    """
    return trig_bytes(kg)
