"""SPARQL on Oxigraph: shipped queries, parameters, results, errors, kg query."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal
from functools import lru_cache

import networkx as nx
import pyoxigraph
import pytest
from rdflib import Graph

from graph.store import query as Q
from graph.cli import main
from graph.errors import InputError, KGError
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation
from graph.network import to_networkx
from graph.rdf.convert import to_dataset, to_rdf
from graph.resources import query_names, query_text

STARGATE_PARTNERS = {"OpenAI", "Oracle", "SoftBank Group"}


def _ev(sentence: str, rule: str = "hand_v1", conf: float = 0.9, doc: str = "d1", start: int = 0) -> Evidence:
    return Evidence(doc_id=doc, start=start, end=start + len(sentence), sentence=sentence,
                    rule_id=rule, confidence=conf)


def hand_kg() -> KnowledgeGraph:
    """A small graph touching every shipped query, over two documents."""
    E = Entity
    ents = (
        E(id="acme", type="Company", label="Acme", aliases=("Acme Corp.",)),
        E(id="globex", type="Company", label="Globex"),
        E(id="initech", type="Company", label="Initech"),
        E(id="moonshot", type="Project", label="Moonshot", aliases=("Project Moonshot",)),
        E(id="x1", type="Chip", label="X1"),
        E(id="brainy", type="AIModel", label="Brainy-2", parameter_count=7_000_000_000),
        E(id="open-source", type="Approach", label="open source"),
        E(id="springfield", type="City", label="Springfield"),
        E(id="freedonia", type="Country", label="Freedonia"),
        E(id="jane-doe", type="Person", label="Jane Doe"),
        E(id="hostile", type="Company", label='Evil "Corp" } ; DROP ALL # \\ <x>'),
    )
    R = Relation
    rels = (
        R(subject="acme", predicate="partnerIn", object="moonshot",
          evidence=(_ev("Acme and Globex are partners in Project Moonshot.", "partner_in_v1", 0.9),)),
        R(subject="globex", predicate="partnerIn", object="moonshot",
          evidence=(_ev("Acme and Globex are partners in Project Moonshot.", "partner_in_v1", 0.8),
                    _ev("Globex joined Moonshot.", "partner_in_v2", 0.7, doc="d2", start=40))),
        R(subject="acme", predicate="supplierOf", object="x1", evidence=(_ev("Acme supplies the X1."),)),
        R(subject="acme", predicate="manufacturerOf", object="x1", evidence=(_ev("Acme makes the X1."),)),
        R(subject="initech", predicate="uses", object="x1", evidence=(_ev("Initech uses the X1."),)),
        R(subject="initech", predicate="developerOf", object="brainy",
          evidence=(_ev("Initech built Brainy-2."),)),
        R(subject="brainy", predicate="trainedOn", object="x1", evidence=(_ev("Brainy-2 ran on X1s."),),
          count=512),
        R(subject="initech", predicate="uses", object="open-source",
          evidence=(_ev("Initech's models are open source."),)),
        R(subject="acme", predicate="headquarteredIn", object="springfield",
          evidence=(_ev("Springfield-based Acme."),)),
        R(subject="springfield", predicate="locatedIn", object="freedonia",
          evidence=(_ev("Springfield, Freedonia."),)),
        R(subject="globex", predicate="headquarteredIn", object="freedonia",
          evidence=(_ev("Globex is based in Freedonia."),)),
        R(subject="initech", predicate="headquarteredIn", object="springfield",
          evidence=(_ev("Initech, of Springfield."),), confidence=0.6),
        R(subject="globex", predicate="investsIn", object="initech",
          evidence=(_ev("Globex invested $5 million in Initech."),), amount=Decimal("5000000"),
          currency="USD", date="2024-05"),
        R(subject="jane-doe", predicate="ceoOf", object="initech", evidence=(_ev("Initech CEO Jane Doe."),)),
        R(subject="hostile", predicate="backerOf", object="acme", evidence=(_ev('Evil "Corp" backs Acme.'),)),
    )
    docs = (Document(id="d1", source="d1.txt", content_hash="sha256:" + "1" * 64, chars=500),
            Document(id="d2", source="d2.txt", content_hash="sha256:" + "2" * 64, chars=100))
    return KnowledgeGraph(documents=docs, entities=ents, relations=rels,
                          mentions_by_doc=(("d1", tuple(sorted(e.id for e in ents))), ("d2", ("globex", "moonshot"))))


@lru_cache(maxsize=1)
def hand_store() -> pyoxigraph.Store:
    return Q.from_kg(hand_kg())


def labels(res: Q.QueryResult, column: str) -> list[object]:
    return res.column(column)


# --------------------------------------------------------------------------- shipped queries


def test_query_ships_at_least_ten_named_queries_with_headers():
    names = query_names()
    assert len(names) >= 10
    for required in ("partners", "chip-suppliers", "open-source", "companies-by-country",
                     "paths-2hop", "evidence"):
        assert required in names
    for q in Q.shipped_queries():
        assert q.description, q.name
        assert q.params is not None, f"{q.name}: the header must say 'Parameters:' (or 'none')"
        assert query_text(q.name) == q.text
        head = q.text.split("WHERE", 1)[0]
        for p in q.params:
            assert f"?{p.name}" in head, f"{q.name}: parameter ?{p.name} must be in the SELECT clause"
            if p.kind == "entity" and p.default is None:
                assert "e.g." in p.description or "unset" in p.description


@pytest.mark.parametrize("name", query_names())
def test_query_every_shipped_query_runs_on_an_empty_store(name):
    res = Q.run(pyoxigraph.Store(), Q.shipped_query(name))  # parses; parameters left unbound
    assert res.kind in ("select", "ask", "graph")
    assert not res.boolean and (len(res) == 0 or res.kind == "select")


@pytest.mark.parametrize("name", query_names())
def test_query_every_shipped_query_gives_results_on_the_hand_graph(name):
    res = Q.execute(hand_store(), name)
    assert res.boolean if res.kind == "ask" else len(res) > 0


def test_query_partners_of_a_project_by_alias_any_case():
    res = Q.execute(hand_store(), "partners", {"project": "project MOONSHOT"})
    assert labels(res, "partnerLabel") == ["Acme", "Globex"]
    assert res.column("confidence") == [Decimal("0.9"), Decimal("0.8")]


def test_query_chip_suppliers_names_each_role():
    res = Q.execute(hand_store(), "chip-suppliers", {"chip": "X1"})
    assert [(r["role"], r["organizationLabel"]) for r in res.records()] == [
        ("manufacturer", "Acme"), ("supplier", "Acme")]


def test_query_open_source_defaults_to_open_source():
    res = Q.execute(hand_store(), "open-source")
    assert [(r["approachLabel"], r["userLabel"], r["userClass"]) for r in res.records()] == [
        ("open source", "Initech", "Company")]


def test_query_companies_by_country_follows_located_in_and_filters():
    res = Q.execute(hand_store(), "companies-by-country")
    rows = {(r.get("countryLabel"), r["placeLabel"], r["organizationLabel"]) for r in res.records()}
    assert rows == {("Freedonia", "Springfield", "Acme"), ("Freedonia", "Springfield", "Initech"),
                    ("Freedonia", "Freedonia", "Globex")}
    only = Q.execute(hand_store(), "companies-by-country", {"country": "Freedonia"})
    assert sorted(only.column("organizationLabel")) == ["Acme", "Globex", "Initech"]


def test_query_companies_by_country_keeps_places_without_a_country_unless_filtering():
    kg = KnowledgeGraph(
        entities=(Entity(id="a", type="Company", label="A"), Entity(id="c", type="City", label="Hangzhou"),
                  Entity(id="n", type="Country", label="China")),
        relations=(Relation(subject="a", predicate="headquarteredIn", object="c", evidence=(_ev("A, Hangzhou."),)),))
    store = Q.from_kg(kg)
    assert Q.execute(store, "companies-by-country").records() == [
        {"placeLabel": "Hangzhou", "organizationLabel": "A", "organization": "https://w3id.org/entity-kg/resource/a"}]
    assert len(Q.execute(store, "companies-by-country", {"country": "China"})) == 0


def test_query_two_hop_paths_between_two_companies_both_directions():
    res = Q.execute(hand_store(), "paths-2hop", {"from": "Acme", "to": "Initech"})
    got = {(r["edge1"], r["viaLabel"], r["edge2"]) for r in res.records()}
    assert got == {("-supplierOf->", "X1", "<-uses-"), ("-manufacturerOf->", "X1", "<-uses-"),
                   ("-headquarteredIn->", "Springfield", "<-headquarteredIn-")}
    assert Q.execute(hand_store(), "paths-2hop", {"from": "Acme", "to": "Globex"}).column("viaLabel") == [
        "Moonshot"]


def test_query_evidence_gives_sentence_document_rule_and_confidence():
    res = Q.execute(hand_store(), "evidence", {"subject": "Globex", "predicate": "partnerIn",
                                                "object": "Moonshot"})
    rows = [(r["sentence"], r["documentLabel"], r["rule"], r["confidence"], r["charStart"])
            for r in res.records()]
    assert rows == [("Acme and Globex are partners in Project Moonshot.", "d1.txt", "partner_in_v1",
                     Decimal("0.8"), 0),
                    ("Globex joined Moonshot.", "d2.txt", "partner_in_v2", Decimal("0.7"), 40)]


def test_query_evidence_same_rows_from_turtle_and_one_graph_per_document(tmp_path):
    kg = hand_kg()
    ttl, trig = tmp_path / "g.ttl", tmp_path / "g.trig"
    to_rdf(kg).serialize(ttl, format="turtle")
    to_dataset(kg).serialize(trig, format="trig")
    params = {"predicate": "partnerIn", "object": "Moonshot"}
    a = Q.execute(Q.open_store(ttl), "evidence", params)
    b = Q.execute(Q.open_store(trig), "evidence", params)
    assert a.rows == b.rows and len(a) == 3
    # a relation stated in two documents is counted once
    assert Q.execute(Q.open_store(trig), "predicates").records() == Q.execute(
        Q.open_store(ttl), "predicates").records()


def test_query_provenance_of_every_stargate_partner_in_the_sample(sample_kg, tmp_path):
    """Acceptance: the shipped provenance query answers for each of the three partners."""
    ttl = tmp_path / "graph.ttl"
    to_rdf(sample_kg).serialize(ttl, format="turtle")
    store = Q.open_store(ttl)
    res = Q.execute(store, "evidence", {"predicate": "partnerIn", "object": "Stargate Project"})
    by_partner = {r["subjectLabel"]: r for r in res.records()}
    assert set(by_partner) == STARGATE_PARTNERS
    for name, row in by_partner.items():
        first_word = name.split()[0]
        assert first_word in row["sentence"] and "Stargate" in row["sentence"]
        assert row["documentLabel"] == "deepseek-nine-questions.txt"
        assert row["rule"] and 0 < row["confidence"] <= 1
        assert row["charEnd"] > row["charStart"]
        one = Q.execute(store, "evidence", {"subject": name, "predicate": "partnerIn", "object": "Stargate"})
        assert {r["sentence"] for r in one.records()} >= {row["sentence"]}


@pytest.mark.parametrize("name", query_names())
def test_query_every_shipped_query_answers_on_the_sample(sample_kg, name):
    store = Q.from_kg(sample_kg)
    res = Q.execute(store, name)
    if res.kind == "ask":
        assert res.boolean is True
    else:
        assert len(res) > 0, name


def test_query_developers_and_most_connected_agree_with_networkx():
    kg = hand_kg()
    res = Q.execute(hand_store(), "most-connected")
    g = to_networkx(kg)
    degree = {kg.entity(n).label: d for n, d in g.degree()}
    assert {r["entityLabel"]: r["degree"] for r in res.records()} == {k: v for k, v in degree.items() if v}
    dev = Q.execute(hand_store(), "developers", {"developer": "initech"}).records()
    assert [(r["modelLabel"], r["parameters"], r["trainedOnLabel"]) for r in dev] == [
        ("Brainy-2", 7_000_000_000, "X1")]


def test_query_investments_people_documents():
    inv = Q.execute(hand_store(), "investments", {"investor": "Globex"}).records()
    assert [(r["targetLabel"], r["amount"], r["currency"], r["date"]) for r in inv] == [
        ("Initech", Decimal("5000000.0"), "USD", "2024-05")]
    people = Q.execute(hand_store(), "people").records()
    assert [(r["personLabel"], r["role"], r["organizationLabel"]) for r in people] == [
        ("Jane Doe", "chief executive", "Initech")]
    docs = Q.execute(hand_store(), "documents").records()
    assert [(d["documentLabel"], d["relations"]) for d in docs] == [("d1.txt", 15), ("d2.txt", 1)]


def test_query_ask_and_construct_forms():
    store = hand_store()
    yes = Q.execute(store, "has-relation", {"subject": "Acme", "predicate": "partnerIn", "object": "Moonshot"})
    no = Q.execute(store, "has-relation", {"subject": "Moonshot", "predicate": "partnerIn", "object": "Acme"})
    assert (yes.kind, yes.boolean, no.boolean) == ("ask", True, False)
    assert yes.to_table() == "true" and no.serialize("json") == b'{"head":{},"boolean":false}'
    graph = Q.execute(store, "neighbourhood", {"entity": "Brainy-2"})
    assert graph.kind == "graph"
    g = Graph().parse(data=graph.serialize("turtle"), format="turtle")
    preds = {str(p).rsplit("#", 1)[-1] for p in g.predicates()}
    assert {"trainedOn", "developerOf", "label", "type"} <= preds
    assert len(Graph().parse(data=graph.serialize("ntriples"), format="nt")) == len(g)
    json.loads(graph.serialize("jsonld"))


# --------------------------------------------------------------------------- values and injection


def test_query_bindings_are_substituted_not_formatted():
    store = hand_store()
    hostile = 'Evil "Corp" } ; DROP ALL # \\ <x>'
    q = "SELECT ?e ?name WHERE { ?e rdfs:label ?name }"
    assert Q.run(store, q, {"name": hostile}).column("e") == ["https://w3id.org/entity-kg/resource/hostile"]
    assert len(Q.run(store, q, {"name": '" } UNION { ?e ?p ?name } #'})) == 0
    assert Q.find_entity(store, hostile.lower()).value.endswith("/hostile")
    res = Q.execute(store, "evidence", {"subject": hostile})
    assert res.column("sentence") == ['Evil "Corp" backs Acme.']


def test_query_free_parameters_for_queries_without_a_header():
    store = hand_store()
    q = "SELECT ?e ?type WHERE { ?e a ?type }"
    res = Q.execute(store, q, {"type": "ekg:Chip"})
    assert res.column("e") == ["https://w3id.org/entity-kg/resource/x1"]
    n = Q.execute(store, "SELECT ?e ?n WHERE { ?e ekg:parameterCount ?n }", {"n": "7000000000"})
    assert len(n) == 1
    assert Q.parse_value('"42"').datatype.value.endswith("#string")


@pytest.mark.parametrize(
    "name, params, fragment",
    [
        ("partners", {"proj": "x"}, "has no parameter 'proj'; parameters: project"),
        ("partners", {"project": "Nowhere"}, "no entity named 'Nowhere'"),
        ("evidence", {"predicate": "partner"}, "unknown predicate 'partner'; known: partnerIn"),
        ("entity-types", {"class": "Chip"}, "has no parameter 'class'; parameters: none"),
        ("partners", {"project": "kgr:nothing-here"}, "no entity 'kgr:nothing-here'"),
        ("partners", {"bad name": "x"}, "bad parameter name 'bad name'"),
    ],
)
def test_query_bad_parameters_raise_kgerror(name, params, fragment):
    with pytest.raises(KGError) as err:
        Q.execute(hand_store(), name, params)
    assert fragment in str(err.value)


def test_query_ambiguous_entity_name_lists_the_iris():
    kg = KnowledgeGraph(entities=(Entity(id="meta-a", type="Company", label="Meta"),
                                  Entity(id="meta-b", type="Company", label="Meta Materials", aliases=("Meta",))))
    with pytest.raises(KGError, match=r"'Meta' names 2 entities: kgr:meta-a, kgr:meta-b; give one of these IRIs"):
        Q.find_entity(Q.from_kg(kg), "Meta")
    assert Q.find_entity(Q.from_kg(kg), "kgr:meta-b").value.endswith("meta-b")


def test_query_parameter_must_be_returned_by_the_query():
    with pytest.raises(KGError, match="parameter 'x' is not a variable of its SELECT clause"):
        Q.run(hand_store(), "SELECT ?e WHERE { ?e a ?x }", {"x": "y"})


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "text, line, fragment",
    [
        ("SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER( }", 3, "expected one of"),
        ("SELECT ?s WHERE { ?s nope:x ?o }", 1, "undeclared prefix"),
        ("SELEKT * WHERE { ?s ?p ?o }", 1, "expected CONSTRUCT"),
        ("PREFIX ex: <http://ex/>\nSELECT * WHERE { ?s ?p ?o }\nLIMT 3", 3, "expected one of"),
    ],
)
def test_query_syntax_errors_say_line_and_column(text, line, fragment):
    """Line and column are where Oxigraph's parser gave up (its furthest attempt)."""
    with pytest.raises(KGError) as err:
        Q.run(hand_store(), text)
    assert err.value.line == line
    assert re.search(r"SPARQL syntax error at column \d+: ", str(err.value))
    assert fragment in str(err.value)
    assert str(err.value).startswith(f"<inline query>:{line}: ")
    assert "\n" not in str(err.value)


def test_query_syntax_error_in_a_file_names_the_file(tmp_path):
    f = tmp_path / "bad.rq"
    f.write_text("# A bad query.\nSELECT * WHERE { ?s ?p ?o }\nLIMT 3\n")
    with pytest.raises(KGError, match=re.escape(f"{f}:3: SPARQL syntax error")):
        Q.execute(hand_store(), str(f))


@pytest.mark.parametrize("update", ["INSERT DATA { <a:b> <a:c> <a:d> }",
                                    "PREFIX x: <http://x/>\nDELETE WHERE { ?s ?p ?o }", "DROP ALL"])
def test_query_updates_are_refused(update):
    with pytest.raises(KGError, match="is a SPARQL update; kg query runs only SELECT, ASK"):
        Q.run(hand_store(), update)


def test_query_open_store_errors(tmp_path):
    with pytest.raises(InputError, match="no such graph file or store folder"):
        Q.open_store(tmp_path / "missing.ttl")
    (tmp_path / "g.csv").write_text("a,b\n")
    with pytest.raises(InputError, match=r"cannot tell the RDF format from the suffix '.csv'; known: .ttl"):
        Q.open_store(tmp_path / "g.csv")
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    with pytest.raises(InputError) as err:
        Q.open_store(bad)
    assert err.value.line == 2 and "invalid Turtle" in str(err.value) and "(column" in str(err.value)
    (tmp_path / "plain").mkdir()
    with pytest.raises(InputError, match="not an Oxigraph store"):
        Q.open_store(tmp_path / "plain")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "CURRENT").write_text("garbage")
    with pytest.raises(InputError, match="corrupt or incompatible Oxigraph store"):
        Q.open_store(corrupt)


def test_query_unknown_name_lists_shipped_queries():
    with pytest.raises(KGError, match="unknown query 'partnrs'.*shipped: .*partners"):
        Q.resolve_query("partnrs")
    with pytest.raises(InputError, match="no such query file"):
        Q.resolve_query("missing.rq")


# --------------------------------------------------------------------------- results


def test_query_result_formats_come_from_pyoxigraph_and_round_trip():
    res = Q.execute(hand_store(), "evidence", {"object": "Moonshot"})
    parsed = json.loads(res.serialize("json"))
    assert parsed["head"]["vars"] == list(res.variables)
    assert len(parsed["results"]["bindings"]) == len(res) == 3
    rows = list(csv.DictReader(io.StringIO(res.serialize("csv").decode())))
    assert [r["subjectLabel"] for r in rows] == ["Acme", "Globex", "Globex"]
    back = pyoxigraph.parse_query_results(res.serialize("tsv"), pyoxigraph.QueryResultsFormat.TSV)
    assert [tuple(s[v] for v in res.variables) for s in back] == list(res.rows)
    assert res.serialize("xml").startswith(b"<?xml")
    with pytest.raises(KGError, match="format 'turtle' does not fit a SELECT/ASK result"):
        res.serialize("turtle")


def test_query_hostile_values_survive_every_format():
    res = Q.run(hand_store(), "SELECT ?l WHERE { ?e rdfs:label ?l FILTER(CONTAINS(?l, 'Evil')) }")
    value = 'Evil "Corp" } ; DROP ALL # \\ <x>'
    assert json.loads(res.serialize("json"))["results"]["bindings"][0]["l"]["value"] == value
    assert next(csv.reader(io.StringIO(res.serialize("csv").decode().splitlines()[1]))) == [value]
    assert "&lt;x&gt;" in res.to_html() and "<x>" not in res.to_html()


def test_query_limit_truncates_and_says_so():
    full = Q.execute(hand_store(), "relations-of")
    cut = Q.execute(hand_store(), "relations-of", limit=2)
    assert len(cut) == 2 and cut.truncated and cut.rows == full.rows[:2]
    assert not Q.execute(hand_store(), "relations-of", limit=len(full)).truncated
    assert "(2 rows shown; there are more" in cut.to_table()


def test_query_table_wraps_long_cells():
    table = Q.format_table(["a"], [["word " * 30]], max_width=20)
    assert max(len(line) for line in table.splitlines()) <= 20


# --------------------------------------------------------------------------- kg query


def run_cli(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def write_hand_ttl(folder):
    path = folder / "graph.ttl"
    to_rdf(hand_kg()).serialize(path, format="turtle")
    return path


def test_cli_query_list_names_every_shipped_query(capsys):
    code, out, err = run_cli(["query", "--list"], capsys)
    assert code == 0 and err == ""
    for name in query_names():
        assert re.search(rf"^{re.escape(name)}\s+\S", out, re.M)
    assert "--param project=" in out


def test_cli_query_table_csv_json_and_param(tmp_path, capsys):
    hand_ttl = write_hand_ttl(tmp_path)
    code, out, _ = run_cli(["query", str(hand_ttl), "partners", "--param", "project=Moonshot"], capsys)
    assert code == 0 and "Acme" in out and "Globex" in out and "(2 rows)" in out
    code, out, _ = run_cli(["query", str(hand_ttl), "partners", "-p", "project=Moonshot", "-f", "csv"], capsys)
    assert out.splitlines()[0] == "projectLabel,partnerLabel,confidence,project,partner"
    code, out, _ = run_cli(["query", str(hand_ttl), "SELECT ?l WHERE { ?e a ekg:Chip ; rdfs:label ?l }",
                            "--format", "json"], capsys)
    assert json.loads(out)["results"]["bindings"] == [{"l": {"type": "literal", "value": "X1"}}]


def test_cli_query_rq_file_and_show(tmp_path, capsys):
    hand_ttl = write_hand_ttl(tmp_path)
    rq = tmp_path / "chips.rq"
    rq.write_text("# Chips.\nSELECT ?l WHERE { ?e a ekg:Chip ; rdfs:label ?l }\n")
    code, out, _ = run_cli(["query", str(hand_ttl), str(rq), "-f", "tsv"], capsys)
    assert code == 0 and out == '?l\n"X1"\n'
    code, out, _ = run_cli(["query", "--show", "evidence"], capsys)
    assert out == query_text("evidence")


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["query", "GRAPH", "partnrs"], "unknown query 'partnrs'"),
        (["query", "GRAPH", "SELECT * WHERE { ?s ?p }"], "<inline query>:1: SPARQL syntax error at column"),
        (["query", "GRAPH", "partners", "-p", "project"], "must be NAME=VALUE"),
        (["query", "GRAPH", "partners", "-p", "project=nope"], "no entity named 'nope'"),
        (["query", "GRAPH", "neighbourhood", "-f", "csv"], "does not fit a CONSTRUCT/DESCRIBE result"),
        (["query", "GRAPH"], "needs GRAPH_OR_STORE and QUERY_OR_FILE"),
        (["query", "missing.ttl", "partners"], "missing.ttl: no such graph file or store folder"),
    ],
)
def test_cli_query_errors_are_one_line_exit_2(tmp_path, capsys, argv, fragment):
    hand_ttl = write_hand_ttl(tmp_path)
    argv = [str(hand_ttl) if a == "GRAPH" else a for a in argv]
    code, out, err = run_cli(argv, capsys)
    assert code == 2 and out == ""
    assert err.startswith("kg: error: ") and err.count("\n") == 1 and fragment in err


def test_network_to_networkx_is_a_multidigraph_keyed_by_predicate():
    kg = hand_kg()
    g = to_networkx(kg)
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(kg.entities) and g.number_of_edges() == len(kg.relations)
    assert set(g["acme"]["x1"]) == {"supplierOf", "manufacturerOf"}
    assert g.nodes["acme"] == {"type": "Company", "label": "Acme", "aliases": ("Acme Corp.",)}
    assert g["globex"]["initech"]["investsIn"]["amount"] == Decimal("5000000")
    assert len(g["globex"]["moonshot"]["partnerIn"]["evidence"]) == 2


@pytest.mark.parametrize("suffix, rdflib_format", [(".ttl", "turtle"), (".nt", "nt"), (".nq", "nquads"),
                                                   (".trig", "trig"), (".jsonld", "json-ld"), (".rdf", "xml")])
def test_query_open_store_reads_every_rdf_format_by_suffix(tmp_path, suffix, rdflib_format):
    kg = hand_kg()
    path = tmp_path / f"graph{suffix}"
    source = to_dataset(kg) if suffix in (".nq", ".trig") else to_rdf(kg)
    source.serialize(path, format=rdflib_format, encoding="utf-8")
    res = Q.execute(Q.open_store(path), "evidence", {"predicate": "partnerIn", "object": "Moonshot"})
    assert res.rows == Q.execute(hand_store(), "evidence", {"predicate": "partnerIn", "object": "Moonshot"}).rows
