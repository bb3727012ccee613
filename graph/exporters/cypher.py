"""Cypher script: an idempotent ``graph.cypher`` for Neo4j (and Memgraph-likes).

Run it with ``cypher-shell -d neo4j -f graph.cypher``. Its shape:

1. the uniqueness constraint on ``:Entity(id)``, first, so every ``MERGE``
   below is an index look-up;
2. per entity, ``MERGE (n:Entity {id: ...}) SET n.label = ..., ...;`` and
   then ``MATCH (n:Entity {id: ...}) SET n:Company:Organization;``;
3. per relation, ``MATCH`` both ends, ``MERGE (s)-[r:PARTNER_IN]->(o)``
   and ``SET`` its properties.

Every statement is one line and ends with ``;``. ``MERGE`` on the key and
``SET`` of every property (``null`` removes one) make the script
idempotent: running it twice leaves one copy of each node and
relationship with the same properties. Re-running a newer export updates
properties, but does not delete nodes, relationships or class labels that
are gone from it: load into an empty database for an exact copy.

Values are literals (a script cannot carry ``$parameters`` without
client-specific ``:param`` commands; Neo4j auto-parameterises literals, so
plans are still cached). Strings are single-quoted; ``\\`` and ``'`` are
backslash-escaped; line breaks, tabs and other control characters use
``\\n``, ``\\r``, ``\\t``, ``\\b``, ``\\f`` or ``\\uXXXX``; invisible format and
separator characters (zero-width, bidi controls, BOM, NBSP, U+2028...)
use ``\\uXXXX`` (surrogate pairs beyond the BMP); every other character,
emoji and right-to-left scripts included, is written as UTF-8.
"""

from __future__ import annotations

import re
from decimal import Decimal

from graph.exporters import register
from graph.exporters.propgraph import (
    CONSTRAINT,
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
from graph.exporters.tabular import clean_text, format_number
from graph.model import KnowledgeGraph

_SHORT_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                  "\b": "\\b", "\f": "\\f"}
#: Characters written as ``\\uXXXX``: controls, and invisible format/separator
#: characters (a fixed list, so output does not depend on the Unicode
#: version of the Python that runs the export).
_ESCAPED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00a0\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
    "\u2000-\u200f\u2028-\u202f\u205f-\u206f\u3000\u3164\ufe00-\ufe0f\ufeff\uffa0"
    "\ufff0-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)

_HEADER = """\
// Knowledge graph built by entity-kg (https://w3id.org/entity-kg/ontology).
// Idempotent: run it with `cypher-shell -d neo4j -f graph.cypher`, as often as you like.
// Nodes: (:Entity:<class>:<superclasses> {id, label, type, aliases, ...});
// relationships: one per (subject, predicate, object), type = predicate in UPPER_SNAKE,
// with the evidence (sentence, document, rule, char_start, char_end, evidence as JSON).\
"""


def _escape_char(ch: str) -> str:
    if ch in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[ch]
    cp = ord(ch)
    if cp > 0xFFFF:
        cp -= 0x10000
        return f"\\u{0xD800 + (cp >> 10):04X}\\u{0xDC00 + (cp & 0x3FF):04X}"
    return f"\\u{cp:04X}"


def cypher_string(value: str) -> str:
    """Return a Cypher string literal (single-quoted, escaped).

    Examples:
        >>> print(cypher_string('O\\'Brien "Bob" \\\\ Ltd.'))
        'O\\'Brien "Bob" \\\\ Ltd.'
        >>> print(cypher_string("line\\nbreak\\u200b 🚀"))
        'line\\nbreak\\u200B 🚀'
    """
    value = clean_text(value)
    value = value.replace("\\", "\\\\").replace("'", "\\'")
    return "'" + _ESCAPED.sub(lambda m: _escape_char(m.group()), value) + "'"


def cypher_value(value: Value, prop: Property) -> str:
    """Return a Cypher literal for a property value (``null`` for ``None``).

    Doubles always look like floats (``5576000.0``), so Neo4j stores a Float
    even when the value is whole.

    Examples:
        >>> cypher_value(["a", "b'"], Property("aliases", "string[]"))
        "['a', 'b\\\\'']"
        >>> cypher_value(Decimal("5576000"), Property("amount", "double"))
        '5576000.0'
        >>> cypher_value(None, Property("count", "long")), cypher_value(1e-05, Property("c", "double"))
        ('null', '1e-05')
    """
    if value is None:
        return "null"
    if prop.kind == "string[]":
        if not isinstance(value, list):
            raise TypeError(f"{prop.name}: expected a list, got {value!r}")
        return "[" + ", ".join(cypher_string(v) for v in value) + "]"
    if prop.kind == "string":
        if not isinstance(value, str):
            raise TypeError(f"{prop.name}: expected a string, got {value!r}")
        return cypher_string(value)
    if isinstance(value, (str, list)):
        raise TypeError(f"{prop.name}: expected a number, got {value!r}")
    if prop.kind == "long":
        return format_number(int(value))
    text = format_number(value if isinstance(value, Decimal) else float(value))
    text = text.replace("e+", "e")
    if not any(c in text for c in ".e"):
        text += ".0"
    return text


def _assignments(var: str, values: dict[str, Value], props: tuple[Property, ...]) -> str:
    return ", ".join(f"{var}.{p.name} = {cypher_value(values[p.name], p)}" for p in props)


@register("cypher", suffix=".cypher", media_type="application/x-cypher-query")
def generate_cypher(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as an idempotent Cypher script (UTF-8, deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> lines = generate_cypher(KnowledgeGraph(entities=(
        ...     Entity(id="acme", type="Company", label="Acme"),))).decode().splitlines()
        >>> [line for line in lines if line and not line.startswith("//")][:2]
        ['CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;', \
"MERGE (n:Entity {id: 'acme'}) SET n.label = 'Acme', n.type = 'Company', n.aliases = null, \
n.wikidata = null, n.parameter_count = null, n.market_share = null, n.mention_count = 0;"]
    """
    out = [_HEADER, CONSTRAINT, "", f"// {len(kg.entities)} entities"]
    for ent in kg.entities:
        key = f"(n:{ENTITY_LABEL} {{id: {cypher_string(ent.id)}}})"
        out.append(f"MERGE {key} SET {_assignments('n', node_values(ent), NODE_PROPERTIES)};")
        out.append(f"MATCH {key} SET n:{':'.join(class_labels(ent.type))};")
    relations = ordered_relations(kg)
    documents = documents_by_id(kg)
    out += ["", f"// {len(relations)} relationships"]
    for rel in relations:
        s = f"(s:{ENTITY_LABEL} {{id: {cypher_string(rel.subject)}}})"
        o = f"(o:{ENTITY_LABEL} {{id: {cypher_string(rel.object)}}})"
        out.append(f"MATCH {s} MATCH {o} MERGE (s)-[r:{relationship_type(rel.predicate)}]->(o) "
                   f"SET {_assignments('r', relation_values(rel, documents), RELATION_PROPERTIES)};")
    return ("\n".join(out) + "\n").encode("utf-8")
