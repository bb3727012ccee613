#!/usr/bin/env python3
"""Sanity checks for the dev2 gold files (run from anywhere)."""
import json, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
SUPER = {"Company": {"Organization"}, "GovernmentBody": {"Organization"}, "Chip": {"Product"},
         "AIModel": {"Product"}, "Country": {"Place"}, "City": {"Place"}}
TYPES = {"Organization", "Company", "GovernmentBody", "Project", "Product", "Chip", "AIModel",
         "Technology", "Approach", "Person", "Place", "Country", "City"}
ORG, PROD, PLACE = {"Organization"}, {"Product"}, {"Place"}
SIG = {  # predicate -> (allowed domain classes, allowed range classes)
    "partnerIn": (ORG, {"Project"}), "supplierOf": (ORG, PROD | ORG), "manufacturerOf": ({"Company"}, PROD),
    "uses": (ORG | PROD, PROD | {"Technology", "Approach"}), "developerOf": (ORG, PROD),
    "trainedOn": ({"AIModel"}, {"Chip"}), "headquarteredIn": (ORG, PLACE), "locatedIn": (PLACE, PLACE),
    "investsIn": (ORG, {"Project", "Technology"} | ORG), "backerOf": (ORG, ORG), "distributorOf": (ORG, PROD),
    "competitorOf": (ORG, ORG), "subsidiaryOf": (ORG, ORG), "acquired": (ORG, ORG), "foundedBy": (ORG, {"Person"}),
    "employeeOf": ({"Person"}, ORG), "ceoOf": ({"Person"}, ORG), "restricts": (ORG | PLACE, PROD | ORG | PLACE)}

def isa(t, allowed):
    return t in allowed or bool(SUPER.get(t, set()) & allowed)

def occurs(name, text):
    n, t = name.lower(), text.lower()
    if n in t:
        return True
    # hyphen/space variants only ("closed source" vs "closed-source")
    return n.replace("-", " ") in t.replace("-", " ")

errors, tot_rel, tot_forb, tot_ent = [], 0, 0, 0
files = sorted((ROOT / "gold").glob("*.json"))
for f in files:
    try:
        g = json.loads(f.read_text(encoding="utf-8"))
    except Exception as e:
        errors.append(f"{f.name}: JSON error {e}"); continue
    err = lambda m: errors.append(f"{f.name}: {m}")
    if set(g) != {"document", "note", "entities", "relations", "forbidden_relations"}:
        err(f"keys {sorted(g)}")
    doc = ROOT / g["document"]
    if g["document"] != f"corpus/{f.stem}.txt" or not doc.exists():
        err(f"document path {g['document']}"); continue
    text = doc.read_text(encoding="utf-8")
    words = len(text.split())
    if not 300 <= words <= 600:
        err(f"{words} words")
    types, seen_names = {}, {}
    for e in g["entities"]:
        if e["type"] not in TYPES: err(f"bad type {e}")
        if e["label"] in types: err(f"duplicate label {e['label']}")
        types[e["label"]] = e["type"]
        for n in [e["label"], *e.get("aliases", [])]:
            if not occurs(n, text): err(f"name not in text: {n!r}")
            if n.lower() in seen_names and seen_names[n.lower()] != e["label"]:
                err(f"name {n!r} used by two entities")
            seen_names[n.lower()] = e["label"]
    rels = [tuple(r) for r in g["relations"]]
    forb = [tuple(r) for r in g["forbidden_relations"]]
    norm = lambda r: (min(r[0], r[2]), r[1], max(r[0], r[2])) if r[1] == "competitorOf" else r
    for kind, lst in (("relation", rels), ("forbidden", forb)):
        keys = [norm(r) for r in lst]
        if len(keys) != len(set(keys)): err(f"duplicate {kind}s")
        for s, p, o in lst:
            if p not in SIG: err(f"{kind} bad predicate {p}"); continue
            if s not in types or o not in types: err(f"{kind} unknown entity in {(s, p, o)}"); continue
            dom, rng = SIG[p]
            if not isa(types[s], dom): err(f"{kind} domain {(s, p, o)} ({types[s]})")
            if not isa(types[o], rng): err(f"{kind} range {(s, p, o)} ({types[o]})")
    gold = {norm(r) for r in rels}
    for r in forb:
        if norm(r) in gold: err(f"forbidden is gold: {r}")
    for s, p, o in rels:  # conventions
        if p == "investsIn" and types[o] not in ("Project", "Technology") and (s, "backerOf", o) not in gold:
            err(f"investsIn without backerOf: {s} {o}")
    if len(forb) < 4: err("fewer than 4 forbidden")
    tot_rel += len(rels); tot_forb += len(forb); tot_ent += len(types)
    print(f"{f.name:34s} words={words:3d} entities={len(types):3d} relations={len(rels):3d} forbidden={len(forb):2d}")
print(f"TOTAL files={len(files)} entities={tot_ent} relations={tot_rel} forbidden={tot_forb}")
for e in errors: print("ERROR", e)
sys.exit(1 if errors else 0)
