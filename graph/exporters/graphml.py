"""GraphML: the graph for Gephi, yEd, igraph, NetworkX and Neo4j APOC.

One ``<node>`` per entity (``id`` = entity id) and one directed ``<edge>``
per relation, with the properties of :mod:`graph.exporters.propgraph`
as typed ``<key>``/``<data>`` attributes (ids equal to the names). How
values GraphML cannot hold are written:

* **lists**: ``aliases`` is the aliases joined with ``" | "``
  (:data:`ALIAS_SEPARATOR`, for display and search); ``aliases_json`` is
  the exact list as a JSON array (``[]`` when there is none). The
  evidence list of a relation is ``evidence`` (JSON; see ``propgraph``);
  the primary evidence is also in ``sentence``, ``document``, ``rule``,
  ``char_start`` and ``char_end``.
* **None** (no Wikidata id, no amount...): no ``<data>`` element, which is
  GraphML's "undefined"; readers map it to their own missing value
  (NetworkX: key absent; igraph: ``None`` for strings, ``nan`` for numbers).
* **text GraphML cannot carry**: characters XML 1.0 forbids (C0 controls
  other than TAB, LF, CR; U+FFFE, U+FFFF; lone surrogates) become U+FFFD.
  CR is written as ``&#13;`` so parsers do not turn it into LF.

Readers:

* NetworkX: ``nx.read_graphml(path, force_multigraph=True)`` gives a
  ``MultiDiGraph`` whose edge keys are the predicates (each edge carries a
  ``key`` attribute, which NetworkX uses when an edge has no ``id``).
* Neo4j APOC: ``CALL apoc.import.graphml("graph.graphml", {readLabels: true})``
  gives each node the labels in ``labels`` (``:Company:Organization:Entity``)
  and each relationship the type in the edge's ``label`` XML attribute
  (``PARTNER_IN``), as APOC's own GraphML export does.
"""

from __future__ import annotations

import json
import re

from graph.exporters import register
from graph.exporters.propgraph import (
    ENTITY_LABEL,
    NODE_PROPERTIES,
    RELATION_PROPERTIES,
    Property,
    Value,
    class_labels,
    documents_by_id,
    node_values,
    ordered_relations,
    relation_values,
    relationship_type,
)
from graph.exporters.tabular import format_number
from graph.model import KnowledgeGraph

#: Separator of the display form of ``aliases`` (the exact list is ``aliases_json``).
ALIAS_SEPARATOR = " | "

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_GRAPHML_TYPE = {"string": "string", "string[]": "string", "long": "long", "double": "double"}

_HEADER = """\
<?xml version="1.0" encoding="UTF-8"?>
<!-- Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).
     Nodes are entities, edges are relations (one per subject, predicate, object).
     aliases: joined with " | " (display); aliases_json: the exact list (JSON array).
     evidence: every piece of evidence (JSON array); sentence, document, rule,
     char_start, char_end: the primary evidence. A missing <data> means no value.
     NetworkX: read_graphml(path, force_multigraph=True) (edge key = predicate).
     Neo4j APOC: apoc.import.graphml(path, {readLabels: true}). -->
<graphml xmlns="http://graphml.graphdrawing.org/xmlns" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns \
http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">
"""

#: Node keys: (name, GraphML type), in declaration order.
NODE_KEYS: tuple[tuple[str, str], ...] = (
    ("labels", "string"),
    *((p.name, _GRAPHML_TYPE[p.kind]) for p in NODE_PROPERTIES if p.name != "aliases"),
    ("aliases", "string"),
    ("aliases_json", "string"),
)
#: Edge keys: (name, GraphML type), in declaration order.
EDGE_KEYS: tuple[tuple[str, str], ...] = (
    ("key", "string"),
    *((p.name, _GRAPHML_TYPE[p.kind]) for p in RELATION_PROPERTIES),
)


def xml_text(value: str) -> str:
    """Escape text for XML element content (and replace what XML forbids).

    Examples:
        >>> xml_text('a < b & "c"\\r\\x01')
        'a &lt; b &amp; "c"&#13;\\ufffd'
    """
    value = _XML_ILLEGAL.sub("\ufffd", value)
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def xml_attr(value: str) -> str:
    """Escape text for a double-quoted XML attribute value.

    Examples:
        >>> print(xml_attr('O\\'Brien "Bob"\\n'))
        O'Brien &quot;Bob&quot;&#10;
    """
    return xml_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def _data(name: str, value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, list):
        raise TypeError(f"{name}: lists are encoded before this point")
    else:
        text = format_number(value)
    return f'      <data key="{name}">{xml_text(text)}</data>\n'


def _node(ent_id: str, ent_type: str, values: dict[str, Value]) -> str:
    raw = values["aliases"]
    aliases = raw if isinstance(raw, list) else []
    labels = "".join(f":{c}" for c in (*class_labels(ent_type), ENTITY_LABEL))
    parts = [f'    <node id="{xml_attr(ent_id)}">\n', _data("labels", labels)]
    for p in NODE_PROPERTIES:
        if p.name != "aliases":
            parts.append(_data(p.name, values[p.name]))
    parts.append(_data("aliases", ALIAS_SEPARATOR.join(aliases)))
    parts.append(_data("aliases_json", json.dumps(aliases, ensure_ascii=False)))
    parts.append("    </node>\n")
    return "".join(parts)


def _key(name: str, domain: str, attr_type: str) -> str:
    return f'  <key id="{name}" for="{domain}" attr.name="{name}" attr.type="{attr_type}"/>\n'


def _props(values: dict[str, Value], props: tuple[Property, ...]) -> str:
    return "".join(_data(p.name, values[p.name]) for p in props)


@register("graphml", suffix=".graphml", media_type="application/graphml+xml")
def generate_graphml(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as GraphML (UTF-8, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> out = generate_graphml(KnowledgeGraph(entities=(
        ...     Entity(id="acme", type="Company", label="Acme & Co"),)))
        >>> b'<data key="label">Acme &amp; Co</data>' in out
        True
    """
    parts = [_HEADER]
    parts += [_key(n, "node", t) for n, t in NODE_KEYS]
    parts += [_key(n, "edge", t) for n, t in EDGE_KEYS]
    parts.append('  <graph id="entity-kg" edgedefault="directed">\n')
    for ent in kg.entities:
        parts.append(_node(ent.id, ent.type, node_values(ent)))
    documents = documents_by_id(kg)
    for rel in ordered_relations(kg):
        rtype = relationship_type(rel.predicate)
        parts.append(f'    <edge source="{xml_attr(rel.subject)}" target="{xml_attr(rel.object)}"'
                     f' label="{rtype}">\n')
        parts.append(_data("key", rel.predicate))
        parts.append(_props(relation_values(rel, documents), RELATION_PROPERTIES))
        parts.append("    </edge>\n")
    parts.append("  </graph>\n</graphml>\n")
    return "".join(parts).encode("utf-8")
