"""Crash consistency: ``kill -9`` anywhere in ``kg build`` or ``kg load`` (issue 17, items 4-8, 12).

Each fault test runs the real CLI in a subprocess that kills itself
(SIGKILL, as ``kill -9`` or the OOM killer would) at a chosen point:
``KG_FAULT=rename:N`` at the N-th rename of the commit, or a named stage
(``graph.files.fault``, test-only). Then the next command runs and the test
asserts that it sees the complete old set or the complete new set, byte for
byte, and that no temporary, set-aside, journal or loading file remains.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph
import pytest
from conftest import REPO
from test_robustness import snapshot

from graph.cli import main
from graph.files import owner, recover
from graph.store import load as L

TEXT_OLD = "Acme Corp. acquired Widgets Inc. in 2020.\n"
TEXT_NEW = TEXT_OLD + "Nvidia Corp. makes the H100 chip.\n"
#: Two files and a bundle folder: 3 outputs, 6 renames (each set aside, then moved in).
FORMATS = ["-f", "turtle", "-f", "jsonld", "-f", "neo4j"]
LEFTOVER_SUFFIXES = (".tmp", ".old", ".journal", ".loading")


def kg_killed(*args: object, fault: str, **popen: object) -> subprocess.CompletedProcess[str]:
    """Run ``kg`` with ``KG_FAULT=fault``; assert that it killed itself there."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "KG_FAULT": fault}
    proc = subprocess.run([sys.executable, "-m", "graph", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300, check=False, **popen)
    assert proc.returncode == -signal.SIGKILL, (fault, proc.returncode, proc.stderr)
    return proc


def kg(*args: object) -> int:
    return main([str(a) for a in args])


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*") if p.name.endswith(LEFTOVER_SUFFIXES))


def build(src: Path, out: Path) -> None:
    assert kg("build", src, "-o", out, "--model", "blank", *FORMATS, "-q") == 0


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, bytes], dict[str, bytes], Path]:
    """The old build's and the new build's files (each built once, in folders named alike),
    and the old build's folder."""
    base = tmp_path_factory.mktemp("sets")
    result = []
    for name, text in (("old", TEXT_OLD), ("new", TEXT_NEW)):
        (base / name).mkdir()
        (base / name / "a.txt").write_text(text)
        build(base / name / "a.txt", base / name / "out")
        result.append(snapshot(base / name / "out"))
    assert result[0] != result[1]
    return result[0], result[1], base / "old" / "out"


def previous_build(sets: tuple[dict[str, bytes], dict[str, bytes], Path], tmp_path: Path) -> Path:
    """A folder holding the old build (a copy: byte-identical to building it, which a test checks)."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "a.txt").write_text(TEXT_NEW)  # the input has changed since
    out = tmp_path / "old" / "out"  # the same path length as in `sets`
    shutil.copytree(sets[2], out)
    return out


BUILD_FAULTS = ["staged", "journal", *(f"rename:{n}" for n in range(1, 7)), "renamed", "committed"]


@pytest.mark.parametrize("fault", BUILD_FAULTS)
def test_crash_build_killed_at_every_rename_and_stage_leaves_a_whole_set(
        fault: str, sets: tuple[dict[str, bytes], dict[str, bytes], Path], tmp_path: Path) -> None:
    """Item 4 and 8: after ``kill -9`` of ``kg build`` at any point of writing its
    outputs, the next command (here ``kg query`` on the folder) sees the whole old
    set (killed before its last rename) or the whole new one (killed after it), and
    no leftover remains; the build after that writes the new set."""
    old, new, _ = sets
    out = previous_build(sets, tmp_path)
    kg_killed("build", tmp_path / "old" / "a.txt", "-o", out, "--model", "blank", *FORMATS, "-q", "--no-validate",
              fault=fault)
    assert leftovers(out), "the kill left nothing to recover: the fault point was not reached"
    assert kg("query", out / "graph.ttl", "entity-types") == 0
    assert leftovers(out) == []
    assert snapshot(out) == (new if fault == "committed" else old)
    build(tmp_path / "old" / "a.txt", out)
    assert snapshot(out) == new


def test_crash_build_killed_during_extraction_changes_nothing(
        sets: tuple[dict[str, bytes], dict[str, bytes], Path], tmp_path: Path) -> None:
    old, new, _ = sets
    out = previous_build(sets, tmp_path)
    kg_killed("build", tmp_path / "old" / "a.txt", "-o", out, "--model", "blank", *FORMATS, "-q",
              fault="extracted")
    assert snapshot(out) == old
    build(tmp_path / "old" / "a.txt", out)
    assert snapshot(out) == new


def test_crash_leftovers_of_dead_processes_go_those_of_live_ones_stay(tmp_path: Path) -> None:
    """Item 8: recovery removes what a killed kg left, never what a running one is writing."""
    dead = f"{os.getpid()}x1"  # this pid with another start time: a dead process's
    (tmp_path / f".graph.ttl.{dead}-abc123.tmp").write_bytes(b"x" * 1000)
    (tmp_path / f".graph.ttl.{dead}-0f0f0f0f.old").write_bytes(b"old")
    (tmp_path / f".db.{dead}-zz9.loading").mkdir()
    (tmp_path / f".db.{dead}-zz9.loading" / "store").mkdir()
    (tmp_path / f".kg-{dead}-1234abcd.journal").write_text('{"renames": [')  # torn: no rename begun
    (tmp_path / f".db.{dead}-q1w2.serving").mkdir()  # the snapshot of a kg serve killed with -9
    live = [f".graph.ttl.{owner()}-abc123.tmp", f".kg-{owner()}-1234abcd.journal", ".db.lock", "graph.ttl",
            ".hidden.tmp", f".db.{owner()}-q1w2.serving"]
    for name in live:
        (tmp_path / name).write_text("keep")
    recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(live)


# --------------------------------------------------------------------------- orphan workers


def group_members(pgid: int) -> list[int]:
    """Pids of the processes in process group ``pgid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.slow
def test_crash_killed_parallel_build_leaves_no_worker_and_no_lock(tmp_path: Path) -> None:
    """Item 7: ``kill -9`` of a ``--jobs 2`` build mid-extraction: its workers die too
    (they used to live on, blocked on a pipe, holding the folder's lock, so every
    later build exited 3), and the next build succeeds."""
    src = tmp_path / "in"
    src.mkdir()
    for i in range(4):  # the workers stay, waiting for more, until the parent says it is done
        (src / f"d{i}.txt").write_text(TEXT_NEW)
    (tmp_path / "a.txt").write_text(TEXT_OLD)
    out = tmp_path / "out"
    build(tmp_path / "a.txt", out)
    before = snapshot(out)
    env = {**os.environ, "PYTHONPATH": str(REPO), "KG_FAULT": "extracted:1"}
    # no pipes: a worker left alive would hold them open
    proc = subprocess.Popen([sys.executable, "-m", "graph", "build", str(src), "-o", str(out), "--model", "blank",
                             *FORMATS, "--jobs", "2"], cwd=REPO, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert proc.wait(timeout=300) == -signal.SIGKILL
        deadline = time.monotonic() + 30  # a bound, not a measurement: they die at once
        while group_members(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert group_members(proc.pid) == [], "the workers outlived the killed build"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert snapshot(out) == before
    assert kg("build", tmp_path / "a.txt", "-o", out, "--model", "blank", *FORMATS, "-q") == 0


# --------------------------------------------------------------------------- kg load

G1 = '<http://ex/a> <http://ex/p> "one" .\n'
G2 = '<http://ex/b> <http://ex/p> "two" .\n'


def values(store: Path) -> list[str]:
    """The objects in the store, as ``kg query`` (the next command) sees them."""
    import json

    from graph.store.query import open_store, run

    result = run(open_store(store), "SELECT ?o WHERE { ?s <http://ex/p> ?o } ORDER BY ?o", {})
    return [row["o"]["value"] for row in json.loads(result.serialize("json"))["results"]["bindings"]]


LOAD_FAULTS = ["loaded", "journal", "rename:1", "rename:2", "renamed", "committed"]


@pytest.mark.parametrize("fault", LOAD_FAULTS)
def test_crash_load_killed_at_every_step_keeps_a_whole_store(fault: str, tmp_path: Path) -> None:
    """Items 5 and 8: ``kill -9`` of ``kg load`` at any step, even between its two
    renames (old store set aside, new not yet in place), and the next command finds
    the whole old store or the whole new one, with no ``.loading``/``.old`` beside;
    the load after that adds to the right store."""
    (tmp_path / "g1.nt").write_text(G1)
    (tmp_path / "g2.nt").write_text(G2)
    db = tmp_path / "db"
    assert kg("load", tmp_path / "g1.nt", "--store", db, "-q") == 0
    kg_killed("load", tmp_path / "g2.nt", "--store", db, "-q", fault=fault)
    if fault != "committed":
        assert leftovers(tmp_path)
    assert kg("query", db, "SELECT * WHERE { ?s ?p ?o }") == 0  # the next command recovers
    assert values(db) == (["one", "two"] if fault == "committed" else ["one"])
    assert leftovers(tmp_path) == []
    assert kg("load", tmp_path / "g2.nt", "--store", db, "-q") == 0
    assert values(db) == ["one", "two"]


def test_crash_next_load_after_a_kill_between_renames_keeps_the_old_data(tmp_path: Path) -> None:
    """Item 5: the next command is ``kg load`` itself (it used to find no store,
    build a fresh one and drop the old data)."""
    (tmp_path / "g1.nt").write_text(G1)
    (tmp_path / "g2.nt").write_text(G2)
    db = tmp_path / "db"
    assert kg("load", tmp_path / "g1.nt", "--store", db, "-q") == 0
    kg_killed("load", tmp_path / "g2.nt", "--store", db, "-q", fault="rename:2")
    assert not db.exists()
    assert kg("load", tmp_path / "g2.nt", "--store", db, "-q") == 0
    assert values(db) == ["one", "two"]
    assert leftovers(tmp_path) == []


@pytest.mark.slow
def test_crash_two_concurrent_loads_keep_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 6: two ``kg load`` into one store at once: the second waits for the
    first, both exit 0, and the store holds both (one used to be lost)."""
    lines = [f'<http://ex/s{i}> <http://ex/p> "{i}" .\n' for i in range(400_000)]
    # 1.5 s a load: they overlap (without the lock, measured: one load's half was lost)
    (tmp_path / "big1.nt").write_text("".join(lines[::2]))
    (tmp_path / "big2.nt").write_text("".join(lines[1::2]))
    db = tmp_path / "db"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-m", "graph", "load", str(tmp_path / name), "--store", str(db)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for name in ("big1.nt", "big2.nt")]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert kg("query", db, count, "--format", "csv") == 0
    assert capsys.readouterr().out.split() == ["n", "400000"]
    assert leftovers(tmp_path) == []


def test_crash_load_into_a_store_another_load_holds_fails_after_wait(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Item 6: a load that cannot get the store within --wait exits 3, in one line."""
    (tmp_path / "g1.nt").write_text(G1)
    db = tmp_path / "db"
    with L.store_lock(db):
        assert kg("load", tmp_path / "g1.nt", "--store", db, "--wait", "0") == 3
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"kg: error: {db}: another kg load is writing this store"), err
    assert not db.exists()
    assert kg("load", tmp_path / "g1.nt", "--store", db, "--wait", "0", "-q") == 0


REAL_STORE = pyoxigraph.Store


class FullDiskStore:
    """A pyoxigraph store whose disk fills up, as RocksDB reports it (measured on a
    full 300 KB tmpfs: ``OSError`` without errno, ``IO error: No space left …``)."""

    read_only = staticmethod(REAL_STORE.read_only)

    def __init__(self, path: str) -> None:
        self.store = REAL_STORE(path)

    def bulk_load(self, **kwargs: object) -> None:
        raise OSError(f"IO error: No space left on device: While appending to file: {self.store}/000010.sst: "
                      "No space left on device")

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)

    def __len__(self) -> int:
        return len(self.store)


@pytest.mark.parametrize("error", ["rocksdb", "errno"])
def test_crash_load_onto_a_full_disk_blames_the_store(error: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Item 12 (kg load): a full disk is exit 3 with one line naming the store (it
    was exit 2 blaming the input file); the old store is left as it was."""
    (tmp_path / "g1.nt").write_text(G1)
    (tmp_path / "g2.nt").write_text(G2)
    db = tmp_path / "db"
    assert kg("load", tmp_path / "g1.nt", "--store", db, "-q") == 0
    if error == "errno":
        class Full(FullDiskStore):
            def bulk_load(self, **kwargs: object) -> None:
                raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(pyoxigraph, "Store", Full)
    else:
        monkeypatch.setattr(pyoxigraph, "Store", FullDiskStore)
    capsys.readouterr()
    assert kg("load", tmp_path / "g2.nt", "--store", db) == 3
    err = capsys.readouterr().err
    monkeypatch.undo()
    assert err == (f"kg: error: {db}: cannot write the store: No space left on device; "
                   "the store was left as it was\n")
    assert values(db) == ["one"]
    assert leftovers(tmp_path) == []
