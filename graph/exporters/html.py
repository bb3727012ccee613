"""HTML: a self-contained interactive explorer page for a knowledge graph.

The page is one file that opens from ``file://`` with no network: the
vis-network 9.1.2 JavaScript that pyvis ships is inlined, and so are our own
script and style (``graph/templates/explorer.*``; vis-network's 220 kB
stylesheet is left out: it styles only the navigation, editing and
configuration widgets the page does not use, and our style has the tooltip
rule it needs). A Content-Security-Policy (``default-src 'none'``) stops the
page from loading anything, should a future change try to. It has a
legend that doubles as class filter, predicate filters, a minimum-confidence
slider, a search box over every name (label and aliases), a details panel for
the clicked entity or relation (with the evidence sentences and their
documents), a "fit" button and a physics freeze switch.

Safety: the data goes into the page once, as JSON in a
``<script type="application/json">`` block in which ``<``, ``>``, ``&``,
U+2028 and U+2029 are written as ``\\uXXXX`` escapes, so no string can close
the block or open a comment. The template is rendered with autoescaping, and
the script builds every element with ``textContent``; vis-network shows
tooltip strings with ``innerText``. A company called
``<script>alert(1)</script>`` is shown as those characters.

Determinism: the same graph gives the same bytes. No clock is read; the page
shows a build time only when the environment variable ``SOURCE_DATE_EPOCH``
(seconds since 1970, see https://reproducible-builds.org/specs/source-date-epoch/)
is set, and then shows that time. The layout is seeded
(``layout.randomSeed``), so a browser draws the same picture each time.

Big graphs: only the ``max_nodes`` most connected entities are drawn (ties
broken by id) and the header says what was left out; above a few hundred
entities the page switches off improvedLayout, edge labels and curved edges,
caps the stabilisation iterations and freezes the layout once it has settled.

Examples:
    >>> from graph.model import Entity, KnowledgeGraph
    >>> kg = KnowledgeGraph(entities=(Entity(id="acme", type="Company", label="Acme"),))
    >>> page = generate_html(kg).decode()
    >>> page.startswith("<!DOCTYPE html>"), "Acme" in page, "https://" in page.split("<body")[0]
    (True, True, False)
    >>> page_data(page)["nodes"][0]["label"]
    'Acme'
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
from collections import Counter, defaultdict
from typing import Any

import jinja2
from markupsafe import Markup
from pyvis.network import Network  # type: ignore[import-untyped]

from graph.exporters import register
from graph.exporters.html_layout import (
    EDGE_LABELS_MAX_EDGES,
    FALLBACK_STYLE,
    IMPROVED_LAYOUT_MAX_NODES,
    NODE_SIZE,
    SEPARATE_LABELS_MAX_NODES,
    SETTLE_MS,
    SPRING_LENGTH,
    STYLE,
    darker,
    seed_positions,
    vis_options,
)
from graph.model import Entity, KnowledgeGraph, Relation

log = logging.getLogger(__name__)

#: How many entities a page draws unless told otherwise (the most connected).
DEFAULT_MAX_NODES = 400


MAX_EVIDENCE = 10  # evidence sentences per relation written into the page
MAX_OMITTED_LISTED = 1000  # left-out entities listed by name (all are counted)
MAX_LABEL_CHARS = 40  # longer labels are cut on the canvas (the panel shows them whole)

_QID = re.compile(r"(?:^|/)(Q[1-9][0-9]*)$")


def script_json(value: object) -> Markup:
    """Return ``value`` as JSON that is safe inside a ``<script>`` element.

    ``<``, ``>`` and ``&`` (so ``</script>`` and ``<!--`` cannot occur) and
    the line separators U+2028 and U+2029 are written as ``\\uXXXX`` escapes.
    Keys are sorted, so the text is deterministic.

    Examples:
        >>> str(script_json({"b": "</script><!--", "a": "\\u2028"}))
        '{"a":"\\\\u2028","b":"\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, allow_nan=False,
                      separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return Markup(text)


def page_data(page: str | bytes) -> dict[str, Any]:
    """Return the graph data embedded in a page made by :func:`generate_html`.

    Raises:
        ValueError: the page has no ``kg-data`` block.
    """
    if isinstance(page, bytes):
        page = page.decode("utf-8")
    m = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.DOTALL)
    if m is None:
        raise ValueError("no <script id=\"kg-data\"> block in the page")
    data: dict[str, Any] = json.loads(m.group(1))
    return data


def _degrees(kg: KnowledgeGraph) -> Counter[str]:
    degree: Counter[str] = Counter({e.id: 0 for e in kg.entities})
    for r in kg.relations:
        degree[r.subject] += 1
        degree[r.object] += 1
    return degree


def _select(kg: KnowledgeGraph, max_nodes: int | None, degree: Counter[str]
            ) -> tuple[list[Entity], list[Relation]]:
    """Keep the ``max_nodes`` most connected entities and the relations among them."""
    if max_nodes is None or len(kg.entities) <= max_nodes:
        return list(kg.entities), list(kg.relations)
    ranked = sorted(kg.entities, key=lambda e: (-degree[e.id], e.id))
    keep = {e.id for e in ranked[:max_nodes]}
    ents = [e for e in kg.entities if e.id in keep]
    rels = [r for r in kg.relations if r.subject in keep and r.object in keep]
    return ents, rels


def _doc_name(source: str, doc_id: str) -> str:
    name = source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name or doc_id


def _qid(wikidata: str | None) -> str | None:
    if not wikidata:
        return None
    m = _QID.search(wikidata.strip())
    return m.group(1) if m else None


def _short(label: str) -> str:
    label = " ".join(label.split())
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    many = word[:-1] + "ies" if word.endswith("y") else word + "s"
    return f"{n:,} {many}"


def _node_title(ent: Entity, degree: int) -> str:
    lines = [ent.label, f"{ent.type} · {_plural(degree, 'relation')}"]
    if ent.aliases:
        lines.append("also: " + "; ".join(ent.aliases))
    return "\n".join(lines)


def _edge_title(rel: Relation, label: dict[str, str]) -> str:
    first = rel.evidence[0].sentence.strip()
    if len(first) > 200:
        first = first[:199] + "…"
    return (f"{label[rel.subject]} {rel.predicate} {label[rel.object]}\n"
            f"confidence {rel.confidence:.2f} · {_plural(len(rel.evidence), 'evidence sentence')}"
            f"\n“{first}”")


def _parallel_edges(rels: list[Relation]) -> dict[int, dict[str, Any]]:
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


def _build_time() -> str | None:
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if not raw:
        return None
    try:
        when = dt.datetime.fromtimestamp(int(raw), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        log.warning("ignoring SOURCE_DATE_EPOCH=%r: not a number of seconds", raw)
        return None
    return when.strftime("%Y-%m-%d %H:%M UTC")


def _qualifiers(rel: Relation) -> dict[str, str]:
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


def _network(ents: list[Entity], rels: list[Relation], degree: Counter[str],
             shown_degree: Counter[str], *, edge_labels: bool) -> Network:
    """Put the drawn entities and relations into a pyvis network."""
    net = Network(directed=True, cdn_resources="in_line", notebook=False)
    label = {e.id: e.label for e in ents}
    value = {e.id: round(math.sqrt(1 + shown_degree[e.id]), 4) for e in ents}
    seeds = seed_positions([e.id for e in ents], rels) if len(ents) > IMPROVED_LAYOUT_MAX_NODES else {}
    for ent in ents:
        # an entity without relations on the page is kept out of the simulation;
        # the page lines such entities up under the graph once the layout settles
        extra: dict[str, Any] = {} if shown_degree[ent.id] else {"physics": False, "kg_isolated": True}
        if ent.id in seeds:
            extra["x"], extra["y"] = seeds[ent.id]
        net.add_node(
            ent.id,
            label=_short(ent.label),
            shape=STYLE.get(ent.type, FALLBACK_STYLE)[1],
            group=ent.type,
            value=value[ent.id],
            title=_node_title(ent, degree[ent.id]),
            **extra,
        )
    # vis-network scales node sizes linearly between the smallest and largest value
    lo, hi = min(value.values(), default=1.0), max(value.values(), default=1.0)

    def radius(eid: str) -> float:
        share = 0.5 if hi == lo else (value[eid] - lo) / (hi - lo)
        return NODE_SIZE[0] + share * (NODE_SIZE[1] - NODE_SIZE[0])

    parallel = _parallel_edges(rels)
    for i, rel in enumerate(rels):
        extra = dict(parallel.get(i, {}))
        if edge_labels:  # room for both ends and the label between them
            room = max(SPRING_LENGTH, 7.5 * len(rel.predicate) + 30)
            extra["length"] = round(room + radius(rel.subject) + radius(rel.object) - 2 * NODE_SIZE[0])
        net.add_edge(
            rel.subject,
            rel.object,
            id=f"r{i}",
            label=rel.predicate,
            title=_edge_title(rel, label),
            width=round(0.8 + 2.2 * rel.confidence, 3),
            dashes=rel.confidence < 0.5,
            kg_predicate=rel.predicate,
            kg_confidence=rel.confidence,
            **extra,
        )
    return net


def _page_model(kg: KnowledgeGraph, max_nodes: int | None) -> dict[str, Any]:
    degree = _degrees(kg)
    ents, rels = _select(kg, max_nodes, degree)
    shown_degree: Counter[str] = Counter()
    for r in rels:
        shown_degree[r.subject] += 1
        shown_degree[r.object] += 1
    edge_labels = len(rels) <= EDGE_LABELS_MAX_EDGES
    net = _network(ents, rels, degree, shown_degree, edge_labels=edge_labels)
    nodes, edges, *_ = net.get_network_data()
    for node in nodes:  # pyvis sets a default colour; the class group styles the node
        node.pop("color", None)

    docs = {d.id: _doc_name(d.source, d.id) for d in kg.documents}
    entities = {
        e.id: {"type": e.type, "names": list(e.names), "wikidata": _qid(e.wikidata),
               "degree": degree[e.id]}
        for e in ents
    }
    relations = {}
    for i, r in enumerate(rels):
        relations[f"r{i}"] = {
            "subject": r.subject,
            "predicate": r.predicate,
            "object": r.object,
            "confidence": r.confidence,
            "qualifiers": _qualifiers(r),
            "evidence": [
                {"doc": docs.get(ev.doc_id, ev.doc_id), "rule": ev.rule_id,
                 "confidence": ev.confidence, "sentence": ev.sentence,
                 "start": ev.start, "end": ev.end}
                for ev in r.evidence[:MAX_EVIDENCE]
            ],
            "more_evidence": max(0, len(r.evidence) - MAX_EVIDENCE),
        }
    kept = set(entities)
    left_out = sorted((e for e in kg.entities if e.id not in kept),
                      key=lambda e: (-degree[e.id], e.id))
    omitted = {
        "entities": len(left_out),
        "relations": len(kg.relations) - len(rels),
        "by_type": dict(sorted(Counter(e.type for e in left_out).items())),
        "listed": [{"label": e.label, "type": e.type, "degree": degree[e.id],
                    "names": list(e.names)} for e in left_out[:MAX_OMITTED_LISTED]],
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
    n_nodes, n_edges = len(ents), len(rels)
    config = {
        "edgeLabels": edge_labels,
        "separateLabelsMax": SEPARATE_LABELS_MAX_NODES,
        "settleMs": SETTLE_MS,
    }
    return {
        "data": {
            "nodes": nodes,
            "edges": edges,
            "entities": entities,
            "relations": relations,
            "documents": docs,
            "omitted": {k: v for k, v in omitted.items() if k != "by_type"},
            "options": vis_options(n_nodes, n_edges),
            "config": config,
        },
        "classes": classes,
        "predicates": predicates,
        "documents": [docs[d] for d in sorted(docs)],
        "n_entities": len(kg.entities),
        "n_relations": len(kg.relations),
        "n_shown_entities": n_nodes,
        "n_shown_relations": n_edges,
        "omitted": omitted,
        "max_nodes": max_nodes,
        "n_isolated": sum(1 for e in ents if not shown_degree[e.id]),
    }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graph", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["script_json"] = script_json
    env.filters["plural"] = _plural
    return env


def _asset(env: jinja2.Environment, name: str) -> Markup:
    """Return one of our template files verbatim (not parsed as a template)."""
    loader = env.loader
    if loader is None:  # pragma: no cover - _environment always sets one
        raise RuntimeError("the template environment has no loader")
    source, _path, _uptodate = loader.get_source(env, name)
    return Markup(source)


def _vis_asset(name: str) -> Markup:
    """Return a file of the vis-network build that pyvis inlines in its own pages.

    Read through pyvis' template environment (``Network.templateEnv``), at the
    path its ``template.html`` includes in ``cdn_resources="in_line"`` mode:
    what pyvis itself would put in the page, whatever its version's layout.
    """
    env = Network(cdn_resources="in_line").templateEnv
    page, _path, _uptodate = env.loader.get_source(env, "template.html")
    found = re.search(r"include\s+'([^']*/" + re.escape(name) + ")'", page)
    if found is None:  # pragma: no cover - a pyvis without an in-line build
        raise RuntimeError(f"pyvis' template.html does not inline {name}")
    text, _path, _uptodate = env.loader.get_source(env, found.group(1))
    if "</script" in text.lower() or "</style" in text.lower():  # would end the inline block
        raise RuntimeError(f"pyvis' {name} cannot be inlined: it contains a closing tag")
    return Markup(text)


def _heading(docs: list[str]) -> str:
    where = docs[0] if len(docs) == 1 else f"{len(docs)} documents" if docs else "no documents"
    return f"Knowledge graph of {where}"


def _title(docs: list[str], n_entities: int, n_relations: int) -> str:
    return f"{_heading(docs)} · {_plural(n_entities, 'entity')}, {_plural(n_relations, 'relation')}"


@register("html", suffix=".html", media_type="text/html", aliases=("htm",))
def generate_html(kg: KnowledgeGraph, *, max_nodes: int | None = DEFAULT_MAX_NODES) -> bytes:
    """Return ``kg`` as a self-contained interactive HTML page.

    Args:
        kg: the graph.
        max_nodes: draw only this many entities, the most connected ones
            (ties broken by id), and the relations among them; ``None``
            draws every entity. The page says what was left out.

    Returns:
        The page, UTF-8; the same graph (and ``SOURCE_DATE_EPOCH``) gives
        the same bytes.

    Raises:
        ValueError: ``max_nodes`` is smaller than 1.
        TypeError: ``max_nodes`` is not an integer or ``None``.

    Examples:
        >>> from graph.model import Entity, Evidence, KnowledgeGraph, Relation
        >>> ev = Evidence(doc_id="d", start=0, end=9, sentence="A uses B.", rule_id="r_v1",
        ...               confidence=0.9)
        >>> kg = KnowledgeGraph(
        ...     entities=(Entity(id="a", type="Company", label="A"),
        ...               Entity(id="b", type="Technology", label="B"),
        ...               Entity(id="c", type="Technology", label="C")),
        ...     relations=(Relation(subject="a", predicate="uses", object="b", evidence=(ev,)),))
        >>> data = page_data(generate_html(kg, max_nodes=2))
        >>> [n["id"] for n in data["nodes"]], data["omitted"]["entities"]
        (['a', 'b'], 1)
    """
    if max_nodes is not None:
        if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
            raise TypeError(f"max_nodes must be an int or None, not {type(max_nodes).__name__}")
        if max_nodes < 1:
            raise ValueError(f"max_nodes ({max_nodes}) must be at least 1, or None for no limit")
    model = _page_model(kg, max_nodes)
    env = _environment()
    page = env.get_template("explorer.html").render(
        title=_title(model["documents"], model["n_entities"], model["n_relations"]),
        heading=_heading(model["documents"]),
        build_time=_build_time(),
        vis_js=_vis_asset("vis-network.min.js"),
        explorer_js=_asset(env, "explorer.js"),
        explorer_css=_asset(env, "explorer.css"),
        **model,
    )
    return page.encode("utf-8")
