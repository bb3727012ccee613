"""Scope: whether a matched relation is asserted, or negated, hedged, former or questioned.

A relation a rule matches is a fact only when its clause asserts it for the
time of writing. :class:`Scope` finds the cue that blocks a match: a
negation or denial ("has not acquired", "denied"), a hedge, plan or pending
deal ("reportedly", "plans to", "in talks"), modality ("could"), a former
role ("former chief executive"), looking back to the start of the match's
clause and skipping asides that hold neither end of the relation. For the
dependency rules it walks up the parse instead (:meth:`Scope.verb_blocked`:
"agreed to supply", "denied buying"). The words are data: the lists
``negation``, ``hedges``, ``hedge_phrases``, ``former``, ``clause_breaks``,
``aside_openers``, ``hedging_heads``, ``modals`` of ``cues.yaml``.
"""

from __future__ import annotations

from graph.extract.rules import Cues


class Scope:
    """The blocking cues of one rule set (see the module docstring)."""

    def __init__(self, cues: Cues) -> None:
        self.negation = cues.words("negation")
        self.hedges = cues.words("hedges")
        self.phrases = cues.raw("hedge_phrases")
        self.former = cues.words("former") | cues.words("future_roles")
        self.breaks = cues.words("clause_breaks")
        self.aside_openers = cues.words("aside_openers")
        self.hedging_heads = cues.words("hedging_heads")
        self.modals = cues.words("modals")
        self.exits = cues.words("role_exits")

    def blocked_by(self, words: list[str], a: int, b: int, ignore: frozenset[str] = frozenset(),
                   scope: str = "clause", slots: frozenset[int] = frozenset()) -> str | None:
        """Return the cue that blocks symbols ``[a, b)``, looking back to the clause start.

        Negations and hedges count from the start of the clause to the end of
        the match; "former"/"previously" only inside the match or just before
        it. A comma-delimited aside that holds none of the relation's ends
        (``slots``: their symbol indices) is skipped: in "Feldman, a former AMD
        vice president, is the CEO" the "former" is the aside's.

        Examples:
            >>> from graph.extract.rules import load_rules
            >>> scope = Scope(load_rules().cues)
            >>> scope.blocked_by("^ §Company#0 has not acquired §Company#1".split(), 1, 6)
            'not'
            >>> scope.blocked_by("^ §Company#0 acquired §Company#1".split(), 1, 4) is None
            True
        """
        def is_former(w: str) -> bool:
            return w in self.former or w.startswith("ex-") or w == "ex"

        for w in words[max(a - 2, 1):a]:
            if is_former(w):
                return w
        if scope == "phrase":
            window_idx = list(range(a, b))
        else:
            k = a - 1
            while k > 0 and words[k] not in self.breaks and not (words[k] in ("and", "but") and words[k - 1] == ","):
                k -= 1
            window_idx = list(range(max(k, 0), b))
        skip = self._asides(words, window_idx, slots)
        window = [words[i] for i in window_idx if i not in skip]
        for i, w in zip([i for i in window_idx if i not in skip], window):
            if w in ignore:
                continue
            if w in self.negation or w in self.hedges:
                return w
            if is_former(w) and i >= a and not self._former_elsewhere(words, i, slots):
                return w
            if w in ("nearly", "almost") and i + 1 < len(words) and words[i + 1].isalpha() \
                    and words[i + 1] not in _QUANTITY_WORDS and scope == "clause":
                return w  # "nearly acquired Zed": it did not (not "nearly 40%", "almost all")
        if scope == "clause":
            for k in range(b, min(b + 8, len(words))):
                if words[k] in self.breaks or words[k] in (",", ".", "?", "!"):
                    break
                if words[k] == "until" and k + 1 < len(words) and words[k + 1] not in ("now", "today"):
                    return "until"  # "supplied chips to Zed until 2022": a state that has ended
        text = " ".join(window)
        for phrase in self.phrases:
            if phrase in text:
                return phrase
        return None

    @staticmethod
    def _former_elsewhere(words: list[str], i: int, slots: frozenset[int]) -> bool:
        """Whether a "former" at ``i`` belongs to another clause than the relation.

        In "X, the former chief executive of Y who took over as Z's chief
        executive", a relative pronoun stands between "former" and Z.
        """
        later = [k for k in slots if k > i]
        if not later:
            return False
        return any(words[k] in ("who", "which", "that", "whose", ";") for k in range(i + 1, min(later)))

    def _asides(self, words: list[str], idx: list[int], slots: frozenset[int]) -> set[int]:
        """Indices of comma-delimited asides (", a former AMD executive,") without slots."""
        out: set[int] = set()
        commas = [i for i in idx if words[i] == ","]
        for x, y in zip(commas, commas[1:]):
            inner = range(x + 1, y)
            if y - x > 1 and words[x + 1] in self.aside_openers and not any(i in slots for i in inner):
                out.update(range(x, y + 1))
        return out

    def verb_blocked(self, v) -> str | None:  # noqa: ANN001 - a spaCy Token
        """Negation, modality or a hedging/denying head over verb ``v``, or ``v`` gives a role up."""
        lemma = v.lemma_.lower()
        if lemma in self.exits and (lemma != "step" or any(c.dep_ in ("prt", "advmod") and c.lower_ == "down" for c in v.children)):
            return lemma  # "stepped down as Acme's chief executive"
        for c in v.children:
            if c.dep_ == "neg" or c.lower_ in self.negation:
                return c.lower_  # before the month test: a sentence's "Nor" may be tagged a name
            if c.pos_ == "PROPN":
                continue  # "in May": a month, not a modal
            if c.dep_ in ("aux", "advmod") and (c.lower_ in self.modals or c.lower_ in self.hedges or c.lower_ in self.former):
                return c.lower_
            if c.dep_ == "advmod" and c.lower_ in ("nearly", "almost"):
                return c.lower_  # "was nearly bought by Zed": it was not (a number's "nearly 40%" is not the verb's)
            if c.lower_ == "longer" and any(g.lower_ == "no" for g in c.children):
                return "no longer"  # "Zed is no longer a unit of Acme": "no" hangs under "longer"
            if c.dep_ == "prep" and c.lower_ in ("until", "till") and v.tag_ == "VBD" and not any(
                    g.lower_ in ("now", "today") for g in c.children):
                return c.lower_  # "owned Zed until May": a state that has ended
        node = v
        if finite_conj(v):
            node = clause_root(v)  # "plans to build X and is now producing Y": "is producing" is its own clause
        while node.dep_ in ("xcomp", "ccomp", "advcl", "conj", "pcomp", "acl", "prep", "pobj") and node.head.i != node.i:
            coordinated = node.dep_ == "conj"
            node = node.head
            if coordinated:
                continue  # "plans X and is now producing Y": "plans" hedges its own clause, not "producing"
            if node.lemma_.lower() == "say" and node.i > v.i:
                continue  # "Zed joined the round, the company said": attribution after the fact, not a hedge
            if node.lemma_.lower() in self.hedging_heads or node.lower_ in self.hedges:
                return node.lemma_.lower()
            if any(c.dep_ == "neg" for c in node.children) and node.dep_ != "conj":
                return "not"
        # and, as for surface rules, any negation or hedge earlier in the clause
        sent = v.sent
        start = max([t.i + 1 for t in sent if t.i < v.i and t.text in (";", ":")] + [sent.start])
        if v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
            start = max(start, v.left_edge.i)  # "plans X and is now producing Y": the second clause's own words
        for t in v.doc[start:v.i]:
            if t.pos_ == "PROPN":
                continue  # "in May": a month, not a modal
            if t.lower_ in self.negation or t.lower_ in self.hedges:
                return t.lower_
        return None


#: Words after "nearly"/"almost" that make it a quantity, not the verb's ("nearly half of Zed").
_QUANTITY_WORDS = frozenset({"all", "every", "half", "a", "an", "the", "one", "two", "three", "four", "five", "six",
                             "seven", "eight", "nine", "ten", "twice", "double", "doubled", "tripled", "entirely"})


_FINITE_AUX = frozenset({"is", "are", "was", "were", "has", "have", "had", "am"})


def finite_conj(v) -> bool:  # noqa: ANN001 - a spaCy Token
    """Whether ``v`` is a coordinated verb with its own finite auxiliary ("... and is now
    producing Y"): a clause of the sentence's subject, not of the verb it is coordinated with."""
    return v.dep_ == "conj" and any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FINITE_AUX for c in v.children)


def clause_root(v):  # noqa: ANN001, ANN202 - spaCy Tokens
    """The verb whose subject a finite coordinated verb shares: up through conj and xcomp."""
    node = v
    while node.dep_ in ("conj", "xcomp") and node.head.i != node.i:
        node = node.head
    return node
