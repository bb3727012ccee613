"""The explorer's layout: vis-network physics and options by graph size, and seed positions.

Thresholds that keep big pages usable (see ``tests/bench/html_stabilise.py``):
beyond a size, vis' own seeding, edge labels, curved edges and label
separation cost more than they give, and the page switches to cheaper
settings. :func:`seed_positions` places a large graph's components before
the simulation starts, so that it settles in a few hundred steps.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from graph.model import Relation

#: Colour (Okabe-Ito / Tol based, colour-blind safe) and vis-network shape of
#: each class. Shapes are all "label below" shapes, so size can show degree.
#: Classes a reader could confuse (Company/Organization/GovernmentBody,
#: Technology/Approach, Place/Country/City, Product/Chip/AIModel) differ in
#: shape as well as colour, so the legend reads without colour vision; no two
#: classes share both.
STYLE: dict[str, tuple[str, str]] = {
    "Company": ("#0072B2", "dot"),
    "Organization": ("#56B4E9", "square"),
    "GovernmentBody": ("#332288", "diamond"),
    "Project": ("#E69F00", "star"),
    "Product": ("#CC79A7", "square"),
    "Chip": ("#D55E00", "diamond"),
    "AIModel": ("#AA4499", "triangle"),
    "Technology": ("#009E73", "hexagon"),
    "Approach": ("#44AA99", "triangleDown"),
    "Person": ("#C9A800", "dot"),
    "Place": ("#999999", "triangleDown"),
    "Country": ("#6B6B6B", "hexagon"),
    "City": ("#B5B5B5", "star"),
}


FALLBACK_STYLE = ("#888888", "dot")


def darker(colour: str, factor: float = 0.7) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(round(c * factor) for c in (r, g, b)))


# Thresholds that keep big pages usable (see tests/bench/html_stabilise.py).
IMPROVED_LAYOUT_MAX_NODES = 150  # vis' Kamada-Kawai seeding is quadratic and slow beyond


EDGE_LABELS_MAX_EDGES = 250  # more edge labels than this are unreadable and slow to draw


CURVED_EDGES_MAX_EDGES = 100  # "dynamic" curves add one physics node per edge: slow


BIG_GRAPH_MIN_NODES = 500  # above: tighter, cheaper physics


SETTLE_MS = 3_000  # a layout still moving this long after the first drawing is frozen


#: The same for a big graph, which starts from seed positions: its animated
#: frames cost 20-30 ms each (a drawing of hundreds of entities per physics
#: step), while the iterations before the first drawing cost a few ms, so the
#: time is better spent there (see tests/bench/html_stabilise.py --page).
SETTLE_MS_SEEDED = 1_000


SEPARATE_LABELS_MAX_NODES = 400  # below: overlapping labels are pushed apart once settled


HIDE_EDGES_ON_DRAG_MIN_EDGES = 1500


NODE_SIZE = (9, 34)  # radius of the least and the most connected entity drawn


SPRING_LENGTH = 110  # rest length of a relation between two of the smallest entities


def stabilisation_iterations(n_nodes: int) -> int:
    """Return the cap on layout iterations before a page of ``n_nodes`` is drawn.

    One iteration costs about 6 ms for 400 entities, 20 ms for 2,000 and
    55 ms for 5,000 in headless Chromium, so the first drawing comes within
    about 3 s; a layout that has not settled by then goes on, animated and
    interactive, for at most :data:`SETTLE_MS` before it is frozen.

    Examples:
        >>> stabilisation_iterations(40), stabilisation_iterations(5000)
        (1000, 50)
    """
    if n_nodes <= 200:
        return 1000
    if n_nodes <= BIG_GRAPH_MIN_NODES:
        return 500
    if n_nodes <= 1000:
        return 200
    if n_nodes <= 3000:
        return 100
    return 50


def vis_options(n_nodes: int, n_edges: int) -> dict[str, Any]:
    """Return the vis-network options for a page of this size.

    Examples:
        >>> vis_options(40, 20)["layout"]
        {'randomSeed': 7, 'improvedLayout': True}
        >>> vis_options(5000, 9000)["edges"]["smooth"]
        False
    """
    groups = {
        cls: {
            "shape": shape,
            "color": {
                "background": colour,
                "border": darker(colour),
                "highlight": {"background": colour, "border": "#111111"},
                "hover": {"background": colour, "border": "#111111"},
            },
        }
        for cls, (colour, shape) in STYLE.items()
    }
    big = n_nodes > BIG_GRAPH_MIN_NODES
    return {
        "autoResize": True,
        "groups": groups,
        "layout": {"randomSeed": 7, "improvedLayout": n_nodes <= IMPROVED_LAYOUT_MAX_NODES},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {
                "gravitationalConstant": -50,
                "centralGravity": 0.01,
                "springLength": SPRING_LENGTH if not big else 60,
                "springConstant": 0.08,
                "damping": 0.4,
                # a coarser Barnes-Hut approximation and no overlap term halve
                # the cost of an iteration on big graphs
                "theta": 0.5 if not big else 0.8,
                "avoidOverlap": 0.5 if not big else 0.0,
            },
            "maxVelocity": 60,
            "minVelocity": 1.0,
            "timestep": 0.5,
            "stabilization": {
                "enabled": True,
                "iterations": stabilisation_iterations(n_nodes),
                "updateInterval": 25,
                "fit": True,
            },
        },
        "nodes": {
            "borderWidth": 1.5,
            "font": {"size": 15, "face": "system-ui, sans-serif", "color": "#1d2329",
                     "strokeWidth": 4, "strokeColor": "#ffffff"},
            "scaling": {
                "min": NODE_SIZE[0],
                "max": NODE_SIZE[1],
                # labels under 8 px on screen (zoomed out) are not drawn: unreadable
                "label": {"enabled": True, "min": 16, "max": 23, "maxVisible": 26,
                          "drawThreshold": 8},
            },
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.55}},
            "color": {"color": "#8a96a3", "highlight": "#c0392b", "hover": "#34495e",
                      "inherit": False, "opacity": 0.9},
            "font": {"size": 13, "face": "system-ui, sans-serif", "color": "#4a5560",
                     "strokeWidth": 4, "strokeColor": "#ffffff", "align": "middle"},
            "smooth": {"enabled": True, "type": "dynamic"} if n_edges <= CURVED_EDGES_MAX_EDGES
            else False,
            # labels smaller than 8 px on screen (zoomed out) are not drawn
            "scaling": {"label": {"enabled": True, "min": 13, "max": 13, "drawThreshold": 8}},
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
        "interaction": {
            "hover": n_nodes <= 2000,
            "tooltipDelay": 150,
            "navigationButtons": False,
            "keyboard": {"enabled": False},
            "hideEdgesOnDrag": n_edges > HIDE_EDGES_ON_DRAG_MIN_EDGES,
            "hideEdgesOnZoom": n_edges > HIDE_EDGES_ON_DRAG_MIN_EDGES,
        },
    }


def seed_positions(ids: list[str], rels: list[Relation], *, step: float = 80.0,
                   spacing: float = 40.0) -> dict[str, tuple[int, int]]:
    """Return starting positions for a big graph: each component as a radial tree.

    vis-network starts a big layout from random positions, and a few dozen
    iterations leave thousands of entities in a tangle. Starting from a
    breadth-first tree drawn in rings around the best connected entity of
    each component (components packed in rows, biggest first), the same
    iterations give a readable overview. Linear time; integer coordinates,
    so the page stays byte-deterministic. Entities without relations get no
    position (the page lines them up itself).

    Examples:
        >>> from graph.model import Evidence, Relation
        >>> ev = (Evidence(doc_id="d", start=0, end=1, sentence="s", rule_id="r", confidence=1.0),)
        >>> rels = [Relation(subject="a", predicate="uses", object=o, evidence=ev) for o in "bcd"]
        >>> pos = seed_positions(["a", "b", "c", "d", "e"], rels)
        >>> pos["a"], sorted(pos), len(set(pos.values()))
        ((0, 0), ['a', 'b', 'c', 'd'], 4)
    """
    adj: dict[str, set[str]] = {i: set() for i in ids}
    for r in rels:
        if r.subject != r.object and r.subject in adj and r.object in adj:
            adj[r.subject].add(r.object)
            adj[r.object].add(r.subject)

    def rank(i: str) -> tuple[int, str]:
        return (-len(adj[i]), i)

    seen: set[str] = set()
    laid: list[tuple[float, dict[str, tuple[float, float]]]] = []  # (radius, positions)
    for root in sorted((i for i in ids if adj[i]), key=rank):
        if root in seen:
            continue
        seen.add(root)
        children: dict[str, list[str]] = defaultdict(list)
        rings = [[root]]
        while True:
            nxt = []
            for u in rings[-1]:
                for v in sorted(adj[u] - seen, key=rank):
                    if v not in seen:
                        seen.add(v)
                        children[u].append(v)
                        nxt.append(v)
            if not nxt:
                break
            rings.append(nxt)
        size: dict[str, int] = {}
        for ring in reversed(rings):  # subtree sizes, leaves first
            for u in ring:
                size[u] = 1 + sum(size[c] for c in children[u])
        # a crowded ring becomes a band of sub-rings, so the drawing stays a compact disc
        inner, bands, outer = [0.0], [1], 0.0
        for ring in rings[1:]:
            inner.append(outer + step)
            bands.append(max(1, math.ceil(len(ring) * spacing / (2 * math.pi * inner[-1]))))
            outer = inner[-1] + (bands[-1] - 1) * spacing
        wedge = {root: (0.0, 2 * math.pi)}
        pos: dict[str, tuple[float, float]] = {}
        for d, ring in enumerate(rings):  # each ring is in angular order
            for k, u in enumerate(ring):
                lo, hi = wedge[u]
                angle = (lo + hi) / 2
                dist = inner[d] + (k % bands[d]) * spacing
                pos[u] = (dist * math.cos(angle), dist * math.sin(angle))
                total = size[u] - 1
                for c in children[u]:
                    share = (hi - lo) * size[c] / total
                    wedge[c] = (lo, lo + share)
                    lo += share
        laid.append((outer + step, pos))
    # pack the components in rows, biggest first
    out: dict[str, tuple[int, int]] = {}
    width = math.sqrt(sum((2 * rad) ** 2 for rad, _p in laid)) * 1.2 if laid else 0.0
    x = y = row_height = 0.0
    for rad, pos in laid:
        if x > 0 and x + 2 * rad > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        cx, cy = x + rad, y + rad
        for u, (px, py) in pos.items():
            out[u] = (round(cx + px), round(cy + py))
        x += 2 * rad
        row_height = max(row_height, 2 * rad)
    if out:  # centre on the first (biggest) component's root
        ox, oy = out[next(iter(laid[0][1]))]
        out = {u: (px - ox, py - oy) for u, (px, py) in out.items()}
    return out
