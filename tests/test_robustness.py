"""Bad input never crashes ``kg`` and never leaves a partial or mixed output (issue 8).

Every case runs the real command (in process, or as a subprocess where a
signal or a second process is involved) against an output folder that
already holds a previous build, and asserts three things:

* the exit code (2 bad input, 3 environment, 130/143 interrupted, 0 ok);
* the message: one line on stderr, ``kg: error: <file>[:<line>]: <problem>``,
  no traceback;
* the output folder: after a failure it is byte-for-byte what it was (names
  and contents, hidden files included: no temporary file is left); after a
  success every output parses.

Decisions documented here (and in ``kg build --help``):

* A document's text may have at most 1,000,000 characters (spaCy's
  ``max_length``) and an input file or JSONL line at most ``--max-bytes``
  bytes (default 10,000,000), checked before the file is read. A 50 MB
  file therefore fails at once, in constant memory, with a message that
  says how to split it; with a larger ``--max-bytes`` it is read and fails
  on the character limit, still cleanly (memory about 5x the file size).
* Two builds into one folder: the second stops at once with exit 3; the
  lock is ``flock`` on the folder itself, so nothing is added to the folder.
* Outputs are all written in full beside their destination, then renamed
  into place one by one; any failure or interruption on the way puts the
  old ones back.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO

from graph.cli import FolderLock, main

GOOD = "Acme Corp. acquired Widgets Inc. in 2020.\nNvidia Corp. makes the H100 chip.\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64
OLD = {"graph.ttl": b"old turtle\n", "graph.html": b"<p>old html</p>\n", ".hidden": b"kept\n"}


# --------------------------------------------------------------------------- helpers


def snapshot(folder: Path) -> dict[str, bytes] | None:
    """Every name under ``folder`` (hidden ones too) with its bytes; None if absent."""
    if not folder.exists():
        return None
    if folder.is_file():
        return {"": folder.read_bytes()}
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else b"<dir>"
            for p in sorted(folder.rglob("*"))}


def old_outputs(folder: Path) -> Path:
    """An output folder holding a previous build."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in OLD.items():
        (folder / name).write_bytes(data)
    (folder / "neo4j").mkdir(exist_ok=True)
    (folder / "neo4j" / "nodes.csv").write_bytes(b"old,csv\n")
    return folder


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".old"))]


def kg(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line(err: str, *fragments: str) -> None:
    assert err.startswith("kg: error: "), err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, (fragment, err)


def assert_outputs_parse(folder: Path) -> None:
    assert not leftovers(folder)
    ttl = (folder / "graph.ttl").read_bytes()
    assert ttl != OLD["graph.ttl"]
    list(ox.parse(ttl, format=ox.RdfFormat.TURTLE))
    html = (folder / "graph.html").read_text(encoding="utf-8")
    assert "vis.DataSet" in html or "<html" in html.lower()


def labels(folder: Path) -> set[str]:
    """The rdfs:label values of graph.ttl."""
    ttl = (folder / "graph.ttl").read_bytes()
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return {q.object.value for q in ox.parse(ttl, format=ox.RdfFormat.TURTLE) if q.predicate == label}


@contextlib.contextmanager
def unwritable(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Make ``folder`` refuse new files: chmod for a normal user, ``chattr +i``
    for root (whom permissions do not stop), else a patched ``mkstemp``."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield "chmod"
        finally:
            folder.chmod(0o755)
        return
    chattr = shutil.which("chattr")
    if chattr and subprocess.run([chattr, "+i", str(folder)], capture_output=True, check=False).returncode == 0:
        try:
            yield "chattr"
        finally:
            subprocess.run([chattr, "-i", str(folder)], check=True)
        return

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    yield "monkeypatch"


# Runs the CLI and prints its peak memory (kB) last on stderr. VmHWM, not ru_maxrss: Linux
# carries ru_maxrss across exec, so a child of a large pytest process would report pytest's size.
PEAK_PROBE = ("import re, sys; from graph.cli import main; rc = main(sys.argv[1:]); "
              "hwm = re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1); "
              "print('maxrss', hwm, file=sys.stderr); sys.exit(rc)")


def kg_process(*args: object, **popen: object) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "graph", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def _flocked(folder: Path) -> bool:
    """Whether a process holds a flock on ``folder``, read from /proc/locks:
    trying the lock ourselves would, for that instant, make the build we
    wait for fail with "another kg build is writing"."""
    st = os.stat(folder)
    key = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    with open("/proc/locks", encoding="ascii") as fh:
        return any("FLOCK" in parts and key in parts for parts in map(str.split, fh))


def wait_until_locked(folder: Path, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    """Wait until another process holds the build lock on ``folder``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        if _flocked(folder):
            return
        time.sleep(0.02)
    pytest.fail("the build never took its lock")


def slow_text(chars: int = 300_000) -> str:
    """Ordinary prose that takes the blank pipeline several seconds."""
    sents = ["Acme Corp. acquired Widgets Inc. in 2020.", "Nvidia makes the H100 chip.",
             "OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.",
             "The weather was fine and the markets were calm."]
    out, n, i = [], 0, 0
    while n < chars:
        s = sents[i % len(sents)] + ("\n" if i % 5 == 4 else " ")
        out.append(s)
        n += len(s)
        i += 1
    return "".join(out)


# --------------------------------------------------------------------------- kg build: the table


def jsonl(*objs: object) -> bytes:
    return b"".join((o if isinstance(o, bytes) else json.dumps(o).encode()) + b"\n" for o in objs)


DOC_A = {"id": "a", "text": "Acme Corp. acquired Widgets Inc. in 2020."}
DOC_B = {"id": "b", "text": "Nvidia Corp. makes the H100 chip."}


@dataclass(frozen=True)
class Case:
    """One ``kg build`` run: input files (name -> bytes, in this order), extra
    arguments, the exit code, fragments of the one-line message, and for a
    success what the graph must hold."""

    id: str
    files: dict[str, bytes]
    code: int
    fragments: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # success: these labels are in graph.ttl
    not_labels: tuple[str, ...] = ()  # success: these are not
    stdout: tuple[str, ...] = ()
    setup: Callable[[Path, Path], None] | None = field(default=None, compare=False)


def _out_is_file(tmp: Path, out: Path) -> None:
    shutil.rmtree(out)
    out.write_bytes(b"a file, not a folder\n")


def _ttl_is_folder(tmp: Path, out: Path) -> None:
    (out / "graph.ttl").unlink()
    (out / "graph.ttl").mkdir()
    (out / "graph.ttl" / "x").write_bytes(b"x\n")


def _bundle_is_file(tmp: Path, out: Path) -> None:
    shutil.rmtree(out / "neo4j")
    (out / "neo4j").write_bytes(b"a file where the bundle folder goes\n")


def _fifo(tmp: Path, out: Path) -> None:
    os.mkfifo(tmp / "in" / "pipe.txt")


def _empty_folder(tmp: Path, out: Path) -> None:
    (tmp / "in" / "sub").mkdir()
    (tmp / "in" / "sub" / "image.png").write_bytes(PNG)


HTML_SCRIPT = (b"<!doctype html><html><head><title>T</title><style>p{color:red}</style>"
               b"<script>var x = 'Evil Corp. acquired Bad Inc.';</script></head><body>"
               b"<!-- Evil Corp. acquired Bad Inc. --><p>Acme Corp. acquired Widgets&nbsp;Inc. in 2020.</p>"
               b"<p>AT&amp;T Inc. makes &quot;things&quot; &#x263A; &eacute;</p><noscript>Evil Corp.</noscript>"
               b"</body></html>")
HTML_BROKEN = (b"<div><p>Acme Corp. <b>acquired <i>Widgets Inc.</b></i> in 2020.<div><div><table><tr><td>"
               b"Nvidia Corp. makes the H100 chip.</p></p></div><p attr='unclosed>text<</ta ble><!-- never "
               b"closed comment Evil Corp. <script>Bad Inc.")
HTML_DEEP = b"<div>" * 5000 + b"Acme Corp. acquired Widgets Inc. in 2020." + b"</div>" * 5000

CASES = [
    # --- empty, binary, encodings
    Case("empty file", {"e.txt": b""}, 2, ("e.txt: empty document (no text)",)),
    Case("whitespace only", {"w.txt": " \t\n\r\n\u00a0\u3000 ".encode()}, 2, ("w.txt: empty document",)),
    Case("markdown of markup only", {"m.md": b"# \n\n[](http://x)\n![](a.png)\n"}, 2, ("m.md: empty document",)),
    Case("html without text", {"h.html": b"<html><script>x()</script><!-- c --></html>"}, 2, ("h.html: empty document",)),
    Case("PNG by its suffix", {"image.png": PNG}, 2, ("image.png: unsupported file type '.png'",)),
    Case("PNG named .txt", {"image.txt": PNG}, 2, ("image.txt: looks like a binary file, not text",)),
    Case("not UTF-8", {"latin.txt": "Café Acme Corp. acquired Widgets Inc.".encode("latin-1")}, 2,
         ("latin.txt: not valid utf-8 text (byte 3: b'\\xe9')", "pass --encoding")),
    Case("not UTF-8, --encoding latin-1", {"latin.txt": "Café: Acme Corp. acquired Widgets Inc.".encode("latin-1")},
         0, args=("--encoding", "latin-1"), labels=("Acme", "Widgets")),
    Case("unknown --encoding", {"a.txt": GOOD.encode()}, 2, ("a.txt: unknown encoding 'klingon'",),
         args=("--encoding", "klingon")),
    Case("UTF-16 with BOM", {"u16.txt": GOOD.encode("utf-16")}, 2,
         ("u16.txt: UTF-16 text", "pass --encoding utf-16")),
    Case("UTF-16, --encoding utf-16", {"u16.txt": GOOD.encode("utf-16")}, 0, args=("--encoding", "utf-16"),
         labels=("Acme", "H100")),
    Case("UTF-8 with BOM", {"bom.txt": b"\xef\xbb\xbf" + GOOD.encode()}, 0, labels=("Acme", "H100")),
    Case("CRLF line ends", {"crlf.txt": GOOD.replace("\n", "\r\n").encode()}, 0, labels=("Acme", "H100")),
    Case("CR line ends", {"cr.txt": GOOD.replace("\n", "\r").encode()}, 0, labels=("Acme", "H100")),
    Case("NUL after the first 4 KB", {"nul.txt": b"x" * 5000 + b"\n\x00Acme Corp. acquired Widgets Inc.\n"}, 0,
         labels=("Acme",)),
    # --- HTML
    Case("HTML script, style, comments, entities", {"page.html": HTML_SCRIPT}, 0,
         labels=("Acme", "Widgets", "AT&T"), not_labels=("Evil", "Bad")),
    Case("nested and broken HTML", {"broken.html": HTML_BROKEN}, 0, labels=("Acme", "Widgets"),
         not_labels=("Bad",)),
    Case("HTML head without its end tag", {"nohead.html": b"<html><head><title>T</title><meta charset=utf-8>"
         b"<body><p>Acme Corp. acquired Widgets Inc. in 2020.</p>"}, 0, labels=("Acme", "Widgets")),
    Case("HTML nested 5,000 deep", {"deep.html": HTML_DEEP}, 0, labels=("Acme", "Widgets")),
    # --- JSONL corpora
    Case("JSONL bad line", {"c.jsonl": jsonl(DOC_A, b"{not json", DOC_B)}, 2,
         ("c.jsonl:2: not JSON (Expecting property name enclosed in double quotes, column 2)",)),
    Case("JSONL bad line, --on-error skip", {"c.jsonl": jsonl(DOC_A, b"{not json", DOC_B)}, 0,
         args=("--on-error", "skip"), labels=("Acme", "H100"),
         stdout=("2 document(s)", "skipped 1 unreadable document(s)")),
    Case("JSONL line not an object", {"c.jsonl": jsonl(DOC_A, b"[1, 2]")}, 2,
         ("c.jsonl:2: expected a JSON object with 'id' and 'text'",)),
    Case("JSONL id not a string", {"c.jsonl": jsonl({"id": 7, "text": "x"})}, 2,
         ("c.jsonl:1: document id must be a non-empty string, got 7",)),
    Case("JSONL text missing", {"c.jsonl": jsonl({"id": "a"})}, 2, ("c.jsonl:1: document 'a': 'text' must be a string",)),
    Case("JSONL line not UTF-8", {"c.jsonl": jsonl(DOC_A) + b'{"id": "b", "text": "caf\xe9"}\n'}, 2,
         ("c.jsonl:2: not valid utf-8 text",)),
    Case("JSONL lone surrogate in text", {"c.jsonl": b'{"id": "a", "text": "Acme \\ud800 Corp."}\n'}, 2,
         ("c.jsonl:1: document 'a': 'text' holds a lone surrogate",)),
    Case("JSONL line over --max-bytes", {"c.jsonl": jsonl(DOC_A, {"id": "big", "text": "x " * 5000}, DOC_B)}, 2,
         ("c.jsonl:2: line is longer than the limit of 1,000 bytes (--max-bytes)",), args=("--max-bytes", "1000")),
    Case("JSONL line over --max-bytes, skipped", {"c.jsonl": jsonl(DOC_A, {"id": "big", "text": "x " * 5000}, DOC_B)},
         0, args=("--max-bytes", "1000", "--on-error", "skip"), stdout=("2 document(s)", "skipped 1")),
    # --- ids and source names
    Case("duplicate document ids", {"c.jsonl": jsonl(DOC_A, {**DOC_B, "id": "a"})}, 2,
         ("c.jsonl:2: duplicate document id 'a' (also ", "c.jsonl:1)")),
    Case("ids equal once made IRIs", {"c.jsonl": jsonl({**DOC_A, "id": "Report 1"}, {**DOC_B, "id": "report-1"})}, 2,
         ("c.jsonl:2: document id 'report-1' names the same document as 'Report 1' (", "c.jsonl:1)",
          "both become the IRI .../document/report-1")),
    Case("same file name in two folders", {"x/a.txt": GOOD.encode(), "y/a.txt": b"Intel Corp. makes the Gaudi 3 chip.\n"},
         0, labels=("Acme", "Intel"), stdout=("2 document(s)",)),
    Case("file names equal once made IRIs", {"Report 1.txt": GOOD.encode(), "report-1.txt": b"Intel Corp. makes chips.\n"},
         0, labels=("Report 1.txt", "report-1.txt"), stdout=("2 document(s)",)),
    Case("id with ../", {"c.jsonl": jsonl({**DOC_A, "id": "../../etc/passwd"})}, 2,
         ("c.jsonl:1: document id '../../etc/passwd' contains a '..' path segment",)),
    Case("id with a NUL", {"c.jsonl": jsonl({**DOC_A, "id": "a\x00b"})}, 2,
         ("c.jsonl:1: document id 'a\\x00b' contains a control character",)),
    Case("source with ../ stays a label", {"c.jsonl": jsonl({**DOC_A, "source": "../../etc/passwd"})}, 0,
         labels=("passwd", "Acme")),  # the document's label is the source's last part; nothing is opened
    Case("source with a NUL", {"c.jsonl": jsonl({**DOC_A, "source": "a\x00b"})}, 2,
         ("c.jsonl:1: document 'a': 'source' contains a control character",)),
    Case("file name not UTF-8", {"caf\udce9.txt": GOOD.encode()}, 0, labels=("caf\ufffd.txt", "Acme")),
    # --- missing, odd and oversized inputs
    Case("missing file", {}, 2, ("missing.txt: no such file",), args=("{in}/missing.txt",)),
    Case("a FIFO is not read", {}, 2, ("pipe.txt: not a regular file",), args=("{in}/pipe.txt",), setup=_fifo),
    Case("folder without text files", {}, 2, ("sub: folder holds no",), args=("{in}/sub",), setup=_empty_folder),
    Case("file over --max-bytes", {"a.txt": GOOD.encode()}, 2,
         (f"a.txt: file is {len(GOOD)} bytes, more than the limit of 50 bytes (--max-bytes)",), args=("--max-bytes", "50")),
    Case("text over 1,000,000 characters", {"long.txt": b"Acme Corp. makes chips. " * 45_000}, 2,
         ("long.txt: document is 1,080,000 characters long, more than the 1,000,000",)),
    Case("bad --max-bytes", {"a.txt": GOOD.encode()}, 2, ("--max-bytes 0 must be 1 or more",), args=("--max-bytes", "0")),
    Case("unknown format", {"a.txt": GOOD.encode()}, 2, ("unknown export format 'tutle'",), args=("-f", "tutle")),
    # --- the output folder
    Case("output folder is a file", {"a.txt": GOOD.encode()}, 3, ("output path exists and is not a folder",),
         setup=_out_is_file),
    Case("output file name taken by a folder", {"a.txt": GOOD.encode()}, 3, ("graph.ttl: exists and is a folder",),
         setup=_ttl_is_folder),
    Case("bundle name taken by a file", {"a.txt": GOOD.encode()}, 3, ("neo4j: exists and is not a folder",),
         args=("-f", "turtle", "-f", "neo4j"), setup=_bundle_is_file),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_robustness_build(case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src, out = tmp_path / "in", old_outputs(tmp_path / "out")
    src.mkdir()
    paths = []
    for name, data in case.files.items():
        path = src / name
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        except (UnicodeEncodeError, OSError):  # pragma: no cover - a file system without byte names
            pytest.skip(f"cannot create a file named {name!r} here")
        paths.append(path)
    if case.setup:
        case.setup(tmp_path, out)
    before = snapshot(out)
    args = [a.replace("{in}", str(src)) for a in case.args]
    code, stdout, err = kg(["build", *paths, "-o", out, "--model", "blank", *args], capsys)
    assert code == case.code, err
    if case.code:
        assert_one_line(err, *case.fragments)
        assert snapshot(out) == before
        return
    assert "Traceback" not in err
    assert_outputs_parse(out)
    assert (out / ".hidden").read_bytes() == OLD[".hidden"]
    found = labels(out)
    for label in case.labels:
        assert any(label in lab for lab in found), (label, sorted(found))
    for label in case.not_labels:
        assert not any(label in lab for lab in found), (label, sorted(found))
    for text in case.stdout:
        assert text in stdout, stdout


def test_robustness_table_has_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("variant", ["crlf", "cr", "bom+crlf", "bom"])
def test_robustness_line_ends_and_bom_give_the_same_graph(variant: str, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """Offsets refer to the normalised text, so the graph is byte-identical."""
    text = GOOD + "OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.\n"
    data = text.replace("\n", {"crlf": "\r\n", "cr": "\r", "bom+crlf": "\r\n", "bom": "\n"}[variant]).encode()
    if variant.startswith("bom"):
        data = b"\xef\xbb\xbf" + data
    graphs = []
    for name, content in (("lf", text.encode()), (variant, data)):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_bytes(content)
        code, _, err = kg(["build", tmp_path / name / "a.txt", "-o", tmp_path / f"out-{name}", "--model", "blank",
                           "-f", "turtle", "-f", "nquads", "-q"], capsys)
        assert code == 0, err
        graphs.append(((tmp_path / f"out-{name}" / "graph.ttl").read_bytes(),
                       (tmp_path / f"out-{name}" / "graph.nq").read_bytes()))
    assert graphs[0] == graphs[1]
    assert b"\\r" not in graphs[1][0] and "\ufeff".encode() not in graphs[1][0]


def test_robustness_stdin_empty_and_too_long(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    out = old_outputs(tmp_path / "out")
    before = snapshot(out)
    monkeypatch.setattr(sys, "stdin", io.StringIO("  \n"))
    code, _, err = kg(["build", "-", "-o", out, "--model", "blank"], capsys)
    assert code == 2
    assert_one_line(err, "<stdin>: empty document")
    monkeypatch.setattr(sys, "stdin", io.StringIO("word " * 250_001))
    code, _, err = kg(["build", "-", "-o", out, "--model", "blank"], capsys)
    assert code == 2
    assert_one_line(err, "<stdin>: standard input holds more than the 1,000,000 characters")
    assert snapshot(out) == before


# --------------------------------------------------------------------------- the output folder


def test_robustness_unwritable_output_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(GOOD)
    out = old_outputs(tmp_path / "out")
    before = snapshot(out)
    with unwritable(out, monkeypatch) as how:
        code, _, err = kg(["build", tmp_path / "a.txt", "-o", out, "--model", "blank"], capsys)
    assert code == 3, (how, err)
    assert_one_line(err, str(out), "cannot write here:")
    assert snapshot(out) == before


def test_robustness_output_folder_in_an_unwritable_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text(GOOD)
    parent = tmp_path / "ro"
    parent.mkdir()
    if os.geteuid() == 0 and not shutil.which("chattr"):
        pytest.skip("root without chattr: mkdir cannot be refused")
    with unwritable(parent, monkeypatch):
        code, _, err = kg(["build", tmp_path / "a.txt", "-o", parent / "new" / "out", "--model", "blank"], capsys)
    assert code == 3
    assert_one_line(err, "new/out: cannot create the output folder:")
    assert snapshot(parent) == {}


FORMATS_ALL = ["-f", "all"]


def _fail_on(monkeypatch: pytest.MonkeyPatch, target: str, nth: int, exc: BaseException) -> list[str]:
    """Make the ``nth`` call of ``os.replace`` (temporary -> destination),
    ``os.fsync`` or ``tempfile.mkstemp`` raise ``exc``."""
    calls: list[str] = []
    name = "replace" if target.startswith("replace") else target
    real = {"replace": os.replace, "fsync": os.fsync, "mkstemp": tempfile.mkstemp}[name]

    def counts(args: tuple[object, ...]) -> bool:
        if target == "replace":  # temporary -> destination
            return str(args[0]).endswith(".tmp")
        if target == "replace-aside":  # old destination -> .old
            return str(args[1]).endswith(".old")
        return True

    def flaky(*args: object, **kwargs: object) -> object:
        if counts(args):
            calls.append(str(args[-1]) if args else "")
            if len(calls) == nth:
                raise exc
        return real(*args, **kwargs)

    monkeypatch.setattr(os if name != "mkstemp" else tempfile, name, flaky)
    return calls


@pytest.mark.parametrize(
    "target, nth, exc, code",
    [
        ("replace", 1, OSError(errno.EIO, "Input/output error"), 3),
        ("replace", 2, OSError(errno.ENOSPC, "No space left on device"), 3),
        ("replace", 5, OSError(errno.EXDEV, "Invalid cross-device link"), 3),
        ("replace", -1, OSError(errno.EIO, "Input/output error"), 3),
        ("replace", 3, KeyboardInterrupt(), 130),
        ("fsync", 2, OSError(errno.ENOSPC, "No space left on device"), 3),
        ("fsync", 4, KeyboardInterrupt(), 130),
        ("mkstemp", 3, OSError(errno.EMFILE, "Too many open files"), 3),
        ("replace-aside", 4, OSError(errno.EBUSY, "Device or resource busy"), 3),
        ("replace-aside", 6, KeyboardInterrupt(), 130),
    ],
    ids=["rename-1st", "rename-2nd", "rename-5th", "rename-last", "ctrl-c-at-3rd-rename",
         "disk-full-2nd-file", "ctrl-c-writing-4th", "mkstemp-3rd", "set-aside-4th", "ctrl-c-setting-aside-6th"],
)
def test_robustness_write_error_half_way_changes_nothing(target: str, nth: int, exc: BaseException, code: int,
                                                         tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Several files, one fails half way: the old build stays whole, nothing new remains."""
    (tmp_path / "a.txt").write_text(GOOD)
    out = old_outputs(tmp_path / "out")
    # a full previous build in every format, so that every file has an old version
    assert kg(["build", tmp_path / "a.txt", "-o", out, "--model", "blank", *FORMATS_ALL, "-q"], capsys)[0] == 0
    before = snapshot(out)
    (tmp_path / "a.txt").write_text(GOOD + "Intel Corp. makes the Gaudi 3 chip.\n")
    if nth == -1:  # the last output
        from graph.exporters import available

        nth = len(available())
    calls = _fail_on(monkeypatch, target, nth, exc)
    got, _, err = kg(["build", tmp_path / "a.txt", "-o", out, "--model", "blank", *FORMATS_ALL], capsys)
    monkeypatch.undo()
    assert len(calls) >= nth
    assert got == code, err
    if code == 3:
        assert_one_line(err)
        assert ("no output was changed" in err) or ("cannot write" in err)
    else:
        assert err.strip() == "kg: interrupted; no output was changed"
    assert snapshot(out) == before
    # and the next build goes through
    assert kg(["build", tmp_path / "a.txt", "-o", out, "--model", "blank", *FORMATS_ALL, "-q"], capsys)[0] == 0
    assert "Intel" in (out / "graph.ttl").read_text() and not leftovers(out)


@pytest.mark.slow
def test_robustness_two_builds_one_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The second build into a folder stops at once (exit 3); the first completes."""
    (tmp_path / "slow.txt").write_text(slow_text())
    (tmp_path / "b.txt").write_text("Intel Corp. makes the Gaudi 3 chip.\n")
    out = old_outputs(tmp_path / "out")
    first = kg_process("build", tmp_path / "slow.txt", "-o", out, "--model", "blank", "-q")
    try:
        wait_until_locked(out, first)
        before = snapshot(out)
        code, _, err = kg(["build", tmp_path / "b.txt", "-o", out, "--model", "blank"], capsys)
        assert code == 3
        assert_one_line(err, f"{out}: another kg build is writing to this folder")
        assert snapshot(out) == before
        _, first_err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.communicate()
    assert first.returncode == 0, first_err
    assert_outputs_parse(out)
    assert "Stargate" in (out / "graph.ttl").read_text()


def test_robustness_folder_lock() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        one, two = FolderLock(Path(tmp)), FolderLock(Path(tmp))
        one.acquire()
        one.acquire()  # again: nothing happens
        from graph.errors import OutputError

        with pytest.raises(OutputError, match="another kg build is writing to this folder"):
            two.acquire()
        one.release()
        two.acquire()
        two.release()
        assert os.listdir(tmp) == []  # the lock leaves nothing in the folder


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("sig, code, message", [(signal.SIGINT, 130, "interrupted"),
                                                (signal.SIGTERM, 143, "terminated")])
@pytest.mark.slow
def test_robustness_signal_during_build(sig: int, code: int, message: str, jobs: int, tmp_path: Path) -> None:
    """Ctrl-C (or SIGTERM) during a build, sent as a terminal does to the whole
    process group (workers included): exit 130 (143) at once, old outputs
    intact, no temporary file, no worker left behind."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):
        (src / f"slow{i}.txt").write_text(slow_text(100_000))
    out = old_outputs(tmp_path / "out")
    before = snapshot(out)
    proc = kg_process("build", src, "-o", out, "--model", "blank", "-f", "all", "--jobs", jobs,
                      start_new_session=True)
    try:
        wait_until_locked(out, proc)
        time.sleep(1.5)  # into the extraction
        os.killpg(proc.pid, sig)
        _, err = proc.communicate(timeout=60)  # a worker left alive would hold the pipes open
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == code, err
    assert err.strip().endswith(f"kg: {message}; no output was changed"), err
    assert "Traceback" not in err
    assert snapshot(out) == before


# --------------------------------------------------------------------------- large inputs


@pytest.mark.slow
def test_robustness_50_mb_file_fails_at_once_in_constant_memory(tmp_path: Path) -> None:
    """Decision: a 50 MB text file is refused before it is read (over --max-bytes);
    with a --max-bytes that lets it in, it is read and refused for its length.
    Both in one line, exit 2, the output folder untouched, memory bounded."""
    big = tmp_path / "big.txt"
    line = (GOOD.replace("\n", " ") * 100 + "\n").encode()
    with big.open("wb") as fh:
        for _ in range(50_000_000 // len(line) + 1):
            fh.write(line)
    size = big.stat().st_size
    assert size >= 50_000_000
    out = old_outputs(tmp_path / "out")
    before = snapshot(out)
    probe = PEAK_PROBE
    for extra, fragment, max_mb in (((), f"big.txt: file is {size:,} bytes, more than the limit of 10,000,000", 400),
                                    (("--max-bytes", "60000000"), f"big.txt: document is {size:,} characters long",
                                     800)):
        t0 = time.monotonic()
        res = subprocess.run([sys.executable, "-c", probe, "build", str(big), "-o", str(out), "--model", "blank",
                              *extra], cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
        err_lines = res.stderr.strip().splitlines()
        rss_mb = int(err_lines[-1].split()[1]) / 1024
        assert res.returncode == 2, res.stderr
        assert_one_line(err_lines[0] + "\n", fragment)
        assert rss_mb < max_mb, rss_mb
        assert time.monotonic() - t0 < 60
    assert snapshot(out) == before


@pytest.mark.slow
def test_robustness_one_megabyte_line_without_punctuation(tmp_path: Path) -> None:
    """A 1 MB line with no punctuation is one 'sentence': it must build (or fail
    cleanly). It builds in seconds (coreference and title-case checks are
    linear in the sentence length); if it ever hangs again, the build is killed
    and must still leave no output behind."""
    words = ["acme", "corp", "nvidia", "chip", "market", "the", "and", "widget", "openai", "partner"]
    text = " ".join(words[(i * 7) % 10] for i in range(200_000))[:999_000]
    (tmp_path / "line.txt").write_text(text)
    out = old_outputs(tmp_path / "out")
    before = snapshot(out)
    proc = kg_process("build", tmp_path / "line.txt", "-o", out, "--model", "blank", "-f", "turtle", "-q")
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()  # SIGKILL: no clean-up runs at all, and still no partial output
        proc.communicate()
        assert snapshot(out) == before
        raise
    assert proc.returncode == 0, err
    list(ox.parse((out / "graph.ttl").read_bytes(), format=ox.RdfFormat.TURTLE))
    assert not leftovers(out)


# --------------------------------------------------------------------------- kg query / kg serve


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from test_query import hand_kg

    from graph.rdf.convert import to_dataset

    path = tmp_path_factory.mktemp("graph") / "graph.trig"
    to_dataset(hand_kg()).serialize(path, format="trig")
    return path


@pytest.fixture()
def store(graph_file: Path, tmp_path: Path) -> Path:
    from graph.store.load import load

    load([graph_file], tmp_path / "db")
    return tmp_path / "db"


def _corrupt_current(db: Path) -> None:
    (db / "CURRENT").write_bytes(b"\x00garbage")


def _drop_tables(db: Path) -> None:
    for sst in db.glob("*.sst"):
        sst.unlink()


def _truncate_manifest(db: Path) -> None:
    for manifest in db.glob("MANIFEST-*"):
        manifest.write_bytes(manifest.read_bytes()[:10])


def _empty_folder_store(db: Path) -> None:
    shutil.rmtree(db)
    db.mkdir()


def _no_folder(db: Path) -> None:
    shutil.rmtree(db)


STORE_CASES = [
    ("missing", _no_folder, "no such"),
    ("empty folder", _empty_folder_store, "not an Oxigraph store (no CURRENT file)"),
    ("CURRENT garbage", _corrupt_current, "corrupt or incompatible Oxigraph store"),
    ("tables deleted", _drop_tables, "corrupt or incompatible Oxigraph store"),
    ("MANIFEST truncated", _truncate_manifest, "corrupt or incompatible Oxigraph store"),
]


@pytest.mark.parametrize("command", ["query", "serve"])
@pytest.mark.parametrize("name, damage, fragment", STORE_CASES, ids=[c[0] for c in STORE_CASES])
def test_robustness_missing_or_corrupt_store(command: str, name: str, damage: Callable[[Path], None],
                                             fragment: str, store: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    damage(store)
    before = snapshot(store)
    argv = (["query", store, "ASK { ?s ?p ?o }"] if command == "query"
            else ["serve", "--store", store, "--bind", "127.0.0.1:1"])
    code, out, err = kg(argv, capsys)
    assert code == 2, err
    assert_one_line(err, str(store), fragment)
    assert out == ""
    assert snapshot(store) == before  # opened read-only: nothing written


@pytest.mark.parametrize(
    "query, fragment",
    [
        ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?s = }", "<inline query>:3: SPARQL syntax error at column 16:"),
        ("SELECT ?x WHERE { ?x nope:p ?y }", "<inline query>:1: SPARQL syntax error at column 28: undeclared prefix"),
        ("SELEKT * { ?s ?p ?o }", "<inline query>:1: SPARQL syntax error at column 1"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "INSERT is a SPARQL update; kg query runs only"),
        ("DROP ALL", "DROP is a SPARQL update"),
    ],
    ids=["unterminated-filter", "unknown-prefix", "misspelt-keyword", "insert", "drop"],
)
def test_robustness_sparql_syntax_errors(query: str, fragment: str, graph_file: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = kg(["query", graph_file, query], capsys)
    assert code == 2
    assert_one_line(err, fragment)
    assert out == ""


def test_robustness_sparql_syntax_error_in_a_file(graph_file: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rq = tmp_path / "bad.rq"
    rq.write_text("# a broken query\nSELECT ?s WHERE { ?s ?p }\n")
    code, _, err = kg(["query", graph_file, rq], capsys)
    assert code == 2
    assert_one_line(err, f"{rq}:3: SPARQL syntax error at column 1: expected")
    rq.write_bytes(b"SELECT * { ?s ?p \"caf\xe9\" }")
    code, _, err = kg(["query", graph_file, rq], capsys)
    assert code == 2
    assert_one_line(err, f"{rq}: query file is not valid UTF-8")


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_robustness_query_of_millions_of_rows_with_limit(fmt: str, graph_file: Path) -> None:
    """A query that would return millions of rows: --limit stops it early, in
    bounded time and memory, and says there were more."""
    n = len(list(ox.parse(graph_file.read_bytes(), format=ox.RdfFormat.TRIG)))
    assert n ** 4 > 1_000_000
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    probe = PEAK_PROBE
    t0 = time.monotonic()
    res = subprocess.run([sys.executable, "-c", probe, "query", str(graph_file), query, "--limit", "10",
                          "-f", fmt], cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 0, res.stderr
    assert time.monotonic() - t0 < 30
    assert int(res.stderr.strip().splitlines()[-1].split()[1]) / 1024 < 400  # MB
    lines = res.stdout.strip().splitlines()
    if fmt == "table":
        assert lines[-1] == "(10 rows shown; there are more: raise --limit)"
    else:
        assert len(lines) == 11  # header + 10 rows
        assert "kg: showing the first 10 results; more were found" in res.stderr


def test_robustness_query_bad_limit_and_missing_graph(graph_file: Path, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = kg(["query", graph_file, "ASK {}", "--limit", "-1"], capsys)
    assert code == 2
    assert_one_line(err, "--limit -1 must be 0 or more")
    code, _, err = kg(["query", tmp_path / "nope.ttl", "ASK {}"], capsys)
    assert code == 2
    assert_one_line(err, "nope.ttl: no such graph file or store folder")
    (tmp_path / "bin.ttl").write_bytes(PNG)
    code, _, err = kg(["query", tmp_path / "bin.ttl", "ASK {}"], capsys)
    assert code == 2
    assert_one_line(err, "bin.ttl:1: invalid Turtle")
