"""``kg validate``, ``kg export`` and the validation step of ``kg build``."""

from __future__ import annotations

import io
import sys

import pytest

from conftest import DATA
from graph import exporters
from graph.cli import main
from graph.model import Document, Entity, Evidence, KnowledgeGraph, Relation
from graph.rdf.convert import from_rdf, read_rdf, to_rdf

RDF_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld"]
INVALID = DATA / "shapes" / "invalid"


def run(argv, capsys):  # noqa: ANN001, ANN201
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _stdin(monkeypatch, data: bytes) -> None:  # noqa: ANN001
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.fixture()
def sample_ttl(sample_kg, tmp_path):  # noqa: ANN001, ANN201
    """The sample's graph.ttl, as `kg build` writes it."""
    path = tmp_path / "graph.ttl"
    exporters.export(sample_kg, "turtle", path)
    return path


# --- kg validate ---------------------------------------------------------------------

def test_cli_rdf_validate_conforming_exit_0(small_kg, tmp_path, capsys):
    for fmt in RDF_FORMATS:
        path = tmp_path / f"g{exporters.get(fmt).suffix}"
        exporters.export(small_kg, fmt, path)
        code, out, err = run(["validate", str(path)], capsys)
        assert (code, err) == (0, ""), fmt
        assert out.startswith("conforms: ")


def test_cli_rdf_validate_violation_exit_1_lists_it(capsys):
    code, out, err = run(["validate", str(INVALID / "UsesShape.ttl")], capsys)
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith("does not conform: 1 violation(s)")
    assert "kgr:liang-wenfeng ('Liang Wenfeng'): UsesShape: The subject of ekg:uses must be" in out
    code, out, err = run(["validate", "-q", str(INVALID / "UsesShape.ttl")], capsys)
    assert (code, out, err) == (1, "", "")


@pytest.mark.parametrize("name, data, fragment", [
    ("missing.ttl", None, "missing.ttl: no such file"),
    ("bad.ttl", b'@prefix ex: <http://e/> .\nex:a ex:b "x .\n', "bad.ttl: invalid Turtle at line 2, column 11"),
    ("bad.jsonld", b'{"@id": "http://e/a",\n "http://e/b": [1,}\n', "bad.jsonld: invalid JSON-LD at line 2"),
    ("graph.csv", b"a,b\n", "cannot tell the RDF format from the suffix '.csv'"),
])
def test_cli_rdf_validate_bad_input_exit_2_one_line(tmp_path, capsys, name, data, fragment):
    path = tmp_path / name
    if data is not None:
        path.write_bytes(data)
    code, out, err = run(["validate", str(path)], capsys)
    assert code == 2 and out == ""
    assert err.startswith("kg: error: ") and fragment in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_cli_rdf_validate_stdin(small_kg, monkeypatch, capsys):
    _stdin(monkeypatch, exporters.export(small_kg, "nquads"))
    code, out, _err = run(["validate", "-", "--input-format", "nquads"], capsys)
    assert code == 0 and out.startswith("conforms")
    _stdin(monkeypatch, exporters.export(small_kg, "turtle"))
    assert run(["validate", "-"], capsys)[0] == 0


def test_cli_rdf_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["validate", "--help"])
    out = capsys.readouterr().out
    assert "0 the graph conforms, 1 it does not" in out and "2 bad input" in out
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "validate" in out and "export" in out


# --- kg export -------------------------------------------------------------------------

def test_cli_rdf_export_sample_turtle_is_byte_identical(sample_ttl, tmp_path, capsysbinary):
    assert main(["export", str(sample_ttl), "--format", "turtle"]) == 0
    assert capsysbinary.readouterr().out == sample_ttl.read_bytes()
    assert main(["export", str(sample_ttl), "-f", "turtle", "-o", str(tmp_path / "again.ttl")]) == 0
    assert (tmp_path / "again.ttl").read_bytes() == sample_ttl.read_bytes()


def test_cli_rdf_export_sample_from_rdf_is_inverse(sample_kg):
    g = to_rdf(sample_kg)
    assert set(to_rdf(from_rdf(g))) == set(g)
    assert to_rdf(from_rdf(to_rdf(from_rdf(g)))).isomorphic(g)


@pytest.mark.parametrize("src_fmt", RDF_FORMATS)
def test_cli_rdf_export_every_rdf_format_to_every_rdf_format(sample_kg, tmp_path, src_fmt, capsys):
    src = tmp_path / f"in{exporters.get(src_fmt).suffix}"
    exporters.export(sample_kg, src_fmt, src)
    for fmt in RDF_FORMATS:
        dest = tmp_path / f"out-{src_fmt}{exporters.get(fmt).suffix}"
        code, _out, err = run(["export", str(src), "-o", str(dest)], capsys)  # format from the suffix
        assert code == 0, err
        assert dest.read_bytes() == exporters.export(sample_kg, fmt), (src_fmt, fmt)


def test_cli_rdf_export_to_other_formats(small_kg, tmp_path, capsys):
    src = tmp_path / "g.ttl"
    exporters.export(small_kg, "turtle", src)
    kg = from_rdf(read_rdf(src))
    for fmt in ("graphml", "html", "neo4j"):
        exp = exporters.get(fmt)
        dest = tmp_path / ("neo4j" if exp.bundle else f"g{exp.suffix}")
        code, _out, err = run(["export", str(src), "--format", fmt, "-o", str(dest)], capsys)
        assert code == 0, err
        assert dest.exists()
        if not exp.bundle:
            assert dest.read_bytes() == exporters.export(kg, fmt)


@pytest.mark.parametrize("argv, fragment", [
    (["--format", "tutle"], "unknown export format 'tutle'"),
    ([], "give --format, or an output file"),
    (["-o", "x.unknown"], "no export format writes '.unknown' files"),
    (["--format", "neo4j"], "writes several files; give a folder with -o"),
])
def test_cli_rdf_export_usage_errors_exit_2(small_kg, tmp_path, capsys, argv, fragment):
    src = tmp_path / "g.ttl"
    exporters.export(small_kg, "turtle", src)
    code, out, err = run(["export", str(src), *argv], capsys)
    assert code == 2 and out == "" and fragment in err


def test_cli_rdf_export_rejects_a_graph_it_cannot_read_back(tmp_path, capsys):
    code, _out, err = run(["export", str(INVALID / "EntityShape.ttl"), "-f", "nt"], capsys)
    assert code == 2
    assert "not a graph built by entity-kg" in err and "has no rdfs:label" in err
    code, _out, err = run(["export", str(tmp_path / "none.ttl"), "-f", "nt"], capsys)
    assert code == 2 and "no such file" in err


def test_cli_rdf_export_stdin_to_stdout(small_kg, monkeypatch, capsysbinary):
    _stdin(monkeypatch, exporters.export(small_kg, "jsonld"))
    assert main(["export", "-", "--input-format", "jsonld", "-f", "nt", "-o", "-"]) == 0
    assert capsysbinary.readouterr().out == exporters.export(small_kg, "ntriples")


# --- kg build validates its own output -----------------------------------------------------

def _bad_kg() -> KnowledgeGraph:
    ev = Evidence(doc_id="d1", start=0, end=9, sentence="X makes Y", rule_id="hand_v1", confidence=0.9)
    return KnowledgeGraph(
        documents=(Document(id="d1", source="d1.txt", content_hash="sha256:" + "0" * 64),),
        entities=(Entity(id="x", type="Person", label="X"), Entity(id="y", type="Chip", label="Y")),
        relations=(Relation(subject="x", predicate="manufacturerOf", object="y", evidence=(ev,)),),
        mentions_by_doc=(("d1", ("x", "y")),),
    )


SENTENCE = "OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.\n"


def _build_argv(tmp_path, out_dir, *extra: str) -> list[str]:  # noqa: ANN001
    src = tmp_path / "a.txt"
    src.write_text(SENTENCE)
    return ["build", str(src), "--model", "blank", "-o", str(out_dir), *extra]


def _break_validation(monkeypatch) -> None:  # noqa: ANN001
    """Make `kg build` validate a graph that breaks ManufacturerOfShape."""
    import graph.rdf.validate

    real = graph.rdf.validate.validate
    monkeypatch.setattr(graph.rdf.validate, "validate", lambda kg, **k: real(_bad_kg(), **k))


def test_cli_rdf_build_refuses_a_non_conforming_graph(tmp_path, monkeypatch, capsys):
    _break_validation(monkeypatch)
    out_dir = tmp_path / "out"
    code, out, err = run(_build_argv(tmp_path, out_dir, "-f", "turtle", "-f", "ntriples", "-f", "html"), capsys)
    assert code == 1 and out == ""
    assert "does not conform to the shapes; nothing was written" in err
    assert "kgr:x ('X'): ManufacturerOfShape: The subject of ekg:manufacturerOf must be an ekg:Company" in err
    assert not out_dir.exists() or not any(p.suffix in (".ttl", ".nt", ".html") for p in out_dir.iterdir())


def test_cli_rdf_build_refusal_keeps_old_outputs(tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "graph.ttl").write_bytes(b"old")
    _break_validation(monkeypatch)
    assert run(_build_argv(tmp_path, out_dir, "-q"), capsys)[0] == 1
    assert [p.name for p in out_dir.iterdir() if not p.name.startswith(".")] == ["graph.ttl"]
    assert (out_dir / "graph.ttl").read_bytes() == b"old"


def test_cli_rdf_build_writes_every_rdf_format_and_they_validate(tmp_path, capsys):
    argv = _build_argv(tmp_path, tmp_path / "out", "-q", *(x for f in RDF_FORMATS for x in ("-f", f)))
    code, _out, err = run(argv, capsys)
    assert code == 0, err
    graphs = []
    for fmt in RDF_FORMATS:
        path = tmp_path / "out" / f"graph{exporters.get(fmt).suffix}"
        assert run(["validate", str(path)], capsys)[0] == 0, fmt
        graphs.append(set(read_rdf(path)))
    assert all(g == graphs[0] for g in graphs) and len(graphs[0]) > 20
