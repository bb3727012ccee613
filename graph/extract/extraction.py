"""What extraction hands to the build stage for one document: typed, plain data.

An :class:`Extraction` is what a worker process (or a Dask worker) returns
for a document, what ``kg build --update`` caches, and what
:func:`graph.building.assemble.assemble` reads. It holds no spaCy object
and no document text but the sentences evidence quotes, so that the corpus
never piles up in memory.

Its JSON form (:meth:`Extraction.to_json`) is compact (each record a list of
its fields, in the order the dataclass declares them) and carries
:data:`SCHEMA_VERSION`, which is part of the pipeline signature: a cache
written by another schema is never read.

Examples:
    >>> m = MentionRecord(0, 4, "Acme", "Company", "nm:acme", "ner_org", False, (0, 20))
    >>> ext = Extraction(mentions=(m,), sentences=(SentenceRecord(0, 20, "Acme makes widgets."),))
    >>> Extraction.from_json(ext.to_json()) == ext
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The version of the JSON form; bump it when a record's fields change.
SCHEMA_VERSION = 2

#: The key of ``Doc.user_data`` that carries a document's extraction (as JSON).
USER_DATA_KEY = "kg"


@dataclass(frozen=True, slots=True)
class MentionRecord:
    """A typed span of the document: character offsets, surface, class and key.

    ``key`` is the document-level identity (``gz:<id>`` for a gazetteer
    entity, ``nm:<normalised name>`` otherwise); ``coref`` marks a pronoun or
    description resolved to that key; ``sentence`` is the ``(start, end)``
    of its sentence.
    """

    start: int
    end: int
    text: str
    type: str
    key: str
    rule: str
    coref: bool
    sentence: tuple[int, int]


@dataclass(frozen=True, slots=True)
class RelationRecord:
    """A relation read from one sentence: mention indexes, predicate, rule.

    ``qualifiers`` are ``(name, value)`` pairs sorted by name: ``amount``
    and ``currency`` (text), ``count`` (int), ``date`` (text).
    """

    subject: int
    predicate: str
    object: int
    rule: str
    confidence: float
    sentence: tuple[int, int]
    qualifiers: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class SentenceRecord:
    """A sentence some mention or relation refers to: offsets and text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class BlockedRecord:
    """A match that was not asserted, and why (``"rule_v1: reportedly"``)."""

    subject: str
    predicate: str
    object: str
    reason: str


@dataclass(frozen=True, slots=True)
class EntityQualifier:
    """A value about an entity (``parameterCount``, ``marketShare``) by its key."""

    key: str
    name: str
    value: Any


@dataclass(frozen=True, slots=True)
class Extraction:
    """Everything extraction found in one document (see the module docstring)."""

    mentions: tuple[MentionRecord, ...] = ()
    relations: tuple[RelationRecord, ...] = ()
    sentences: tuple[SentenceRecord, ...] = ()
    blocked: tuple[BlockedRecord, ...] = ()
    entity_qualifiers: tuple[EntityQualifier, ...] = ()
    #: what extraction left unread in a sentence beyond its bounds (a list of
    #: thousands of names), for the build to report with the document's name
    notes: tuple[str, ...] = ()

    def sentence_texts(self) -> dict[int, str]:
        """The text of each sentence by its start offset."""
        return {s.start: s.text for s in self.sentences}

    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (lists, strings, numbers) that :meth:`from_json` reads back.

        Written field by field (``dataclasses.astuple`` deep-copies every value:
        a tenth of the relation component's time).
        """
        return {
            "schema": SCHEMA_VERSION,
            "mentions": [[m.start, m.end, m.text, m.type, m.key, m.rule, m.coref, list(m.sentence)]
                         for m in self.mentions],
            "relations": [[r.subject, r.predicate, r.object, r.rule, r.confidence, list(r.sentence),
                           [list(q) for q in r.qualifiers]] for r in self.relations],
            "sentences": [[s.start, s.end, s.text] for s in self.sentences],
            "blocked": [[b.subject, b.predicate, b.object, b.reason] for b in self.blocked],
            "entity_qualifiers": [[q.key, q.name, q.value] for q in self.entity_qualifiers],
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extraction:
        """Read :meth:`to_json`'s data (from a worker, a Dask task or the cache).

        Raises:
            ValueError: the data is of another schema version.
        """
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"extraction schema {data.get('schema')!r} is not {SCHEMA_VERSION}")
        return cls(
            mentions=tuple(MentionRecord(s, e, t, ty, k, r, bool(c), (a, b))
                           for s, e, t, ty, k, r, c, (a, b) in data["mentions"]),
            relations=tuple(RelationRecord(s, p, o, r, c, (a, b), tuple((q, v) for q, v in quals))
                            for s, p, o, r, c, (a, b), quals in data["relations"]),
            sentences=tuple(SentenceRecord(*s) for s in data["sentences"]),
            blocked=tuple(BlockedRecord(*b) for b in data["blocked"]),
            entity_qualifiers=tuple(EntityQualifier(*q) for q in data["entity_qualifiers"]),
            notes=tuple(data["notes"]),
        )


def set_extraction(doc: Any, extraction: Extraction) -> None:  # noqa: ANN401 - a spaCy Doc
    """Store ``extraction`` on a spaCy ``Doc`` (as JSON data: it crosses processes)."""
    doc.user_data[USER_DATA_KEY] = extraction.to_json()


def get_extraction(doc: Any) -> Extraction:  # noqa: ANN401 - a spaCy Doc
    """The extraction :func:`set_extraction` stored on ``doc``."""
    return Extraction.from_json(doc.user_data[USER_DATA_KEY])
