"""The gazetteer: known names, matched before the statistical NER so that they win.

Every name of every entry of ``gazetteer.jsonl`` (packaged and packs)
becomes a phrase pattern labelled with the entry's class and id
(:func:`gazetteer_patterns`). :class:`GazetteerRuler` matches them with
spaCy's public :class:`~spacy.matcher.PhraseMatcher` — by exact words, and
by lower-case words for the classes whose names match in any letter case —
and sets them as entities the way spaCy's ``EntityRuler`` does (the longest
match wins, then the earliest), which a test checks on both pipelines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from graph.extract.rules import GazetteerEntry, Rules, load_rules
from graph.extract.tokens_cache import split_all
from graph.model import ENTITY_TYPES, subclasses

#: Classes whose gazetteer names match case-insensitively.
CASELESS_TYPES = {"Technology", "Approach"}

_ORG = subclasses("Organization")

#: The NER label under which the gazetteer's entities pass a trained NER (see :class:`GazetteerRuler`).
NER_LABEL = "ORG"


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


def gazetteer_patterns(entries: Iterable[GazetteerEntry], nlp: Language) -> list[dict[str, Any]]:
    """Turn gazetteer entries into patterns (label = class, id = slug), in the EntityRuler's format.

    Technology and Approach names match in any letter case (a token pattern
    of ``LOWER`` words); the others by their words (a string). Chips and
    products also match their plural ("H100s"). A product alias that starts
    with a company name ("Nvidia H100") is left out, so that the company and
    the product are found as two mentions and the brand relation is kept.
    """
    entries = list(entries)
    orgs = {n for e in entries if e.type in ("Company", "Organization") for n in e.names}
    patterns: list[dict[str, Any]] = []
    for e in entries:
        for name in e.names:
            first = name.split(" ", 1)[0]
            if (e.type not in _ORG and " " in name
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


class GazetteerRuler:
    """Sets the gazetteer's names as entities (the ``kg_gazetteer_ruler`` component).

    Patterns are those of :func:`gazetteer_patterns`: a string is matched by
    its words (a ``PhraseMatcher`` on ``ORTH``, the pattern made by the
    tokenizer alone), a list of ``{"LOWER": word}`` by lower-case words (a
    ``PhraseMatcher`` on ``LOWER``: a token ``Matcher`` would try every such
    pattern at every token, 7 ms of an article's 8). Each match is keyed
    ``"<label>||<id>"`` in the vocabulary's strings, as spaCy's
    ``EntityRuler`` keys them, so that ties between equally long matches
    fall the same way. Existing entities are kept unless ``overwrite_ents``.

    With ``ner_label`` (a label the pipeline's NER knows, e.g. ``"ORG"``) the
    entities are set under that label, their class kept as the span's
    ``kb_id``, and :func:`restore_labels` puts the classes back after the
    NER: a preset entity whose label the NER does not know makes spaCy add
    that label's moves to the NER and widen its output layer (ours are a
    dozen classes: the NER then took 35% longer), while a known label is
    only a constraint, which the NER treats alike whatever the label.
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer", *, overwrite_ents: bool = False,
                 ner_label: str | None = None) -> None:
        self.nlp = nlp
        self.name = name
        self.overwrite = overwrite_ents
        self.ner_label = ner_label
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._ents: dict[int, tuple[str, str]] = {}  # match key -> (label, id)
        self._patterns: list[dict[str, Any]] = []
        #: the hash of the rule files the patterns come from (part of the pipeline signature)
        self.digest = ""

    def add_patterns(self, patterns: Iterable[dict[str, Any]], *, cached: bool = False) -> None:
        """Add patterns ``{"label", "pattern", "id"}`` (see the class docstring).

        With ``cached``, the tokenizer's split of the string patterns comes
        from the per-user cache when it holds them (:mod:`graph.extract.tokens_cache`).

        Raises:
            ValueError: a pattern is neither a string nor a list of ``{"LOWER": word}``.
        """
        patterns = list(patterns)
        splits: dict[str, tuple[list[str], list[bool]]] = {}
        if cached:
            texts = list(dict.fromkeys(p["pattern"] for p in patterns if isinstance(p["pattern"], str)))
            splits = dict(zip(texts, split_all(self.nlp, texts), strict=True))
        # a run of patterns of one key for one matcher (a name's variants: "H100", "H100s")
        # is added in one call: 9,930 calls of one pattern each were 0.21 s, 3,450 calls 0.06 s
        # (measured; the matchers get the same patterns in the same order)
        run: tuple[PhraseMatcher | None, str, list[Doc]] = (None, "", [])
        for entry in patterns:
            label, pattern, eid = entry["label"], entry["pattern"], entry.get("id", "")
            key = f"{label}||{eid}" if eid else label
            self._ents[self.nlp.vocab.strings.add(key)] = (label, eid)
            if isinstance(pattern, str):
                split = splits.get(pattern)
                # the words alone: a PhraseMatcher on ORTH reads nothing else, and a Doc
                # given its spaces as well took 60% longer to make (10,000 of them: 0.16 s
                # against 0.10 s, measured)
                matcher = self.exact
                doc = self.nlp.make_doc(pattern) if split is None else Doc(self.nlp.vocab, words=split[0])
            elif isinstance(pattern, list) and pattern and all(set(t) == {"LOWER"} for t in pattern):
                matcher = self.caseless
                doc = Doc(self.nlp.vocab, words=[t["LOWER"] for t in pattern])
            else:
                _add_run(*run)
                raise ValueError(f"gazetteer pattern {pattern!r}: expected a string or a list of {{'LOWER': word}}")
            if run[0] is matcher and run[1] == key:
                run[2].append(doc)
            else:
                _add_run(*run)
                run = (matcher, key, [doc])
            self._patterns.append(dict(entry))
        _add_run(*run)

    def __len__(self) -> int:
        return len(self._patterns)

    @property
    def patterns(self) -> list[dict[str, Any]]:
        """The patterns added, as given."""
        return list(self._patterns)

    @property
    def labels(self) -> tuple[str, ...]:
        """The classes of the patterns, sorted."""
        return tuple(sorted({label for label, _id in self._ents.values()}))

    def match(self, doc: Doc) -> list[tuple[int, int, int]]:
        """Every match, longest first, then earliest."""
        matches = list(self.caseless(doc)) + list(self.exact(doc))
        final = {(m_id, start, end) for m_id, start, end in matches if start != end}
        return sorted(final, key=lambda m: (m[2] - m[1], -m[1]), reverse=True)

    def __call__(self, doc: Doc) -> Doc:
        entities = list(doc.ents)
        new: list[Span] = []
        seen: set[int] = set()
        for match_id, start, end in self.match(doc):
            if not self.overwrite and any(t.ent_type for t in doc[start:end]):
                continue
            if start in seen or end - 1 in seen:
                continue
            label, eid = self._ents[match_id]
            if self.ner_label:
                new.append(Span(doc, start, end, label=self.ner_label, kb_id=label, span_id=eid))
            else:
                new.append(Span(doc, start, end, label=label, span_id=eid))
            entities = [e for e in entities if not (e.start < end and e.end > start)]
            seen.update(range(start, end))
        doc.ents = entities + new
        return doc


def _add_run(matcher: PhraseMatcher | None, key: str, docs: list[Doc]) -> None:
    if matcher is not None:
        matcher.add(key, docs)


def restore_labels(doc: Doc, ner_label: str) -> None:
    """Give the entities a :class:`GazetteerRuler` set under ``ner_label`` their class back.

    They are those labelled ``ner_label`` whose ``kb_id`` is an ontology class
    and that carry the gazetteer's id; the NER keeps preset entities as they
    are (their ids included). Other entities are left as they are.

    Examples:
        >>> import spacy
        >>> nlp = spacy.blank("en")
        >>> doc = nlp.make_doc("Nvidia makes the H100")
        >>> doc.ents = [Span(doc, 0, 1, label="ORG", kb_id="Company", span_id="nvidia")]
        >>> restore_labels(doc, "ORG")
        >>> [(e.text, e.label_, e.id_, e.kb_id_) for e in doc.ents]
        [('Nvidia', 'Company', 'nvidia', '')]
    """
    ents = list(doc.ents)
    if not any(e.label_ == ner_label and e.kb_id_ in ENTITY_TYPES and e.id_ for e in ents):
        return
    for k, e in enumerate(ents):
        if e.label_ == ner_label and e.kb_id_ in ENTITY_TYPES and e.id_:
            ents[k] = Span(doc, e.start, e.end, label=e.kb_id_, span_id=e.id_)
            for tok in e:
                tok.ent_kb_id_ = ""
    doc.ents = ents


@Language.factory("kg_gazetteer_ruler", default_config={"packs": [], "overwrite_ents": False, "ner_label": None})
def make_gazetteer_ruler(nlp: Language, name: str, packs: list[str], overwrite_ents: bool,
                         ner_label: str | None) -> GazetteerRuler:
    """Factory of the ``kg_gazetteer_ruler`` component: the packaged gazetteer and that of ``packs``."""
    rules: Rules = load_rules(packs)
    ruler = GazetteerRuler(nlp, name, overwrite_ents=overwrite_ents, ner_label=ner_label)
    ruler.add_patterns(gazetteer_patterns(rules.gazetteer, nlp), cached=True)
    ruler.digest = rules.digest
    return ruler
