"""Names the tokenizer or the NER split or joined wrongly, put right (the ``kg_recognizer`` passes).

Spans are ``[start, end, class, rule, kb_id]`` lists, as :mod:`graph.extract.recognize` keeps them.
"""

from __future__ import annotations

from spacy.tokens import Doc

from graph.extract.context import CueSets

#: Organisation classes: a title the span took in is not part of the name ("CEO of Acme Robotics").
ORG_TYPES = frozenset({"Company", "Organization", "GovernmentBody"})


def after_person(cues: CueSets, doc: Doc, s: int, e: int) -> int:
    """Where an organisation starts after a person joined to it: "Todd Boehly and Clearlake Capital"."""
    if doc[s].text not in cues.given_names:
        return s
    for k in range(s + 1, min(s + 4, e - 1)):
        if doc[k].lower_ == "and":
            return k + 1
    return s


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
