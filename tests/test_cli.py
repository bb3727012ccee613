"""The kg command end to end: outputs, summary, errors and exit codes."""

import subprocess
import sys

import pytest

from conftest import require_model
from graph.cli import main

SAMPLE_SENTENCE = "OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.\n"


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_build_writes_turtle_and_html_and_prints_summary(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE_SENTENCE)
    code, out, err = run(["build", str(src), "-o", str(tmp_path / "out"), "--model", "blank"], capsys)
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["graph.html", "graph.ttl"]
    assert "1 document(s)" in out and "partnerIn 3" in out and "Company 3" in out
    assert str(tmp_path / "out" / "graph.ttl") in out


def test_cli_build_without_input_builds_the_bundled_sample(tmp_path, capsys):
    require_model()
    code, out, err = run(["build", "-o", str(tmp_path), "-q"], capsys)
    assert code == 0 and out == ""
    assert "Stargate" in (tmp_path / "graph.ttl").read_text()


def test_cli_build_several_files_and_formats(tmp_path, capsys):
    a, b = tmp_path / "a.txt", tmp_path / "b.md"
    a.write_text(SAMPLE_SENTENCE)
    b.write_text("# Note\nNvidia Corp. makes the H100.\n")
    code, out, _ = run(["build", str(a), str(b), "-o", str(tmp_path / "o"), "-f", "turtle", "--model", "blank"], capsys)
    assert code == 0 and "2 document(s)" in out
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["graph.ttl"]


@pytest.mark.parametrize(
    "name, data, fragment",
    [
        ("missing.txt", None, "missing.txt: no such file"),
        ("e.txt", b"", "e.txt: empty document"),
        ("l.txt", "Caf\u00e9".encode("latin-1"), "l.txt: not valid utf-8 text"),
        ("x.pdf", b"%PDF", "x.pdf: unsupported file type"),
    ],
)
def test_cli_bad_input_one_line_exit_2_no_output(tmp_path, capsys, name, data, fragment):
    src = tmp_path / name
    if data is not None:
        src.write_bytes(data)
    out_dir = tmp_path / "out"
    code, out, err = run(["build", str(src), "-o", str(out_dir), "--model", "blank"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("kg: error: ") and fragment in err
    assert "Traceback" not in err and not out_dir.exists()


def test_cli_bad_input_among_good_changes_nothing(tmp_path, capsys):
    good = tmp_path / "good.txt"
    good.write_text(SAMPLE_SENTENCE)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "graph.ttl").write_text("old")
    code, _, err = run(["build", str(good), str(tmp_path / "nope.txt"), "-o", str(out_dir), "--model", "blank"], capsys)
    assert code == 2 and "nope.txt" in err
    assert (out_dir / "graph.ttl").read_text() == "old" and sorted(p.name for p in out_dir.iterdir()) == ["graph.ttl"]


def test_cli_output_path_that_is_a_file_exit_3(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE_SENTENCE)
    (tmp_path / "out").write_text("x")
    code, _, err = run(["build", str(src), "-o", str(tmp_path / "out"), "--model", "blank"], capsys)
    assert code == 3 and "exists and is not a folder" in err


def test_cli_unknown_format_and_model(tmp_path, capsys):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE_SENTENCE)
    code, _, err = run(["build", str(src), "-o", str(tmp_path / "o"), "-f", "tutle"], capsys)
    assert code == 2 and "unknown export format 'tutle'" in err and not (tmp_path / "o").exists()
    code, _, err = run(["build", str(src), "-o", str(tmp_path / "o"), "--model", "xx_no_such_model"], capsys)
    assert code == 3 and "cannot load spaCy pipeline 'xx_no_such_model'" in err


def test_cli_no_command_prints_help_exit_2(capsys):
    code, _, err = run([], capsys)
    assert code == 2 and "usage: kg" in err


def test_cli_formats_lists_registry(capsys):
    code, out, _ = run(["formats"], capsys)
    assert code == 0 and "turtle" in out and ".ttl" in out


@pytest.mark.slow
def test_cli_runs_as_module_and_console_script(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text(SAMPLE_SENTENCE)
    r = subprocess.run([sys.executable, "-m", "graph", "build", str(src), "-o", str(tmp_path / "o"), "--model", "blank", "-q"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "o" / "graph.ttl").exists()
