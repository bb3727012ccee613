"""The HTML explorer page, read as text: data, escaping, determinism, offline.

The page's embedded data (``<script type="application/json" id="kg-data">``)
is parsed back and compared with the graph. What the page does in a browser
is tested in ``test_html_browser.py``.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest

from graph import exporters
from graph.exporters.html import DEFAULT_MAX_NODES, MAX_EVIDENCE, generate_html, page_data, script_json
from graph.exporters.html_layout import (
    CURVED_EDGES_MAX_EDGES,
    EDGE_LABELS_MAX_EDGES,
    IMPROVED_LAYOUT_MAX_NODES,
    seed_positions,
    stabilisation_iterations,
    vis_options,
)
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation

DATA = Path(__file__).parent / "data" / "html"


# ---- fixtures (this file's own) -------------------------------------------------------------

def load_graph(path: Path) -> KnowledgeGraph:
    """Read a hand-written graph from JSON (documents, entities, relations)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return KnowledgeGraph(
        documents=tuple(Document(**d) for d in raw["documents"]),
        entities=tuple(Entity(**{**e, "aliases": tuple(e.get("aliases", ()))}) for e in raw["entities"]),
        relations=tuple(
            Relation(**{**r, "evidence": tuple(Evidence(**ev) for ev in r["evidence"])})
            for r in raw["relations"]
        ),
    )


def ev(sentence: str, *, rule: str = "hand_v1", conf: float = 0.9, doc: str = "d1") -> Evidence:
    return Evidence(doc_id=doc, start=0, end=len(sentence), sentence=sentence, rule_id=rule,
                    confidence=conf)


def star_graph(n_leaves: int, n_isolated: int = 0) -> KnowledgeGraph:
    """A hub ``hub`` using ``n_leaves`` technologies, plus isolated entities."""
    ents = [Entity(id="hub", type="Company", label="Hub Corp")]
    ents += [Entity(id=f"t{i:03d}", type="Technology", label=f"Tech {i}") for i in range(n_leaves)]
    ents += [Entity(id=f"z{i:03d}", type="Person", label=f"Loner {i}") for i in range(n_isolated)]
    rels = [Relation(subject="hub", predicate="uses", object=f"t{i:03d}",
                     evidence=(ev(f"Hub uses Tech {i}."),)) for i in range(n_leaves)]
    doc = Document(id="d1", source="/data/news/star.txt", content_hash="sha256:" + "1" * 64)
    return KnowledgeGraph(documents=(doc,), entities=tuple(ents), relations=tuple(rels))


@pytest.fixture()
def hostile_kg() -> KnowledgeGraph:
    return load_graph(DATA / "hostile_graph.json")


@pytest.fixture()
def two_doc_kg() -> KnowledgeGraph:
    """Aliases, a Wikidata id, qualifiers, two documents, parallel edges."""
    ents = (
        Entity(id="acme", type="Company", label="Acme", aliases=("Acme Corp.", "ACME"), wikidata="Q1"),
        Entity(id="widget", type="Chip", label="Widget X"),
        Entity(id="springfield", type="City", label="Springfield"),
    )
    rels = (
        Relation(subject="acme", predicate="manufacturerOf", object="widget",
                 evidence=(ev("Acme makes the Widget X.", rule="manufacturer_v1"),
                           ev("Widget X, made by Acme.", rule="manufacturer_v2", doc="d2", conf=0.7))),
        Relation(subject="acme", predicate="supplierOf", object="widget",
                 evidence=(ev("Acme supplies Widget X.", conf=0.3),)),
        Relation(subject="acme", predicate="investsIn", object="springfield",
                 evidence=(ev("Acme invests $5m in Springfield."),),
                 amount=Decimal(5000000), currency="USD", date="2024-05"),
        Relation(subject="acme", predicate="headquarteredIn", object="springfield",
                 evidence=(ev("Springfield-based Acme."),)),
    )
    docs = (Document(id="d1", source="/home/me/news/one.txt", content_hash="sha256:" + "0" * 64),
            Document(id="d2", source="two.html", content_hash="sha256:" + "2" * 64))
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels)


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of each <script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def elements(page: bytes) -> _Elements:
    p = _Elements()
    p.feed(page.decode("utf-8"))
    p.close()
    return p


# ---- registry and options ------------------------------------------------------------------

def test_exporters_html_is_registered_with_suffix_alias_and_media_type():
    exp = exporters.get("htm")
    assert (exp.name, exp.suffix, exp.media_type) == ("html", ".html", "text/html")
    assert exporters.for_suffix(".html") is exp


def test_exporters_html_export_passes_max_nodes_and_writes_bytes(tmp_path):
    kg = star_graph(5)
    dest = tmp_path / "g.html"
    data = exporters.export(kg, "html", dest, max_nodes=3)
    assert dest.read_bytes() == data
    assert [n["id"] for n in page_data(data)["nodes"]] == ["hub", "t000", "t001"]


@pytest.mark.parametrize(("value", "error"), [(0, ValueError), (-5, ValueError), ("10", TypeError),
                                              (2.5, TypeError), (True, TypeError)])
def test_exporters_html_rejects_bad_max_nodes(value, error):
    with pytest.raises(error, match="max_nodes"):
        generate_html(star_graph(2), max_nodes=value)


# ---- content -------------------------------------------------------------------------------

def test_exporters_html_nodes_and_edges_match_the_graph(two_doc_kg):
    data = page_data(generate_html(two_doc_kg))
    assert [(n["id"], n["label"], n["group"]) for n in data["nodes"]] == [
        (e.id, e.label, e.type) for e in two_doc_kg.entities]
    assert [(e["from"], e["kg_predicate"], e["to"]) for e in data["edges"]] == [
        r.key for r in two_doc_kg.relations]
    assert {e["id"] for e in data["edges"]} == set(data["relations"])
    assert all(e["arrows"] == "to" for e in data["edges"])
    value = {n["id"]: n["value"] for n in data["nodes"]}
    assert value["acme"] > value["widget"] > 0  # size grows with degree
    # every class drawn has a style (colour and shape) in the vis groups and the legend
    assert {n["group"] for n in data["nodes"]} <= set(data["options"]["groups"])


def test_exporters_html_details_keep_names_wikidata_evidence_and_qualifiers(two_doc_kg):
    data = page_data(generate_html(two_doc_kg))
    assert data["entities"]["acme"] == {"type": "Company", "names": ["Acme", "Acme Corp.", "ACME"],
                                        "wikidata": "Q1", "degree": 4}
    rel = next(r for r in data["relations"].values() if r["predicate"] == "manufacturerOf")
    assert [(e["doc"], e["rules"], e["sentence"]) for e in rel["evidence"]] == [
        ("d1", ["manufacturer_v1"], "Acme makes the Widget X."),
        ("d2", ["manufacturer_v2"], "Widget X, made by Acme."),
    ]
    assert (rel["articles"], rel["sentences"]) == (2, 2)
    inv = next(r for r in data["relations"].values() if r["predicate"] == "investsIn")
    assert inv["qualifiers"] == {"amount": "5,000,000 USD", "date": "2024-05"}
    assert data["documents"] == {"d1": {"name": "one.txt"}, "d2": {"name": "two.html"}}


def test_exporters_html_evidence_is_one_row_per_sentence_and_counts_articles():
    """Issue 14: two rules reading one sentence were two rows; five sentences of one article
    were "5 sources"."""
    one = "Acme makes the Widget X."
    evs = (ev(one, rule="a_v1", conf=0.6), ev(one, rule="b_v1", conf=0.8),
           ev("Acme also makes Widget X chips.", rule="a_v1"), ev(one, rule="a_v1", doc="d2"))
    kg = KnowledgeGraph(
        documents=(Document(id="d1", source="feed.jsonl#0", content_hash="sha256:" + "0" * 64,
                            title="Acme's new chip", date="2025-03-04", url="https://news.example/acme"),
                   Document(id="d2", source="feed.jsonl#1", content_hash="sha256:" + "1" * 64)),
        entities=(Entity(id="acme", type="Company", label="Acme"), Entity(id="w", type="Chip", label="Widget X")),
        relations=(Relation(subject="acme", predicate="manufacturerOf", object="w", evidence=evs),))
    data = page_data(generate_html(kg))
    rel = data["relations"]["r0"]
    assert [(r["doc"], r["rules"], r["confidence"]) for r in rel["evidence"]] == [
        ("d1", ["a_v1", "b_v1"], 0.8), ("d1", ["a_v1"], 0.9), ("d2", ["a_v1"], 0.9)]
    assert (rel["articles"], rel["sentences"], rel["dates"]) == (2, 3, ["2025-03-04"])
    assert data["documents"]["d1"] == {"name": "feed.jsonl#0", "title": "Acme's new chip",
                                       "date": "2025-03-04", "url": "https://news.example/acme"}
    assert data["documents"]["d2"] == {"name": "feed.jsonl#1"}  # nothing known: no keys
    assert data["dates"] == ["2025-03-04"]
    assert "2 articles, 3 sentences" in data["edges"][0]["title"]


def test_exporters_html_low_confidence_edges_are_dashed_and_thin(two_doc_kg):
    edges = {e["kg_predicate"]: e for e in page_data(generate_html(two_doc_kg))["edges"]}
    assert edges["supplierOf"]["dashes"] is True and edges["manufacturerOf"]["dashes"] is False
    assert edges["supplierOf"]["width"] < edges["manufacturerOf"]["width"]
    assert edges["supplierOf"]["kg_confidence"] == 0.3


def test_exporters_html_parallel_edges_get_distinct_curves(two_doc_kg):
    edges = {e["kg_predicate"]: e for e in page_data(generate_html(two_doc_kg))["edges"]}
    a, b = edges["manufacturerOf"]["smooth"], edges["supplierOf"]["smooth"]
    assert {a["type"], b["type"]} == {"curvedCW", "curvedCCW"}
    # only one of the pair pulls in the simulation
    assert [edges[p].get("physics", True) for p in ("manufacturerOf", "supplierOf")] == [True, False]
    assert "smooth" not in edges["investsIn"] or edges["investsIn"]["smooth"] != edges["headquarteredIn"]["smooth"]


def test_exporters_html_header_title_legend_and_filters(two_doc_kg):
    page = generate_html(two_doc_kg).decode()
    assert "<title>Knowledge graph of 2 documents · 3 entities, 4 relations</title>" in page
    assert re.search(r'<span id="kg-counts">3 entities · 4 relations</span>', page)
    assert '<span class="kg-doc">one.txt</span>, <span class="kg-doc">two.html</span>' in page
    assert "/home/me" not in page  # documents are named, local paths are not leaked
    tags = elements(page.encode()).tags
    classes = [a["data-class"] for t, a in tags if t == "input" and "data-class" in a]
    predicates = [a["data-predicate"] for t, a in tags if t == "input" and "data-predicate" in a]
    assert classes == ["Chip", "City", "Company"]
    assert predicates == ["headquarteredIn", "investsIn", "manufacturerOf", "supplierOf"]
    ids = {a.get("id") for _t, a in tags}
    assert {"kg-search", "kg-fit", "kg-freeze", "kg-confidence", "kg-details", "mynetwork"} <= ids
    assert 'id="kg-omitted"' not in page and "built " not in page


def test_exporters_html_max_nodes_keeps_the_most_connected_and_says_what_is_left_out():
    kg = star_graph(6, n_isolated=3)  # hub degree 6, leaves 1, loners 0
    page = generate_html(kg, max_nodes=4)
    data = page_data(page)
    assert [n["id"] for n in data["nodes"]] == ["hub", "t000", "t001", "t002"]
    assert len(data["edges"]) == 3
    assert data["omitted"]["entities"] == 6 and data["omitted"]["relations"] == 3
    # every left-out entity and relation is in the page, compact, for its panel
    assert list(data["others"])[:3] == ["t003", "t004", "t005"] and len(data["others"]) == 6
    assert data["others"]["t003"] == {"type": "Technology", "names": ["Tech 3"], "degree": 1}
    assert [link[:3] for link in data["links"]] == [["hub", "uses", f"t00{i}"] for i in (3, 4, 5)]
    assert data["links"][0][3:] == [0.9, 1, 1, [], ["d1"]]
    text = page.decode()
    assert "Showing the 4 entities with the most relations (limit 4)" in text
    assert "left out 6 entities (Person 3, Technology 3) and 3 relations" in text
    assert data["entities"]["hub"]["degree"] == 6  # degree in the whole graph
    assert len(page_data(generate_html(kg, max_nodes=None))["nodes"]) == 10


def test_exporters_html_default_cap_is_sensible():
    assert 100 <= DEFAULT_MAX_NODES <= 1000
    assert len(page_data(generate_html(star_graph(DEFAULT_MAX_NODES + 10)))["nodes"]) == DEFAULT_MAX_NODES


def test_exporters_html_entities_without_relations_stay_out_of_the_simulation():
    data = page_data(generate_html(star_graph(2, n_isolated=2)))
    isolated = {n["id"] for n in data["nodes"] if n.get("kg_isolated")}
    assert isolated == {"z000", "z001"}
    assert all(n["physics"] is False for n in data["nodes"] if n["id"] in isolated)
    assert b"entities without relations" in generate_html(star_graph(2, n_isolated=2))


def test_exporters_html_wikidata_ids_are_validated():
    # a javascript: or IRI value never reaches the page: the model refuses it...
    for bad in ("http://www.wikidata.org/entity/Q42", "javascript:alert(1)", "Q0"):
        with pytest.raises(ValueError, match="Wikidata id"):
            Entity(id="b", type="Company", label="B", wikidata=bad)
    # ...and a real id becomes link data
    ents = (Entity(id="a", type="Company", label="A", wikidata="Q42"), Entity(id="c", type="Company", label="C"))
    data = page_data(generate_html(KnowledgeGraph(entities=ents)))
    assert [data["entities"][i]["wikidata"] for i in "ac"] == ["Q42", None]


def test_exporters_html_evidence_is_capped_per_relation():
    evs = tuple(ev(f"Sentence {i}.") for i in range(MAX_EVIDENCE + 4))
    kg = KnowledgeGraph(entities=(Entity(id="a", type="Company", label="A"),
                                  Entity(id="b", type="Company", label="B")),
                        relations=(Relation(subject="a", predicate="acquired", object="b", evidence=evs),))
    rel = page_data(generate_html(kg))["relations"]["r0"]
    assert len(rel["evidence"]) == MAX_EVIDENCE and rel["more_evidence"] == 4


def test_exporters_html_empty_graph_gives_a_page():
    page = generate_html(KnowledgeGraph())
    data = page_data(page)
    assert data["nodes"] == [] and data["edges"] == []
    assert b"no documents" in page


def test_exporters_html_big_graphs_get_cheaper_settings():
    small = page_data(generate_html(star_graph(20)))
    n = max(CURVED_EDGES_MAX_EDGES, EDGE_LABELS_MAX_EDGES, IMPROVED_LAYOUT_MAX_NODES) + 1
    big = page_data(generate_html(star_graph(n), max_nodes=None))
    assert small["options"]["layout"] == {"randomSeed": 7, "improvedLayout": True}
    assert small["config"]["edgeLabels"] is True and "length" in small["edges"][0]
    assert small["options"]["edges"]["smooth"] == {"enabled": True, "type": "dynamic"}
    assert big["options"]["layout"]["improvedLayout"] is False
    assert big["options"]["edges"]["smooth"] is False
    assert big["config"]["edgeLabels"] is False and "length" not in big["edges"][0]
    assert big["options"]["physics"]["stabilization"]["iterations"] == stabilisation_iterations(n + 1)
    assert stabilisation_iterations(n + 1) < small["options"]["physics"]["stabilization"]["iterations"]
    iters = [stabilisation_iterations(k) for k in (10, 400, 2000, 5000, 50000)]
    assert iters == sorted(iters, reverse=True) and iters[-1] >= 25
    huge = vis_options(5000, 10000)
    assert huge["physics"]["forceAtlas2Based"]["theta"] > small["options"]["physics"]["forceAtlas2Based"]["theta"]
    assert huge["interaction"]["hideEdgesOnDrag"] is True and huge["interaction"]["hover"] is False


def test_exporters_html_big_graphs_start_from_a_radial_tree_layout():
    kg = star_graph(IMPROVED_LAYOUT_MAX_NODES + 5, n_isolated=2)
    data = page_data(generate_html(kg, max_nodes=None))
    pos = {n["id"]: (n.get("x"), n.get("y")) for n in data["nodes"]}
    assert pos["hub"] == (0, 0)
    leaves = [p for i, p in pos.items() if i.startswith("t")]
    assert all(isinstance(x, int) and isinstance(y, int) for x, y in leaves)
    assert len(set(leaves)) == len(leaves)  # no two start on the same spot
    assert pos["z000"] == (None, None)  # isolated: placed by the page
    assert "x" not in page_data(generate_html(star_graph(5)))["nodes"][0]  # small: vis' own layout


def test_exporters_html_seed_positions_packs_components_apart():
    a, b = star_graph(4), star_graph(3)
    rels = list(a.relations) + [Relation(subject=f"q{r.subject}", predicate="uses", object=f"q{r.object}",
                                         evidence=r.evidence) for r in b.relations]
    ids = [e.id for e in a.entities] + [f"q{e.id}" for e in b.entities]
    pos = seed_positions(ids, rels)
    assert pos == seed_positions(ids, rels) and set(pos) == set(ids)
    first = [pos[i] for i in ids if not i.startswith("q")]
    second = [pos[i] for i in ids if i.startswith("q")]
    def box(ps):
        return min(x for x, _ in ps), max(x for x, _ in ps), min(y for _, y in ps), max(y for _, y in ps)

    (ax0, ax1, ay0, ay1), (bx0, bx1, by0, by1) = box(first), box(second)
    assert ax1 < bx0 or bx1 < ax0 or ay1 < by0 or by1 < ay0  # the two boxes do not overlap


# ---- safety --------------------------------------------------------------------------------

def test_exporters_html_script_json_cannot_end_its_script_block():
    text = str(script_json({"k": "</script><!-- <script> & \u2028 \u2029 é"}))
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"k": "</script><!-- <script> & \u2028 \u2029 é"}
    assert "é" in text  # non-ASCII stays readable UTF-8


def test_exporters_html_hostile_strings_are_data_not_markup(hostile_kg):
    page = generate_html(hostile_kg)
    text = page.decode("utf-8")
    parsed = elements(page)
    # exactly our three scripts: the data block, vis-network, the explorer
    scripts = [a for t, a in parsed.tags if t == "script"]
    assert scripts == [{"type": "application/json", "id": "kg-data"}, {}, {}]
    assert not [t for t, _a in parsed.tags if t in {"img", "iframe", "b", "a", "link", "object", "embed"}]
    assert not [(t, k) for t, a in parsed.tags for k in a if k.startswith("on")]
    for raw in ("<script>alert(1)", "<img src=x", "<svg onload", "<iframe src", "<!-- x -->", "<b>bold"):
        assert raw not in text
    # the data block holds no character that could end it or open a comment
    block = parsed.scripts[0]
    assert not set(block) & {"<", ">", "&", "\u2028", "\u2029"}
    # ...and gives back every string exactly
    data = page_data(page)
    assert data["entities"]["evil"]["names"] == [e.label for e in hostile_kg.entities if e.id == "evil"] + \
        list(hostile_kg.entity("evil").aliases)
    assert data["nodes"][[n["id"] for n in data["nodes"]].index("evil")]["label"] == "<script>alert(1)</script>"
    sentences = {e["sentence"] for r in data["relations"].values() for e in r["evidence"]}
    assert sentences == {ev.sentence for r in hostile_kg.relations for ev in r.evidence}
    assert data["entities"]["obrien\"'<x>"]["wikidata"] == "Q42"
    # template syntax in a label is shown, not evaluated; the header escapes the document name
    assert "{{ 7*7 }}" in json.dumps(data) and "49" not in data["entities"]["obrien\"'<x>"]["names"][0]
    assert "&lt;iframe src=javascript:alert(5)&gt;.txt" in text
    assert "<title>Knowledge graph of &lt;iframe src=javascript:alert(5)&gt;.txt · " in text


def test_exporters_html_works_offline_no_external_resources(hostile_kg, two_doc_kg):
    for kg in (hostile_kg, two_doc_kg, star_graph(3)):
        page = generate_html(kg)
        parsed = elements(page)
        for tag, attrs in parsed.tags:
            for name in ("src", "href", "action", "data", "poster", "srcset", "xlink:href"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith(("http:", "https:", "//", "ftp:", "ws:", "wss:")), (tag, attrs)
            assert not (tag == "script" and "src" in attrs)
            assert tag != "link"
        text = page.decode("utf-8")
        assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", text, re.IGNORECASE)
        assert "@import" not in text
        assert "bootstrap" not in text.lower() and "tom-select" not in text.lower()
        csp = next(a["content"] for t, a in parsed.tags
                   if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
        assert "default-src 'none'" in csp and "connect-src" not in csp  # default covers it


def test_exporters_html_inlines_vis_network():
    scripts = elements(generate_html(star_graph(1))).scripts
    assert "vis-network" in scripts[1][:300] and "@version 9.1.2" in scripts[1][:300]
    assert "window.kgExplorer" in scripts[2]


# ---- determinism ---------------------------------------------------------------------------

def test_exporters_html_is_byte_deterministic_and_leaves_input_unchanged(two_doc_kg, hostile_kg, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    for kg in (two_doc_kg, hostile_kg, star_graph(30, 5)):
        before = repr(kg)
        assert generate_html(kg) == generate_html(kg)
        assert repr(kg) == before
    # the same graph built in another order gives the same page
    shuffled = KnowledgeGraph(documents=tuple(reversed(two_doc_kg.documents)),
                              entities=tuple(reversed(two_doc_kg.entities)),
                              relations=tuple(reversed(two_doc_kg.relations)))
    assert generate_html(shuffled) == generate_html(two_doc_kg)


def test_exporters_html_shows_build_time_only_from_source_date_epoch(two_doc_kg, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plain = generate_html(two_doc_kg)
    assert b"kg-built" not in plain
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1717200000")
    dated = generate_html(two_doc_kg)
    assert b'<span id="kg-built">built 2024-06-01 00:00 UTC</span>' in dated
    assert dated == generate_html(two_doc_kg)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    assert generate_html(two_doc_kg) == plain  # ignored, with a warning


def test_exporters_html_layout_is_seeded():
    options = page_data(generate_html(star_graph(3)))["options"]
    assert isinstance(options["layout"]["randomSeed"], int)
    assert options["physics"]["stabilization"]["enabled"] is True


# ---- command line --------------------------------------------------------------------------

def test_exporters_html_cli_max_nodes(tmp_path, capsys):
    from graph.cli import main

    src = tmp_path / "news.txt"
    src.write_text("Acme Corp. makes the Widget X. Globex uses the Widget X. Initech is in Springfield.\n",
                   encoding="utf-8")
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "-f", "html", "--model", "blank",
                 "-q", "--max-nodes", "1"]) == 0
    data = page_data((tmp_path / "out" / "graph.html").read_bytes())
    assert len(data["nodes"]) <= 1
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--max-nodes", "-1"]) == 2
    assert "--max-nodes -1" in capsys.readouterr().err


def test_exporters_html_page_is_built_without_importing_pyvis():
    """The vis-network script is read from pyvis' installed files; pyvis' import (networkx,
    IPython) would cost every build about a second."""
    import subprocess
    import sys

    code = ("import sys; from graph.exporters.html import generate_html; from graph.model import KnowledgeGraph;"
            " page = generate_html(KnowledgeGraph()); print(b'vis.Network' in page or b'vis-network' in page,"
            " sorted({m.split('.')[0] for m in sys.modules} & {'pyvis', 'IPython', 'networkx'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["True", "[]"]


def test_exporters_html_legend_classes_differ_in_shape_and_colour():
    """Issue 14: Technology/Approach, Company/Organization and Country/City/Place looked alike."""
    from graph.exporters.html_layout import STYLE
    from graph.model import ENTITY_TYPES

    assert set(ENTITY_TYPES) <= set(STYLE)
    assert len(set(STYLE.values())) == len(STYLE)  # no two classes share colour and shape
    assert len({c for c, _s in STYLE.values()}) == len(STYLE)  # nor a colour
    for group in (("Company", "Organization", "GovernmentBody"), ("Technology", "Approach"),
                  ("Place", "Country", "City"), ("Product", "Chip", "AIModel")):
        assert len({STYLE[c][1] for c in group}) == len(group), group  # told apart without colour
