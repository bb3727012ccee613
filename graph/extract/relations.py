"""The ``kg_relations`` component: a document's mentions, references and relations.

For each document it

1. gives every entity mention a document-level key (:mod:`graph.extract.mentions`);
2. resolves pronouns, definite descriptions and heading topics (:mod:`graph.extract.coref`);
3. runs, sentence by sentence, the surface rules (:mod:`graph.extract.surface`) and,
   with a parse, the dependency rules (:mod:`graph.extract.dependency`), each
   match checked for negation, hedging, former roles and questions
   (:mod:`graph.extract.hedging`);
4. attaches quantities (:mod:`graph.extract.quantities`): amounts, counts and
   dates to relations, parameter counts and market shares to entities.

The result is a typed :class:`~graph.extract.extraction.Extraction`, stored on
the ``Doc`` (:func:`~graph.extract.extraction.set_extraction`) so that it
survives multiprocessing; :mod:`graph.building.assemble` turns it into the graph.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from graph.extract.coref import Coreference
from graph.extract.dependency import DependencyRules
from graph.extract.extraction import (
    BlockedRecord,
    EntityQualifier,
    Extraction,
    MentionRecord,
    RelationRecord,
    SentenceRecord,
    set_extraction,
)
from graph.extract.hedging import Scope
from graph.extract.mentions import MAX_PAIRS, Budget, Found, M, doc_mentions
from graph.extract.nominal import NominalRules
from graph.extract.quantities import Quantity, find_quantities
from graph.extract.rules import Rules, load_rules
from graph.extract.surface import compile_rules, match_sentence, pattern_index
from graph.model import subclasses

ORG_TYPES = subclasses("Organization")


class RelationExtractor:
    """The ``kg_relations`` component (see the module docstring)."""

    def __init__(self, rules: Rules) -> None:
        self.rules_data = rules
        self.rules = compile_rules(rules.relations)
        self.index = pattern_index(self.rules)
        self.scope = Scope(rules.cues)
        self.coreference = Coreference(rules.cues)
        self.dependency = DependencyRules(rules.cues)
        self.nominal = NominalRules(rules.cues)
        # each layer gets the rules it runs: every sentence tried all 83 rules for each
        self.layers = ((self.dependency, tuple(c for c in self.rules if c.rule.dependency)),
                       (self.nominal, tuple(c for c in self.rules if c.rule.nominal)))
        self.prefixes = frozenset(rules.cues.lists.get("company_prefixes", ()))
        self.goods = rules.cues.words("goods_nouns")

    @property
    def digest(self) -> str:
        """The hash of the rule files this component reads (part of the pipeline signature)."""
        return self.rules_data.digest

    def _with_each_other(self, doc: Doc, pairs: dict[int, M]) -> list[Found]:
        """"The two firms vie for buyers": each competes with the other (read as the
        dependency rule of "compete" reads it, under the same scope)."""
        rule = next((c.rule for c in self.rules if c.rule.id == "dep_competitor_v1"), None)
        out: list[Found] = []
        seen: set[int] = set()
        for a in sorted({id(m): m for m in pairs.values()}.values(), key=lambda m: (m.start, m.key)):
            b = pairs[id(a)]
            v = _reciprocal(doc, a)
            if rule is None or v is None or id(b) in seen or self.scope.verb_blocked(v):
                continue
            seen.add(id(a))
            out.append(Found(a, "competitorOf", b, rule.id, rule.confidence, v.sent, {}))
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # built from the tokens on every access: read it once
        mentions = doc_mentions(doc, self.rules_data.index, self.prefixes)
        topics: dict[int, M] = {}
        pairs: dict[int, M] = {}
        corefs = self.coreference.resolve(doc, mentions, topics, text, pairs)
        everything = sorted(mentions + corefs, key=lambda m: m.start)
        inside = {i for m in mentions for i in range(m.start, m.end)}
        quantities = [q for q in find_quantities(doc, text)
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
        notes: list[str] = []  # what the bounds of :class:`Budget` left unread, said to the user
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
                budget = Budget()
                f, b = match_sentence(sent, sm, self.rules, qs, topic, index=self.index, scope=self.scope,
                                      budget=budget)
                if len(sm) >= 2:
                    for layer, rules in self.layers:
                        f2, b2 = layer.match(sent, sm, rules, qs, self.scope, budget)
                        f += f2
                        b += b2
                notes += _budget_notes(sent, len(sm), budget)
                if heading_date is not None:
                    for x in f:
                        if x.dated:
                            x.qualifiers.setdefault("date", heading_date)
                found.extend(f)
                blocked.extend(b)
            heading_date = None
        if pairs:
            found += _for_both(found, pairs)
            found += self._with_each_other(doc, pairs)
        entity_quals = _entity_qualifiers(everything, quantities, sent_of)
        entity_quals += _goods(doc, mentions, self.goods)
        index = {id(m): k for k, m in enumerate(everything)}
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
            notes=tuple(notes),
        ))
        return doc


def _reciprocal(doc: Doc, m: M) -> Any:  # noqa: ANN401 - a spaCy Token or None
    """The verb "compete"/"vie" of which a plural reference is the subject, with no one to
    compete with ("the two firms vie for buyers"), or None."""
    if not doc.has_annotation("DEP"):
        return None
    t = doc[m.start]
    v = t.head
    if t.dep_ != "nsubj" or v.lemma_.lower() not in ("compete", "vie", "rival") or any(
            c.dep_ == "prep" and c.lower_ in ("with", "against") or c.dep_ == "dobj" for c in v.children):
        return None
    return v


def _for_both(found: list[Found], pairs: dict[int, M]) -> list[Found]:
    """What is read of one of two organisations referred to together ("both companies") holds
    for the other too."""
    out = []
    for f in found:
        sub, obj = pairs.get(id(f.subject)), pairs.get(id(f.object))
        for s, o in ((sub, f.object), (f.subject, obj)):
            if s is not None and o is not None and s.key != o.key:
                out.append(Found(s, f.predicate, o, f.rule, f.confidence, f.sent, dict(f.qualifiers), f.dated))
    return out


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


def _budget_notes(sent: Span, mentions: int, budget: Budget) -> list[str]:
    """What the sentence's :class:`~graph.extract.mentions.Budget` left unread, if anything."""
    where = f"the sentence at characters {sent.start_char}-{sent.end_char} ({mentions} names)"
    out = []
    if budget.long_list:
        out.append(f"{where} lists {budget.long_list} names in a row: matches start only at the"
                   " first and the last names of such a list (graph.extract.surface.LONG_LIST)")
    if budget.exhausted:
        out.append(f"{where} reached the limit of {MAX_PAIRS:,} subject-object pairs: its further"
                   " relations are not read")
    return out


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


def _goods(doc: Doc, mentions: list[M], nouns: frozenset[str]) -> list[list[Any]]:
    """Products the text shows to be physical goods: a count before the name
    ("ordered 32 Acme X-10") or a goods noun after it, past at most two
    modifiers ("the X-10 jets", "its R7 picking robot"; ``cues.yaml``
    ``goods_nouns``). Their brand's owner is their maker (see the inference
    ``goods_owner_makes_v1``)."""
    out: list[list[Any]] = []
    seen: set[str] = set()
    for m in mentions:
        if m.type != "Product" or m.key in seen:
            continue
        before = doc[m.start - 1] if m.start > 0 else None
        goods = before is not None and before.like_num and before.ent_type_ != "DATE" and before.text[:1].isdigit()
        for tok in doc[m.end:m.end + 3]:
            if tok.lower_ in nouns:
                goods = True
                break
            if tok.is_punct or tok.pos_ not in ("ADJ", "NOUN", "PROPN", "VERB", "NUM") or tok.dep_ in ("ROOT", "relcl"):
                break
        if goods:
            seen.add(m.key)
            out.append([m.key, "goods", 1])
    return out


@Language.factory("kg_relations", default_config={"packs": []})
def make_relation_extractor(nlp: Language, name: str, packs: list[str]) -> RelationExtractor:
    """Factory of the ``kg_relations`` component: the packaged rules and ``packs``."""
    return RelationExtractor(load_rules(packs))
