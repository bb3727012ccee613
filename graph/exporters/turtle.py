"""Turtle: the whole graph, entities, relations and provenance, in one file."""

from __future__ import annotations

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf import to_rdf

HEADER = (
    "# Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).\n"
    "# Every relation triple has an ekg:Assertion node with its evidence.\n"
)


@register("turtle", suffix=".ttl", media_type="text/turtle", aliases=("ttl",))
def generate_turtle(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as Turtle (UTF-8, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> b"rdfs:label \\"Acme\\"" in generate_turtle(
        ...     KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),)))
        True
    """
    body = to_rdf(kg).serialize(format="turtle", encoding="utf-8")
    return HEADER.encode("utf-8") + body
