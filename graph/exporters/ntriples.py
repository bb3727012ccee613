"""N-Triples: the whole graph, one triple a line, lines sorted.

The triples are those of :func:`graph.rdf.to_rdf`, written by the fast Turtle
writer and turned into N-Triples by Oxigraph (rdflib's serializer takes about
35 s for 900,000 triples; this, a few seconds). Oxigraph escapes every control
character (``\\u0000``, ``\\f``...), so each line is plain text.
"""

from __future__ import annotations

import pyoxigraph as ox

from graph.exporters import register
from graph.exporters.turtle import generate_turtle
from graph.model import KnowledgeGraph


def sorted_lines(text: str) -> bytes:
    """Return the non-empty lines of ``text`` sorted, each ending in ``\\n``.

    N-Triples and N-Quads escape LF and CR inside a literal, so a statement
    is exactly one line and sorting lines sorts statements. Lines are split
    at LF only: other characters that Python counts as line breaks (U+2028,
    U+0085, form feed...) may stand unescaped inside a literal. rdflib ends
    a default-graph quad with two spaces before the dot; one is kept.

    Examples:
        >>> sorted_lines('<b> <p> "x"  .\\n<a> <p> "y" <g> .\\n')
        b'<a> <p> "y" <g> .\\n<b> <p> "x" .\\n'
    """
    lines = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        if line.endswith("  ."):
            line = line[:-3] + " ."
        lines.append(line)
    return "".join(line + "\n" for line in sorted(set(lines))).encode("utf-8")


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
    triples = ox.parse(generate_turtle(kg), format=ox.RdfFormat.TURTLE)
    return sorted_lines(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
