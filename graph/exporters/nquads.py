"""N-Quads: one named graph per source document, one quad a line, sorted.

The layout is that of :func:`graph.rdf.convert.to_dataset`: entities in the default
graph; each document's graph (named by the document's IRI) holds the
document's description and mentions, and the relations it states with
their assertion and the evidence from that document. The quads are made by
the statement writer of the Turtle and TriG exporters, with N-Triples terms
(:mod:`graph.exporters.ntriples`); a test checks the bytes against
Oxigraph's N-Quads of the TriG.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.exporters import register
from graph.exporters.ntriples import sorted_lines
from graph.exporters.turtle import NTriplesTerms, StatementWriter, statements
from graph.model import KnowledgeGraph
from graph.rdf.convert import document_triples, relations_by_document
from graph.vocab import RESOURCE_BASE


def nquads_lines(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Iterator[str]:
    """Every quad of :func:`graph.rdf.convert.to_dataset` as an N-Quads line (unsorted, without newline)."""
    w = StatementWriter(base, NTriplesTerms())
    for ent in kg.entities:
        s = w.entity(ent.id)
        for _piri, p, o in w.entity_pairs(ent):
            yield f"{s} {p} {o} ."
    stated = relations_by_document(kg)
    mentioned = dict(kg.mentions_by_doc)
    for doc in kg.documents:
        g = w.document(doc.id)
        for s, _piri, p, o in statements(w.terms, document_triples(doc, mentioned.get(doc.id, ()), base)):
            yield f"{s} {p} {o} {g} ."
        for rel in stated.get(doc.id, ()):
            s, _piri, p, o = w.statement(rel)
            yield f"{s} {p} {o} {g} ."
            for node, pairs in w.nodes(rel, doc.id).items():
                for _piri, p, o in pairs:
                    yield f"{node} {p} {o} {g} ."


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
    return sorted_lines(nquads_lines(kg))
