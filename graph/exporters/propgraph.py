"""The property-graph view of a knowledge graph, shared by every DB format.

GraphML, the Neo4j CSVs, the Cypher script and the Kùzu bundle all write
the same nodes and relationships with the same property names and types,
so a query written against one works against the others:

* one node per entity: ``id`` (the entity id), its class and superclasses
  as labels (``Company``, ``Organization``), and :data:`NODE_PROPERTIES`;
* one relationship per ``(subject, predicate, object)``, typed with the
  predicate in UPPER_SNAKE (``partnerIn`` → ``PARTNER_IN``), with
  :data:`RELATION_PROPERTIES`.

A relation can have several pieces of evidence. ``sentence``,
``document``, ``rule``, ``char_start`` and ``char_end`` describe the
*primary* one (highest confidence, then first by document and offset), and
``document_title``, ``document_date`` (ISO) and ``document_url`` its
document's metadata when known; ``evidence`` holds all of them, exactly, as
a JSON array of objects ``{"confidence", "document", "end", "rule",
"sentence", "start"}`` (with ``"document_title"``, ``"document_date"``,
``"document_url"`` when known) sorted by document, offsets and rule;
``evidence_count`` is their number.

Absent values are ``None``; an entity without aliases has ``aliases``
``None`` (Neo4j's CSV import cannot store an empty array).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from graph.exporters.tabular import clean_text, upper_snake
from graph.model import PREDICATES, Document, Entity, Evidence, KnowledgeGraph, Relation, superclasses

Kind = Literal["string", "string[]", "long", "double"]
Value = str | list[str] | int | float | Decimal | None

#: Label every node carries in Neo4j, whatever its class.
ENTITY_LABEL = "Entity"
#: The Neo4j uniqueness constraint on node ids (script and post-import).
CONSTRAINT = "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;"


@dataclass(frozen=True, slots=True)
class Property:
    """A property of nodes or relationships: its name and value kind."""

    name: str
    kind: Kind


#: Node properties besides ``id``, in column order.
NODE_PROPERTIES: tuple[Property, ...] = (
    Property("label", "string"),
    Property("type", "string"),
    Property("aliases", "string[]"),
    Property("wikidata", "string"),
    Property("parameter_count", "long"),
    Property("market_share", "double"),
    Property("mention_count", "long"),
)

#: Relationship properties, in column order.
RELATION_PROPERTIES: tuple[Property, ...] = (
    Property("predicate", "string"),
    Property("confidence", "double"),
    Property("sentence", "string"),
    Property("document", "string"),
    Property("document_title", "string"),
    Property("document_date", "string"),
    Property("document_url", "string"),
    Property("rule", "string"),
    Property("char_start", "long"),
    Property("char_end", "long"),
    Property("evidence_count", "long"),
    Property("evidence", "string"),
    Property("amount", "double"),
    Property("currency", "string"),
    Property("count", "long"),
    Property("date", "string"),
)

#: One line per property, for the bundles' READMEs.
PROPERTY_DOCS: dict[str, str] = {
    "label": "canonical name",
    "type": "the most specific class (ontology name)",
    "aliases": "every other surface form seen",
    "wikidata": "Wikidata id (`Q...`) when known",
    "parameter_count": "number of parameters (AI models)",
    "market_share": "market share in [0, 1]",
    "mention_count": "number of mentions in the source documents",
    "predicate": "the ontology property (`partnerIn`)",
    "confidence": "confidence in [0, 1] (highest of the evidence)",
    "sentence": "sentence of the primary evidence",
    "document": "document id of the primary evidence",
    "document_title": "title of that document, when its input states one",
    "document_date": "publication date of that document (`YYYY-MM-DD`), when stated",
    "document_url": "URL of that document (http or https), when stated",
    "rule": "rule (or model) that produced the primary evidence",
    "char_start": "character offset of that sentence in its document",
    "char_end": "character offset where that sentence ends",
    "evidence_count": "number of pieces of evidence",
    "evidence": "all evidence, a JSON array of "
                "`{confidence, document, end, rule, sentence, start}` "
                "(and `document_title`, `document_date`, `document_url` when known)",
    "amount": "amount of money (in `currency`)",
    "currency": "ISO 4217 code of `amount`",
    "count": "a count qualifier (e.g. 2,048 GPUs)",
    "date": "date qualifier (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`)",
}

#: Every relationship type, one per ontology predicate, in vocabulary order.
RELATIONSHIP_TYPES: tuple[str, ...] = tuple(upper_snake(p) for p in PREDICATES)


def class_labels(cls: str) -> tuple[str, ...]:
    """Return an entity class and its superclasses, most specific first.

    Examples:
        >>> class_labels("Company")
        ('Company', 'Organization')
    """
    return superclasses(cls)


def relationship_type(predicate: str) -> str:
    """Return the relationship type of a predicate (UPPER_SNAKE).

    Examples:
        >>> relationship_type("supplierOf")
        'SUPPLIER_OF'
    """
    return upper_snake(predicate)


def _opt(value: str | None) -> str | None:
    return None if value is None else clean_text(value)


def node_values(ent: Entity) -> dict[str, Value]:
    """Return the values of :data:`NODE_PROPERTIES` for an entity.

    Examples:
        >>> v = node_values(Entity(id="nvidia", type="Company", label="Nvidia",
        ...                        aliases=("Nvidia Corp.",)))
        >>> v["label"], v["aliases"], v["wikidata"], v["mention_count"]
        ('Nvidia', ['Nvidia Corp.'], None, 0)
    """
    return {
        "label": clean_text(ent.label),
        "type": ent.type,
        "aliases": [clean_text(a) for a in ent.aliases] or None,
        "wikidata": _opt(ent.wikidata),
        "parameter_count": ent.parameter_count,
        "market_share": ent.market_share,
        "mention_count": len(ent.mentions),
    }


def _evidence_key(ev: Evidence) -> tuple[str, int, int, str, str, float]:
    return (ev.doc_id, ev.start, ev.end, ev.rule_id, ev.sentence, ev.confidence)


def sorted_evidence(rel: Relation) -> list[Evidence]:
    """Return a relation's evidence in canonical order (document, offsets, rule)."""
    return sorted(rel.evidence, key=_evidence_key)


def primary_evidence(rel: Relation) -> Evidence:
    """Return the evidence with the highest confidence (ties: canonical order).

    Examples:
        >>> a = Evidence(doc_id="d", start=0, end=5, sentence="a", rule_id="r1", confidence=0.5)
        >>> b = Evidence(doc_id="d", start=9, end=20, sentence="b", rule_id="r2", confidence=0.9)
        >>> primary_evidence(Relation(subject="x", predicate="uses", object="y",
        ...                           evidence=(a, b))).rule_id
        'r2'
    """
    return min(rel.evidence, key=lambda ev: (-ev.confidence, _evidence_key(ev)))


def documents_by_id(kg: KnowledgeGraph) -> dict[str, Document]:
    """Return the documents of ``kg`` by id (what :func:`relation_values` looks metadata up in)."""
    return {doc.id: doc for doc in kg.documents}


def _document_metadata(doc_id: str, documents: Mapping[str, Document] | None) -> dict[str, str | None]:
    doc = documents.get(doc_id) if documents is not None else None
    return {"document_title": _opt(doc.title) if doc is not None else None,
            "document_date": doc.date if doc is not None else None,
            "document_url": _opt(doc.url) if doc is not None else None}


def evidence_json(rel: Relation, documents: Mapping[str, Document] | None = None) -> str:
    """Return all evidence of a relation as a compact, sorted JSON array.

    A piece of evidence whose document (in ``documents``, by id) has a
    title, date or URL carries them as ``document_title``,
    ``document_date`` and ``document_url``.

    Examples:
        >>> ev = Evidence(doc_id="d", start=0, end=3, sentence='say "hi"', rule_id="r",
        ...               confidence=0.8)
        >>> evidence_json(Relation(subject="x", predicate="uses", object="y", evidence=(ev,)))
        '[{"confidence":0.8,"document":"d","end":3,"rule":"r","sentence":"say \\\\"hi\\\\"","start":0}]'
    """
    items = [
        {
            "confidence": ev.confidence,
            "document": clean_text(ev.doc_id),
            **{k: v for k, v in _document_metadata(ev.doc_id, documents).items() if v is not None},
            "end": ev.end,
            "rule": clean_text(ev.rule_id),
            "sentence": clean_text(ev.sentence),
            "start": ev.start,
        }
        for ev in sorted_evidence(rel)
    ]
    return json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def relation_values(rel: Relation, documents: Mapping[str, Document] | None = None) -> dict[str, Value]:
    """Return the values of :data:`RELATION_PROPERTIES` for a relation.

    ``documents`` (:func:`documents_by_id`) gives the evidence's document
    titles, dates and URLs; without it they are ``None``.

    Examples:
        >>> ev = Evidence(doc_id="d", start=0, end=9, sentence="X uses Y.", rule_id="r",
        ...               confidence=0.7)
        >>> v = relation_values(Relation(subject="x", predicate="uses", object="y",
        ...                              evidence=(ev,), count=3))
        >>> v["predicate"], v["confidence"], v["sentence"], v["count"], v["amount"]
        ('uses', 0.7, 'X uses Y.', 3, None)
    """
    ev = primary_evidence(rel)
    return {
        "predicate": rel.predicate,
        "confidence": rel.confidence,
        "sentence": clean_text(ev.sentence),
        "document": clean_text(ev.doc_id),
        **_document_metadata(ev.doc_id, documents),
        "rule": clean_text(ev.rule_id),
        "char_start": ev.start,
        "char_end": ev.end,
        "evidence_count": len(rel.evidence),
        "evidence": evidence_json(rel, documents),
        "amount": rel.amount,
        "currency": _opt(rel.currency),
        "count": rel.count,
        "date": _opt(rel.date),
    }


def ordered_relations(kg: KnowledgeGraph) -> list[Relation]:
    """Return the relations in a total, input-independent order.

    ``KnowledgeGraph`` sorts relations by ``(subject, predicate, object)``;
    relations sharing that key (which assembly never produces) are further
    ordered by their evidence, so shuffled input still gives the same bytes.
    """
    return sorted(kg.relations, key=lambda r: (r.key, [_evidence_key(e) for e in sorted_evidence(r)]))


def string_elements(kg: KnowledgeGraph) -> Iterator[str]:
    """Yield every element of every array property (labels and aliases)."""
    for ent in kg.entities:
        yield from class_labels(ent.type)
        yield from (clean_text(a) for a in ent.aliases)


def map_values(values: dict[str, Value], props: Iterable[Property],
               encode: Callable[[Value, Property], str | None]) -> list[str | None]:
    """Encode ``values`` property by property, in ``props`` order."""
    return [encode(values[p.name], p) for p in props]
