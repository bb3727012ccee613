"""The rule data: gazetteer, cue words, product families, relation rules; packaged and packs.

Python holds only the engines; every name, word list and pattern is data.
The packaged rules are the files of ``graph/patterns``; a **rule pack** is a
folder holding any of the same four files, which :func:`load_rules` adds to
them (``kg build --rules PACK``):

==================  ====================================================
``gazetteer.jsonl``  more known entities (ids and names must be new)
``relations.yaml``   more relation rules and inferences; lexicons extend
                     the packaged ones; rule ids carry the pack's name
``cues.yaml``        more words for the packaged cue lists
``families.yaml``    more product families, another chip-code regex
==================  ====================================================

Each loader checks its file completely and raises one
:class:`~graph.errors.RuleError` listing every problem as
``path:line: id: message``. :func:`load_rules` returns a :class:`Rules`
that names everything it read: its :attr:`Rules.digest` hashes the bytes
of every file, so the pipeline signature changes when any of them does.

Examples:
    >>> rules = load_rules()
    >>> rules.packs, len(rules.gazetteer) > 1000, "not" in rules.cues.words("negation")
    ((), True, True)
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from graph.errors import RuleError
from graph.extract.relation_rules import RuleSet, parse_relation_rules, rule_lines
from graph.model import ENTITY_TYPES
from graph.resources import pattern_path

#: The files a rule pack may hold (the packaged rules are the same four).
PACK_FILES = ("gazetteer.jsonl", "relations.yaml", "cues.yaml", "families.yaml")

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")
_PACK_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false, so words like on, no, yes stay words."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:bool"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))
# the same resolvers on libyaml's parser: five times faster, the same values
_FastLoader = type("_FastLoader", (getattr(yaml, "CSafeLoader", _Loader),), {"yaml_implicit_resolvers": _Loader.yaml_implicit_resolvers})


def parse_yaml(text: str, name: str, path: str | None = None) -> Any:  # noqa: ANN401 - parsed YAML
    """Parse YAML (booleans only ``true``/``false``).

    Raises:
        RuleError: the text is not YAML (with the line).
    """
    with contextlib.suppress(yaml.YAMLError):  # a problem is worded by the pure-Python parser below
        return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader subclass
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RuleError([f"{name}{line}: invalid YAML: {err}"], path=path or name) from err


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One file read: where it is, how problems name it, its text."""

    path: Path
    name: str  # "relations.yaml" (packaged), or the path of a pack's file as given
    text: str

    @classmethod
    def read(cls, path: Path, name: str) -> RuleFile:
        try:
            return cls(path, name, path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as err:
            raise RuleError([f"{name}: cannot read: {getattr(err, 'strerror', None) or err}"],
                            path=str(path)) from err


# --------------------------------------------------------------------------
# Gazetteer
# --------------------------------------------------------------------------


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


def parse_gazetteer(files: Sequence[RuleFile]) -> tuple[list[GazetteerEntry], list[str]]:
    """Read gazetteer JSONL files (one entity per line) as one list; return it and every problem.

    An id or a name (in any letter case) may be used by one entity only,
    across all the files.
    """
    problems: list[str] = []
    entries: list[GazetteerEntry] = []
    ids: dict[str, str] = {}  # id -> where
    names: dict[str, tuple[str, str]] = {}  # casefolded name -> (id, where)
    for f in files:
        for lineno, line in enumerate(f.text.splitlines(), 1):
            if not line.strip():
                continue
            where = f"{f.name}:{lineno}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                problems.append(f"{where}: not JSON ({err.msg})")
                continue
            except RecursionError:
                problems.append(f"{where}: JSON nested too deeply")
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
            if eid and isinstance(eid, str) and not _SLUG.match(eid):
                problems.append(f"{where}: {eid}: id must be a lowercase slug [a-z0-9-]")
            if eid in ids:
                problems.append(f"{where}: {eid}: duplicate id (first on {ids[eid]})")
            ids.setdefault(eid, where)
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
                if not name or not isinstance(name, str):
                    continue
                key = name.casefold()
                if key in names and names[key][0] != eid:
                    other, other_where = names[key]
                    problems.append(f"{where}: {eid}: name {name!r} already used by {other!r} ({other_where})")
                names.setdefault(key, (eid, where))
            if len(problems) == before:
                entries.append(GazetteerEntry(id=eid, label=obj["label"], type=obj["type"],
                                              aliases=tuple(aliases), wikidata=qid))
    return entries, problems


def load_gazetteer(path: Path | None = None) -> list[GazetteerEntry]:
    """Load one gazetteer JSONL file (default: the packaged one) and validate it.

    Raises:
        RuleError: a line is not JSON, lacks a key, has an unknown type, a
            bad id or QID, or an id or name is used twice.
    """
    path = path or pattern_path("gazetteer.jsonl")
    entries, problems = parse_gazetteer([RuleFile.read(path, path.name)])
    if problems:
        raise RuleError(problems, path=str(path))
    return entries


# --------------------------------------------------------------------------
# Cue words
# --------------------------------------------------------------------------


class Cues:
    """Named word lists (``cues.yaml``): as written, or lower-cased as sets.

    Examples:
        >>> c = Cues({"titles": ("CEO", "Chief Executive")})
        >>> c.words("titles") == {"ceo", "chief executive"}, c.raw("titles")
        (True, ('CEO', 'Chief Executive'))
    """

    def __init__(self, lists: dict[str, tuple[str, ...]]) -> None:
        self.lists = lists
        self._lower: dict[str, frozenset[str]] = {}

    def raw(self, name: str) -> tuple[str, ...]:
        """The list as written (case kept)."""
        return self.lists.get(name, ())

    def exact(self, name: str) -> frozenset[str]:
        """The list as a set, case kept."""
        return frozenset(self.raw(name))

    def words(self, name: str) -> frozenset[str]:
        """The list as a set of lower-case words."""
        if name not in self._lower:
            self._lower[name] = frozenset(w.lower() for w in self.raw(name))
        return self._lower[name]

    def __contains__(self, name: str) -> bool:
        return name in self.lists


def parse_cues(files: Sequence[RuleFile]) -> tuple[dict[str, tuple[str, ...]], list[str]]:
    """Read cue files (mappings of list names to word lists); a pack's lists extend the packaged ones.

    A pack may only add words to lists the packaged file defines (the
    engines read those names); a new name is a problem.
    """
    problems: list[str] = []
    out: dict[str, tuple[str, ...]] = {}
    for k, f in enumerate(files):
        data = parse_yaml(f.text, f.name, str(f.path))
        if not isinstance(data, dict):
            problems.append(f"{f.name}:1: expected a mapping of cue lists")
            continue
        lines = {m.group(1): n for n, line in enumerate(f.text.splitlines(), 1)
                 if (m := re.match(r"([A-Za-z_]\w*)\s*:", line))}
        for key, words in data.items():
            where = f"{f.name}:{lines.get(str(key), '?')}"
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                problems.append(f"{where}: {key}: expected a list of strings")
                continue
            if k > 0 and key not in out:
                problems.append(f"{where}: {key}: unknown cue list; a pack may add words to: "
                                + ", ".join(sorted(out)))
                continue
            out[key] = (*out.get(key, ()), *words)
    return out, problems


# --------------------------------------------------------------------------
# Product families
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Family:
    family: str
    type: str
    joiner: str


@dataclass(frozen=True, slots=True)
class Families:
    """Product families with versions, the words around versions, and the chip-code regex."""

    members: tuple[Family, ...] = ()
    code_regex: str = ""
    version_words: tuple[str, ...] = ()
    tier_words: tuple[str, ...] = ()


def parse_families(files: Sequence[RuleFile]) -> tuple[Families, list[str]]:
    """Read family files; a pack's families and words are added, its chip-code regex is an alternative."""
    problems: list[str] = []
    fams: list[Family] = []
    codes: list[str] = []
    words: dict[str, list[str]] = {"version_words": [], "tier_words": []}
    for f in files:
        data = parse_yaml(f.text, f.name, str(f.path)) or {}
        if not isinstance(data, dict):
            problems.append(f"{f.name}:1: expected a mapping with 'ai_models', 'chips' and 'code_regex'")
            continue
        unknown = set(data) - {"ai_models", "chips", "code_regex", *words}
        if unknown:
            first = min(unknown, key=lambda k: f.text.find(f"{k}:"))
            line = f.text[:max(f.text.find(f"{first}:"), 0)].count("\n") + 1
            problems.append(f"{f.name}:{line}: unknown keys {sorted(unknown)}; allowed: ai_models, chips, "
                            "code_regex, " + ", ".join(words))
        lines = f.text.splitlines()

        def at(needle: str) -> str:
            n = next((k for k, line in enumerate(lines, 1) if needle in line), 1)
            return f"{f.name}:{n}"

        for section, cls in (("ai_models", "AIModel"), ("chips", "Chip")):
            for item in data.get(section, []) or []:
                fam = item.get("family") if isinstance(item, dict) else None
                joiner = item.get("joiner", "any") if isinstance(item, dict) else None
                if not fam:
                    problems.append(f"{at(section + ':')}: {section}: entry without 'family'")
                elif joiner not in ("space", "hyphen", "none", "any"):
                    problems.append(f"{at(str(fam))}: {section}: {fam}: joiner {joiner!r} unknown")
                else:
                    fams.append(Family(fam, cls, joiner))
        for key, out in words.items():
            items = data.get(key) or []
            if not isinstance(items, list) or not all(isinstance(w, str) and re.fullmatch(r"\w+", w) for w in items):
                problems.append(f"{at(key + ':')}: {key}: expected a list of single words")
            else:
                out.extend(items)
        code = data.get("code_regex")
        if code:
            try:
                re.compile(code)
                codes.append(code)
            except re.error as err:
                problems.append(f"{at('code_regex')}: code_regex: {err}")
    code_regex = codes[0] if len(codes) == 1 else "|".join(f"(?:{c})" for c in codes)
    return Families(tuple(fams), code_regex, tuple(words["version_words"]), tuple(words["tier_words"])), problems


# --------------------------------------------------------------------------
# All of it
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    """Everything the extraction reads, from the packaged files and any packs.

    A pipeline's components and the assembly of a build use one ``Rules``
    (see :func:`graph.extract.pipeline.load_nlp`): the rules a graph is
    built with are the ones its configuration names.
    """

    gazetteer: tuple[GazetteerEntry, ...]
    cues: Cues
    families: Families
    relations: RuleSet
    #: the packs added to the packaged rules, as given (folders)
    packs: tuple[Path, ...] = ()
    #: sha256 over the name and bytes of every file read
    digest: str = ""
    files: tuple[str, ...] = field(default=(), repr=False)

    @cached_property
    def index(self) -> Any:  # noqa: ANN401 - a GazetteerIndex (import cycle)
        """The gazetteer by id and by normalised name."""
        from graph.extract.resolve import GazetteerIndex

        return GazetteerIndex.build(self.gazetteer)


def pack_name(pack: Path) -> str:
    """The name a pack's rule ids carry: its folder's name."""
    return pack.resolve().name


def _pack_files(pack: Path) -> tuple[dict[str, RuleFile], list[str]]:
    problems: list[str] = []
    name = pack_name(pack) if pack.exists() else pack.name
    if not pack.is_dir():
        return {}, [f"{pack}: not a folder (a rule pack is a folder of {', '.join(PACK_FILES)})"]
    if not _PACK_NAME.match(name):
        problems.append(f"{pack}: a pack's folder name is its rule ids' prefix: letters, digits, '_', '.', '-'")
    found = {f: RuleFile.read(pack / f, str(pack / f)) for f in PACK_FILES if (pack / f).is_file()}
    if not found:
        problems.append(f"{pack}: holds none of {', '.join(PACK_FILES)}")
    return found, problems


#: Rules already read in this process, by the state of every file they come from
#: (path, size, modification time): a pipeline's components and the build's assembly
#: share one reading; a file that changed is read again.
_READ: dict[tuple[object, ...], Rules] = {}


def _state(packs: tuple[Path, ...]) -> tuple[object, ...]:
    paths = [pattern_path(f) for f in PACK_FILES] + [p / f for p in packs for f in PACK_FILES]
    out: list[object] = [str(p.resolve()) for p in packs]
    for path in paths:
        try:
            st = path.stat()
            out.append((str(path), st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((str(path), None))
    return tuple(out)


def load_rules(packs: Iterable[str | Path] = ()) -> Rules:
    """Load the packaged rules and every pack (in order); validate all of them.

    Raises:
        RuleError: every problem of every file (``file:line: message``).
    """
    packs = tuple(Path(p) for p in packs)
    key = _state(packs)
    if key not in _READ:
        if len(_READ) >= 8:
            _READ.clear()
        _READ[key] = _load_rules(packs)
    return _READ[key]


def _load_rules(packs: tuple[Path, ...]) -> Rules:
    problems: list[str] = []
    packaged = {f: RuleFile.read(pattern_path(f), f) for f in PACK_FILES}
    per_pack: list[tuple[str, dict[str, RuleFile]]] = []
    for pack in packs:
        files, bad = _pack_files(pack)
        problems.extend(bad)
        per_pack.append((pack_name(pack) if pack.is_dir() else pack.name, files))
    everything = [packaged] + [files for _name, files in per_pack]

    def all_of(kind: str) -> list[RuleFile]:
        return [files[kind] for files in everything if kind in files]

    gazetteer, bad = parse_gazetteer(all_of("gazetteer.jsonl"))
    problems += bad
    cues, bad = parse_cues(all_of("cues.yaml"))
    problems += bad
    families, bad = parse_families(all_of("families.yaml"))
    problems += bad
    rel = packaged["relations.yaml"]
    ruleset, bad = parse_relation_rules(parse_yaml(rel.text, rel.name, str(rel.path)), rel.name, rule_lines(rel.text),
                                        compile_regexes=False)  # compiled when needed; `kg rules check` compiles all
    problems += bad
    for name, files in per_pack:
        if "relations.yaml" in files:
            f = files["relations.yaml"]
            ruleset, bad = parse_relation_rules(parse_yaml(f.text, f.name, str(f.path)), f.name,
                                                rule_lines(f.text), base=ruleset, pack=name)
            problems += bad
    if problems:
        raise RuleError(problems, path=str(packs[0]) if packs else str(pattern_path("relations.yaml")))
    h = hashlib.sha256()
    read = [f for files in everything for f in files.values()]
    for f in read:
        h.update(f"{f.name}\0".encode())
        h.update(f.text.encode("utf-8"))
    return Rules(gazetteer=tuple(gazetteer), cues=Cues(cues), families=families, relations=ruleset, packs=packs, digest=h.hexdigest(), files=tuple(str(f.path) for f in read))


def load_relation_rules(path: Path | None = None) -> RuleSet:
    """Load one ``relations.yaml`` (default: the packaged one) on its own.

    Raises:
        RuleError: every problem found, e.g. an unknown predicate or class,
            a duplicate or malformed id, an undefined lexicon, a bad pattern.
    """
    path = path or pattern_path("relations.yaml")
    f = RuleFile.read(path, path.name)
    ruleset, problems = parse_relation_rules(parse_yaml(f.text, f.name, str(path)), f.name, rule_lines(f.text))
    if problems:
        raise RuleError(problems, path=str(path))
    return ruleset


def load_cues(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Load one cue file (default: the packaged one).

    Raises:
        RuleError: the file is not a mapping of names to lists of strings.
    """
    path = path or pattern_path("cues.yaml")
    cues, problems = parse_cues([RuleFile.read(path, path.name)])
    if problems:
        raise RuleError(problems, path=str(path))
    return cues


def load_families(path: Path | None = None) -> Families:
    """Load one family file (default: the packaged one).

    Raises:
        RuleError: unknown keys, joiners, or an invalid regex.
    """
    path = path or pattern_path("families.yaml")
    fams, problems = parse_families([RuleFile.read(path, path.name)])
    if problems:
        raise RuleError(problems, path=str(path))
    return fams
