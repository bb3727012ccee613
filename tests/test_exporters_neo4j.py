"""Neo4j import bundle: structure, RFC 4180, escaping and what an import would store.

No Neo4j server can run here, so the import is emulated: an independent strict
RFC 4180 reader, the header typing and array splitting rules of
``neo4j-admin database import`` and the restores in ``post-import.cypher``
give the values Neo4j would store; they must equal the source graph. The
Cypher files are checked with a real Cypher parser (graphglot, Neo4j dialect).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from decimal import Decimal

import pytest

from conftest import document_metadata, hostile_graphdb_kg

from graph import exporters
from graph.exporters.tabular import csv_field, csv_table, neutralise, pick_array_delimiter, unneutralise, upper_snake
from graph.exporters.neo4j import generate_neo4j, import_command
from graph.model import PREDICATES, Evidence, KnowledgeGraph, Relation, superclasses
from conftest import require as _require

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")





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


# --- an independent, strict RFC 4180 reader that keeps "quoted or not" --------------------

def read_rfc4180(data: bytes) -> list[list[tuple[str, bool]]]:
    """Parse CSV (CRLF records) into rows of (text, was_quoted); raise on any violation."""
    text = data.decode("utf-8")
    assert not text.startswith("\ufeff"), "no BOM"
    rows: list[list[tuple[str, bool]]] = []
    row: list[tuple[str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == '"':
            j, buf = i + 1, []
            while True:
                if j >= n:
                    raise ValueError(f"unterminated quoted field at {i}")
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    break
                buf.append(text[j])
                j += 1
            row.append(("".join(buf), True))
            i = j + 1
        else:
            j = i
            while j < n and text[j] not in ',\r\n':
                if text[j] == '"':
                    raise ValueError(f"quote inside an unquoted field at {j}")
                j += 1
            row.append((text[i:j], False))
            i = j
        if text.startswith(",", i):
            i += 1
            if i == n:
                raise ValueError("file ends after a ','")
        elif text.startswith("\r\n", i):
            rows.append(row)
            row = []
            i += 2
        elif i < n:
            raise ValueError(f"expected ',' or CRLF at {i}, got {text[i]!r}")
    if row:
        raise ValueError("last record does not end with CRLF")
    return rows


# --- emulate neo4j-admin import + post-import.cypher ------------------------------------

_RESTORE = re.compile(r"^MATCH (?:\(n:Entity\)|\(\)-\[r\]->\(\)) WHERE "
                      r"(?:any\(a IN n\.(\w+) WHERE|([nr])\.(\w+) STARTS WITH)")


def restored_properties(post: str) -> set[tuple[str, str]]:
    """(scope, property) pairs that post-import.cypher restores."""
    out = set()
    for line in post.splitlines():
        m = _RESTORE.match(line)
        if m:
            out.add(("node", m.group(1)) if m.group(1) else ("node" if m.group(2) == "n" else "rel", m.group(3)))
    return out


def emulate_import(files: dict[str, bytes]) -> tuple[dict[str, dict], dict[tuple[str, str, str], dict]]:
    """Return what Neo4j would store: nodes by id, relationships by (start, TYPE, end)."""
    delim = re.search(r"--array-delimiter=(?:'(.)'|U\+([0-9A-F]{4}))", files["README.md"].decode())
    assert delim, "README names the array delimiter"
    d = delim.group(1) or chr(int(delim.group(2), 16))
    restored = restored_properties(files["post-import.cypher"].decode())

    def convert(scope: str, name: str, kind: str, cell: tuple[str, bool]) -> object:
        text, quoted = cell
        if text == "" and not quoted:
            return None  # empty field: the property is not set
        fix = (lambda s: unneutralise(s)) if (scope, name) in restored else (lambda s: s)  # noqa: E731
        if kind == "string[]":
            return [fix(v) for v in text.split(d)]
        if kind == "string":
            return fix(text)
        if kind == "long":
            return int(text)
        if kind == "double":
            return float(text)
        raise AssertionError(f"unexpected header type {kind!r}")

    def table(data: bytes, scope: str) -> list[dict]:
        rows = read_rfc4180(data)
        header = [h for h, _ in rows[0]]
        out = []
        for row in rows[1:]:
            assert len(row) == len(header)
            rec: dict = {}
            for h, cell in zip(header, row, strict=True):
                if h == ":LABEL":
                    rec[":LABEL"] = cell[0].split(d)
                elif h in (":START_ID", ":END_ID", ":TYPE"):
                    rec[h] = cell[0]
                elif h == "id:ID":
                    rec["id"] = cell[0]
                else:
                    name, kind = h.split(":")
                    value = convert(scope, name, kind, cell)
                    if value is not None:
                        rec[name] = value
            out.append(rec)
        return out

    nodes = {r["id"]: r for r in table(files["nodes.csv"], "node")}
    rels = {(r.pop(":START_ID"), r.pop(":TYPE"), r.pop(":END_ID")): r
            for r in table(files["relationships.csv"], "rel")}
    return nodes, rels


def _primary(rel: Relation) -> Evidence:
    return sorted(rel.evidence, key=lambda e: (-e.confidence, e.doc_id, e.start, e.end, e.rule_id))[0]


def _expected_evidence(rel: Relation, kg: KnowledgeGraph) -> list[dict]:
    return sorted(({"confidence": e.confidence, "document": e.doc_id, "end": e.end, "rule": e.rule_id,
                    "sentence": e.sentence, "start": e.start, **document_metadata(kg, e.doc_id)}
                   for e in rel.evidence),
                  key=lambda d: (d["document"], d["start"], d["end"], d["rule"], d["sentence"]))


def _assert_import_equals(kg: KnowledgeGraph) -> None:
    nodes, rels = emulate_import(generate_neo4j(kg))
    assert sorted(nodes) == [e.id for e in kg.entities]
    for ent in kg.entities:
        want = {"id": ent.id, ":LABEL": [*superclasses(ent.type), "Entity"], "label": ent.label,
                "type": ent.type, "mention_count": len(ent.mentions)}
        if ent.aliases:
            want["aliases"] = list(ent.aliases)
        for name in ("wikidata", "parameter_count", "market_share"):
            value = getattr(ent, name)
            if value is not None:
                want[name] = float(value) if isinstance(value, Decimal) else value
        assert nodes[ent.id] == want, ent.id
    assert len(rels) == len(kg.relations)
    for rel in kg.relations:
        got = dict(rels[(rel.subject, upper_snake(rel.predicate), rel.object)])
        assert json.loads(got.pop("evidence")) == _expected_evidence(rel, kg)
        ev = _primary(rel)
        want = {"predicate": rel.predicate, "confidence": rel.confidence, "sentence": ev.sentence,
                "document": ev.doc_id, "rule": ev.rule_id, "char_start": ev.start, "char_end": ev.end,
                "evidence_count": len(rel.evidence), **document_metadata(kg, ev.doc_id)}
        for name in ("amount", "currency", "count", "date"):
            value = getattr(rel, name)
            if value is not None:
                want[name] = float(value) if isinstance(value, Decimal) else value
        assert got == want, rel.key


# --- tests ---------------------------------------------------------------------------

def test_neo4j_files_and_headers(sample_kg):  # noqa: ANN001
    files = generate_neo4j(sample_kg)
    assert sorted(files) == ["README.md", "nodes.csv", "post-import.cypher", "relationships.csv"]
    nodes = read_rfc4180(files["nodes.csv"])
    rels = read_rfc4180(files["relationships.csv"])
    assert [h for h, _ in nodes[0]] == [
        "id:ID", ":LABEL", "label:string", "type:string", "aliases:string[]", "wikidata:string",
        "parameter_count:long", "market_share:double", "mention_count:long"]
    assert [h for h, _ in rels[0]] == [
        ":START_ID", ":END_ID", ":TYPE", "predicate:string", "confidence:double", "sentence:string",
        "document:string", "document_title:string", "document_date:string", "document_url:string",
        "rule:string", "char_start:long", "char_end:long", "evidence_count:long",
        "evidence:string", "amount:double", "currency:string", "count:long", "date:string"]
    assert len(nodes) - 1 == len(sample_kg.entities)
    assert len(rels) - 1 == len(sample_kg.relations)
    labels = {row[0][0]: row[1][0] for row in nodes[1:]}
    assert labels["nvidia"] == "Company;Organization;Entity"
    assert labels["h800"] == "Chip;Product;Entity"
    types = {(r[0][0], r[2][0], r[1][0]) for r in rels[1:]}
    assert ("openai", "PARTNER_IN", "stargate") in types
    assert ("nvidia", "SUPPLIER_OF", "h800") in types


def test_neo4j_relationship_types_upper_snake():
    want = ["PARTNER_IN", "SUPPLIER_OF", "MANUFACTURER_OF", "USES", "DEVELOPER_OF", "TRAINED_ON",
            "HEADQUARTERED_IN", "LOCATED_IN", "INVESTS_IN", "BACKER_OF", "DISTRIBUTOR_OF",
            "COMPETITOR_OF", "SUBSIDIARY_OF", "ACQUIRED", "FOUNDED_BY", "EMPLOYEE_OF", "CEO_OF",
            "RESTRICTS"]
    assert [upper_snake(p) for p in PREDICATES] == want


def test_neo4j_import_sample_equals_graph(sample_kg):  # noqa: ANN001
    _assert_import_equals(sample_kg)


def test_neo4j_import_hostile_equals_graph(hostile):  # noqa: ANN001
    _assert_import_equals(hostile)


def test_neo4j_no_cell_starts_a_formula(hostile, sample_kg):  # noqa: ANN001
    checked = 0
    for kg in (hostile, sample_kg):
        files = generate_neo4j(kg)
        d = pick_array_delimiter(e for ent in kg.entities for e in (*ent.aliases, *superclasses(ent.type)))
        for name in ("nodes.csv", "relationships.csv"):
            rows = read_rfc4180(files[name])
            header = [h for h, _ in rows[0]]
            for row in rows[1:]:
                for h, (text, _) in zip(header, row, strict=True):
                    if h.endswith(":string"):
                        assert not text.startswith(TRIGGERS), (name, h, text)
                        checked += 1
                    elif h.endswith(":string[]"):  # and each element of an array
                        assert not any(v.startswith(TRIGGERS) for v in text.split(d)), (name, h, text)
    assert checked > 100


def test_neo4j_ids_and_numbers_untouched(hostile):  # noqa: ANN001
    files = generate_neo4j(hostile)
    rels = read_rfc4180(files["relationships.csv"])
    header = [h for h, _ in rels[0]]
    row = next(r for r in rels[1:] if r[2][0] == "SUPPLIER_OF")
    cell = dict(zip(header, (t for t, _ in row), strict=True))
    assert (cell["amount:double"], cell["count:long"]) == ("-5.5", "-3")  # negative numbers load
    assert cell["document:string"] == "'-draft,1"  # a string property is neutralised...
    assert cell[":START_ID"] == "obrien-bob-ltd"  # ...an id never is
    big = next(r for r in rels[1:] if r[2][0] == "TRAINED_ON")
    assert dict(zip(header, (t for t, _ in big), strict=True))["amount:double"] == "1" + "0" * 20


def test_neo4j_rfc4180_quoting(hostile):  # noqa: ANN001
    data = generate_neo4j(hostile)
    nodes = data["nodes.csv"].decode()
    rels = data["relationships.csv"].decode()
    assert '"O\'Brien ""Bob"" \\ Ltd."' in nodes  # quotes doubled, backslash as is
    assert '"Project ""X""\nsecond line"' in nodes  # LF inside a quoted field
    assert '"  spaced, ""quoted""  \\"' in nodes  # spaces kept, ends in a backslash
    assert "\r\n" in rels
    # every record ends with CRLF and the strict reader accepts both files
    for name in ("nodes.csv", "relationships.csv"):
        assert data[name].endswith(b"\r\n")
        read_rfc4180(data[name])
    assert csv_field("") == '""' and csv_field(None) == ""  # "" is text, empty is no value


def test_neo4j_array_delimiter_avoids_data(hostile, sample_kg):  # noqa: ANN001
    # the hostile aliases contain ';' and '|', so neither can be the delimiter
    files = generate_neo4j(hostile)
    readme = files["README.md"].decode()
    assert "--array-delimiter=U+00A6" in readme
    assert "Company\u00a6Organization\u00a6Entity" in files["nodes.csv"].decode()
    assert "--array-delimiter=';'" in generate_neo4j(sample_kg)["README.md"].decode()
    assert pick_array_delimiter(["a;b", "c|d", "e\u00a6f"]) == "\u001f"


def test_neo4j_readme_has_exact_command(sample_kg):  # noqa: ANN001
    readme = generate_neo4j(sample_kg)["README.md"].decode()
    command = import_command(";")
    assert command in readme
    assert command.startswith('"$NEO4J_HOME"/bin/neo4j-admin database import full neo4j ')
    for opt in ("--nodes=nodes.csv", "--relationships=relationships.csv", "--delimiter=','",
                "--array-delimiter=';'", "--quote='\"'", "--multiline-fields=true",
                "--legacy-style-quoting=false", "--id-type=string"):
        assert opt in command
    assert "cypher-shell -d neo4j -f post-import.cypher" in readme


def test_neo4j_post_import_parses_as_cypher(hostile, sample_kg):  # noqa: ANN001
    dialect = _require("graphglot.dialect").Dialect.get_or_raise("neo4j")
    for kg in (hostile, sample_kg):
        post = generate_neo4j(kg)["post-import.cypher"].decode()
        statements = [s for s in post.splitlines() if s and not s.startswith("//")]
        assert statements[0].startswith("CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity)")
        for stmt in statements:
            result = dialect.validate(stmt.rstrip(";"))
            assert result.success, (stmt, result.diagnostics)
    restored = restored_properties(generate_neo4j(hostile)["post-import.cypher"].decode())
    assert {("node", "label"), ("node", "aliases"), ("rel", "sentence"), ("rel", "document")} <= restored


def test_neo4j_readme_queries_parse(sample_kg):  # noqa: ANN001
    dialect = _require("graphglot.dialect").Dialect.get_or_raise("neo4j")
    readme = generate_neo4j(sample_kg)["README.md"].decode()
    block = readme.split("```cypher\n", 1)[1].split("```", 1)[0]
    queries = [q.strip() for q in block.split(";\n") if q.strip()]
    assert len(queries) == 4
    for q in queries:
        assert dialect.validate(q).success, q


def test_neo4j_neutralise_is_reversible():
    for s in ["=1+1", "+1", "-1", "@x", "\tx", "\rx", "'x", "''x", "x", "", "=", "'"]:
        assert unneutralise(neutralise(s)) == s
        assert not neutralise(s).startswith(TRIGGERS)


def test_neo4j_csv_table_rejects_ragged_rows():
    with pytest.raises(ValueError, match="2 fields, header has 1"):
        csv_table(["a"], [["x", "y"]])


def test_neo4j_deterministic(hostile, sample_kg):  # noqa: ANN001
    for kg in (hostile, sample_kg):
        first = generate_neo4j(kg)
        assert exporters.export(kg, "neo4j") == first
        for seed in range(3):
            assert generate_neo4j(_shuffled(kg, seed)) == first


def test_neo4j_written_as_folder(hostile, tmp_path):  # noqa: ANN001
    out = tmp_path / "neo4j"
    exporters.export(hostile, "neo4j", out)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "nodes.csv", "post-import.cypher",
                                                     "relationships.csv"]
    assert exporters.get("neo4j").bundle
