"""Corpus builds: folders, JSONL, stdin, --on-error, --update (issue 7)."""

import json
import subprocess
import sys

import pytest

import graph
from graph.cli import main
from graph.building.documents import iter_sources
from graph.errors import InputError

A = "Nvidia Corp. makes the H100.\n"
B = "Microsoft acquired Activision Blizzard Inc. for $69 billion.\n"


def corpus(tmp_path):
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text(A)
    (tmp_path / "in" / "sub" / "b.md").write_text(B)
    (tmp_path / "in" / ".hidden.txt").write_text("Apple Inc. makes the iPhone.")
    lines = [{"id": "j1", "text": "AMD competes with Nvidia.", "source": "wire/1"},
             {"id": "j2", "text": "OpenAI, in partnership with Oracle, launched the Stargate Project."}]
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    return tmp_path


def test_corpus_folder_is_read_recursively_skipping_hidden_files(tmp_path):
    corpus(tmp_path)
    docs = [d for d in iter_sources([tmp_path / "in"])]
    assert [d.id for d in docs] == ["a", "b"]


def test_corpus_jsonl_documents_keep_their_ids_and_sources(tmp_path):
    kg = graph.build([corpus(tmp_path) / "c.jsonl"], model="blank")
    assert {(d.id, d.source) for d in kg.documents} == {("j1", "wire/1"), ("j2", "c.jsonl:2")}
    assert ("AMD", "competitorOf", "Nvidia") in kg.triples() or ("Nvidia", "competitorOf", "AMD") in kg.triples()


@pytest.mark.parametrize(
    "line, fragment",
    [("not json", "not JSON"), ('["a"]', "expected a JSON object"), ('{"id": "", "text": "x"}', "non-empty string"),
     ('{"id": "x", "text": 5}', "'text' must be a string"), ('{"id": "x", "text": "  "}', "empty text"),
     ('{"id": "a\\u0000b", "text": "t"}', "control character"), ('{"id": "../etc", "text": "t"}', "'..' path segment")],
)
def test_corpus_bad_jsonl_line_names_file_and_line(tmp_path, line, fragment):
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "ok", "text": "Nvidia makes the H100."}\n' + line + "\n")
    with pytest.raises(InputError) as info:
        graph.build([p], model="blank")
    assert str(info.value).startswith(f"{p}:2: ") and fragment in str(info.value)


def test_corpus_on_error_skip_counts_and_continues(tmp_path, capsys, caplog):
    corpus(tmp_path)
    with open(tmp_path / "c.jsonl", "a") as fh:
        fh.write("{broken\n")
    code = main(["build", str(tmp_path / "in"), str(tmp_path / "c.jsonl"), "-o", str(tmp_path / "out"),
                 "--model", "blank", "-f", "turtle", "--on-error", "skip"])
    out, err = capsys.readouterr()
    assert code == 0 and "4 document(s)" in out and "skipped 1 unreadable" in out
    assert "c.jsonl:3: not JSON" in err + caplog.text


def test_corpus_duplicate_ids_are_an_error(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "x", "text": "Nvidia makes the H100."}\n{"id": "x", "text": "AMD makes the MI300X."}\n')
    with pytest.raises(InputError, match="duplicate document id 'x'"):
        graph.build([p], model="blank")


@pytest.mark.slow
def test_corpus_stdin_is_one_document(tmp_path):
    r = subprocess.run([sys.executable, "-m", "graph", "build", "-", "-o", str(tmp_path), "-f", "turtle",
                        "--model", "blank", "-q"], input=A, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "kgr:h100" in (tmp_path / "graph.ttl").read_text()


def test_corpus_update_reuses_unchanged_and_replaces_changed_documents(tmp_path, capsys):
    corpus(tmp_path)
    args = ["build", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--model", "blank", "-f", "turtle", "--update"]
    assert main(args) == 0
    assert "reused 0 unchanged document(s), extracted 2" in capsys.readouterr().out
    (tmp_path / "in" / "a.txt").write_text("Nvidia Corp. makes the H200.\n")
    assert main(args) == 0
    assert "reused 1 unchanged document(s), extracted 1" in capsys.readouterr().out
    ttl = (tmp_path / "out" / "graph.ttl").read_text()
    assert "kgr:h200" in ttl and "kgr:h100" not in ttl  # the old version's facts are gone
    assert "kgr:activision-blizzard" in ttl  # the other document's facts stay
    assert 'ekg:amount 69000000000.0 ;' in ttl  # ...with their amount, read back from the cache
    fresh = tmp_path / "fresh"
    assert main(["build", str(tmp_path / "in"), "-o", str(fresh), "--model", "blank", "-f", "turtle", "-q"]) == 0
    assert (fresh / "graph.ttl").read_bytes() == (tmp_path / "out" / "graph.ttl").read_bytes()


def test_corpus_jobs_2_builds_the_same_bytes_as_one_process(tmp_path):
    # amounts travel from the worker processes back to the main one (msgpack) intact
    corpus(tmp_path)
    outs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        assert main(["build", str(tmp_path / "in"), "-o", str(out), "--model", "blank", "-f", "turtle",
                     "--jobs", jobs, "-q"]) == 0
        outs.append((out / "graph.ttl").read_bytes())
    assert outs[0] == outs[1]
    assert b'ekg:amount 69000000000.0 ;' in outs[1]


def test_corpus_builder_pipeline_returns_the_extraction_and_nothing_else():
    # the builder's pipeline drops the annotations (sent back from each --jobs worker)
    # but keeps the extraction and the cache signature
    from graph.extract.extraction import get_extraction
    from graph.extract.pipeline import load_nlp, pipeline_signature

    full, light = load_nlp("blank"), load_nlp("blank", extraction_only=True)
    texts = [A, B, "OpenAI, in partnership with Oracle, launched the Stargate Project."]
    docs = list(light.pipe(texts))
    assert all(len(doc) == 0 and doc.to_bytes() for doc in docs)
    assert [get_extraction(doc) for doc in docs] == [get_extraction(full(t)) for t in texts]
    assert get_extraction(docs[1]).relations  # there is something to compare
    assert pipeline_signature(light) == pipeline_signature(full)  # --update caches stay valid


@pytest.mark.slow
def test_corpus_no_progress_bar_when_not_a_terminal(tmp_path):
    corpus(tmp_path)
    r = subprocess.run([sys.executable, "-m", "graph", "build", str(tmp_path / "in"), "-o", str(tmp_path / "o"),
                        "-f", "turtle", "--model", "blank"], capture_output=True, text=True)
    assert r.returncode == 0 and "building" not in r.stderr and "docs/s" not in r.stderr


def test_corpus_extraction_json_has_every_field_of_every_record():
    # to_json writes fields by hand (for speed): it must keep up with the dataclasses
    from dataclasses import fields

    from graph.extract import extraction as X

    ext = graph_extraction()
    data = ext.to_json()
    assert X.Extraction.from_json(data) == ext
    for key, cls in (("mentions", X.MentionRecord), ("relations", X.RelationRecord), ("sentences", X.SentenceRecord),
                     ("blocked", X.BlockedRecord), ("entity_qualifiers", X.EntityQualifier)):
        assert data[key] and all(len(row) == len(fields(cls)) for row in data[key]), key


def graph_extraction():
    from graph.extract.extraction import get_extraction
    from graph.extract.pipeline import load_nlp

    text = ("Acme Corp. acquired Widgets Inc. for $2 billion in May 2024, but Acme did not buy Zed Labs.\n"
            "The Paris-based company released the 70-billion-parameter Acme-9 model. It holds a 40% market share.")
    return get_extraction(load_nlp("blank")(text))
