"""The HTML explorer in a real browser: headless Chromium through Selenium.

Needs Debian's ``chromium`` and ``chromium-driver`` (``/usr/bin/chromedriver``)
and the ``selenium`` package. Without them these tests are skipped, except
when the environment variable ``CI`` is set: then they fail, since CI
(``.ci/run``) installs them. A screenshot of the sample page is written to
``tests/output/sample.png``.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

from graph.exporters.html import generate_html
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation

CHROMIUM = Path(os.environ.get("KG_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KG_CHROMEDRIVER", "/usr/bin/chromedriver"))
HERE = Path(__file__).parent
OUTPUT = HERE / "output"
HOSTILE = HERE / "data" / "html" / "hostile_graph.json"
SETTLE_TIMEOUT = 30.0

# Installed before any page script runs: records alert/confirm/prompt calls instead of
# opening a dialog, so a test can assert that none happened.
TRAP = """
window.__kgAlerts = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = function (message) { window.__kgAlerts.push(name + ": " + String(message)); };
}
addEventListener("pointerdown", function (e) { window.__kgDown = e.timeStamp; }, true);
"""
IDLE_MS = 1000  # no redraw for this long: the page is idle (as tests/bench/html_stabilise.py)
CORPUS_ARTICLES = 300

pytestmark = pytest.mark.slow  # a real browser per test


# ---- fixtures (this file's own) -------------------------------------------------------------

def _missing() -> str | None:
    """Say what the browser tests lack, or None."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "the selenium package is not installed (pip install selenium)"
    for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not path.exists():
            return f"{path} not found (apt-get install {pkg})"
    return None


@pytest.fixture(scope="module")
def browser():
    why = _missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"CI: browser tests cannot run: {why}; .ci/run installs chromium and chromium-driver")
        pytest.skip(f"browser tests need Chromium and Selenium: {why}")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kg-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--window-size=1400,900", f"--user-data-dir={profile}"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=opts)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": TRAP})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def sample_kg() -> KnowledgeGraph:
    """The bundled sample article, built as ``kg build`` builds it."""
    import graph
    from graph.resources import sample_path

    return graph.build([sample_path()])


@pytest.fixture(scope="module")
def pages(tmp_path_factory, sample_kg) -> dict[str, Path]:
    """The explorer pages the tests open: sample, hostile and a graph without relations."""
    raw = json.loads(HOSTILE.read_text(encoding="utf-8"))
    hostile = KnowledgeGraph(
        documents=tuple(Document(**d) for d in raw["documents"]),
        entities=tuple(Entity(**{**e, "aliases": tuple(e.get("aliases", ()))}) for e in raw["entities"]),
        relations=tuple(Relation(**{**r, "evidence": tuple(Evidence(**ev) for ev in r["evidence"])})
                        for r in raw["relations"]),
    )
    lonely = KnowledgeGraph(entities=tuple(Entity(id=f"p{i}", type="Person", label=f"Person {i}")
                                           for i in range(3)))
    folder = tmp_path_factory.mktemp("html")
    out = {}
    for name, kg in (("sample", sample_kg), ("hostile", hostile), ("lonely", lonely)):
        out[name] = folder / f"{name}.html"
        out[name].write_bytes(generate_html(kg))
    return out


def open_page(driver, path: Path) -> None:
    """Load ``path`` and wait until its layout has settled; clear the logs first."""
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(path.resolve().as_uri())
    end = time.monotonic() + SETTLE_TIMEOUT
    while js(driver, "return document.documentElement.dataset.kgState") != "settled":
        if time.monotonic() > end:
            pytest.fail(f"{path.name} did not settle in {SETTLE_TIMEOUT} s; logs: {driver.get_log('browser')}")
        time.sleep(0.05)


def wait_idle(driver, path: Path, timeout: float = 120.0) -> dict:
    """Load ``path``; wait until it has settled and not redrawn for ``IDLE_MS``.

    Returns the page's ``idle`` time (ms from navigation start to its last
    redraw) and ``after``, the redraws after it said "settled".
    """
    driver.get("about:blank")
    driver.get(path.resolve().as_uri())
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = js(driver, """
            const k = window.kgExplorer;
            if (!k || document.documentElement.dataset.kgState !== 'settled') return null;
            const t = k.timings;
            if (performance.now() - t.lastDraw < arguments[0]) return null;
            return {idle: t.lastDraw, after: t.drawsAfterSettled, settled: t.settled};""", IDLE_MS)
        if got is not None:
            return got
        time.sleep(0.1)
    pytest.fail(f"{path.name} not idle after {timeout} s")


def click_answer_ms(driver) -> float:
    """Click the best connected entity; ms from the press until the panel shows it and a frame is drawn."""
    ent = js(driver, """
        const ents = kgExplorer.data.entities;
        return Object.keys(ents).sort((a, b) => ents[b].degree - ents[a].degree || (a < b ? -1 : 1))[0];""")
    x, y = js(driver, """
        const n = kgExplorer.network, p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);
        return [p.x, p.y];""", ent)
    click_canvas_at(driver, x, y)
    ms = driver.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - window.__kgDown)));")
    assert js(driver, "return kgExplorer.network.getSelectedNodes()") == [ent]
    assert not js(driver, "return document.getElementById('kg-details').hidden")
    return float(ms)


def js(driver, script: str, *args):
    return driver.execute_script(script, *args)


def errors(driver) -> list[dict]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def visible_ids(driver) -> tuple[set[str], set[str]]:
    """Ids of the nodes and edges vis-network currently draws."""
    nodes, edges = js(driver, "const b = kgExplorer.network.body; return [b.nodeIndices, b.edgeIndices];")
    return set(nodes), set(edges)


def click_canvas_at(driver, x: float, y: float) -> None:
    """Click the network canvas at DOM coordinates (x, y) inside it."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    canvas = driver.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
    size = canvas.size
    ActionChains(driver).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()


def search(driver, text: str) -> list[str]:
    from selenium.webdriver.common.by import By

    box = driver.find_element(By.ID, "kg-search")
    box.clear()
    box.send_keys(text)
    return [li.text for li in driver.find_elements(By.CSS_SELECTOR, "#kg-results li")]


def panel_text(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "kg-details-body").text


# ---- tests ---------------------------------------------------------------------------------

def test_html_browser_sample_draws_every_node_and_edge(browser, pages, sample_kg):
    open_page(browser, pages["sample"])
    counts = js(browser, """
        const n = kgExplorer.network;
        return {data: [n.body.data.nodes.length, n.body.data.edges.length],
                drawn: [n.body.nodeIndices.length, n.body.edgeIndices.length],
                positions: Object.keys(n.getPositions()).length,
                canvases: document.querySelectorAll('#mynetwork canvas').length,
                frozen: kgExplorer.isFrozen(), scale: n.getScale()};""")
    n, m = len(sample_kg.entities), len(sample_kg.relations)
    assert n > 20 and m > 10
    assert counts["data"] == [n, m] and counts["drawn"] == [n, m] and counts["positions"] == n
    assert counts["canvases"] == 1 and counts["frozen"] is True
    assert counts["scale"] > 0.5  # the default view is not zoomed out to a speck
    assert js(browser, "return window.__kgAlerts") == []
    assert errors(browser) == []
    OUTPUT.mkdir(exist_ok=True)
    browser.save_screenshot(str(OUTPUT / "sample.png"))


def test_html_browser_default_view_has_no_overlapping_labels(browser, pages):
    open_page(browser, pages["sample"])
    overlaps = js(browser, """
        const n = kgExplorer.network, ids = n.body.nodeIndices, out = [];
        const box = ids.map(id => [id, n.getBoundingBox(id)]);
        for (let i = 0; i < box.length; i++) for (let j = i + 1; j < box.length; j++) {
          const [a, p] = box[i], [b, q] = box[j];
          if (p.left < q.right && q.left < p.right && p.top < q.bottom && q.top < p.bottom) out.push([a, b]);
        }
        return out;""")
    assert overlaps == []
    # and everything is inside the window
    inside = js(browser, """
        const n = kgExplorer.network, el = document.getElementById('mynetwork');
        return n.body.nodeIndices.every(id => {
          const b = n.getBoundingBox(id), tl = n.canvasToDOM({x: b.left, y: b.top}),
                br = n.canvasToDOM({x: b.right, y: b.bottom});
          return tl.x >= 0 && tl.y >= 0 && br.x <= el.clientWidth && br.y <= el.clientHeight;
        });""")
    assert inside is True


def test_html_browser_layout_is_the_same_on_every_load(browser, pages):
    positions = []
    for _ in range(2):
        open_page(browser, pages["sample"])
        positions.append(js(browser, """
            const p = kgExplorer.network.getPositions(), out = {};
            for (const id in p) out[id] = [Math.round(p[id].x), Math.round(p[id].y)];
            return out;"""))
    assert positions[0] == positions[1]


def test_html_browser_search_finds_softbank_by_its_alias(browser, pages, sample_kg):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    ent = sample_kg.find("SoftBank")
    assert ent is not None and "SoftBank" in ent.aliases and ent.label != "SoftBank"
    open_page(browser, pages["sample"])
    results = search(browser, "SoftBank")
    assert results[0] == f"{ent.label} “SoftBank”"  # matched by the alias, which is shown
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
    time.sleep(0.6)  # the focus animation
    assert js(browser, "return kgExplorer.network.getSelectedNodes()") == [ent.id]
    heading = browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading").text
    assert heading == ent.label
    names = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-names li")]
    assert [n.removesuffix(" (label)") for n in names] == list(ent.names)
    # the node is in view, near the middle
    centre = js(browser, """
        const n = kgExplorer.network, el = document.getElementById('mynetwork');
        const p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);
        return [p.x / el.clientWidth, p.y / el.clientHeight];""", ent.id)
    assert 0.3 < centre[0] < 0.7 and 0.3 < centre[1] < 0.7


def test_html_browser_search_by_an_alias_unlike_the_label(browser, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, pages["hostile"])
    assert search(browser, "coyote") == ["Acme “Wile E. Coyote Supplies”"]
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
    assert js(browser, "return kgExplorer.network.getSelectedNodes()") == ["acme"]
    assert search(browser, "no such name") == ["No entity has a name containing “no such name”"]


def test_html_browser_hiding_a_class_hides_its_nodes_and_their_edges(browser, pages, sample_kg):
    from selenium.webdriver.common.by import By

    open_page(browser, pages["sample"])
    cls = "Company"
    ids = {e.id for e in sample_kg.entities if e.type == cls}
    data = js(browser, "return kgExplorer.data.edges.map(e => [e.id, e.from, e.to])")
    touching = {eid for eid, s, o in data if s in ids or o in ids}
    assert ids and touching
    box = browser.find_element(By.CSS_SELECTOR, f"#kg-classes input[data-class='{cls}']")
    box.find_element(By.XPATH, "..").click()  # click the legend entry (the label)
    assert not box.is_selected()
    nodes, edges = visible_ids(browser)
    assert not nodes & ids and len(nodes) == len(sample_kg.entities) - len(ids)
    assert not edges & touching and len(edges) == len(sample_kg.relations) - len(touching)
    status = browser.find_element(By.ID, "kg-status").text
    assert status.startswith(f"{len(nodes)} entities and {len(edges)} relation")
    box.click()
    assert visible_ids(browser) == (set(js(browser, "return kgExplorer.data.nodes.map(n => n.id)")),
                                    {eid for eid, _s, _o in data})


def test_html_browser_predicate_filter_and_confidence_slider(browser, pages, sample_kg):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, pages["sample"])
    edges = js(browser, "return kgExplorer.data.edges.map(e => [e.id, e.kg_predicate, e.kg_confidence])")
    pred = max({p for _i, p, _c in edges}, key=lambda p: sum(q == p for _i, q, _c in edges))
    browser.find_element(By.CSS_SELECTOR, f"#kg-predicates input[data-predicate='{pred}']").click()
    assert visible_ids(browser)[1] == {i for i, p, _c in edges if p != pred}
    browser.find_element(By.ID, "kg-reset").click()
    assert len(visible_ids(browser)[1]) == len(edges)
    slider = browser.find_element(By.ID, "kg-confidence")
    slider.click()  # the middle: 0.50
    for _ in range(8):  # + 8 steps of 0.05 = 0.90
        slider.send_keys(Keys.ARROW_RIGHT)
    time.sleep(0.1)
    shown = browser.find_element(By.ID, "kg-confidence-value").text
    threshold = float(shown)
    assert threshold == pytest.approx(0.9)
    assert visible_ids(browser)[1] == {i for i, _p, c in edges if c >= threshold}
    assert len(visible_ids(browser)[0]) == len(sample_kg.entities)  # nodes stay


def test_html_browser_click_a_node_and_an_edge_shows_details(browser, pages, sample_kg):
    from selenium.webdriver.common.by import By

    open_page(browser, pages["sample"])
    rel = max(sample_kg.relations, key=lambda r: len(r.evidence))
    subject = sample_kg.entity(rel.subject)
    x, y = js(browser, """
        const n = kgExplorer.network, p = n.canvasToDOM(n.getPositions([arguments[0]])[arguments[0]]);
        return [p.x, p.y];""", subject.id)
    click_canvas_at(browser, x, y)
    text = panel_text(browser)
    assert subject.label in text and subject.type.upper() in text.upper()
    assert f"{rel.predicate} →" in text and sample_kg.entity(rel.object).label in text
    # the edge: click the middle of its drawn curve
    rid = js(browser, "return kgExplorer.data.edges.find(e => e.from === arguments[0] && e.to === arguments[1]"
                      " && e.kg_predicate === arguments[2]).id", rel.subject, rel.object, rel.predicate)
    x, y = js(browser, """
        const n = kgExplorer.network, e = n.body.edges[arguments[0]];
        const p = n.canvasToDOM(e.edgeType.getPoint(0.5)); return [p.x, p.y];""", rid)
    click_canvas_at(browser, x, y)
    assert js(browser, "return kgExplorer.network.getSelectedEdges()") == [rid]
    text = panel_text(browser)
    assert "RELATION" in text.upper() and rel.predicate in text and f"{rel.confidence:.2f}" in text
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "#kg-details blockquote")]
    sentences = list(dict.fromkeys(" ".join(ev.sentence.split()) for ev in rel.evidence))
    assert quotes == sentences[: len(quotes)]  # one row per sentence, whatever rules read it
    sources = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-source")]
    doc = next(d for d in sample_kg.documents if d.id == rel.evidence[0].doc_id)
    assert doc.source.rsplit("/", 1)[-1] in sources[0]
    rules = browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-rule")[0].text
    assert rel.evidence[0].rule_id in rules
    assert f"evidence: 1 article, {len(sentences)} sentence" in text.lower()
    # clicking empty canvas closes the panel
    click_canvas_at(browser, 3, 3)
    assert browser.find_element(By.ID, "kg-details").get_attribute("hidden") is not None


def test_html_browser_hostile_strings_render_as_text_and_no_alert_fires(browser, pages):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    raw = json.loads(HOSTILE.read_text(encoding="utf-8"))
    evil = raw["entities"][0]
    open_page(browser, pages["hostile"])
    assert search(browser, "<script>")[0].startswith(evil["label"])
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
    heading = browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading")
    assert heading.text == evil["label"] and js(browser, "return arguments[0].children.length", heading) == 0
    names = [li.text.removesuffix(" (label)")
             for li in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-names li")]
    assert names == [evil["label"], *evil["aliases"]]
    assert "Wikidata" not in panel_text(browser)  # javascript: was not made a link; no empty row either
    # a relation's evidence
    browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-evidence-link").click()
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "#kg-details blockquote")]
    assert quotes == [raw["relations"][0]["evidence"][0]["sentence"]]
    assert 'rule "<x>_v1' in panel_text(browser) or 'rule"<x>_v1' in panel_text(browser)
    # the tooltip vis-network shows on hover is text too
    browser.find_element(By.ID, "kg-close").click()
    x, y = js(browser, """
        const n = kgExplorer.network, p = n.canvasToDOM(n.getPositions(['evil'])['evil']);
        return [p.x, p.y];""")
    canvas = browser.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
    size = canvas.size
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).perform()
    time.sleep(0.6)
    tip = js(browser, "const t = document.querySelector('div.vis-tooltip'); return t && [t.style.visibility,"
                      " t.innerText, Array.from(t.querySelectorAll('*')).map(e => e.tagName)];")
    assert tip is not None and tip[0] != "hidden"
    assert tip[1].split("\n")[0] == evil["label"] and "also: " + "; ".join(evil["aliases"]) in tip[1]
    assert set(tip[2]) <= {"BR"}  # innerText: the text and line breaks, no markup
    # the page itself: only our elements, no handlers, nothing injected, nothing ran
    assert js(browser, "return document.title").startswith("Knowledge graph of <iframe src=javascript:alert(5)>.txt")
    assert js(browser, """return [document.scripts.length, document.images.length,
        document.querySelectorAll('iframe, object, embed, b, img, a:not(.kg-wikidata a)').length,
        Array.from(document.querySelectorAll('*')).filter(
            el => Array.from(el.attributes).some(a => a.name.startsWith('on'))).length]""") == [3, 0, 0, 0]
    assert js(browser, "return window.__kgAlerts") == []
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018
    assert errors(browser) == []


def test_html_browser_no_request_leaves_the_page(browser, pages):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    for name in ("sample", "hostile"):
        open_page(browser, pages[name])
        # open every panel kind, including one with a Wikidata link (a link, not a resource)
        search(browser, "O'Brien" if name == "hostile" else "a")
        browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
        js(browser, "kgExplorer.showRelation(Object.keys(kgExplorer.data.relations)[0])")
        if name == "hostile":
            js(browser, "kgExplorer.focusNode(arguments[0])", "obrien\"'<x>")
            link = browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-wikidata a")
            assert link.get_attribute("href") == "https://www.wikidata.org/wiki/Q42"
            assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
        time.sleep(0.3)
        urls = []
        for entry in browser.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                urls.append(msg["params"]["request"]["url"])
        page_uri = pages[name].resolve().as_uri()
        assert all(u == page_uri or u.startswith("data:") for u in urls), urls
        # resources in the live DOM: no src/href that loads anything from a network
        loads = js(browser, """
            const out = [];
            document.querySelectorAll('[src], link[href], [srcset], object[data], image, use').forEach(el => {
              for (const a of ['src', 'href', 'srcset', 'data', 'xlink:href'])
                if (el.getAttribute(a)) out.push(el.tagName + ' ' + a + '=' + el.getAttribute(a));
            });
            const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
            return [out, links];""")
        assert loads[0] == []
        assert all(h.startswith("https://www.wikidata.org/wiki/Q") for h in loads[1])
        assert errors(browser) == []


def test_html_browser_fit_and_freeze_buttons(browser, pages):
    from selenium.webdriver.common.by import By

    open_page(browser, pages["sample"])
    freeze = browser.find_element(By.ID, "kg-freeze")
    assert freeze.get_attribute("aria-pressed") == "true" and freeze.text == "Resume layout"
    freeze.click()
    assert js(browser, "return [kgExplorer.isFrozen(), kgExplorer.network.physics.physicsEnabled]") == [False, True]
    assert freeze.text == "Freeze layout"
    freeze.click()
    assert js(browser, "return [kgExplorer.isFrozen(), kgExplorer.network.physics.physicsEnabled]") == [True, False]
    fitted = js(browser, "return kgExplorer.network.getScale()")
    js(browser, "kgExplorer.network.moveTo({scale: 3, position: {x: 5000, y: 5000}})")
    browser.find_element(By.ID, "kg-fit").click()
    time.sleep(0.7)
    assert js(browser, "return kgExplorer.network.getScale()") == pytest.approx(fitted / 0.95, rel=0.15)


def test_html_browser_graph_without_relations_settles(browser, pages):
    open_page(browser, pages["lonely"])
    assert visible_ids(browser)[0] == {"p0", "p1", "p2"}
    ys = js(browser, "const p = kgExplorer.network.getPositions(); return Object.values(p).map(q => q.y)")
    assert len({round(y) for y in ys}) == 1  # lined up in a row
    assert errors(browser) == []


@pytest.fixture(scope="module")
def corpus_page(tmp_path_factory) -> Path:
    """The page of a corpus of CORPUS_ARTICLES synthetic news articles (tests/bench/make_corpus.py)."""
    import importlib.util

    import graph

    spec = importlib.util.spec_from_file_location("kg_make_corpus", HERE / "bench" / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    make_corpus = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = make_corpus  # its dataclasses look their module up
    spec.loader.exec_module(make_corpus)
    folder = tmp_path_factory.mktemp("corpus")
    corpus = folder / "corpus.jsonl"
    make_corpus.write_jsonl(CORPUS_ARTICLES, corpus)
    kg = graph.build([corpus])
    assert len(kg.documents) == CORPUS_ARTICLES and len(kg.entities) > 400
    page = folder / "graph.html"
    page.write_bytes(generate_html(kg))
    return page


def test_html_browser_corpus_page_becomes_idle_and_answers_a_click(browser, pages, corpus_page):
    """Issue 14: a 300-article page used to redraw once per entity after "settled" (401 redraws,
    busy 13-25 s after it, a click then took seconds). Bounds are ratios to the sample page,
    measured in the same run, so a slower or busier machine moves both."""
    wait_idle(browser, pages["sample"])  # a first load warms the browser up
    sample, big = wait_idle(browser, pages["sample"]), wait_idle(browser, corpus_page)
    # a click as soon as the page says "settled": it waits for whatever the page still does
    open_page(browser, pages["sample"])
    sample_click = click_answer_ms(browser)
    open_page(browser, corpus_page)
    big_click = click_answer_ms(browser)
    print(f"idle: sample {sample['idle']:.0f} ms, {CORPUS_ARTICLES} articles {big['idle']:.0f} ms"
          f" (settled {big['settled']:.0f} ms); click at settled: {sample_click:.0f} ms, {big_click:.0f} ms;"
          f" redraws after settled: {sample['after']}, {big['after']}")
    assert sample["after"] <= 2 and big["after"] <= 2  # before: 18 and 401
    assert big["idle"] - big["settled"] <= 3 * sample["idle"]  # busy after "settled"; before: 29x
    assert big["idle"] <= 40 * sample["idle"]  # the whole load, layout of 400 entities included
    assert big_click <= 15 * max(sample_click, 50.0)  # before: it waited for the 401 redraws
    assert errors(browser) == []


# ---- issue 14: a small news graph with article titles, dates and links ------------------------

def news_kg() -> KnowledgeGraph:
    """Nine entities over five articles (four dated); two are left out at max_nodes=7.

    The only shortest path from Springfield to Transformers is
    Springfield <- Acme -> Widget X <- Beta -> Transformers.
    """
    docs = (
        Document(id="d1", source="feed.jsonl#0", content_hash="sha256:" + "1" * 64, title="Acme's chip plant",
                 date="2024-01-10", url="https://news.example/acme-plant"),
        Document(id="d2", source="feed.jsonl#1", content_hash="sha256:" + "2" * 64, title="Beta buys in",
                 date="2024-03-05", url="https://news.example/beta"),
        Document(id="d3", source="feed.jsonl#2", content_hash="sha256:" + "3" * 64, title="Training runs",
                 date="2024-06-20"),
        Document(id="d4", source="feed.jsonl#3", content_hash="sha256:" + "4" * 64, title="Lab notes",
                 date="2024-09-01"),
        Document(id="d5", source="notes.txt", content_hash="sha256:" + "5" * 64),
    )
    ents = (
        Entity(id="acme", type="Company", label="Acme"),
        Entity(id="beta", type="Company", label="Beta Corp"),
        Entity(id="widget", type="Chip", label="Widget X"),
        Entity(id="model", type="AIModel", label="Model Nine"),
        Entity(id="lab", type="Organization", label="Open Lab"),
        Entity(id="city", type="City", label="Springfield"),
        Entity(id="tech", type="Technology", label="Transformers"),
        Entity(id="formula", type="Company", label="=HYPERLINK(\"http://x\")"),
        Entity(id="far", type="Company", label="Faraway Holdings"),
    )

    def ev(doc: str, sentence: str, rule: str = "hand_v1", start: int = 0) -> Evidence:
        return Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence, rule_id=rule,
                        confidence=0.9)

    made = "Acme makes the Widget X in its new plant."

    def rel(s: str, p: str, o: str, *evs: Evidence) -> Relation:
        return Relation(subject=s, predicate=p, object=o, evidence=evs)

    rels = (
        rel("acme", "manufacturerOf", "widget", ev("d1", made, "a_v1"), ev("d1", made, "b_v1"),
            ev("d1", "The Widget X is Acme's.", start=50), ev("d2", "Acme's Widget X ships.")),
        rel("acme", "headquarteredIn", "city", ev("d1", "Springfield-based Acme.")),
        rel("beta", "uses", "widget", ev("d2", "Beta uses the Widget X.")),
        rel("beta", "uses", "tech", ev("d2", "Beta uses Transformers.", start=30)),
        rel("model", "trainedOn", "widget", ev("d3", "Model Nine was trained on Widget X chips.")),
        rel("lab", "developerOf", "model", ev("d4", "Open Lab built Model Nine.")),
        rel("lab", "uses", "tech", ev("d5", "Open Lab uses Transformers.")),
        rel("formula", "partnerIn", "city", ev("d5", "A partner in Springfield.", start=40)),
        rel("far", "investsIn", "formula", ev("d3", "Faraway invests in it.", start=60)),
    )
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels)


@pytest.fixture(scope="module")
def news_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("news") / "news.html"
    path.write_bytes(generate_html(news_kg(), max_nodes=8))
    return path


def drawn(driver) -> dict[str, str]:
    """How each node is drawn: "n" normal, "d" dimmed, "h" hidden."""
    return js(driver, """
        const out = {};
        kgExplorer.nodes.get().forEach(n => { out[n.id] = n.hidden ? 'h' : n.opacity < 1 ? 'd' : 'n'; });
        return out;""")


def test_html_browser_evidence_shows_article_title_date_link_and_counts(browser, news_page):
    from selenium.webdriver.common.by import By

    open_page(browser, news_page)
    rid = js(browser, "return kgExplorer.data.edges.find(e => e.kg_predicate === 'manufacturerOf').id")
    js(browser, "kgExplorer.showRelation(arguments[0])", rid)
    text = panel_text(browser)
    assert "evidence: 2 articles, 3 sentences" in text.lower()
    quotes = [q.text for q in browser.find_elements(By.CSS_SELECTOR, "#kg-details blockquote")]
    assert quotes == ["Acme makes the Widget X in its new plant.", "The Widget X is Acme's.", "Acme's Widget X ships."]
    rules = [r.text for r in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-rule")]
    assert rules[0].startswith("rules a_v1, b_v1")  # one row for the sentence two rules read
    sources = [s.text for s in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-source")]
    assert sources[0] == "Acme's chip plant · 2024-01-10 · feed.jsonl#0"
    link = browser.find_element(By.CSS_SELECTOR, "#kg-details a.kg-article")
    assert link.get_attribute("href") == "https://news.example/acme-plant"
    assert link.get_attribute("target") == "_blank" and "noopener" in link.get_attribute("rel")
    # the entity panel counts articles and sentences, not evidence rows
    js(browser, "kgExplorer.focusNode('acme')")
    assert "confidence 0.90 · 2 articles, 3 sentences" in panel_text(browser)
    assert "Wikidata" not in panel_text(browser)
    assert errors(browser) == []


def test_html_browser_focus_expand_show_only_and_escape(browser, news_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, news_page)
    search(browser, "Springfield")
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
    look = drawn(browser)
    assert {k for k, v in look.items() if v == "n"} == {"city", "acme", "formula"}
    assert {k for k, v in look.items() if v == "d"} == {"beta", "widget", "model", "lab", "tech"}
    bar = browser.find_element(By.ID, "kg-focus-bar")
    assert bar.is_displayed() and "Focus: Springfield" in bar.text
    browser.find_element(By.ID, "kg-expand").click()
    assert {k for k, v in drawn(browser).items() if v == "n"} == {"city", "acme", "formula", "widget"}
    browser.find_element(By.ID, "kg-only").click()
    look = drawn(browser)
    assert {k for k, v in look.items() if v == "h"} == {"beta", "model", "lab", "tech"}
    assert "d" not in look.values()
    assert visible_ids(browser)[0] == {"city", "acme", "formula", "widget"}
    # Esc (here from the search box, where it used to do nothing) shows everything again
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ESCAPE)
    assert set(drawn(browser).values()) == {"n"}
    assert not bar.is_displayed()
    assert browser.find_element(By.ID, "kg-details").get_attribute("hidden") is not None
    assert errors(browser) == []


def test_html_browser_path_finder_draws_and_lists_the_shortest_path(browser, news_page):
    from selenium.webdriver.common.by import By

    open_page(browser, news_page)
    browser.find_element(By.ID, "kg-path-from").send_keys("Springfield")
    browser.find_element(By.ID, "kg-path-to").send_keys("Transformers")
    browser.find_element(By.ID, "kg-path-go").click()
    paths = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-paths li")]
    assert paths == ["Springfield ←headquarteredIn— Acme —manufacturerOf→ Widget X ←uses— Beta Corp —uses→ Transformers"]
    assert "1 shortest path of 4 relations" in panel_text(browser)
    look = drawn(browser)
    assert {k for k, v in look.items() if v == "n"} == {"city", "acme", "widget", "beta", "tech"}
    normal_edges = js(browser, """return kgExplorer.edges.get().filter(e => !e.hidden && (!e.color || e.color.opacity > 0.5))
        .map(e => [e.from, e.kg_predicate, e.to]).sort()""")
    assert normal_edges == sorted([["acme", "headquarteredIn", "city"], ["acme", "manufacturerOf", "widget"],
                                   ["beta", "uses", "widget"], ["beta", "uses", "tech"]])
    # unknown names are said
    browser.find_element(By.ID, "kg-path-to").clear()
    browser.find_element(By.ID, "kg-path-to").send_keys("Nobody")
    browser.find_element(By.ID, "kg-path-go").click()
    assert browser.find_element(By.ID, "kg-path-status").text == "No entity named “Nobody”"
    assert errors(browser) == []


def test_html_browser_time_filter_hides_relations_read_outside_the_range(browser, news_page):
    from selenium.webdriver.common.by import By

    open_page(browser, news_page)
    all_edges = visible_ids(browser)[1]
    js(browser, """const f = document.getElementById('kg-from'), t = document.getElementById('kg-to');
        f.value = '2'; f.dispatchEvent(new Event('input')); t.value = '2'; t.dispatchEvent(new Event('input'));""")
    time.sleep(0.2)
    assert browser.find_element(By.ID, "kg-time-value").text == "2024-06-20 – 2024-06-20"
    shown = js(browser, """const ids = kgExplorer.network.body.edgeIndices;
        return kgExplorer.edges.get(ids).map(e => e.kg_predicate + ':' + e.from).sort()""")
    # read on 2024-06-20 (trainedOn), or in the undated notes.txt (kept)
    assert shown == ["partnerIn:formula", "trainedOn:model", "uses:lab"]
    browser.find_element(By.ID, "kg-reset").click()
    assert visible_ids(browser)[1] == all_edges
    assert errors(browser) == []


def test_html_browser_left_out_entity_panel_and_bring_into_view(browser, news_page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    open_page(browser, news_page)
    assert "far" not in visible_ids(browser)[0]
    assert search(browser, "faraway") == ["Faraway Holdings not drawn"]
    browser.find_element(By.ID, "kg-search").send_keys(Keys.ENTER)
    text = panel_text(browser)
    assert "Left out of the drawing" in text
    assert "investsIn → =HYPERLINK(\"http://x\") · confidence 0.90 · 1 article, 1 sentence" in text
    browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-bring").click()
    nodes, edges = visible_ids(browser)
    assert "far" in nodes
    assert js(browser, "return kgExplorer.edges.get().filter(e => e.from === 'far').map(e => e.to)") == ["formula"]
    assert js(browser, "return kgExplorer.network.getSelectedNodes()") == ["far"]
    assert "Faraway Holdings" in browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading").text
    assert errors(browser) == []


def test_html_browser_png_and_csv_export(browser, news_page, tmp_path):
    import csv
    import io
    import struct

    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    open_page(browser, news_page)
    browser.find_element(By.CSS_SELECTOR, "#kg-predicates input[data-predicate='uses']").click()
    browser.find_element(By.ID, "kg-png").click()
    browser.find_element(By.ID, "kg-csv").click()
    end = time.monotonic() + 10
    while not ((tmp_path / "graph.png").exists() and (tmp_path / "relations.csv").exists()):
        assert time.monotonic() < end, list(tmp_path.iterdir())
        time.sleep(0.1)
    time.sleep(0.3)
    png = (tmp_path / "graph.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert [width, height] == js(browser, "const c = document.querySelector('#mynetwork canvas'); return [c.width, c.height]")
    text = (tmp_path / "relations.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["subject", "predicate", "object", "confidence", "articles", "sentences",
                       "article", "date", "url", "sentence", "rules"]
    assert "uses" not in {r[1] for r in rows[1:]}  # hidden by the filter: not exported
    made = [r for r in rows[1:] if r[1] == "manufacturerOf"]
    assert made[0] == ["Acme", "manufacturerOf", "Widget X", "0.90", "2", "3", "Acme's chip plant", "2024-01-10",
                       "https://news.example/acme-plant", "Acme makes the Widget X in its new plant.", "a_v1 b_v1"]
    assert len(made) == 3
    formula = next(r for r in rows[1:] if r[1] == "partnerIn")
    assert formula[0] == "'=HYPERLINK(\"http://x\")"  # a spreadsheet does not run it
    assert errors(browser) == []


def test_html_browser_url_fragment_reopens_the_same_view(browser, news_page):
    from selenium.webdriver.common.by import By

    open_page(browser, news_page)
    js(browser, "kgExplorer.focusNode('acme')")
    browser.find_element(By.ID, "kg-expand").click()
    browser.find_element(By.CSS_SELECTOR, "#kg-classes input[data-class='Organization']").click()
    slider = browser.find_element(By.ID, "kg-confidence")
    js(browser, "arguments[0].value = '0.5'; arguments[0].dispatchEvent(new Event('input'))", slider)
    time.sleep(0.2)
    url = browser.current_url
    assert "#" in url and "focus=acme" in url
    before = js(browser, "return [kgExplorer.state.focus, kgExplorer.state.ring, Array.from(kgExplorer.state.hiddenClasses),"
                         " kgExplorer.state.minConfidence]")
    look = drawn(browser)
    browser.get("about:blank")
    browser.get(url)
    end = time.monotonic() + SETTLE_TIMEOUT
    while js(browser, "return document.documentElement.dataset.kgState") != "settled":
        assert time.monotonic() < end
        time.sleep(0.05)
    time.sleep(0.2)
    assert js(browser, "return [kgExplorer.state.focus, kgExplorer.state.ring, Array.from(kgExplorer.state.hiddenClasses),"
                       " kgExplorer.state.minConfidence]") == before == ["acme", 2, ["Organization"], 0.5]
    assert drawn(browser) == look
    assert browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading").text == "Acme"
    assert not browser.find_element(By.CSS_SELECTOR, "#kg-classes input[data-class='Organization']").is_selected()
    assert browser.find_element(By.ID, "kg-confidence-value").text == "0.50"
    assert errors(browser) == []


def test_html_browser_dark_mode_follows_the_system_setting(browser, news_page):
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia",
                            {"features": [{"name": "prefers-color-scheme", "value": "dark"}]})
    try:
        open_page(browser, news_page)
        got = js(browser, """return [document.documentElement.dataset.kgTheme,
            getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color,
            kgExplorer.network.body.nodes['acme'].options.font.color]""")
        assert got[0] == "dark"
        assert got[1] == "rgb(21, 25, 30)" and got[2] == "rgb(227, 232, 238)"
        assert got[3] == "#e3e8ee"  # labels on the canvas are light too
        OUTPUT.mkdir(exist_ok=True)
        browser.save_screenshot(str(OUTPUT / "news-dark.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    open_page(browser, news_page)
    assert js(browser, "return getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"


def test_html_browser_narrow_window_390px(browser, news_page):
    from selenium.webdriver.common.by import By

    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True})
    try:
        open_page(browser, news_page)
        assert js(browser, "return document.getElementById('mynetwork').clientWidth") >= 380
        controls = browser.find_element(By.ID, "kg-controls")
        assert not controls.is_displayed()
        toggle = browser.find_element(By.ID, "kg-controls-toggle")
        toggle.click()
        assert controls.is_displayed() and toggle.get_attribute("aria-expanded") == "true"
        assert controls.size["width"] <= 390
        toggle.click()
        js(browser, "kgExplorer.focusNode('acme')")
        panel = browser.find_element(By.ID, "kg-details")
        assert panel.is_displayed() and panel.size["width"] <= 390
        # a sheet over the lower part: the graph stays in sight above it, the entity centred there
        canvas = browser.find_element(By.ID, "mynetwork")
        assert panel.location["y"] > canvas.location["y"] + 0.3 * canvas.size["height"]
        time.sleep(0.6)
        y = js(browser, "const n = kgExplorer.network; return n.canvasToDOM(n.getPositions(['acme']).acme).y")
        assert 0 < y < panel.location["y"] - canvas.location["y"]
        OUTPUT.mkdir(exist_ok=True)
        browser.save_screenshot(str(OUTPUT / "news-390.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_html_browser_keyboard_focus_stays_in_the_panel(browser, news_page):
    from selenium.webdriver.common.by import By

    open_page(browser, news_page)
    js(browser, "kgExplorer.focusNode('acme')")
    browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-evidence-link").click()
    assert js(browser, "return document.activeElement.className") == "kg-heading"
    assert js(browser, "return document.activeElement.closest('#kg-details') !== null") is True
