"""Load and validate the rule data: gazetteer, cue words, families, relations.

Python holds only the engines; every pattern is data under
``graph/patterns``. Each loader checks its file completely and raises one
:class:`~graph.errors.RuleError` listing every problem as
``path:line: id: message``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graph.errors import RuleError
from graph.model import ENTITY_TYPES, PREDICATES, subclasses
from graph.resources import pattern_path

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class GazetteerEntry:
    """A known entity: stable id, class, canonical label, other names."""

    id: str
    label: str
    type: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


def load_gazetteer(path: Path | None = None) -> list[GazetteerEntry]:
    """Load a gazetteer JSONL file (one entity per line) and validate it.

    Raises:
        RuleError: a line is not JSON, lacks a key, has an unknown type, a
            bad id or QID, or an id or name is used twice.
    """
    path = path or pattern_path("gazetteer.jsonl")
    problems: list[str] = []
    entries: list[GazetteerEntry] = []
    ids: dict[str, int] = {}
    names: dict[str, tuple[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path.name}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(f"{where}: not JSON ({err.msg})")
                continue
            if not isinstance(obj, dict):
                problems.append(f"{where}: expected an object")
                continue
            eid = obj.get("id", "")
            before = len(problems)
            for key in ("id", "label", "type"):
                if not isinstance(obj.get(key), str) or not obj.get(key):
                    problems.append(f"{where}: {eid or '?'}: missing or empty {key!r}")
            unknown = set(obj) - {"id", "label", "type", "aliases", "wikidata"}
            if unknown:
                problems.append(f"{where}: {eid}: unknown keys {sorted(unknown)}")
            if eid and not _SLUG.match(eid):
                problems.append(f"{where}: {eid}: id must be a lowercase slug [a-z0-9-]")
            if eid in ids:
                problems.append(f"{where}: {eid}: duplicate id (first on line {ids[eid]})")
            ids[eid] = lineno
            if obj.get("type") and obj["type"] not in ENTITY_TYPES:
                problems.append(
                    f"{where}: {eid}: type {obj['type']!r} not in ontology; known: {', '.join(ENTITY_TYPES)}"
                )
            aliases = obj.get("aliases", [])
            if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
                problems.append(f"{where}: {eid}: aliases must be a list of non-empty strings")
                aliases = []
            qid = obj.get("wikidata")
            if qid is not None and not (isinstance(qid, str) and _QID.match(qid)):
                problems.append(f"{where}: {eid}: wikidata {qid!r} is not a QID like 'Q95'")
            for name in [obj.get("label", ""), *aliases]:
                if not name:
                    continue
                key = name.casefold()
                if key in names and names[key][0] != eid:
                    other, other_line = names[key]
                    problems.append(
                        f"{where}: {eid}: name {name!r} already used by {other!r} (line {other_line})"
                    )
                names.setdefault(key, (eid, lineno))
            if len(problems) == before:
                entries.append(
                    GazetteerEntry(
                        id=eid, label=obj["label"], type=obj["type"], aliases=tuple(aliases), wikidata=qid
                    )
                )
    if problems:
        raise RuleError(problems, path=str(path))
    return entries


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so words like on, no, yes stay words."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


def _load_yaml(path: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RuleError([f"{path.name}{line}: invalid YAML: {err}"], path=str(path)) from err


@lru_cache(maxsize=4)
def load_cues(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Load the cue-word lists used by the recognizers.

    Raises:
        RuleError: the file is not a mapping of names to lists of strings.
    """
    path = path or pattern_path("cues.yaml")
    data = _load_yaml(path)
    problems = []
    if not isinstance(data, dict):
        raise RuleError([f"{path.name}: expected a mapping of cue lists"], path=str(path))
    for key, words in data.items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(f"{path.name}: {key}: expected a list of strings")
    if problems:
        raise RuleError(problems, path=str(path))
    return {k: tuple(v) for k, v in data.items()}


@dataclass(frozen=True, slots=True)
class Family:
    family: str
    type: str
    joiner: str


@lru_cache(maxsize=4)
def load_families(path: Path | None = None) -> tuple[tuple[Family, ...], str]:
    """Load product families and the chip-code regex.

    Returns:
        ``(families, code_regex)``.

    Raises:
        RuleError: unknown keys, joiners, or an invalid regex.
    """
    path = path or pattern_path("families.yaml")
    data = _load_yaml(path)
    problems = []
    fams: list[Family] = []
    for section, cls in (("ai_models", "AIModel"), ("chips", "Chip")):
        for item in data.get(section, []) or []:
            fam, joiner = item.get("family"), item.get("joiner", "any")
            if not fam:
                problems.append(f"{path.name}: {section}: entry without 'family'")
            elif joiner not in ("space", "hyphen", "none", "any"):
                problems.append(f"{path.name}: {section}: {fam}: joiner {joiner!r} unknown")
            else:
                fams.append(Family(fam, cls, joiner))
    code = data.get("code_regex", "")
    try:
        re.compile(code)
    except re.error as err:
        problems.append(f"{path.name}: code_regex: {err}")
    if problems:
        raise RuleError(problems, path=str(path))
    return tuple(fams), code


# --------------------------------------------------------------------------
# Relation rules
# --------------------------------------------------------------------------

#: Keys a relation rule may have.
RULE_KEYS = {
    "id", "predicate", "subject", "object", "pattern", "patterns", "confidence",
    "also", "note", "ignore_cues", "scope", "exact", "dependency",
}

#: Keys of a rule's ``dependency`` block (used with a trained parser only).
DEPENDENCY_KEYS = {"verbs", "subject_from", "object_from"}
_DEP_SOURCE = re.compile(r"^(nsubj|nsubjpass|dobj|agent|attr|prep:[a-z]+)$")


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
    dependency: dict | None = None
    line: int = 0


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Lexicons (named word lists) and the rules that use them."""

    lexicons: dict[str, tuple[str, ...]]
    rules: tuple[RelationRule, ...]
    inferences: tuple[Inference, ...] = ()


_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*_v[0-9]+$")
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


def _rule_lines(path: Path) -> dict[str, int]:
    lines: dict[str, int] = {}
    with open(path, encoding="utf-8") as fh:
        for n, text in enumerate(fh, 1):
            m = re.match(r"\s*-\s*id:\s*([\w]+)", text)
            if m:
                lines.setdefault(m.group(1), n)
    return lines


def load_relation_rules(path: Path | None = None) -> RuleSet:
    """Load ``relations.yaml``: lexicons, rules and inferences; validate all.

    Raises:
        RuleError: every problem found, e.g. an unknown predicate or class,
            a duplicate or malformed id, an undefined lexicon, a bad pattern.
    """
    from graph.patterns_dsl import compile_pattern, PatternError  # local: avoids a cycle

    path = path or pattern_path("relations.yaml")
    data = _load_yaml(path)
    name = path.name
    problems: list[str] = []
    if not isinstance(data, dict) or "rules" not in data:
        raise RuleError([f"{name}: expected a mapping with 'lexicons' and 'rules'"], path=str(path))
    lexicons: dict[str, tuple[str, ...]] = {}
    for key, words in (data.get("lexicons") or {}).items():
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            problems.append(f"{name}: lexicon {key}: expected a list of non-empty strings")
            continue
        lexicons[key] = tuple(w.strip() for w in words)
    lines = _rule_lines(path)
    rules: list[RelationRule] = []
    seen: set[str] = set()
    for item in data.get("rules") or []:
        rid = item.get("id", "?") if isinstance(item, dict) else "?"
        where = f"{name}:{lines.get(rid, '?')}: {rid}"
        if not isinstance(item, dict):
            problems.append(f"{where}: rule must be a mapping")
            continue
        unknown = set(item) - RULE_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}; allowed: {sorted(RULE_KEYS)}")
        if not _RULE_ID.match(rid):
            problems.append(f"{where}: id must be snake_case ending in a version, e.g. 'works_for_v1'")
        if rid in seen:
            problems.append(f"{where}: duplicate rule id")
        seen.add(rid)
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
        if (not pats and dep is None) or not all(isinstance(p, str) for p in pats):
            problems.append(f"{where}: needs 'pattern', a list 'patterns' of strings, or 'dependency'")
            pats = []
        for pat in pats:
            for ref in _LEX_REF.findall(pat):
                if ref not in lexicons:
                    problems.append(f"{where}: pattern uses undefined lexicon @{ref}")
            try:
                compile_pattern(pat, subj or ("Organization",), obj or ("Organization",), lexicons)
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
        if scope not in ("clause", "phrase"):
            problems.append(f"{where}: scope {scope!r} must be 'clause' or 'phrase'")
        rules.append(
            RelationRule(
                id=rid,
                predicate=str(pred),
                subject=subj,
                object=obj,
                patterns=tuple(pats),
                confidence=float(conf),
                also=tuple(item.get("also") or ()),
                ignore_cues=frozenset(w.lower() for w in ignore),
                scope=scope,
                dependency=dep,
                line=lines.get(rid, 0),
            )
        )
    inferences = _load_inferences(data.get("inferences") or [], name, lines, seen, problems)
    if problems:
        raise RuleError(problems, path=str(path))
    return RuleSet(lexicons=lexicons, rules=tuple(rules), inferences=tuple(inferences))


@dataclass(frozen=True, slots=True, kw_only=True)
class Inference:
    """A rule over extracted relations: if all premises hold, add the conclusion.

    Premises and conclusion are ``(var, predicate, var)``; ``types`` restricts
    what a variable's entity class may be; ``replace`` drops the first
    premise once the conclusion is drawn (used to lift a fact to the level
    the vocabulary records it at); ``remove`` deletes the conclusion instead
    of adding it (a fact made redundant by a more specific one).
    """

    id: str
    premises: tuple[tuple[str, str, str], ...]
    conclusion: tuple[str, str, str]
    types: dict[str, tuple[str, ...]]
    confidence: float
    replace: bool = False
    remove: bool = False
    function: str = ""


#: Inferences that need more than joins, implemented in graph.assemble.
INFERENCE_FUNCTIONS = frozenset({"developer_from_name"})


def _load_inferences(items: list, name: str, lines: dict[str, int], seen: set[str],
                     problems: list[str]) -> list[Inference]:
    out: list[Inference] = []
    for item in items:
        rid = item.get("id", "?") if isinstance(item, dict) else "?"
        where = f"{name}:{lines.get(rid, '?')}: {rid}"
        if not isinstance(item, dict):
            problems.append(f"{where}: inference must be a mapping")
            continue
        unknown = set(item) - {"id", "if", "then", "types", "confidence", "replace", "remove", "note", "function"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        if not _RULE_ID.match(rid) or rid in seen:
            problems.append(f"{where}: id must be unique snake_case ending in a version")
        seen.add(rid)
        if "function" in item:
            fn = item["function"]
            if fn not in INFERENCE_FUNCTIONS:
                problems.append(f"{where}: function {fn!r} unknown; known: {', '.join(sorted(INFERENCE_FUNCTIONS))}")
            conf = item.get("confidence", 0.6)
            out.append(Inference(id=rid, premises=(), conclusion=("", "", ""), types={},
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
        conf = item.get("confidence", 0.6)
        if not isinstance(conf, (int, float)) or not 0 < conf <= 1:
            problems.append(f"{where}: confidence must be in (0, 1]")
            conf = 0.5
        out.append(Inference(
            id=rid, premises=tuple(tuple(t) for t in prem), conclusion=tuple(then),
            types=types, confidence=float(conf), replace=bool(item.get("replace", False)),
            remove=bool(item.get("remove", False)),
        ))
    return out
