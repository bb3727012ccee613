"""The dependency rules on hand-built parses: no trained model needed.

Each sentence is a spaCy ``Doc`` made from words, heads, dependency labels,
parts of speech and lemmas, as a parser would give them; the mentions are
placed by hand. So the frames the rules follow (active, passive with agent,
relative clause, reduced relative, coordination, negation and hedging
heads) are tested on exactly the parse they are written for.
"""

from __future__ import annotations

import pytest
import spacy

from graph.extract.dependency import DependencyRules
from graph.extract.hedging import Scope
from graph.extract.mentions import M
from graph.extract.rules import load_rules
from graph.extract.surface import compile_rules

RULES = load_rules()
COMPILED = compile_rules(RULES.relations)
NLP = spacy.blank("en")


def parse(tokens: list[tuple[str, int, str, str, str]]):  # noqa: ANN201 - a Doc
    """``(word, head index, dep, pos, lemma)`` per token; the root is its own head."""
    words = [t[0] for t in tokens]
    spaces = [i + 1 < len(words) and words[i + 1] not in (",", ".") for i in range(len(words))]
    return spacy.tokens.Doc(NLP.vocab, words=words, spaces=spaces, heads=[t[1] for t in tokens],
                            deps=[t[2] for t in tokens], pos=[t[3] for t in tokens], lemmas=[t[4] for t in tokens])


def mention(doc, start: int, end: int, cls: str) -> M:  # noqa: ANN001
    span = doc[start:end]
    return M(start, end, span.start_char, span.end_char, span.text, cls, "hand", f"nm:{span.text.lower()}")


def triples(doc, mentions: list[M]) -> tuple[set[tuple[str, str, str, str]], list[tuple[str, str, str, str]]]:  # noqa: ANN001
    found, blocked = DependencyRules(RULES.cues).match(next(doc.sents), mentions, COMPILED, [], Scope(RULES.cues))
    return {(f.subject.text, f.predicate, f.object.text, f.rule) for f in found}, blocked


def test_dependency_active_voice():
    # Acme acquired Widgets .
    doc = parse([("Acme", 1, "nsubj", "PROPN", "Acme"), ("acquired", 1, "ROOT", "VERB", "acquire"),
                 ("Widgets", 1, "dobj", "PROPN", "Widgets"), (".", 1, "punct", "PUNCT", ".")])
    found, _ = triples(doc, [mention(doc, 0, 1, "Company"), mention(doc, 2, 3, "Company")])
    assert ("Acme", "acquired", "Widgets", "dep_acquired_v1") in found


def test_dependency_passive_with_agent():
    # Widgets was bought by Acme .
    doc = parse([("Widgets", 2, "nsubjpass", "PROPN", "Widgets"), ("was", 2, "auxpass", "AUX", "be"),
                 ("bought", 2, "ROOT", "VERB", "buy"), ("by", 2, "agent", "ADP", "by"),
                 ("Acme", 3, "pobj", "PROPN", "Acme"), (".", 2, "punct", "PUNCT", ".")])
    found, _ = triples(doc, [mention(doc, 0, 1, "Company"), mention(doc, 4, 5, "Company")])
    assert ("Acme", "acquired", "Widgets", "dep_acquired_v1") in found
    assert not any(s == "Widgets" for s, _p, _o, _r in found)  # the patient is not the buyer


def test_dependency_relative_clause_subject():
    # Acme , which bought Widgets , grew .
    doc = parse([("Acme", 5, "nsubj", "PROPN", "Acme"), (",", 0, "punct", "PUNCT", ","),
                 ("which", 3, "nsubj", "PRON", "which"), ("bought", 0, "relcl", "VERB", "buy"),
                 ("Widgets", 3, "dobj", "PROPN", "Widgets"), ("grew", 5, "ROOT", "VERB", "grow"),
                 (".", 5, "punct", "PUNCT", ".")])
    found, _ = triples(doc, [mention(doc, 0, 1, "Company"), mention(doc, 4, 5, "Company")])
    assert ("Acme", "acquired", "Widgets", "dep_acquired_v1") in found


def test_dependency_coordinated_objects_and_contrast():
    # Acme supplies H9 and H10 rather than H11 .
    doc = parse([("Acme", 1, "nsubj", "PROPN", "Acme"), ("supplies", 1, "ROOT", "VERB", "supply"),
                 ("H9", 1, "dobj", "PROPN", "H9"), ("and", 2, "cc", "CCONJ", "and"),
                 ("H10", 2, "conj", "PROPN", "H10"), ("rather", 6, "advmod", "ADV", "rather"),
                 ("than", 4, "cc", "ADP", "than"), ("H11", 4, "conj", "PROPN", "H11"),
                 (".", 1, "punct", "PUNCT", ".")])
    ms = [mention(doc, 0, 1, "Company"), mention(doc, 2, 3, "Chip"), mention(doc, 4, 5, "Chip"),
          mention(doc, 7, 8, "Chip")]
    found, _ = triples(doc, ms)
    objects = {o for s, p, o, r in found if p == "supplierOf" and r == "dep_supplier_of_product_v1"}
    assert objects == {"H9", "H10"}  # "rather than H11" is a contrast, not a third object


@pytest.mark.parametrize("tokens, cue", [
    # Acme did not acquire Widgets .
    ([("Acme", 3, "nsubj", "PROPN", "Acme"), ("did", 3, "aux", "AUX", "do"), ("not", 3, "neg", "PART", "not"),
      ("acquire", 3, "ROOT", "VERB", "acquire"), ("Widgets", 3, "dobj", "PROPN", "Widgets"),
      (".", 3, "punct", "PUNCT", ".")], "not"),
    # Acme plans to acquire Widgets .
    ([("Acme", 1, "nsubj", "PROPN", "Acme"), ("plans", 1, "ROOT", "VERB", "plan"), ("to", 3, "aux", "PART", "to"),
      ("acquire", 1, "xcomp", "VERB", "acquire"), ("Widgets", 3, "dobj", "PROPN", "Widgets"),
      (".", 1, "punct", "PUNCT", ".")], None),  # no subject of "acquire" of its own: no match to block
    # Acme could acquire Widgets .
    ([("Acme", 2, "nsubj", "PROPN", "Acme"), ("could", 2, "aux", "AUX", "could"),
      ("acquire", 2, "ROOT", "VERB", "acquire"), ("Widgets", 2, "dobj", "PROPN", "Widgets"),
      (".", 2, "punct", "PUNCT", ".")], "could"),
])
def test_dependency_negated_or_hedged_verb_is_blocked(tokens, cue):
    doc = parse(tokens)
    widgets = next(i for i, t in enumerate(tokens) if t[0] == "Widgets")
    found, blocked = triples(doc, [mention(doc, 0, 1, "Company"), mention(doc, widgets, widgets + 1, "Company")])
    assert not any(p == "acquired" for _s, p, _o, _r in found)
    if cue is not None:
        assert ("Acme", "acquired", "Widgets", f"dep_acquired_v1: {cue}") in blocked


def test_dependency_rules_need_a_parse():
    doc = NLP("Acme acquired Widgets.")  # the blank pipeline: no dependency labels
    for tok in doc:
        tok.is_sent_start = tok.i == 0
    found, blocked = triples(doc, [mention(doc, 0, 1, "Company"), mention(doc, 2, 3, "Company")])
    assert (found, blocked) == (set(), [])
