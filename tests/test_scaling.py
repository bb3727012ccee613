"""Bounds on the cost of long sentences and large corpora (issue 17, items 9-10).

No test here is timed: each counts the work done (readings materialised,
pairs weighed, look-ups made) and checks a bound that a quadratic
algorithm breaks. The curves themselves are printed by
``tests/bench/bench_scaling.py``.
"""

from __future__ import annotations

import logging

import pytest

import graph
import graph.building.assemble as assemble_module
from graph.building.assemble import assemble
from graph.building.builder import Builder
from graph.extract.extraction import get_extraction
from graph.extract.mentions import Budget, doc_mentions
from graph.extract.pipeline import load_nlp
from graph.extract.rules import load_rules
from graph.extract.surface import LONG_LIST, match_sentence


def listing(n: int) -> str:
    """One sentence listing ``n`` names before its verb."""
    return ", ".join(f"Zed{i} Corp" for i in range(1, n)) + f" and Zed{n} Corp invested in Acme Corp."


def expected(n: int) -> set[tuple[str, str, str]]:
    return {(f"Zed{i}", p, "Acme") for i in range(1, n + 1) for p in ("investsIn", "backerOf")}


@pytest.fixture(scope="module")
def nlp():
    return load_nlp("blank")


def test_scaling_a_short_list_reads_every_name():
    assert set(graph.build([listing(5)], model="blank").triples()) == expected(5)


def test_scaling_a_long_list_is_read_once_per_name_not_once_per_suffix(nlp):
    # a pattern that opens with a list slot matched from every name to the list's end:
    # n(n+1)/2 readings of each predicate (20,100 here), now one per name and predicate
    n = 200
    ext = get_extraction(nlp(listing(n)))
    assert len(ext.relations) == 2 * n
    assert ext.notes and f"lists {n} names in a row" in ext.notes[0]


def test_scaling_a_long_list_yields_the_relations_of_a_short_one():
    n = LONG_LIST + 10
    assert set(graph.build([listing(n)], model="blank").triples()) == expected(n)


def test_scaling_a_long_list_is_named_in_a_warning(caplog):
    with caplog.at_level(logging.WARNING):
        Builder(model="blank").build([listing(LONG_LIST + 1)])
    assert any(r.message.startswith("text-1: the sentence at characters 0-") and "names in a row" in r.message
               for r in caplog.records)


def test_scaling_a_short_list_leaves_no_note(nlp):
    assert get_extraction(nlp(listing(LONG_LIST))).notes == ()


def test_scaling_pairs_per_sentence_stop_at_the_budget(nlp):
    from graph.extract.relations import RelationExtractor

    rx = RelationExtractor(load_rules())
    doc = nlp(listing(30))
    sent = next(iter(doc.sents))
    mentions = sorted(doc_mentions(doc, load_rules().index), key=lambda m: m.start)
    budget = Budget(pairs=7)
    found, _blocked = match_sentence(sent, mentions, rx.rules, [], index=rx.index, scope=rx.scope, budget=budget)
    assert budget.exhausted
    assert len({(f.subject.key, f.object.key) for f in found}) == 7


class CountingIds(dict):
    """The ids of :func:`entity_ids`, counting look-ups."""

    lookups = 0

    def __getitem__(self, key):
        CountingIds.lookups += 1
        return super().__getitem__(key)


def test_scaling_assembly_looks_up_each_entity_a_bounded_number_of_times(monkeypatch):
    # the entity loop gathered each entity's group by a scan of every key: n^2 look-ups
    n = 300
    texts = ["\n".join(f"Zed{k} Corp acquired Zed{k + 1} Corp." for k in range(i, i + 20, 2))
             for i in range(1, n, 20)]
    extractions = list(Builder(model="blank").extract(texts))
    real = assemble_module.entity_ids
    monkeypatch.setattr(assemble_module, "entity_ids", lambda *a: CountingIds(real(*a)))
    CountingIds.lookups = 0
    kg = assemble(extractions, load_rules())
    assert len(kg.entities) == n
    assert CountingIds.lookups < 20 * n


def test_scaling_short_forms_look_up_their_long_forms(monkeypatch):
    # each one-word name was compared with every multi-word name of the document: n^2
    from graph.extract import resolve

    calls = []
    real = resolve.compatible
    monkeypatch.setattr(resolve, "compatible", lambda a, b: calls.append(1) or real(a, b))
    n = 300
    mentions = [(f"nm:zed{i} labs", f"Zed{i} Labs", "Company") for i in range(n)]
    mentions += [(f"nm:qux{i}", f"Qux{i}", "Company") for i in range(n)]
    mentions += [("nm:zed7", "Zed7", "Company"), ("nm:zl", "ZL", "Company")]  # ZL: 300 candidates, no merge
    keys, merges = resolve.doc_keys(mentions)
    assert merges == [("nm:zed7", "nm:zed7 labs", "short form")] and keys[-2] == "nm:zed7 labs"
    assert len(calls) < 2 * n  # was 90,600: every one-word name against every long form
