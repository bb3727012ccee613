"""TriG: one named graph per source document, as readable as Turtle.

The layout is that of :func:`graph.rdf.to_dataset`: entities in the default
graph; each document's graph (named by the document's IRI) holds the
document's description and mentions, and the relations it states with
their assertion and the evidence from that document.
"""

from __future__ import annotations

import io

from rdflib.plugins.serializers.trig import TrigSerializer

from graph.exporters import register
from graph.model import KnowledgeGraph
from graph.rdf import to_dataset


@register("trig", suffix=".trig", media_type="application/trig")
def generate_trig(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as TriG (UTF-8, deterministic).

    rdflib keeps a dataset's graphs in a set, so it would write them in an
    order that changes with Python's hash seed (and the order also decides
    the order of subjects). The default graph is written first, then the
    named graphs sorted by IRI.

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> print(generate_trig(KnowledgeGraph(
        ...     entities=(Entity(id="acme", type="Company", label="Acme"),))).decode())
        @prefix ekg: <https://w3id.org/entity-kg/ontology#> .
        @prefix kgr: <https://w3id.org/entity-kg/resource/> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        <BLANKLINE>
        {
            kgr:acme a ekg:Company ;
                rdfs:label "Acme" .
        }
        <BLANKLINE>
        <BLANKLINE>
    """
    ds = to_dataset(kg)
    default = ds.default_graph.identifier
    ser = TrigSerializer(ds)
    unique = {str(g.identifier): g for g in ser.contexts}
    ser.contexts = sorted(unique.values(), key=lambda g: (g.identifier != default, str(g.identifier)))
    buf = io.BytesIO()
    ser.serialize(buf, encoding="utf-8")
    return buf.getvalue()
