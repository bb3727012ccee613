"""Kùzu bundle: loaded into a real embedded Kùzu database and queried."""

from __future__ import annotations

import dataclasses
import json
import os
import random
from pathlib import Path

import pytest

from conftest import document_metadata, hostile_graphdb_kg

from graph import exporters
from graph.files import write_bundle_atomic
from graph.exporters.propgraph import RELATIONSHIP_TYPES
from graph.exporters.kuzu import generate_kuzu
from graph.model import PREDICATES, Entity, Evidence, KnowledgeGraph, Relation, superclasses
from conftest import require as _require






def _shuffled(kg: KnowledgeGraph, seed: int) -> KnowledgeGraph:
    rnd = random.Random(seed)
    ents = list(kg.entities)
    rnd.shuffle(ents)
    rels = [dataclasses.replace(r, evidence=tuple(rnd.sample(r.evidence, len(r.evidence))))
            for r in kg.relations]
    rnd.shuffle(rels)
    return KnowledgeGraph(documents=kg.documents, entities=tuple(ents), relations=tuple(rels),
                          mentions_by_doc=kg.mentions_by_doc)


class KuzuDB:
    """A Kùzu database loaded from a bundle written to ``folder``."""

    def __init__(self, kuzu, files: dict[str, bytes], folder: Path) -> None:  # noqa: ANN001
        folder.mkdir(parents=True, exist_ok=True)
        write_bundle_atomic(files, folder / "bundle")
        self.folder = folder / "bundle"
        self.db = kuzu.Database(str(folder / "db"))
        self.conn = kuzu.Connection(self.db)
        cwd = Path.cwd()
        os.chdir(self.folder)  # load.cypher names its CSVs relative to the bundle
        try:
            self.conn.execute((self.folder / "schema.cypher").read_text(encoding="utf-8"))
            self.conn.execute((self.folder / "load.cypher").read_text(encoding="utf-8"))
        finally:
            os.chdir(cwd)

    def rows(self, query: str, params: dict | None = None) -> list[list]:
        result = self.conn.execute(query, params or {})
        out = []
        while result.has_next():
            out.append(result.get_next())
        return out

    def close(self) -> None:
        self.conn.close()
        self.db.close()


@pytest.fixture(scope="module")
def kuzu_mod():
    return _require("kuzu")


@pytest.fixture(scope="module")
def sample_db(kuzu_mod, sample_kg, tmp_path_factory):  # noqa: ANN001, ANN201
    db = KuzuDB(kuzu_mod, generate_kuzu(sample_kg), tmp_path_factory.mktemp("kuzu-sample"))
    yield db
    db.close()


@pytest.fixture(scope="module")
def hostile():
    return hostile_graphdb_kg()


@pytest.fixture(scope="module")
def hostile_db(kuzu_mod, hostile, tmp_path_factory):  # noqa: ANN001, ANN201
    db = KuzuDB(kuzu_mod, generate_kuzu(hostile), tmp_path_factory.mktemp("kuzu-hostile"))
    yield db
    db.close()


# --- expected values, computed from the model (not from the exporter) -----------------

def _primary(rel: Relation) -> Evidence:
    return sorted(rel.evidence, key=lambda e: (-e.confidence, e.doc_id, e.start, e.end, e.rule_id))[0]


def _expected_node(ent: Entity) -> dict:
    return {
        "id": ent.id, "labels": list(superclasses(ent.type)), "label": ent.label, "type": ent.type,
        "aliases": list(ent.aliases) or None, "wikidata": ent.wikidata,
        "parameter_count": ent.parameter_count,
        "market_share": None if ent.market_share is None else float(ent.market_share),
        "mention_count": len(ent.mentions),
    }


def _expected_rel(rel: Relation, kg: KnowledgeGraph) -> dict:
    ev = _primary(rel)
    return {
        "predicate": rel.predicate, "confidence": rel.confidence, "sentence": ev.sentence,
        "document": ev.doc_id, **document_metadata(kg, ev.doc_id, missing=None), "rule": ev.rule_id, "char_start": ev.start, "char_end": ev.end,
        "evidence_count": len(rel.evidence),
        "amount": None if rel.amount is None else float(rel.amount), "currency": rel.currency,
        "count": rel.count, "date": rel.date,
    }


def _expected_evidence(rel: Relation, kg: KnowledgeGraph) -> list[dict]:
    return sorted(({"confidence": e.confidence, "document": e.doc_id, "end": e.end, "rule": e.rule_id,
                    "sentence": e.sentence, "start": e.start, **document_metadata(kg, e.doc_id)}
                   for e in rel.evidence),
                  key=lambda d: (d["document"], d["start"], d["end"], d["rule"], d["sentence"]))


def _assert_loaded_equals(db: KuzuDB, kg: KnowledgeGraph) -> None:
    nodes = {r[0]["id"]: r[0] for r in db.rows("MATCH (n:Entity) RETURN n")}
    assert sorted(nodes) == [e.id for e in kg.entities]
    for ent in kg.entities:
        got = {k: v for k, v in nodes[ent.id].items() if not k.startswith("_")}
        assert got == _expected_node(ent), ent.id
    rels = db.rows("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, label(r), b.id, r")
    assert len(rels) == len(kg.relations)
    by_key = {(a, t, b): r for a, t, b, r in rels}
    for rel in kg.relations:
        got = by_key[(rel.subject, _upper(rel.predicate), rel.object)]
        props = {k: v for k, v in got.items() if not k.startswith("_")}
        assert json.loads(props.pop("evidence")) == _expected_evidence(rel, kg), rel.key
        assert props == _expected_rel(rel, kg), rel.key


_UPPER = {"partnerIn": "PARTNER_IN", "supplierOf": "SUPPLIER_OF", "manufacturerOf": "MANUFACTURER_OF",
          "uses": "USES", "developerOf": "DEVELOPER_OF", "trainedOn": "TRAINED_ON",
          "headquarteredIn": "HEADQUARTERED_IN", "locatedIn": "LOCATED_IN", "investsIn": "INVESTS_IN",
          "backerOf": "BACKER_OF", "distributorOf": "DISTRIBUTOR_OF", "competitorOf": "COMPETITOR_OF",
          "subsidiaryOf": "SUBSIDIARY_OF", "acquired": "ACQUIRED", "foundedBy": "FOUNDED_BY",
          "employeeOf": "EMPLOYEE_OF", "ceoOf": "CEO_OF", "restricts": "RESTRICTS"}


def _upper(predicate: str) -> str:
    return _UPPER[predicate]


# --- the sample article ------------------------------------------------------------------

def _named(kg: KnowledgeGraph, name: str) -> str:
    ent = kg.find(name)
    assert ent is not None, f"{name!r} is not in the sample graph"
    return ent.id


STARGATE = ("MATCH (o:Entity)-[:PARTNER_IN]->(p:Entity) "
            "WHERE p.label = $name OR list_contains(p.aliases, $name) RETURN o.id ORDER BY o.id")


def test_kuzu_stargate_partners(sample_db, sample_kg):  # noqa: ANN001
    got = [r[0] for r in sample_db.rows(STARGATE, {"name": "Stargate Project"})]
    assert got == sorted(_named(sample_kg, n) for n in ("OpenAI", "Oracle", "SoftBank Group"))
    assert got == ["openai", "oracle", "softbank-group"]


def test_kuzu_supplier_of_h800(sample_db, sample_kg):  # noqa: ANN001
    got = sample_db.rows("MATCH (s:Entity)-[:SUPPLIER_OF]->(c:Entity {label: 'H800'}) RETURN s.label")
    assert got == [["Nvidia"]]
    assert [_named(sample_kg, "Nvidia")] == [r[0] for r in sample_db.rows(
        "MATCH (s:Entity)-[:SUPPLIER_OF]->(c:Entity {id: $c}) RETURN s.id", {"c": _named(sample_kg, "H800")})]


def test_kuzu_two_hop(sample_db):  # noqa: ANN001
    # which model was trained on a chip, and who supplies that chip
    got = sample_db.rows(
        "MATCH (m:Entity)-[:TRAINED_ON]->(c:Entity)<-[:SUPPLIER_OF]-(s:Entity) "
        "RETURN m.label, c.label, s.label ORDER BY m.label")
    assert ["DeepSeek-V3", "H800", "Nvidia"] in got
    # a developer's model and the chip it was trained on
    got = sample_db.rows(
        "MATCH (d:Entity {label: 'DeepSeek'})-[:DEVELOPER_OF]->(m:Entity)-[:TRAINED_ON]->(c:Entity) "
        "RETURN m.label, c.label")
    assert got == [["DeepSeek-V3", "H800"]]
    # variable length, any relationship table, class filter through `labels`
    got = sample_db.rows(
        "MATCH (d:Entity {label: 'DeepSeek'})-[*2..2]->(c:Entity) WHERE list_contains(c.labels, 'Chip') "
        "RETURN DISTINCT c.label")
    assert ["H800"] in got


def test_kuzu_readme_queries_run(sample_db, sample_kg):  # noqa: ANN001
    readme = generate_kuzu(sample_kg)["README.md"].decode()
    block = readme.split("```cypher\n", 1)[1].split("```", 1)[0]
    queries = [q.strip() for q in block.split(";\n") if q.strip()]
    assert len(queries) == 4
    results = [sample_db.rows(q) for q in queries]
    assert sorted(r[0] for r in results[0]) == ["OpenAI", "Oracle", "SoftBank Group"]
    assert results[1] == [["Nvidia"]]
    assert results[2] == [["DeepSeek", "DeepSeek-V3", "H800"]]
    assert results[3]


def test_kuzu_sample_loads_every_value(sample_db, sample_kg):  # noqa: ANN001
    _assert_loaded_equals(sample_db, sample_kg)


def test_kuzu_class_filter(sample_db, sample_kg):  # noqa: ANN001
    orgs = {r[0] for r in sample_db.rows(
        "MATCH (n:Entity) WHERE list_contains(n.labels, 'Organization') RETURN n.id")}
    assert orgs == {e.id for e in sample_kg.entities if "Organization" in superclasses(e.type)}
    assert "nvidia" in orgs


def test_kuzu_every_relationship_table_exists(sample_db):  # noqa: ANN001
    for rtype in RELATIONSHIP_TYPES:  # querying an unused type is valid, not an error
        sample_db.rows(f"MATCH (a:Entity)-[:{rtype}]->(b:Entity) RETURN count(*)")
    assert tuple(_UPPER[p] for p in PREDICATES) == RELATIONSHIP_TYPES


# --- hostile strings -----------------------------------------------------------------

def test_kuzu_hostile_loads_exactly(hostile_db, hostile):  # noqa: ANN001
    _assert_loaded_equals(hostile_db, hostile)


def test_kuzu_hostile_spot_checks(hostile_db):  # noqa: ANN001
    row = hostile_db.rows("MATCH (n:Entity {id: 'obrien-bob-ltd'}) RETURN n.label, n.aliases")[0]
    assert row[0] == 'O\'Brien "Bob" \\ Ltd.'
    assert row[1][:2] == ["O'Brien; Co", '=HYPERLINK("http://x")']
    assert hostile_db.rows("MATCH (n:Entity {id: 'formula'}) RETURN n.label") == [['=HYPERLINK("http://x")']]
    sentence, amount, count = hostile_db.rows(
        "MATCH (:Entity)-[r:SUPPLIER_OF]->(:Entity) RETURN r.sentence, r.amount, r.count")[0]
    assert sentence == "@mention starts this one"  # primary: 0.9, then first by offset
    assert (amount, count) == (-5.5, -3)  # negative numbers in typed columns load as numbers
    ev = json.loads(hostile_db.rows("MATCH (:Entity)-[r:SUPPLIER_OF]->(:Entity) RETURN r.evidence")[0][0])
    assert ev[0]["sentence"] == 'Line one, "quoted"\nline two\r\nand a tab\there.'
    assert ev[2]["sentence"] == "=cmd|' /C calc'!A0 said O'Brien \\ again"


def test_kuzu_hostile_csv_is_neutralised(hostile):  # noqa: ANN001
    files = generate_kuzu(hostile)
    assert b"'=HYPERLINK" in files["nodes.csv"]
    assert "\u00a6" in files["load.cypher"].decode()  # ';' and '|' occur in aliases
    text = files["relationships_SUPPLIER_OF.csv"].decode()
    assert ",'@mention starts this one,'-draft,1," not in text  # a comma: quoted
    # the document's title starts with '=': neutralised and quoted like every other string
    assert (",'@mention starts this one,\"'-draft,1\",\"'=cmd|' /C calc'!A0 \"\"Title\"\" \\ </data>"
            in text)
    assert ",2024-02-29,https://news.example/a?b='1'&c=%22;DROP%20TABLE#frag$x,supplier_v1," in text
    assert ",-5.5,USD,-3,2024-05\r\n" in text  # numbers as they are


def test_kuzu_empty_graph_loads(kuzu_mod, tmp_path):  # noqa: ANN001
    db = KuzuDB(kuzu_mod, generate_kuzu(KnowledgeGraph()), tmp_path)
    try:
        assert db.rows("MATCH (n:Entity) RETURN count(*)") == [[0]]
    finally:
        db.close()


def test_kuzu_last_resort_delimiter_loads(kuzu_mod, tmp_path):  # noqa: ANN001
    # ';', '|' and U+00A6 all occur in aliases: U+001F is the delimiter, and nothing splits
    kg = KnowledgeGraph(entities=(Entity(id="x", type="Company", label="X",
                                         aliases=("a;b", "c|d", "e\u00a6f", "=g")),))
    files = generate_kuzu(kg)
    assert "'\u001f'" in files["load.cypher"].decode()
    db = KuzuDB(kuzu_mod, files, tmp_path)
    try:
        assert db.rows("MATCH (n:Entity) RETURN n.aliases") == [[["a;b", "c|d", "e\u00a6f", "=g"]]]
    finally:
        db.close()


def test_kuzu_cli_build_writes_a_loadable_folder(kuzu_mod, sample_kg, tmp_path):  # noqa: ANN001
    from graph.cli import main

    assert main(["build", "-o", str(tmp_path / "out"), "-f", "kuzu", "-q"]) == 0
    folder = tmp_path / "out" / "kuzu"
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert files == generate_kuzu(sample_kg)  # the CLI writes exactly the generator's bytes
    db = KuzuDB(kuzu_mod, files, tmp_path / "db")
    try:
        got = db.rows(STARGATE, {"name": "Stargate Project"})
        assert [r[0] for r in got] == ["openai", "oracle", "softbank-group"]
    finally:
        db.close()


# --- determinism ---------------------------------------------------------------------

def test_kuzu_deterministic(hostile, sample_kg):  # noqa: ANN001
    for kg in (hostile, sample_kg):
        first = exporters.export(kg, "kuzu")
        assert exporters.export(kg, "kuzu") == first
        for seed in range(3):
            assert generate_kuzu(_shuffled(kg, seed)) == first


def test_kuzu_registered():
    exp = exporters.get("kuzu")
    assert exp.bundle and exp.name == "kuzu"
