"""HTML: a self-contained interactive explorer page for a knowledge graph.

The page is one file that opens from ``file://`` with no network: the
vis-network 9.1.2 JavaScript that pyvis ships is inlined, and so are our own
script and style (``graph/templates/explorer.*``; vis-network's 220 kB
stylesheet is left out: it styles only the navigation, editing and
configuration widgets the page does not use, and our style has the tooltip
rule it needs). A Content-Security-Policy (``default-src 'none'``) stops the
page from loading anything, should a future change try to. It has a
legend that doubles as class filter, predicate filters, a minimum-confidence
slider, a range over the article dates, a search box over every name (label
and aliases, drawn or not), a details panel over the graph for the clicked
entity or relation (evidence one row per sentence, with the article's title,
date and link; "N articles, M sentences"), focus mode (a neighbourhood, expand,
show only), a shortest-path finder, "bring into view" for the entities left
out, PNG and CSV export, the view in the URL fragment, a light and a dark look
and a layout for narrow screens. What goes into the page is assembled in
:mod:`graph.exporters.html_data`. :func:`served_html` renders the same
template for ``kg serve``: no graph inside, the store as its data source
(:mod:`graph.store.explorer`).

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
import os
import re
from functools import cache
from importlib import metadata
from typing import Any

import jinja2
from markupsafe import Markup

from graph.exporters import register
from graph.exporters.html_data import MAX_EVIDENCE, page_model, plural
from graph.exporters.html_layout import FALLBACK_STYLE, STYLE, darker, vis_options
from graph.model import KnowledgeGraph
from graph.vocab import RESOURCE_BASE

log = logging.getLogger(__name__)

#: How many entities a page draws unless told otherwise (the most connected).
DEFAULT_MAX_NODES = 400

__all__ = ["DEFAULT_MAX_NODES", "MAX_EVIDENCE", "generate_html", "page_data", "script_json", "served_html"]


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
    env.filters["plural"] = plural
    return env


def _asset(env: jinja2.Environment, name: str) -> Markup:
    """Return one of our template files verbatim (not parsed as a template)."""
    loader = env.loader
    if loader is None:  # pragma: no cover - _environment always sets one
        raise RuntimeError("the template environment has no loader")
    source, _path, _uptodate = loader.get_source(env, name)
    return Markup(source)


@cache
def _vis_asset(name: str) -> Markup:
    """Return a file of the vis-network build that pyvis inlines in its own pages.

    Found through the installed distribution's file list
    (:func:`importlib.metadata.files`), at the path pyvis' own
    ``templates/template.html`` includes in ``cdn_resources="in_line"`` mode:
    what pyvis itself would put in the page, whatever its version's layout,
    without importing pyvis (whose import pulls in networkx and IPython and
    would cost every build a second).
    """
    files = {str(f).replace("\\", "/"): f for f in metadata.files("pyvis") or ()}
    template = files.get("pyvis/templates/template.html")
    if template is None:  # pragma: no cover - a pyvis without its templates
        raise RuntimeError("the installed pyvis has no templates/template.html")
    page = template.read_text(encoding="utf-8")
    found = re.search(r"include\s+'([^']*/" + re.escape(name) + ")'", page)
    if found is None or f"pyvis/templates/{found.group(1)}" not in files:  # pragma: no cover
        raise RuntimeError(f"pyvis' template.html does not inline {name}")
    text = files[f"pyvis/templates/{found.group(1)}"].read_text(encoding="utf-8")
    if "</script" in text.lower() or "</style" in text.lower():  # would end the inline block
        raise RuntimeError(f"pyvis' {name} cannot be inlined: it contains a closing tag")
    return Markup(text)


def _heading(docs: list[str]) -> str:
    where = docs[0] if len(docs) == 1 else f"{len(docs)} documents" if docs else "no documents"
    return f"Knowledge graph of {where}"


def _title(docs: list[str], n_entities: int, n_relations: int) -> str:
    return f"{_heading(docs)} · {plural(n_entities, 'entity')}, {plural(n_relations, 'relation')}"


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
    model = page_model(kg, max_nodes)
    return _render(model, _title(model["documents"], model["n_entities"], model["n_relations"]),
                   _heading(model["documents"]), served=False)


def _render(model: dict[str, Any], title: str, heading: str, *, served: bool) -> bytes:
    env = _environment()
    page = env.get_template("explorer.html").render(
        title=title,
        heading=heading,
        build_time=_build_time(),
        vis_js=_vis_asset("vis-network.min.js"),
        explorer_js=_asset(env, "explorer.js"),
        explorer_css=_asset(env, "explorer.css"),
        served=served,
        **model,
    )
    return page.encode("utf-8")


#: Neighbours the served page draws at once when it brings an entity into view (the most reported first).
MAX_BRING = 60
#: The size of graph the served page's drawing options are chosen for (it grows as the user browses).
SERVED_SIZE = (150, 300)


def served_html(summary: dict[str, Any], api: str = "/explorer/api/") -> bytes:
    """Return the explorer page ``kg serve`` puts at ``/``: the same page, fed by the store.

    ``summary`` is what :func:`graph.store.explorer.summary` read from the
    store (counts by class and relation, article dates, the entities to start
    from). The page draws nothing at first; it asks ``api`` (same origin, the
    only place its Content-Security-Policy lets it connect to) for the rest.
    """
    model = page_model(KnowledgeGraph(), None)
    data = model["data"]
    n_docs, n_ents, n_rels = summary["documents"], summary["entities"], summary["relations"]
    data["options"] = vis_options(*SERVED_SIZE)
    data["config"]["edgeLabels"] = True
    data["dates"] = summary["dates"]
    data["server"] = {"api": api, "base": RESOURCE_BASE, "start": summary["start"], "entities": n_ents,
                      "relations": n_rels, "evidencePage": summary["evidence_page"],
                      "linksPage": summary["links_page"], "batchIds": summary["batch_ids"],
                      "batchLinks": summary["batch_links"], "maxBring": MAX_BRING,
                      "note": summary.get("note", "")}
    model.update(
        classes=[{"name": t, "colour": STYLE.get(t, FALLBACK_STYLE)[0], "border": darker(STYLE.get(t, FALLBACK_STYLE)[0]),
                  "shape": STYLE.get(t, FALLBACK_STYLE)[1], "count": n} for t, n in summary["classes"].items()],
        predicates=[{"name": p, "count": n} for p, n in summary["predicates"].items()],
        confidence_range=summary["confidence"], dates=summary["dates"],
        documents=range(n_docs),  # the template counts them; the served page names none
        n_entities=n_ents, n_relations=n_rels)
    where = plural(n_docs, "document")
    return _render(model, f"Knowledge graph of {where} · {plural(n_ents, 'entity')}, {plural(n_rels, 'relation')}",
                   f"Knowledge graph of {where}", served=True)
