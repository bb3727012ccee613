"""N-Quads: one named graph per source document, one quad a line, sorted.

The layout is that of :func:`graph.rdf.to_dataset`: entities in the default
graph; each document's graph (named by the document's IRI) holds the
document's description and mentions, and the relations it states with
their assertion and the evidence from that document.

The quads are written as TriG by the fast Turtle writer and turned into
N-Quads by Oxigraph (rdflib's serializer takes about a minute for 900,000
quads); tests check they are the quads of ``to_dataset``.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.exporters import register
from graph.exporters.ntriples import sorted_lines
from graph.exporters.turtle import trig_bytes
from graph.model import KnowledgeGraph


@register("nquads", suffix=".nq", media_type="application/n-quads", aliases=("nq",))
def generate_nquads(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as N-Quads (UTF-8, lines sorted, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> print(generate_nquads(KnowledgeGraph(
        ...     entities=(Entity(id="acme", type="Company", label="Acme"),))).decode())
        <https://w3id.org/entity-kg/resource/acme> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/entity-kg/ontology#Company> .
        <https://w3id.org/entity-kg/resource/acme> <http://www.w3.org/2000/01/rdf-schema#label> "Acme" .
        <BLANKLINE>
    """
    quads = ox.parse(trig_bytes(kg), format=ox.RdfFormat.TRIG)
    return sorted_lines(ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8"))
