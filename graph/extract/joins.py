"""Names the tokenizer or the NER split or joined wrongly, put right (the ``kg_recognizer`` passes).

Spans are ``[start, end, class, rule, kb_id]`` lists, as :mod:`graph.extract.recognize` keeps them.
"""

from __future__ import annotations

import re
from collections import Counter

from spacy.tokens import Doc

from graph.extract.context import CueSets, is_name_token, thing_after

#: Place classes: "Milan" after "AC Milan" is still the city where the text says so.
_PLACES = frozenset({"Place", "City", "Country"})
#: Organisation classes: a title the span took in is not part of the name ("CEO of Acme Robotics").
ORG_TYPES = frozenset({"Company", "Organization", "GovernmentBody"})
#: Classes whose names carry model codes ("Airbus A350-1000", "GB300 NVL72").
_PRODUCT_TYPES = frozenset({"Product", "Chip", "AIModel"})
#: A model code: a word with a digit ("200V", "NVL72", "X1", "XWB-97"), not a year or a plain number.
_CODE = re.compile(r"(?=[A-Za-z0-9-]*\d)(?=[A-Za-z0-9-]*[A-Za-z])[A-Za-z0-9]{2,8}(?:-[A-Za-z0-9]{1,6})?")


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


def trim_start(cues: CueSets, doc: Doc, start: int, end: int) -> int:
    """Skip leading words that are not part of a name (sentence-initial nouns, "of")."""
    while start < end and (
        doc[start].text in cues.not_names
        or doc[start].lower_ in ("of", "and", "&")
        or (doc[start].is_sent_start and start + 1 < end
            and (doc[start + 1].lower_ in ("of", "and") or doc[start].pos_ in ("NOUN", "VERB", "ADJ", "ADV", "DET", "ADP", "AUX")))
    ):
        start += 1
    return start


#: Titles of office, not of a company's staff: "Secretary of State", "Minister of Finance" name an office.
_OFFICE_TITLES = frozenset({"chancellor", "governor", "mayor", "minister", "premier", "prime minister",
                            "representative", "secretary", "senator", "commissioner", "general", "official"})


def title_start(cues: CueSets, doc: Doc, start: int, end: int) -> int:
    """Where an organisation's name starts after a title the NER took in ("CEO of Acme Robotics").

    In "Jane Roe, co-founder and CEO of Acme Robotics" the NER's organisation
    span was "CEO of Acme Robotics", a company of its own. A span that starts
    with a staff title and "of", "at" or "for" starts after that word; titles of
    office ("Secretary of State") are left alone.
    """
    for k in range(start + 1, min(start + 5, end - 1)):
        if doc[k].lower_ in ("of", "at", "for"):
            title = " ".join(t.lower_ for t in doc[start:k])
            if title in cues.titles and title not in _OFFICE_TITLES and is_name_token(doc[k + 1]):
                return k + 1
            break
    return start


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
    for t in typed:  # "Orbis-V": a product or model named by a word and a letter or code after a hyphen
        s = t[0]
        if t[2] in ("Product", "AIModel", "Chip") and s >= 2 and doc[s - 1].text == "-" \
                and not doc[s - 1].whitespace_ and not doc[s - 2].whitespace_ and doc[s - 2].text[:1].isupper() \
                and doc[s - 2].is_alpha and s - 1 not in ends and not t[4]:
            t[0] = s - 2
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


def bracket_acronyms(doc: Doc, typed: list[list]) -> list[list]:
    """An acronym in brackets right after a name takes the name's class: "the Quill Engine
    (QE), a chip for inference" (the NER called QE an organisation; the context made the
    name a chip, and the two must meet as one entity)."""
    ends = {t[1]: t for t in typed}
    for t in typed:
        s = t[0]
        if t[1] - s != 1 or t[4] or not t[3].startswith("ner_") or s < 2 or doc[s - 1].text != "(" \
                or t[1] >= len(doc) or doc[t[1]].text != ")" or not doc[s].text.isupper():
            continue
        name = ends.get(s - 1)
        if name is not None and name[2] != t[2] and "".join(w.text[0] for w in doc[name[0]:name[1]]).upper() \
                == doc[s].text:
            t[2] = name[2]
    return typed


def glue_codes(cues: CueSets, doc: Doc, typed: list[list]) -> list[list]:
    """Keep a product's model code whole: "Airbus A350-1000", "GB300 NVL72", "Core Ultra 200V".

    The tokenizer and the recognizers cut such names at a hyphen or a space,
    and a bare number ("787-10") names nothing without its maker. A
    product, chip or model name takes in a following code (a word with a
    digit, or "-" and a number glued to it) and the product or chip span
    that starts there; a name that starts with a digit takes in the company
    right before it ("Boeing 787-10").
    """
    nouns = cues.thing_nouns
    by_start = {t[0]: t for t in typed}
    orgs_by_end = {t[1]: t for t in typed if t[2] in ("Company", "Organization")}
    dropped: set[int] = set()
    # "its TerraEdge ZX4410 servers": a brand the NER called an organisation, with a code and a
    # kind noun after it, is the first word of the product's name (unless named alone elsewhere)
    alone = Counter(doc[t[0]:t[1]].text for t in typed if t[2] in ("Company", "Organization"))
    glued = []
    for end, org in orgs_by_end.items():
        code = by_start.get(end)
        if code is not None and not org[4] and org[3].startswith("ner_") and code[2] in _PRODUCT_TYPES \
                and re.search(r"\d", doc[code[0]:code[1]].text) and code[1] < len(doc) \
                and doc[code[1]].lower_ in nouns:
            alone[doc[org[0]:org[1]].text] -= 1
            glued.append((org, code))
    for org, code in glued:
        if alone[doc[org[0]:org[1]].text] == 0:
            dropped.add(id(org))
            code[0], code[3], code[4] = org[0], "pattern_brand_product_v1", ""  # its own entity now
    typed = [t for t in typed if id(t) not in dropped]
    by_start = {t[0]: t for t in typed}
    orgs_by_end = {t[1]: t for t in typed if t[2] in ("Company", "Organization")}
    for t in typed:
        if t[2] not in _PRODUCT_TYPES or id(t) in dropped:
            continue
        e = t[1]
        while e < len(doc) and e - t[0] < 8:
            tok = doc[e]
            if tok.text == "-" and not doc[e - 1].whitespace_ and e + 1 < len(doc) and not tok.whitespace_ \
                    and doc[e + 1].text[:1].isdigit():
                e += 2  # "A350-1000"
            elif e in by_start and by_start[e][2] in _PRODUCT_TYPES:
                nxt = by_start[e]  # "GB300" + "NVL72"
                if not re.search(r"\d", doc[nxt[0]:nxt[1]].text):
                    break
                dropped.add(id(nxt))
                e = nxt[1]
            elif e not in by_start and _CODE.fullmatch(tok.text) and tok.lower_ not in nouns:
                e += 1  # "Core Ultra" + "200V"
            else:
                break
        if e > t[1]:
            t[1], t[4] = e, ""  # a longer name than the gazetteer's: its own entity
        if doc[t[0]].text[:1].isdigit() and t[0] > 0:
            before = orgs_by_end.get(t[0])
            if before is not None and not t[4]:
                dropped.add(id(before))  # "Boeing 787-10"
                t[0] = before[0]
    return [t for t in typed if id(t) not in dropped]
