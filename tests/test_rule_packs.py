"""Rule packs: `kg build --rules PACK` adds names, cue words and relation rules; `kg rules check`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import DATA
from graph.cli import main

PACK = DATA / "packs" / "pharma"
# an article the packaged rules do not cover: the phrasing, the product and the suffix "Biologics" are
# unknown to them ("Therapeutics" is a packaged company suffix)
ARTICLE = ("Veridia Therapeutics won approval for Zelvora on Monday, the drugmaker said.\n"
           "Corvane Biologics, a smaller peer, declined to comment.\n")


def build(tmp_path: Path, name: str, *extra: str) -> tuple[int, str]:
    src = tmp_path / "article.txt"
    src.write_text(ARTICLE)
    out = tmp_path / name
    code = main(["build", str(src), "-o", str(out), "--model", "blank", "-f", "turtle", "-q", *extra])
    return code, (out / "graph.ttl").read_text() if (out / "graph.ttl").exists() else ""


def test_rule_packs_build_adds_company_product_and_relation(tmp_path):
    code, plain = build(tmp_path, "plain")
    assert code == 0
    assert "Zelvora" not in plain and "developerOf" not in plain
    code, ttl = build(tmp_path, "pack", "--rules", str(PACK))
    assert code == 0
    assert 'kgr:veridia-therapeutics a ekg:Company' in ttl  # the pack's gazetteer
    assert 'kgr:zelvora a ekg:Product' in ttl
    assert "rdf:predicate ekg:developerOf ;\n    rdf:subject kgr:veridia-therapeutics" in ttl  # the pack's rule
    assert 'ekg:rule "pharma:approval_developer_v1"' in ttl  # the pack's name in the evidence
    assert "Corvane Biologics" in ttl  # the pack's cue words: "Biologics" ends a company name


def test_rule_packs_api_and_signature(tmp_path):
    import graph
    from graph.extract.pipeline import load_nlp, pipeline_signature

    kg = graph.build([ARTICLE], model="blank", packs=[PACK])
    assert ("Veridia Therapeutics", "developerOf", "Zelvora") in kg.triples()
    assert ("Veridia Therapeutics", "developerOf", "Zelvora") not in graph.build([ARTICLE], model="blank").triples()
    # the pack's files are part of what decides the output: --update caches do not mix
    assert pipeline_signature(load_nlp("blank", packs=(PACK,))) != pipeline_signature(load_nlp("blank"))
    assert load_nlp("blank", packs=(PACK,)).get_pipe("kg_relations").rules_data.packs == (PACK,)


def test_rule_packs_update_cache_follows_the_pack(tmp_path, capsys):
    src = tmp_path / "article.txt"
    src.write_text(ARTICLE)
    out = tmp_path / "out"
    args = ["build", str(src), "-o", str(out), "--model", "blank", "-f", "turtle", "--update"]
    assert main(args) == 0
    assert main([*args, "--rules", str(PACK)]) == 0
    assert "reused 0 unchanged document(s), extracted 1" in capsys.readouterr().out
    assert "developerOf" in (out / "graph.ttl").read_text()


def test_rule_packs_check_passes_on_the_example_pack(capsys):
    assert main(["rules", "check", str(PACK), "--model", "blank"]) == 0
    assert "1 rule(s), 4 example(s), 0 failing" in capsys.readouterr().out


def test_rule_packs_check_reports_a_failing_example(tmp_path, capsys):
    pack = tmp_path / "pharma"
    shutil.copytree(PACK, pack)
    ex = pack / "examples" / "approval_developer_v1.yaml"
    ex.write_text(ex.read_text() + '  - text: "Veridia Therapeutics won approval for Zelvora."\n'
                                   "    reject: [Veridia Therapeutics, developerOf, Zelvora]\n")
    assert main(["rules", "check", str(pack), "--model", "blank"]) == 1
    err = capsys.readouterr().err
    assert f"{ex}:12: pharma:approval_developer_v1 (negative, blank): (Veridia Therapeutics, developerOf, Zelvora) " \
           "must not be read" in err


def test_rule_packs_check_lists_every_problem_with_file_and_line(tmp_path, capsys):
    pack = tmp_path / "broken"
    (pack / "examples").mkdir(parents=True)
    (pack / "gazetteer.jsonl").write_text(
        json.dumps({"id": "acme-bio", "label": "Acme Bio", "type": "Company"}) + "\n"
        "{not json\n"
        + json.dumps({"id": "nvidia", "label": "Nvidia Again", "type": "Company"}) + "\n"
        + json.dumps({"id": "acme-drug", "label": "Acme Drug", "type": "Medicine"}) + "\n")
    (pack / "cues.yaml").write_text("company_suffixes: [Therapeutics]\nmolecule_words: [kinase]\n")
    (pack / "families.yaml").write_text("ai_models:\n  - {family: Zeta, joiner: dash}\n")
    (pack / "relations.yaml").write_text(
        "rules:\n"
        "  - id: approval_v1\n    predicate: approvedBy\n    subject: Company\n    object: Product\n"
        "    pattern: '{S} won approval for {O}'\n"
        "  - id: licensed_v1\n    predicate: distributorOf\n    subject: Company\n    object: Product\n"
        "    pattern: '{S} @licence_deal {O}'\n")
    (pack / "examples" / "unknown_v1.yaml").write_text(
        "rule: unknown_v1\npositive:\n  - text: 'Acme Bio licensed Zelvora.'\n    expect: [Acme Bio, distributorOf, Zelvora]\n"
        "negative:\n  - text: 'x'\n")
    assert main(["rules", "check", str(pack), "--model", "blank"]) == 2
    err = capsys.readouterr().err
    expected = [
        f"{pack / 'gazetteer.jsonl'}:2: not JSON",
        f"{pack / 'gazetteer.jsonl'}:3: nvidia: duplicate id (first on gazetteer.jsonl:",
        f"{pack / 'gazetteer.jsonl'}:4: acme-drug: type 'Medicine' not in ontology",
        f"{pack / 'cues.yaml'}:2: molecule_words: unknown cue list",
        f"{pack / 'families.yaml'}:2: ai_models: Zeta: joiner 'dash' unknown",
        f"{pack / 'relations.yaml'}:2: approval_v1: predicate 'ekg:approvedBy' not in ontology",
        f"{pack / 'relations.yaml'}:7: licensed_v1: pattern uses undefined lexicon @licence_deal",
    ]
    for line in expected:
        assert line in err, f"{line!r} not reported:\n{err}"
    assert "1 problem(s) in rule data" not in err  # one line per problem, not one error


def test_rule_packs_check_requires_examples_of_every_rule(tmp_path, capsys):
    pack = tmp_path / "bare"
    pack.mkdir()
    shutil.copy(PACK / "relations.yaml", pack / "relations.yaml")
    (pack / "examples").mkdir()
    (pack / "examples" / "other_v1.yaml").write_text(
        "rule: other_v1\npositive:\n  - text: 'A makes B.'\n    expect: [A, manufacturerOf, B]\n"
        "negative:\n  - text: 'A sells B.'\n    reject: [A, manufacturerOf, B]\n")
    assert main(["rules", "check", str(pack), "--model", "blank"]) == 2
    err = capsys.readouterr().err
    assert f"{pack / 'relations.yaml'}:10: bare:approval_developer_v1: no positive example in " \
           f"{pack / 'examples' / 'approval_developer_v1.yaml'}" in err
    assert f"{pack / 'examples' / 'other_v1.yaml'}:" in err and "examples of an unknown rule 'bare:other_v1'" in err


@pytest.mark.parametrize("what", ["missing", "empty", "file"])
def test_rule_packs_not_a_pack_is_one_clear_error(tmp_path, capsys, what):
    pack = tmp_path / "p"
    if what == "empty":
        pack.mkdir()
    elif what == "file":
        pack.write_text("x")
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE)
    assert main(["build", str(src), "-o", str(tmp_path / "o"), "--model", "blank", "--rules", str(pack), "-q"]) == 2
    err = capsys.readouterr().err
    assert str(pack) in err and ("not a folder" in err or "holds none of" in err)
    assert not (tmp_path / "o").exists()


def test_rule_packs_check_compiles_every_packaged_regex(monkeypatch):
    """A build compiles the packaged regexes when first needed; `kg rules check` compiles them all."""
    from graph.extract import rule_check
    from graph.extract.patterns_dsl import PatternError, compile_pattern
    from graph.extract.rules import load_rules

    victim = [r for r in load_rules().relations.rules if r.patterns][-1]
    seen = []

    def compile_or_fail(pattern, subject, object, lexicons, **kw):
        seen.append(pattern)
        if pattern == victim.patterns[0]:
            raise PatternError(f"pattern {pattern!r} does not compile: nothing to repeat")
        return compile_pattern(pattern, subject, object, lexicons, **kw)

    monkeypatch.setattr(rule_check, "compile_pattern", compile_or_fail)
    monkeypatch.setattr(rule_check, "load_examples", lambda folder, prefix: ([], []))
    report = rule_check.check(model="blank")
    assert len(seen) == sum(len(r.patterns) for r in load_rules().relations.rules)
    assert [p for p in report.problems if "does not compile" in p] == [
        f"{rule_check.pattern_path('relations.yaml')}:{victim.line}: {victim.id}: "
        f"pattern {victim.patterns[0]!r} does not compile: nothing to repeat"]
