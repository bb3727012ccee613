"""Dependency rules: relations read from the parse of a trained pipeline.

A rule of ``relations.yaml`` with a ``dependency`` block names its verbs (by
lemma) and where its subject and object come from (``nsubj``,
``nsubjpass``, ``dobj``, ``agent``, ``attr``, ``prep:<word>``); relative
pronouns, participles and coordination are followed, and a mention that
only modifies the filler counts ("the Nvidia H100 GPUs"). The model-free
pipeline has no parse, so there only the surface rules run.
"""

from __future__ import annotations

from typing import Any

from spacy.tokens import Span

from graph.extract.hedging import Scope, clause_root, finite_conj
from graph.extract.mentions import Budget, Found, M
from graph.extract.nominal import doc_word
from graph.extract.quantities import Quantity
from graph.extract.rules import Cues
from graph.extract.surface import Compiled
from graph.model import subclasses

ORG_TYPES = subclasses("Organization")
#: People who act for their organisation ("engineers at Acme use the H9").
_STAFF_NOUNS = frozenset({"engineer", "researcher", "developer", "scientist", "staff", "employee", "team", "worker",
                          "programmer", "designer", "technician"})
#: Nouns of a share of a company ("41% of", "a stake in", "part of").
_SHARE_WORDS = frozenset({"%", "percent", "per", "stake", "share", "shares", "holding", "part", "portion", "piece",
                          "slice", "interest"})
#: Words of a funding round ("a Series B round", "the seed financing").
_ROUND_WORDS = frozenset({"round", "series", "financing", "funding", "seed", "raise", "fundraise", "fundraising",
                          "tranche"})
#: Verbs of raising money, whose subject is the company funded.
_RAISE_VERBS = frozenset({"raise", "close", "secure", "complete", "announce", "land", "receive", "get", "win",
                          "bag", "pull"})


class DependencyRules:
    """Runs the dependency rules over parsed sentences (see the module docstring)."""

    def __init__(self, cues: Cues) -> None:
        #: words that make a coordinated item a contrast ("SRAM rather than HBM")
        self.contrasts = cues.words("contrasts")
        #: nouns of things: "Nvidia GPUs" names GPUs, not Nvidia
        self.thing_nouns = cues.words("chip_nouns") | cues.words("model_nouns") | cues.words("product_nouns")
        self.share_nouns = cues.words("org_share_nouns")
        #: (document, verb index, mention) of the last organisation said to raise money
        self._raiser: tuple[Any, int, M] | None = None

    def match(self, sent: Span, mentions: list[M], rules: tuple[Compiled, ...], quantities: list[Quantity],
              scope: Scope, budget: Budget | None = None) -> tuple[list[Found], list[tuple[str, str, str, str]]]:
        """Run the dependency rules over a parsed sentence (trained pipelines only).

        A rule names its verbs (lemmas) and where its subject and object come
        from (``nsubj``, ``nsubjpass``, ``dobj``, ``agent``, ``prep:<word>``);
        relative pronouns, participles and coordination are followed.
        ``budget`` bounds the pairs weighed (:class:`~graph.extract.mentions.Budget`).
        """
        budget = budget if budget is not None else Budget()
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
        self._note_raiser(sent, verbs, at)
        present = {m.type for m in mentions}
        cues: dict[int, str | None] = {}  # verb index -> what blocks it
        for comp in rules:
            dep = comp.rule.dependency
            if not dep or present.isdisjoint(comp.subjects) or present.isdisjoint(comp.objects):
                continue  # no verbs, or no mention of the subject or object classes
            for v, lemma in verbs:
                if lemma not in comp.verbs:
                    continue
                subs = [m for src in dep["subject_from"] for t in self._tokens(v, src) for m in self._mentions_at(t, at)]
                objs = [m for src in dep["object_from"] for t in self._tokens(v, src) for m in self._mentions_at(t, at)]
                if not objs and "round_raiser" in dep["object_from"]:
                    objs = self._recent_raiser(v)  # "Zed joined the round": the round raised just before
                if not subs or not objs:
                    continue
                if (comp.rule.predicate == "supplierOf" or lemma == "sell") and any(
                        c.dep_ == "dobj" and (c.lemma_.lower() in self.share_nouns
                                              or any(g.lower_ in ("%", "percent") for g in c.subtree))
                        for c in v.children):
                    continue  # "sold a 50% stake in Zedcor to Quill": a share changes hands, not goods
                if comp.rule.predicate == "supplierOf" and lemma == "sell" and any(
                        c.dep_ == "dobj" and c.i in at and at[c.i].type in ORG_TYPES for c in v.children):
                    continue  # "Halden sold Brenna Automotive to Tarvo": a company changes hands, not goods
                if comp.rule.predicate == "acquired" and lemma == "sell" and not any(
                        c.dep_ == "dobj" and c.i in at and at[c.i].type in ORG_TYPES for c in v.children):
                    continue  # what is sold must be the company itself, not its shares or a unit's assets
                if comp.rule.predicate in ("developerOf", "manufacturerOf") and any(
                        c.dep_ == "prep" and c.lower_ == "into" for c in v.children):
                    continue  # "Zed builds the chip into its servers": a part it uses, not a product it makes
                if v.i not in cues:
                    cues[v.i] = scope.verb_blocked(v)
                cue = cues[v.i]
                if cue in comp.rule.ignore_cues:
                    cue = None  # "agreed to supply": an agreement in force, for this rule
                objs = _unique(objs)
                for sm in _unique(subs):
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
                        quals: dict[str, Any] = {}
                        lo, hi = v.left_edge.i, v.right_edge.i + 1
                        for q in quantities:
                            if lo <= q.start_token < hi:
                                if q.kind == "date":
                                    quals.setdefault("date", q.unit)
                                elif q.kind == "money" and comp.rule.predicate in ("investsIn", "acquired"):
                                    quals.setdefault("amount", str(q.value))  # text: extractions stay JSON/msgpack
                                    quals.setdefault("currency", q.unit)
                        reading = ("dependency", id(sm), comp.rule.id, id(om), tuple(sorted(quals.items())))
                        if not budget.first(reading):
                            continue
                        for pred in (comp.rule.predicate, *comp.rule.also):
                            found.append(Found(sm, pred, om, comp.rule.id, comp.rule.confidence, sent, dict(quals)))
        return found, blocked

    def _tokens(self, v, source: str) -> list:  # noqa: ANN001 - spaCy tokens
        """The tokens that fill a dependency source of verb ``v`` (conjuncts included)."""
        out = []
        if source in ("nsubj", "nsubjpass"):
            subs = [c for c in v.children if c.dep_ == source]
            if not subs and v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
                subs = [c for c in v.head.children if c.dep_ == source]  # "X designed and sells Y"
            if not subs and source == "nsubj" and finite_conj(v):
                root = clause_root(v)  # "X plans to build A and is now producing Y"
                subs = [c for c in root.children if c.dep_ == "nsubj"]
            if not subs and source == "nsubj" and v.dep_ == "xcomp" and v.head.pos_ == "VERB":
                subs = [c for c in v.head.children if c.dep_ == "nsubj"]  # "X agreed to supply Y"
                if not subs and v.head.dep_ == "relcl":
                    subs = [v.head.head]  # "X, which agreed to supply Y"
            if source == "nsubjpass" and v.dep_ == "acl":
                subs = [v.head]  # "chips designed by Nvidia"
            if not subs and source == "nsubjpass" and v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
                subs = [c for c in v.head.children if c.dep_ == "nsubj"]  # "X began as Y and was bought by Z"
            for t in subs:
                if t.lower_ in ("which", "who", "that") and v.dep_ == "relcl":
                    t = v.head  # "X, which acquired Y"
                    if t.dep_ == "appos":
                        out.append(t.head)  # "X, the start-up that was bought by Y"
                out.append(t)
                if t.lemma_.lower() in _STAFF_NOUNS:  # "engineers at Acme use the H9": Acme does
                    out += [g for c in t.children if c.dep_ == "prep" and c.lower_ in ("at", "from", "of")
                            for g in c.children if g.dep_ == "pobj"]
        elif source == "dobj":
            out = [v.head if c.lower_ in ("which", "that", "whom") and v.dep_ == "relcl" else c
                   for c in v.children if c.dep_ == "dobj"]  # "the H9, which Acme designs"
            if not out and v.dep_ == "relcl" and v.head.pos_ in ("NOUN", "PROPN") and any(
                    c.dep_ == "nsubj" and c.lower_ not in ("which", "who", "that") for c in v.children) and not any(
                    c.dep_ in ("prep", "dative") and not any(g.dep_ == "pobj" for g in c.children) for c in v.children):
                out = [v.head]  # "the start-up Acme bought in 2021": the object left out of the clause
            out += [t.head for t in out if t.dep_ == "appos" and t.i > t.head.i]  # "Zed, the start-up Acme bought"
            if not out and v.dep_ == "conj" and v.head.dep_ == "relcl" and any(
                    c.dep_ == "dobj" and c.lower_ in ("which", "that") for c in v.head.children):
                out = [v.head.head]  # "the H9, which Acme designed and sells"
        elif source == "attr":
            out = [c for c in v.children if c.dep_ == "attr"]
        elif source == "agent":
            out = [g for c in v.children if c.dep_ == "agent" for g in c.children if g.dep_ == "pobj"]
        elif source == "share_of":
            out = self._share_of(v)
        elif source == "round_raiser":
            out = self._round_raiser(v)
        elif source.startswith("prep:"):
            word = source[5:]
            # the parser hangs the preposition on the verb or on its object: "makes chips for Acme",
            # "gets its modems from Qualcomm" (the object's own "for"/"from" is the verb's meaning)
            holders = [v, *(c for c in v.children if c.dep_ == "dobj" and c.pos_ == "NOUN")]
            preps = [c for h in holders for c in h.children if c.dep_ in ("prep", "dative")]
            # "competes with A in search and with B in ads": the second "with" is a conjunct of "in"
            preps += [g for c in preps for g in c.children if g.dep_ == "conj" and g.pos_ == "ADP"]
            out = [g for c in preps if c.lower_ == word for g in c.children if g.dep_ == "pobj"]
            # "competes with rivals such as A and B": the names a common noun lists
            out += [x for g in out if g.pos_ == "NOUN" for c in g.children if c.dep_ == "prep"
                    and (c.lower_ in ("including", "like") or c.lower_ == "as" and doc_word(c, -1) == "such")
                    for x in c.children if x.dep_ == "pobj"]
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
                    if between & self.contrasts:
                        continue  # "SRAM rather than HBM", "A but not B"
                    stack.append(c)
        return expanded

    def _note_raiser(self, sent: Span, verbs: list, at: dict[int, M]) -> None:
        """Remember the organisation that raised money in this sentence ("Acme raised $40 million")."""
        doc = sent.doc
        if self._raiser is not None and self._raiser[0] is not doc:
            self._raiser = None  # a new document
        for v, lemma in verbs:
            if lemma not in _RAISE_VERBS:
                continue
            objs = [c for c in v.children if c.dep_ == "dobj"]
            if not any(o.like_num or o.text in ("$", "€", "£") or any(t.like_num for t in o.subtree)
                       or o.lemma_.lower() in _ROUND_WORDS for o in objs):
                continue  # money or a round raised, not "raised concerns"
            for t in self._tokens(v, "nsubj"):
                for m in self._mentions_at(t, at):
                    if m.type in ORG_TYPES:
                        self._raiser = (doc, v.i, m)
                        return

    def _recent_raiser(self, v) -> list[M]:  # noqa: ANN001 - a spaCy Token
        """The raiser of a round the verb names without saying whose ("joined the round"), if a
        sentence shortly before said who raised money."""
        if self._raiser is None or self._raiser[0] is not v.doc or not 0 < v.i - self._raiser[1] < 120:
            return []
        rounds = [c for c in v.children if c.dep_ == "dobj"] + [
            g for c in v.children if c.dep_ == "prep" and c.lower_ == "in" for g in c.children if g.dep_ == "pobj"]
        if not any(r.lemma_.lower() in _ROUND_WORDS and not any(c.dep_ == "poss" for c in r.children) for r in rounds):
            return []
        return [self._raiser[2]]

    @staticmethod
    def _share_of(v) -> list:  # noqa: ANN001 - a spaCy Token
        """Whose shares the verb's object names: "bought 41% of Acme", "owns part of Acme".

        A share of half or more is control, not a stake, and is left to the
        acquisition and ownership rules.
        """
        out = []
        for d in v.children:
            if d.dep_ != "dobj" or d.lemma_.lower() not in _SHARE_WORDS:
                continue
            numbers = [t for t in d.subtree if t.like_num and t.i < d.i]
            try:
                if any(float(t.text.replace(",", "")) >= 50 for t in numbers):
                    continue
            except ValueError:
                continue
            if any(t.lower_ in ("majority", "controlling", "all", "whole", "entire") for t in d.subtree) or any(
                    c.dep_ in ("det", "neg") and c.lower_ in ("no", "neither", "not") for c in d.children):
                continue  # control, or "holds no interest in Acme"
            out += [g for c in d.children if c.dep_ == "prep" and c.lower_ in ("of", "in")
                    for g in c.children if g.dep_ == "pobj"]
        return out

    @staticmethod
    def _round_raiser(v) -> list:  # noqa: ANN001 - a spaCy Token
        """Who raised the funding round the verb names: "Acme raised $9 million in a round led
        by Zed", "Zed led Acme's Series B", "Acme, which closed a round that Zed led", "a round
        in Acme was led by Zed", "Zed led a $40 billion round in Acme"."""
        rounds = [v.head] if v.dep_ in ("acl", "relcl") else []
        rounds += [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]  # "a round in Acme was led by Zed"
        rounds += [g for c in v.children if c.dep_ == "prep" and c.lower_ == "in" for g in c.children if g.dep_ == "pobj"]
        out = []
        for r in rounds:
            words = {t.lower_ for t in r.subtree if t.i <= r.i} | {r.lemma_.lower()}
            if words.isdisjoint(_ROUND_WORDS):
                continue
            poss = [c for x in (r, *(c for c in r.children if c.dep_ == "compound")) for c in x.children
                    if c.dep_ == "poss"]  # "Acme's Series B": the parser may hang the possessive on "Series"
            if poss:
                out += poss
                continue
            # "a $40 billion round in Acme", "a Series B for Acme"
            into = [g for c in r.children if c.dep_ == "prep" and c.lower_ in ("in", "for")
                    for g in c.children if g.dep_ == "pobj" and g.pos_ == "PROPN"]
            if into:
                out += into
                continue
            node = r
            while node.head.i != node.i and node.dep_ in ("dobj", "pobj", "prep", "appos"):
                node = node.head
                if node.pos_ == "VERB" and node.lemma_.lower() in _RAISE_VERBS:
                    subs = [c for c in node.children if c.dep_ == "nsubj"]
                    if not subs and node.dep_ == "conj":
                        subs = [c for c in node.head.children if c.dep_ == "nsubj"]
                    for t in subs:
                        out.append(t.head.head if t.lower_ in ("which", "who", "that") and t.head.dep_ == "relcl"
                                   else t)
                    break
        return out

    def _mentions_at(self, t, at: dict[int, M]) -> list[M]:  # noqa: ANN001 - a spaCy Token
        """The mention at token ``t``, or those modifying it ("Trainium2 chips", "the Nvidia H100 GPUs")."""
        if t.i in at:
            return [at[t.i]]
        mods = [at[c.i] for c in t.children if c.i < t.i and c.dep_ in ("compound", "amod", "nmod", "npadvmod") and c.i in at]
        if not mods:  # "Oryon CPU cores": the name modifies a modifier of the head
            mods = [at[g.i] for c in t.children if c.i < t.i and c.dep_ == "compound" and c.i not in at
                    for g in c.children if g.i < c.i and g.dep_ == "compound" and g.i in at]
        if t.lower_ in self.thing_nouns:
            mods = [m for m in mods if m.type not in ORG_TYPES]  # "Nvidia GPUs": the brand is not the thing
        return mods


def _unique(ms: list[M]) -> list[M]:
    seen: set[int] = set()
    return [m for m in ms if not (id(m) in seen or seen.add(id(m)))]
