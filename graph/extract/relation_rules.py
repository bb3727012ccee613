"""Relation rules and inferences: their dataclasses and the validation of their data.

The rules of ``relations.yaml`` (packaged, or of a rule pack) are read by
:mod:`graph.extract.rules`; :func:`parse_relation_rules` checks every one
completely and reports each problem as ``file:line: id: message``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graph.model import ENTITY_TYPES, PREDICATES, subclasses

#: Keys a relation rule may have.
RULE_KEYS = {
    "id", "predicate", "subject", "object", "pattern", "patterns", "confidence",
    "also", "note", "ignore_cues", "scope", "exact", "dependency", "nominal", "in_questions",
}

#: Keys of a rule's ``dependency`` block (used with a trained parser only).
DEPENDENCY_KEYS = {"verbs", "subject_from", "object_from"}
_DEP_SOURCE = re.compile(r"^(nsubj|nsubjpass|dobj|agent|attr|share_of|round_raiser|prep:[a-z]+)$")

#: Keys of a rule's ``nominal`` block (a noun's frames; trained parser only).
NOMINAL_KEYS = {"nouns", "subject_from", "object_from"}
_NOMINAL_SOURCE = re.compile(r"^(holder|owner|poss|compound|joined|context|prep:[a-z]+)$")


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationRule:
    """One relation rule: a surface pattern over typed mentions and cue words."""

    id: str
    predicate: str
    subject: tuple[str, ...]
    object: tuple[str, ...]
    patterns: tuple[str, ...]
    confidence: float
    also: tuple[str, ...] = ()
    ignore_cues: frozenset[str] = frozenset()
    scope: str = "clause"
    #: the fact is a possessive a question presupposes ("Will Acme's H9 ship?"): read it there too
    in_questions: bool = False
    dependency: dict | None = None
    nominal: dict | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Lexicons (named word lists) and the rules that use them."""

    lexicons: dict[str, tuple[str, ...]]
    rules: tuple[RelationRule, ...]
    inferences: tuple[Inference, ...] = ()


RULE_ID = re.compile(r"^[a-z][a-z0-9_]*_v[0-9]+$")
_LEX_REF = re.compile(r"@([a-z_][a-z0-9_]*)")


def _expand_types(names: Any, where: str, problems: list[str], exact: bool = False) -> tuple[str, ...]:
    if isinstance(names, str):
        names = [names]
    if not isinstance(names, list) or not names:
        problems.append(f"{where}: expected a class name or a list of class names")
        return ()
    out: list[str] = []
    for name in names:
        if name not in ENTITY_TYPES:
            problems.append(f"{where}: class {name!r} not in ontology; known: {', '.join(ENTITY_TYPES)}")
            continue
        out.extend(t for t in ((name,) if exact else subclasses(name)) if t not in out)
    return tuple(out)


def rule_lines(text: str) -> dict[str, int]:
    """The line of each ``- id: name`` of a YAML rule file's text (and of each lexicon, as ``lexicon:name``)."""
    lines: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"\s*-\s*id:\s*([\w]+)", line)
        if m:
            lines.setdefault(m.group(1), n)
        m = re.match(r"  ([a-z_][a-z0-9_]*):", line)
        if m:
            lines.setdefault(f"lexicon:{m.group(1)}", n)
    return lines


def parse_relation_rules(data: Any, name: str, lines: dict[str, int], *,  # noqa: ANN401 - parsed YAML
                         base: RuleSet | None = None, pack: str | None = None,
                         compile_regexes: bool = True) -> tuple[RuleSet, list[str]]:
    """Validate the parsed data of a ``relations.yaml``; return its rules and every problem.

    ``name`` is the file as problems name it, ``lines`` the line of each
    rule id (:func:`rule_lines`). With ``base`` (the packaged rules), the
    file is a rule pack's: its lexicons extend the base's (a pack may add
    words to a packaged lexicon, or define new ones), its rules and
    inferences follow the base's, and their ids carry the pack's name
    (``pharma:approval_v1``) so that evidence says where a fact came from.

    Without ``compile_regexes`` (the packaged rules, whose regexes ``kg
    rules check`` and the tests compile) each pattern gets every check of
    the pattern language but not Python's regex compiler, which the
    components run when a sentence first needs a pattern
    (:func:`graph.extract.patterns_dsl.pattern_source`).
    """
    from graph.extract.patterns_dsl import PatternError, compile_pattern, pattern_source  # local: avoids a cycle

    check = compile_pattern if compile_regexes else pattern_source

    problems: list[str] = []
    if not isinstance(data, dict) or ("rules" not in data and base is None):
        return RuleSet({}, ()), [f"{name}:1: expected a mapping with 'lexicons' and 'rules'"]
    lexicons: dict[str, tuple[str, ...]] = dict(base.lexicons) if base else {}
    for key, words in (data.get("lexicons") or {}).items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(f"{name}:{lines.get(f'lexicon:{key}', '?')}: lexicon {key}: expected a list of non-empty strings")
            continue
        lexicons[key] = (*lexicons.get(key, ()), *(w.strip() for w in words))
    rules: list[RelationRule] = []
    seen: set[str] = {r.id for r in base.rules} | {i.id for i in base.inferences} if base else set()
    prefix = f"{pack}:" if pack else ""
    for item in data.get("rules") or []:
        rid = item.get("id", "?") if isinstance(item, dict) else "?"
        where = f"{name}:{lines.get(rid, '?')}: {rid}"
        if not isinstance(item, dict):
            problems.append(f"{where}: rule must be a mapping")
            continue
        unknown = set(item) - RULE_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
        if not RULE_ID.match(rid):
            problems.append(f"{where}: id must be snake_case ending in a version, e.g. 'works_for_v1'")
        if prefix + rid in seen:
            problems.append(f"{where}: duplicate rule id")
        seen.add(prefix + rid)
        pred = item.get("predicate")
        preds = [pred, *(item.get("also") or [])]
        for p in preds:
            if p not in PREDICATES:
                problems.append(
                    f"{where}: predicate 'ekg:{p}' not in ontology; known: {', '.join('ekg:' + q for q in PREDICATES)}"
                )
        exact = bool(item.get("exact", False))  # classes as listed, without their subclasses
        subj = _expand_types(item.get("subject"), f"{where}: subject", problems, exact)
        obj = _expand_types(item.get("object"), f"{where}: object", problems, exact)
        pats = item.get("patterns") or ([item["pattern"]] if "pattern" in item else [])
        dep = item.get("dependency")
        if dep is not None:
            if not isinstance(dep, dict) or set(dep) - DEPENDENCY_KEYS or not dep.get("verbs"):
                problems.append(f"{where}: dependency needs 'verbs' and only {sorted(DEPENDENCY_KEYS)}")
                dep = None
            elif not all(isinstance(v, str) for k in DEPENDENCY_KEYS for v in dep.get(k, [])):
                problems.append(f"{where}: dependency lists must hold strings")
                dep = None
            else:
                for k in ("subject_from", "object_from"):
                    bad = [v for v in dep.get(k, []) if not _DEP_SOURCE.match(v)]
                    if not dep.get(k) or bad:
                        problems.append(f"{where}: dependency {k} needs sources among nsubj, nsubjpass, "
                                        f"dobj, agent, attr, prep:<word>; got {dep.get(k)!r}")
        nom = item.get("nominal")
        if nom is not None:
            if not isinstance(nom, dict) or set(nom) - NOMINAL_KEYS or not all(
                    isinstance(nom.get(k), list) and nom.get(k) and all(isinstance(v, str) for v in nom[k])
                    for k in NOMINAL_KEYS):
                problems.append(f"{where}: nominal needs lists 'nouns', 'subject_from', 'object_from' (and no other key)")
                nom = None
            else:
                for ref in [n[1:] for n in nom["nouns"] if n.startswith("@")]:
                    if ref not in lexicons:
                        problems.append(f"{where}: nominal uses undefined lexicon @{ref}")
                for k in ("subject_from", "object_from"):
                    bad = [v for v in nom[k] if not _NOMINAL_SOURCE.match(v)]
                    if bad:
                        problems.append(f"{where}: nominal {k} needs sources among holder, owner, poss, compound, context, "
                                        f"joined, prep:<word>; got {bad!r}")
        if (not pats and dep is None and nom is None) or not all(isinstance(p, str) for p in pats):
            problems.append(f"{where}: needs 'pattern', a list 'patterns' of strings, 'dependency' or 'nominal'")
            pats = []
        for pat in pats:
            for ref in _LEX_REF.findall(pat):
                if ref not in lexicons:
                    problems.append(f"{where}: pattern uses undefined lexicon @{ref}")
            try:
                check(pat, subj or ("Organization",), obj or ("Organization",), lexicons)
            except PatternError as err:
                if "undefined lexicon" not in str(err):
                    problems.append(f"{where}: {err}")
        conf = item.get("confidence", 0.8)
        if not isinstance(conf, (int, float)) or not 0 < conf <= 1:
            problems.append(f"{where}: confidence {conf!r} must be a number in (0, 1]")
            conf = 0.5
        ignore = item.get("ignore_cues") or []
        if not isinstance(ignore, list) or not all(isinstance(w, str) for w in ignore):
            problems.append(f"{where}: ignore_cues must be a list of words")
            ignore = []
        scope = item.get("scope", "clause")
        if not isinstance(item.get("in_questions", False), bool):
            problems.append(f"{where}: in_questions must be true or false")
        if scope not in ("clause", "phrase"):
            problems.append(f"{where}: scope {scope!r} must be 'clause' or 'phrase'")
        rules.append(
            RelationRule(
                id=prefix + rid,
                predicate=str(pred),
                subject=subj,
                object=obj,
                patterns=tuple(pats),
                confidence=float(conf),
                also=tuple(item.get("also") or ()),
                ignore_cues=frozenset(w.lower() for w in ignore),
                scope=scope,
                in_questions=item.get("in_questions") is True,
                dependency=dep,
                nominal=nom,
                line=lines.get(rid, 0),
            )
        )
    inferences = _load_inferences(data.get("inferences") or [], name, lines, seen, problems, prefix)
    if base is not None:
        rules = [*base.rules, *rules]
        inferences = [*base.inferences, *inferences]
    return RuleSet(lexicons=lexicons, rules=tuple(rules), inferences=tuple(inferences)), problems


@dataclass(frozen=True, slots=True, kw_only=True)
class Inference:
    """A rule over extracted relations: if all premises hold, add the conclusion.

    Premises and conclusion are ``(var, predicate, var)``; ``types`` restricts
    what a variable's entity class may be; ``replace`` drops the first
    premise once the conclusion is drawn (used to lift a fact to the level
    the vocabulary records it at); ``remove`` deletes the conclusion instead
    of adding it (a fact made redundant by a more specific one);
    ``qualified`` names, per variable, a mark its entity must carry (an
    entity qualifier of the extraction, e.g. ``goods`` for a physical
    product).
    """

    id: str
    premises: tuple[tuple[str, str, str], ...]
    conclusion: tuple[str, str, str]
    types: dict[str, tuple[str, ...]]
    confidence: float
    replace: bool = False
    remove: bool = False
    function: str = ""
    qualified: tuple[tuple[str, str], ...] = ()


#: Inferences that need more than joins, implemented in graph.building.assemble.
INFERENCE_FUNCTIONS = frozenset({"developer_from_name"})

#: Marks an inference's ``qualified`` may require of an entity: the entity
#: qualifiers the extraction records (``goods``: a product the text shows to
#: be a physical good).
ENTITY_MARKS = frozenset({"goods"})


def _load_inferences(items: list, name: str, lines: dict[str, int], seen: set[str],
                     problems: list[str], prefix: str = "") -> list[Inference]:
    out: list[Inference] = []
    for item in items:
        rid = item.get("id", "?") if isinstance(item, dict) else "?"
        where = f"{name}:{lines.get(rid, '?')}: {rid}"
        if not isinstance(item, dict):
            problems.append(f"{where}: inference must be a mapping")
            continue
        unknown = set(item) - {"id", "if", "then", "types", "confidence", "replace", "remove", "note", "function",
                               "qualified"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if not RULE_ID.match(rid) or prefix + rid in seen:
            problems.append(f"{where}: id must be unique snake_case ending in a version")
        seen.add(prefix + rid)
        if "function" in item:
            fn = item["function"]
            if fn not in INFERENCE_FUNCTIONS:
                problems.append(f"{where}: function {fn!r} unknown; known: {', '.join(sorted(INFERENCE_FUNCTIONS))}")
            conf = item.get("confidence", 0.6)
            out.append(Inference(id=prefix + rid, premises=(), conclusion=("", "", ""), types={},
                                 confidence=float(conf), function=fn))
            continue
        prem = item.get("if") or []
        then = item.get("then")
        triples = [*prem, then]
        if not prem or not all(isinstance(t, list) and len(t) == 3 for t in triples):
            problems.append(f"{where}: 'if' must be a list of [var, predicate, var] and 'then' one such triple")
            continue
        for _s, p, _o in triples:
            if p not in PREDICATES:
                problems.append(f"{where}: predicate 'ekg:{p}' not in ontology")
        variables = {v for t in prem for v in (t[0], t[2])}
        if then[0] not in variables or then[2] not in variables:
            problems.append(f"{where}: 'then' uses a variable not bound in 'if'")
        types = {}
        for var, cls in (item.get("types") or {}).items():
            types[var] = _expand_types(cls, f"{where}: types.{var}", problems)
        qualified = item.get("qualified") or {}
        if not isinstance(qualified, dict) or not all(
                v in variables and isinstance(q, str) and q in ENTITY_MARKS for v, q in qualified.items()):
            problems.append(f"{where}: 'qualified' maps a variable of 'if' to one of {', '.join(sorted(ENTITY_MARKS))}")
            qualified = {}
        conf = item.get("confidence", 0.6)
        if not isinstance(conf, (int, float)) or not 0 < conf <= 1:
            problems.append(f"{where}: confidence must be in (0, 1]")
            conf = 0.5
        out.append(Inference(
            id=prefix + rid, premises=tuple(tuple(t) for t in prem), conclusion=tuple(then),
            types=types, confidence=float(conf), replace=bool(item.get("replace", False)),
            remove=bool(item.get("remove", False)), qualified=tuple(sorted(qualified.items())),
        ))
    return out
