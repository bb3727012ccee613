"""Score a built graph against gold facts (the ``kg eval`` engine).

Matching is the project's acceptance matching (``shared/tools/kg_score.py``):
the graph is read as any user reads it — ``rdfs:label``/``skos:altLabel``
give names, ``rdf:type ekg:Class`` gives types, a triple ``s ekg:p o``
between two typed entity nodes is a relation; names compare with case,
possessive, hyphens and legal suffixes folded; symmetric predicates match
either way.

Gold format (JSON)::

    {"document": "corpus/article.txt",
     "entities": [{"label": "Nvidia", "type": "Company", "aliases": ["Nvidia Corp."]}, ...],
     "relations": [["Nvidia", "supplierOf", "H800"], ...],
     "forbidden_relations": [["Caixin", "partnerIn", "Stargate Project"], ...]}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from graph.errors import InputError
from graph.model import SUPERCLASS, SYMMETRIC_PREDICATES

EKG = "https://w3id.org/entity-kg/ontology#"
NOT_ENTITY = {"Document", "Assertion", "Statement", "Evidence", "Mention"}
_LEGAL = r"(inc|corp|corporation|co|ltd|limited|llc|plc|group|holding|holdings|company|ag|sa|nv|gmbh)"


def norm(name: str) -> str:
    """Fold a name for matching (case, possessive, hyphens, legal suffix).

    Examples:
        >>> norm("Meta Platforms Inc.")
        'meta platforms'
        >>> norm("open-source")
        'open source'
    """
    s = name.lower().replace("\u2019", "'")
    s = re.sub(r"'s\b", "", s)
    s = s.replace("-", " ")
    s = re.sub(r"[^\w\s+.&]", " ", s)
    s = re.sub(r"\.(?=\s|$)", " ", s)
    words = s.split()
    while len(words) > 1 and re.fullmatch(_LEGAL, words[-1].strip(".")):
        words.pop()
    if words and words[0] == "the" and len(words) > 1:
        words = words[1:]
    return " ".join(w.strip(".") for w in words)


def _type_ok(pred_types: set[str], gold_type: str) -> bool:
    def ups(t: str) -> set[str]:
        out = {t}
        while t in SUPERCLASS:
            t = SUPERCLASS[t]
            out.add(t)
        return out

    return any(gold_type in ups(t) for t in pred_types)


@dataclass
class DocScore:
    """Scores of one document (counts; see :attr:`relation_prf`)."""

    document: str
    ent_gold: int = 0
    ent_found: int = 0
    ent_typed: int = 0
    #: entities built, and those whose label or an alias matches a gold entity
    ent_pred: int = 0
    ent_matched: int = 0
    rel_gold: int = 0
    rel_pred: int = 0
    rel_tp: int = 0
    forbidden_hit: list[tuple[str, str, str]] = field(default_factory=list)
    missed_entities: list[str] = field(default_factory=list)
    mistyped_entities: list[str] = field(default_factory=list)
    missed_relations: list[tuple[str, str, str]] = field(default_factory=list)
    extra_relations: list[tuple[str, str, str]] = field(default_factory=list)
    unmatched_entities: list[str] = field(default_factory=list)

    @property
    def relation_prf(self) -> tuple[float, float, float]:
        return prf(self.rel_tp, self.rel_pred, self.rel_gold)

    @property
    def entity_precision(self) -> float:
        """The share of built entities whose label or an alias matches a gold entity."""
        return self.ent_matched / self.ent_pred if self.ent_pred else 0.0


def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (0 when undefined)."""
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_gold(path: Path) -> dict[str, Any]:
    """Read and check a gold file.

    Raises:
        InputError: not JSON, or missing ``entities``/``relations``.
    """
    try:
        gold = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"cannot read gold file: {err}", path=str(path)) from err
    except json.JSONDecodeError as err:
        raise InputError(f"not JSON: {err.msg}", path=str(path), line=err.lineno) from err
    except RecursionError as err:
        raise InputError("JSON nested too deeply to be a gold file", path=str(path)) from err
    if not isinstance(gold, dict) or not isinstance(gold.get("entities"), list) or not isinstance(gold.get("relations"), list):
        raise InputError("gold file needs 'entities' and 'relations' lists", path=str(path))
    return gold


def read_graph(g: Graph) -> tuple[dict[Any, dict[str, set[str]]], set[tuple[Any, str, Any]]]:
    """Return typed entity nodes (types, names) and relation triples of an RDF graph."""
    nodes: dict[Any, dict[str, set[str]]] = {}
    for s, _, o in g.triples((None, RDF.type, None)):
        if isinstance(o, URIRef) and str(o).startswith(EKG):
            cls = str(o)[len(EKG):]
            if cls in NOT_ENTITY:
                continue
            nodes.setdefault(s, {"types": set(), "names": set()})["types"].add(cls)
    for node, info in nodes.items():
        for p in (RDFS.label, SKOS.prefLabel, SKOS.altLabel):
            for lit in g.objects(node, p):
                info["names"].add(norm(str(lit)))
    triples = set()
    for s, p, o in g:
        if s in nodes and o in nodes and str(p).startswith(EKG):
            triples.add((s, str(p)[len(EKG):], o))
    return nodes, triples


def score(gold: dict[str, Any], g: Graph, *, name: str | None = None) -> DocScore:
    """Score one RDF graph against one gold document."""
    nodes, triples = read_graph(g)
    gold_ents = gold["entities"]
    index: dict[str, str] = {}
    for e in gold_ents:
        for n in [e["label"], *e.get("aliases", [])]:
            index.setdefault(norm(n), e["label"])
    node_gold = {}
    for node, info in nodes.items():
        hits = {index[n] for n in info["names"] if n in index}
        if hits:
            node_gold[node] = hits
    found, typed = set(), set()
    for e in gold_ents:
        for node, hits in node_gold.items():
            if e["label"] in hits:
                found.add(e["label"])
                if _type_ok(nodes[node]["types"], e["type"]):
                    typed.add(e["label"])
    pred_rel = set()
    for s, p, o in triples:
        for gs in node_gold.get(s, {None}):
            for go in node_gold.get(o, {None}):
                key = (gs or f"?{sorted(nodes[s]['names'])[:1]}", p, go or f"?{sorted(nodes[o]['names'])[:1]}")
                if p in SYMMETRIC_PREDICATES and gs and go:
                    key = (min(gs, go), p, max(gs, go))
                pred_rel.add(key)
    gold_rel = set()
    for s, p, o in gold["relations"]:
        gold_rel.add((min(s, o), p, max(s, o)) if p in SYMMETRIC_PREDICATES else (s, p, o))
    forbidden = {tuple(r) for r in gold.get("forbidden_relations", [])}
    tp = pred_rel & gold_rel
    return DocScore(
        document=name or gold.get("document", "?"),
        ent_gold=len(gold_ents), ent_found=len(found), ent_typed=len(typed),
        ent_pred=len(nodes), ent_matched=len(node_gold),
        rel_gold=len(gold_rel), rel_pred=len(pred_rel), rel_tp=len(tp),
        forbidden_hit=sorted(pred_rel & forbidden),
        missed_entities=sorted(e["label"] for e in gold_ents if e["label"] not in found),
        mistyped_entities=sorted(found - typed),
        missed_relations=sorted(gold_rel - pred_rel),
        extra_relations=sorted(pred_rel - gold_rel),
        unmatched_entities=sorted(min(info["names"]) if info["names"] else str(node)
                                  for node, info in nodes.items() if node not in node_gold),
    )


def total(scores: list[DocScore]) -> DocScore:
    """Micro-average: the sum of the counts."""
    t = DocScore(document="TOTAL")
    for s in scores:
        t.ent_gold += s.ent_gold
        t.ent_found += s.ent_found
        t.ent_typed += s.ent_typed
        t.ent_pred += s.ent_pred
        t.ent_matched += s.ent_matched
        t.rel_gold += s.rel_gold
        t.rel_pred += s.rel_pred
        t.rel_tp += s.rel_tp
        t.forbidden_hit += s.forbidden_hit
    return t
