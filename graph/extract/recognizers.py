"""Pattern recognizers: names the gazetteer does not know, found by their form and neighbours.

Legal suffixes and organisation head words ("Acme Holdings Corp.", "...
Ministry"), product families with versions ("Llama 7", from
``families.yaml``), chip codes beside a chip noun ("X900 GPUs"), "Project X",
people after titles ("chief executive Jane Roe") or before roles ("Jane Roe
as chief financial officer"), products named after their maker ("Acme
Cloud"), a town before its state ("Taylor, Texas"), the object of an
acquisition, versioned product names ("Tomahawk 5"). Each candidate carries
the rule that found it; :mod:`graph.extract.recognize` chooses among them.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from graph.extract.context import (
    CueSets,
    appositive_after,
    context_type,
    is_name_token,
    made_thing,
    org_by_role,
    settled_type,
)
from graph.extract.joins import core_trim, trim_start
from graph.model import subclasses

#: The organisation classes: a gazetteer name of one of them keeps its own name after a type word.
ORG_LABELS = frozenset(subclasses("Organization"))


#: A product code: capitals and digits ("QX900", "MI450", "A350"), not a year, quarter or "5G".
MADE_CODE = re.compile(r"(?!(?:Q[1-4]|H[12]|FY\d*|G\d+|[1-9]G)$)(?=\w*\d)[A-Z][A-Za-z]*\d[\w-]*")


def pattern_spans(cues: CueSets, doc: Doc, toks: list[Token] | None = None,
                  text: str | None = None) -> list[tuple[int, int, str, str]]:
    """Return ``(start_tok, end_tok, class, rule)`` from the pattern recognizers
    (``toks`` and ``text``: ``list(doc)`` and ``doc.text``, if the caller has read them)."""
    found: list[tuple[int, int, str, str]] = []
    text = doc.text if text is None else text
    # per-token values read once: doc[i] makes a new Token on every access
    toks = list(doc) if toks is None else toks
    words = [t.text for t in toks]
    name = [bool(w) and (w[0].isupper() or len(w) > 1 and w[0].islower() and not w.islower()) for w in words]  # is_name_token
    lowers = [t.lower_ for t in toks]
    ent_ids = [t.ent_id_ for t in toks]
    # product families with versions
    for rx, etype, family in cues.family_rx:
        if family not in text:
            continue  # 65 regexes over the whole text were a third of this component
        for m in cues.family_regex(rx).finditer(text):
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
        # "the QX-1 optical interconnect chip": up to two lower-case modifiers before the kind noun
        mods = [t for t in toks[span.end : span.end + 3] if t.is_lower and t.is_alpha and t.pos_ not in ("VERB", "AUX")]
        if len(mods) >= 2 and span.end + len(mods) == mods[-1].i + 1 and mods[-1].lower_ in cues.chip_nouns \
                and mods[-1].lower_ not in ("series", "family", "parts", "design", "designs"):
            found.append((span.start, span.end, "Chip", "pattern_chip_code_v1"))
        elif nxt and (nxt[0] in cues.chip_nouns or nxt2 in cues.chip_nouns):
            found.append((span.start, span.end, "Chip", "pattern_chip_code_v1"))
        elif nxt and nxt[0] in cues.product_code_nouns:
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
                (words[j] in cues.name_joiners or lowers[j] in cues.name_particles and j > i)
                and j + 1 < n and name[j + 1]
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
        has_head = j - i >= 3 and words[j - 1] in cues.statute_heads  # "the Public Holdings Disclosure Reform Act": a law
        for k in range(j - 1, i, -1):
            if has_head:
                break
            head = words[k]
            if head in cues.company_prefixes and k + 1 < j and words[k + 1] not in cues.suffixes:
                continue  # "Vardena Madrid and FC Ostrava": "FC" opens the next name
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
                start = trim_start(cues, doc, i, k)
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
        start = trim_start(cues, doc, i, j)
        stop = core_trim(doc, start, j)
        if not has_head and start < stop and stop - start <= 4 and not (stop - start == 1 and cues.demonym(words[start])):
            # not "Chinese chip designers": a nationality
            ctx = context_type(cues, doc, start, stop, None)
            if ctx is not None:
                rule = "pattern_appositive_v1" if appositive_after(doc, stop) else "pattern_context_v1"
                found.append((start, stop, ctx, rule))
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
        # "founded by Jane Roe", and a header's "Founded: 2011, by Jane Roe"
        by = lowers[tok.i] == "by" and tok.i > 0 and (lowers[tok.i - 1] in cues.led_by_verbs or (
            tok.i > 3 and lowers[tok.i - 1] == "," and toks[tok.i - 2].like_num and words[tok.i - 3] == ":"
            and lowers[tok.i - 4] in cues.led_by_verbs))
        plural = lowers[tok.i] in cues.people_plurals
        if words[tok.i] in cues.honorifics or lowers[tok.i] in cues.titles or plural or by:
            if lowers[tok.i] in cues.titles and words[tok.i] not in cues.honorifics and tok.i > 0 and lowers[tok.i - 1] in ("a", "an"):
                continue
            if first < n and words[first] == ":":  # "CEO: Jane Roe" in a profile header
                first += 1
            k = first
            while k < n and k - first < 3 and toks[k].is_alpha and words[k][:1].isupper() and words[k] not in cues.not_names \
                    and lowers[k] not in cues.titles and lowers[k] not in cues.title_words \
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
            title_lines[sent.start] = title_case_line(sent)
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
    # a company type word that opens a name: "Grupo Olmedo", "Supermercados Valdés" (the
    # gazetteer's product or model named by the last word would take it otherwise); a
    # known organisation after it keeps its own name ("Groupe Renault")
    org_toks = {i for e in doc.ents if e.ent_id_ and e.label_ in ORG_LABELS for i in range(e.start, e.end)}
    for i in range(n - 1):
        if words[i] not in cues.company_prefixes or not name[i + 1] or i + 1 in org_toks \
                or words[i + 1].isupper() and len(words[i + 1]) > 1:
            continue  # "ACME SHARES FALL AS TOLLAM BIDS": a headline in capitals, not a name
        k = i + 1
        while k < n and k - i <= 3 and name[k] and words[k] not in cues.not_names and k not in org_toks \
                and words[k] not in cues.suffixes and lowers[k] not in cues.titles and words[k] not in cues.honorifics \
                and toks[k].ent_type_ != "PERSON":
            k += 1  # stops at a title or a person: "Editorial Director Jane Roe"
        if k > i + 1 and not any(j in org_toks for j in range(i + 1, k)):
            found.append((i, k, "Company", "pattern_company_prefix_v1"))
    found += _described(cues, toks, words, name, lowers, ent_ids)
    # the place after "based in" / "headquartered in" ("based in Lyon"), where no model found it
    for i in range(2, n):
        if lowers[i - 1] == "in" and lowers[i - 2] in ("based", "headquartered") and name[i] and not ent_ids[i] \
                and words[i] not in cues.not_names:
            k = i + 1
            while k < n and k - i < 3 and name[k] and not ent_ids[k] and words[k] not in cues.not_names:
                k += 1
            found.append((i, k, "City", "pattern_based_in_v1"))
    # a town before its state or country: "Taylor, Texas", "New Carlisle, Indiana"
    for e in doc.ents:
        if e.label_ in ("Place", "Country") and e.ent_id_ and e.start >= 2 and words[e.start - 1] == ",":
            k = e.start - 1
            j = k
            while j > 0 and k - j < 3 and name[j - 1] and not ent_ids[j - 1] \
                    and (words[j - 1] not in cues.not_names or words[j - 1] in cues.place_name_words):
                j -= 1
            if j < k:
                found.append((j, k, "City", "pattern_city_state_v1"))
    # a company's national arm: "chief executive of Orange Belgium", "Digi Belgium, a unit of …";
    # the gazetteer's country would take the name's last word, so the context must settle it
    for e in doc.ents:
        if e.label_ != "Country" or not e.ent_id_ or e.start < 1:
            continue
        j = e.start
        while j > 0 and e.start - j < 2 and name[j - 1] and toks[j - 1].is_alpha and not ent_ids[j - 1] \
                and words[j - 1] not in cues.not_names and words[j - 1] not in cues.place_name_words \
                and words[j - 1] not in cues.honorifics and lowers[j - 1] not in cues.months \
                and lowers[j - 1] not in cues.titles:
            j -= 1
        if j < e.start and (settled_type(cues, doc, j, e.end) == "Company"
                            or context_type(cues, doc, j, e.end, None) in ("Company", "Organization")):
            found.append((j, e.end, "Company", "pattern_national_arm_v1"))
    # a bare model code the parse shows to be made: "Quintel designs the QX900", "the QX900,
    # which is designed and built by Quintel" (no chip or model noun beside it to say so)
    for tok in toks:
        if not ent_ids[tok.i] and tok.pos_ in ("PROPN", "NOUN") and MADE_CODE.fullmatch(words[tok.i]):
            made = made_thing(cues, doc, tok.i, tok.i + 1)
            if made is not None and made != "Company":
                found.append((tok.i, tok.i + 1, made, "pattern_made_code_v1"))
    # a name the NER missed in a role only an organisation plays ("Brindlecomb holds a stake in …")
    # or a thing made plays ("Acme develops Zedify", "Zedbrowse is based on Chromium")
    if doc.has_annotation("DEP"):
        for tok in toks:
            if not name[tok.i]:
                continue  # read first: most tokens are no name (their parse need not be read)
            acronym = tok.pos_ == "NOUN" and tok.is_upper and 2 < len(words[tok.i]) < 7 and tok.is_alpha  # "KBRA"
            if tok.pos_ != "PROPN" and not acronym or tok.ent_type_ or not name[tok.i] or words[tok.i] in cues.not_names \
                    or lowers[tok.i] in cues.months or tok.dep_ == "compound":
                continue
            first = min((c.i for c in tok.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"
                         and not c.ent_type_), default=tok.i)
            if org_by_role(cues, doc, first, tok.i + 1):
                found.append((first, tok.i + 1, "Company", "pattern_org_role_v1"))
                continue
            made = made_thing(cues, doc, first, tok.i + 1)  # "Zedbrowse is based on Chromium"
            if made is not None:
                found.append((first, tok.i + 1, made, "pattern_made_name_v1"))
    # the object of an acquisition is an organisation: "bought MosaicML", "acquired Nuvia"
    for tok in toks[:-1]:
        if lowers[tok.i] in cues.acquire_verbs:
            nxt = toks[tok.i + 1]
            if nxt.is_alpha and nxt.text[:1].isupper() and nxt.text not in cues.not_names and not nxt.ent_id_:
                k = tok.i + 2
                while k < n and k - tok.i < 5 and name[k] and not ent_ids[k]:
                    k += 1
                found.append((tok.i + 1, k, "Company", "pattern_acquired_v1"))
    # versioned product names: "Tomahawk 5", "Gaudi 3" (typed by the noun after them)
    for tok in toks[:-1]:
        nxt = toks[tok.i + 1]
        if (words[tok.i][:1].isupper() and tok.is_alpha and not tok.is_upper and len(words[tok.i]) > 2
                and words[tok.i] not in cues.not_names and lowers[tok.i] not in cues.months
                and words[tok.i] not in cues.not_products and not tok.is_sent_start
                and re.fullmatch(r"\d{1,2}(?:\.\d)?[A-Za-z]?", nxt.text)):
            if lowers[tok.i - 1] == "to" and title_case_line(tok.sent):
                continue  # a headline's "… to Deploy 6 Gigawatts": a verb, capitalised as headlines do
            after = " ".join(t.lower_ for t in toks[tok.i + 2 : tok.i + 5])
            etype = "Product"
            if any(w in cues.chip_nouns for w in after.split()):
                etype = "Chip"
            elif any(w in ("model", "models", "llm") for w in after.split()):
                etype = "AIModel"
            found.append((tok.i, tok.i + 2, etype, "pattern_versioned_v1"))
    # people followed by a role: "Dario Blanco as chief financial officer"
    for tok in toks[:-3]:
        if not (words[tok.i][:1].isupper() and tok.is_alpha and words[tok.i] not in cues.not_names):
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


def title_case_line(sent: Span) -> bool:
    """Whether a line is a headline in title case ("Broadcom Completes Acquisition of VMware")."""
    if len(sent) > 40:
        return False  # a headline is short
    words = [t for t in sent if t.is_alpha and len(t.text) > 3]
    return len(words) >= 3 and sum(t.text[0].isupper() for t in words) / len(words) > 0.8


def _described(cues: CueSets, toks: list, words: list[str], name: list[bool], lowers: list[str],
               ent_ids: list[str]) -> list[tuple[int, int, str, str]]:
    """Names a description gives away, where no model found them.

    * a name right after "the/a [two words] <company noun>": "the market
      research firm Kantaro", "the consultancy Quarvex" (a company);
    * a capitalised word inside a description set off after a name, before
      its company noun: "Vireo Retail, the indebted Lyon group" (the town the
      company is from; not before "unit", "subsidiary": "the Nvidia unit"
      names the owner).
    """
    n = len(toks)
    out: list[tuple[int, int, str, str]] = []
    for i in range(2, n):
        noun = lowers[i - 1]
        if not name[i] or ent_ids[i] or words[i] in cues.not_names or toks[i].is_sent_start or cues.demonym(words[i]) \
                or toks[i].ent_type_ in ("NORP", "PERSON") or noun not in cues.company_nouns or not words[i - 1].islower():
            continue
        k = i - 2
        while k >= 0 and i - 2 - k < 3 and lowers[k] not in ("the", "a", "an") and words[k].isalpha():
            k -= 1
        if k < 0 or lowers[k] not in ("the", "a", "an"):
            continue
        end = i + 1
        while end < n and end - i < 3 and name[end] and not ent_ids[end] and words[end] not in cues.not_names:
            end += 1
        if end < n and toks[end].pos_ in ("VERB", "AUX") and toks[end].tag_ in ("VBD", "VBZ", "VBP"):
            continue  # "the startup Marisol founded": the subject of a clause on the noun, a person
        out.append((i, end, "Company", "pattern_described_v1"))
    for i in range(2, n - 1):
        if words[i - 1] != "," or lowers[i] != "the":
            continue
        j = i + 1
        while j < n and j - i <= 3 and words[j].islower() and words[j].isalpha():
            j += 1  # "the indebted"
        k = j
        while k < n and k - j < 5 and (name[k] and not ent_ids[k] and words[k] not in cues.not_names or words[k] == "-"
                                       and k > j and not toks[k - 1].whitespace_ and k + 1 < n and name[k + 1]):
            k += 1  # "Saint-Malo"
        if k == j or k >= n:
            continue
        m = k
        while m < n and m - k < 3 and words[m].islower() and lowers[m] not in cues.company_nouns:
            m += 1  # "investment"
        if any(toks[x].ent_type_ == "NORP" or cues.demonym(words[x]) for x in range(j, k)):
            continue  # "the German magnet maker": a nationality, not a town
        if m < n and lowers[m] in cues.company_nouns and lowers[m] not in cues.owned_nouns \
                and lowers[m] not in cues.relational_nouns and (m + 1 >= n or words[m + 1] in (",", ".", ";", ")")):
            out.append((j, k, "City", "pattern_description_place_v1"))
    return out

