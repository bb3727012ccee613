"""Measure how long explorer pages of big synthetic graphs take to settle.

Not a test: a script to run by hand when changing the HTML exporter's
physics or thresholds (``graph/exporters/html.py``). It builds synthetic
knowledge graphs (a preferential-attachment graph, so a few hubs and many
leaves, like news graphs; about two relations per entity), writes explorer
pages with every entity drawn (``max_nodes=None``) and with the default cap,
opens each in headless Chromium and reports:

* ``write``: seconds to generate the page in Python, and its size;
* ``drawn``: milliseconds from navigation start to the first drawing, when
  the page is usable (the layout ran to its iteration cap or settled);
* ``settled``: milliseconds until the layout stopped (or was stopped after
  ``SETTLE_MS``) and was frozen, tidied and fitted;
* ``iters``: layout iterations run before the first drawing;
* ``redraw``: milliseconds for one full redraw of the settled network;
* ``filter``: milliseconds to hide the largest class (one DataSet update);
* ``idle``: milliseconds from navigation start to the last redraw before the
  page stayed idle (no redraw of the graph for 1 s) once settled: when a
  user can really start;
* ``after``: redraws between "settled" and idle (one is the goal);
* ``click``: milliseconds from a click on the best connected entity, once
  idle, until the page has answered (details shown, a frame drawn).

The figures are printed, never asserted: ``tests/test_html_browser.py``
asserts ratios to the sample page.

Usage::

    .venv/bin/python tests/bench/html_stabilise.py            # 500 2000 5000
    .venv/bin/python tests/bench/html_stabilise.py 1000 --repeat 3 --keep out/
    .venv/bin/python tests/bench/html_stabilise.py --page exports/graph.html --page out/graph.html

Needs Debian's ``chromium`` and ``chromium-driver`` and ``selenium``.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from graph.exporters.html import DEFAULT_MAX_NODES, generate_html
from graph.model import (
    ENTITY_TYPES,
    PREDICATES,
    Document,
    Entity,
    Evidence,
    KnowledgeGraph,
    Relation,
)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WORDS = ["Acme", "Nova", "Quant", "Orbit", "Vector", "Helix", "Summit", "Apex", "Lumen", "Cobalt", "Atlas", "Pioneer", "Zenith", "Nimbus", "Vertex", "Polar", "Ember", "Titan", "Aurora", "Falcon", "Cedar", "Delta", "Echo", "Harbor", "Iris", "Jade", "Kepler"]


def synthetic_graph(n: int, *, edges_per_node: int = 2, seed: int = 1) -> KnowledgeGraph:
    """Return a preferential-attachment graph of ``n`` entities (deterministic)."""
    rng = random.Random(seed)
    doc = Document(id="synthetic", source="synthetic.txt", content_hash="sha256:" + "0" * 64)
    ents = []
    for i in range(n):
        label = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}"
        ents.append(Entity(id=f"e{i:05d}", type=ENTITY_TYPES[i % len(ENTITY_TYPES)], label=label,
                           aliases=(f"{label} Inc.",) if i % 3 == 0 else ()))
    targets: list[int] = []  # a node appears once per relation end: degree-proportional choice
    seen: set[tuple[int, str, int]] = set()
    rels = []
    for i in range(1, n):
        for _ in range(min(edges_per_node, i)):
            j = rng.choice(targets) if targets and rng.random() < 0.8 else rng.randrange(i)
            pred = rng.choice(PREDICATES)
            if j == i or (i, pred, j) in seen:
                continue
            seen.add((i, pred, j))
            sentence = f"{ents[i].label} {pred} {ents[j].label}, the report said."
            ev = Evidence(doc_id=doc.id, start=i, end=i + len(sentence), sentence=sentence,
                          rule_id=f"{pred.lower()}_v1", confidence=round(0.5 + rng.random() / 2, 3))
            rels.append(Relation(subject=ents[i].id, predicate=pred, object=ents[j].id, evidence=(ev,)))
            targets += [i, j]
    return KnowledgeGraph(documents=(doc,), entities=tuple(ents), relations=tuple(rels))


def driver():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1400,900", f"--user-data-dir={tempfile.mkdtemp(prefix='kg-bench-')}"):
        opts.add_argument(arg)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DRAW_HOOK})
    drv.set_script_timeout(120)
    return drv


#: Installed before any page script: records the time of every redraw of the graph's
#: canvas (vis-network clears it at the start of each), whatever the page's version.
DRAW_HOOK = """
window.__kgDraws = [];
const clear = CanvasRenderingContext2D.prototype.clearRect;
CanvasRenderingContext2D.prototype.clearRect = function () {
  const c = this.canvas;
  if (c && c.closest && c.closest('#mynetwork')) {
    const now = performance.now(), d = window.__kgDraws;
    if (!d.length || now - d[d.length - 1] > 1) d.push(now);
  }
  return clear.apply(this, arguments);
};
addEventListener('pointerdown', e => { window.__kgDown = e.timeStamp; }, true);
"""
IDLE_MS = 1000  # no redraw for this long: the page is idle


def wait_idle(d, page: Path, timeout: float = 300.0) -> dict[str, float]:
    """Load ``page`` and wait until it is settled and has not redrawn for ``IDLE_MS``.

    Returns ``idle`` (ms from navigation start to the last redraw), ``settled``
    (ms) and ``after`` (redraws after settled).
    """
    d.get("about:blank")
    d.get(page.resolve().as_uri())
    end = time.monotonic() + timeout
    while True:
        if time.monotonic() > end:
            raise TimeoutError(f"{page} not idle after {timeout} s")
        got = d.execute_script("""
            const k = window.kgExplorer, draws = window.__kgDraws || [];
            if (document.documentElement.dataset.kgState !== 'settled' || !k) return null;
            const last = draws.length ? draws[draws.length - 1] : 0, settled = k.timings.settled;
            if (performance.now() - last < arguments[0]) return null;
            return {idle: last, settled: settled, after: draws.filter(t => t >= settled).length};""", IDLE_MS)
        if got is not None:
            return got
        time.sleep(0.1)


def click_time(d) -> float:
    """Click the best connected entity and return ms from the press until the page answered.

    The press time is the event's own time stamp (when the browser received
    it), so time spent waiting for a busy page counts; the answer is the
    second animation frame after the click was handled.
    """
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    x, y = d.execute_script("""
        const k = window.kgExplorer, n = k.network, ents = k.data.entities;
        const id = Object.keys(ents).sort((a, b) => ents[b].degree - ents[a].degree)[0];
        const p = n.canvasToDOM(n.getPositions([id])[id]); return [p.x, p.y];""")
    canvas = d.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
    size = canvas.size
    ActionChains(d).move_to_element_with_offset(
        canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)).click().perform()
    return float(d.execute_async_script(
        "const done = arguments[0];"
        "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now() - window.__kgDown)));"))


def measure_page(d, page: Path) -> dict[str, float]:
    """Idle, redraws after settled and click time of one page."""
    got = wait_idle(d, page)
    got["click"] = click_time(d)
    return got


def measure(d, page: Path, timeout: float = 180.0) -> dict[str, float]:
    d.get(page.resolve().as_uri())
    end = time.monotonic() + timeout
    while d.execute_script("return document.documentElement.dataset.kgState") != "settled":
        if time.monotonic() > end:
            raise TimeoutError(f"{page} not ready after {timeout} s")
        time.sleep(0.05)
    return d.execute_script("""
        const k = window.kgExplorer, t = k.timings;
        let t0 = performance.now(); k.network.redraw(); const redraw = performance.now() - t0;
        const counts = {};
        k.data.nodes.forEach(n => counts[n.group] = (counts[n.group] || 0) + 1);
        const big = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
        const box = document.querySelector("#kg-classes input[data-class='" + big + "']");
        t0 = performance.now(); box.click(); const filter = performance.now() - t0;
        box.click();
        return {drawn: t.drawn, settled: t.settled, script: t.script, iters: t.iterations || 0, redraw: redraw,
                filter: filter, nodes: k.data.nodes.length, edges: k.data.edges.length};
    """)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("sizes", nargs="*", type=int, default=[500, 2000, 5000])
    p.add_argument("--repeat", type=int, default=1, help="page loads per size (median reported)")
    p.add_argument("--keep", type=Path, help="write the pages into this folder")
    p.add_argument("--page", type=Path, action="append", default=[],
                   help="measure this explorer page (idle, redraws after settled, click); repeatable")
    args = p.parse_args(argv)
    d = driver()
    if args.page:
        try:
            for page in args.page:
                runs = [measure_page(d, page) for _ in range(args.repeat)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                print(f"{str(page):<50} settled {med['settled']:7.0f} ms  idle {med['idle']:7.0f} ms"
                      f"  redraws after settled {med['after']:4.0f}  click {med['click']:6.0f} ms", flush=True)
        finally:
            d.quit()
        return 0
    out = args.keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n in args.sizes:
            kg = synthetic_graph(n)
            for cap in (None, DEFAULT_MAX_NODES):
                if cap is not None and cap >= n:
                    continue
                t0 = time.perf_counter()
                data = generate_html(kg, max_nodes=cap)
                write = time.perf_counter() - t0
                page = out / f"synthetic-{n}-{cap or 'all'}.html"
                page.write_bytes(data)
                runs = [measure(d, page) for _ in range(args.repeat)]
                med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
                rows.append((n, len(kg.relations), cap, write, len(data) / 1e6, med))
                print(f"{n:>6} entities {len(kg.relations):>6} relations  drawn {med['nodes']:>5.0f}/{med['edges']:<6.0f}"
                      f" write {write:5.2f} s {len(data) / 1e6:4.1f} MB  drawn {med['drawn']:6.0f} ms"
                      f"  settled {med['settled']:6.0f} ms  iters {med['iters']:4.0f}"
                      f"  redraw {med['redraw']:5.1f} ms  filter {med['filter']:6.1f} ms", flush=True)
    finally:
        d.quit()
    print(f"pages in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
