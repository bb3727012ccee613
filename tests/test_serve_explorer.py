"""The explorer that ``kg serve`` serves at ``/`` over a store (issue 15).

The browser tests run a real ``kg serve`` (a subprocess, 127.0.0.1, a free
port) over a store loaded with ``kg load`` from a synthetic 1,000-article
archive (``tests/archive_graph.py``: our model and N-Quads exporter, so our
vocabulary and layout), and check what a user does: search for an entity that
is not among those the page starts with, read its relations and their
evidence a page at a time, bring it into view, expand, find a path, narrow
the time range, all without a request outside the server. The expected
answers are computed from the graph itself, not written down.
"""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict, deque
from pathlib import Path

import pyoxigraph
import pytest

from archive_graph import archive
from conftest import REPO
from graph.exporters import export
from graph.model import Entity, Evidence, KnowledgeGraph, Relation
from graph.store import load as L
from graph.store import serve as S
from graph.store.explorer import BATCH_LINKS, EVIDENCE_PAGE, api_query
from test_html_browser import browser, errors, js, visible_ids  # noqa: F401 - the browser fixture
from test_load_serve import free_port, require_oxigraph
from test_serve_limits import http

HOSTILE = '<img src=x onerror=alert(1)> "Acme" & Co </script>'


def with_hostile(kg: KnowledgeGraph) -> KnowledgeGraph:
    """``kg`` and a company with a hostile name, related to its first company."""
    doc = kg.documents[0]
    text = f"{HOSTILE} backs it. <!-- --> ]]> }}\" ;"
    ev = Evidence(doc_id=doc.id, start=0, end=len(text), sentence=text, rule_id="x_v1", confidence=0.8)
    ent = Entity(id="hostile-1", type="Company", label=HOSTILE, aliases=('x" } ; DROP ALL #',))
    rel = Relation(subject="hostile-1", predicate="investsIn", object="company-1", evidence=(ev,), confidence=0.8)
    return KnowledgeGraph(documents=kg.documents, entities=tuple(sorted((*kg.entities, ent), key=lambda e: e.id)),
                          relations=tuple(sorted((*kg.relations, rel), key=lambda r: (r.subject, r.predicate,
                                                                                        r.object))),
                          mentions_by_doc=kg.mentions_by_doc)


def make_store(folder: Path, n_articles: int) -> tuple[KnowledgeGraph, Path]:
    kg = with_hostile(archive(n_articles))
    nq = folder / "archive.nq"
    export(kg, "nquads", nq)
    L.load([nq], folder / "db")
    return kg, folder / "db"


def store_digest(store: Path) -> str:
    """A digest of every quad of the store (sorted), to see it unchanged."""
    st = pyoxigraph.Store.read_only(str(store))
    lines = sorted(str(q) for q in st)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest() + f":{len(lines)}"


def api(base: str, name: str, **params: object) -> tuple[int, object]:
    status, body, _ = http(f"{base}/explorer/api/{name}?{urllib.parse.urlencode(params, doseq=True)}")
    return status, json.loads(body) if status == 200 else body.decode()


# --------------------------------------------------------------------------- the page and its queries (fast)

@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory):
    require_oxigraph()
    kg, store = make_store(tmp_path_factory.mktemp("explorer"), 60)
    with S.Endpoint(store, "127.0.0.1", free_port(), timeout=10, workers=2) as ep:
        yield kg, store, ep


def test_serve_explorer_page_is_offline_and_says_what_the_store_holds(small) -> None:
    kg, _, ep = small
    status, page, headers = http(ep.explorer_url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    text = page.decode()
    assert "connect-src 'self'" in text.split("<body")[0]  # the page's own policy says it too
    assert "https://" not in text.split("<body")[0] and "<link" not in text
    data = json.loads(text.split('id="kg-data">', 1)[1].split("</script>", 1)[0])
    assert data["nodes"] == [] and data["server"]["entities"] == len(kg.entities)
    assert data["server"]["relations"] == len(kg.relations)
    assert data["dates"] == sorted({d.date for d in kg.documents})
    assert f"{len(kg.documents)} documents" in text
    assert HOSTILE not in text  # the hostile name is not on the start list unescaped (or at all)


def test_serve_explorer_search_binds_the_text_as_a_literal(small) -> None:
    kg, _, ep = small
    base = ep.explorer_url.rstrip("/")
    status, answer = api(base, "search", q='x" } ; DROP ALL #')
    assert status == 200
    rows = answer["results"]["bindings"]
    assert {r["label"]["value"] for r in rows} == {HOSTILE}
    target = kg.entities[-1]
    status, answer = api(base, "search", q=target.label.upper())
    assert status == 200 and answer["results"]["bindings"][0]["label"]["value"] == target.label


def test_serve_explorer_links_and_evidence_match_the_graph(small) -> None:
    kg, _, ep = small
    base = ep.explorer_url.rstrip("/")
    status, answer = api(base, "links", id="company-1")
    assert status == 200
    rows = answer["results"]["bindings"]
    want = {(r.subject, r.predicate, r.object): r for r in kg.relations if "company-1" in (r.subject, r.object)}
    got = {(r["s"]["value"].rsplit("/", 1)[1], r["p"]["value"].rsplit("#", 1)[1], r["o"]["value"].rsplit("/", 1)[1]): r
           for r in rows}
    assert set(got) == set(want)
    docs = {d.id: d for d in kg.documents}
    for key, row in got.items():
        rel_docs = {e.doc_id for e in want[key].evidence}
        assert int(row["articles"]["value"]) == len(rel_docs)
        assert sorted(row["dates"]["value"].split()) == sorted({docs[d].date for d in rel_docs})
    busiest = max(want.values(), key=lambda r: len(r.evidence))
    row = got[(busiest.subject, busiest.predicate, busiest.object)]
    assertion = row["a"]["value"].split("/resource/", 1)[1]
    seen = []
    for page in range(100):
        status, answer = api(base, "evidence", a=assertion, page=page)
        assert status == 200
        got_rows = answer["results"]["bindings"]
        seen += [r["sentence"]["value"] for r in got_rows[:EVIDENCE_PAGE]]
        if len(got_rows) <= EVIDENCE_PAGE:
            break
    assert sorted(seen) == sorted(e.sentence for e in busiest.evidence) and len(seen) > EVIDENCE_PAGE


@pytest.mark.parametrize("name, params, says", [
    ("links", {"id": "company-1> } DROP ALL { <x"}, "not an entity id"),
    ("links", {}, "give 1 to 60 id= values"),
    ("links", {"id": [f"e{i}" for i in range(61)]}, "give 1 to 60 id= values"),
    ("evidence", {"a": "assertion/x", "page": "-1"}, "page= must be a number"),
    ("search", {"q": " "}, "q= must have 1 to 200 characters"),
    ("nothing", {}, "no explorer query 'nothing'"),
])
def test_serve_explorer_a_bad_request_is_refused_in_one_line(small, name: str, params: dict, says: str) -> None:
    _, _, ep = small
    status, text = api(ep.explorer_url.rstrip("/"), name, **params)
    assert status == 400 and says in text and text.count("\n") == 1


def test_serve_explorer_keeps_the_front_s_rules(small) -> None:
    _, _, ep = small
    base = ep.explorer_url.rstrip("/")
    status, _, _ = http(f"{base}/explorer/api/search?q=a", data=b"x", headers={"Content-Type": "text/plain"})
    assert status == 403  # only GET
    status, _, _ = http(f"{base}/", headers={"Host": "evil.example:80"})
    assert status == 403  # DNS rebinding: the page too
    assert api_query("links", {"id": ["a"]}).count("VALUES ?e {") == 1
    assert "LIMIT 201 OFFSET 400" in api_query("links", {"id": ["a"], "page": ["2"]})
    assert f"LIMIT {BATCH_LINKS + 1} OFFSET 0" in api_query("links", {"id": ["a", "b"], "page": ["2"]})


# --------------------------------------------------------------------------- a real kg serve, 1,000 articles

@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):
    """A real ``kg serve`` on a free port over the 1,000-article store; stopped by SIGINT (Ctrl-C) at the end."""
    require_oxigraph()
    folder = tmp_path_factory.mktemp("archive")
    kg, store = make_store(folder, 1000)
    digest = store_digest(store)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graph", "serve", "--store", str(store), "--bind",
                             f"127.0.0.1:{port}"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"SPARQL endpoint: http://127.0.0.1:{port}/query"
        assert proc.stdout.readline().strip() == f"Explorer: http://127.0.0.1:{port}/"
        yield kg, store, f"http://127.0.0.1:{port}"
        proc.send_signal(signal.SIGINT)  # Ctrl-C
        assert proc.wait(timeout=30) == 0
        assert "kg: server stopped" in proc.stderr.read()
        assert not list(folder.glob("*.serving"))  # the snapshot went with the servers
        assert store_digest(store) == digest
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def wait_for(driver, script: str, timeout: float = 30.0, *args):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = js(driver, script, *args)
        if got:
            return got
        time.sleep(0.05)
    pytest.fail(f"waited {timeout} s for: {script}; logs: {driver.get_log('browser')}")


def idle(driver) -> None:
    time.sleep(0.2)
    wait_for(driver, "return document.documentElement.dataset.kgBusy === '0'")


def panel(driver) -> str:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, "kg-details-body").text


def open_served(driver, base: str) -> None:
    driver.get("about:blank")
    driver.get_log("browser")
    driver.get_log("performance")
    driver.get(base + "/")
    wait_for(driver, "return document.documentElement.dataset.kgState === 'settled' && !!window.kgExplorer")


def neighbours(kg: KnowledgeGraph) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = defaultdict(set)
    for r in kg.relations:
        adj[r.subject].add(r.object)
        adj[r.object].add(r.subject)
    return adj


def hops(adj: dict[str, set[str]], a: str, b: str) -> int:
    dist, todo = {a: 0}, deque([a])
    while todo:
        u = todo.popleft()
        for v in adj[u]:
            if v not in dist:
                dist[v] = dist[u] + 1
                todo.append(v)
    return dist[b]


@pytest.mark.slow
def test_serve_explorer_browse_a_1000_article_store(browser, served) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    kg, _, base = served
    adj = neighbours(kg)
    label = {e.id: e.label for e in kg.entities}
    open_served(browser, base)
    start = js(browser, "return kgExplorer.data.server.start.map(e => e.id)")
    assert len(start) == 25 and visible_ids(browser) == (set(), set())
    assert "Browse" in panel(browser) and label[start[0]] in panel(browser)

    # search finds an entity that is not on the start list; its panel lists its relations
    pick = sorted((e for e in kg.entities if e.id not in start and len(adj[e.id]) >= 3 and e.id != "hostile-1"),
                  key=lambda e: (len(adj[e.id]), e.id))[0]
    box = browser.find_element(By.ID, "kg-search")
    box.send_keys(pick.label)
    wait_for(browser, "return document.documentElement.dataset.kgSearched === arguments[0]", 30, pick.label)
    first = browser.find_element(By.CSS_SELECTOR, "#kg-results li").text
    assert first.startswith(pick.label)
    box.send_keys(Keys.ENTER)
    idle(browser)
    text = panel(browser)
    mine = [r for r in kg.relations if pick.id in (r.subject, r.object)]
    assert pick.label in text and f"Not drawn yet: {len(mine)} relation" in text
    for r in mine:
        other = r.object if r.subject == pick.id else r.subject
        assert label[other] in text

    # the evidence of one of them, a page at a time
    browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-evidence-link").click()
    idle(browser)
    shown = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "#kg-details .kg-evidence blockquote")]
    heading = browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading").text
    rel = next(r for r in mine if label[r.subject] in heading and label[r.object] in heading and r.predicate in heading)
    assert len(shown) == min(EVIDENCE_PAGE, len(rel.evidence))
    assert set(shown) <= {e.sentence for e in rel.evidence}

    # bring it into view, then expand: its neighbours, then theirs
    js(browser, "kgExplorer.showOther(arguments[0])", pick.id)
    idle(browser)
    browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-bring").click()
    idle(browser)
    drawn = visible_ids(browser)[0]
    assert drawn == {pick.id} | adj[pick.id]
    browser.find_element(By.ID, "kg-expand").click()
    idle(browser)
    wait_for(browser, "return kgExplorer.state.ring === 2")
    more = set(js(browser, "return kgExplorer.nodes.getIds()"))
    ring2 = set().union(*(adj[x] for x in adj[pick.id]))
    assert drawn < more <= drawn | ring2 and len(more) > len(drawn)

    # the path finder answers with the shortest length over the whole store
    far = max((e for e in kg.entities if e.id not in more and e.id != "hostile-1"), key=lambda e: hops(adj, pick.id, e.id))
    browser.find_element(By.ID, "kg-path-from").send_keys(pick.label)
    browser.find_element(By.ID, "kg-path-to").send_keys(far.label)
    browser.find_element(By.ID, "kg-path-go").click()
    wait_for(browser, "return (document.querySelector('#kg-details .kg-kind') || {}).textContent === 'Path'")
    n = hops(adj, pick.id, far.id)
    assert f"of {n} relation" in panel(browser), panel(browser)
    assert browser.find_element(By.ID, "kg-path-status").text == ""

    # the time filter narrows the drawn relations to those read in the range
    js(browser, "kgExplorer.clearFocus()")
    before = visible_ids(browser)[1]
    js(browser, """const f = document.getElementById('kg-from'), t = document.getElementById('kg-to');
        f.value = '10'; f.dispatchEvent(new Event('input')); t.value = '40'; t.dispatchEvent(new Event('input'));""")
    time.sleep(0.3)
    lo, hi = js(browser, "const d = kgExplorer.data.dates; return [d[10], d[40]]")
    after = visible_ids(browser)[1]
    assert after < before
    kept = js(browser, "return kgExplorer.edges.get(arguments[0]).map(e => e.title)", sorted(after))
    dated = {f"{label[r.subject]} {r.predicate} {label[r.object]}": r for r in kg.relations}
    docs = {d.id: d.date for d in kg.documents}
    for title in kept:
        assert any(lo <= docs[e.doc_id] <= hi for e in dated[title].evidence)

    # the hostile name: found, and shown as the characters it is
    box.clear()
    box.send_keys("acme")
    wait_for(browser, "return document.documentElement.dataset.kgSearched === 'acme'")
    box.send_keys(Keys.ENTER)
    idle(browser)
    assert browser.find_element(By.CSS_SELECTOR, "#kg-details .kg-heading").text == HOSTILE.strip()
    assert js(browser, "return window.__kgAlerts") == []
    assert not browser.find_elements(By.CSS_SELECTOR, "#kg-details img")

    # nothing but the server was asked for anything
    urls = [json.loads(e["message"])["message"]["params"]["request"]["url"] for e in browser.get_log("performance")
            if json.loads(e["message"])["message"]["method"] == "Network.requestWillBeSent"]
    assert urls and all(u.startswith(base + "/") or u.startswith("data:") for u in urls), urls
    assert any("/explorer/api/evidence?" in u for u in urls)
    assert errors(browser) == []
    browser.save_screenshot(str(REPO / "tests" / "output" / "served.png"))


@pytest.mark.slow
def test_serve_explorer_restores_a_view_from_the_url_fragment(browser, served) -> None:  # noqa: F811
    """A saved or shared URL brings back the entities drawn and the one selected, asked of the store."""
    kg, _, base = served
    adj = neighbours(kg)
    # entities not on the start list, so only the fragment can bring them
    js_start = {e["id"] for e in json.loads(http(base + "/")[1].decode().split('id="kg-data">', 1)[1]
                                               .split("</script>", 1)[0])["server"]["start"]}
    quiet = [e for e in kg.entities if e.id not in js_start and e.id != "hostile-1" and 1 <= len(adj[e.id]) <= 5]
    one, two = quiet[0], quiet[-1]
    open_served(browser, base)
    assert visible_ids(browser)[0] == set()
    browser.get("about:blank")
    browser.get(f"{base}/#sel=e:{urllib.parse.quote(one.id)}&add={urllib.parse.quote(one.id)}"
                f"&add={urllib.parse.quote(two.id)}")
    wait_for(browser, "const b = kgExplorer.network.body.nodeIndices; "
                      "return b.includes(arguments[0]) && b.includes(arguments[1])", 30, one.id, two.id)
    idle(browser)
    drawn = visible_ids(browser)[0]
    assert {one.id, two.id} | adj[one.id] | adj[two.id] <= drawn  # each with its neighbours, as when brought
    wait_for(browser, "return (document.querySelector('#kg-details .kg-heading') || {}).textContent === arguments[0]",
             30, one.label)
    assert "sel=e%3A" + urllib.parse.quote(one.id) in js(browser, "return location.hash") \
        or "sel=e:" + one.id in js(browser, "return location.hash")
    assert errors(browser) == []


@pytest.mark.slow
def test_serve_explorer_ten_clients_for_30_s(served) -> None:
    """Ten clients browse at once for 30 s (search, relations, evidence): no error, the store unchanged."""
    kg, _, base = served
    labels = [e.label for e in kg.entities if e.id != "hostile-1"]
    failures: list[str] = []
    counts = [0] * 10
    end = time.monotonic() + 30

    def client(k: int) -> None:
        rng = random.Random(k)
        while time.monotonic() < end and counts[k] < 5000:  # bounded
            status, answer = api(base, "search", q=rng.choice(labels)[:4])
            if status != 200:
                failures.append(f"search {status} {answer}")
                continue
            rows = answer["results"]["bindings"]
            entity = rows[0]["entity"]["value"].split("/resource/", 1)[1]
            status, answer = api(base, "links", id=entity)
            if status != 200:
                failures.append(f"links {status} {answer}")
                continue
            links = answer["results"]["bindings"]
            if links:
                status, answer = api(base, "evidence", a=links[0]["a"]["value"].split("/resource/", 1)[1], page=0)
                if status != 200:
                    failures.append(f"evidence {status} {answer}")
            counts[k] += 1

    threads = [threading.Thread(target=client, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"10 clients, 30 s: {sum(counts)} rounds of search + relations + evidence ({sum(counts) * 3} requests)")
    assert failures == [] and min(counts) > 0


def test_serve_explorer_can_be_left_out(small) -> None:
    _, store, _ = small
    with S.Endpoint(store, "127.0.0.1", free_port(), workers=1, explorer=False) as ep:
        status, body, _ = http(ep.explorer_url)
        assert b'id="kg-data"' not in body
        status, _, _ = http(f"{ep.explorer_url}explorer/api/search?q=a")
        assert status != 200
