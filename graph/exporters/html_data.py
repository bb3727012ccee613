"""The explorer page's data: what the drawing, the panel and the filters read.

:func:`page_model` turns a :class:`~graph.model.KnowledgeGraph` into plain
JSON-ready values: vis-network nodes and edges for the drawn entities (the
``max_nodes`` most connected), the details of every drawn entity and
relation, the articles (name, title, date, link), and every other entity and
relation in a compact form, so a left-out entity's panel can list its
relations and bring it into view. Evidence is one row per sentence (the rules
that read it merged), and a relation counts its articles and sentences.

No pyvis: the nodes and edges are the dictionaries vis-network's DataSets
take, so building a page imports neither pyvis nor what pyvis imports.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any

from graph.exporters.html_layout import (
    EDGE_LABELS_MAX_EDGES,
    FALLBACK_STYLE,
    IMPROVED_LAYOUT_MAX_NODES,
    NODE_SIZE,
    SEPARATE_LABELS_MAX_NODES,
    SETTLE_MS,
    SETTLE_MS_SEEDED,
    SPRING_LENGTH,
    STYLE,
    darker,
    seed_positions,
    vis_options,
)
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation

MAX_EVIDENCE = 10  # evidence sentences per relation written into the page
MAX_OMITTED_LISTED = 1000  # left-out entities listed by name in the header (all are searchable)
MAX_LABEL_CHARS = 40  # longer labels are cut on the canvas (the panel shows them whole)
MAX_LINK_DOCS = 5  # articles named per relation of the compact form

_QID = re.compile(r"(?:^|/)(Q[1-9][0-9]*)$")


def plural(n: int, word: str) -> str:
    """Return ``n word`` with the word in the plural unless ``n`` is 1.

    Examples:
        >>> plural(1, "entity"), plural(1200, "entity"), plural(0, "relation")
        ('1 entity', '1,200 entities', '0 relations')
    """
    if n == 1:
        return f"1 {word}"
    many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {many}"


def degrees(kg: KnowledgeGraph) -> Counter[str]:
    """Return the number of relations of each entity (every entity present)."""
    degree: Counter[str] = Counter({e.id: 0 for e in kg.entities})
    for r in kg.relations:
        degree[r.subject] += 1
        degree[r.object] += 1
    return degree


def select(kg: KnowledgeGraph, max_nodes: int | None, degree: Counter[str]
           ) -> tuple[list[Entity], list[Relation]]:
    """Keep the ``max_nodes`` most connected entities and the relations among them."""
    if max_nodes is None or len(kg.entities) <= max_nodes:
        return list(kg.entities), list(kg.relations)
    ranked = sorted(kg.entities, key=lambda e: (-degree[e.id], e.id))
    keep = {e.id for e in ranked[:max_nodes]}
    ents = [e for e in kg.entities if e.id in keep]
    rels = [r for r in kg.relations if r.subject in keep and r.object in keep]
    return ents, rels


def doc_name(source: str, doc_id: str) -> str:
    """Return a document's short name: its file name, else its id."""
    name = source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or doc_id


def document_entry(doc: Document) -> dict[str, str]:
    """Return what the page shows of an article: name, and title, date, URL when known."""
    out = {"name": doc_name(doc.source, doc.id)}
    for key in ("title", "date", "url"):
        value = getattr(doc, key)
        if value:
            out[key] = value
    return out


def _qid(wikidata: str | None) -> str | None:
    if not wikidata:
        return None
    m = _QID.search(wikidata.strip())
    return m.group(1) if m else None


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _node_title(ent: Entity, degree: int) -> str:
    lines = [ent.label, f"{ent.type} · {plural(degree, 'relation')}"]
    if ent.aliases:
        lines.append("also: " + "; ".join(ent.aliases))
    return "\n".join(lines)


def sentence_rows(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    """Return one row per sentence (document and text): the rules that read it merged.

    Examples:
        >>> from graph.model import Evidence
        >>> e = [Evidence(doc_id="d", start=0, end=9, sentence="A uses B.", rule_id=r, confidence=c)
        ...      for r, c in (("a_v1", 0.8), ("b_v1", 0.9))]
        >>> [(r["rules"], r["confidence"]) for r in sentence_rows(tuple(e))]
        [(['a_v1', 'b_v1'], 0.9)]
    """
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for ev in evidence:
        key = (ev.doc_id, " ".join(ev.sentence.split()))
        row = rows.get(key)
        if row is None:
            rows[key] = {"doc": ev.doc_id, "sentence": ev.sentence, "start": ev.start, "end": ev.end,
                         "rules": [ev.rule_id], "confidence": ev.confidence}
            continue
        if ev.rule_id not in row["rules"]:
            row["rules"].append(ev.rule_id)
        row["confidence"] = max(row["confidence"], ev.confidence)
        row["start"], row["end"] = min(row["start"], ev.start), max(row["end"], ev.end)
    return list(rows.values())


def _edge_title(rel: Relation, label: dict[str, str], n_articles: int, n_sentences: int) -> str:
    first = rel.evidence[0].sentence.strip()
    if len(first) > 200:
        first = first[:199] + "…"
    return (f"{label[rel.subject]} {rel.predicate} {label[rel.object]}\n"
            f"confidence {rel.confidence:.2f} · {plural(n_articles, 'article')},"
            f" {plural(n_sentences, 'sentence')}\n“{first}”")


def parallel_edges(rels: list[Relation]) -> dict[int, dict[str, Any]]:
    """Return vis options for parallel edges (relations between the same two entities).

    Each gets its own curve, so none hides another, and only the first pulls
    its ends together in the simulation, so the pair is not drawn too short.
    """
    by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, r in enumerate(rels):
        by_pair[(min(r.subject, r.object), max(r.subject, r.object))].append(i)
    extra: dict[int, dict[str, Any]] = {}
    for (a, _b), idxs in by_pair.items():
        if len(idxs) < 2:
            continue
        for k, i in enumerate(idxs):
            clockwise = k % 2 == 0
            if rels[i].subject != a:  # drawn in the other direction: mirror
                clockwise = not clockwise
            extra[i] = {"smooth": {"enabled": True, "type": "curvedCW" if clockwise else "curvedCCW",
                                   "roundness": round(0.3 * (k // 2 + 1), 2)}}
            if k:
                extra[i]["physics"] = False
    return extra


def qualifiers(rel: Relation) -> dict[str, str]:
    """Return a relation's qualifiers (amount, count, date) as display strings."""
    out: dict[str, str] = {}
    if rel.amount is not None:
        out["amount"] = f"{rel.amount:,} {rel.currency or ''}".strip()
    elif rel.currency:
        out["currency"] = rel.currency
    if rel.count is not None:
        out["count"] = f"{rel.count:,}"
    if rel.date:
        out["date"] = rel.date
    return out


def _articles(rel: Relation, dates: dict[str, str]) -> tuple[list[str], list[str]]:
    """The relation's articles (in evidence order) and their distinct dates (sorted)."""
    docs = list(dict.fromkeys(ev.doc_id for ev in rel.evidence))
    return docs, sorted({dates[d] for d in docs if d in dates})


def vis_network(ents: list[Entity], rels: list[Relation], degree: Counter[str],
                shown_degree: Counter[str], counts: list[tuple[int, int]], *, edge_labels: bool
                ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Return the vis-network nodes and edges of the drawn entities and relations."""
    label = {e.id: e.label for e in ents}
    value = {e.id: round(math.sqrt(1 + shown_degree[e.id]), 4) for e in ents}
    seeds = seed_positions([e.id for e in ents], rels) if len(ents) > IMPROVED_LAYOUT_MAX_NODES else {}
    nodes = []
    for ent in ents:
        node: dict[str, Any] = {"id": ent.id, "label": _short(ent.label),
                                "shape": STYLE.get(ent.type, FALLBACK_STYLE)[1], "group": ent.type,
                                "value": value[ent.id], "title": _node_title(ent, degree[ent.id])}
        # an entity without relations on the page is kept out of the simulation;
        # the page lines such entities up under the graph once the layout settles
        if not shown_degree[ent.id]:
            node.update(physics=False, kg_isolated=True)
        if ent.id in seeds:
            node["x"], node["y"] = seeds[ent.id]
        nodes.append(node)
    # vis-network scales node sizes linearly between the smallest and largest value
    lo, hi = min(value.values(), default=1.0), max(value.values(), default=1.0)

    def radius(eid: str) -> float:
        share = 0.5 if hi == lo else (value[eid] - lo) / (hi - lo)
        return NODE_SIZE[0] + share * (NODE_SIZE[1] - NODE_SIZE[0])

    parallel = parallel_edges(rels)
    edges = []
    for i, rel in enumerate(rels):
        edge: dict[str, Any] = {
            "id": f"r{i}", "from": rel.subject, "to": rel.object, "arrows": "to",
            "label": rel.predicate, "title": _edge_title(rel, label, *counts[i]),
            "width": round(0.8 + 2.2 * rel.confidence, 3), "dashes": rel.confidence < 0.5,
            "kg_predicate": rel.predicate, "kg_confidence": rel.confidence,
        }
        edge.update(parallel.get(i, {}))
        if edge_labels:  # room for both ends and the label between them
            room = max(SPRING_LENGTH, 7.5 * len(rel.predicate) + 30)
            edge["length"] = round(room + radius(rel.subject) + radius(rel.object) - 2 * NODE_SIZE[0])
        edges.append(edge)
    return nodes, edges


def _relation_entry(rel: Relation, dates: dict[str, str]) -> dict[str, Any]:
    rows = sentence_rows(rel.evidence)
    docs, rel_dates = _articles(rel, dates)
    return {
        "subject": rel.subject, "predicate": rel.predicate, "object": rel.object,
        "confidence": rel.confidence, "qualifiers": qualifiers(rel),
        "evidence": rows[:MAX_EVIDENCE], "more_evidence": max(0, len(rows) - MAX_EVIDENCE),
        "articles": len(docs), "sentences": len(rows), "dates": rel_dates,
    }


def page_model(kg: KnowledgeGraph, max_nodes: int | None) -> dict[str, Any]:
    """Return the values the explorer template renders (``data`` goes into the page as JSON)."""
    degree = degrees(kg)
    ents, rels = select(kg, max_nodes, degree)
    shown_degree: Counter[str] = Counter()
    for r in rels:
        shown_degree[r.subject] += 1
        shown_degree[r.object] += 1
    dates = {d.id: d.date for d in kg.documents if d.date}
    relations = {f"r{i}": _relation_entry(r, dates) for i, r in enumerate(rels)}
    counts = [(relations[f"r{i}"]["articles"], relations[f"r{i}"]["sentences"]) for i in range(len(rels))]
    edge_labels = len(rels) <= EDGE_LABELS_MAX_EDGES
    nodes, edges = vis_network(ents, rels, degree, shown_degree, counts, edge_labels=edge_labels)

    documents = {d.id: document_entry(d) for d in kg.documents}
    entities = {
        e.id: {"type": e.type, "names": list(e.names), "wikidata": _qid(e.wikidata),
               "degree": degree[e.id]}
        for e in ents
    }
    kept = set(entities)
    left_out = sorted((e for e in kg.entities if e.id not in kept), key=lambda e: (-degree[e.id], e.id))
    drawn = {(r.subject, r.predicate, r.object) for r in rels}
    # every relation not drawn: [subject, predicate, object, confidence, articles, sentences, dates, docs]
    links = []
    for r in kg.relations:
        if (r.subject, r.predicate, r.object) in drawn:
            continue
        docs, rel_dates = _articles(r, dates)
        links.append([r.subject, r.predicate, r.object, r.confidence, len(docs),
                      len(sentence_rows(r.evidence)), rel_dates, docs[:MAX_LINK_DOCS]])
    omitted = {
        "entities": len(left_out),
        "relations": len(kg.relations) - len(rels),
        "by_type": dict(sorted(Counter(e.type for e in left_out).items())),
        "listed": [{"label": e.label, "type": e.type, "degree": degree[e.id]}
                   for e in left_out[:MAX_OMITTED_LISTED]],
    }
    class_counts = Counter(e.type for e in ents)
    classes = [
        {"name": t, "colour": STYLE.get(t, FALLBACK_STYLE)[0],
         "border": darker(STYLE.get(t, FALLBACK_STYLE)[0]),
         "shape": STYLE.get(t, FALLBACK_STYLE)[1], "count": n}
        for t, n in sorted(class_counts.items())
    ]
    pred_counts = Counter(r.predicate for r in rels)
    predicates = [{"name": p, "count": n} for p, n in sorted(pred_counts.items())]
    confidences = sorted({r.confidence for r in rels})
    all_dates = sorted({d for r in relations.values() for d in r["dates"]})
    n_nodes, n_edges = len(ents), len(rels)
    config = {
        "edgeLabels": edge_labels,
        "separateLabelsMax": SEPARATE_LABELS_MAX_NODES,
        "settleMs": SETTLE_MS if n_nodes <= IMPROVED_LAYOUT_MAX_NODES else SETTLE_MS_SEEDED,
    }
    names = [documents[d].get("title") or documents[d]["name"] for d in sorted(documents)]
    return {
        "data": {
            "nodes": nodes,
            "edges": edges,
            "entities": entities,
            "relations": relations,
            "documents": documents,
            "others": {e.id: {"type": e.type, "names": list(e.names), "degree": degree[e.id]}
                       for e in left_out},
            "links": links,
            "dates": all_dates,
            "omitted": {"entities": omitted["entities"], "relations": omitted["relations"]},
            "options": vis_options(n_nodes, n_edges),
            "config": config,
        },
        "classes": classes,
        "predicates": predicates,
        "confidence_range": [confidences[0], confidences[-1]] if confidences else None,
        "dates": all_dates,
        "documents": names,
        "n_entities": len(kg.entities),
        "n_relations": len(kg.relations),
        "n_shown_entities": n_nodes,
        "n_shown_relations": n_edges,
        "omitted": omitted,
        "max_nodes": max_nodes,
        "n_isolated": sum(1 for e in ents if not shown_degree[e.id]),
    }
