"""Example sentences of relation rules, and ``kg rules check``.

Every relation rule comes with sentences of its own, written for it (never
taken from an evaluation text), in ``examples/<rule_id>.yaml`` beside its
``relations.yaml`` (packaged: ``graph/patterns/examples``; a pack: its own
``examples`` folder)::

    rule: acquired_v1
    positive:
      - text: "Zorblax Holdings acquired Quintel Corp. in 2021."
        expect: [Zorblax Holdings, acquired, Quintel Corp.]
    negative:
      - text: "Zorblax Holdings did not acquire Quintel Corp."
        reject: [Zorblax Holdings, acquired, Quintel Corp.]

A positive must yield the triple with evidence from that rule; a negative
must not yield the triple at all. ``model_only: true`` marks an example
the model-free pipeline is not expected to read (it has no parse).
:func:`check` validates a pack's files and runs its examples.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from graph.errors import RuleError
from graph.extract.patterns_dsl import PatternError, compile_pattern
from graph.extract.relation_rules import RULE_ID
from graph.extract.rules import RuleFile, load_rules, pack_name, parse_yaml
from graph.model import PREDICATES
from graph.resources import pattern_path


@dataclass(frozen=True, slots=True)
class Example:
    """One example sentence of one rule."""

    rule: str  #: the rule's id as evidence carries it (a pack's: ``pack:rule_v1``)
    kind: str  #: "positive" or "negative"
    text: str
    triple: tuple[str, str, str]
    where: str  #: ``file:line``
    model_only: bool = False


def examples_folder(pack: Path | None = None) -> Path:
    """The examples of a pack, or (``None``) of the packaged rules."""
    return pack / "examples" if pack is not None else pattern_path("examples")


def load_examples(folder: Path, prefix: str = "") -> tuple[list[Example], list[str]]:
    """Read every ``*.yaml`` of ``folder``; return the examples and every problem (``file:line: ...``)."""
    examples: list[Example] = []
    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        name = str(path)
        try:
            f = RuleFile.read(path, name)
            data = parse_yaml(f.text, name)
            node = yaml.compose(f.text)
        except (RuleError, yaml.YAMLError) as err:
            problems.extend(getattr(err, "problems", [f"{name}: {err}"]))
            continue
        lines = _item_lines(node)
        if not isinstance(data, dict) or not isinstance(data.get("rule"), str):
            problems.append(f"{name}:1: expected a mapping with 'rule', 'positive' and 'negative'")
            continue
        rule = data["rule"]
        if not RULE_ID.match(rule):
            problems.append(f"{name}:1: rule {rule!r} is not a rule id like 'acquired_v1'")
        if path.stem != rule:
            problems.append(f"{name}:1: the file of rule {rule!r} must be named {rule}.yaml")
        for kind, key in (("positive", "expect"), ("negative", "reject")):
            items = data.get(kind) or []
            if not items:
                problems.append(f"{name}:1: {rule}: no {kind} example")
            for n, item in enumerate(items if isinstance(items, list) else []):
                where = f"{name}:{lines.get((kind, n), 1)}"
                triple = item.get(key) if isinstance(item, dict) else None
                if not (isinstance(item, dict) and isinstance(item.get("text"), str) and isinstance(triple, list)
                        and len(triple) == 3 and all(isinstance(x, str) for x in triple)):
                    problems.append(f"{where}: {rule}: a {kind} example needs 'text' and '{key}: [subject, "
                                    "predicate, object]'")
                    continue
                if triple[1] not in PREDICATES:
                    problems.append(f"{where}: {rule}: predicate {triple[1]!r} not in the vocabulary")
                    continue
                examples.append(Example(prefix + rule, kind, item["text"], (triple[0], triple[1], triple[2]),
                                        where, bool(item.get("model_only", False))))
    return examples, problems


def _item_lines(node: Any) -> dict[tuple[str, int], int]:  # noqa: ANN401 - a yaml node
    """The line of each item of the ``positive`` and ``negative`` lists."""
    out: dict[tuple[str, int], int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(value, yaml.SequenceNode) and key.value in ("positive", "negative"):
                for n, item in enumerate(value.value):
                    out[(key.value, n)] = item.start_mark.line + 1
    return out


def run_example(ex: Example, kg: Any) -> str | None:  # noqa: ANN401 - a KnowledgeGraph
    """Why ``ex`` fails on the graph built from its text, or None if it holds."""
    s, p, o = ex.triple

    def find(name: str) -> list[str]:
        want = name.casefold()
        return [e.id for e in kg.entities if any(n.casefold() == want for n in e.names)]

    subs, objs = find(s), find(o)
    rels = [r for r in kg.relations if r.predicate == p and (
        (r.subject in subs and r.object in objs) or (p == "competitorOf" and r.subject in objs and r.object in subs))]
    if ex.kind == "positive":
        if not rels:
            return f"expected ({s}, {p}, {o}); got {sorted(kg.triples())}"
        rules = {rid for r in rels for ev in r.evidence for rid in ev.rule_id.split()}
        if ex.rule not in rules:
            return f"({s}, {p}, {o}) found, but only by {sorted(rules)}"
        return None
    if rels:
        return f"({s}, {p}, {o}) must not be read; evidence: {[(e.rule_id, e.sentence) for r in rels for e in r.evidence]}"
    return None


@dataclass
class CheckReport:
    """What :func:`check` found: file problems, failing examples, counts."""

    problems: list[str]
    failures: list[str]
    rules: int = 0
    examples: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.failures


def check(packs: Sequence[Path] = (), *, model: str | None = None, blank_too: bool = False) -> CheckReport:
    """Validate the packaged rules and ``packs``, then run the examples of the last pack
    (or, with no pack, the packaged examples).

    Every rule checked must have a positive and a negative example. An
    example runs with ``model`` (the default pipeline if None), and also
    with the model-free pipeline if ``blank_too`` (unless ``model_only``).
    """
    import graph

    try:
        rules = load_rules(packs)
    except RuleError as err:
        return CheckReport(list(err.problems), [])
    pack = packs[-1] if packs else None
    prefix = f"{pack_name(pack)}:" if pack is not None else ""
    examples, problems = load_examples(examples_folder(pack), prefix)
    own = [r for r in rules.relations.rules if r.id.startswith(prefix) and (prefix or ":" not in r.id)]
    covered = {(ex.rule, ex.kind) for ex in examples}
    rel_file = pack / "relations.yaml" if pack is not None else pattern_path("relations.yaml")
    # every regex, the packaged ones included (a build compiles those when first needed)
    for r in rules.relations.rules:
        for pat in r.patterns:
            try:
                compile_pattern(pat, r.subject, r.object, rules.relations.lexicons)
            except PatternError as err:
                where = pattern_path("relations.yaml") if ":" not in r.id else f"{r.id.split(':', 1)[0]}/relations.yaml"
                problems.append(f"{where}:{r.line}: {r.id}: {err}")
    for r in own:
        for kind in ("positive", "negative"):
            if (r.id, kind) not in covered:
                problems.append(f"{rel_file}:{r.line}: {r.id}: no {kind} example in "
                                f"{examples_folder(pack) / (r.id[len(prefix):] + '.yaml')}")
    known = {r.id for r in own}
    for ex in examples:
        if ex.rule not in known:
            problems.append(f"{ex.where}: examples of an unknown rule {ex.rule!r}")
    failures: list[str] = []
    runs = [(ex, model) for ex in examples if ex.rule in known]
    if blank_too:
        runs += [(ex, "blank") for ex in examples if ex.rule in known and not ex.model_only]
    built: dict[tuple[str, str | None], Any] = {}
    for ex, m in runs:
        key = (ex.text, m)
        if key not in built:
            built[key] = graph.build([ex.text], model=m, packs=packs)
        why = run_example(ex, built[key])
        if why:
            failures.append(f"{ex.where}: {ex.rule} ({ex.kind}{', ' + m if m else ''}): {why}")
    return CheckReport(problems, failures, rules=len(own), examples=len(examples))

