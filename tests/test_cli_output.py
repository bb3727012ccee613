"""Where ``kg`` writes and what it says when that goes wrong (issue 17, items 11-15).

Each test failed before the fix: a traceback instead of one line, the wrong exit
code, an empty graph exported with exit 0, or silence on a non-English article.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.building.text import language_warning
from graph.cli.stdout import BROKEN_PIPE_EXIT

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_TTL = ROOT / "exports" / "graph.ttl"
ENGLISH = "Acme Corp partnered with Zed Inc. on a new data centre in Austin, the company said on Monday.\n"


def kg(*argv: str, stdin: bytes | None = None, stdout=subprocess.PIPE, timeout: float = 120):  # noqa: ANN001, ANN201
    """Run ``python -m graph`` in a subprocess (the real process, its real stdout)."""
    return subprocess.run([sys.executable, "-m", "graph", *argv], input=stdin, stdout=stdout,
                          stderr=subprocess.PIPE, cwd=ROOT, timeout=timeout, check=False)


def one_line(stderr: bytes) -> str:
    text = stderr.decode()
    assert "Traceback" not in text, text
    lines = [ln for ln in text.splitlines() if ln.strip()]
    assert len(lines) == 1, text
    return lines[0]


# -- 11: a JSONL line nested 100,000 deep ------------------------------------------------------

@pytest.fixture()
def deep_jsonl(tmp_path):
    path = tmp_path / "docs.jsonl"
    deep = '{"id": "deep", "text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(deep + "\n" + json.dumps({"id": "ok", "text": ENGLISH}) + "\n")
    return path


def test_deeply_nested_jsonl_line_is_bad_input_with_its_line(deep_jsonl, tmp_path):
    r = kg("build", str(deep_jsonl), "-o", str(tmp_path / "out"), "--model", "blank")
    assert r.returncode == 2
    assert one_line(r.stderr) == f"kg: error: {deep_jsonl}:1: JSON nested too deeply to be a document"
    assert not (tmp_path / "out").exists()


def test_deeply_nested_jsonl_line_is_skipped_with_on_error_skip(deep_jsonl, tmp_path):
    r = kg("build", str(deep_jsonl), "-o", str(tmp_path / "out"), "--model", "blank", "--on-error", "skip")
    assert r.returncode == 0, r.stderr.decode()
    assert "JSON nested too deeply" in r.stderr.decode() and "Traceback" not in r.stderr.decode()
    assert "Zed" in (tmp_path / "out" / "graph.ttl").read_text()


def test_deeply_nested_gold_file_is_bad_input(tmp_path):
    gold = tmp_path / "gold.json"
    gold.write_text("[" * 100_000 + "]" * 100_000)
    r = kg("eval", str(gold), "--model", "blank")
    assert r.returncode == 2
    assert "nested too deeply" in one_line(r.stderr)


# -- 12: standard output on a full disk -------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="Linux's /dev/full is the full disk")
@pytest.mark.parametrize("argv", [
    ("export", str(SAMPLE_TTL), "-f", "ntriples"),
    ("query", str(SAMPLE_TTL), "SELECT * WHERE { ?s ?p ?o }"),
    ("query", "--list"),
])
def test_full_stdout_is_an_output_error_exit_3(argv):
    with open("/dev/full", "wb") as full:
        r = kg(*argv, stdout=full)
    assert r.returncode == 3
    assert "No space left on device" in one_line(r.stderr)


# -- 13: exporting a graph entity-kg did not build --------------------------------------------

@pytest.mark.parametrize("data", [b"", b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"])
def test_export_of_a_foreign_or_empty_graph_is_bad_input(tmp_path, data):
    path = tmp_path / "foreign.ttl"
    path.write_bytes(data)
    out = tmp_path / "out.nt"
    r = kg("export", str(path), "-o", str(out))
    assert r.returncode == 2
    assert one_line(r.stderr) == (f"kg: error: {path}: not a graph built by entity-kg: it holds no "
                                  "ekg:Document, entity or ekg:Assertion")
    assert not out.exists()
    r = kg("export", "-", "-f", "ntriples", stdin=data)
    assert r.returncode == 2 and "<stdin>: not a graph built by entity-kg" in one_line(r.stderr)
    assert r.stdout == b""


def test_export_of_a_built_graph_still_works():
    r = kg("export", str(SAMPLE_TTL), "-f", "turtle")
    assert r.returncode == 0 and r.stdout == SAMPLE_TTL.read_bytes()


# -- 14: an article that is not English -------------------------------------------------------

CHINESE = "深度求索是一家位于杭州的人工智能公司，由量化基金创立。该公司于2023年成立，总部设在浙江省杭州市。\n"
ARABIC = "أعلنت الشركة عن شراكة جديدة مع شركة أخرى لتطوير مراكز بيانات للذكاء الاصطناعي في المنطقة.\n"
FRENCH = ("La société a levé 600 millions d'euros auprès de plusieurs investisseurs pour développer ses "
          "modèles de langage. Le fondateur a déclaré que la jeune pousse restera indépendante et "
          "continuera de publier des modèles ouverts, selon un communiqué publié lundi.\n")


@pytest.mark.parametrize("text, words", [(CHINESE, "Chinese"), (ARABIC, "Arabic"), (FRENCH, "few common English words")])
def test_language_warning_names_what_it_saw(text, words):
    reason = language_warning(text)
    assert reason is not None and words in reason


@pytest.mark.parametrize("text", [ENGLISH * 3, "Nvidia H100", (ROOT.parent / "shared" / "corpus" / "deepseek-nine-questions.txt")])
def test_language_warning_is_silent_on_english(text):
    if isinstance(text, Path):
        if not text.exists():
            pytest.skip("the shared corpus is not beside this checkout")
        text = text.read_text()
    assert language_warning(text) is None


def test_build_warns_once_per_non_english_document_and_still_builds(tmp_path):
    zh, en = tmp_path / "zh.txt", tmp_path / "en.txt"
    zh.write_text(CHINESE)
    en.write_text(ENGLISH)
    r = kg("build", str(zh), str(en), "-o", str(tmp_path / "out"), "--model", "blank")
    assert r.returncode == 0
    warnings = [ln for ln in r.stderr.decode().splitlines() if "English" in ln]
    assert warnings == [f"kg: WARNING: {zh}: the text is not English (mostly Chinese/Japanese letters); "
                        "the English pipeline finds little in it"]


# -- 15: the reader of standard output goes away ----------------------------------------------

@pytest.mark.parametrize("argv", [
    ("query", "--list"),
    ("formats",),
    ("export", str(SAMPLE_TTL), "-f", "ntriples"),
    ("query", str(SAMPLE_TTL), "SELECT * WHERE { ?s ?p ?o }"),
])
def test_closed_stdout_stops_quietly(argv):
    p = subprocess.Popen([sys.executable, "-m", "graph", *argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT)
    p.stdout.close()  # the reader is gone before kg writes a byte
    try:
        err = p.stderr.read()
        code = p.wait(timeout=120)
    finally:
        p.kill()
    assert err == b""
    assert code == BROKEN_PIPE_EXIT
