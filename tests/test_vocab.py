"""graph.vocab ⇔ ontology/kg.ttl, both ways, and the model's names against the ontology."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

import graph.vocab
from graph.model import ENTITY_TYPES, PREDICATES, SUPERCLASS, SYMMETRIC_PREDICATES
from graph.resources import ontology_path
from graph.vocab import EKG, ONTOLOGY_IRI, PREFIXES

NS = PREFIXES["ekg"]
VOCAB_FILE = Path(graph.vocab.__file__)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ontology_path("kg.ttl"), format="turtle")


def _declared(ont: Graph) -> set[str]:
    """Local names of every ekg: IRI that the ontology describes as a subject."""
    return {str(s)[len(NS):] for s in set(ont.subjects()) if isinstance(s, URIRef) and str(s).startswith(NS)}


def _vocab_names() -> set[str]:
    return {n for n in EKG.__annotations__ if not n.startswith("_")}


def _kinds(ont: Graph, name: str) -> set[URIRef]:
    return set(ont.objects(EKG[name], RDF.type))


def test_vocab_every_term_is_in_ontology(ontology: Graph) -> None:
    missing = _vocab_names() - _declared(ontology)
    assert not missing, f"graph/vocab.py has terms not in ontology/kg.ttl: {sorted(missing)}"


def test_vocab_every_ontology_term_is_in_vocab(ontology: Graph) -> None:
    missing = _declared(ontology) - _vocab_names()
    assert not missing, f"ontology/kg.ttl has terms missing from graph/vocab.py: {sorted(missing)}"


def test_vocab_every_term_has_a_kind_and_label(ontology: Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty}
    for name in _vocab_names():
        assert _kinds(ontology, name) & kinds, f"ekg:{name} is neither a class nor a property"
        assert ontology.value(EKG[name], RDFS.label) is not None, f"ekg:{name} has no rdfs:label"
        assert (EKG[name], RDFS.isDefinedBy, URIRef(ONTOLOGY_IRI)) in ontology


def test_vocab_is_closed() -> None:
    assert EKG.employeeOf == URIRef(NS + "employeeOf")
    with pytest.raises(AttributeError):
        EKG.employes  # noqa: B018


def test_vocab_ontology_header(ontology: Graph) -> None:
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ontology
    assert NS == ONTOLOGY_IRI + "#"


def test_vocab_matches_generator(tmp_path: Path) -> None:
    """graph/vocab.py is the generator's output, minus the timestamp."""
    subprocess.run(
        [sys.executable, "-m", "rdflib.tools.defined_namespace_creator", "--fail",
         str(ontology_path("kg.ttl")), NS, "EKG"],
        cwd=tmp_path, check=True, capture_output=True,
    )
    fresh = (tmp_path / "_EKG.py").read_text(encoding="utf-8")
    attr = re.compile(r"^    [A-Za-z_]\w*: URIRef.*$", re.M)
    assert attr.findall(VOCAB_FILE.read_text(encoding="utf-8")) == attr.findall(fresh), (
        "graph/vocab.py is out of date; regenerate it (see its docstring)"
    )
    assert "Date:" not in VOCAB_FILE.read_text(encoding="utf-8")


def test_vocab_model_entity_types_are_classes(ontology: Graph) -> None:
    for name in ENTITY_TYPES:
        assert hasattr(EKG, name)
        assert OWL.Class in _kinds(ontology, name), f"ekg:{name} is not an owl:Class"


def test_vocab_model_superclasses_match_ontology(ontology: Graph) -> None:
    for sub, sup in SUPERCLASS.items():
        assert (EKG[sub], RDFS.subClassOf, EKG[sup]) in ontology, f"ekg:{sub} ⊑ ekg:{sup} missing"
    # and no entity class has an ekg: superclass that the model does not know
    for name in ENTITY_TYPES:
        ekg_supers = {
            str(o)[len(NS):] for o in ontology.objects(EKG[name], RDFS.subClassOf)
            if str(o).startswith(NS) and str(o)[len(NS):] in ENTITY_TYPES
        }
        assert ekg_supers <= {SUPERCLASS.get(name)}, f"ekg:{name}: {ekg_supers}"


def test_vocab_model_predicates_are_object_properties(ontology: Graph) -> None:
    for name in (*PREDICATES, "mentions"):
        assert hasattr(EKG, name)
        assert OWL.ObjectProperty in _kinds(ontology, name), f"ekg:{name} is not an owl:ObjectProperty"
        assert ontology.value(EKG[name], RDFS.domain) is not None, f"ekg:{name} has no domain"
        assert ontology.value(EKG[name], RDFS.range) is not None, f"ekg:{name} has no range"


def test_vocab_model_symmetric_predicates(ontology: Graph) -> None:
    symmetric = {str(s)[len(NS):] for s in ontology.subjects(RDF.type, OWL.SymmetricProperty)}
    assert symmetric == set(SYMMETRIC_PREDICATES)


def test_vocab_ceo_of_is_a_kind_of_employee_of(ontology: Graph) -> None:
    assert (EKG.ceoOf, RDFS.subPropertyOf, EKG.employeeOf) in ontology


@pytest.mark.parametrize("name", [
    "amount", "currency", "date", "count", "parameterCount", "marketShare",
    "sentence", "charStart", "charEnd", "rule", "confidence", "contentHash",
])
def test_vocab_data_properties(ontology: Graph, name: str) -> None:
    assert OWL.DatatypeProperty in _kinds(ontology, name)


def test_vocab_rdf_uses_only_vocab_terms(ontology: Graph, small_kg) -> None:  # noqa: ANN001
    """Every ekg: IRI that graph.rdf writes is declared in the ontology."""
    from graph.rdf.convert import to_rdf

    used = {str(t)[len(NS):] for triple in to_rdf(small_kg) for t in triple
            if isinstance(t, URIRef) and str(t).startswith(NS)}
    assert used <= _declared(ontology)
