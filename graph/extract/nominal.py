"""Nominal rules: relations a noun states, read from the parse ("Acme's chief executive, Jane Roe").

A rule of ``relations.yaml`` with a ``nominal`` block names its nouns (words
or ``@lexicon`` phrases, matched by their last word's lemma: "chief
executives" is "chief executive") and where its subject and object come
from:

* ``holder``: who has the role or the relation the noun names, found by the
  frames a journalist uses: an appositive on either side ("Jane Roe, chief
  executive of Acme" / "Acme's chief executive, Jane Roe"), a copula or a
  change of state ("Jane Roe is / became / remains Acme's chief executive"),
  "as" ("Jane Roe joined Acme as chief executive", "Acme named Jane Roe as
  chief executive"), a title before a name ("chief executive Jane Roe",
  "Acme CEO Jane Roe"), a listing verb ("Acme's investors include Zed",
  "Acme's largest shareholder is Zed"), a possessive's compound ("Acme's Zed
  unit"), an example list ("rivals such as Zed and Qux", "investors including Zed");
* ``owner``: the subject of a verb of possession whose object the noun is
  ("Zed took a stake in Acme"); only rules that ask for it get it ("Zed
  bought a rival of Acme" makes Zed no rival);
* ``context``: the subject of a verb of contest the noun is an object of ("Acme
  faces rivals such as Zed": Acme; not "Acme praised rivals such as Zed");
* ``poss`` ("Acme's"; "whose" is the relative clause's head), ``compound`` ("Acme CEO"), ``prep:<word>`` ("of Acme",
  "at Acme"), and ``joined`` (the organisation of "joined Acme as").

A noun under "former", "ex-", "incoming"... (``cues.yaml``: ``former``,
``future_roles``), a governing verb that is negated, hedged or modal, and a
state verb in the simple past ("X was chief executive of Acme") block the
match, which is then reported, not asserted.
"""

from __future__ import annotations

import re
from typing import Any

from spacy.tokens import Span, Token

from graph.extract.hedging import Scope
from graph.extract.mentions import Budget, Found, M
from graph.extract.patterns_dsl import expand_phrase
from graph.extract.rules import Cues

#: Sources of a nominal slot (validated in :mod:`graph.extract.relation_rules`).
NOMINAL_SOURCE = re.compile(r"^(holder|owner|poss|compound|joined|context|prep:[a-z]+)$")

_COPULAS = frozenset({"be", "become", "remain", "stay", "continue"})
_AS_HOLDER_OBJECT = frozenset({"name", "appoint", "hire", "elect", "promote", "tap", "install", "choose", "select",
                               "recruit", "make", "designate", "confirm", "reappoint", "pick", "nominate"})
#: Verbs whose subject is the one a contest noun ("rivals", "competitors") is relative to.
_CONTEST_VERBS = frozenset({"compete", "face", "battle", "challenge", "trail", "beat", "outsell", "overtake",
                            "outpace", "fight", "vie", "lose", "undercut", "lag"})
#: Verbs that list who holds what their subject names ("Acme's customers include Zed").
_LISTING_VERBS = frozenset({"include", "be", "comprise", "remain"})
#: Verbs whose subject holds what their object names ("Zed holds a stake in Acme").
_HOLD_VERBS = frozenset({"take", "hold", "own", "have", "acquire", "buy", "purchase", "raise", "increase", "keep",
                         "retain", "build", "boost", "double", "lift"})
#: Verbs that pass a stake to the object of "to".
_SELL_VERBS = frozenset({"sell", "transfer", "hand", "give"})
#: State verbs that, in the simple past, say a role is over ("X was chief executive").
_STATE_VERBS = frozenset({"be", "serve", "act", "work", "remain", "stay"})


def noun_phrases(entries: tuple[str, ...], lexicons: dict[str, tuple[str, ...]]) -> tuple[tuple[str, ...], ...]:
    """The word sequences of a rule's nouns (``@lexicon`` expanded, hyphens as tokens), longest first.

    Examples:
        >>> noun_phrases(("co-founder", "chief executive"), {})
        (('co', '-', 'founder'), ('chief', 'executive'))
    """
    out: set[tuple[str, ...]] = set()
    for entry in entries:
        phrases = [p for e in lexicons.get(entry[1:], ()) for p in expand_phrase(e)] if entry.startswith("@") \
            else list(expand_phrase(entry))
        for p in phrases:
            words = re.sub(r"(?<=[A-Za-z0-9])-(?=[A-Za-z])", " - ", p.lower()).split()
            if words:
                out.add(tuple(words))
    return tuple(sorted(out, key=lambda w: (-len(w), w)))


def noun_index(phrases: tuple[tuple[str, ...], ...]) -> dict[str, tuple[int, ...]]:
    """The positions in ``phrases`` of the phrases that end in each word: a noun is
    tried against those its own form or lemma ends (a rule has up to a hundred phrases).

    Examples:
        >>> noun_index((("chief", "executive"), ("executive",), ("founder",)))
        {'executive': (0, 1), 'founder': (2,)}
    """
    out: dict[str, list[int]] = {}
    for k, words in enumerate(phrases):
        out.setdefault(words[-1], []).append(k)
    return {w: tuple(ks) for w, ks in out.items()}


class _Words:
    """A sentence's tokens, their lower-case forms, and its nouns with their lower-case
    form and lemma: what :meth:`NominalRules._nouns` reads for every rule, read once."""

    __slots__ = ("toks", "lowers", "nouns")

    def __init__(self, sent: Span) -> None:
        self.toks = list(sent)
        self.lowers = [t.lower_ for t in self.toks]
        self.nouns = [(k, t, (self.lowers[k], t.lemma_.lower())) for k, t in enumerate(self.toks)
                      if t.pos_ in ("NOUN", "PROPN")]


class NominalRules:
    """Runs the nominal rules over parsed sentences (see the module docstring)."""

    def __init__(self, cues: Cues) -> None:
        self.former = cues.words("former") | cues.words("future_roles")
        self.split_cues = tuple(sorted(w for w in self.former if "-" in w))

    def match(self, sent: Span, mentions: list[M], rules: tuple[Any, ...], quantities: list[Any],
              scope: Scope, budget: Budget | None = None) -> tuple[list[Found], list[tuple[str, str, str, str]]]:
        """Run the nominal rules over a parsed sentence; ``budget`` bounds the pairs weighed
        (:class:`~graph.extract.mentions.Budget`)."""
        budget = budget if budget is not None else Budget()
        doc = sent.doc
        if not doc.has_annotation("DEP"):
            return [], []
        question = sent.text.rstrip().endswith("?")
        at: dict[int, M] = {}
        for m in mentions:
            for i in range(m.start, m.end):
                at.setdefault(i, m)
        present = {m.type for m in mentions}
        found: list[Found] = []
        blocked: list[tuple[str, str, str, str]] = []
        words: _Words | None = None  # the sentence's words, read once for all the rules
        for comp in rules:
            nom = comp.rule.nominal
            if not nom or present.isdisjoint(comp.subjects) or present.isdisjoint(comp.objects):
                continue
            if words is None:
                words = _Words(sent)
            for head, start in self._nouns(words, comp.nouns, comp.noun_index):
                if head.i in at and at[head.i].type not in ("Person",):
                    continue  # the noun is (part of) a name: "Acme Partners"
                holders, governor = self._holders(head, start)
                sold = head.dep_ == "dobj" and head.head.lemma_.lower() in _SELL_VERBS  # "Acme sold its stake"
                slots = {"holder": holders, "joined": self._joined(governor), "context": _context_subject(head)}
                if "owner" in nom["subject_from"]:
                    slots["owner"], owning = self._owners(head, sold)
                    governor = governor or owning
                if governor is None and head.dep_ == "dobj" and head.head.pos_ in ("VERB", "AUX"):
                    governor = head.head  # "may build its headquarters in Lyon": the verb's modality counts
                sources = [x for x in nom["subject_from"] if not sold or x not in ("poss", "holder")]  # no longer
                subs = self._fill(head, sources, slots, at, start)
                objs = self._fill(head, [x for x in nom["object_from"] if x != "joined"], slots, at, start) or \
                    self._fill(head, [x for x in nom["object_from"] if x == "joined"], slots, at, start)
                if not subs or not objs:
                    continue
                cue = self._blocked(head, start, governor, scope)
                if question:
                    cue = "question"
                for sm in subs:
                    for om in objs:
                        if sm.key == om.key or sm.type not in comp.rule.subject or om.type not in comp.rule.object:
                            continue
                        if not budget.spend():
                            return found, blocked
                        if cue:
                            reason = f"{comp.rule.id}: {cue}"
                            if budget.first((sm.text, comp.rule.predicate, om.text, reason)):
                                blocked.append((sm.text, comp.rule.predicate, om.text, reason))
                            continue
                        if not budget.first(("nominal", id(sm), comp.rule.id, id(om))):
                            continue
                        for pred in (comp.rule.predicate, *comp.rule.also):
                            found.append(Found(sm, pred, om, comp.rule.id, comp.rule.confidence, sent, {},
                                               dated=False))
        return found, blocked

    @staticmethod
    def _nouns(sent: _Words, phrases: tuple[tuple[str, ...], ...],
               index: dict[str, tuple[int, ...]]) -> list[tuple[Token, int]]:
        """``(head token, first token index)`` of each occurrence of a phrase in the sentence
        (the first phrase, in order, that a noun ends; ``index`` is :func:`noun_index` of ``phrases``:
        trying every phrase at every noun: the nominal rules on the 70 benchmark articles took
        0.17 s, now 0.11 s, measured)."""
        toks, lowers = sent.toks, sent.lowers
        out: list[tuple[Token, int]] = []
        for k, tok, (low, lemma) in sent.nouns:
            tried = index.get(low, ())
            if lemma != low and lemma in index:
                tried = sorted({*tried, *index[lemma]})
            for p in tried:
                words = phrases[p]
                n = len(words)
                if k + 1 < n:
                    continue
                if all(lowers[k - n + 1 + j] == w for j, w in enumerate(words[:-1])):
                    out.append((tok, toks[k - n + 1].i))
                    break
        return out

    @staticmethod
    def _holders(head: Token, start: int) -> tuple[list[Token], Token | None]:
        """Who holds what ``head`` names, and the verb that governs the noun (if any)."""
        out: list[Token] = []
        governor: Token | None = None
        if head.dep_ == "appos":
            out.append(head.head)
        out += [c for c in head.children if c.dep_ == "appos"]
        if head.dep_ == "compound" and head.head.i > head.i:
            out.append(head.head)  # "chief executive Jane Roe"
        v = head.head
        if head.dep_ in ("attr", "oprd", "acomp") and v.lemma_.lower() in _COPULAS | _AS_HOLDER_OBJECT:
            governor = v
            subj = _subjects(v, ("nsubj", "nsubjpass"))
            out += subj if head.dep_ != "oprd" or not [c for c in v.children if c.dep_ == "dobj"] \
                else [c for c in v.children if c.dep_ == "dobj"]
        if head.dep_ == "pobj" and head.head.lower_ in ("of", "among"):
            # "Zed is one of Acme's biggest customers", "Zed is among Acme's customers"
            one = head.head.head if head.head.lower_ == "of" else head.head
            if one.lower_ == "among" or one.lower_ in ("one", "two", "three", "some") and one.dep_ == "attr":
                cop = one.head
                if cop.lemma_.lower() in _COPULAS:
                    governor = cop
                    out += _subjects(cop, ("nsubj",))
        if head.dep_ == "pobj" and head.head.lower_ == "as" and head.head.head.pos_ in ("VERB", "AUX"):
            governor = v = head.head.head
            lemma = v.lemma_.lower()
            if lemma in _AS_HOLDER_OBJECT:
                out += [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
            else:  # "serves as", "joined Acme as", "came in as"
                out += _subjects(v, ("nsubj",))
        if head.dep_ in ("nsubj", "nsubjpass") and v.lemma_.lower() in _LISTING_VERBS:
            governor = v  # "Acme's investors include Zed", "Acme's largest shareholder is Zed"
            out += [c for c in v.children if c.dep_ in ("dobj", "attr")]
        if [c for c in head.children if c.dep_ == "poss"]:
            out += [c for c in head.children if c.dep_ == "compound"]  # "Acme's Zed unit"
        out += [g for c in head.children if c.dep_ == "prep" and c.lower_ in ("as", "like", "including")
                and (c.lower_ != "as" or any(x.lower_ == "such" for x in c.children) or doc_word(c, -1) == "such")
                for g in c.children if g.dep_ == "pobj"]  # "rivals such as Zed and Qux", "investors including Zed"
        return out, governor

    @staticmethod
    def _owners(head: Token, sold: bool) -> tuple[list[Token], Token | None]:
        """Who owns what ``head`` names, by a verb of possession: "Zed took a stake in Acme"
        (not "Zed bought a rival of Acme", nor "Zed praised Acme's chief executive"); when
        ``sold`` (the object of a verb of selling), whom it went to."""
        v = head.head
        if sold:
            # "Acme sold a 50% stake in Zedcor to Quill Capital": the buyer owns it now
            return [g for c in (*v.children, *head.children) if c.dep_ in ("prep", "dative") and c.lower_ == "to"
                    for g in c.children if g.dep_ == "pobj"], v  # "to" on the verb or on the stake
        if head.dep_ != "dobj" or v.lemma_.lower() not in _HOLD_VERBS:
            return [], None
        subj = [c for c in v.children if c.dep_ == "nsubj"]
        if not subj and v.dep_ == "conj":
            subj = [c for c in v.head.children if c.dep_ == "nsubj"]
        return [v.head if t.lower_ in ("which", "who", "that") and v.dep_ == "relcl" else t for t in subj], v

    @staticmethod
    def _joined(governor: Token | None) -> list[Token]:
        """The organisation the governing verb names: "joined Acme as", "Acme named ... as"."""
        if governor is None:
            return []
        lemma = governor.lemma_.lower()
        if lemma in ("join", "rejoin", "return"):
            return [c for c in governor.children if c.dep_ == "dobj"] + [
                g for c in governor.children if c.dep_ == "prep" and c.lower_ == "to"
                for g in c.children if g.dep_ == "pobj"]
        if lemma in _AS_HOLDER_OBJECT:
            return [c for c in governor.children if c.dep_ == "nsubj"] + [
                g for c in governor.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        return []

    @staticmethod
    def _fill(head: Token, sources: list[str], slots: dict[str, list[Token]], at: dict[int, M],
              start: int) -> list[M]:
        toks: list[Token] = []
        for src in sources:
            if src in slots:
                toks += slots[src]
            elif src == "poss":
                for c in head.children:
                    if c.dep_ != "poss":
                        continue
                    if c.lower_ == "whose":  # "Acme, whose largest shareholder is Zed": the clause's head
                        clause = next((a for a in c.ancestors if a.dep_ == "relcl"), None)
                        if clause is not None:
                            toks.append(clause.head)
                        continue
                    toks.append(c)
            elif src == "compound":
                toks += [c for c in head.children if c.dep_ in ("compound", "nmod") and c.i < start]
            elif src.startswith("prep:"):
                word = src[5:]
                owners = [head, head.head] if head.dep_ in ("attr", "oprd") else [head]  # "became head of X at Acme"
                toks += [g for o in owners for c in o.children if c.dep_ == "prep" and c.lower_ == word
                         for g in c.children if g.dep_ == "pobj"]
        out: list[M] = []
        seen: set[int] = set()
        # "Jane Roe, a professor at Zed, and John Doe": the apposition is Jane Roe's alone
        alone = {head.head.i} if head.dep_ == "appos" else set()
        stack = list(toks)
        while stack:  # coordinated and apposed fillers: "of Acme and Zed", "is the Paris firm Zed"
            t = stack.pop(0)
            m = at.get(t.i)
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                out.append(m)
            stack += [c for c in t.children if c.dep_ == "appos" or c.dep_ == "conj" and t.i not in alone]  # "and Zed", "the firm Zed"
        return out

    def _blocked(self, head: Token, start: int, governor: Token | None, scope: Scope) -> str | None:
        doc = head.doc
        for t in doc[max(start - 2, head.sent.start):head.i]:
            if t.lower_ in self.former or t.lower_.startswith("ex-"):
                return t.lower_
        # cues the tokenizer splits: "a would-be backer", "chief executive-designate"
        near = doc[max(start - 4, head.sent.start):min(head.i + 3, head.sent.end)].text.lower()
        for cue in self.split_cues:
            if cue in near:
                return cue
        for c in head.children:
            if c.dep_ in ("amod", "advmod") and c.lower_ in self.former:
                return c.lower_
            if c.dep_ in ("det", "neg") and c.lower_ in scope.negation:
                return c.lower_  # "has no stake in"
        if governor is not None:
            cue = scope.verb_blocked(governor)
            if cue:
                return cue
            if governor.lemma_.lower() in _STATE_VERBS and governor.tag_ == "VBD" and not any(
                    c.dep_ in ("aux", "auxpass") for c in governor.children):
                return f"{governor.lower_} (past)"
        return None


def _subjects(v: Token, deps: tuple[str, ...]) -> list[Token]:
    """The subject of verb ``v``, followed up through the clauses that share it: a relative
    clause ("Jane Roe, who became ..."), a controlled or coordinated verb ("Jane Roe left
    Acme to become ...", "Jane Roe quit and became ...").
    """
    for _ in range(4):
        subj = [c for c in v.children if c.dep_ in deps]
        if subj:
            return [_anchor(v.head) if t.lower_ in ("who", "which", "that") and v.dep_ == "relcl" else t for t in subj]
        if v.dep_ == "relcl":
            return [_anchor(v.head)]
        if v.dep_ not in ("xcomp", "advcl", "conj") or v.head.i == v.i or v.head.pos_ not in ("VERB", "AUX"):
            return []
        v = v.head
    return []


def _anchor(tok: Token) -> Token:
    """The name an appositive describes: "Jane Roe, the former CFO of Zed who ..." is Jane Roe."""
    return tok.head if tok.dep_ == "appos" and tok.head.i < tok.i else tok


def doc_word(tok: Token, offset: int) -> str:
    """The lower-case word ``offset`` tokens from ``tok`` ("" outside the document)."""
    i = tok.i + offset
    return tok.doc[i].lower_ if 0 <= i < len(tok.doc) else ""


def _context_subject(head: Token) -> list[Token]:
    """The subject of the verb whose object (or prepositional object) the noun is: "Acme
    competes with rivals such as Zed" (Acme), "Acme faces rivals like Zed"."""
    v = head.head
    if head.dep_ == "pobj" and v.dep_ == "prep":
        v = v.head
    elif head.dep_ != "dobj":
        return []
    if v.pos_ not in ("VERB", "AUX") or v.lemma_.lower() not in _CONTEST_VERBS:
        return []  # "Acme praised rivals such as Zed" says nothing of whose rivals
    return _subjects(v, ("nsubj",))
