"""Inferences: what the extracted relations imply, from the ``inferences`` of ``relations.yaml``.

An inference joins relations (``if``) and adds, or removes, a conclusion
(``then``); each added relation's evidence is the best sentence of each
premise, with the inference's id as its rule. ``developer_from_name`` is
the one inference that needs more than joins: a model or product named
after an organisation of the same document is that organisation's.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from graph.extract.relation_rules import RuleSet
from graph.extract.resolve import GazetteerIndex, strip_legal
from graph.model import Evidence

if TYPE_CHECKING:
    from graph.building.assemble import RelationAcc
    from graph.extract.resolve import EntityAcc

def _all_names(key: str, acc: EntityAcc, gz: GazetteerIndex) -> list[str]:
    """An entity's label, gazetteer aliases and surface forms, legal suffixes dropped."""
    names = set(acc.surfaces)
    if key.startswith("gz:"):
        names.update(gz.by_id[key[3:]].names)
    return sorted({strip_legal(n) for n in names if n})


def developer_from_name(relations, inf, entities, ids, id_type, names, first_sentence, texts, gazetteer,  # noqa: ANN001
                        marks=None) -> None:  # noqa: ANN001
    """A model or product named after an organisation of the same document
    ("Acme-7", "Acme Cloud") is that organisation's: its developer, or its
    maker when it is a chip or a physical good ("Acme A350-1000 jets"; the
    vocabulary's convention: the owner of a product brand is its
    manufacturerOf)."""
    marks = marks or {}
    by_doc: dict[str, list[str]] = defaultdict(list)
    for (doc_id, key) in first_sentence:
        by_doc[doc_id].append(key)
    for doc_id, keys in sorted(by_doc.items()):
        orgs = [(k, n) for k in keys if id_type[ids[k]] in ("Company", "Organization")
                for n in _all_names(k, entities[k], gazetteer)]
        for k in keys:
            mid = ids[k]
            if id_type[mid] not in ("AIModel", "Product", "Chip"):
                continue
            made = id_type[mid] == "Chip" or "goods" in marks.get(mid, ())
            pred = "manufacturerOf" if made else "developerOf"
            label = names[mid]
            for okey, oname in orgs:
                oid = ids[okey]
                if len(oname) >= 3 and any(label.startswith(oname + sep) for sep in (" ", "-")):
                    s0, s1 = first_sentence[(doc_id, k)]
                    ev = Evidence(doc_id=doc_id, start=s0, end=s1, sentence=texts[doc_id][s0],
                                  rule_id=inf.id, confidence=inf.confidence)
                    acc = relations[(oid, pred, mid)]
                    acc.evidence.setdefault((doc_id, s0, s1, inf.id), ev)
                    break


def infer(relations: dict[tuple[str, str, str], RelationAcc], ruleset: RuleSet, types: dict[str, str],
          marks: dict[str, set[str]] | None = None) -> None:
    """Apply the rule file's inferences until nothing new is added; ``marks``
    are the entity qualifiers an inference's ``qualified`` may require."""
    marks = marks or {}
    for _round in range(3):
        added = False
        for inf in ruleset.inferences:
            if inf.function:
                continue
            by_pred: dict[str, list[tuple[str, str]]] = defaultdict(list)
            for s, p, o in list(relations):
                by_pred[p].append((s, o))
            by_end: dict[tuple[str, int], dict[str, list[tuple[str, str]]]] = {}
            bindings: list[tuple[dict[str, str], list[tuple[str, str, str]]]] = [({}, [])]
            for vs, pred, vo in inf.premises:
                nxt = []
                for env, used in bindings:
                    for s, o in _candidates(by_pred, pred, env.get(vs), env.get(vo), by_end):
                        if env.get(vs, s) != s or env.get(vo, o) != o:
                            continue
                        e2 = {**env, vs: s, vo: o}
                        if any(v in inf.types and types.get(e2[v]) not in inf.types[v] for v in (vs, vo)):
                            continue
                        if any(q not in marks.get(e2[v], ()) for v, q in inf.qualified if v in e2):
                            continue
                        nxt.append((e2, [*used, (s, pred, o)]))
                bindings = nxt
            to_delete: set[tuple[str, str, str]] = set()
            for env, used in bindings:
                cs, cp, co = env[inf.conclusion[0]], inf.conclusion[1], env[inf.conclusion[2]]
                if cs == co:
                    continue
                key = (cs, cp, co)
                if inf.remove:
                    to_delete.add(key)
                    continue
                if key not in relations:
                    added = True
                acc = relations[key]
                for premise in used:
                    # the premise's best sentence, not all of them: a fact said in a thousand
                    # articles would otherwise lend a thousand sentences to every conclusion
                    # drawn from it (evidence growing with the square of the corpus)
                    said = relations[premise].evidence.values()
                    if not said:
                        continue
                    ev = min(said, key=lambda e: (-e.confidence, e.doc_id, e.start, e.end, e.rule_id))
                    new = Evidence(doc_id=ev.doc_id, start=ev.start, end=ev.end, sentence=ev.sentence,
                                   rule_id=inf.id, confidence=round(min(ev.confidence, inf.confidence), 3))
                    acc.evidence.setdefault((ev.doc_id, ev.start, ev.end, inf.id), new)
                if inf.replace:
                    to_delete.add(used[0])
            for key in to_delete:
                relations.pop(key, None)
        if not added:
            break


def _candidates(by_pred: dict[str, list[tuple[str, str]]], pred: str, s: str | None, o: str | None,
                by_end: dict[tuple[str, int], dict[str, list[tuple[str, str]]]]) -> list[tuple[str, str]]:
    """The ``(subject, object)`` pairs of ``pred`` that may bind a premise whose subject is
    ``s`` and object ``o`` (None: free), in the order of ``by_pred``.

    A bound end is looked up in an index of ``pred`` by that end (made once per round,
    in ``by_end``), not found by a scan of every pair of ``pred`` for each binding: the
    join of two premises was quadratic in the relations of the corpus.
    """
    pairs = by_pred.get(pred, [])
    if s is None and o is None:
        return pairs
    end = 0 if s is not None else 1
    index = by_end.get((pred, end))
    if index is None:
        index = by_end[(pred, end)] = {}
        for pair in pairs:
            index.setdefault(pair[end], []).append(pair)
    return index.get(s if s is not None else o, [])
