"""The data model: documents, mentions, entities, relations, the graph.

Plain frozen dataclasses with no I/O and no third-party imports. Every
exporter receives one :class:`KnowledgeGraph`; it is built sorted, so every
output derived from it is deterministic.

Examples:
    >>> ev = Evidence(doc_id="d1", start=0, end=21, sentence="Acme makes Widget X.",
    ...               rule_id="manufacturer_v1", confidence=0.8)
    >>> rel = Relation(subject="acme", predicate="manufacturerOf", object="widget-x",
    ...                evidence=(ev,))
    >>> rel.confidence
    0.8
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
import re
from decimal import Decimal

_QID = re.compile(r"Q[1-9][0-9]*")

#: Entity classes of the vocabulary, most general first within each branch.
ENTITY_TYPES: tuple[str, ...] = (
    "Organization",
    "Company",
    "GovernmentBody",
    "Project",
    "Product",
    "Chip",
    "AIModel",
    "Technology",
    "Approach",
    "Person",
    "Place",
    "Country",
    "City",
)

#: Direct superclass of each entity class that has one.
SUPERCLASS: dict[str, str] = {
    "Company": "Organization",
    "GovernmentBody": "Organization",
    "Chip": "Product",
    "AIModel": "Product",
    "Country": "Place",
    "City": "Place",
}

#: Object properties between entities (ekg:mentions is document → entity).
PREDICATES: tuple[str, ...] = (
    "partnerIn",
    "supplierOf",
    "manufacturerOf",
    "uses",
    "developerOf",
    "trainedOn",
    "headquarteredIn",
    "locatedIn",
    "investsIn",
    "backerOf",
    "distributorOf",
    "competitorOf",
    "subsidiaryOf",
    "acquired",
    "foundedBy",
    "employeeOf",
    "ceoOf",
    "restricts",
)

SYMMETRIC_PREDICATES: frozenset[str] = frozenset({"competitorOf"})


def superclasses(cls: str) -> tuple[str, ...]:
    """Return ``cls`` followed by all its superclasses.

    Examples:
        >>> superclasses("Chip")
        ('Chip', 'Product')
    """
    out = [cls]
    while out[-1] in SUPERCLASS:
        out.append(SUPERCLASS[out[-1]])
    return tuple(out)


def subclasses(cls: str) -> tuple[str, ...]:
    """Return ``cls`` and every class below it.

    Examples:
        >>> subclasses("Place")
        ('Place', 'Country', 'City')
    """
    return tuple(t for t in ENTITY_TYPES if cls in superclasses(t))


_URL = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


def _is_iso_date(value: str) -> bool:
    """True for a real calendar date written ``YYYY-MM-DD``."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_span(owner: str, start: int, end: int) -> None:
    if start < 0:
        raise ValueError(f"{owner}.start ({start}) must be >= 0")
    if end <= start:
        raise ValueError(f"{owner}.end ({end}) must be greater than start ({start})")


def _check_confidence(owner: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{owner}.confidence ({value!r}) must be in [0, 1]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    """A source text: its id (stable, unique in a build), where it came from.

    ``title``, ``date`` (ISO ``YYYY-MM-DD``) and ``url`` (http or https) are the article's own
    metadata when the input states them, else ``None``.
    """

    id: str
    source: str
    content_hash: str
    chars: int = 0
    title: str | None = None
    date: str | None = None
    url: str | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("Document.id must not be empty")
        if self.title is not None and (not self.title.strip() or self.title != self.title.strip()):
            raise ValueError(f"Document.title ({self.title!r}) must be non-empty and stripped")
        if self.date is not None and not _is_iso_date(self.date):
            raise ValueError(f"Document.date ({self.date!r}) must be an ISO date YYYY-MM-DD")
        if self.url is not None and not _URL.fullmatch(self.url):
            raise ValueError(f"Document.url ({self.url!r}) must be an http(s) URL without spaces")


@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """A typed span of a document, with character offsets."""

    doc_id: str
    start: int
    end: int
    text: str
    type: str
    rule_id: str

    def __post_init__(self) -> None:
        _check_span("Mention", self.start, self.end)
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"Mention.type ({self.type!r}) not in {ENTITY_TYPES}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """Where a relation was read: the sentence, its offsets, the rule."""

    doc_id: str
    start: int
    end: int
    sentence: str
    rule_id: str
    confidence: float

    def __post_init__(self) -> None:
        _check_span("Evidence", self.start, self.end)
        _check_confidence("Evidence", self.confidence)
        if not self.rule_id:
            raise ValueError("Evidence.rule_id must not be empty")
        if not self.sentence.strip():
            raise ValueError(f"Evidence.sentence of {self.doc_id!r} at {self.start} must not be empty")


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    """One real-world thing: stable id, one class, canonical label, aliases."""

    id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    mentions: tuple[Mention, ...] = ()
    wikidata: str | None = None
    parameter_count: int | None = None
    market_share: Decimal | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("Entity.id must not be empty")
        if self.type not in ENTITY_TYPES:
            raise ValueError(f"Entity.type ({self.type!r}) not in {ENTITY_TYPES}")
        if not self.label.strip():
            raise ValueError(f"Entity.label of {self.id!r} must not be empty")
        if any(not alias.strip() for alias in self.aliases):
            raise ValueError(f"Entity.aliases of {self.id!r} must not contain an empty name")
        if self.wikidata is not None and not _QID.fullmatch(self.wikidata):
            raise ValueError(f"Entity.wikidata of {self.id!r} ({self.wikidata!r}) is not a Wikidata id like 'Q42'")
        if self.market_share is not None and not 0 <= self.market_share <= 1:
            raise ValueError(f"Entity.market_share ({self.market_share}) must be in [0, 1]")
        if self.parameter_count is not None and self.parameter_count < 1:
            raise ValueError(f"Entity.parameter_count ({self.parameter_count}) must be >= 1")

    @property
    def names(self) -> tuple[str, ...]:
        """The label followed by every alias."""
        return (self.label, *self.aliases)


@dataclass(frozen=True, slots=True, kw_only=True)
class Relation:
    """A typed relation between two entity ids, with its evidence.

    ``confidence`` defaults to the highest confidence among the evidence.
    Qualifiers (amount, currency, count, date) are optional.
    """

    subject: str
    predicate: str
    object: str
    evidence: tuple[Evidence, ...]
    confidence: float = -1.0
    amount: Decimal | None = None
    currency: str | None = None
    count: int | None = None
    date: str | None = None

    def __post_init__(self) -> None:
        if self.predicate not in PREDICATES:
            raise ValueError(f"Relation.predicate ({self.predicate!r}) not in {PREDICATES}")
        if not self.evidence:
            raise ValueError(
                f"Relation {self.subject} {self.predicate} {self.object} needs evidence"
            )
        if self.confidence == -1.0:
            object.__setattr__(self, "confidence", max(e.confidence for e in self.evidence))
        _check_confidence("Relation", self.confidence)

    @property
    def key(self) -> tuple[str, str, str]:
        """The ``(subject, predicate, object)`` triple of entity ids."""
        return (self.subject, self.predicate, self.object)


@dataclass(frozen=True, slots=True, kw_only=True)
class KnowledgeGraph:
    """Documents, entities and relations, sorted for deterministic output."""

    documents: tuple[Document, ...] = ()
    entities: tuple[Entity, ...] = ()
    relations: tuple[Relation, ...] = ()
    mentions_by_doc: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "documents", tuple(sorted(self.documents, key=lambda d: d.id)))
        object.__setattr__(self, "entities", tuple(sorted(self.entities, key=lambda e: e.id)))
        object.__setattr__(self, "relations", tuple(sorted(self.relations, key=lambda r: r.key)))
        ids = [e.id for e in self.entities]
        if len(set(ids)) != len(ids):
            raise ValueError("KnowledgeGraph.entities has duplicate ids")
        known = set(ids)
        for rel in self.relations:
            for end in (rel.subject, rel.object):
                if end not in known:
                    raise ValueError(f"Relation {rel.key} refers to unknown entity {end!r}")

    def entity(self, entity_id: str) -> Entity:
        """Return the entity with ``entity_id``; raise ``KeyError`` if absent."""
        for ent in self.entities:
            if ent.id == entity_id:
                return ent
        raise KeyError(entity_id)

    def find(self, name: str) -> Entity | None:
        """Return the entity one of whose names equals ``name`` (case-insensitive)."""
        want = name.casefold()
        for ent in self.entities:
            if any(n.casefold() == want for n in ent.names):
                return ent
        return None

    def triples(self) -> set[tuple[str, str, str]]:
        """Return the relations as ``(subject label, predicate, object label)``."""
        label = {e.id: e.label for e in self.entities}
        return {(label[r.subject], r.predicate, label[r.object]) for r in self.relations}
