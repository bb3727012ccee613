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
    busy 13-25 s). Bounds are ratios to the sample page measured in the same run."""
    wait_idle(browser, pages["sample"])  # a first load warms the browser up
    sample = wait_idle(browser, pages["sample"])
    sample_click = click_answer_ms(browser)
    big = wait_idle(browser, corpus_page)
    big_click = click_answer_ms(browser)
    print(f"idle: sample {sample['idle']:.0f} ms, {CORPUS_ARTICLES} articles {big['idle']:.0f} ms;"
          f" click: {sample_click:.0f} ms, {big_click:.0f} ms; redraws after settled: {big['after']}")
    assert sample["after"] <= 2 and big["after"] <= 2
    assert big["idle"] <= 30 * sample["idle"]  # before: 42x
    assert big_click <= 8 * max(sample_click, 50.0)
    assert errors(browser) == []
