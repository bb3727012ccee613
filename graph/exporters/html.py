"""HTML: an interactive graph page (pyvis / vis-network) that works offline.

vis-network's JavaScript is inlined (pyvis ``in_line`` mode) and the
Bootstrap links pyvis adds are removed, so the page opens from ``file://``
with no network. Node data goes into the page as JSON (``tojson`` escapes
``<``, ``>`` and ``&``), tooltips are set as text by vis-network, and every
string we write into the HTML ourselves goes through ``html.escape``.
"""

from __future__ import annotations

import html
import json
import re

from pyvis.network import Network

from graph.exporters import register
from graph.model import KnowledgeGraph

#: Colour and shape of each class (colour-blind-safe palette, Okabe-Ito based).
STYLE: dict[str, tuple[str, str]] = {
    "Company": ("#0072B2", "dot"),
    "Organization": ("#56B4E9", "dot"),
    "GovernmentBody": ("#332288", "diamond"),
    "Project": ("#E69F00", "star"),
    "Product": ("#CC79A7", "square"),
    "Chip": ("#D55E00", "square"),
    "AIModel": ("#AA4499", "triangle"),
    "Technology": ("#009E73", "hexagon"),
    "Approach": ("#44AA99", "hexagon"),
    "Person": ("#F0E442", "ellipse"),
    "Place": ("#999999", "triangleDown"),
    "Country": ("#777777", "triangleDown"),
    "City": ("#BBBBBB", "triangleDown"),
}

OPTIONS = {
    "layout": {"randomSeed": 7, "improvedLayout": True},
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 140, "avoidOverlap": 0.6},
        "stabilization": {"enabled": True, "iterations": 400, "fit": True},
    },
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "font": {"size": 10, "align": "middle", "color": "#444444", "strokeWidth": 3},
        "smooth": {"type": "dynamic"},
        "color": {"inherit": False, "color": "#9aa5b1", "highlight": "#d62728"},
    },
    "nodes": {"font": {"size": 15, "face": "sans-serif", "strokeWidth": 4, "strokeColor": "#ffffff"}},
    "interaction": {"hover": True, "tooltipDelay": 120, "navigationButtons": False},
}

_BOOTSTRAP = re.compile(r"\s*<(link|script)\b[^>]*bootstrap[^>]*>(\s*</script>)?", re.I | re.S)
_HEADING = re.compile(r"\s*<center>\s*<h1>\s*</h1>\s*</center>", re.I)


def _node_tooltip(kg: KnowledgeGraph, eid: str) -> str:
    ent = kg.entity(eid)
    lines = [f"{ent.label} ({ent.type})"]
    if ent.aliases:
        lines.append("also: " + "; ".join(ent.aliases))
    if ent.wikidata:
        lines.append(f"Wikidata: {ent.wikidata}")
    return "\n".join(lines)


def _edge_tooltip(kg: KnowledgeGraph, rel) -> str:  # noqa: ANN001
    s, o = kg.entity(rel.subject).label, kg.entity(rel.object).label
    lines = [f"{s} {rel.predicate} {o}  (confidence {rel.confidence:.2f})"]
    for ev in rel.evidence[:5]:
        lines.append(f"[{ev.doc_id}, {ev.rule_id}] {ev.sentence}")
    if len(rel.evidence) > 5:
        lines.append(f"... and {len(rel.evidence) - 5} more")
    return "\n".join(lines)


def _legend(kg: KnowledgeGraph) -> str:
    counts: dict[str, int] = {}
    for e in kg.entities:
        counts[e.type] = counts.get(e.type, 0) + 1
    items = "".join(
        f'<li><span class="kg-swatch" style="background:{STYLE[t][0]}"></span>{html.escape(t)} '
        f"<small>({n})</small></li>"
        for t, n in sorted(counts.items())
    )
    docs = ", ".join(html.escape(d.source.rsplit("/", 1)[-1]) for d in kg.documents)
    return (
        '<div id="kg-header"><h1>Knowledge graph</h1>'
        f"<p>{len(kg.entities)} entities, {len(kg.relations)} relations "
        f"from {len(kg.documents)} document(s): {docs}</p>"
        f'<ul id="kg-legend">{items}</ul></div>'
    )


_CSS = """
<style>
 body { margin: 0; font-family: sans-serif; }
 #kg-header { padding: 6px 14px; border-bottom: 1px solid #ddd; }
 #kg-header h1 { font-size: 18px; margin: 4px 0; }
 #kg-header p { margin: 2px 0; color: #444; font-size: 13px; }
 #kg-legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 12px; font-size: 13px; }
 .kg-swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 4px; vertical-align: middle; }
 div.vis-tooltip { white-space: pre-wrap; max-width: 480px; font-size: 12px; }
 .card { border: none; }
</style>
"""


@register("html", suffix=".html", media_type="text/html", aliases=("htm",))
def generate_html(kg: KnowledgeGraph) -> bytes:
    """Return ``kg`` as a self-contained interactive HTML page (deterministic)."""
    net = Network(height="820px", width="100%", directed=True, cdn_resources="in_line", notebook=False)
    degree: dict[str, int] = {e.id: 0 for e in kg.entities}
    for r in kg.relations:
        degree[r.subject] += 1
        degree[r.object] += 1
    for ent in kg.entities:
        color, shape = STYLE.get(ent.type, ("#888888", "dot"))
        net.add_node(
            ent.id,
            label=ent.label,
            title=_node_tooltip(kg, ent.id),
            color=color,
            shape=shape,
            size=12 + 4 * min(degree[ent.id], 10),
            kg_type=ent.type,
            kg_names=list(ent.names),
        )
    for rel in kg.relations:
        net.add_edge(
            rel.subject,
            rel.object,
            label=rel.predicate,
            title=_edge_tooltip(kg, rel),
            kg_predicate=rel.predicate,
            kg_confidence=rel.confidence,
            width=1 + 2 * rel.confidence,
        )
    net.set_options(json.dumps(OPTIONS, sort_keys=True))
    page = net.generate_html(name="graph.html", local=True, notebook=False)
    page = _BOOTSTRAP.sub("", page)
    page = _HEADING.sub("", page)
    title = html.escape(f"entity-kg: {len(kg.entities)} entities, {len(kg.relations)} relations")
    page = page.replace("<head>", f"<head>\n<title>{title}</title>", 1)
    page = page.replace("</head>", _CSS + "</head>", 1)
    page = re.sub(r"<body>", "<body>\n" + _legend(kg), page, count=1)
    return page.encode("utf-8")
