"""Syntactic tests the reference resolver (:mod:`graph.extract.coref`) reads: who is the
subject of which verb, which names form a list, which clause holds what. Each works on
the parse where there is one and falls back to word order without one (``--model blank``).
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc

from graph.extract.mentions import M
from graph.model import subclasses

ORG_TYPES = subclasses("Organization")

_SUBORDINATE = frozenset({"relcl", "advcl", "acl", "pcomp", "ccomp"})


_COPULAS = frozenset({"is", "was", "are", "were", "remains", "remained", "became", "becomes", "been"})


def copula_subject(doc: Doc, m: M, i: int) -> bool:
    """Whether the possessive at token ``i`` follows a copula ("is its largest backer") whose
    subject is ``m``."""
    j = i - 1
    while j > m.end and doc[j].lower_ in ("also", "now", "still", "already", "far", "by"):
        j -= 1
    if j <= m.end - 1 or doc[j].lower_ not in _COPULAS:
        return False
    if doc.has_annotation("DEP"):
        subj = [c for c in doc[j].children if c.dep_ in ("nsubj", "nsubjpass")]
        return any(c.left_edge.i <= m.start and m.end - 1 <= c.right_edge.i for c in subj)
    # no parse: the sentence's opening name, with no other copula before this one
    return (m.start == 0 or doc[m.start].is_sent_start or doc[m.start - 1].is_sent_start) and \
        all(t.lower_ not in _COPULAS for t in doc[m.end:j])


def listed(doc: Doc, m: M, in_sent: Sequence[M]) -> bool:
    """Whether ``m`` is one of a list of organisations ("Acme, Zed and Kiro", "Acme or Zed";
    not the appositive "Zed, Acme's rival")."""
    orgs = sorted((o for o in in_sent if o.type in ORG_TYPES), key=lambda o: o.start)
    if m not in orgs:
        return False
    k = orgs.index(m)
    lo = hi = k
    while lo > 0 and _joined(doc, orgs[lo - 1], orgs[lo]):
        lo -= 1
    while hi + 1 < len(orgs) and _joined(doc, orgs[hi], orgs[hi + 1]):
        hi += 1
    return hi > lo and any(t.lower_ in ("and", "or") for t in doc[orgs[lo].end:orgs[hi].start]) and not any(
        o.end < len(doc) and doc[o.end].lower_ in ("'s", "\u2019s") for o in orgs[lo:hi + 1])


def _joined(doc: Doc, a: M, b: M) -> bool:
    return 1 <= b.start - a.end <= 2 and all(t.text in (",", "and", "or") for t in doc[a.end:b.start])


def subordinate_elsewhere(doc: Doc, j: int, i: int) -> bool:
    """With a parse: whether token ``j`` is inside a subordinate clause (relative,
    adverbial, complement) that does not hold token ``i``."""
    if not doc.has_annotation("DEP"):
        return False
    node = doc[j]
    while node.head.i != node.i:  # spaCy makes a new Token object on every access: compare indices
        if node.dep_ in _SUBORDINATE and not node.left_edge.i <= i <= node.right_edge.i:
            return True
        node = node.head
    return False


def subject_of_my_verb(doc: Doc, m: M, i: int) -> bool:
    """With a parse: whether mention ``m`` is the subject of the verb whose object (or
    prepositional object) the description at token ``i`` is."""
    if not doc.has_annotation("DEP"):
        return False
    t = doc[i]
    v = t.head.head if t.dep_ == "pobj" and t.head.dep_ in ("prep", "agent") else t.head
    if t.dep_ == "pobj" and v.dep_ == "dobj" and v.pos_ == "NOUN":
        v = v.head  # "led a round for the firm": the preposition hangs on the verb's object
    if t.dep_ not in ("dobj", "pobj") or v.pos_ not in ("VERB", "AUX"):
        return False
    subs = [c for c in v.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subs and v.dep_ in ("conj", "xcomp"):
        subs = [c for c in v.head.children if c.dep_ in ("nsubj", "nsubjpass")]  # "Zed agreed to supply it"
    if v.dep_ == "relcl":
        subs = [v.head if c.lower_ in ("which", "who", "that") else c for c in subs]  # "Zed, which led ..."
    return any(m.start <= c.i < m.end for c in subs)


def in_relative_clause(doc: Doc, i: int) -> bool:
    """With a parse: whether token ``i`` is the subject of a relative clause ("the chips it designs")."""
    return doc.has_annotation("DEP") and doc[i].dep_ in ("nsubj", "nsubjpass") and doc[i].head.dep_ == "relcl"


def first_of_sentence(doc: Doc, m: M, in_sent: list[M], types: tuple[str, ...]) -> bool:
    """Whether ``m`` is its sentence's main subject (with a parse: the subject of the root verb,
    not a name in a fronted phrase, "Set up by the Brixa Fund, Halvern Labs is ...") or, without
    one, the first mention of the classes."""
    cands = [m2 for m2 in in_sent if m2.type in types]
    if doc.has_annotation("DEP"):
        subj = next((m2 for m2 in cands if any(
            t.dep_ in ("nsubj", "nsubjpass") and t.head.dep_ == "ROOT" for t in doc[m2.start:m2.end])), None)
        if subj is not None:
            return subj is m
        # no firm is the subject: the first one outside a relative clause ("Jane Roe, who once ran
        # Zed, co-leads it" makes Zed no main subject)
        cands = [c for c in cands if not any(a.dep_ == "relcl" for a in doc[c.start].ancestors)]
    return next(iter(cands), None) is m
