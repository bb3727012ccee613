"""Articles as data (issue 14): each input kind's title, date and URL, in the graph, RDF and queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import graph
from graph.building.metadata import Metadata, html_metadata, iso_date, text_metadata
from graph.cli import main
from graph.model import Document
from graph.rdf.convert import document_iri, from_rdf, read_rdf, to_rdf
from graph.rdf.validate import validate

SENTENCE = "Nvidia Corp. supplies the H800 to DeepSeek."


def docs_of(kg: graph.KnowledgeGraph) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {d.id: (d.title, d.date, d.url) for d in kg.documents}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def jsonl(folder: Path, *records: dict) -> Path:
    return write(folder, "corpus.jsonl", "".join(json.dumps(r) + "\n" for r in records))


# --- each input kind --------------------------------------------------------------------------


def test_metadata_jsonl_fields_and_a_url_source(tmp_path, caplog):
    path = jsonl(tmp_path,
                 {"id": "a", "text": SENTENCE, "title": "  Nvidia\n supplies DeepSeek ", "date": "2025-01-27T08:00:00Z",
                  "url": "https://news.example/a?x=1&y=2"},
                 {"id": "b", "text": SENTENCE, "source": "https://news.example/b", "date": "Jan. 28, 2025"},
                 {"id": "c", "text": SENTENCE, "source": "wire-feed", "date": "03/04/2025", "url": "/relative/c"},
                 {"id": "d", "text": SENTENCE})
    kg = graph.build([path], model="blank")
    assert docs_of(kg) == {
        "a": ("Nvidia supplies DeepSeek", "2025-01-27", "https://news.example/a?x=1&y=2"),
        "b": (None, "2025-01-28", "https://news.example/b"),
        "c": (None, None, None),  # an ambiguous date and a relative URL are unknown, never guessed
        "d": (None, None, None),
    }
    warned = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert any("corpus.jsonl:3" in m and "'03/04/2025'" in m for m in warned)
    assert any("corpus.jsonl:3" in m and "'/relative/c'" in m for m in warned)


def test_metadata_html_meta_tags_json_ld_and_title(tmp_path):
    page = write(tmp_path, "a.html", """<!doctype html><html><head>
      <title>Nvidia supplies DeepSeek | The Wire</title>
      <meta property="og:title" content="Nvidia supplies DeepSeek &amp; more">
      <meta property="article:published_time" content="2025-01-27T23:30:00-05:00">
      <link rel="canonical" href="https://wire.example/nvidia-deepseek">
      </head><body><p>Nvidia Corp. supplies the H800 to DeepSeek.</p></body></html>""")
    ld = write(tmp_path, "b.html", """<html><head><title>Fallback title</title>
      <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "x"},
        {"@type": "NewsArticle", "headline": "AMD makes the MI300X", "datePublished": "2024-12-06",
         "url": "https://wire.example/amd"}]}</script>
      <link rel="canonical" href="/amd-relative"></head><body><p>AMD makes the MI300X.</p></body></html>""")
    bare = write(tmp_path, "c.html", "<html><head><title>Intel &lt;news&gt;</title>"
                 '<meta name="date" content="05/06/2024"></head><body><p>Intel makes the Gaudi 3.</p></body></html>')
    kg = graph.build([page, ld, bare], model="blank")
    assert docs_of(kg) == {
        "a": ("Nvidia supplies DeepSeek & more", "2025-01-27", "https://wire.example/nvidia-deepseek"),
        "b": ("AMD makes the MI300X", "2024-12-06", "https://wire.example/amd"),
        "c": ("Intel <news>", None, None),
    }
    # the text (and so every offset) is unchanged: <head> is not part of it
    assert all(d.chars == len("Nvidia Corp. supplies the H800 to DeepSeek.") for d in kg.documents if d.id == "a")


def test_metadata_plain_text_headline_and_dateline(tmp_path):
    wire = write(tmp_path, "wire.txt", "Nvidia ships H800 chips to DeepSeek\n\n"
                 "SANTA CLARA, Calif., Sept. 9, 2025 /PRNewswire/ -- Nvidia Corp. supplies the H800 to DeepSeek.\n")
    labelled = write(tmp_path, "labelled.txt", "AMD's new accelerator\nBy Jane Roe | Published: 5 March 2024\n"
                     "URL: https://news.example/amd\n\nAMD makes the MI300X.\n")
    undated = write(tmp_path, "undated.txt", "PARIS, June 17 (Wire) - Intel makes the Gaudi 3.\nIt ships soon.\n")
    kg = graph.build([wire, labelled, undated], model="blank")
    assert docs_of(kg) == {
        "wire": ("Nvidia ships H800 chips to DeepSeek", "2025-09-09", None),
        "labelled": ("AMD's new accelerator", "2024-03-05", "https://news.example/amd"),
        "undated": (None, None, None),  # a sentence is no headline; a dateline without a year no date
    }


def test_metadata_markdown_front_matter_and_heading(tmp_path):
    fm = write(tmp_path, "fm.md", '---\ntitle: "Nvidia & DeepSeek"\ndate: 2025-01-27\n'
               "canonical_url: https://blog.example/nvidia\ntags: [chips]\n---\n\n# Another heading\n\n" + SENTENCE)
    heading = write(tmp_path, "heading.md", "# AMD makes *accelerators*\n\n_Posted on 12/12/2024_\n\nAMD makes the MI300X.")
    kg = graph.build([fm, heading], model="blank")
    assert docs_of(kg) == {
        "fm": ("Nvidia & DeepSeek", "2025-01-27", "https://blog.example/nvidia"),
        "heading": ("AMD makes accelerators", "2024-12-12", None),  # 12/12: both readings agree
    }


@pytest.mark.parametrize("value, expected", [
    ("2025-01-27", "2025-01-27"), ("2025-01-27T23:59:59+09:00", "2025-01-27"), ("2025/1/27", "2025-01-27"),
    ("January 27, 2025", "2025-01-27"), ("Mon, 27 Jan 2025 08:00:00 GMT", "2025-01-27"),
    ("Sept. 9, 2025", "2025-09-09"), ("27/01/2025", "2025-01-27"), ("01/27/2025", "2025-01-27"),
    ("03/04/2025", None), ("4.3.2025", None), ("January 2025", None), ("2025", None), ("2025-02-29", None),
    ("Feb 30, 2024", None), ("yesterday", None), ("", None),
])
def test_metadata_dates_are_iso_or_unknown(value, expected):
    assert iso_date(value) == expected


def test_metadata_bad_urls_are_dropped():
    page = ('<link rel="canonical" href="javascript:alert(1)"><meta property="og:url" content="https://ok.example/a b">'
            '<script type="application/ld+json">{"url": "mailto:x@y", "headline": "H"}</script>')
    assert html_metadata(page) == Metadata(title="H")
    assert text_metadata("Headline here\nURL: ftp://files.example/x\n\nBody text.") == Metadata(title="Headline here")


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("record, fragment", [
    ({"id": "a", "text": SENTENCE, "title": 5}, "corpus.jsonl:2: document 'a': 'title' must be a string, not int"),
    ({"id": "a", "text": SENTENCE, "date": ["2025-01-27"]}, "corpus.jsonl:2: document 'a': 'date' must be a string"),
    ({"id": "a", "text": SENTENCE, "url": {"href": "https://x.example"}}, "'url' must be a string, not dict"),
    ({"id": "a", "text": SENTENCE, "title": "bad \ud800"}, "'title' holds a lone surrogate"),
])
def test_metadata_bad_jsonl_field_is_one_line_error_and_no_output(tmp_path, capsys, record, fragment):
    path = jsonl(tmp_path, {"id": "ok", "text": SENTENCE, "title": "Fine"}, record)
    out_dir = tmp_path / "out"
    code = main(["build", str(path), "-o", str(out_dir), "--model", "blank", "-f", "all"])
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and err.startswith("kg: error: ") and fragment in err, err
    assert "Traceback" not in err and not out_dir.exists()


# --- RDF, SHACL, round trip, queries ------------------------------------------------------------


@pytest.fixture(scope="module")
def meta_kg(tmp_path_factory) -> graph.KnowledgeGraph:
    folder = tmp_path_factory.mktemp("meta")
    path = jsonl(folder,
                 {"id": "a", "text": SENTENCE, "title": 'Nvidia "supplies" DeepSeek <b>\\', "date": "2025-01-27",
                  "url": "https://news.example/a?x=1&y='2'"},
                 {"id": "b", "text": "AMD makes the MI300X.", "title": "AMD"})
    return graph.build([path], model="blank")


@pytest.mark.parametrize("fmt", ["turtle", "ntriples", "nquads", "trig", "jsonld"])
def test_metadata_every_rdf_format_holds_them_conforms_and_reads_back(meta_kg, fmt):
    data = graph.export(meta_kg, fmt)
    g = read_rdf(data, fmt)
    doc = next(d for d in meta_kg.documents if d.id == "a")
    got = {(str(p), str(o), str(getattr(o, "datatype", None) or "") or None)
           for p, o in g.predicate_objects(document_iri("a"))}
    assert ("http://purl.org/dc/terms/title", doc.title, None) in got
    assert ("http://purl.org/dc/terms/date", "2025-01-27", "http://www.w3.org/2001/XMLSchema#date") in got
    assert ("https://schema.org/url", doc.url, "http://www.w3.org/2001/XMLSchema#anyURI") in got
    for engine in ("fast", "pyshacl"):
        assert validate(data, format=fmt, engine=engine).conforms
    back = from_rdf(g)
    assert docs_of(back) == docs_of(meta_kg)
    assert graph.export(back, "turtle") == graph.export(meta_kg, "turtle")


def test_metadata_a_bad_value_in_rdf_does_not_conform(meta_kg):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    g = to_rdf(meta_kg)
    g.add((document_iri("b"), URIRef("http://purl.org/dc/terms/date"), Literal("2025-02-30", datatype=XSD.date)))
    data = g.serialize(format="nt", encoding="utf-8")
    for engine in ("fast", "pyshacl"):
        report = validate(data, format="ntriples", engine=engine)
        assert not report.conforms and {v.component for v in report.violations} == {"DatatypeConstraintComponent"}


def test_metadata_shipped_queries_have_document_columns(meta_kg):
    from graph.store import query as Q

    store = Q.from_kg(meta_kg)
    docs = Q.execute(store, "documents").records()
    assert [(d["documentLabel"], d.get("title"), d.get("date"), d.get("url")) for d in docs] == [
        ("corpus.jsonl:1", 'Nvidia "supplies" DeepSeek <b>\\', "2025-01-27", "https://news.example/a?x=1&y='2'"),
        ("corpus.jsonl:2", "AMD", None, None)]
    ev = Q.execute(store, "evidence", {"predicate": "supplierOf"}).records()
    assert ev and {(r["documentTitle"], r["documentDate"], r["documentUrl"]) for r in ev} == {
        ('Nvidia "supplies" DeepSeek <b>\\', "2025-01-27", "https://news.example/a?x=1&y='2'")}


# --- every build path gives the same documents --------------------------------------------------


def test_metadata_update_cache_reuses_extraction_but_reads_metadata_afresh(tmp_path, capsys):
    src = write(tmp_path, "a.html", "<html><head><title>First title</title></head><body><p>" + SENTENCE
                + "</p></body></html>")
    out = tmp_path / "out"
    assert main(["build", str(src), "-o", str(out), "--model", "blank", "--update", "-q"]) == 0
    first = (out / "graph.ttl").read_bytes()
    assert b'dcterms:title "First title"' in first
    # same text, new title: the cached extraction is reused, the title is the new one
    src.write_text(src.read_text().replace("First title", "Second title"), encoding="utf-8")
    assert main(["build", str(src), "-o", str(out), "--model", "blank", "--update", "-q"]) == 0
    second = (out / "graph.ttl").read_bytes()
    assert b'dcterms:title "Second title"' in second and first.replace(b"First", b"Second") == second
    # and a fresh build without the cache gives the same bytes
    assert main(["build", str(src), "-o", str(tmp_path / "fresh"), "--model", "blank", "-q"]) == 0
    assert (tmp_path / "fresh" / "graph.ttl").read_bytes() == second
    capsys.readouterr()


def test_metadata_worker_processes_give_the_same_documents(tmp_path):
    records = [{"id": f"d{i}", "text": f"Acme{i} Corp. acquired Widgets{i} Inc.", "title": f"Deal {i}",
                "date": f"2025-01-{i + 1:02d}", "url": f"https://news.example/{i}"} for i in range(6)]
    path = jsonl(tmp_path, *records)
    one = graph.build([path], model="blank")
    two = graph.build([path], model="blank", n_process=2)
    assert docs_of(one) == docs_of(two) and one.documents == two.documents
    assert docs_of(one)["d3"] == ("Deal 3", "2025-01-04", "https://news.example/3")


def test_metadata_documents_without_metadata_write_no_triples():
    kg = graph.build(["Nvidia Corp. supplies the H800 to DeepSeek."], model="blank")
    assert kg.documents[0] == Document(id="text-1", source="<text 1>", content_hash=kg.documents[0].content_hash,
                                       chars=len(SENTENCE))
    ttl = graph.export(kg, "turtle")
    assert b"dcterms:title" not in ttl and b"dcterms:date" not in ttl and b"schema:url" not in ttl


def test_metadata_property_graph_formats_carry_the_document_columns(meta_kg):
    import csv
    import io

    files = graph.export(meta_kg, "neo4j")
    rows = list(csv.DictReader(io.StringIO(files["relationships.csv"].decode("utf-8"))))
    assert {(r["document_title:string"], r["document_date:string"], r["document_url:string"]) for r in rows} == {
        ('Nvidia "supplies" DeepSeek <b>\\', "2025-01-27", "https://news.example/a?x=1&y='2'")}
    evidence = json.loads(rows[0]["evidence:string"])[0]
    assert (evidence["document_title"], evidence["document_date"]) == ('Nvidia "supplies" DeepSeek <b>\\', "2025-01-27")
    cypher = graph.export(meta_kg, "cypher").decode("utf-8")
    assert "r.document_title = 'Nvidia \"supplies\" DeepSeek <b>\\\\'" in cypher
    assert "r.document_url = 'https://news.example/a?x=1&y=\\'2\\''" in cypher
    graphml = graph.export(meta_kg, "graphml").decode("utf-8")
    assert '<data key="document_title">Nvidia "supplies" DeepSeek &lt;b&gt;\\</data>' in graphml
