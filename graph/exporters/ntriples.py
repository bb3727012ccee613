"""N-Triples: the whole graph, one triple a line, lines sorted."""

from __future__ import annotations

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf import to_rdf


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
    return sorted_lines(to_rdf(kg).serialize(format="nt", encoding="utf-8").decode("utf-8"))
