"""Relation extraction: coreference, surface rules, negation and hedging.

The ``kg_relations`` component runs after ``kg_recognizer``. For each
document it

1. gives every entity mention a document-level key (gazetteer id or
   normalised name) and merges short forms into long ones;
2. resolves definite descriptions ("the company", "the chipmaker", "the
   Hangzhou-based startup") and pronouns ("it", "its") to the most salient
   compatible antecedent, and lets a heading line ("- Nvidia Corp.",
   "About Acme") scope the lines below it;
3. rewrites each sentence as a symbol string and runs every rule of
   ``graph/patterns/relations.yaml`` over it (see :mod:`graph.patterns_dsl`);
4. drops matches in a negated, hedged, conditional, former or questioned
   clause, and attaches quantities (amount, count, date) to what is kept.

The result is stored as plain data in ``doc.user_data["kg"]`` so that it
survives multiprocessing; :mod:`graph.assemble` turns it into the model.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.extract.extraction import (
    BlockedRecord,
    EntityQualifier,
    Extraction,
    MentionRecord,
    RelationRecord,
    SentenceRecord,
    set_extraction,
)
from graph.model import SUPERCLASS
from graph.patterns_dsl import MARK, compile_pattern, required_words
from graph.quantities import Quantity, find_quantities
from graph.resolve import GazetteerIndex, doc_keys, normalize
from graph.rules import RelationRule, RuleSet, load_cues, load_gazetteer, load_relation_rules

ORG_TYPES = ("Organization", "Company", "GovernmentBody")

#: Cue words (lower case) that stop a relation being asserted.
NEGATION = frozenset(
    "not n't never no neither nor none without denied denies deny denying "
    "refused refuses declined declines rejected rejects cannot".split()
)
HEDGES = frozenset(
    "reportedly reported reports report rumored rumoured rumors rumours allegedly "
    "alleged purportedly supposedly unconfirmed speculated speculation may might could "
    "would should possibly potentially potential perhaps likely unlikely probably if "
    "unless whether considering considers consider exploring explores weighing weighs "
    "possible mulling mulls plans plan planned planning intends intend intended aims aim "
    "seeks seek expected expects expect poised proposed proposal hopes hope "
    "prospective pending suggested suggests will 'll wants want eyeing "
    "agreed agrees talks negotiating negotiations".split()
)
FORMER = frozenset("former formerly ex onetime one-time erstwhile previously once".split())
#: Words that close the clause a match may look back into.
CLAUSE_BREAKS = frozenset("; : — -- but while although though whereas yet because ^".split())



@dataclass(slots=True)
class M:
    """A mention inside one document (token and char offsets, class, key)."""

    start: int  # token
    end: int
    start_char: int
    end_char: int
    text: str
    type: str
    rule: str
    key: str = ""
    coref: bool = False
    possessive: bool = False


@dataclass(slots=True)
class Compiled:
    rule: RelationRule
    regexes: list[re.Pattern[str]] = field(default_factory=list)
    #: for each regex, the sets of symbols a sentence needs one of each to match
    #: (:func:`graph.patterns_dsl.required_words`)
    needs: list[tuple[frozenset[str], ...]] = field(default_factory=list)
    #: the rule's subject and object classes: a sentence without a mention of
    #: each cannot fill both slots, so its patterns need not be run
    subjects: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    #: the lemmas of the rule's dependency verbs (lower case), if any
    verbs: frozenset[str] = frozenset()


@lru_cache(maxsize=4)
def compiled_rules(path: str | None = None) -> tuple[RuleSet, tuple[Compiled, ...]]:
    """Load and compile the relation rules once per process."""
    from pathlib import Path

    rs = load_relation_rules(Path(path) if path else None)
    out = []
    for rule in rs.rules:
        c = Compiled(rule, subjects=frozenset(rule.subject), objects=frozenset(rule.object),
                     verbs=frozenset(v.lower() for v in rule.dependency["verbs"]) if rule.dependency else frozenset())
        for pat in rule.patterns:
            c.regexes.append(compile_pattern(pat, rule.subject, rule.object, rs.lexicons))
            c.needs.append(required_words(pat, rs.lexicons))
        out.append(c)
    return rs, tuple(out)


@lru_cache(maxsize=1)
def _gz_index() -> GazetteerIndex:
    return GazetteerIndex.build(load_gazetteer())


# --------------------------------------------------------------------------
# Coreference
# --------------------------------------------------------------------------


COMPANY_LIKE = ("Company", "Organization")


@lru_cache(maxsize=1)
def _coref_nouns() -> dict[str, tuple[str, ...]]:
    """Head nouns of definite descriptions and the classes they refer to."""
    cues = load_cues()
    company = {w.lower() for w in cues["company_nouns"] if " " not in w} - {
        "platform", "fund", "investor", "peer", "rival", "competitor", "unit", "division",
        "subsidiary", "business", "bank", "utility", "operator", "outfit", "corp",
        "distributor", "integrator", "contractor", "broker", "publisher", "insurer", "lender",
        "companies", "firms", "startups",
    }
    out: dict[str, tuple[str, ...]] = {w: COMPANY_LIKE for w in company}
    out.update({w: ("Chip",) for w in ("chip", "chips", "processor", "processors", "accelerator", "accelerators",
                                       "gpu", "gpus", "superchip")})
    out.update({w: ("AIModel",) for w in ("model", "models", "chatbot")})
    out.update({w: ("Project",) for w in ("project", "venture", "cluster", "supercomputer", "initiative")})
    out.update({w: ("GovernmentBody",) for w in ("regulator", "agency", "department", "ministry", "watchdog")})
    return out


def _is_heading(sent: Span, mentions: list[M]) -> M | None:
    """Return the mention a line consists of ("- Nvidia Corp.", "About Acme",
    "COMPANY PROFILE: ACME")."""
    toks = [t for t in sent if not t.is_space and t.text not in ("-", "•", "*", "–", "—", ".", "About", "about")]
    # a label in capitals before a colon ("COMPANY PROFILE:") is part of the heading
    colon = next((k for k, t in enumerate(toks) if t.text == ":"), None)
    labelled = colon is not None and colon > 0 and all(t.is_upper or not t.is_alpha for t in toks[:colon])
    if labelled:
        if any(t.lower_ in _FIELD_WORDS for t in toks[:colon]):
            return None  # "CEO: Jane Roe" is a header field, not a heading
        toks = toks[colon + 1:]
    toks = [t for t in toks if t.text != ":"]
    inside = [m for m in mentions if m.start >= sent.start and m.end <= sent.end]
    if len(inside) != 1 or inside[0].type not in (*ORG_TYPES, "Person", "Project", "Product", "AIModel", "Chip"):
        return None
    m = inside[0]
    if labelled and m.type == "Person":
        return None
    rest = [t for t in toks if not (m.start <= t.i < m.end)]
    return m if not rest and len(toks) <= 8 else None


#: Words of profile header fields ("CEO: ...", "Headquarters: ...").
_FIELD_WORDS = frozenset(
    "ceo cfo cto coo chairman chair president founder founders founded headquarters hq "
    "chief executive owner parent employees revenue valuation listed ticker website".split()
)


@dataclass(slots=True)
class _Context:
    """What the resolver knows at a point of the document."""

    seen: list[tuple[int, M]] = field(default_factory=list)  # (sentence index, mention)
    counts: Counter[str] = field(default_factory=Counter)
    topic: M | None = None
    topic_sent: int = -1
    by_sent: dict[int, list[M]] = field(default_factory=dict)  # sentence index -> its mentions
    breaks: list[int] = field(default_factory=list)  # clause breaks of the current sentence

#: How many earlier mentions an anaphor may refer to (salience decays anyway;
#: this bounds the work on pathological, punctuation-free text).
_WINDOW = 60


#: Words after "it" that make it a subject ("the chips it designs itself").
_AFTER_SUBJECT = frozenset(
    "is was has had will would can could may might does did says said designs designed makes made "
    "builds built develops developed sells sold uses used owns owned runs ran plans expects also "
    "acquired bought invested".split()
)
_PRODUCT_VERBS = frozenset(
    "offers offer offered sells sell sold uses use used deploys deploy deployed builds build built ships "
    "ship shipped integrates integrate integrated runs run licenses license licensed makes make made "
    "produces produce produced manufactures manufacture manufactured designs design designed trains "
    "train trained installs install installed buys buy bought orders order ordered".split()
)
_SUBJECT_START = {"^", ",", "and", "but", "that", "when", "while", "as", "because", "since",
                  "after", "before", "although", "though", "if", "so", ";", "where", "which"}


def _description(doc: Doc, tok, sent: Span, taken: set[int], places: set[int],  # noqa: ANN001
                 nouns: dict[str, tuple[str, ...]]) -> tuple[str, ...] | None:
    """Return the classes a definite description "the [modifiers] noun" refers to."""
    low = tok.lower_
    if low not in nouns:
        return None
    j = tok.i - 1
    steps = 0
    while j >= sent.start and steps < 7 and doc[j].lower_ not in ("the", "this", "that"):
        if doc[j].text in (".", ";", ":", "(", ")") or doc[j].lower_ in (
            "a", "an", "of", "its", "their", "his", "her", "each", "every", "any",
        ) or (j in taken and j not in places):
            return None
        j -= 1
        steps += 1
    if j < sent.start or doc[j].lower_ not in ("the", "this", "that"):
        return None
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    # "the maker of X" names a new entity by what it makes, unless it opens the sentence
    # ("The Palo Alto-based developer of the Pi chatbot was founded ..." refers back)
    restrictive = ("which", "who", "-", "to", "for", "behind") + (() if j == sent.start or (
        j > sent.start and doc[j - 1].text in ("-", "•", "*")) else ("of",))
    if nxt is not None and (nxt.lower_ in restrictive or
                            (nxt.text[:1].isupper() and nxt.i not in taken and nxt.is_alpha)):
        return None  # "the maker of X", "the company Acme": not a reference back
    return nouns[low]


def resolve_coreference(doc: Doc, mentions: list[M], topics: dict[int, M] | None = None) -> list[M]:
    """Return coreferent mentions for definite descriptions and pronouns.

    A line that is only a name ("- Nvidia Corp.") makes that entity the
    topic of the lines below it until the next such line; ``topics``, if
    given, receives the topic of each sentence (by its first token).
    """
    nouns = _coref_nouns()
    taken = {i for m in mentions for i in range(m.start, m.end)}
    by_start = sorted(mentions, key=lambda m: m.start)
    ctx = _Context()
    out: list[M] = []
    mi = 0
    places = {i for m in mentions if m.type in ("Place", "City", "Country") for i in range(m.start, m.end)}
    starts = [m.start for m in by_start]
    for si, sent in enumerate(doc.sents):
        lo, hi = bisect_right(starts, sent.start - 1), bisect_right(starts, sent.end - 1)
        head = _is_heading(sent, by_start[lo:hi]) if len(sent) <= 16 else None
        ctx.breaks = [t.i for t in sent if t.text in (";", ":") or (
            t.lower_ in ("and", "but") and t.i > 0 and doc[t.i - 1].text == ",")]
        if head is not None:
            ctx.topic, ctx.topic_sent = head, si
        elif topics is not None and ctx.topic is not None:
            topics[sent.start] = ctx.topic
        in_sent: list[M] = []
        for tok in sent:
            while mi < len(by_start) and by_start[mi].start <= tok.i:
                if by_start[mi].start == tok.i:
                    ctx.seen.append((si, by_start[mi]))
                    ctx.counts[by_start[mi].key] += 1
                    in_sent.append(by_start[mi])
                    ctx.by_sent.setdefault(si, []).append(by_start[mi])
                mi += 1
            if tok.i in taken:
                continue
            low = tok.lower_
            kind = ""
            types: tuple[str, ...] | None = None
            if low == "its" and (tok.text == "its" or tok.i == sent.start or tok.text == "Its"):
                kind, types = "possessive", (*ORG_TYPES, "Project")
            elif low == "it":
                prev = doc[tok.i - 1].lower_ if tok.i > sent.start else "^"
                nxt = doc[tok.i + 1].lower_ if tok.i + 1 < len(doc) else ""
                kind = "subject" if prev in _SUBJECT_START or tok.i == sent.start or nxt in _AFTER_SUBJECT else "object"
                types = (*ORG_TYPES, "Project", "Product", "AIModel", "Chip", "Technology")
                if kind == "object" and prev in _PRODUCT_VERBS:
                    types = ("Product", "Chip", "AIModel", "Technology")  # "offers it", "builds it into"
                after = " ".join(t.lower_ for t in doc[tok.i + 1 : tok.i + 4])
                if re.match(r"(?:too |also )?(is|was|has been|will be|are|were) (also |now |too )?(made|manufactured|produced|"
                            r"fabricated|built|designed|sold|shipped|developed|trained|priced|packaged)\b", after):
                    types = ("Product", "Chip", "AIModel", "Project")  # "it is manufactured by TSMC": a thing, not a firm
            else:
                types = _description(doc, tok, sent, taken, places, nouns)
                kind = "description" if types else ""
            if not types:
                continue
            if kind == "description" and _appositive(doc, tok.i, ctx) and not (
                    tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("'s", "\u2019s")):
                continue  # "Acme, the Paris-based startup": the name is right there
            ante = _antecedent(doc, tok.i, si, kind, types, ctx, in_sent)
            if ante is None:
                continue
            out.append(M(
                start=tok.i, end=tok.i + 1, start_char=tok.idx, end_char=tok.idx + len(tok.text),
                text=tok.text, type=ante.type,
                rule="coref_description_v1" if kind == "description" else "coref_pronoun_v1",
                key=ante.key, coref=True, possessive=kind == "possessive",
            ))
    return out


def _appositive(doc: Doc, i: int, ctx: _Context) -> bool:
    j = i - 1
    while j > 0 and doc[j].lower_ != "the" and i - j < 8:
        j -= 1
    return j > 1 and doc[j - 1].text == "," and any(m.end == j - 1 for _s, m in ctx.seen[-3:])


def _antecedent(doc: Doc, i: int, si: int, kind: str, types: tuple[str, ...], ctx: _Context,
                in_sent: list[M]) -> M | None:
    """Pick the antecedent of the anaphor at token ``i``.

    * object pronoun ("only three companies produce it"): the nearest
      compatible mention before it in the sentence;
    * otherwise the most salient compatible mention: same-sentence subject
      for "its"/"it", a same-sentence non-subject for a description (a writer
      names a new entity, then refers to it by description), the topic of
      the section, and how often and how recently it was mentioned.
    """
    if kind == "object":
        for m in reversed(in_sent[-_WINDOW:]):
            if m.end <= i and m.type in types:
                return m
    k = bisect_right(ctx.breaks, i - 1)
    clause_start = ctx.breaks[k - 1] if k else 0
    subject = next((m for m in in_sent[-_WINDOW:] if m.type in ORG_TYPES and m.start >= clause_start), None) or \
        next((m for m in in_sent if m.type in ORG_TYPES), None)
    best: tuple[float, int, M] | None = None
    offset = max(0, len(ctx.seen) - _WINDOW)
    for order, (s_, m) in enumerate(ctx.seen[offset:], offset):
        if m.type not in types or s_ < si - 4 or m.start >= i or m.end == i:
            continue
        if kind == "description" and 0 < i - m.end < 12 and m.end < len(doc) and doc[m.end].text == ",":
            continue  # "X, the subsidiary of the chipmaker": the chipmaker is not X
        score = -0.5 * (si - s_) + 0.5 * min(ctx.counts[m.key], 8)
        if s_ == si:
            if kind == "description":
                score += 1.0 if m is subject else 4.0
            else:
                score += 3.0 if m is subject else 1.0
        elif s_ == si - 1 and kind != "description" and _first_of_sentence(m, ctx.by_sent.get(s_, []), types):
            score += 1.0
        if ctx.topic is not None and m.key == ctx.topic.key and si > ctx.topic_sent:
            score += 2.5
        cand = (score, order, m)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None and ctx.topic is not None and ctx.topic.type in types and si > ctx.topic_sent:
        return ctx.topic
    return best[2] if best else None


def _first_of_sentence(m: M, in_sent: list[M], types: tuple[str, ...]) -> bool:
    return next((m2 for m2 in in_sent if m2.type in types), None) is m


# --------------------------------------------------------------------------
# Sentences as symbol strings
# --------------------------------------------------------------------------

_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-"}
_NORM_TOKEN = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "—", MARK: "?"})


@dataclass(slots=True)
class Symbols:
    string: str
    offsets: list[int]  # char offset of each symbol in string
    tokens: list[tuple[int, int]]  # token span of each symbol
    mention_of: dict[int, M]  # symbol index -> mention
    words: list[str]


_MONTH_MAY = re.compile(r"^\d")


def symbolize(sent: Span, mentions: list[M], topic: M | None = None) -> Symbols:
    """Rewrite a sentence as symbols: words in lower case, mentions as ``§Class#n``.

    The month "May" becomes ``<month>`` (it is not the modal "may"). The
    section's topic, if any, is appended after the sentence as ``§Class#Tn``
    for the ``{TOPIC:S}``/``{TOPIC:O}`` slots of header and role patterns.
    """
    by_start = {m.start: m for m in mentions}
    syms: list[str] = ["^"]
    toks: list[tuple[int, int]] = [(sent.start, sent.start)]
    mention_of: dict[int, M] = {}
    i = sent.start
    # skip bullets and transcript markers at the start of a line
    while i < sent.end and (sent.doc[i].is_space or sent.doc[i].text in ("-", "•", "*", "–", "—", '"', "“")):
        i += 1
    if i + 1 < sent.end and sent.doc[i].text in ("Q", "A") and sent.doc[i + 1].text == ":":
        i += 2
    n = 0
    while i < sent.end:
        tok = sent.doc[i]
        if i in by_start:
            m = by_start[i]
            if m.rule == "coref_description_v1" and i + 1 < sent.end and sent.doc[i + 1].lower_ == "of":
                # "the developer of the Pi chatbot": keep the head word, "developer §Company#1 of ..."
                syms.append(tok.text.lower())
                toks.append((i, i))
            mention_of[len(syms)] = m
            syms.append(f"{MARK}{m.type}#{n}")
            toks.append((m.start, m.end))
            n += 1
            if m.possessive:
                syms.append("'s")
                toks.append((m.end, m.end))
            i = m.end
            continue
        if tok.text in ("'", "\u2019") and syms and syms[-1].startswith(MARK):
            syms.append("'s")  # "Zorblax Labs' backers"
            toks.append((i, i + 1))
            i += 1
            continue
        if not tok.is_space:
            w = tok.text.translate(_NORM_TOKEN).lower().replace(" ", "")
            if tok.text == "May" and (i > sent.start or (i + 1 < sent.end and _MONTH_MAY.match(sent.doc[i + 1].text))):
                w = "<month>"
            w = _BRACKETS.get(w, w)  # patterns write brackets as -lrb- -rrb- (parentheses group)
            syms.append(w or "_")
            toks.append((i, i + 1))
        i += 1
    if topic is not None:
        mention_of[len(syms)] = topic
        syms.append(f"{MARK}{topic.type}#T{n}")
        toks.append((sent.end, sent.end))
    offsets = []
    pos = 0
    for s in syms:
        offsets.append(pos)
        pos += len(s) + 1
    return Symbols(" ".join(syms) + " ", offsets, toks, mention_of, syms)


# --------------------------------------------------------------------------
# Matching
# --------------------------------------------------------------------------


def _slot_mentions(sym: Symbols, start: int, end: int) -> list[M]:
    a = bisect_right(sym.offsets, start) - 1
    b = bisect_right(sym.offsets, end - 1)
    return [sym.mention_of[k] for k in range(a, b) if k in sym.mention_of]


def _symbol_range(sym: Symbols, start: int, end: int) -> tuple[int, int]:
    return bisect_right(sym.offsets, start) - 1, bisect_right(sym.offsets, max(start, end - 1))


def blocked_by(words: list[str], a: int, b: int, ignore: frozenset[str] = frozenset(),
               scope: str = "clause", slots: frozenset[int] = frozenset()) -> str | None:
    """Return the cue that blocks symbols ``[a, b)``, looking back to the clause start.

    Negations and hedges count from the start of the clause to the end of
    the match; "former"/"previously" only inside the match or just before
    it. A comma-delimited aside that holds none of the relation's ends
    (``slots``: their symbol indices) is skipped: in "Feldman, a former AMD
    vice president, is the CEO" the "former" is the aside's.

    Examples:
        >>> blocked_by("^ §Company#0 has not acquired §Company#1".split(), 1, 6)
        'not'
        >>> blocked_by("^ §Company#0 acquired §Company#1".split(), 1, 4) is None
        True
    """
    def is_former(w: str) -> bool:
        return w in FORMER or w.startswith("ex-") or w == "ex"

    for w in words[max(a - 2, 1):a]:
        if is_former(w):
            return w
    if scope == "phrase":
        window_idx = list(range(a, b))
    else:
        k = a - 1
        while k > 0 and words[k] not in CLAUSE_BREAKS and not (words[k] in ("and", "but") and words[k - 1] == ","):
            k -= 1
        window_idx = list(range(max(k, 0), b))
    skip = _asides(words, window_idx, slots)
    window = [words[i] for i in window_idx if i not in skip]
    for i, w in zip([i for i in window_idx if i not in skip], window):
        if w in ignore:
            continue
        if w in NEGATION or w in HEDGES:
            return w
        if is_former(w) and i >= a and not _former_elsewhere(words, i, slots):
            return w
    text = " ".join(window)
    for phrase in ("said to", "in talks", "no longer", "is said", "are said", "set to"):
        if phrase in text:
            return phrase
    return None


def _former_elsewhere(words: list[str], i: int, slots: frozenset[int]) -> bool:
    """Whether a "former" at ``i`` belongs to another clause than the relation.

    In "X, the former chief executive of Y who took over as Z's chief
    executive", a relative pronoun stands between "former" and Z.
    """
    later = [k for k in slots if k > i]
    if not later:
        return False
    return any(words[k] in ("who", "which", "that", "whose", ";") for k in range(i + 1, min(later)))


_ASIDE_OPENERS = frozenset("a an the who which whose one also now long still itself".split())


def _asides(words: list[str], idx: list[int], slots: frozenset[int]) -> set[int]:
    """Indices of comma-delimited asides (", a former AMD executive,") without slots."""
    out: set[int] = set()
    commas = [i for i in idx if words[i] == ","]
    for x, y in zip(commas, commas[1:]):
        inner = range(x + 1, y)
        if y - x > 1 and words[x + 1] in _ASIDE_OPENERS and not any(i in slots for i in inner):
            out.update(range(x, y + 1))
    return out


@dataclass(slots=True)
class Found:
    subject: M
    predicate: str
    object: M
    rule: str
    confidence: float
    sent: Span
    qualifiers: dict[str, Any]
    dated: bool = True  # an event (a clause) can carry a date; a nominal fact cannot


PatternIndex = tuple[tuple[tuple[int, int], ...], dict[str, tuple[tuple[int, int], ...]]]


def pattern_index(rules: tuple[Compiled, ...]) -> PatternIndex:
    """The patterns of ``rules`` as ``(rule, pattern)`` index pairs: those that
    need no word, and, by word, those whose smallest need set holds it. A
    sentence's candidates are the first and those of its words: 238 patterns
    checked per sentence became a few dozen."""
    always: list[tuple[int, int]] = []
    by_word: dict[str, list[tuple[int, int]]] = {}
    for ci, comp in enumerate(rules):
        for ri, needs in enumerate(comp.needs):
            if not needs:
                always.append((ci, ri))
                continue
            for w in min(needs, key=len):
                by_word.setdefault(w, []).append((ci, ri))
    return tuple(always), {w: tuple(v) for w, v in by_word.items()}


def match_sentence(sent: Span, mentions: list[M], rules: tuple[Compiled, ...],
                   quantities: list[Quantity], topic: M | None = None, *, index: PatternIndex,
                   ) -> tuple[list[Found], list[tuple[str, str, str, str]]]:
    """Run every rule over one sentence; return kept matches and blocked ones.

    ``index`` is :func:`pattern_index` of ``rules``, made once per pipeline."""
    sym = symbolize(sent, mentions, topic)
    found: list[Found] = []
    blocked: list[tuple[str, str, str, str]] = []
    question = sent.text.rstrip().endswith("?")
    # every slot is a mention of the rule's classes: skip rules whose subject
    # or object class the sentence lacks (their patterns cannot match both)
    present = {m.type for m in sym.mention_of.values()}
    words = set(sym.words)
    always, by_word = index
    candidates = set(always)  # (rule, pattern) pairs, in rule order once sorted
    for w in words:
        candidates.update(by_word.get(w, ()))
    for ci, ri in sorted(candidates):
        comp = rules[ci]
        if present.isdisjoint(comp.subjects) or present.isdisjoint(comp.objects):
            continue
        if any(words.isdisjoint(need) for need in comp.needs[ri]):
            continue  # a word the pattern cannot do without is missing
        rule = comp.rule
        for m in comp.regexes[ri].finditer(sym.string):
            subs: list[M] = []
            objs: list[M] = []
            for name, val in m.groupdict().items():
                if val is None or name == "m":
                    continue
                s, e = m.span(name)
                (subs if name.startswith("S") else objs).extend(_slot_mentions(sym, s, e))
            a, b = _symbol_range(sym, m.start("m"), m.end("m"))
            slot_idx = frozenset(k for name, val in m.groupdict().items() if val is not None and name != "m"
                                 for k in range(*_symbol_range(sym, *m.span(name))))
            cue = "question" if question else blocked_by(sym.words, a, b, rule.ignore_cues, rule.scope, slot_idx)
            for sm in subs:
                for om in objs:
                    if sm.key == om.key:
                        continue
                    if cue:
                        blocked.append((sm.text, rule.predicate, om.text, f"{rule.id}: {cue}"))
                        continue
                    quals = _qualifiers(rule.predicate, sym, a, b, om, quantities)
                    if rule.scope == "phrase":
                        quals.pop("date", None)
                    for pred in (rule.predicate, *rule.also):
                        found.append(Found(sm, pred, om, rule.id, rule.confidence, sent, dict(quals),
                                           dated=rule.scope == "clause"))
    return found, blocked


#: Verbs whose complement is not asserted ("plans to acquire", "denied buying").
_HEDGING_HEADS = frozenset(
    "deny plan consider explore seek aim intend expect negotiate propose want hope weigh mull "
    "discuss talk try attempt rumor rumour report say allege agree threaten".split()
)
_MODALS = frozenset("may might could would should will can must".split())


def _dep_tokens(v, source: str) -> list:  # noqa: ANN001 - spaCy tokens
    """The tokens that fill a dependency source of verb ``v`` (conjuncts included)."""
    out = []
    if source in ("nsubj", "nsubjpass"):
        subs = [c for c in v.children if c.dep_ == source]
        if not subs and v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
            subs = [c for c in v.head.children if c.dep_ == source]  # "X designed and sells Y"
        if source == "nsubjpass" and v.dep_ == "acl":
            subs = [v.head]  # "chips designed by Nvidia"
        for t in subs:
            if t.lower_ in ("which", "who", "that") and v.dep_ == "relcl":
                t = v.head  # "X, which acquired Y"
            out.append(t)
    elif source == "dobj":
        out = [c for c in v.children if c.dep_ == "dobj"]
    elif source == "attr":
        out = [c for c in v.children if c.dep_ == "attr"]
    elif source == "agent":
        out = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
    elif source.startswith("prep:"):
        word = source[5:]
        out = [g for c in v.children if c.dep_ in ("prep", "dative") and c.lower_ == word
               for g in c.children if g.dep_ == "pobj"]
    expanded = []
    for t in out:
        stack = [t]
        while stack:
            x = stack.pop()
            expanded.append(x)
            for c in x.children:
                if c.dep_ not in ("conj", "appos"):
                    continue
                between = {w.lower_ for w in x.doc[min(x.i, c.i) + 1:max(x.i, c.i)]}
                if between & _CONTRASTS:
                    continue  # "SRAM rather than HBM", "A but not B"
                stack.append(c)
    return expanded


_CONTRASTS = frozenset("rather instead than not nor unlike versus vs except excluding".split())


def _mentions_at(t, at: dict[int, M]) -> list[M]:  # noqa: ANN001
    """The mention at token ``t``, or those modifying it ("Trainium2 chips", "the Nvidia H100 GPUs")."""
    if t.i in at:
        return [at[t.i]]
    mods = [at[c.i] for c in t.children if c.i < t.i and c.dep_ in ("compound", "amod", "nmod", "npadvmod") and c.i in at]
    if t.lower_ in _thing_nouns():
        mods = [m for m in mods if m.type not in ORG_TYPES]  # "Nvidia GPUs": the brand is not the thing
    return mods


@lru_cache(maxsize=1)
def _thing_nouns() -> frozenset[str]:
    cues = load_cues()
    return frozenset(w.lower() for k in ("chip_nouns", "model_nouns", "product_nouns") for w in cues.get(k, ()))


def _unique(ms: list[M]) -> list[M]:
    seen: set[int] = set()
    return [m for m in ms if not (id(m) in seen or seen.add(id(m)))]


def _dep_blocked(v) -> str | None:  # noqa: ANN001
    """Negation, modality or a hedging/denying head over verb ``v``."""
    for c in v.children:
        if c.dep_ == "neg" or c.lower_ in NEGATION:
            return c.lower_
        if c.dep_ in ("aux", "advmod") and (c.lower_ in _MODALS or c.lower_ in HEDGES or c.lower_ in FORMER):
            return c.lower_
    node = v
    while node.dep_ in ("xcomp", "ccomp", "advcl", "conj", "pcomp", "acl", "prep", "pobj") and node.head is not node:
        node = node.head
        if node.lemma_.lower() in _HEDGING_HEADS or node.lower_ in HEDGES:
            return node.lemma_.lower()
        if any(c.dep_ == "neg" for c in node.children) and node.dep_ != "conj":
            return "not"
    # and, as for surface rules, any negation or hedge earlier in the clause
    sent = v.sent
    start = max([t.i + 1 for t in sent if t.i < v.i and t.text in (";", ":")] + [sent.start])
    for t in v.doc[start:v.i]:
        if t.lower_ in NEGATION or t.lower_ in HEDGES:
            return t.lower_
    return None


def match_dependencies(sent: Span, mentions: list[M], rules: tuple[Compiled, ...],
                       quantities: list[Quantity]) -> tuple[list[Found], list[tuple[str, str, str, str]]]:
    """Run the dependency rules over a parsed sentence (trained pipelines only).

    A rule names its verbs (lemmas) and where its subject and object come
    from (``nsubj``, ``nsubjpass``, ``dobj``, ``agent``, ``prep:<word>``);
    relative pronouns, participles and coordination are followed.
    """
    doc = sent.doc
    if not doc.has_annotation("DEP") or sent.text.rstrip().endswith("?"):
        return [], []
    at: dict[int, M] = {}
    for m in mentions:
        for i in range(m.start, m.end):
            at.setdefault(i, m)
    found: list[Found] = []
    blocked: list[tuple[str, str, str, str]] = []
    verbs = [(v, v.lemma_.lower()) for v in sent if v.pos_ in ("VERB", "AUX")]
    present = {m.type for m in mentions}
    cues: dict[int, str | None] = {}  # verb index -> what blocks it
    for comp in rules:
        dep = comp.rule.dependency
        if not dep or present.isdisjoint(comp.subjects) or present.isdisjoint(comp.objects):
            continue  # no verbs, or no mention of the subject or object classes
        for v, lemma in verbs:
            if lemma not in comp.verbs:
                continue
            subs = [m for src in dep["subject_from"] for t in _dep_tokens(v, src) for m in _mentions_at(t, at)]
            objs = [m for src in dep["object_from"] for t in _dep_tokens(v, src) for m in _mentions_at(t, at)]
            if not subs or not objs:
                continue
            if v.i not in cues:
                cues[v.i] = _dep_blocked(v)
            cue = cues[v.i]
            for sm in _unique(subs):
                for om in _unique(objs):
                    if sm.key == om.key or sm.type not in comp.rule.subject or om.type not in comp.rule.object:
                        continue
                    if cue:
                        blocked.append((sm.text, comp.rule.predicate, om.text, f"{comp.rule.id}: {cue}"))
                        continue
                    quals: dict[str, Any] = {}
                    lo, hi = v.left_edge.i, v.right_edge.i + 1
                    for q in quantities:
                        if lo <= q.start_token < hi:
                            if q.kind == "date":
                                quals.setdefault("date", q.unit)
                            elif q.kind == "money" and comp.rule.predicate in ("investsIn", "acquired"):
                                quals.setdefault("amount", str(q.value))  # text: extractions stay JSON/msgpack
                                quals.setdefault("currency", q.unit)
                    for pred in (comp.rule.predicate, *comp.rule.also):
                        found.append(Found(sm, pred, om, comp.rule.id, comp.rule.confidence, sent, dict(quals)))
    return found, blocked


def _qualifiers(pred: str, sym: Symbols, a: int, b: int, obj: M, quantities: list[Quantity]) -> dict[str, Any]:
    """Attach the quantities a relation's words carry (amount, count, date)."""
    if not quantities:
        return {}
    tok_start = sym.tokens[a][0] if a < len(sym.tokens) else 0
    last = min(b, len(sym.tokens)) - 1
    tok_end = sym.tokens[last][1] if last >= 0 else 0
    out: dict[str, Any] = {}
    for q in quantities:
        inside = tok_start <= q.start_token and q.end_token <= tok_end + 6
        if q.kind == "money" and pred in ("investsIn", "backerOf", "acquired", "partnerIn") and inside:
            out.setdefault("amount", str(q.value))  # text: extractions stay JSON/msgpack
            out.setdefault("currency", q.unit)
        elif q.kind == "count" and pred in ("uses", "trainedOn") and obj.type == "Chip":
            # "2,048 Nvidia H800 GPUs": the number right before the chip (brand between)
            if q.end_token <= obj.start and obj.start - q.end_token <= 2 and q.start_token >= tok_start - 2:
                out.setdefault("count", int(q.value))
        elif q.kind == "date" and inside and q.start_token >= tok_start:
            out.setdefault("date", q.unit)
    return out


# --------------------------------------------------------------------------
# The component
# --------------------------------------------------------------------------


def doc_mentions(doc: Doc) -> list[M]:
    """Return the document's entity mentions with document-level keys."""
    rules = {(s.start, s.end): s.label_ for s in doc.spans.get("kg_rules", [])}
    gz = _gz_index()
    ms: list[M] = []
    for ent in doc.ents:
        key = f"gz:{ent.ent_id_}" if ent.ent_id_ else None
        if key is None:
            hit = gz.lookup(ent.text)
            if hit is not None and _type_fits(gz.by_id[hit].type, ent.label_):
                key = f"gz:{hit}"
            else:
                key = f"nm:{normalize(ent.text)}"
        ms.append(M(ent.start, ent.end, ent.start_char, ent.end_char, ent.text, ent.label_,
                    rules.get((ent.start, ent.end), "ner"), key))
    keys, merges = doc_keys([(m.key, m.text, m.type) for m in ms])
    reasons = {frm: reason for frm, _to, reason in merges}
    for m, k in zip(ms, keys, strict=True):
        if k != m.key and m.key in reasons:
            m.rule = f"{m.rule}+{reasons[m.key].replace(' ', '_')}"  # reviewable: how it was merged
        m.key = k
    # a gazetteer type wins over the type a short form was given
    for m in ms:
        if m.key.startswith("gz:"):
            m.type = gz.by_id[m.key[3:]].type
    return ms


def _type_fits(gz_type: str, seen: str) -> bool:
    top = lambda t: SUPERCLASS.get(t, t)  # noqa: E731
    return top(gz_type) == top(seen) or seen in ("Company", "Organization") and gz_type in ("Company", "Organization", "GovernmentBody")


class RelationExtractor:
    """The ``kg_relations`` component."""

    def __init__(self, rules_path: str | None = None) -> None:
        self.ruleset, self.rules = compiled_rules(rules_path)
        self.index = pattern_index(self.rules)

    def __call__(self, doc: Doc) -> Doc:
        mentions = doc_mentions(doc)
        topics: dict[int, M] = {}
        corefs = resolve_coreference(doc, mentions, topics)
        everything = sorted(mentions + corefs, key=lambda m: m.start)
        inside = {i for m in mentions for i in range(m.start, m.end)}
        quantities = [q for q in find_quantities(doc)
                      if not any(i in inside for i in range(q.start_token, q.end_token))]
        found: list[Found] = []
        blocked: list[tuple[str, str, str, str]] = []
        bounds = [m.start for m in everything]
        sents = list(doc.sents)
        sent_of = [0] * len(doc)
        for si, sent in enumerate(sents):
            for i in range(sent.start, sent.end):
                sent_of[i] = si
        heading_date: str | None = None  # "- January 21, 2025:" dates the line below it
        for sent in sents:
            qs = [q for q in quantities if sent.start <= q.start_token < sent.end]
            line_date = _date_heading(sent, qs)
            if line_date is not None:
                heading_date = line_date
                continue
            lo = bisect_right(bounds, sent.start - 1)
            hi = bisect_right(bounds, sent.end - 1)
            sm = [m for m in everything[lo:hi] if m.end <= sent.end]
            topic = topics.get(sent.start)
            if len(sm) + (topic is not None) >= 2:
                f, b = match_sentence(sent, sm, self.rules, qs, topic, index=self.index)
                if len(sm) >= 2:
                    f2, b2 = match_dependencies(sent, sm, self.rules, qs)
                    f += f2
                    b += b2
                if heading_date is not None:
                    for x in f:
                        if x.dated:
                            x.qualifiers.setdefault("date", heading_date)
                found.extend(f)
                blocked.extend(b)
            heading_date = None
        entity_quals = _entity_qualifiers(everything, quantities, sent_of)
        index = {id(m): k for k, m in enumerate(everything)}
        text = doc.text  # built from the tokens on every access: read it once
        spans = [_trimmed(text, sent.start_char, sent.end_char) for sent in sents]
        used = {spans[sent_of[m.start]] for m in everything} | {
            _trimmed(text, f.sent.start_char, f.sent.end_char) for f in found}
        set_extraction(doc, Extraction(
            mentions=tuple(
                MentionRecord(m.start_char, m.end_char, m.text, m.type, m.key, m.rule, m.coref, spans[sent_of[m.start]])
                for m in everything
            ),
            relations=tuple(
                RelationRecord(index[id(f.subject)], f.predicate, index[id(f.object)], f.rule, f.confidence,
                               _trimmed(text, f.sent.start_char, f.sent.end_char), tuple(sorted(f.qualifiers.items())))
                for f in found
            ),
            # the text of every sentence the graph refers to, so the corpus need not be kept
            sentences=tuple(SentenceRecord(a, b, text[a:b]) for a, b in sorted(used)),
            blocked=tuple(BlockedRecord(*b) for b in blocked),
            entity_qualifiers=tuple(EntityQualifier(*q) for q in entity_quals),
        ))
        return doc


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span over surrounding whitespace and a leading bullet ("- "),
    so that text[start:end] is the sentence."""
    while start < end and text[start].isspace():
        start += 1
    if end - start > 2 and text[start] in "-•*–" and text[start + 1] == " ":
        start += 2
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _date_heading(sent: Span, quantities: list[Quantity]) -> str | None:
    """The date of a line that is only a date ("- January 21, 2025:"), else None."""
    dates = [q for q in quantities if q.kind == "date"]
    if len(dates) != 1:
        return None
    rest = [t for t in sent if not (dates[0].start_token <= t.i < dates[0].end_token)
            and not t.is_space and t.text not in ("-", "•", "*", ":", "–", "—", ".")]
    return dates[0].unit if not rest else None


def _entity_qualifiers(mentions: list[M], quantities: list[Quantity], sent_of: list[int]) -> list[list[Any]]:
    """Parameter counts of models and market shares of companies."""
    out: list[list[Any]] = []
    for q in quantities:
        if q.kind == "parameters":
            # the model right after ("671-billion-parameter DeepSeek-V3") or before ("X, with 117 billion parameters")
            after = [m for m in mentions if m.type == "AIModel" and 0 <= m.start - q.end_token <= 2]
            before = [m for m in mentions if m.type == "AIModel" and 0 <= q.start_token - m.end <= 12
                      and sent_of[m.start] == sent_of[q.start_token]]
            target = after[0] if after else (before[-1] if before else None)
            if target is not None:
                out.append([target.key, "parameterCount", int(q.value)])
        elif q.kind == "market_share":
            orgs = [m for m in mentions if m.type in ORG_TYPES and m.end <= q.start_token
                    and sent_of[m.start] == sent_of[q.start_token]]
            if orgs:
                out.append([orgs[0].key, "marketShare", str(q.value)])
    return out


@Language.factory("kg_relations", default_config={"rules_path": None})
def make_relation_extractor(nlp: Language, name: str, rules_path: str | None) -> RelationExtractor:
    """Factory of the ``kg_relations`` component."""
    return RelationExtractor(rules_path)
