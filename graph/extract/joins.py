"""Names the tokenizer or the NER split or joined wrongly, put right (the ``kg_recognizer`` passes).

Spans are ``[start, end, class, rule, kb_id]`` lists, as :mod:`graph.extract.recognize` keeps them.
"""

from __future__ import annotations

from spacy.tokens import Doc

from graph.extract.context import CueSets, thing_after

#: Place classes: "Milan" after "AC Milan" is still the city where the text says so.
_PLACES = frozenset({"Place", "City", "Country"})
#: Organisation classes: a title the span took in is not part of the name ("CEO of Acme Robotics").
ORG_TYPES = frozenset({"Company", "Organization", "GovernmentBody"})


def after_person(cues: CueSets, doc: Doc, s: int, e: int) -> int:
    """Where an organisation starts after a person joined to it: "Tom Baker and Redco Capital"
    (a common given name first, or two capitalised words before "and" and a company suffix last)."""
    if doc[s].text not in cues.given_names:
        if e - s >= 5 and doc[s + 2].lower_ == "and" and doc[s].is_title and doc[s + 1].is_title \
                and doc[e - 1].text in cues.suffixes:
            return s + 3
        return s
    for k in range(s + 1, min(s + 4, e - 1)):
        if doc[k].lower_ == "and":
            return k + 1
    return s


def core_trim(doc: Doc, start: int, end: int) -> int:
    """The end of a name without a "CPU"/"GPU" that describes the cores after it
    ("Oryon CPU cores": the cores are Oryon)."""
    if end > start + 1 and end < len(doc) and doc[end - 1].text in ("CPU", "GPU") \
            and doc[end].lower_ in ("core", "cores"):
        return end - 1
    return end


def hyphen_names(cues: CueSets, doc: Doc, typed: list[list]) -> list[list]:
    """Join names split at a hyphen: "Air France-KLM", "Ingrid Solberg-Dahl".

    The tokenizer splits at the hyphen, and the gazetteer took "France" for
    the country: the merged group was lost (measured: a competitor in the
    development texts). A company span right after "-" with no space on
    either side takes in the span before it and the name words before that.
    """
    starts = {t[0]: t for t in typed}
    dropped: set[int] = set()
    for t in typed:  # "Ingrid Solberg-Dahl": the NER's person ends at the hyphen
        e = t[1]
        if t[2] == "Person" and e + 1 < len(doc) and doc[e].text == "-" and not doc[e - 1].whitespace_ \
                and not doc[e].whitespace_ and doc[e + 1].is_title and doc[e + 1].is_alpha:
            nxt = starts.get(e + 1)
            if nxt is not None:
                dropped.add(id(nxt))
            t[1] = nxt[1] if nxt is not None and nxt[1] > e + 2 and nxt[2] == "Person" else e + 2
    typed = [t for t in typed if id(t) not in dropped]
    ends = {t[1]: t for t in typed}
    for t in typed:
        s = t[0]
        if t[2] not in ORG_TYPES or s < 2 or doc[s - 1].text != "-" or doc[s - 1].whitespace_ \
                or doc[s - 2].whitespace_:
            continue
        before = ends.get(s - 1)
        if before is None or id(before) in dropped or before[2] == "Person":
            continue
        start = before[0]
        while start > 0 and before[0] - start < 2 and doc[start - 1].is_title \
                and doc[start - 1].text not in cues.not_names and start not in ends \
                and not doc[start - 1].is_sent_start:
            start -= 1
        dropped.add(id(before))
        t[0], t[2], t[4] = start, "Company", ""
    return [t for t in typed if id(t) not in dropped]


def brands(cues: CueSets, doc: Doc, typed: list[list]) -> list[list]:
    """A name the NER called a person or a place is a product where a kind noun follows it
    (:func:`~graph.extract.context.thing_after`), and so are its other such mentions; so is
    a name it called a company, owned or definite ("its Verra detergent", "the Verra detergent") and followed by a goods noun.
    A company name before a goods noun with no owner ("Embraer jets") stays the maker."""
    brands: dict[str, str] = {}
    owned = ("its", "their", "his", "her", "our", "the", "'s", "\u2019s")
    for t in typed:
        if t[4] or not t[3].startswith("ner_"):
            continue
        if t[2] in ("Person", "City", "Place"):
            cls = thing_after(cues, doc, t[1], generic=t[2] == "Person")
        elif t[2] == "Company" and t[0] > 0 and (doc[t[0] - 1].lower_ in owned or t[0] > 1 and doc[
                t[0] - 1].lower_ in ("and", "or", ",") and doc[t[0] - 2].lower_ in cues.goods_nouns):
            cls = thing_after(cues, doc, t[1], generic=False)  # "its Verra detergent and Kilo crisps"
        else:
            continue
        if cls is not None:
            brands.setdefault(doc[t[0]:t[1]].text, (cls, t[3]))
    for t in typed:
        cls, rule = brands.get(doc[t[0]:t[1]].text, (None, None))
        if cls is not None and not t[4] and t[3] == rule and t[2] in ("Person", "City", "Place", "Company"):
            t[2] = cls  # a mention the NER labelled alike: the same brand
    return typed


def prefixed_short_forms(cues: CueSets, doc: Doc, typed: list[list]) -> list[list]:
    """"Olmedo" after "Grupo Olmedo": the name without its type word is the company, also
    where the gazetteer knows the word as a product or model's name."""
    rest: dict[str, str] = {}
    for s, e, etype, _rule, _kb in typed:
        if etype == "Company" and e - s >= 2 and doc[s].text in cues.company_prefixes:
            rest[doc[s + 1:e].text] = etype
    if not rest:
        return typed
    for t in typed:
        if doc[t[0]:t[1]].text in rest and t[2] not in ORG_TYPES and t[2] not in _PLACES:
            t[2], t[3], t[4] = rest[doc[t[0]:t[1]].text], "pattern_short_form_v1", ""
    return typed


def quoted_code_names(doc: Doc, typed: list[list]) -> list[list]:
    """A product's code name in quotes after it is part of its name: 'EPYC "Turin"'.

    The gazetteer took the quoted word for a city; a chip, model or product
    name takes in a quoted capitalised word right after it, and the mention
    inside the quotes is dropped.
    """
    dropped: set[int] = set()
    for t in typed:
        e = t[1]
        if id(t) in dropped or t[2] not in ("Product", "Chip", "AIModel") or e + 2 >= len(doc) or doc[e].text not in ('"', "\u201c"):
            continue
        k = e + 1
        while k < len(doc) and k - e <= 3 and doc[k].is_title:
            k += 1
        if k > e + 1 and k < len(doc) and doc[k].text in ('"', "\u201d"):
            # every mention inside the quotes goes ('EPYC "Grand Paris"': two words, two spans)
            dropped.update(id(x) for x in typed if x is not t and e < x[0] <= k)
            t[1], t[4] = k + 1, ""
    return [t for t in typed if id(t) not in dropped]
