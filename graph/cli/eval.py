"""``kg eval``: precision, recall and F1 of a graph against gold facts."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from rdflib import RDF, Graph, URIRef

from graph.errors import InputError
from graph.evaluate import DocScore, load_gold, norm, prf, read_graph, score, total

EKG = "https://w3id.org/entity-kg/ontology#"


def add_commands(sub: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    p = sub.add_parser(
        "eval",
        help="score graphs against gold facts (precision, recall, F1)",
        description="Score against gold files (the format of shared/gold/*.json). Without --graph, "
        "each gold file's document is built and scored on its own; with --graph, that graph is "
        "scored against every gold file. Matching: names via rdfs:label/skos:altLabel with case, "
        "possessive, hyphens and legal suffixes folded; symmetric predicates either way.",
        epilog="examples:\n  kg eval gold/dev/*.json --corpus corpus/dev -v\n"
        "  kg eval gold/article.json --graph exports/graph.ttl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("gold", nargs="+", type=Path, help="gold JSON files")
    p.add_argument("--graph", type=Path, help="a built graph (Turtle, N-Triples, ...) to score")
    p.add_argument("--corpus", type=Path, help="folder holding the gold files' documents")
    p.add_argument("--model", default=None, help="spaCy pipeline for building (default as kg build)")
    p.add_argument("--rules", action="append", type=Path, default=[], metavar="PACK",
                   help="a rule pack added to the packaged rules for building (repeatable)")
    p.add_argument("--min-confidence", type=float, default=0.0, metavar="C")
    p.add_argument("--json", action="store_true", help="one JSON object per document, then the total")
    p.add_argument("-v", "--verbose", action="store_true", dest="details",
                   help="list every missed and extra relation with its evidence sentence and rule")
    p.set_defaults(handler=cmd_eval)


def _document(gold_path: Path, gold: dict, corpus: Path | None) -> Path:
    doc = gold.get("document")
    candidates = []
    if corpus is not None:
        if doc:
            candidates.append(corpus / Path(doc).name)
        candidates.append(corpus / (gold_path.stem + ".txt"))
    if doc:
        for base in (gold_path.parent, *gold_path.resolve().parents[:3]):
            candidates.append(base / doc)
    for c in candidates:
        if c.is_file():
            return c
    raise InputError(
        f"cannot find the document {doc!r} of this gold file; pass --corpus DIR or --graph",
        path=str(gold_path),
    )


def _parse(path: Path) -> Graph:
    """The graph file, read as every command reads one (:func:`graph.rdf.convert.read_rdf`)."""
    from graph.rdf.convert import read_rdf

    return read_rdf(path)

def _evidence(g: Graph) -> dict[tuple[frozenset, str, frozenset], list[tuple[str, str]]]:
    """(subject names, predicate, object names) -> [(rule, sentence)] from assertion nodes."""
    nodes, _ = read_graph(g)
    names = {n: frozenset(info["names"]) for n, info in nodes.items()}
    out: dict[tuple[frozenset, str, frozenset], list[tuple[str, str]]] = {}
    for a in sorted(g.subjects(RDF.type, URIRef(EKG + "Assertion"))):
        s, p, o = g.value(a, RDF.subject), g.value(a, RDF.predicate), g.value(a, RDF.object)
        if s is None or p is None or o is None:
            continue
        key = (names.get(s, frozenset()), str(p)[len(EKG):], names.get(o, frozenset()))
        for ev in g.objects(a, URIRef(EKG + "evidence")):
            rule = g.value(ev, URIRef(EKG + "rule"))
            sent = g.value(ev, URIRef(EKG + "sentence"))
            out.setdefault(key, []).append((str(rule), " ".join(str(sent).split())))
    return out


def _line(s: DocScore) -> str:
    p, r, f = s.relation_prf
    return (f"{s.document}: entities {s.ent_found}/{s.ent_gold} found, {s.ent_typed} typed, "
            f"{s.ent_matched}/{s.ent_pred} built match gold; "
            f"relations P={p:.2f} R={r:.2f} F1={f:.2f} ({s.rel_tp}/{s.rel_pred} pred, {s.rel_gold} gold); "
            f"forbidden {len(s.forbidden_hit)}")


def cmd_eval(args: argparse.Namespace) -> int:
    import graph
    from graph.rdf.convert import to_rdf

    scores: list[DocScore] = []
    fixed = _parse(args.graph) if args.graph else None
    for gold_path in args.gold:
        gold = load_gold(gold_path)
        if fixed is not None:
            g = fixed
        else:
            kg = graph.build([_document(gold_path, gold, args.corpus)], model=args.model, packs=args.rules,
                             min_confidence=args.min_confidence)
            g = to_rdf(kg)
        s = score(gold, g, name=gold.get("document") or gold_path.name)
        scores.append(s)
        if args.json:
            print(json.dumps({**s.__dict__, "relation_prf": s.relation_prf}, default=list, sort_keys=True))
            continue
        print(_line(s))
        if args.details:
            ev = _evidence(g)
            if s.missed_entities:
                print("  missed entities: " + ", ".join(s.missed_entities))
            if s.mistyped_entities:
                print("  mistyped entities: " + ", ".join(s.mistyped_entities))
            if s.unmatched_entities:
                print("  entities not in gold: " + ", ".join(s.unmatched_entities))
            for rel in s.missed_relations:
                print(f"  MISSED  {rel[0]} {rel[1]} {rel[2]}")
            for rel in s.extra_relations:
                print(f"  EXTRA   {rel[0]} {rel[1]} {rel[2]}")
                for rule, sent in _find_evidence(ev, rel)[:3]:
                    print(f"          [{rule}] {sent}")
            for rel in s.forbidden_hit:
                print(f"  FORBIDDEN {rel[0]} {rel[1]} {rel[2]}")
                for rule, sent in _find_evidence(ev, rel)[:3]:
                    print(f"          [{rule}] {sent}")
    t = total(scores)
    p, r, f = prf(t.rel_tp, t.rel_pred, t.rel_gold)
    summary = {
        "documents": len(scores),
        "entity_recall": round(t.ent_found / max(t.ent_gold, 1), 3),
        "typed_entity_recall": round(t.ent_typed / max(t.ent_gold, 1), 3),
        "entity_precision": round(t.entity_precision, 3),
        "relation_precision": round(p, 3), "relation_recall": round(r, 3), "relation_f1": round(f, 3),
        "forbidden": len(t.forbidden_hit),
    }
    if args.json:
        print(json.dumps({"total": summary}, sort_keys=True))
    else:
        print("TOTAL (micro-averaged) " + " ".join(f"{k}={v}" for k, v in summary.items()))
    return 0


def _find_evidence(ev: dict, rel: tuple[str, str, str]) -> list[tuple[str, str]]:
    s, o = (norm(x.lstrip("?").strip("[]'\"")) for x in (rel[0], rel[2]))
    p = rel[1]
    for (es, ep, eo), items in ev.items():
        if ep == p and s in es and o in eo:
            return items
    return []
