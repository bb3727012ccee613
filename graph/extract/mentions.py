"""Mentions inside one document: their document-level keys, and the relation matches over them.

A :class:`M` is a typed span the recognizers found (or a pronoun or
description :mod:`graph.extract.coref` resolved); :func:`doc_mentions` gives
each a key that is the same for every mention of one entity in the
document: its gazetteer id (``gz:<id>``), else its normalised name
(``nm:<name>``), with short forms, surnames and acronyms merged into the
long form (:func:`graph.extract.resolve.doc_keys`). A :class:`Found` is a
relation a rule read between two mentions of one sentence.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from spacy.tokens import Doc, Span

from graph.extract.resolve import GazetteerIndex, doc_keys, normalize
from graph.model import SUPERCLASS, subclasses


@dataclass(slots=True)
class M:
    """A mention inside one document (token and char offsets, class, key)."""

    start: int  # token
    end: int
    start_char: int
    end_char: int
    text: str
    type: str
    rule: str
    key: str = ""
    coref: bool = False
    possessive: bool = False


@dataclass(slots=True)
class Found:
    """A relation read from one sentence: two mentions, a predicate, the rule."""

    subject: M
    predicate: str
    object: M
    rule: str
    confidence: float
    sent: Span
    qualifiers: dict[str, Any]
    dated: bool = True  # an event (a clause) can carry a date; a nominal fact cannot


#: The most subject-object pairs the rules of all layers may weigh in one sentence.
#: A sentence yields pairs in proportion to its mentions when one list faces one
#: name ("Zed1, ..., Zed10000 invested in Acme": 10,000), but a list facing a
#: list would yield their product (issue 17: 5,000 x 5,000 names, 25 million
#: relations); past this many the sentence yields no more and a note names it.
#: Real sentences weigh at most a few hundred pairs.
MAX_PAIRS = 100_000


@dataclass(slots=True)
class Budget:
    """What the rules may still weigh in one sentence (:data:`MAX_PAIRS`), and, in a
    sentence of long lists (:data:`graph.extract.surface.LONG_LIST`), the readings
    already made, so that overlapping matches over a list add each reading once."""

    pairs: int = MAX_PAIRS
    seen: set[Hashable] | None = None
    #: the number of names of the longest list of the sentence, if it is a long one
    long_list: int = 0

    def spend(self) -> bool:
        """Take one pair; False once the budget is spent."""
        self.pairs -= 1
        return self.pairs >= 0

    @property
    def exhausted(self) -> bool:
        return self.pairs < 0

    def first(self, reading: Hashable) -> bool:
        """Whether ``reading`` is new (always, unless the sentence has long lists)."""
        if self.seen is None:
            return True
        if reading in self.seen:
            return False
        self.seen.add(reading)
        return True


def doc_mentions(doc: Doc, gazetteer: GazetteerIndex, prefixes: frozenset[str] = frozenset()) -> list[M]:
    """Return the document's entity mentions with document-level keys (``prefixes``: see
    :func:`graph.extract.resolve.doc_keys`)."""
    rules = {(s.start, s.end): s.label_ for s in doc.spans.get("kg_rules", [])}
    ms: list[M] = []
    for ent in doc.ents:
        key = f"gz:{ent.ent_id_}" if ent.ent_id_ else None
        if key is None:
            hit = gazetteer.lookup(ent.text)
            if hit is not None and _type_fits(gazetteer.by_id[hit].type, ent.label_):
                key = f"gz:{hit}"
            else:
                key = f"nm:{normalize(ent.text)}"
        ms.append(M(ent.start, ent.end, ent.start_char, ent.end_char, ent.text, ent.label_,
                    rules.get((ent.start, ent.end), "ner"), key))
    keys, merges = doc_keys([(m.key, m.text, m.type) for m in ms], prefixes)
    reasons = {frm: reason for frm, _to, reason in merges}
    for m, k in zip(ms, keys, strict=True):
        if k != m.key and m.key in reasons:
            m.rule = f"{m.rule}+{reasons[m.key].replace(' ', '_')}"  # reviewable: how it was merged
        m.key = k
    # a gazetteer type wins over the type a short form was given
    for m in ms:
        if m.key.startswith("gz:"):
            m.type = gazetteer.by_id[m.key[3:]].type
    return ms


_ORG = subclasses("Organization")


def _type_fits(gz_type: str, seen: str) -> bool:
    """Whether a name the NER typed ``seen`` may be the gazetteer entity of class ``gz_type``."""
    top = lambda t: SUPERCLASS.get(t, t)  # noqa: E731
    return top(gz_type) == top(seen) or seen in ("Company", "Organization") and gz_type in _ORG
