"""GraphML: read back with NetworkX and with igraph, compared with the source graph."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import networkx as nx
import pytest

from conftest import document_metadata, hostile_graphdb_kg

from graph import exporters
from graph.exporters.graphml import ALIAS_SEPARATOR, generate_graphml
from graph.model import Evidence, KnowledgeGraph, Relation, superclasses
from conftest import require as _require

NS = "{http://graphml.graphdrawing.org/xmlns}"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")





def _shuffled(kg: KnowledgeGraph, seed: int) -> KnowledgeGraph:
    rnd = random.Random(seed)
    ents = list(kg.entities)
    rnd.shuffle(ents)
    rels = [dataclasses.replace(r, evidence=tuple(rnd.sample(r.evidence, len(r.evidence))))
            for r in kg.relations]
    rnd.shuffle(rels)
    return KnowledgeGraph(documents=kg.documents, entities=tuple(ents), relations=tuple(rels),
                          mentions_by_doc=kg.mentions_by_doc)


def _xml(text: str) -> str:
    """What GraphML can carry of a string: XML-forbidden characters become U+FFFD."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def _primary(rel: Relation) -> Evidence:
    return sorted(rel.evidence, key=lambda e: (-e.confidence, e.doc_id, e.start, e.end, e.rule_id))[0]


def _expected_evidence(rel: Relation, kg: KnowledgeGraph) -> list[dict]:
    return sorted(({"confidence": e.confidence, "document": e.doc_id, "end": e.end, "rule": e.rule_id,
                    "sentence": e.sentence, "start": e.start, **document_metadata(kg, e.doc_id)}
                   for e in rel.evidence),
                  key=lambda d: (d["document"], d["start"], d["end"], d["rule"], d["sentence"]))


@pytest.fixture(scope="module")
def hostile() -> KnowledgeGraph:
    return hostile_graphdb_kg()


def _write(kg: KnowledgeGraph, folder: Path) -> Path:
    path = folder / "graph.graphml"
    exporters.export(kg, "graphml", path)
    return path


def _check_networkx(kg: KnowledgeGraph, path: Path) -> None:
    g = nx.read_graphml(path, force_multigraph=True)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(kg.entities)
    assert g.number_of_edges() == len(kg.relations)
    assert sorted(g.nodes) == [e.id for e in kg.entities]
    assert sorted(g.edges(keys=True)) == sorted((r.subject, r.object, r.predicate) for r in kg.relations)
    for ent in kg.entities:
        data = g.nodes[ent.id]
        assert data["label"] == _xml(ent.label)
        assert data["type"] == ent.type
        assert data["labels"] == "".join(f":{c}" for c in (*superclasses(ent.type), "Entity"))
        assert json.loads(data["aliases_json"]) == [_xml(a) for a in ent.aliases]
        assert data["aliases"] == ALIAS_SEPARATOR.join(_xml(a) for a in ent.aliases)
        assert data["mention_count"] == len(ent.mentions)
        # None is an absent <data>: the key is missing, not "None" or ""
        for name, value in (("wikidata", ent.wikidata), ("parameter_count", ent.parameter_count),
                            ("market_share", ent.market_share)):
            if value is None:
                assert name not in data, (ent.id, name)
            else:
                assert data[name] == (float(value) if isinstance(value, Decimal) else value)
    for rel in kg.relations:
        data = g.edges[rel.subject, rel.object, rel.predicate]
        ev = _primary(rel)
        assert data["predicate"] == data["key"] == rel.predicate
        assert data["confidence"] == rel.confidence
        assert data["rule"] == _xml(ev.rule_id)
        assert data["document"] == _xml(ev.doc_id)
        for name in ("document_title", "document_date", "document_url"):
            value = document_metadata(kg, ev.doc_id, missing=None)[name]
            assert data.get(name) == (None if value is None else _xml(value)), (rel.key, name)
        assert data["sentence"] == _xml(ev.sentence)
        assert (data["char_start"], data["char_end"]) == (ev.start, ev.end)
        assert data["evidence_count"] == len(rel.evidence)
        assert json.loads(data["evidence"]) == _expected_evidence(rel, kg)  # JSON escapes: exact
        for name, value in (("amount", rel.amount), ("currency", rel.currency), ("count", rel.count),
                            ("date", rel.date)):
            if value is None:
                assert name not in data
            else:
                assert data[name] == (float(value) if isinstance(value, Decimal) else value)


def _check_igraph(kg: KnowledgeGraph, path: Path) -> None:
    ig = _require("igraph")
    g = ig.Graph.Read_GraphML(str(path))
    assert g.is_directed()
    assert (g.vcount(), g.ecount()) == (len(kg.entities), len(kg.relations))
    ids = g.vs["id"]
    assert ids == [e.id for e in kg.entities]
    for v, ent in zip(g.vs, kg.entities, strict=True):
        assert v["label"] == _xml(ent.label)
        assert v["type"] == ent.type
        assert json.loads(v["aliases_json"]) == [_xml(a) for a in ent.aliases]
        assert v["wikidata"] == (ent.wikidata or "")  # igraph reads a missing string as ""
        if ent.parameter_count is None:
            assert v["parameter_count"] != v["parameter_count"]  # nan
        else:
            assert v["parameter_count"] == ent.parameter_count
    edges = Counter((ids[e.source], ids[e.target], e["predicate"]) for e in g.es)
    assert edges == Counter((r.subject, r.object, r.predicate) for r in kg.relations)
    by_key = {(ids[e.source], e["predicate"], ids[e.target]): e for e in g.es}
    for rel in kg.relations:
        e = by_key[rel.key]
        assert e["confidence"] == rel.confidence
        assert e["sentence"] == _xml(_primary(rel).sentence)
        assert json.loads(e["evidence"]) == _expected_evidence(rel, kg)


def test_graphml_networkx_sample(sample_kg, tmp_path):  # noqa: ANN001
    _check_networkx(sample_kg, _write(sample_kg, tmp_path))


def test_graphml_igraph_sample(sample_kg, tmp_path):  # noqa: ANN001
    _check_igraph(sample_kg, _write(sample_kg, tmp_path))


def test_graphml_networkx_hostile(hostile, tmp_path):  # noqa: ANN001
    _check_networkx(hostile, _write(hostile, tmp_path))


def test_graphml_igraph_hostile(hostile, tmp_path):  # noqa: ANN001
    _check_igraph(hostile, _write(hostile, tmp_path))


def test_graphml_hostile_spot_checks(hostile, tmp_path):  # noqa: ANN001
    g = nx.read_graphml(_write(hostile, tmp_path), force_multigraph=True)
    assert g.nodes["obrien-bob-ltd"]["label"] == 'O\'Brien "Bob" \\ Ltd.'
    assert g.nodes["stargate-x"]["label"] == 'Project "X"\nsecond line'
    assert g.nodes["rocket"]["label"] == "Rocket 🚀 \u200fمرحبا\u200f zw\u200bj\u200d \u202eevil\u202c"
    assert g.nodes["formula"]["label"] == '=HYPERLINK("http://x")'  # XML: no neutralising
    assert g.nodes["ctrl"]["label"] == "bell\ufffd unit\ufffd sep, tag\U000e0041 end"
    ev = json.loads(g.edges["obrien-bob-ltd", "trailing", "supplierOf"]["evidence"])
    assert ev[0]["sentence"] == 'Line one, "quoted"\nline two\r\nand a tab\there.'  # CR kept
    assert g.edges["obrien-bob-ltd", "trailing", "supplierOf"]["amount"] == -5.5


def test_graphml_structure(hostile):  # noqa: ANN001
    root = ET.fromstring(generate_graphml(hostile))
    keys = {k.get("id"): k for k in root.iter(f"{NS}key")}
    for k in keys.values():
        assert k.get("id") == k.get("attr.name")
        assert k.get("attr.type") in {"string", "long", "double"}
    graph = root.find(f"{NS}graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    for el in graph:
        for data in el.iter(f"{NS}data"):
            assert keys[data.get("key")].get("for") == el.tag.removeprefix(NS)
    # APOC readLabels: the relationship type is the edge's `label` attribute
    types = {(e.get("source"), e.get("target")): e.get("label") for e in graph.iter(f"{NS}edge")}
    assert types[("obrien-bob-ltd", "trailing")] == "SUPPLIER_OF"
    assert types[("obrien-bob-ltd", "plain")] == "HEADQUARTERED_IN"
    assert types[("ctrl", "formula")] == "COMPETITOR_OF"
    assert all(e.get("id") is None for e in graph.iter(f"{NS}edge"))  # key comes from data "key"


def test_graphml_empty_graph():
    g = nx.read_graphml(__import__("io").BytesIO(generate_graphml(KnowledgeGraph())))
    assert g.number_of_nodes() == 0


def test_graphml_deterministic(hostile, sample_kg):  # noqa: ANN001
    for kg in (hostile, sample_kg):
        first = generate_graphml(kg)
        assert exporters.export(kg, "graphml") == first
        for seed in range(3):
            assert generate_graphml(_shuffled(kg, seed)) == first


def test_graphml_registered():
    exp = exporters.get("graphml")
    assert (exp.suffix, exp.media_type, exp.bundle) == (".graphml", "application/graphml+xml", False)
    assert exporters.for_suffix(".graphml") is exp
