"""kg eval: scoring as the acceptance scorer does, on hand-made gold."""

import json

from graph.cli import main
from graph.evaluate import load_gold, norm, score
from graph.rdf.convert import to_rdf
import graph


def write_gold(tmp_path, doc_name="doc.txt"):
    gold = {
        "document": doc_name,
        "entities": [{"label": "Acme Holdings", "type": "Company", "aliases": ["Acme"]},
                     {"label": "Widget X9", "type": "Chip"},
                     {"label": "Zed Labs", "type": "Organization"}],
        "relations": [["Acme Holdings", "manufacturerOf", "Widget X9"], ["Zed Labs", "competitorOf", "Acme Holdings"]],
        "forbidden_relations": [["Zed Labs", "acquired", "Acme Holdings"]],
    }
    p = tmp_path / "gold.json"
    p.write_text(json.dumps(gold))
    return p


TEXT = ("Acme Holdings makes the X9 chips. Zed Labs competes with Acme Holdings.\n"
        "Zed Labs acquired Acme Holdings last year.\n")


def test_eval_norm_folds_like_the_shared_scorer():
    assert norm("Meta Platforms Inc.") == "meta platforms" and norm("Nvidia’s") == "nvidia"


def test_eval_scores_precision_recall_forbidden(tmp_path):
    gold = load_gold(write_gold(tmp_path))
    kg = graph.build([TEXT], model="blank")
    s = score(gold, to_rdf(kg))
    assert s.ent_found >= 2
    assert ("Acme Holdings", "competitorOf", "Zed Labs") not in s.missed_relations  # symmetric either way
    assert s.forbidden_hit == [("Zed Labs", "acquired", "Acme Holdings")]
    p, r, f = s.relation_prf
    assert 0 < p <= 1 and 0 < r <= 1


def test_eval_cli_builds_the_gold_document_and_prints_evidence(tmp_path, capsys):
    (tmp_path / "doc.txt").write_text(TEXT)
    code = main(["eval", str(write_gold(tmp_path)), "--model", "blank", "-v"])
    out = capsys.readouterr().out
    assert code == 0
    assert "FORBIDDEN Zed Labs acquired Acme Holdings" in out
    assert "[acquired_v1] Zed Labs acquired Acme Holdings last year." in out
    assert out.strip().splitlines()[-1].startswith("TOTAL (micro-averaged) documents=1")


def test_eval_cli_with_a_built_graph_and_json(tmp_path, capsys):
    (tmp_path / "doc.txt").write_text(TEXT)
    assert main(["build", str(tmp_path / "doc.txt"), "-o", str(tmp_path / "out"), "--model", "blank", "-q", "-f", "turtle"]) == 0
    code = main(["eval", str(write_gold(tmp_path)), "--graph", str(tmp_path / "out" / "graph.ttl"), "--json"])
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert code == 0 and lines[-1]["total"]["forbidden"] == 1 and lines[0]["ent_gold"] == 3


def test_eval_bad_gold_or_graph_is_an_input_error(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    ttl = tmp_path / "g.ttl"
    ttl.write_text("")
    assert main(["eval", str(bad), "--graph", str(ttl)]) == 2
    assert "bad.json:1: not JSON" in capsys.readouterr().err
    assert main(["eval", str(write_gold(tmp_path)), "--graph", str(bad)]) == 2
    assert "bad.json: invalid JSON-LD at line 1" in capsys.readouterr().err  # read as every command reads graphs
    csv = tmp_path / "g.csv"
    csv.write_text("a,b\n")
    assert main(["eval", str(write_gold(tmp_path)), "--graph", str(csv)]) == 2
    assert "g.csv: cannot tell the RDF format from the suffix '.csv'" in capsys.readouterr().err


def test_eval_entity_precision_counts_built_entities_that_match_gold():
    from graph.model import Entity, KnowledgeGraph

    gold = {"entities": [{"label": "Acme Holdings", "type": "Company", "aliases": ["Acme"]},
                         {"label": "Zed Labs", "type": "Organization"}], "relations": []}
    kg = KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme Corp.", aliases=("Acme",)),
                                  Entity(id="zed", type="Company", label="Zed Labs"),
                                  Entity(id="media", type="Company", label="Media"),
                                  Entity(id="chip-sales-soar", type="Person", label="Chip Sales Soar")))
    s = score(gold, to_rdf(kg))
    assert (s.ent_pred, s.ent_matched, s.entity_precision) == (4, 2, 0.5)  # an alias match counts
    assert s.unmatched_entities == ["chip sales soar", "media"]
