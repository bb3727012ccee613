"""N-Triples: the whole graph, one triple a line, lines sorted.

The triples are those of :func:`graph.rdf.convert.to_rdf`, made by the statement
writer the Turtle exporter uses (:class:`~graph.exporters.turtle.StatementWriter`)
with N-Triples terms: every IRI whole, every literal with its datatype,
escaped as Oxigraph's writer escapes (every C0 control, DEL, U+FFFE, U+FFFF,
``"`` and ``\\``), so each statement is one line of plain text. A test checks
the bytes against Oxigraph's N-Triples of the Turtle.
"""

from __future__ import annotations

from collections.abc import Iterator

from graph.exporters import register
from graph.exporters.turtle import NTriplesTerms, StatementWriter, statements
from graph.model import KnowledgeGraph
from graph.rdf.convert import document_triples
from graph.vocab import RESOURCE_BASE


def sorted_lines(lines: Iterator[str]) -> bytes:
    """The distinct ``lines`` sorted, each ending in ``\\n``, as UTF-8.

    N-Triples and N-Quads escape LF and CR inside a literal, so a statement
    is exactly one line and sorting lines sorts statements.

    Raises:
        ValueError: a string holds a lone surrogate (not text).

    Examples:
        >>> sorted_lines(iter(['<b> <p> "x" .', '<a> <p> "y" <g> .', '<b> <p> "x" .']))
        b'<a> <p> "y" <g> .\\n<b> <p> "x" .\\n'
    """
    text = "".join(line + "\n" for line in sorted(set(lines)))
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as err:
        around = text[max(err.start - 30, 0):err.end + 30]
        raise ValueError(f"cannot write RDF: lone surrogate {text[err.start]!r} (not text) in {around!r}") from err


def ntriples_lines(kg: KnowledgeGraph, base: str = RESOURCE_BASE) -> Iterator[str]:
    """Every triple of :func:`graph.rdf.convert.to_rdf` as an N-Triples line (unsorted, without newline)."""
    w = StatementWriter(base, NTriplesTerms())
    for ent in kg.entities:
        s = w.entity(ent.id)
        for _piri, p, o in w.entity_pairs(ent):
            yield f"{s} {p} {o} ."
    for rel in kg.relations:
        s, _piri, p, o = w.statement(rel)
        yield f"{s} {p} {o} ."
        for node, pairs in w.nodes(rel).items():
            for _piri, p, o in pairs:
                yield f"{node} {p} {o} ."
    mentioned = dict(kg.mentions_by_doc)
    for doc in kg.documents:
        for s, _piri, p, o in statements(w.terms, document_triples(doc, mentioned.get(doc.id, ()), base)):
            yield f"{s} {p} {o} ."


@register("ntriples", suffix=".nt", media_type="application/n-triples", aliases=("nt",))
def generate_ntriples(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as N-Triples (UTF-8, lines sorted, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> print(generate_ntriples(KnowledgeGraph(
        ...     entities=(Entity(id="acme", type="Company", label="Acme"),))).decode())
        <https://w3id.org/entity-kg/resource/acme> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/entity-kg/ontology#Company> .
        <https://w3id.org/entity-kg/resource/acme> <http://www.w3.org/2000/01/rdf-schema#label> "Acme" .
        <BLANKLINE>
    """
    return sorted_lines(ntriples_lines(kg))
