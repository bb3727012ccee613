"""Assemble per-document extractions into one :class:`KnowledgeGraph`.

Entities merge across documents by gazetteer id or normalised name; each
gets one class (gazetteer, else the majority of its mentions), a canonical
label and every other surface form as an alias (the entity resolution of
:mod:`graph.extract.resolve`). Relations merge by
(subject, predicate, object) and keep one piece of evidence per sentence
(naming every rule that read it); their confidence combines the sentences
(noisy-or), never two rules on one sentence. The inferences of the rule
file (:mod:`graph.building.inference`) then add what the extracted
relations imply.

Cost: linear in the mentions and relations of the corpus. Each entity's
group of keys is gathered once (a dict by id), not by a scan of every key
per entity, which made assembly quadratic in distinct entities (issue 17,
``tests/bench/bench_scaling.py``, blank pipeline, 40 names per document,
assembly seconds: 10,000 names 49.6 s, 20,000 names 160.7 s before; now
10,000 names 2.0 s, 25,000 2.8 s, 50,000 5.3 s, 100,000 11.2 s, and the
whole build of 100,000 names 80 s at 584 MB peak).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from graph.building.inference import developer_from_name, infer
from graph.extract.extraction import Extraction
from graph.extract.resolve import EntityAcc, clean_surface, entity_ids, entity_names, entity_type
from graph.extract.rules import Rules
from graph.model import (
    SYMMETRIC_PREDICATES,
    Document,
    Entity,
    Evidence,
    KnowledgeGraph,
    Mention,
    Relation,
)

log = logging.getLogger(__name__)


@dataclass
class RelationAcc:
    evidence: dict[tuple, Evidence] = field(default_factory=dict)
    qualified: list[tuple[tuple, dict[str, Any]]] = field(default_factory=list)  # (order, qualifiers)

    def qualifiers(self) -> dict[str, Any]:
        """Qualifiers of the most confident evidence first (ties: earliest document and sentence)."""
        out: dict[str, Any] = {}
        for _order, quals in sorted(self.qualified, key=lambda x: x[0]):
            for q, v in sorted(quals.items()):
                out.setdefault(q, v)
        return out


def combine(confidences: Iterable[float]) -> float:
    """Combine independent confidences (noisy-or), rounded to 3 places.

    Examples:
        >>> combine([0.8, 0.5])
        0.9
    """
    miss = 1.0
    for c in confidences:
        miss *= 1.0 - c
    return round(min(1.0, 1.0 - miss), 3)


def per_sentence(evidence: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """One evidence row per sentence, in document order: the rules that read it, most
    confident first (space-separated), and the best of their confidences.

    Two rules reading one sentence are one reading, not two: confidence combines
    distinct sentences only (noisy-or over rows), so a sentence two rules match
    does not count as two witnesses.

    Examples:
        >>> a = Evidence(doc_id="d", start=0, end=9, sentence="s", rule_id="b_v1", confidence=0.8)
        >>> b = Evidence(doc_id="d", start=0, end=9, sentence="s", rule_id="a_v1", confidence=0.86)
        >>> [(e.rule_id, e.confidence) for e in per_sentence([a, b])]
        [('a_v1 b_v1', 0.86)]
    """
    groups: dict[tuple[str, int, int], list[Evidence]] = defaultdict(list)
    for ev in evidence:
        groups[(ev.doc_id, ev.start, ev.end)].append(ev)
    out = []
    for key in sorted(groups):
        evs = sorted(groups[key], key=lambda e: (-e.confidence, e.rule_id))
        if len(evs) == 1:
            out.append(evs[0])
            continue
        rules = list(dict.fromkeys(r for e in evs for r in e.rule_id.split()))
        out.append(replace(evs[0], rule_id=" ".join(rules)))
    return tuple(out)


def assemble(
    extractions: Iterable[tuple[Document, Extraction]],
    rules: Rules,
    *,
    min_confidence: float = 0.0,
) -> KnowledgeGraph:
    """Build the graph from ``(document, extraction)`` pairs.

    ``rules`` are those the extraction used: the gazetteer gives entities
    their ids, classes and labels; each relation rule's classes are checked
    again on the merged entities; the inferences add what the relations
    imply. The extractions are consumed one at a time and may come in any
    order: the result depends only on their content.
    """
    gazetteer, ruleset = rules.index, rules.relations
    entities: dict[str, EntityAcc] = {}
    relations: dict[tuple[str, str, str], RelationAcc] = defaultdict(RelationAcc)
    documents: list[Document] = []
    doc_mentions: dict[str, set[str]] = defaultdict(set)
    pending: list[tuple[str, str, str, Evidence, dict[str, Any]]] = []
    first_sentence: dict[tuple[str, str], tuple[int, int]] = {}  # (doc, key) -> sentence span
    texts: dict[str, dict[int, str]] = {}  # doc -> sentence start -> sentence

    for src, ext in extractions:
        documents.append(src)
        keys: list[str] = []
        sentences = ext.sentence_texts()
        # of the text, only sentences evidence may quote stay: the corpus never piles up in memory
        firsts = texts[src.id] = {}
        for m in ext.mentions:
            keys.append(m.key)
            if not m.coref and (src.id, m.key) not in first_sentence:
                first_sentence[(src.id, m.key)] = m.sentence
                firsts[m.sentence[0]] = sentences[m.sentence[0]]
            acc = entities.setdefault(m.key, EntityAcc(m.key))
            mention = Mention(doc_id=src.id, start=m.start, end=m.end, text=m.text, type=m.type, rule_id=m.rule)
            acc.mentions.append(mention)
            if m.coref:
                continue  # kept for review, but a pronoun or description names nothing
            acc.types[m.type] += 1
            acc.surfaces[clean_surface(m.text)] += 1
            doc_mentions[src.id].add(m.key)
        for q in ext.entity_qualifiers:
            acc = entities.setdefault(q.key, EntityAcc(q.key))
            old = acc.qualifiers.get(q.name)
            if old is None or src.id < old[0]:  # the first document's value, whatever the order
                acc.qualifiers[q.name] = (src.id, q.value)
        for r in ext.relations:
            s0, s1 = r.sentence
            ev = Evidence(doc_id=src.id, start=s0, end=s1, sentence=sentences[s0],
                          rule_id=r.rule, confidence=r.confidence)
            pending.append((keys[r.subject], r.predicate, keys[r.object], ev, dict(r.qualifiers)))

    ids = entity_ids(entities, gazetteer)
    types = {k: entity_type(acc, gazetteer) for k, acc in entities.items()}

    ruleset_rules = {r.id: r for r in ruleset.rules}
    for skey, pred, okey, ev, quals in pending:
        s, o = ids[skey], ids[okey]
        if s == o:
            continue
        rule = ruleset_rules.get(ev.rule_id)
        if rule is not None and (types[skey] not in rule.subject or types[okey] not in rule.object):
            log.debug("dropped %s %s %s: classes %s/%s do not fit %s", s, pred, o, types[skey], types[okey], rule.id)
            continue
        if pred in SYMMETRIC_PREDICATES and o < s:
            s, o = o, s
        acc = relations[(s, pred, o)]
        k = (ev.doc_id, ev.start, ev.end, ev.rule_id)
        if k not in acc.evidence or acc.evidence[k].confidence < ev.confidence:
            acc.evidence[k] = ev
        if quals:
            acc.qualified.append(((-ev.confidence, ev.doc_id, ev.start, ev.rule_id), quals))

    id_type = {ids[k]: types[k] for k in entities}
    names = {ids[k]: entity_names(k, a, gazetteer, [a])[0] for k, a in entities.items()}
    marks: dict[str, set[str]] = defaultdict(set)
    for k, a in entities.items():
        marks[ids[k]].update(a.qualifiers)
    for inf in ruleset.inferences:
        if inf.function == "developer_from_name":
            developer_from_name(relations, inf, entities, ids, id_type, names, first_sentence, texts, gazetteer,
                                marks)
    infer(relations, ruleset, id_type, marks)

    rel_objs: list[Relation] = []
    for (s, p, o), acc in relations.items():
        evs = per_sentence(acc.evidence.values())
        conf = combine(e.confidence for e in evs)
        if conf < min_confidence:
            continue
        q = acc.qualifiers()
        rel_objs.append(Relation(
            subject=s, predicate=p, object=o, evidence=evs, confidence=conf,
            amount=Decimal(str(q["amount"])) if "amount" in q else None,
            currency=q.get("currency"), count=q.get("count"), date=q.get("date"),
        ))

    # the keys of each id, in the order of ``entities``: an entity's group is looked up,
    # not gathered by a scan of every key (a scan per entity was quadratic: 20,000
    # names, 62 s; see tests/bench/bench_scaling.py)
    groups: dict[str, list[EntityAcc]] = defaultdict(list)
    for k, a in entities.items():
        groups[ids[k]].append(a)
    ent_objs: dict[str, Entity] = {}
    for key, acc in entities.items():
        eid = ids[key]
        if eid in ent_objs:
            continue
        label, aliases = entity_names(key, acc, gazetteer, groups[eid])
        gz = gazetteer.by_id.get(key[3:]) if key.startswith("gz:") else None
        mentions = tuple(sorted(
            (m for a in groups[eid] for m in a.mentions),
            key=lambda m: (m.doc_id, m.start),
        ))
        if not any(not m.rule_id.startswith("coref_") for m in mentions):
            continue  # only ever referred to by a pronoun
        ent_objs[eid] = Entity(
            id=eid, type=types[key], label=label, aliases=aliases, mentions=mentions,
            wikidata=gz.wikidata if gz else None,
            parameter_count=int(acc.qualifier("parameterCount")) if acc.qualifier("parameterCount") else None,
            market_share=Decimal(acc.qualifier("marketShare")) if acc.qualifier("marketShare") else None,
        )
    rel_objs = [r for r in rel_objs if r.subject in ent_objs and r.object in ent_objs]
    mentioned = tuple(sorted(
        (d, tuple(sorted({ids[k] for k in keys if ids[k] in ent_objs}))) for d, keys in doc_mentions.items()
    ))
    return KnowledgeGraph(documents=tuple(documents), entities=tuple(ent_objs.values()),
                          relations=tuple(rel_objs), mentions_by_doc=mentioned)


