"""kg load (persistent Oxigraph stores) and kg serve (the read-only endpoint)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph
import pytest

from conftest import REPO
from graph.store import load as L
from graph.store import query as Q
from graph.store import serve as S
from graph.cli import main
from graph.errors import InputError, KGError, LoaderError
from graph.rdf.convert import to_dataset, to_rdf
from test_query import hand_kg

EKG = "PREFIX ekg: <https://w3id.org/entity-kg/ontology#>\n"


def require_oxigraph() -> Path:
    """The oxigraph server binary; its absence fails in CI and skips elsewhere."""
    try:
        return S.find_oxigraph()
    except LoaderError as err:
        if os.environ.get("CI"):
            pytest.fail(f"CI: {err}")
        pytest.skip(str(err))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_graph(folder: Path, name: str = "graph.ttl") -> Path:
    path = folder / name
    to_rdf(hand_kg()).serialize(path, format="turtle")
    return path


def partners(store_or_path) -> list[str]:
    store = Q.open_store(store_or_path) if isinstance(store_or_path, Path) else store_or_path
    return Q.execute(store, "partners", {"project": "Moonshot"}).column("partnerLabel")


# --------------------------------------------------------------------------- kg load


def test_load_registry():
    assert L.available() == ["oxigraph"]
    with pytest.raises(LoaderError, match="unknown store backend 'neo5j'; available: oxigraph"):
        L.get("neo5j")
    with pytest.raises(ValueError, match="already registered"):
        L.register("oxigraph")(L.load_oxigraph)


def test_load_into_a_new_store_then_query_it_like_the_file(tmp_path):
    ttl = write_graph(tmp_path)
    report = L.load([ttl], tmp_path / "db")
    assert report.files == ("graph.ttl",) and report.quads_before == 0 and report.quads > 100
    assert Q.is_store(tmp_path / "db")
    assert partners(tmp_path / "db") == partners(ttl) == ["Acme", "Globex"]
    for name in Q.query_names():
        a, b = Q.execute(Q.open_store(ttl), name), Q.execute(Q.open_store(tmp_path / "db"), name)
        assert (a.rows, a.boolean, len(a)) == (b.rows, b.boolean, len(b)), name
    # no temporary folder is left behind; the lock file of one load at a time stays
    assert [p.name for p in tmp_path.glob(".db*")] == [".db.lock"]


def test_load_again_adds_nothing_and_replace_starts_afresh(tmp_path):
    ttl = write_graph(tmp_path)
    first = L.load([ttl], tmp_path / "db")
    again = L.load([ttl], tmp_path / "db")
    assert again.quads == again.quads_before == first.quads
    other = tmp_path / "other.nt"
    other.write_text('<http://ex/a> <http://ex/p> "1" .\n')
    assert L.load([other], tmp_path / "db").quads == first.quads + 1
    assert L.load([other], tmp_path / "db", replace=True).quads == 1


def test_load_a_folder_of_nquads_one_graph_per_document(tmp_path):
    kg = hand_kg()
    folder = tmp_path / "nq"
    folder.mkdir()
    # one N-Quads file per graph (the default graph and one per document), as a
    # per-document export would write them
    quads = pyoxigraph.parse(to_dataset(kg).serialize(format="nquads"), pyoxigraph.RdfFormat.N_QUADS)
    by_graph: dict[str, list] = {}
    for quad in quads:
        by_graph.setdefault(str(quad.graph_name), []).append(quad)
    for i, (_name, group) in enumerate(sorted(by_graph.items())):
        (folder / f"{i:02d}.nq").write_bytes(pyoxigraph.serialize(group, format=pyoxigraph.RdfFormat.N_QUADS))
    assert len(by_graph) == 3
    (folder / "README.txt").write_text("not RDF, ignored")
    report = L.load([folder], tmp_path / "db")
    assert len(report.files) == 3 and all(f.endswith(".nq") for f in report.files)
    store = Q.open_store(tmp_path / "db")
    res = Q.execute(store, "evidence", {"subject": "Globex", "predicate": "partnerIn"})
    assert sorted(res.column("documentLabel")) == ["d1.txt", "d2.txt"]
    assert Q.execute(store, "partners").column("partnerLabel") == ["Acme", "Globex"]


def test_load_a_bad_file_leaves_the_store_as_it_was(tmp_path):
    ttl = write_graph(tmp_path)
    before = L.load([ttl], tmp_path / "db").quads
    good = tmp_path / "good.nt"
    good.write_text('<http://ex/a> <http://ex/p> "1" .\n')
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\n\nex:a ex:b .\n")
    with pytest.raises(InputError) as err:
        L.load([good, bad], tmp_path / "db")
    assert err.value.line == 3 and str(err.value).startswith(f"{bad}:3: invalid Turtle")
    assert len(Q.open_store(tmp_path / "db")) == before
    with pytest.raises(InputError):
        L.load([good, bad], tmp_path / "db", replace=True)
    assert len(Q.open_store(tmp_path / "db")) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".db.lock", "bad.ttl", "db", "good.nt", "graph.ttl"]


@pytest.mark.parametrize(
    "setup, fragment, exc",
    [
        ("missing", "no such graph file or folder", InputError),
        ("suffix", "cannot tell the RDF format from the suffix '.txt'", InputError),
        ("emptydir", "folder holds no RDF file", InputError),
        ("target-file", "exists and is not a folder", LoaderError),
        ("target-other", "folder is not empty and not an Oxigraph store", LoaderError),
    ],
)
def test_load_bad_input_or_target(tmp_path, setup, fragment, exc):
    ttl = write_graph(tmp_path)
    inputs, target = [ttl], tmp_path / "db"
    if setup == "missing":
        inputs = [tmp_path / "nope.ttl"]
    elif setup == "suffix":
        (tmp_path / "g.txt").write_text("x")
        inputs = [tmp_path / "g.txt"]
    elif setup == "emptydir":
        (tmp_path / "empty").mkdir()
        inputs = [tmp_path / "empty"]
    elif setup == "target-file":
        target.write_text("x")
    elif setup == "target-other":
        target.mkdir()
        (target / "notes.md").write_text("mine")
    with pytest.raises(exc, match=fragment):
        L.load(inputs, target)
    if setup == "target-other":
        assert [p.name for p in target.iterdir()] == ["notes.md"]


def test_cli_load_prints_a_report_and_maps_errors(tmp_path, capsys):
    ttl = write_graph(tmp_path)
    assert main(["load", str(ttl), "--store", str(tmp_path / "db")]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"loaded 1 file(s) into {tmp_path / 'db'}: ") and "quads" in out
    assert main(["query", str(tmp_path / "db"), "partners", "-f", "csv"]) == 0
    assert "Globex" in capsys.readouterr()[0]
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a.md").write_text("x")
    assert main(["load", str(ttl), "--store", str(tmp_path / "x")]) == 3
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "not an Oxigraph store" in err


# --------------------------------------------------------------------------- kg serve


@pytest.mark.parametrize("bind", ["7878", "host:", ":7878", "127.0.0.1:0", "127.0.0.1:70000", "h:x"])
def test_serve_bad_bind(bind):
    with pytest.raises(KGError, match="must be HOST:PORT"):
        S.parse_bind(bind)


def test_serve_command_is_read_only_union_with_timeout(tmp_path):
    cmd = S.server_command(tmp_path, "127.0.0.1", 7000, timeout=12, binary=Path("/x/oxigraph"))
    assert cmd == ["/x/oxigraph", "serve-read-only", "--location", str(tmp_path), "--bind",
                   "127.0.0.1:7000", "--union-default-graph", "--timeout-s", "12"]
    assert S.parse_bind("[::1]:8080") == ("::1", 8080)
    assert S.endpoint_url("::1", 8080) == "http://[::1]:8080/query"


def test_serve_without_the_server_installed_says_how_to_install(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    L.load([write_graph(tmp_path)], tmp_path / "db")
    assert main(["serve", "--store", str(tmp_path / "db")]) == 3
    err = capsys.readouterr()[1]
    assert "the Oxigraph server is not installed; install it with: pip install 'oxigraph==" in err


def test_serve_refuses_a_folder_that_is_not_a_store(tmp_path, capsys):
    require_oxigraph()
    assert main(["serve", "--store", str(tmp_path)]) == 2
    assert "not an Oxigraph store" in capsys.readouterr()[1]
    assert main(["serve", "--store", str(tmp_path / "nope")]) == 2


def test_serve_port_in_use_is_an_environment_error(tmp_path, capsys):
    require_oxigraph()
    L.load([write_graph(tmp_path)], tmp_path / "db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["serve", "--store", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"]) == 3
    assert "address in use" in capsys.readouterr()[1]


def test_serve_oxigraph_version_matches_pyoxigraph():
    import pyoxigraph

    binary = require_oxigraph()
    assert S.oxigraph_version(binary) == pyoxigraph.__version__ == S.OXIGRAPH_VERSION


def _http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=data, headers=headers or {}, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


def test_serve_answers_select_over_http_and_refuses_update(tmp_path):
    """Acceptance: kg serve answers a SELECT on 127.0.0.1 and refuses an UPDATE."""
    require_oxigraph()
    # a store with one graph per document, as kg load makes from TriG
    trig = tmp_path / "graph.trig"
    to_dataset(hand_kg()).serialize(trig, format="trig")
    L.load([trig], tmp_path / "db")
    quads = len(Q.open_store(tmp_path / "db"))
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        url = f"http://127.0.0.1:{port}/query"
        assert line.strip() == f"SPARQL endpoint: {url}"

        # SELECT, by POST (the shipped query text) and by GET
        status, body = S.http_query(url, Q.shipped_query("partners").text)
        assert status == 200
        rows = json.loads(body)["results"]["bindings"]
        assert sorted(r["partnerLabel"]["value"] for r in rows) == ["Acme", "Globex"]
        q = urllib.parse.urlencode({"query": EKG + "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ekg:partnerIn ?o }"})
        status, body = _http(f"{url}?{q}", headers={"Accept": "text/csv"})
        assert (status, body.decode().split()) == (200, ["n", "2"])

        # UPDATE is refused, and so is a Graph Store write
        update = EKG + "INSERT DATA { <http://ex/a> ekg:partnerIn <http://ex/b> }"
        status, body = _http(f"http://127.0.0.1:{port}/update", update.encode(),
                             {"Content-Type": "application/sparql-update"})
        assert status == 403, body
        status, _ = _http(f"http://127.0.0.1:{port}/store?default", b"<http://ex/a> <http://ex/p> 1 .",
                          {"Content-Type": "text/turtle"})
        assert status == 403
        status, body = S.http_query(url, EKG + "ASK { <http://ex/a> ekg:partnerIn <http://ex/b> }")
        assert json.loads(body)["boolean"] is False

        # SIGTERM stops it cleanly
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        assert time.monotonic() - t0 < 20
        assert "server stopped" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()  # the server dies with it (PR_SET_PDEATHSIG)
                proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    with pytest.raises(ConnectionRefusedError):  # the server process is gone too
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert len(Q.open_store(tmp_path / "db")) == quads


def test_serve_endpoint_context_manager(tmp_path):
    require_oxigraph()
    L.load([write_graph(tmp_path)], tmp_path / "db")
    with S.Endpoint(tmp_path / "db", "127.0.0.1", free_port(), timeout=5) as ep:
        status, body = S.http_query(ep.url, EKG + "ASK { ?s ekg:partnerIn ?o }")
        assert (status, json.loads(body)["boolean"]) == (200, True)
        procs = ep.processes
        assert len(procs) == S.DEFAULT_WORKERS
    assert all(proc.poll() is not None for proc in procs)
    assert not list(tmp_path.glob(".db.*.serving")), "the snapshot served is deleted"


@pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux-only")
def test_serve_server_dies_with_kg_even_on_sigkill(tmp_path):
    require_oxigraph()
    L.load([write_graph(tmp_path)], tmp_path / "db")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout.readline().startswith("SPARQL endpoint: ")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except ConnectionRefusedError:
            return
        time.sleep(0.1)
    pytest.fail("the oxigraph server outlived kg serve")


def test_serve_sigint_stops_it_cleanly_even_when_started_in_the_background(tmp_path):
    require_oxigraph()
    L.load([write_graph(tmp_path)], tmp_path / "db")
    port = free_port()
    # a shell starts background jobs with SIGINT ignored; kg serve still honours it
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        assert proc.stdout.readline().startswith("SPARQL endpoint: ")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait()
        proc.stdout.close()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
