"""ontology/shapes.ttl against its fixtures and against the real sample graph.

``tests/data/shapes/valid.ttl`` conforms; each ``invalid/<Shape>.ttl``
violates exactly the node shape it is named after (the owning shape of
every result's ``sh:sourceShape``: a property shape belongs to the node
shape that lists it with ``sh:property``).
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from conftest import DATA
from graph.rdf.convert import to_rdf
from graph.resources import ontology_path
from graph.rdf.validate import validate

SHAPES_DIR = DATA / "shapes"
INVALID = sorted((SHAPES_DIR / "invalid").glob("*.ttl"))
EKGSH = "https://w3id.org/entity-kg/shapes#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(ontology_path("shapes.ttl"), format="turtle")


def owning_shape(shapes: Graph, src: URIRef) -> str:
    owner = shapes.value(None, SH.property, src) or src
    return str(owner).removeprefix(EKGSH)


def test_shapes_every_node_shape_has_an_invalid_fixture(shapes):
    node_shapes = {str(s).removeprefix(EKGSH) for s in shapes.subjects(RDF.type, SH.NodeShape)
                   if isinstance(s, URIRef)}
    assert node_shapes == {p.stem for p in INVALID}


def test_shapes_valid_fixture_conforms():
    report = validate(SHAPES_DIR / "valid.ttl")
    assert report.conforms, report.format()
    assert report.violations == ()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_shapes_invalid_fixture_fails_with_its_shape(path: Path):
    report = validate(path)
    assert not report.conforms
    assert report.shapes == (path.stem,), report.format()
    for v in report.violations:
        assert v.source_shape == path.stem or v.source_shape.startswith(path.stem + "-")


@pytest.mark.slow
@pytest.mark.parametrize("path", [SHAPES_DIR / "valid.ttl", *INVALID],
                         ids=["valid", *(p.stem for p in INVALID)])
@pytest.mark.slow
def test_shapes_reference_pyshacl_run_agrees(shapes, path: Path):
    """Plain pySHACL on an rdflib graph, ont_graph kg.ttl, no inference: same verdict and shapes.

    graph.rdf.validate runs the same shapes on an Oxigraph store (for speed); this
    is the reference it must agree with.
    """
    ont = Graph().parse(ontology_path("kg.ttl"), format="turtle")
    data = Graph().parse(path, format="turtle")
    conforms, results, _text = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="none")
    owners = {owning_shape(shapes, s) for s in results.objects(None, SH.sourceShape)}
    report = validate(path)
    assert conforms == report.conforms
    assert owners == set(report.shapes)
    if path.parent.name == "invalid":
        assert owners == {path.stem}


def test_shapes_inference_would_hide_a_range_error(shapes):
    """Why validation runs without inference: RDFS repairs a wrong range type."""
    ont = Graph().parse(ontology_path("kg.ttl"), format="turtle")
    data = Graph().parse(SHAPES_DIR / "invalid" / "TrainedOnShape.ttl", format="turtle")
    conforms_rdfs, results, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ont, inference="rdfs")
    owners = {owning_shape(shapes, s) for s in results.objects(None, SH.sourceShape)}
    # RDFS infers that the wrong object is a Chip: only a class clash is left
    assert not conforms_rdfs and owners == {"EntityShape"}
    assert validate(data).shapes == ("TrainedOnShape",)


def test_shapes_sample_graph_conforms(sample_kg):
    report = validate(to_rdf(sample_kg))
    assert report.conforms, report.format()
    assert report.triples == len(to_rdf(sample_kg)) > 100


def test_shapes_small_graph_conforms(small_kg):
    report = validate(to_rdf(small_kg))
    assert report.conforms, report.format()


def test_shapes_gazetteer_qids_are_documented_and_conform():
    """Every Wikidata QID in the gazetteer has its check in WIKIDATA.md; sameAs conforms."""
    import json
    import re

    from graph.model import Entity, KnowledgeGraph
    from graph.resources import pattern_path

    rows = {}
    for line in pattern_path("WIKIDATA.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `([a-z0-9-]+)` \| [^|]+ \| (Q[0-9]+) \| .+\| \[.+\]\(https://", line)
        if m:
            rows[m.group(1)] = m.group(2)
    entries = [json.loads(line) for line in pattern_path("gazetteer.jsonl").read_text(encoding="utf-8").splitlines()]
    with_qid = {e["id"]: e["wikidata"] for e in entries if "wikidata" in e}
    assert with_qid == rows
    for e in entries:
        assert list(e) in (["id", "label", "type", "aliases"], ["id", "label", "type", "aliases", "wikidata"])
    kg = KnowledgeGraph(entities=tuple(Entity(id=e["id"], type=e["type"], label=e["label"], wikidata=e["wikidata"])
                                       for e in entries if "wikidata" in e))
    assert validate(to_rdf(kg)).conforms
