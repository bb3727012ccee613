"""Cypher script: parsed by a Cypher parser, and run (twice) in Kùzu where the dialects agree.

What is checked where:

* graphglot (Neo4j dialect) parses every statement of the script as it is,
  and decodes every string literal back to the exact source text: escaping
  is checked by an independent Cypher lexer.
* Kùzu runs every statement except the two Neo4j-only kinds (``CREATE
  CONSTRAINT`` and ``SET n:Label``), twice: one copy of each node and
  relationship remains, with the source values wherever Kùzu decodes the
  literal as Neo4j does (Kùzu knows ``\\\\`` and ``\\'`` but not ``\\n`` or
  ``\\uXXXX``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import random
import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import document_metadata, hostile_graphdb_kg

from graph import exporters
from graph.exporters.propgraph import Property
from graph.exporters.cypher import cypher_string, cypher_value, generate_cypher
from graph.exporters.kuzu import generate_kuzu
from graph.model import Evidence, KnowledgeGraph, Relation, superclasses
from conftest import require as _require

STRING = r"'(?:[^'\\]|\\.)*'"
NEO4J_ONLY = re.compile(rf"CREATE CONSTRAINT .*|MATCH \(n:Entity \{{id: {STRING}\}}\) SET n(?::[A-Za-z]+)+;")
LABEL_LINE = re.compile(rf"MATCH \(n:Entity \{{id: ({STRING})\}}\) SET n((?::[A-Za-z]+)+);")





def _shuffled(kg: KnowledgeGraph, seed: int) -> KnowledgeGraph:
    rnd = random.Random(seed)
    ents = list(kg.entities)
    rnd.shuffle(ents)
    rels = [dataclasses.replace(r, evidence=tuple(rnd.sample(r.evidence, len(r.evidence))))
            for r in kg.relations]
    rnd.shuffle(rels)
    return KnowledgeGraph(documents=kg.documents, entities=tuple(ents), relations=tuple(rels),
                          mentions_by_doc=kg.mentions_by_doc)


@pytest.fixture(scope="module")
def hostile() -> KnowledgeGraph:
    return hostile_graphdb_kg()


def _statements(kg: KnowledgeGraph) -> list[str]:
    return [line for line in generate_cypher(kg).decode("utf-8").splitlines()
            if line and not line.startswith("//")]


def _primary(rel: Relation) -> Evidence:
    return sorted(rel.evidence, key=lambda e: (-e.confidence, e.doc_id, e.start, e.end, e.rule_id))[0]


def _expected_evidence(rel: Relation, kg: KnowledgeGraph) -> list[dict]:
    return sorted(({"confidence": e.confidence, "document": e.doc_id, "end": e.end, "rule": e.rule_id,
                    "sentence": e.sentence, "start": e.start, **document_metadata(kg, e.doc_id)}
                   for e in rel.evidence),
                  key=lambda d: (d["document"], d["start"], d["end"], d["rule"], d["sentence"]))


def _utf16(text: str) -> str:
    """Join surrogate pairs (Cypher's \\uD83D\\uDE80 is one character)."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16")


# --- structure -----------------------------------------------------------------------

def test_cypher_structure(sample_kg):  # noqa: ANN001
    stmts = _statements(sample_kg)
    assert stmts[0] == "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE;"
    assert all(s.endswith(";") for s in stmts)
    merges = [s for s in stmts if s.startswith("MERGE (n:Entity {id: ")]
    rels = [s for s in stmts if s.startswith("MATCH (s:Entity")]
    labels = [s for s in stmts if LABEL_LINE.fullmatch(s)]
    assert len(merges) == len(labels) == len(sample_kg.entities)
    assert len(rels) == len(sample_kg.relations)
    assert len(stmts) == 1 + 2 * len(sample_kg.entities) + len(sample_kg.relations)
    # constraints come before any MERGE
    assert stmts.index(merges[0]) > 0
    assert "MATCH (n:Entity {id: 'nvidia'}) SET n:Company:Organization;" in stmts
    assert any(s.startswith("MATCH (s:Entity {id: 'openai'}) MATCH (o:Entity {id: 'stargate'}) "
                            "MERGE (s)-[r:PARTNER_IN]->(o) SET r.predicate = 'partnerIn', ")
               for s in rels)


def test_cypher_labels_are_class_chains(hostile):  # noqa: ANN001
    got = {}
    for s in _statements(hostile):
        m = LABEL_LINE.fullmatch(s)
        if m:
            got[m.group(1)[1:-1]] = m.group(2).split(":")[1:]
    assert got == {e.id: list(superclasses(e.type)) for e in hostile.entities}


def test_cypher_string_escapes():
    assert cypher_string('O\'Brien "Bob" \\ Ltd.') == "'O\\'Brien \"Bob\" \\\\ Ltd.'"
    assert cypher_string("a\nb\r\nc\td") == "'a\\nb\\r\\nc\\td'"
    assert cypher_string("zw\u200bj\u200d \u202e \ufeff \u00a0 \u2028") == \
        "'zw\\u200Bj\\u200D \\u202E \\uFEFF \\u00A0 \\u2028'"
    assert cypher_string("bell\x07 \x1f") == "'bell\\u0007 \\u001F'"
    assert cypher_string("tag\U000e0041") == "'tag\\uDB40\\uDC41'"  # surrogate pair
    assert cypher_string("🚀 مرحبا עברית") == "'🚀 مرحبا עברית'"  # visible text stays UTF-8
    assert cypher_string("lone \ud800") == "'lone \ufffd'"


def test_cypher_values():
    assert cypher_value(Decimal("1E+20"), Property("amount", "double")) == "100000000000000000000.0"
    assert cypher_value(Decimal("-5.5"), Property("amount", "double")) == "-5.5"
    assert cypher_value(1e-05, Property("confidence", "double")) == "1e-05"
    assert cypher_value(1e22, Property("confidence", "double")) == "1e22"
    assert cypher_value(-3, Property("count", "long")) == "-3"
    assert cypher_value(None, Property("aliases", "string[]")) == "null"
    with pytest.raises(TypeError):
        cypher_value("x", Property("count", "long"))


# --- a real Cypher parser --------------------------------------------------------------

@pytest.fixture(scope="module")
def neo4j_dialect():
    return _require("graphglot.dialect").Dialect.get_or_raise("neo4j")


@pytest.mark.slow
def test_cypher_every_statement_parses(neo4j_dialect, hostile, sample_kg):  # noqa: ANN001
    for kg in (hostile, sample_kg):
        for stmt in _statements(kg):
            result = neo4j_dialect.validate(stmt.rstrip(";"))
            assert result.success, (stmt, result.diagnostics)


def test_cypher_parser_rejects_a_broken_statement(neo4j_dialect):  # noqa: ANN001
    # the check above is not vacuous: an unescaped quote is a syntax error
    assert not neo4j_dialect.validate("MERGE (n:Entity {id: 'x'}) SET n.label = 'O'Brien'").success


def test_cypher_literals_decode_to_source(neo4j_dialect, hostile):  # noqa: ANN001
    from graphglot.ast.expressions import CharacterStringLiteral

    stmts = _statements(hostile)
    for ent in hostile.entities:
        stmt = next(s for s in stmts if s.startswith(f"MERGE (n:Entity {{id: {cypher_string(ent.id)}}})"))
        literals = {_utf16(x.value) for x in neo4j_dialect.parse(stmt.rstrip(";"))[0]
                    .find_all(CharacterStringLiteral)}
        assert {ent.id, ent.label, ent.type, *ent.aliases} <= literals, ent.id
    for rel in hostile.relations:
        stmt = next(s for s in stmts if s.startswith(
            f"MATCH (s:Entity {{id: {cypher_string(rel.subject)}}}) MATCH (o:Entity {{id: "
            f"{cypher_string(rel.object)}}}) MERGE (s)-[r:"))
        if rel.predicate not in stmt:
            continue
        values = [_utf16(x.value) for x in neo4j_dialect.parse(stmt.rstrip(";"))[0]
                  .find_all(CharacterStringLiteral)]
        ev = _primary(rel)
        assert {ev.sentence, ev.doc_id, ev.rule_id, *document_metadata(hostile, ev.doc_id).values()} <= set(values)
        evidence = [v for v in values if v.startswith('[{"confidence"')]
        assert [json.loads(v) for v in evidence] == [_expected_evidence(rel, hostile)]


# --- run in Kùzu -----------------------------------------------------------------------

class KuzuRun:
    def __init__(self, kuzu, kg: KnowledgeGraph, folder: Path, times: int) -> None:  # noqa: ANN001
        self.db = kuzu.Database(str(folder / "db"))
        self.conn = kuzu.Connection(self.db)
        self.conn.execute(generate_kuzu(kg)["schema.cypher"].decode("utf-8"))
        self.skipped = 0
        for _ in range(times):
            for stmt in _statements(kg):
                if NEO4J_ONLY.fullmatch(stmt):
                    self.skipped += 1
                    continue
                self.conn.execute(stmt)

    def rows(self, query: str) -> list[list]:
        result = self.conn.execute(query)
        out = []
        while result.has_next():
            out.append(result.get_next())
        return out

    def close(self) -> None:
        self.conn.close()
        self.db.close()


def _kuzu_decodes(text: str) -> bool:
    """True if Kùzu reads the literal of ``text`` as Neo4j does (only \\\\ and \\' escapes)."""
    return "\\" not in re.sub(r"\\\\|\\'", "", cypher_string(text))


def _compare(run: KuzuRun, kg: KnowledgeGraph) -> int:
    """Assert Kùzu holds the source values (where comparable); return the number compared."""
    compared = 0
    nodes = {r[0]["id"]: r[0] for r in run.rows("MATCH (n:Entity) RETURN n")}
    assert sorted(nodes) == [e.id for e in kg.entities]
    for ent in kg.entities:
        got = nodes[ent.id]
        want = {"label": ent.label, "type": ent.type, "wikidata": ent.wikidata,
                "parameter_count": ent.parameter_count, "mention_count": len(ent.mentions),
                "market_share": None if ent.market_share is None else float(ent.market_share)}
        for name, value in want.items():
            if not isinstance(value, str) or _kuzu_decodes(value):
                assert got[name] == value, (ent.id, name)
                compared += 1
        if all(_kuzu_decodes(a) for a in ent.aliases):
            assert got["aliases"] == (list(ent.aliases) or None), ent.id
            compared += 1
    rels = run.rows("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, r.predicate, b.id, r")
    assert sorted((a, p, b) for a, p, b, _ in rels) == sorted(r.key for r in kg.relations)
    got_rel = {(a, p, b): r for a, p, b, r in rels}
    for rel in kg.relations:
        got = got_rel[rel.key]
        ev = _primary(rel)
        want = {"confidence": rel.confidence, "sentence": ev.sentence, "document": ev.doc_id,
                **document_metadata(kg, ev.doc_id, missing=None),
                "rule": ev.rule_id, "char_start": ev.start, "char_end": ev.end,
                "evidence_count": len(rel.evidence), "currency": rel.currency, "count": rel.count,
                "date": rel.date, "amount": None if rel.amount is None else float(rel.amount)}
        for name, value in want.items():
            if not isinstance(value, str) or _kuzu_decodes(value):
                assert got[name] == value, (rel.key, name)
                compared += 1
        text = json.dumps(_expected_evidence(rel, kg), ensure_ascii=False, sort_keys=True,
                          separators=(",", ":"))
        if _kuzu_decodes(text):
            assert json.loads(got["evidence"]) == _expected_evidence(rel, kg)
            compared += 1
    return compared


@pytest.fixture(scope="module")
def kuzu_mod():
    return _require("kuzu")


def test_cypher_runs_in_kuzu_and_is_idempotent(kuzu_mod, sample_kg, tmp_path):  # noqa: ANN001
    run = KuzuRun(kuzu_mod, sample_kg, tmp_path, times=2)
    try:
        assert run.skipped == 2 * (1 + len(sample_kg.entities))  # constraint + label lines
        assert run.rows("MATCH (n:Entity) RETURN count(*)") == [[len(sample_kg.entities)]]
        assert run.rows("MATCH ()-[r]->() RETURN count(*)") == [[len(sample_kg.relations)]]
        assert _compare(run, sample_kg) > 10 * len(sample_kg.relations)
        got = run.rows("MATCH (o:Entity)-[:PARTNER_IN]->(p:Entity {id: 'stargate'}) RETURN o.id ORDER BY o.id")
        assert got == [["openai"], ["oracle"], ["softbank-group"]]
    finally:
        run.close()


def test_cypher_hostile_runs_in_kuzu_twice(kuzu_mod, hostile, tmp_path):  # noqa: ANN001
    run = KuzuRun(kuzu_mod, hostile, tmp_path, times=2)
    try:
        assert run.rows("MATCH (n:Entity) RETURN count(*)") == [[len(hostile.entities)]]
        assert run.rows("MATCH ()-[r]->() RETURN count(*)") == [[len(hostile.relations)]]
        assert _compare(run, hostile) > 50
        label = run.rows("MATCH (n:Entity {id: 'obrien-bob-ltd'}) RETURN n.label")
        assert label == [['O\'Brien "Bob" \\ Ltd.']]
    finally:
        run.close()


def test_cypher_matches_kuzu_bundle(kuzu_mod, sample_kg, tmp_path):  # noqa: ANN001
    # two independent paths into Kùzu (this script, the CSV bundle) give the same graph
    (tmp_path / "script").mkdir()
    run = KuzuRun(kuzu_mod, sample_kg, tmp_path / "script", times=1)
    bundle = tmp_path / "bundle"
    exporters.export(sample_kg, "kuzu", bundle)
    db = kuzu_mod.Database(str(tmp_path / "bundle-db"))
    conn = kuzu_mod.Connection(db)
    cwd = Path.cwd()
    os.chdir(bundle)
    try:
        conn.execute((bundle / "schema.cypher").read_text(encoding="utf-8"))
        conn.execute((bundle / "load.cypher").read_text(encoding="utf-8"))
    finally:
        os.chdir(cwd)

    def bundle_rows(q: str) -> list:
        res = conn.execute(q)
        out = []
        while res.has_next():
            out.append(res.get_next())
        return out

    def flat(rows_of) -> dict:  # noqa: ANN001
        out = {}
        for (n,) in rows_of("MATCH (n:Entity) RETURN n"):
            out.update({(n["id"], k): v for k, v in n.items() if not k.startswith("_") and k != "labels"})
        for a, t, b, r in rows_of("MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id, label(r), b.id, r"):
            out.update({(a, t, b, k): v for k, v in r.items() if not k.startswith("_")})
        return out

    try:
        script, csv = flat(run.rows), flat(bundle_rows)
        assert script.keys() == csv.keys()
        compared = 0
        for key, value in csv.items():
            if isinstance(value, str) and not _kuzu_decodes(value):
                continue  # a \n or \uXXXX escape: Kùzu's string literals differ from Neo4j's
            assert script[key] == value, key
            compared += 1
        assert compared > 0.9 * len(csv)
    finally:
        conn.close()
        db.close()
        run.close()


# --- determinism -----------------------------------------------------------------------

def test_cypher_deterministic(hostile, sample_kg):  # noqa: ANN001
    for kg in (hostile, sample_kg):
        first = generate_cypher(kg)
        assert exporters.export(kg, "cypher") == first
        for seed in range(3):
            assert generate_cypher(_shuffled(kg, seed)) == first


def test_cypher_registered():
    exp = exporters.get("cypher")
    assert (exp.suffix, exp.bundle) == (".cypher", False)
    assert exp.default_path(Path("out")) == Path("out/graph.cypher")
