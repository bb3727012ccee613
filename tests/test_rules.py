import json
from pathlib import Path

import pytest

from graph.errors import RuleError
from graph.extract.rules import load_cues, load_families, load_gazetteer, load_relation_rules

DATA = Path(__file__).parent / "data"


def test_rules_shipped_files_load_and_cover_the_vocabulary():
    gz = load_gazetteer()
    non_places = [e for e in gz if e.type not in ("Place", "Country", "City")]
    assert len(non_places) >= 300
    assert {e.type for e in gz} >= {"Company", "Chip", "AIModel", "Technology", "GovernmentBody", "Country", "City", "Approach"}
    rs = load_relation_rules()
    from graph.model import PREDICATES

    covered = {r.predicate for r in rs.rules} | {p for r in rs.rules for p in r.also}
    assert covered == set(PREDICATES)
    assert load_cues()["company_nouns"] and load_families().members


def test_rules_gazetteer_reports_every_problem_with_line(tmp_path):
    lines = [
        {"id": "acme", "label": "Acme", "type": "Company"},
        {"id": "Bad Id", "label": "B", "type": "Company"},
        {"id": "acme", "label": "Acme Two", "type": "Firm"},
        {"id": "dup", "label": "Dup", "type": "Company", "aliases": ["acme"]},
        {"id": "q", "label": "Q", "type": "Company", "wikidata": "Q-1"},
    ]
    p = tmp_path / "g.jsonl"
    p.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n")
    with pytest.raises(RuleError) as info:
        load_gazetteer(p)
    text = str(info.value)
    for fragment in ["g.jsonl:2: Bad Id: id must be a lowercase slug", "g.jsonl:3: acme: duplicate id",
                     "type 'Firm' not in ontology", "g.jsonl:4: dup: name 'acme' already used by 'acme' (g.jsonl:1)",
                     "wikidata 'Q-1'", "g.jsonl:6: not JSON"]:
        assert fragment in text
    assert len(info.value.problems) == 6


def test_rules_relation_file_validation_lists_all_problems(tmp_path):
    p = tmp_path / "relations.yaml"
    p.write_text(
        "lexicons:\n  buy: [buy+]\nrules:\n"
        "  - id: works_for_v1\n    predicate: employs\n    subject: Person\n    object: Company\n    pattern: '{S} works for {O}'\n"
        "  - id: BadId\n    predicate: acquired\n    subject: Firm\n    object: Company\n    pattern: '{S} @sell {O}'\n"
        "  - id: works_for_v1\n    predicate: acquired\n    subject: Company\n    object: Company\n    pattern: '{S} ( @buy {O}'\n"
    )
    with pytest.raises(RuleError) as info:
        load_relation_rules(p)
    text = str(info.value)
    assert "relations.yaml:4: works_for_v1: predicate 'ekg:employs' not in ontology; known: ekg:partnerIn" in text
    assert "BadId: id must be snake_case" in text
    assert "class 'Firm' not in ontology" in text
    assert "undefined lexicon @sell" in text
    assert "duplicate rule id" in text
    assert "unbalanced '('" in text


def test_rules_every_rule_has_positive_and_negative_examples():
    from graph.extract.rule_check import examples_folder, load_examples

    rs = load_relation_rules()
    examples, problems = load_examples(examples_folder())
    assert problems == []
    have = {(ex.rule, ex.kind) for ex in examples}
    missing = [(r.id, kind) for r in rs.rules for kind in ("positive", "negative") if (r.id, kind) not in have]
    assert missing == [], f"rules without examples in graph/patterns/examples: {missing}"
    unknown = {ex.rule for ex in examples} - {r.id for r in rs.rules}
    assert unknown == set(), f"example files for unknown rules: {sorted(unknown)}"


def test_rules_yaml_words_like_on_and_no_stay_strings(tmp_path):
    p = tmp_path / "relations.yaml"
    p.write_text("lexicons:\n  w: [on, no, yes, off]\nrules:\n  - id: x_v1\n    predicate: uses\n    subject: Company\n    object: Technology\n    pattern: '{S} @w {O}'\n")
    assert load_relation_rules(p).lexicons["w"] == ("on", "no", "yes", "off")
