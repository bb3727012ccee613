"""Entity resolution: name normalisation, slugs, merging mentions, naming entities.

Pure functions, no spaCy. Within a document, mentions of one entity get one
key (gazetteer id, or normalised name) and short forms are merged into
long ones ("Mensch" → "Arthur Mensch", "Mistral" → "Mistral AI",
"TVA" → "Tennessee Valley Authority"): :func:`doc_keys`. Across documents,
equal keys merge (:class:`EntityAcc` gathers a key's mentions), and each
entity gets a stable id (:func:`entity_ids`), one class (:func:`entity_type`:
the gazetteer's, else the majority of its mentions) and a label with
aliases (:func:`entity_names`). Every merge is recorded with the reason, so
resolution can be reviewed.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph.model import ENTITY_TYPES, Mention, subclasses

if TYPE_CHECKING:
    from graph.extract.rules import GazetteerEntry

#: Legal-form words dropped when names are compared ("Nvidia Corp." = "Nvidia").
LEGAL_SUFFIXES = frozenset(
    """inc incorporated corp corporation co company ltd limited llc l.l.c llp plc
    gmbh ag sa s.a se nv n.v bv b.v holding holdings group ab asa oyj oy spa s.p.a kk k.k pte pty bhd
    sas sarl srl s.r.l a/s""".split()
)
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def normalize(name: str) -> str:
    """Return the comparison key of a name: case, possessive, legal form folded.

    Examples:
        >>> normalize("Meta Platforms Inc.")
        'meta platforms'
        >>> normalize("Meta’s")
        'meta'
        >>> normalize("the Stargate Project")
        'stargate project'
        >>> normalize("SoftBank Group Corp.")
        'softbank'
        >>> normalize("Group")
        'group'
    """
    s = name.translate(_QUOTES).casefold().strip()
    s = re.sub(r"'s$|'$", "", s)
    s = re.sub(r"[\s,]+", " ", s).strip()
    words = [w for w in s.split(" ") if w]
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    while len(words) > 1 and words[-1].strip(".,") in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(w.strip(",") for w in words).strip(" .") or s


def slug(text: str) -> str:
    """Return a stable IRI-safe slug for any text (ASCII, lowercase, hyphens).

    Text with no ASCII letters or digits gets a hash-based slug.

    Examples:
        >>> slug("Timothée Lacroix")
        'timothee-lacroix'
        >>> slug("Copilot+ PCs")
        'copilot-plus-pcs'
        >>> slug("深度求索")
        'x-6c402a6633'
    """
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    s = s.replace("+", " plus ").replace("&", " and ")
    s = re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")
    if not s:
        s = "x-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
    return s[:80].rstrip("-")


def strip_legal(name: str) -> str:
    """Drop trailing legal-form words from a display name.

    Examples:
        >>> strip_legal("Amazon Web Services, Inc.")
        'Amazon Web Services'
        >>> strip_legal("Alibaba Group Holding Ltd.")
        'Alibaba Group Holding'
    """
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].strip(".").lower() in (LEGAL_SUFFIXES - {"group", "holding", "holdings", "company"}):
        words.pop()
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class GazetteerIndex:
    """Look up gazetteer entries by id or by any normalised name."""

    by_id: dict[str, GazetteerEntry]
    by_name: dict[str, str]

    @classmethod
    def build(cls, entries: Iterable[GazetteerEntry]) -> GazetteerIndex:
        by_id: dict[str, GazetteerEntry] = {}
        by_name: dict[str, str] = {}
        for e in entries:
            by_id[e.id] = e
            for n in e.names:
                by_name.setdefault(normalize(n), e.id)
        return cls(by_id, by_name)

    def lookup(self, name: str) -> str | None:
        """Return the gazetteer id whose name normalises like ``name``."""
        return self.by_name.get(normalize(name))


#: Classes a mention of each class may be merged with: those of the same branch
#: (Organization, Place, Product and their subclasses).
COMPATIBLE = {cls: set(subclasses(top)) for top in ("Organization", "Place", "Product") for cls in subclasses(top)}


def compatible(a: str, b: str) -> bool:
    """Return whether mentions typed ``a`` and ``b`` may be the same entity."""
    return a == b or b in COMPATIBLE.get(a, set())


def _initials(words: Sequence[str]) -> str:
    return "".join(w[0] for w in words if w and w[0].isupper())


def doc_keys(
    mentions: Sequence[tuple[str, str, str]],
    prefixes: frozenset[str] = frozenset(),
) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Merge short forms into long forms within one document.

    Args:
        mentions: ``(key, surface text, class)`` per mention, in text order;
            keys are ``gz:<id>`` for gazetteer entities, ``nm:<normalised>``
            otherwise.
        prefixes: words that start company names without being their short
            form (``company_prefixes``: "Groupe", "Banco"); "Bellane" then
            shortens "Groupe Bellane".

    Returns:
        The key of each mention after merging, and the merges made as
        ``(from key, to key, reason)``.

    Examples:
        >>> keys, merges = doc_keys([("nm:arthur mensch", "Arthur Mensch", "Person"),
        ...                          ("nm:mensch", "Mensch", "Person")])
        >>> keys
        ['nm:arthur mensch', 'nm:arthur mensch']
        >>> merges
        [('nm:mensch', 'nm:arthur mensch', 'surname')]
    """
    long_forms: dict[str, tuple[str, str]] = {}  # key -> (text, class)
    for key, text, cls in mentions:
        if len(text.split()) > 1:
            long_forms.setdefault(key, (text, cls))
    # the long forms a word may shorten, by their last word, first word and initials
    # (in the order of ``long_forms``): a short form looks up its candidates, not a
    # scan of every long form (quadratic in a document of thousands of names)
    order = {lkey: i for i, lkey in enumerate(long_forms)}
    by_word: dict[str, set[str]] = {}
    for lkey, (ltext, _lcls) in long_forms.items():
        lwords = [w.strip(",.") for w in ltext.split()]
        for w in (lwords[-1], lwords[0], _initials(lwords)):
            by_word.setdefault(w, set()).add(lkey)
        if lwords[0] in prefixes:
            by_word.setdefault(lwords[1], set()).add(lkey)
    mapping: dict[str, str] = {}
    merges: list[tuple[str, str, str]] = []
    for key, text, cls in mentions:
        if key in mapping or key in long_forms or key.startswith("gz:") and cls not in ("Person",):
            continue
        words = text.split()
        if len(words) != 1:
            continue
        word = words[0].strip(".,'’").removesuffix("'s").removesuffix("’s")
        cands: list[tuple[str, str]] = []
        for lkey in sorted(by_word.get(word, ()), key=order.__getitem__):
            ltext, lcls = long_forms[lkey]
            if lkey == key or not compatible(cls, lcls):
                continue
            lwords = [w.strip(",.") for w in ltext.split()]
            if cls == "Person" and lcls == "Person" and lwords[-1] == word:
                cands.append((lkey, "surname"))
            elif cls != "Person" and lcls != "Person" and word[:1].isupper() and (
                    lwords[0] == word or lwords[0] in prefixes and lwords[1] == word):
                cands.append((lkey, "short form"))  # "Moonshot AI", "Groupe Bellane": "Moonshot", "Bellane"
            elif cls != "Person" and lcls != "Person" and len(word) >= 2 and word.isupper() and _initials(lwords) == word:
                cands.append((lkey, "acronym"))
        targets = {c[0] for c in cands}
        if len(targets) == 1:
            target, reason = cands[0]
            mapping[key] = target
            merges.append((key, target, reason))
    return [mapping.get(k, k) for k, _t, _c in mentions], merges


#: When mentions disagree on the class, the more specific class wins a tie.
_SPECIFICITY = {t: i for i, t in enumerate(
    ("Chip", "AIModel", "Company", "GovernmentBody", "City", "Country", "Project", "Person",
     "Technology", "Approach", "Product", "Organization", "Place")
)}


@dataclass
class EntityAcc:
    key: str
    types: Counter[str] = field(default_factory=Counter)
    surfaces: Counter[str] = field(default_factory=Counter)
    mentions: list[Mention] = field(default_factory=list)
    qualifiers: dict[str, tuple[str, Any]] = field(default_factory=dict)  # name -> (doc id, value)

    def qualifier(self, name: str) -> Any:
        return self.qualifiers[name][1] if name in self.qualifiers else None


def clean_surface(text: str) -> str:
    t = " ".join(text.split())
    for suf in ("'s", "\u2019s", "'", "\u2019"):
        if t.endswith(suf) and len(t) > len(suf) + 1:
            t = t[: -len(suf)]
            break
    return t


def entity_ids(entities: dict[str, EntityAcc], gz: GazetteerIndex) -> dict[str, str]:
    ids: dict[str, str] = {}
    used = set(gz.by_id)
    for key in sorted(entities):
        if key.startswith("gz:"):
            ids[key] = key[3:]
    given = set(ids.values())  # ``ids.values()`` as a set: a look-up, not a scan per try
    for key in sorted(entities):
        if key in ids:
            continue
        base = slug(key[3:])
        eid = base if base not in used else f"{base}-{_type_suffix(entities[key])}"
        n = 2
        while eid in used and eid not in given:
            eid = f"{base}-{n}"
            n += 1
        ids[key] = eid
        given.add(eid)
        used.add(eid)
    return ids


def _type_suffix(acc: EntityAcc) -> str:
    return (acc.types.most_common(1)[0][0] if acc.types else "thing").lower()


def entity_type(acc: EntityAcc, gz: GazetteerIndex) -> str:
    if acc.key.startswith("gz:"):
        return gz.by_id[acc.key[3:]].type
    if not acc.types:
        return "Organization"
    best = max(acc.types.items(), key=lambda kv: (kv[1], -_SPECIFICITY.get(kv[0], 99)))
    return best[0] if best[0] in ENTITY_TYPES else "Organization"


def entity_names(key: str, acc: EntityAcc, gz: GazetteerIndex, group: list[EntityAcc]) -> tuple[str, tuple[str, ...]]:
    surfaces: Counter[str] = Counter()
    for a in group:
        surfaces.update(a.surfaces)
    if key.startswith("gz:"):
        label = gz.by_id[key[3:]].label
    else:
        # the most frequent full form, legal suffix dropped; longest on a tie
        cands = Counter()
        for s, n in surfaces.items():
            cands[strip_legal(s)] += n
        # a full name over a short form, mixed case over CAPITALS, then the most frequent
        label = max(cands.items(), key=lambda kv: (len(kv[0].split()) > 1, not kv[0].isupper(), kv[1],
                                                     len(kv[0]), kv[0]))[0] if cands else key[3:]
    aliases = sorted({s for s in surfaces if s != label and s.strip()})
    return label, tuple(aliases)
