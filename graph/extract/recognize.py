"""The ``kg_recognizer`` component: every typed mention of a document.

Three sources of candidates, in order of trust:

1. the **gazetteer** (:mod:`graph.extract.gazetteer`), matched before the
   statistical NER so that it wins;
2. the **pattern recognizers** for names the gazetteer does not know
   (:mod:`graph.extract.recognizers`);
3. the **statistical NER** of a trained pipeline, its labels mapped onto the
   ontology's classes (:data:`NER_MAP`) and corrected by context cues
   (:mod:`graph.extract.context`).

The longest candidate of the highest trust wins each span; then legal
suffixes are taken in, coordinated lists agree on a class, and later
mentions of a name found once (whole, by surname, by first word) are added.
The component leaves ``doc.ents`` holding only mentions labelled with an
ontology class (the gazetteer id, if any, in ``ent_id_``) and the rule that
found each in ``doc.spans["kg_rules"]``.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.extract.context import CueSets, context_type, settled_type
from graph.extract.gazetteer import NER_LABEL, restore_labels
from graph.extract.joins import (
    ORG_TYPES,
    after_person,
    bracket_acronyms,
    brands,
    core_trim,
    glue_codes,
    hyphen_names,
    prefixed_short_forms,
    quoted_code_names,
    title_start,
)
from graph.extract.recognizers import pattern_spans, title_case_line
from graph.extract.rules import Rules, load_rules
from graph.model import ENTITY_TYPES, SUPERCLASS

#: Statistical NER labels and the class they map to before context cues.
NER_MAP = {
    "ORG": "Company",
    "GPE": "City",
    "LOC": "Place",
    "PERSON": "Person",
    "PRODUCT": "Product",
    "FAC": None,
    "NORP": None,
}



#: NER labels that are never names, whatever the context says.
_NOT_NAME_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "NORP", "LANGUAGE"}


class Recognizer:
    """The ``kg_recognizer`` component (see the module docstring)."""

    def __init__(self, rules: Rules) -> None:
        self.cues = CueSets(rules)
        self.digest = rules.digest

    def _map_ner(self, ent: Span) -> str | None:
        label = ent.label_
        if label in ENTITY_TYPES:
            return label
        if label not in NER_MAP:
            return None
        etype = NER_MAP[label]
        words = ent.text.split()
        if label in ("ORG", "GPE", "LOC") and self._given_name_first(ent):
            return "Person"  # "Helena Marsh said": the NER's ORG, a person's name
        if label == "ORG":
            last = words[-1] if words else ""
            if last in self.cues.gov_heads or ent.text.startswith(("U.S. ", "US ")) and any(w in self.cues.gov_heads for w in words) \
                    or len(words) > 2 and words[words[0].lower() == "the"] in self.cues.gov_heads \
                    and words[1 + (words[0].lower() == "the")] == "of":
                return "GovernmentBody"  # "Commerce Department", "Ministry of Industry"
            if last in self.cues.org_heads:
                return "Organization"
            return "Company"
        if label == "PERSON":
            return "Person" if self.person_name(ent) else None
        if label == "GPE":
            return "City"
        return etype

    def _given_name_first(self, ent: Span) -> bool:
        """Whether a span is two to four capitalised words that start with a common given name
        (``cues.yaml``: ``given_names``) and hold no organisation head, legal form or "&"."""
        words = [t for t in ent if not t.is_space and t.lower_ not in ("'s", "\u2019s")]
        first = words[0].text.split("-")[0] if words else ""
        if first not in self.cues.given_names or not 2 <= len([t for t in words if t.is_alpha]) <= 4:
            return False
        cues = self.cues
        return not any(t.text in ("&", "and", "of") or t.text in cues.org_heads or t.text in cues.gov_heads
                       or t.text in cues.legal_forms or t.lower_ in cues.company_nouns for t in words) \
            and self.person_name(ent)

    def person_name(self, ent: Span) -> bool:
        """Whether the NER's PERSON span is a person's name; a span is dropped only for a reason:

        a word that is not part of a name (a digit, a lower-case word that is no name
        particle, a word in capitals but an initial), a span that is only a cue word
        ("Analysts"), or a span in a title-case headline ("Chip Sales Soar"). Single
        names, initials ("James K. Smith"), particles ("Ursula von der Leyen", "de la
        Cruz") and apostrophes or hyphens ("O'Neil", "Meyer-Ohlendorf") are names.
        """
        toks = [t for t in ent if not t.is_space]
        while toks and (toks[-1].is_punct and toks[-1].text != "." or toks[-1].lower_ in ("'s", "\u2019s")):
            toks.pop()
        if not toks or toks[0].lower_ in self.cues.name_particles:
            return False
        for k, t in enumerate(toks):
            text = t.text
            if t.lower_ in self.cues.name_particles and 0 < k < len(toks) - 1:
                continue  # "von", "de la", "bin"
            if re.fullmatch(r"[A-Z]\.", text):
                continue  # an initial: "K."
            if text in ("'", "\u2019", "-") and 0 < k < len(toks) - 1:
                continue
            if not (text[0].isupper() and re.fullmatch(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*\.?", text)):
                return False
            if len(text) > 3 and text.isupper():
                return False  # "CHIP SALES": a headline in capitals
        if len(toks) == 1 and (toks[0].text in self.cues.not_names or toks[0].text.casefold() in self.cues.not_entities):
            return False
        sent = ent.sent
        if title_case_line(sent) and not any(t.text in self.cues.honorifics for t in sent):
            return False  # a title-case headline: "Chip Sales Soar"
        return True

    def __call__(self, doc: Doc) -> Doc:
        cues = self.cues
        restore_labels(doc, NER_LABEL)  # the gazetteer's names passed the NER as ORG
        # (start, end, type, rule, kb_id, priority)
        cands: list[tuple[int, int, str, str, str, int]] = []
        for ent in doc.ents:
            if ent.label_ in ENTITY_TYPES and ent.ent_id_:
                cands.append((ent.start, ent.end, ent.label_, "gazetteer", ent.ent_id_, 3))
            else:
                etype = self._map_ner(ent)
                # trim leading determiners the model includes ("the Stargate Project"),
                # and the line break it may take in at the end of a heading
                s, end = ent.start, ent.end
                while s < end - 1 and doc[s].lower_ in ("the", "a", "an"):
                    s += 1
                while end > s + 1 and (doc[end - 1].is_space or doc[end - 1].lower_ in ("'s", "\u2019s")):
                    end -= 1  # a heading's line break, or the possessive the NER took in ("Helena Marsh's")
                while end > s + 1 and doc[end - 1].is_lower and doc[end - 1].is_stop:
                    end -= 1  # "sold Brenna Cars to Zed": the NER took in the preposition
                end = core_trim(doc, s, end)
                if ent.label_ == "ORG":
                    s = title_start(cues, doc, s, end)
                if etype is None and ent.label_ not in _NOT_NAME_LABELS and (
                        any(ch.isupper() for ch in ent.text) if ent.label_ == "CARDINAL" else any(ch.isalpha() for ch in ent.text)):
                    etype = context_type(cues, doc, s, end, None)
                # "Commerce Secretary", "Finance Minister": a department word, not a name
                if end - s == 1 and end < len(doc) and doc[end].text in self.cues.honorifics:
                    etype = None
                if etype is not None and doc[s].text in self.cues.company_prefixes:
                    etype = "Company"  # "Banco Santander", "Groupe Renault": whatever the NER says
                if etype is not None:
                    cands.append((s, end, etype, f"ner_{ent.label_.lower()}", "", 1))
        # the tokens and the text read once: doc[i] and doc.text make new Tokens on every access
        toks = list(doc)
        text = "".join(t.text_with_ws for t in toks)  # doc.text
        for s, e, etype, rule in pattern_spans(cues, doc, toks, text):
            if etype in ORG_TYPES:
                s = title_start(cues, doc, s, e)
                s = after_person(cues, doc, s, e)
            # a versioned family name ("Llama 7") is more specific than the family word,
            # and a name described by an appositive ("Acme Compute, a joint venture")
            # more than the gazetteer name it starts with
            strong = rule in ("pattern_family_v1", "pattern_appositive_v1", "pattern_brand_product_v1", "pattern_company_prefix_v1",
                              "pattern_description_place_v1",
                              "pattern_name_head_long_v1", "pattern_national_arm_v1")
            cands.append((s, e, etype, rule, "", 3 if strong else 2))
        # a capitalised preposition inside a name: a headline, not a name ("Deploy R7 Fleet Across …");
        # an acronym's expansion is not another entity ("MTIA, short for Meta Training and …")
        cands = [c for c in cands if c[4] or not (
            any(t.text in cues.name_breakers for t in doc[c[0] + 1:c[1]])
            or c[0] >= 2 and doc[c[0] - 1].lower_ == "for" and doc[c[0] - 2].lower_ in ("short", "stands", "standing"))]
        # greedy: priority, then length, then gazetteer before pattern, then position
        cands.sort(key=lambda c: (-c[5], -(c[1] - c[0]), c[4] == "", c[0]))
        taken = [False] * len(doc)
        chosen: list[tuple[int, int, str, str, str, int]] = []
        for c in cands:
            s, e = c[0], c[1]
            if s >= e or any(taken[s:e]):
                # a pattern span that strictly contains a lower-priority one wins
                continue
            # drop generic terms and names that are only cue or function words
            if c[4] == "" and (doc[s:e].text.casefold() in cues.not_entities
                                 or e - s >= 3 and doc[e - 1].text in cues.statute_heads):  # "... Reform Act"
                continue
            if c[4] == "" and all(t.text in cues.not_names or not t.is_alpha and not t.like_num and not any(ch.isalnum() for ch in t.text) for t in doc[s:e]):
                continue
            for k in range(s, e):
                taken[k] = True
            chosen.append(c)
        chosen.sort(key=lambda c: c[0])
        typed: list[list] = []
        for s, e, etype, rule, kb, _prio in chosen:
            # a legal suffix settles the class; an organisation head word ("Foundation") does not
            if not kb and not (rule in ("pattern_name_head_v1", "pattern_name_head_long_v1", "pattern_national_arm_v1") and etype == "Company"):
                ctx = context_type(cues, doc, s, e, etype)
                if ctx is not None and not (etype == "Person" and ctx not in ("Person",)):
                    etype = ctx
            typed.append([s, e, etype, rule, kb])
        typed = self._legal_suffixes(doc, typed)
        typed = hyphen_names(cues, doc, typed)
        typed = glue_codes(cues, doc, typed)
        typed = self._vote_types(doc, typed)
        typed = bracket_acronyms(doc, typed)
        typed = brands(cues, doc, typed)
        typed = self._coordination_types(doc, typed, text)
        typed = self._repeats(doc, typed)
        typed = self._surnames(doc, typed)
        typed = self._short_forms(doc, typed, toks)
        typed = prefixed_short_forms(cues, doc, typed)
        typed = quoted_code_names(doc, typed)
        ents: list[Span] = []
        rules: list[Span] = []
        for t in typed:  # "Sir Tom Baker", "Dr. Jane Roe": the person is named without the title
            while t[2] == "Person" and t[1] - t[0] > 2 and doc[t[0]].text in cues.honorifics and doc[t[0] + 1].is_title:
                t[0] += 1
        for s, e, etype, rule, kb in typed:
            ents.append(Span(doc, s, e, label=etype, kb_id=kb, span_id=kb))
            rules.append(Span(doc, s, e, label=rule))
        for tok in toks:  # the ruler's ids stay on tokens unless cleared ("" is id 0)
            if tok.ent_id:
                tok.ent_id_ = ""
            if tok.ent_kb_id:
                tok.ent_kb_id_ = ""
        doc.ents = ents
        doc.spans["kg_rules"] = rules
        return doc


    def _legal_suffixes(self, doc: Doc, typed: list[list]) -> list[list]:
        """Extend organisation names over a trailing legal form ("Acme, Inc.")."""
        # a span that is only a legal form ("Inc." of "Halvern, Inc.") is part of the name before it
        bare = {t[0] for t in typed if t[1] - t[0] == 1 and doc[t[0]].text in self.cues.legal_forms and not t[4]}
        typed = [t for t in typed if t[0] not in bare]
        starts = {t[0] for t in typed}
        for t in typed:
            if t[2] not in ("Company", "Organization"):
                continue
            e = t[1]
            while e < len(doc):
                if e + 4 < len(doc) + 1 and doc[e].text == "(" and e + 3 < len(doc) and \
                        doc[e + 1].text.upper() in self.cues.exchanges and doc[e + 2].text == ":":
                    close = next((k for k in range(e + 3, min(e + 7, len(doc))) if doc[k].text == ")"), None)
                    if close is not None:  # "Acme Inc. (NASDAQ: ACME)": the ticker is part of the name
                        e = close + 1
                        continue
                if e in starts:
                    break
                if doc[e].text in self.cues.legal_forms:
                    e += 1
                elif doc[e].text == "," and e + 1 < len(doc) and doc[e + 1].text in self.cues.legal_forms and e + 1 not in starts:
                    e += 2
                else:
                    break
            t[1] = e
        # a mention swallowed by the extension (the ticker "ACME") is dropped
        spans = sorted(typed, key=lambda t: (t[0], -(t[1] - t[0])))
        kept: list[list] = []
        for t in spans:
            if kept and t[0] < kept[-1][1]:
                continue
            kept.append(t)
        return kept

    def _vote_types(self, doc: Doc, typed: list[list]) -> list[list]:
        """One class per name in a document, from the contexts that settle it.

        "chief executive of X", "X's chief financial officer" make X an
        organisation; "X-based", "based in X" a place; "chief executive X" a
        person. When one mention of a name has such a context, every mention
        of that name the statistical NER typed (it may call Diageo a person on
        one line and a city on the next) takes the class the contexts vote for.
        """
        votes: dict[str, Counter[str]] = {}
        for s, e, etype, rule, kb in typed:
            if kb:
                continue
            cls = settled_type(self.cues, doc, s, e)
            if cls is not None:
                votes.setdefault(doc[s:e].text.casefold(), Counter())[cls] += 1
        if not votes:
            return typed
        for t in typed:
            counted = votes.get(doc[t[0]:t[1]].text.casefold())
            if counted and not t[4] and (t[3].startswith("ner_") or t[3] == "pattern_context_v1"):
                best = max(counted.items(), key=lambda kv: (kv[1], kv[0]))[0]
                if _top(best) != _top(t[2]) or best in ("City", "Country") and t[2] == "Place":
                    t[2] = best
        return typed

    @staticmethod
    def _coordination_types(doc: Doc, typed: list[list], text: str) -> list[list]:
        """In "A, B and C" a statistical guess that disagrees with the rest yields.

        "Arthur Mensch, Guillaume Lample and Timothée Lacroix": if the NER
        calls the middle name an ORG, the two people around it correct it.
        ``text`` is ``doc.text`` (the words between two names are cut from it,
        not joined from their tokens: all the document's tokens, once per name).
        """
        groups: list[list[int]] = []
        cur = [0] if typed else []
        for k in range(1, len(typed)):
            gap = doc[typed[k - 1][1] : typed[k][0]]
            between = text[gap.start_char : gap.end_char].strip()
            if between in (",", "and", ", and", "&", "or", ", or"):
                cur.append(k)
            else:
                groups.append(cur)
                cur = [k]
        if cur:
            groups.append(cur)
        for g in groups:
            if len(g) < 3:
                continue
            tops = Counter(_top(typed[k][2]) for k in g)
            top, n = tops.most_common(1)[0]
            if n < len(g) - 1 or n == len(g):
                continue
            for k in g:
                if _top(typed[k][2]) != top and typed[k][3].startswith("ner_"):
                    typed[k][2] = next(typed[j][2] for j in g if _top(typed[j][2]) == top)
        return typed

    @staticmethod
    def _repeats(doc: Doc, typed: list[list]) -> list[list]:
        """Find every other occurrence of a multi-word name found once ("Marisol Quintero"), or of
        an organisation's one-word acronym a pattern found ("KBRA took its stake").

        A title or suffix may have been needed to find a name the first time;
        the same words elsewhere in the document are the same name.
        """
        names: dict[tuple[str, ...], str] = {}
        for s, e, etype, rule, kb in typed:
            if not kb and rule != "pattern_context_v1" and (e - s >= 2 or etype in ORG_TYPES and rule.startswith(
                    "pattern_") and len(doc[s].text) > 2 and doc[s].is_alpha and doc[s].is_upper):  # an acronym found once by its role
                names.setdefault(tuple(t.text for t in doc[s:e]), etype)
        if not names:
            return typed
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = []
        # by first word, the lengths of the names it starts, longest first: the words at a
        # token are looked up by length, not compared with every name of that first word
        lengths: dict[str, set[int]] = {}
        for words in names:
            lengths.setdefault(words[0], set()).add(len(words))
        firsts = {w: sorted(ls, reverse=True) for w, ls in lengths.items()}
        starts = {t[0]: t for t in typed}
        # the names found, by first token: those inside a repeat are looked up, not
        # scanned (a scan per repeat was quadratic: 5,000 names listed, 6 s)
        by_start: dict[int, list[list]] = {}
        for t in typed:
            by_start.setdefault(t[0], []).append(t)
        for tok in doc:
            known = firsts.get(tok.text)
            if not known:
                continue
            for length in known:
                end = tok.i + length
                words = tuple(t.text for t in doc[tok.i:end])
                if end > len(doc) or words not in names:
                    continue
                inside = [t for i in range(tok.i, end + 1) for t in by_start.get(i, ()) if t[1] <= end]
                if any(i in taken for i in range(tok.i, end)) and not (
                        inside and all(i in {x for t in inside for x in range(t[0], t[1])}
                                       for i in range(tok.i, end) if i in taken)
                        and not (tok.i in starts and starts[tok.i][1] == end)):
                    continue  # overlaps a name it does not contain
                if tok.i in starts and starts[tok.i][1] == end:
                    break  # already this very name
                # "TSMC Arizona" found once is the name here too, not "TSMC" + "Arizona"
                for t in inside:
                    typed.remove(t)
                    by_start[t[0]].remove(t)
                extra.append([tok.i, end, names[words], "pattern_repeat_v1", ""])
                taken.update(range(tok.i, end))
                break
        return sorted(typed + extra, key=lambda x: x[0])

    @staticmethod
    def _surnames(doc: Doc, typed: list[list]) -> list[list]:
        """Find later mentions of a person by surname alone ("Mensch leads ...")."""
        surnames: dict[str, str] = {}
        for s, e, etype, _rule, _kb in typed:
            if etype == "Person" and e - s >= 2 and doc[e - 1].is_alpha:
                surnames.setdefault(doc[e - 1].text, "Person")
                if e - s >= 4 and doc[e - 2].text == "-":
                    surnames.setdefault(doc[e - 3:e].text, "Person")  # "Solberg-Dahl"
        if not surnames:
            return typed
        for t in typed:  # a single word the NER typed otherwise is the person ("Venturo serves")
            if t[1] - t[0] in (1, 3) and doc[t[0]:t[1]].text in surnames and t[3].startswith("ner_") \
                    and t[2] != "Person":
                t[2], t[3] = "Person", "pattern_surname_v1"
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = [[t.i, t.i + 1, "Person", "pattern_surname_v1", ""] for t in doc
                 if t.text in surnames and t.i not in taken and t.text[0].isupper()]
        return sorted(typed + extra, key=lambda x: x[0])


    def _short_forms(self, doc: Doc, typed: list[list], toks: list) -> list[list]:
        """Find later mentions of an organisation by its first word ("Moonshot");
        ``toks`` is ``list(doc)``."""
        firsts: dict[str, str] = {}
        for s, e, etype, _rule, _kb in typed:
            if etype in ("Company", "Organization") and e - s >= 2:
                w = doc[s + 1] if doc[s].text in self.cues.company_prefixes else doc[s]  # "Grupo Olmedo": "Olmedo"
                if w.is_alpha and len(w.text) >= 4 and w.text[0].isupper() and w.text not in self.cues.not_names \
                        and w.text.casefold() not in self.cues.not_entities:
                    firsts.setdefault(w.text, etype)
        if not firsts:
            return typed
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = []
        for t in toks:
            # "Lodestar counts ...": a capitalised first word the tagger read as a common noun is
            # the name where it fills an argument, not where it modifies ("Mercury levels rose")
            if t.text in firsts and t.i not in taken and (t.pos_ in ("PROPN", "") or t.pos_ == "NOUN" and t.dep_ in _ARGS):
                nxt = toks[t.i + 1] if t.i + 1 < len(toks) else None
                if nxt is not None and nxt.text[:1].isupper() and nxt.is_alpha:
                    continue  # part of a longer name we do not know
                extra.append([t.i, t.i + 1, firsts[t.text], "pattern_short_form_v1", ""])
        return sorted(typed + extra, key=lambda x: x[0])


_ARGS = frozenset({"nsubj", "nsubjpass", "dobj", "pobj", "poss", "appos"})


def _top(cls: str) -> str:
    return SUPERCLASS.get(cls, cls)


@Language.factory("kg_recognizer", default_config={"packs": []})
def make_recognizer(nlp: Language, name: str, packs: list[str]) -> Recognizer:
    """Factory of the ``kg_recognizer`` component: the packaged rules and ``packs``."""
    return Recognizer(load_rules(packs))
