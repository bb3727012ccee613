"""A synthetic news archive's graph, for the served explorer's tests and benchmark.

Building 1,000 real articles with the trained model takes long on a small
machine, so the tests make the graph the build would make (our model, so our
vocabulary and exporter) directly: per article about 0.2 new entities, 1.3
relations and 30 evidence sentences (10,000 articles: ~2,000 entities, ~13,000
relations, ~300,000 sentences; the figures of issue 15), with a few hubs
(preferential attachment), articles dated over two years, titles and links.
Names and sentences are invented; the same ``n`` and seed give the same graph.

Usage (a store for trying ``kg serve`` by hand)::

    .venv/bin/python tests/archive_graph.py 1000 /tmp/archive.nq
    .venv/bin/kg load /tmp/archive.nq --store /tmp/db && .venv/bin/kg serve --store /tmp/db
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from graph.exporters import export
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation

_FIRST = ("Vel", "Quor", "Astr", "Brin", "Cal", "Dorn", "Elv", "Fen", "Gar", "Hol", "Isk", "Jun", "Kel", "Lum",
          "Mor", "Nov", "Orr", "Pax", "Quin", "Ros", "Sol", "Tav", "Ulm", "Vex", "Wyn", "Xan", "Yor", "Zel")
_SECOND = ("ara", "ex", "ion", "ix", "ora", "unt", "ello", "ar", "ine", "oth", "ium", "era")
#: (class, share of the entities, a word after the name)
_CLASSES = (("Company", 0.45, ("Systems", "Labs", "Networks", "Dynamics", "Robotics")),
            ("Project", 0.08, ("Initiative", "Programme")), ("Chip", 0.08, ("X1", "Z9", "Core")),
            ("AIModel", 0.1, ("LM", "Vision", "Coder")), ("Technology", 0.05, ("Mesh", "Fabric")),
            ("Person", 0.14, ()), ("City", 0.07, ("Harbour", "Falls")), ("Country", 0.03, ("Republic",)))
#: (predicate, subject class, object class, weight)
_PLAN = (("partnerIn", "Company", "Project", 8), ("supplierOf", "Company", "Chip", 4),
         ("uses", "Company", "Technology", 5), ("developerOf", "Company", "AIModel", 6),
         ("trainedOn", "AIModel", "Chip", 4), ("headquarteredIn", "Company", "City", 5),
         ("locatedIn", "City", "Country", 2), ("investsIn", "Company", "Company", 3),
         ("competitorOf", "Company", "Company", 3), ("ceoOf", "Person", "Company", 2),
         ("employeeOf", "Person", "Company", 2))
_SENTENCE = "{s} and {o} ({p}) were named together in the archive's item {i}, sentence {k}."
START = dt.date(2023, 1, 1)


def archive(n_articles: int, seed: int = 15, sentences_per_article: int = 30) -> KnowledgeGraph:
    """Return the graph of ``n_articles`` synthetic articles (see the module's text)."""
    rng = random.Random(seed)
    n_ents = max(40, n_articles // 5)
    ents: list[Entity] = []
    by_type: dict[str, list[str]] = {}
    names: set[str] = set()
    for cls, share, words in _CLASSES:
        for i in range(max(4, round(n_ents * share))):
            while True:
                base = rng.choice(_FIRST) + rng.choice(_SECOND) + rng.choice(_SECOND)
                label = f"{base} {rng.choice(words)}" if words else f"{base} {rng.choice(_FIRST)}{rng.choice(_SECOND)}"
                if label not in names:
                    break
            names.add(label)
            eid = f"{cls.lower()}-{i + 1}"
            aliases = (f"{label} Inc.",) if cls == "Company" and i % 3 == 0 else ()
            ents.append(Entity(id=eid, type=cls, label=label, aliases=aliases))
            by_type.setdefault(cls, []).append(eid)
    label_of = {e.id: e.label for e in ents}

    def pick(cls: str) -> str:  # preferential: low numbers are hubs
        ids = by_type[cls]
        return ids[min(len(ids) - 1, int(rng.paretovariate(1.1)) - 1)] if rng.random() < 0.6 else rng.choice(ids)

    weights = [w for *_, w in _PLAN]
    triples: list[tuple[str, str, str]] = []
    seen: set[tuple[str, str, str]] = set()
    while len(triples) < round(1.3 * n_articles):
        p, scls, ocls, _ = rng.choices(_PLAN, weights)[0]
        s, o = pick(scls), pick(ocls)
        if s != o and (s, p, o) not in seen:
            seen.add((s, p, o))
            triples.append((s, p, o))
    docs = tuple(Document(id=f"item-{i:05d}", source=f"archive/item-{i:05d}.txt", content_hash=f"sha256:{i:064x}",
                          chars=6000, title=f"Archive item {i}: industry briefing",
                          date=(START + dt.timedelta(days=(i * 730) // n_articles)).isoformat(),
                          url=f"https://news.example/archive/{i}")
                 for i in range(n_articles))
    evidence: dict[tuple[str, str, str], list[Evidence]] = {t: [] for t in triples}
    mentions: dict[str, set[str]] = {}
    for i, doc in enumerate(docs):
        # each article states a few relations, some of them in several sentences; the first
        # relations (their entities are the hubs) come up far more often: at 10,000 articles the
        # top relation has some 8,000 sentences
        for k in range(sentences_per_article):
            t = triples[int(len(triples) * rng.random() ** 4)] if rng.random() < 0.3 \
                else triples[(i * 7 + k // 3) % len(triples)]
            s, p, o = t
            sentence = _SENTENCE.format(s=label_of[s], o=label_of[o], p=p, i=i, k=k)
            start = 120 * k
            evidence[t].append(Evidence(doc_id=doc.id, start=start, end=start + len(sentence), sentence=sentence,
                                        rule_id=f"{p.lower()}_v1", confidence=round(rng.uniform(0.55, 0.99), 2)))
            mentions.setdefault(doc.id, set()).update((s, o))
    rels = tuple(Relation(subject=s, predicate=p, object=o, evidence=tuple(evidence[(s, p, o)]),
                          confidence=max((e.confidence for e in evidence[(s, p, o)]), default=0.6))
                 for s, p, o in sorted(triples) if evidence[(s, p, o)])
    used = {r.subject for r in rels} | {r.object for r in rels}
    return KnowledgeGraph(documents=docs, entities=tuple(sorted((e for e in ents if e.id in used), key=lambda e: e.id)),
                          relations=rels,
                          mentions_by_doc=tuple((d, tuple(sorted(ids))) for d, ids in sorted(mentions.items())))


def write_archive(n_articles: int, dest: Path, seed: int = 15) -> KnowledgeGraph:
    """Write :func:`archive` as N-Quads to ``dest``; return the graph."""
    kg = archive(n_articles, seed)
    export(kg, "nquads", dest)
    return kg


if __name__ == "__main__":
    g = write_archive(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"{len(g.documents):,} articles, {len(g.entities):,} entities, {len(g.relations):,} relations, "
          f"{sum(len(r.evidence) for r in g.relations):,} sentences -> {sys.argv[2]}")
