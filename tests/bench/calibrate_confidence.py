"""Measure each relation rule's precision on annotated articles; optionally
write calibrated confidences into graph/patterns/relations.yaml.

A rule's confidence is meant to say how often it is right. This script builds
every article of the given gold sets, judges each relation whose two ends the
gold lists (right if the gold has it), and prints per-rule precision. With
--write it sets each surface/dependency rule's `confidence:` to a smoothed
estimate, (right + k * prior) / (judged + k), where prior is the hand-set
value and k (default 10) keeps rules with few observations near their prior.

    python tests/bench/calibrate_confidence.py            # print
    python tests/bench/calibrate_confidence.py --write    # update the rule file

The sets used are tuning data (the rules were written looking at their
misses), so the figures flatter the rules; the held-out set heldout2 is
deliberately not used here.
"""

from __future__ import annotations

import argparse
import re
from collections import defaultdict
from pathlib import Path

import graph
from graph.evaluate import load_gold, norm
from graph.model import SYMMETRIC_PREDICATES
from graph.resources import pattern_path
from graph.extract.rules import load_relation_rules

ROOT = Path(__file__).resolve().parents[2]
SETS = [
    (ROOT / "tests/data/gold/dev", ROOT / "tests/data/corpus/dev"),
    (ROOT / "tests/data/heldout/gold", ROOT / "tests/data/heldout/corpus"),
]


def measure() -> dict[str, list[int]]:
    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for gold_dir, corpus_dir in SETS:
        for gp in sorted(gold_dir.glob("*.json")):
            gold = load_gold(gp)
            kg = graph.build([corpus_dir / (gp.stem + ".txt")])
            index = {}
            for e in gold["entities"]:
                for n in [e["label"], *e.get("aliases", [])]:
                    index.setdefault(norm(n), e["label"])
            gold_rel = {tuple(r) for r in gold["relations"]}
            for r in kg.relations:
                gs = {index[norm(n)] for n in kg.entity(r.subject).names if norm(n) in index}
                go = {index[norm(n)] for n in kg.entity(r.object).names if norm(n) in index}
                if not gs or not go:
                    continue  # the gold does not list an end: not judged
                ok = any((a, r.predicate, b) in gold_rel or
                         (r.predicate in SYMMETRIC_PREDICATES and (b, r.predicate, a) in gold_rel)
                         for a in gs for b in go)
                for rule in {e.rule_id for e in r.evidence}:
                    stats[rule][0] += ok
                    stats[rule][1] += 1
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("-k", type=float, default=10.0)
    args = ap.parse_args()
    stats = measure()
    priors = {r.id: r.confidence for r in load_relation_rules().rules}
    new: dict[str, float] = {}
    print(f"{'rule':40} {'right/judged':>12} {'prior':>6} {'calibrated':>10}")
    for rule, (tp, n) in sorted(stats.items(), key=lambda kv: -kv[1][1]):
        prior = priors.get(rule)
        cal = round((tp + args.k * prior) / (n + args.k), 2) if prior is not None else None
        if cal is not None:
            new[rule] = min(cal, 0.95)
        print(f"{rule:40} {tp:5}/{n:<6} {prior if prior is not None else '-':>6} {cal if cal is not None else '(inference)':>10}")
    if args.write:
        path = pattern_path("relations.yaml")
        text = path.read_text(encoding="utf-8")
        for rule, conf in new.items():
            text = re.sub(rf"(- id: {re.escape(rule)}\n(?:    .*\n)*?    confidence: )[0-9.]+", rf"\g<1>{conf}", text)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {len(new)} confidences to {path}")


if __name__ == "__main__":
    main()
