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
from graph.model import subclasses

#: Classes whose gazetteer names match case-insensitively.
CASELESS_TYPES = {"Technology", "Approach"}

_ORG = subclasses("Organization")


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
    """

    def __init__(self, nlp: Language, name: str = "kg_gazetteer", *, overwrite_ents: bool = False) -> None:
        self.nlp = nlp
        self.name = name
        self.overwrite = overwrite_ents
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.caseless = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._ents: dict[int, tuple[str, str]] = {}  # match key -> (label, id)
        self._patterns: list[dict[str, Any]] = []
        #: the hash of the rule files the patterns come from (part of the pipeline signature)
        self.digest = ""

    def add_patterns(self, patterns: Iterable[dict[str, Any]]) -> None:
        """Add patterns ``{"label", "pattern", "id"}`` (see the class docstring).

        Raises:
            ValueError: a pattern is neither a string nor a list of ``{"LOWER": word}``.
        """
        for entry in patterns:
            label, pattern, eid = entry["label"], entry["pattern"], entry.get("id", "")
            key = f"{label}||{eid}" if eid else label
            self._ents[self.nlp.vocab.strings.add(key)] = (label, eid)
            if isinstance(pattern, str):
                self.exact.add(key, [self.nlp.make_doc(pattern)])
            elif isinstance(pattern, list) and pattern and all(set(t) == {"LOWER"} for t in pattern):
                self.caseless.add(key, [Doc(self.nlp.vocab, words=[t["LOWER"] for t in pattern])])
            else:
                raise ValueError(f"gazetteer pattern {pattern!r}: expected a string or a list of {{'LOWER': word}}")
            self._patterns.append(dict(entry))

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
            new.append(Span(doc, start, end, label=label, span_id=eid))
            entities = [e for e in entities if not (e.start < end and e.end > start)]
            seen.update(range(start, end))
        doc.ents = entities + new
        return doc


@Language.factory("kg_gazetteer_ruler", default_config={"packs": [], "overwrite_ents": False})
def make_gazetteer_ruler(nlp: Language, name: str, packs: list[str], overwrite_ents: bool) -> GazetteerRuler:
    """Factory of the ``kg_gazetteer_ruler`` component: the packaged gazetteer and that of ``packs``."""
    rules: Rules = load_rules(packs)
    ruler = GazetteerRuler(nlp, name, overwrite_ents=overwrite_ents)
    ruler.add_patterns(gazetteer_patterns(rules.gazetteer, nlp))
    ruler.digest = rules.digest
    return ruler
