"""Surface rules: sentences as symbol strings, matched by the compiled patterns of ``relations.yaml``.

:func:`symbolize` rewrites a sentence as words in lower case and mentions as
``§Class#n``; each rule pattern (:mod:`graph.extract.patterns_dsl`) is a
regex over that string whose named groups are the subject and object slots.
:func:`match_sentence` runs the patterns a sentence can match (an index of
the words each pattern cannot do without, :func:`pattern_index`), asks the
:class:`~graph.extract.hedging.Scope` whether each match is asserted, and
attaches the quantities its words carry. These rules work with any
pipeline, the model-free one included.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Span

from graph.extract.hedging import Scope
from graph.extract.mentions import Budget, Found, M
from graph.extract.nominal import noun_index, noun_phrases
from graph.errors import RuleError
from graph.extract.patterns_dsl import MARK, PatternError, compile_pattern, required_words
from graph.extract.quantities import Quantity
from graph.extract.relation_rules import RelationRule, RuleSet


@dataclass(slots=True)
class Compiled:
    rule: RelationRule
    #: each pattern's regex once compiled (None before: see :meth:`regex`)
    regexes: list[re.Pattern[str] | None] = field(default_factory=list)
    #: for each regex, the sets of symbols a sentence needs one of each to match
    #: (:func:`graph.extract.patterns_dsl.required_words`)
    needs: list[tuple[frozenset[str], ...]] = field(default_factory=list)
    #: the rule's subject and object classes: a sentence without a mention of
    #: each cannot fill both slots, so its patterns need not be run
    subjects: frozenset[str] = frozenset()
    objects: frozenset[str] = frozenset()
    #: the lemmas of the rule's dependency verbs (lower case), if any
    verbs: frozenset[str] = frozenset()
    #: the word sequences of the rule's nominal nouns, if any
    nouns: tuple[tuple[str, ...], ...] = ()
    #: :func:`graph.extract.nominal.noun_index` of ``nouns``
    noun_index: dict[str, tuple[int, ...]] = field(default_factory=dict)
    lexicons: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def regex(self, ri: int) -> re.Pattern[str]:
        """The regex of pattern ``ri``, compiled when first needed: a build's
        sentences need about a third of the packaged patterns, and compiling all
        of them was 0.25 s of its start-up (measured).

        Raises:
            RuleError: the pattern's regex does not compile (only a packaged
                rule file edited after its check: packs compile when loaded).
        """
        rx = self.regexes[ri]
        if rx is None:
            rule = self.rule
            try:
                rx = self.regexes[ri] = compile_pattern(rule.patterns[ri], rule.subject, rule.object, self.lexicons)
            except PatternError as err:
                raise RuleError([f"relations.yaml:{rule.line}: {rule.id}: {err}"]) from err
        return rx


def compile_rules(rs: RuleSet) -> tuple[Compiled, ...]:
    """The rules of ``rs``, with the words each pattern cannot do without; each
    pattern's regex is compiled when first needed (:meth:`Compiled.regex`)."""
    out = []
    for rule in rs.rules:
        c = Compiled(rule, subjects=frozenset(rule.subject), objects=frozenset(rule.object),
                     verbs=frozenset(v.lower() for v in rule.dependency["verbs"]) if rule.dependency else frozenset(),
                     nouns=noun_phrases(tuple(rule.nominal["nouns"]), rs.lexicons) if rule.nominal else (),
                     lexicons=rs.lexicons)
        for pat in rule.patterns:
            c.regexes.append(None)
            c.needs.append(required_words(pat, rs.lexicons))
        c.noun_index = noun_index(c.nouns)
        out.append(c)
    return tuple(out)



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
    # the document, the sentence's bounds and each token's text read once: a Span's
    # bounds, doc[i] and tok.text are each made anew on every access
    doc, first, end = sent.doc, sent.start, sent.end
    toks: list[tuple[int, int]] = [(first, first)]
    mention_of: dict[int, M] = {}
    i = first
    # skip bullets and transcript markers at the start of a line
    while i < end and (doc[i].is_space or doc[i].text in ("-", "•", "*", "–", "—", '"', "“")):
        i += 1
    if i + 1 < end and doc[i].text in ("Q", "A") and doc[i + 1].text == ":":
        i += 2
    n = 0
    while i < end:
        if i in by_start:
            m = by_start[i]
            if m.rule == "coref_description_v1" and i + 1 < end and doc[i + 1].lower_ == "of":
                # "the developer of the Pi chatbot": keep the head word, "developer §Company#1 of ..."
                syms.append(doc[i].text.lower())
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
        tok = doc[i]
        text = tok.text
        if text in ("'", "\u2019") and syms and syms[-1].startswith(MARK):
            syms.append("'s")  # "Zorblax Labs' backers"
            toks.append((i, i + 1))
            i += 1
            continue
        if not tok.is_space:
            w = text.translate(_NORM_TOKEN).lower().replace(" ", "")
            if text == "May" and (i > first or (i + 1 < end and _MONTH_MAY.match(doc[i + 1].text))):
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


def _slot_mentions(sym: Symbols, start: int, end: int) -> list[M]:
    a = bisect_right(sym.offsets, start) - 1
    b = bisect_right(sym.offsets, end - 1)
    return [sym.mention_of[k] for k in range(a, b) if k in sym.mention_of]


def _symbol_range(sym: Symbols, start: int, end: int) -> tuple[int, int]:
    return bisect_right(sym.offsets, start) - 1, bisect_right(sym.offsets, max(start, end - 1))


PatternIndex = tuple[tuple[tuple[int, int], ...], dict[str, tuple[tuple[int, int], ...]]]


def pattern_index(rules: tuple[Compiled, ...]) -> PatternIndex:
    """The patterns of ``rules`` as ``(rule, pattern)`` index pairs: those that
    need no word, and, by word, those whose rarest need set holds it. A
    sentence's candidates are the first and those of its words: 238 patterns
    checked per sentence became a few dozen.

    A need set is rarer the fewer the need sets of all the rules that hold
    its words (then the smaller): a pattern filed under "," or "'s" (in
    dozens of need sets, and in most sentences) came up in almost every
    sentence. Measured on the 70 benchmark articles: 146,080 candidates
    checked became 94,130 (the same that match: every need set is still
    checked)."""
    uses = Counter(w for comp in rules for needs in comp.needs for need in needs for w in need)
    always: list[tuple[int, int]] = []
    by_word: dict[str, list[tuple[int, int]]] = {}
    for ci, comp in enumerate(rules):
        for ri, needs in enumerate(comp.needs):
            if not needs:
                always.append((ci, ri))
                continue
            for w in min(needs, key=lambda need: (sum(uses[word] for word in need), len(need))):
                by_word.setdefault(w, []).append((ci, ri))
    return tuple(always), {w: tuple(v) for w, v in by_word.items()}


#: A coordinated list of more names than this ("Zed1, Zed2, ... and Zed5000") is
#: long: matches start only at its first symbols and its last :data:`LIST_TAIL`.
#: Every pattern is tried at every symbol, and a pattern that opens with a list
#: slot (``{S+} ~4 @invest ...``) matches from each name of a list to its end:
#: n(n+1)/2 readings of n names, each regex scan as long as the list (issue 17,
#: measured: 2,000 names, 4 million readings, 240 s and 3 GB). From the first
#: name the match holds them all; the tail keeps the matches that start at a
#: name just before their verb (``{S} ~~20 ...``). No real sentence has such a
#: list, so their readings are unchanged. With this bound and the pair budget
#: (:class:`~graph.extract.mentions.Budget`), ``tests/bench/bench_scaling.py``
#: (blank pipeline, wall clock on a shared 2-core machine): 1,000 names 0.25 s
#: and 148 MB peak (was 34.8 s, 827 MB), 2,000 names 0.8 s, 153 MB (was 99.6 s,
#: 2,875 MB), 5,000 names 2.5 s, 168 MB, 10,000 names 5.5 s, 192 MB; trained
#: pipeline 1.6 s, 2.9 s, 8.7 s, 19.7 s and 240 to 697 MB.
LONG_LIST = 50
#: symbols at the end of a long list where matches may still start: the widest
#: gap of a pattern (``~~40``) and a possessive item.
LIST_TAIL = 48
#: symbols that continue a list between its names
_LIST_WORDS = frozenset({",", "and", "or", "&", "plus", "the", "its", "'s"})


def match_starts(sym: Symbols) -> tuple[list[int] | None, int]:
    """The symbols where matches may start (None: all), and the length of the longest long list.

    Examples:
        >>> names = " , ".join(f"§Company#{i}" for i in range(60))  # symbols 1-119
        >>> starts, longest = match_starts(Symbols("", [], [], {}, f"^ {names} invested".split()))
        >>> longest, starts[:5], len(starts)  # not from 4 to 71: 72 + 48 = 120, "invested"
        (60, [0, 1, 2, 3, 72], 53)
    """
    words = sym.words
    longest = 0
    skip = [False] * len(words)
    k = 0
    while k < len(words):
        if not words[k].startswith(MARK):
            k += 1
            continue
        start, names = k, 0
        while k < len(words) and (words[k].startswith(MARK) or words[k] in _LIST_WORDS):
            names += words[k].startswith(MARK)
            k += 1
        if names > LONG_LIST:
            longest = max(longest, names)
            for i in range(start + 3, k - LIST_TAIL):
                skip[i] = True
    if not longest:
        return None, 0
    return [i for i, out in enumerate(skip) if not out], longest


def _matches(rx: re.Pattern[str], sym: Symbols, starts: list[int] | None) -> Iterator[re.Match[str]]:
    """The matches of an anchored pattern regex, at every symbol or at ``starts``."""
    if starts is None:
        yield from rx.finditer(sym.string)
        return
    for k in starts:
        m = rx.match(sym.string, sym.offsets[k])
        if m is not None:
            yield m


def match_sentence(sent: Span, mentions: list[M], rules: tuple[Compiled, ...],
                   quantities: list[Quantity], topic: M | None = None, *, index: PatternIndex, scope: Scope,
                   budget: Budget | None = None) -> tuple[list[Found], list[tuple[str, str, str, str]]]:
    """Run every rule over one sentence; return kept matches and blocked ones.

    ``index`` is :func:`pattern_index` of ``rules``, made once per pipeline;
    ``scope`` decides which matches are negated, hedged or former; ``budget``
    bounds the pairs weighed (:data:`~graph.extract.mentions.MAX_PAIRS`) and,
    in a sentence with a long list (:data:`LONG_LIST`), is set to keep each
    reading once."""
    sym = symbolize(sent, mentions, topic)
    budget = budget if budget is not None else Budget()
    starts, longest = match_starts(sym)
    if starts is not None:
        budget.long_list = max(budget.long_list, longest)
        if budget.seen is None:
            budget.seen = set()
    found: list[Found] = []
    blocked: list[tuple[str, str, str, str]] = []
    question = sent.text.rstrip().endswith("?")
    # every slot is a mention of the rule's classes: skip rules whose subject
    # or object class the sentence lacks (their patterns cannot match both)
    present = {m.type for m in sym.mention_of.values()}
    words = set(sym.words)
    always, by_word = index
    candidates = set(always)  # (rule, pattern) pairs, in rule order once sorted
    for w in by_word.keys() & words:  # a sentence's few indexed words, not a lookup per word
        candidates.update(by_word[w])
    for ci, ri in sorted(candidates):
        comp = rules[ci]
        if present.isdisjoint(comp.subjects) or present.isdisjoint(comp.objects):
            continue
        missing = False  # a loop, not any() over a generator: 75,000 checks in a 70-article build
        for need in comp.needs[ri]:
            if words.isdisjoint(need):
                missing = True  # a word the pattern cannot do without is missing
                break
        if missing:
            continue
        rule = comp.rule
        for m in _matches(comp.regex(ri), sym, starts):
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
            # a question asks about its verb, not about a possessive inside it: "Will Acme's H9
            # ship?" still says Acme makes the H9 (rules with ``in_questions: true``)
            cue = "question" if question and not rule.in_questions else scope.blocked_by(sym.words, a, b, rule.ignore_cues, rule.scope, slot_idx)
            for sm in subs:
                for om in objs:
                    if sm.key == om.key:
                        continue
                    if not budget.spend():
                        return found, blocked
                    if cue:
                        reason = f"{rule.id}: {cue}"
                        if budget.first((sm.text, rule.predicate, om.text, reason)):
                            blocked.append((sm.text, rule.predicate, om.text, reason))
                        continue
                    quals = _qualifiers(rule.predicate, sym, a, b, om, quantities)
                    if rule.scope == "phrase":
                        quals.pop("date", None)
                    if not budget.first(("surface", id(sm), rule.id, id(om), tuple(sorted(quals.items())))):
                        continue
                    for pred in (rule.predicate, *rule.also):
                        found.append(Found(sm, pred, om, rule.id, rule.confidence, sent, dict(quals),
                                           dated=rule.scope == "clause"))
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
