"""Latency of the served explorer's interactions on a 10,000-article store (issue 15).

Not a test: a script that prints figures. It makes the synthetic archive of
``tests/archive_graph.py`` (10,000 articles: ~2,000 entities, 13,000
relations, 300,000 evidence sentences), loads it with ``kg load`` (or reuses
``--store``), starts the endpoint as ``kg serve`` does (snapshot, Oxigraph
workers, the proxy) on a free 127.0.0.1 port, and times each request the page
makes, over HTTP, as the browser sends it:

* ``page``: ``GET /`` (rendered once at start; the start-up time is printed too);
* ``search``: ``/explorer/api/search?q=`` for 4-letter prefixes of random names;
* ``open entity``: ``links?id=`` of the busiest entity (the hub) and of random ones;
* ``evidence``: the first page of the busiest relation's evidence, and a later page;
* ``expand``: ``links`` of 60 entities in one request (what Expand asks for a ring of 60).

Each is run ``--repeat`` times; the median and the worst are printed. Then,
in the same run, the relation lists are timed again the way they were asked
before ``kg load`` wrote the relation summary (``graph.store.summary``): the
query that reads every article's graph, as for a store without the summary
(``--no-before`` leaves this out).

Usage::

    .venv/bin/python tests/bench/explorer_bench.py                    # 10,000 articles
    .venv/bin/python tests/bench/explorer_bench.py --store /tmp/db10k # a store made before
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive_graph import write_archive  # noqa: E402
from graph.store import serve as S  # noqa: E402
from graph.store.load import load  # noqa: E402
from graph.store.workers import free_port  # noqa: E402


def get(url: str) -> tuple[float, int, bytes]:
    t0 = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as resp:  # noqa: S310 - our own endpoint on 127.0.0.1
        body = resp.read()
        return time.perf_counter() - t0, resp.status, body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--store", type=Path, help="an existing store to serve (default: build one)")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-before", action="store_true", help="do not time the lists without the summary")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kg-explorer-bench-") as tmp:
        run(args, Path(tmp))


def run(args: argparse.Namespace, work: Path) -> None:
    store = args.store
    if store is None:
        t0 = time.perf_counter()
        kg = write_archive(args.articles, work / "archive.nq")
        print(f"made {len(kg.documents):,} articles, {len(kg.entities):,} entities, {len(kg.relations):,} relations, "
              f"{sum(len(r.evidence) for r in kg.relations):,} sentences in {time.perf_counter() - t0:.1f} s")
        t0 = time.perf_counter()
        load([work / "archive.nq"], work / "db")
        store = work / "db"
        print(f"kg load: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    with S.Endpoint(store, "127.0.0.1", free_port()) as ep:
        print(f"kg serve start (snapshot, workers, the page's summary queries): {time.perf_counter() - t0:.2f} s")
        base = ep.explorer_url.rstrip("/")
        rng = random.Random(15)

        def api(name: str, **params: object) -> tuple[float, list[dict]]:
            took, status, body = get(f"{base}/explorer/api/{name}?{urllib.parse.urlencode(params, doseq=True)}")
            assert status == 200, (status, body[:200])
            rows = json.loads(body)["results"]["bindings"]
            return took, [{k: v["value"] for k, v in r.items()} for r in rows]

        took, _, page = get(base + "/")
        data = json.loads(page.decode().split('id="kg-data">', 1)[1].split("</script>", 1)[0])
        start = data["server"]["start"]
        hub = start[0]["id"]
        print(f"store: {data['server']['entities']:,} entities, {data['server']['relations']:,} relations; "
              f"page {len(page) / 1e6:.2f} MB")
        # names to search for: what the store answers for two-letter prefixes of the start list
        names = sorted({r["label"] for e in start for r in api("search", q=e["label"][:2])[1]})
        ids = sorted({r["entity"].rsplit("/", 1)[1] for e in start for r in api("search", q=e["label"][:2])[1]})
        results: dict[str, list[float]] = {}
        sizes: dict[str, int] = {}

        def timed(label: str, fn) -> None:  # noqa: ANN001
            for _ in range(args.repeat):
                took, rows = fn()
                results.setdefault(label, []).append(took)
                sizes[label] = len(rows)

        timed("page (GET /)", lambda: (get(base + "/")[0], [None]))
        timed("search (4 letters)", lambda: api("search", q=rng.choice(names)[:4]))
        timed("search (1 letter)", lambda: api("search", q=rng.choice("aeiou")))
        timed("open entity: the hub", lambda: api("links", id=hub))
        timed("open entity: a random one", lambda: api("links", id=rng.choice(ids)))
        links = api("links", id=hub)[1]
        busiest = links[0]["a"].split("/resource/", 1)[1]
        timed("evidence: busiest relation, page 1", lambda: api("evidence", a=busiest, page=0))
        timed("evidence: busiest relation, page 50", lambda: api("evidence", a=busiest, page=49))
        ring = [(r["o"] if r["s"].endswith("/" + hub) else r["s"]).rsplit("/", 1)[1] for r in links][:60]
        def expand(ring: list[str]) -> tuple[float, list[dict]]:
            return api("links", id=ring)  # what Expand sends: one request for the ring

        timed(f"expand: relations of {len(ring)} entities (the hub's ring)", lambda: expand(ring))
        timed("expand: relations of 60 random entities", lambda: expand(rng.sample(ids, min(60, len(ids)))))
        if not args.no_before:  # the same requests, the lists read from every article's graph
            ep.proxy.summarised = False
            timed("before: open entity: the hub", lambda: api("links", id=hub))
            timed("before: open entity: a random one", lambda: api("links", id=rng.choice(ids)))
            timed(f"before: expand the hub's ring ({len(ring)})", lambda: expand(ring))
            timed("before: expand 60 random entities", lambda: expand(rng.sample(ids, min(60, len(ids)))))
            ep.proxy.summarised = True
        print(f"\n{'interaction':58} {'median':>9} {'worst':>9} {'rows':>6}")
        for label, times in results.items():
            print(f"{label:58} {statistics.median(times) * 1000:7.0f} ms {max(times) * 1000:6.0f} ms {sizes[label]:6}")
        print(f"\n(each {args.repeat} times; hub = {start[0]['label']!r}, {start[0]['degree']:,} relations; "
              f"busiest relation: {links[0]['articles']} articles)")


if __name__ == "__main__":
    main()
