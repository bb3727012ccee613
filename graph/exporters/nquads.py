"""N-Quads: one named graph per source document, one quad a line, sorted.

The layout is that of :func:`graph.rdf.to_dataset`: entities in the default
graph; each document's graph (named by the document's IRI) holds the
document's description and mentions, and the relations it states with
their assertion and the evidence from that document.
"""

from __future__ import annotations

from graph.exporters import register
from graph.exporters.ntriples import sorted_lines
from graph.model import KnowledgeGraph
from graph.rdf import to_dataset


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
    return sorted_lines(to_dataset(kg).serialize(format="nquads", encoding="utf-8").decode("utf-8"))
