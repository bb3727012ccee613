"""References and document structure: pronouns, definite descriptions, headings.

:class:`Coreference` resolves, within one document, "it"/"its" and definite
descriptions ("the company", "the chipmaker", "the Hangzhou-based startup")
to the most salient compatible antecedent, and lets a heading line ("- Nvidia
Corp.", "About Acme", "COMPANY PROFILE: ACME") make its entity the topic of
the lines below it (the ``{TOPIC:S}`` slots of header and role patterns).
Each resolved reference becomes a :class:`~graph.extract.mentions.M` with
the antecedent's key, marked ``coref``. The words it reads are data
(``cues.yaml``: ``company_nouns`` and the ``reference_*`` lists,
``profile_fields``, ``subject_verbs``, ``subject_openers``,
``product_verbs``, ``thing_participles``).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc, Span

from graph.extract.coref_syntax import (
    copula_subject,
    first_of_sentence,
    in_relative_clause,
    listed,
    subject_of_my_verb,
    subordinate_elsewhere,
)
from graph.extract.mentions import M
from graph.extract.rules import Cues
from graph.model import subclasses

ORG_TYPES = subclasses("Organization")
COMPANY_LIKE = ("Company", "Organization")
_PLACES = subclasses("Place")
_HEADING_TYPES = (*ORG_TYPES, "Person", "Project", "Product", "AIModel", "Chip")


@dataclass(slots=True)
class _Context:
    """What the resolver knows at a point of the document."""

    seen: list[tuple[int, M]] = field(default_factory=list)  # (sentence index, mention)
    counts: Counter[str] = field(default_factory=Counter)
    topic: M | None = None
    topic_sent: int = -1
    by_sent: dict[int, list[M]] = field(default_factory=dict)  # sentence index -> its mentions
    breaks: list[int] = field(default_factory=list)  # clause breaks of the current sentence
    bases: dict[str, set[str]] = field(default_factory=dict)  # organisation key -> the places it is based in
    asked: set[str] = field(default_factory=set)  # organisations the last question of a Q:/A: transcript named
    answering: bool = False  # the current sentence is on an answer's line
    intro: M | None = None  # the organisation named most before the first question (the interviewee's)

#: How many earlier mentions an anaphor may refer to (salience decays anyway;
#: this bounds the work on pathological, punctuation-free text).
_WINDOW = 60


class Coreference:
    """Resolves the references of a document (see the module docstring)."""

    def __init__(self, cues: Cues) -> None:
        company = {w.lower() for w in cues.raw("company_nouns") if " " not in w} - cues.words("reference_not_company")
        nouns: dict[str, tuple[str, ...]] = {w: COMPANY_LIKE for w in company}
        for name, cls in (("reference_chip_nouns", ("Chip",)), ("reference_model_nouns", ("AIModel",)),
                          ("reference_project_nouns", ("Project",)), ("reference_product_nouns", ("Product",)),
                          ("reference_government_nouns", ("GovernmentBody",))):
            nouns.update({w: cls for w in cues.words(name)})
        #: head nouns of definite descriptions and the classes they refer to
        self.nouns = nouns
        self.fields = cues.words("profile_fields")
        self.startup_modified = cues.words("startup_modified_nouns")
        #: last words of organisation names that refer back alone ("the fund", "the bank", "the trust");
        #: not "energy", "systems", "capital": those are things or places as often as names
        self.name_heads = {w.lower() for w in (*cues.raw("company_nouns"), *cues.raw("organization_heads"),
                                               *cues.raw("government_heads")) if " " not in w}
        self.subject_verbs = cues.words("subject_verbs")
        self.subject_openers = cues.words("subject_openers")
        self.product_verbs = cues.words("product_verbs")
        participles = "|".join(sorted(cues.words("thing_participles")))
        #: "it is manufactured by TSMC": "it" is a thing, not a firm
        self.thing_passive = re.compile(r"(?:too |also )?(is|was|has been|will be|are|were) (also |now |too )?"
                                        rf"(?:{participles})\b")

    def resolve(self, doc: Doc, mentions: list[M], topics: dict[int, M] | None = None,
                text: str | None = None, pairs: dict[int, M] | None = None) -> list[M]:
        """Return coreferent mentions for definite descriptions and pronouns.

        A line that is only a name ("- Nvidia Corp.") makes that entity the
        topic of the lines below it until the next such line; ``topics``, if
        given, receives the topic of each sentence (by its first token).
        A plural reference to two organisations named together ("Acme and Zed
        signed ... Both companies are based in Austin") becomes two mentions
        over the same words; ``pairs``, if given, maps each (by ``id``) to the other.
        """
        taken = {i for m in mentions for i in range(m.start, m.end)}
        by_start = sorted(mentions, key=lambda m: m.start)
        ctx = _Context()
        out: list[M] = []
        mi = 0
        places = {i for m in mentions if m.type in _PLACES for i in range(m.start, m.end)}
        ctx.bases = _bases(doc, by_start)
        starts = [m.start for m in by_start]
        # spaCy joins the tokens on every access: twice a sentence was quadratic (4.5 s of a
        # 23 s profiled sample build; minutes on a 300,000-character document)
        text = doc.text if text is None else text  # ``doc.text``, if the caller has read it
        for si, sent in enumerate(doc.sents):
            lo, hi = bisect_right(starts, sent.start - 1), bisect_right(starts, sent.end - 1)
            head = self.heading(sent, by_start[lo:hi]) if len(sent) <= 16 else None
            ctx.breaks = [t.i for t in sent if t.text in (";", ":") or (
                t.lower_ in ("and", "but") and t.i > 0 and doc[t.i - 1].text == ",")]
            if head is not None:
                ctx.topic, ctx.topic_sent = head, si
            elif topics is not None and ctx.topic is not None:
                topics[sent.start] = ctx.topic
            in_sent: list[M] = []
            line = text[text.rfind("\n", 0, sent.start_char) + 1:sent.start_char + 3].lstrip()
            answer = line[:2] == "A:"  # the sentence is on an answer's line
            ctx.answering = answer
            if answer and head is None and ctx.topic is None and topics is not None:
                # an interview's answers are about the interviewee's organisation, the one the
                # document has named most: "A: Jane Roe is president and chief executive."
                named = _most_named(ctx)
                if named is not None:
                    topics[sent.start] = named
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
                    kind = "subject" if prev in self.subject_openers or tok.i == sent.start or nxt in self.subject_verbs \
                        or in_relative_clause(doc, tok.i) else "object"
                    types = (*ORG_TYPES, "Project", "Product", "AIModel", "Chip", "Technology")
                    if kind == "object" and prev in self.product_verbs:
                        types = ("Product", "Chip", "AIModel", "Technology")  # "offers it", "builds it into"
                    after = " ".join(t.lower_ for t in doc[tok.i + 1 : tok.i + 4])
                    if self.thing_passive.match(after):
                        types = ("Product", "Chip", "AIModel", "Project")  # "it is manufactured by TSMC": a thing, not a firm
                elif low in ("we", "our", "us") and answer:
                    # "Q: ... A: We run GPU clusters": the interviewee's organisation, the one
                    # the document has named most so far
                    ante = ctx.intro or _most_named(ctx)  # not the firm a question named more often
                    if ante is not None:
                        out.append(M(
                            start=tok.i, end=tok.i + 1, start_char=tok.idx, end_char=tok.idx + len(tok.text),
                            text=tok.text, type=ante.type, rule="coref_pronoun_v1", key=ante.key, coref=True,
                            possessive=low == "our"))
                    continue
                # _plural is asked only of a word in "s" (of 43,000 tokens on 70 articles, each a call)
                elif pairs is not None and low.endswith("s") and self._plural(doc, tok, sent):
                    both = _named_together(doc, ctx, si)
                    if both is not None:
                        made = [M(start=tok.i, end=tok.i + 1, start_char=tok.idx, end_char=tok.idx + len(tok.text),
                                  text=tok.text, type=a.type, rule="coref_plural_v1", key=a.key, coref=True) for a in both]
                        out += made
                        pairs[id(made[0])], pairs[id(made[1])] = made[1], made[0]
                    continue
                elif low in ("he", "she") or low in ("his", "her") and tok.i + 1 < len(doc) and \
                        doc[tok.i + 1].pos_ in ("NOUN", "ADJ", "PROPN"):
                    # people: "She is now chief executive of Acme", "his company"
                    kind, types = ("possessive" if low in ("his", "her") else "subject"), ("Person",)
                else:
                    types = self._description(doc, tok, sent, taken, places, ctx)
                    kind = "description" if types else ""
                if not types:
                    continue
                if kind == "description" and _appositive(doc, tok.i, ctx) and not (
                        tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in ("'s", "\u2019s")):
                    continue  # "Acme, the Paris-based startup": the name is right there
                where = _described_places(doc, tok.i, sent.start, by_start) if kind == "description" else set()
                ante = _antecedent(doc, tok.i, si, kind, types, ctx, in_sent, where)
                if ante is None:
                    continue
                first = _first_of_noun(doc, tok.i) if kind == "description" else tok.i
                out.append(M(
                    start=first, end=tok.i + 1, start_char=doc[first].idx, end_char=tok.idx + len(tok.text),
                    text=doc[first:tok.i + 1].text, type=ante.type,
                    rule="coref_description_v1" if kind == "description" else "coref_pronoun_v1",
                    key=ante.key, coref=True, possessive=kind == "possessive",
                ))
            if line[:2] == "Q:":
                ctx.intro = ctx.intro or _most_named(ctx)
                asked = {m.key for m in in_sent if m.type in ORG_TYPES}
                ctx.asked = asked or ctx.asked  # "Q: Who runs the company?" keeps the one asked about before
        return out

    def _plural(self, doc: Doc, tok, sent: Span) -> bool:  # noqa: ANN001 - a spaCy Token
        """Whether ``tok`` ends "both companies" / "the two firms" (a plural company noun)."""
        low = tok.lower_
        single = low[:-3] + "y" if low.endswith("ies") else low[:-1]
        if not low.endswith("s") or self.nouns.get(single) != COMPANY_LIKE or tok.i - 1 < sent.start:
            return False
        before = doc[tok.i - 1].lower_
        return before == "both" or before == "two" and tok.i - 2 >= sent.start and doc[tok.i - 2].lower_ == "the"

    def heading(self, sent: Span, mentions: list[M]) -> M | None:
        """Return the mention a line consists of ("- Nvidia Corp.", "About Acme",
        "COMPANY PROFILE: ACME")."""
        inside = [m for m in mentions if m.start >= sent.start and m.end <= sent.end]
        if len(inside) != 1 or inside[0].type not in _HEADING_TYPES:
            return None  # read first: most lines name none or several (0.12 s of 70 articles' tokens)
        toks = [t for t in sent if not t.is_space and t.text not in ("-", "•", "*", "–", "—", ".", "About", "about")]
        # a label in capitals before a colon ("COMPANY PROFILE:") is part of the heading
        colon = next((k for k, t in enumerate(toks) if t.text in (":", "\u2014", "|")), None)
        labelled = colon is not None and colon > 0 and (all(t.is_upper or not t.is_alpha for t in toks[:colon])
                                                         or all(t.lower_ in _PROFILE_WORDS for t in toks[:colon]))
        if labelled:
            if any(t.lower_ in self.fields for t in toks[:colon]):
                return None  # "CEO: Jane Roe" is a header field, not a heading
            toks = toks[colon + 1:]
        toks = [t for t in toks if t.text not in (":", "\u2014", "|")]
        if any(t.lower_ in ("profile", "factbox", "snapshot") for t in toks
                                    if not inside[0].start <= t.i < inside[0].end):
            # "Acme: company profile", "Factbox \u2014 Acme"
            toks = [t for t in toks if inside[0].start <= t.i < inside[0].end or t.lower_ not in _PROFILE_WORDS]
        m = inside[0]
        if labelled and m.type == "Person":
            return None
        rest = [t for t in toks if not (m.start <= t.i < m.end)]
        return m if not rest and len(toks) <= 8 else None

    def _description(self, doc: Doc, tok, sent: Span, taken: set[int],  # noqa: ANN001 - a spaCy Token
                     places: set[int], ctx: _Context) -> tuple[str, ...] | None:
        """Return the classes a definite description "the [modifiers] noun" refers to (also
        "the fund" after "the Ostrava Fund": a noun that heads a name just read)."""
        low = tok.lower_
        # "the fund" after "the Brixa Fund" (an organisation noun); with modifiers only a placed one
        # ("the Oslo-based bank")
        named = next((m.type for _s, m in ctx.seen[-12:] if m.type in ORG_TYPES and not m.coref
                      and _head_word(m) == low and tok.i > m.end), None) \
            if tok.i > 1 and (doc[tok.i - 1].lower_ == "the" or doc[tok.i - 1].lower_ in ("based", "headquartered")
                              and doc[tok.i - 2].text == "-") and low in self.name_heads else None
        first = _first_of_noun(doc, tok.i)
        if first < tok.i:
            low = "start-up"  # tokenized "start", "-", "up"
            nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
            if nxt is not None and (nxt.pos_ in ("NOUN", "PROPN") or nxt.lower_ in self.startup_modified):
                return None  # "the start-up capital": a modifier, not the firm (the list: without a tagger)
        if low not in self.nouns and named is None:
            return None
        j = first - 1
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
        after = [t.lower_ for t in doc[tok.i + 1:tok.i + 4]]
        if after[:1] == [","] and (after[1:2] in (["called"], ["named"], ["dubbed"]) or after[1:3] in (
                ["now", "called"], ["now", "named"], ["known", "as"])):
            return None  # "the for-profit arm, now called Zed Group,": the name follows, no reference back
        if nxt is not None and nxt.lower_ == "for" and tok.i + 2 < len(doc) and (
                doc[tok.i + 2].like_num or doc[tok.i + 2].is_currency or doc[tok.i + 2].lower_ in ("about", "around", "a")):
            nxt = None  # "bought the team for 900 million euros": a price, not "the supplier for Acme"
        if nxt is not None and (nxt.lower_ in restrictive or
                                (nxt.text[:1].isupper() and nxt.is_alpha)):
            return None  # "the maker of X", "the company Acme": not a reference back
        return self.nouns[low] if low in self.nouns else (named,)


#: Words of a profile's title line around the name: "Profile: Acme", "Acme: company profile".
_PROFILE_WORDS = frozenset({"profile", "company", "factbox", "fact", "file", "sheet", "snapshot", "at", "a", "glance"})


def _head_word(m: M) -> str:
    """The last word of a mention's name, lower case ("fund" of "Ostrava Fund")."""
    return m.text.rsplit(None, 1)[-1].lower() if " " in m.text else ""


def _first_of_noun(doc: Doc, i: int) -> int:
    """The first token of the noun ending at token ``i``: "start-up" is three tokens."""
    if i >= 2 and doc[i].lower_ == "up" and doc[i - 1].text == "-" and doc[i - 2].lower_ == "start" \
            and not doc[i - 2].whitespace_ and not doc[i - 1].whitespace_:
        return i - 2
    return i


def _appositive(doc: Doc, i: int, ctx: _Context) -> bool:
    j = i - 1
    while j > 0 and doc[j].lower_ != "the" and i - j < 8:
        j -= 1
    return j > 1 and doc[j - 1].text == "," and any(m.end == j - 1 for _s, m in ctx.seen[-3:])


def _bases(doc: Doc, mentions: list[M]) -> dict[str, set[str]]:
    """The places the document says each organisation is based in: "P-based X", "X, based in P",
    "X is headquartered in P" (read before the references, so a description can be matched
    against them: "the Lyon-based group" is the group the text placed in Lyon)."""
    out: dict[str, set[str]] = {}
    orgs = [m for m in mentions if m.type in ORG_TYPES and not m.coref]
    for p in mentions:
        if p.type not in _PLACES:
            continue
        if p.end + 1 < len(doc) and doc[p.end].text == "-" and doc[p.end + 1].lower_ in ("based", "headquartered"):
            org = next((m for m in orgs if 0 <= m.start - (p.end + 2) <= 2), None)  # "Lyon-based Dalmont"
        elif p.start >= 2 and doc[p.start - 1].lower_ == "in" and doc[p.start - 2].lower_ in ("based", "headquartered"):
            org = next((m for m in reversed(orgs) if 0 <= p.start - 2 - m.end <= 3), None)  # "Dalmont, based in Lyon"
        else:
            continue
        if org is not None:
            out.setdefault(org.key, set()).add(p.text)
    return out


def _described_places(doc: Doc, i: int, start: int, mentions: list[M]) -> set[str]:
    """The places named in a definite description ending at token ``i``: "the Lyon-based group",
    "the Paris investment company"."""
    j = i - 1
    while j >= start and i - j < 8 and doc[j].lower_ not in ("the", "this", "that"):
        j -= 1
    return {m.text for m in mentions if m.type in _PLACES and j < m.start and m.end <= i}


def _antecedent(doc: Doc, i: int, si: int, kind: str, types: tuple[str, ...], ctx: _Context,
                in_sent: list[M], where: set[str] = frozenset()) -> M | None:  # type: ignore[assignment]
    """Pick the antecedent of the anaphor at token ``i`` (``where``: the places a description names).

    * object pronoun ("only three companies produce it"): the nearest
      compatible mention before it in the sentence;
    * otherwise the most salient compatible mention: same-sentence subject
      for "its"/"it", a same-sentence non-subject for a description (a writer
      names a new entity, then refers to it by description), the topic of
      the section, and how often and how recently it was mentioned.
    """
    if kind == "object":
        for m in reversed(in_sent[-_WINDOW:]):
            if m.end <= i and m.type in types and not subject_of_my_verb(doc, m, i) \
                    and not subordinate_elsewhere(doc, m.start, i):  # "X, who ran Zed, co-leads it"
                return m  # "Vantor agreed to supply it": "it" is not Vantor
    k = bisect_right(ctx.breaks, i - 1)
    clause_start = ctx.breaks[k - 1] if k else 0
    subject = next((m for m in in_sent[-_WINDOW:] if m.type in ORG_TYPES and m.start >= clause_start), None) or \
        next((m for m in in_sent if m.type in ORG_TYPES), None)
    best: tuple[float, int, M] | None = None
    offset = max(0, len(ctx.seen) - _WINDOW)
    for order, (s_, m) in enumerate(ctx.seen[offset:], offset):
        if m.type not in types or s_ < si - 4 or m.start >= i or m.end == i:
            continue
        if kind == "description" and s_ == si and 0 < i - m.end < 12 and m.end < len(doc) and \
                doc[m.end].text == "," and _head_word(m) != doc[i].lower_:
            continue  # "X, the subsidiary of the chipmaker": the chipmaker is not X
        if kind == "description":
            # "The chip is made by TSMC": the chip just named, not the one named most in the
            # document (a sector note's "the chip" went to the TPU named eight times before)
            score = -1.0 * (si - s_) + 0.25 * min(ctx.counts[m.key], 4)
        else:
            score = -0.5 * (si - s_) + 0.5 * min(ctx.counts[m.key], 8)
        if s_ == si:
            if kind == "description":
                score += 1.0 if m is subject else 4.0
            else:
                score += 3.0 if m is subject else 1.0
                if m is subject and in_relative_clause(doc, i):
                    score += 5.0  # "Tarvo relies on the chips it designs itself": the clause's subject
            if subordinate_elsewhere(doc, m.start, i):
                score -= 3.0  # "X, who left Acme, became its ...": Acme is in another, subordinate clause
        elif s_ == si - 1 and first_of_sentence(doc, m, ctx.by_sent.get(s_, []), types):
            # "Acme Inc., Zed's largest customer, grew. The Austin-based firm ...": the subject, for firms
            score += 1.0 if kind != "description" else 0.5 if m.type in ORG_TYPES else 0.0
        elif s_ == si - 1 and kind != "description" and subordinate_elsewhere(doc, m.start, i):
            score -= 1.0  # "Jane Roe, who once ran Zed, co-leads it. ... its chief scientist": not Zed
        if ctx.topic is not None and m.key == ctx.topic.key and si > ctx.topic_sent:
            score += 2.5
        if ctx.answering and m.key in ctx.asked and not any(
                x.type in ORG_TYPES and x.key not in ctx.asked and x.start < i and (
                    x.start == 0 or doc[x.start].is_sent_start or doc[x.start - 1].text == ":")
                for x in (*ctx.by_sent.get(si - 1, ()), *in_sent)):  # no other firm just made the subject
            score += 3.0  # an answer is about what its question asked: "Q: Who is behind Acme? A: ... the company's"
        if kind == "description" and listed(doc, m, ctx.by_sent.get(s_, ())):
            score -= 2.0  # "Acme, Zed and Kiro ran the chip ... the Austin-based chipmaker": one firm, not one of a list
        if kind == "object" and s_ == si and subject_of_my_verb(doc, m, i):
            continue  # "Vantor agreed to supply it": "it" is not Vantor
        if kind == "possessive" and s_ == si and copula_subject(doc, m, i):
            continue  # "Zed, which led the round, is its largest backer": not Zed's own backer
        if kind == "description" and s_ == si and subject_of_my_verb(doc, m, i):
            continue  # "Kestrel does not run the Oslo-based airline": the airline is another firm
        if kind == "description" and _head_word(m) == doc[i].lower_:
            score += 3.0  # "the fund" is the Ostrava Fund just named
        if where and m.key in ctx.bases:
            # "the Lyon-based group": the one the text placed in Lyon, not one it placed elsewhere
            score += 6.0 if where & ctx.bases[m.key] else -6.0
        cand = (score, order, m)
        if best is None or cand[:2] > best[:2]:
            best = cand
    if best is None and ctx.topic is not None and ctx.topic.type in types and si > ctx.topic_sent:
        return ctx.topic
    return best[2] if best else None


def _named_together(doc: Doc, ctx: _Context, si: int) -> tuple[M, M] | None:
    """The last two organisations joined by "and" in this sentence or the last one before that
    names an organisation ("Acme and Zed")."""
    before = next((k for k in range(si - 1, max(si - 4, -1), -1)
                   if any(m.type in ORG_TYPES for m in ctx.by_sent.get(k, []))), None)
    for s_ in (si, before):
        orgs = [m for m in ctx.by_sent.get(s_, []) if m.type in ORG_TYPES] if s_ is not None else []
        for a, b in zip(reversed(orgs[:-1]), reversed(orgs[1:])):
            if a.key != b.key and doc[a.end:b.start].text.strip() in ("and", ", and", "&"):
                return a, b
    # "Acme does not sell to Zed; both firms vie for buyers": the sentence's only two
    here = {m.key: m for m in ctx.by_sent.get(si, []) if m.type in ORG_TYPES and not m.coref}
    if len(here) == 2:
        a, b = here.values()
        return a, b
    return None


def _most_named(ctx: _Context) -> M | None:
    """The organisation named most often so far (ties: the first named), or None."""
    best: M | None = None
    for _s, m in ctx.seen:
        if m.type in ORG_TYPES and not m.coref and (best is None or ctx.counts[m.key] > ctx.counts[best.key]):
            best = m
    return best
