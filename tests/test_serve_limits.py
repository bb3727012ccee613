"""The endpoint's limits, over HTTP (issue 8).

``kg serve`` listens on 127.0.0.1 unless told otherwise, refuses every
write, stops a query after ``--timeout`` seconds, refuses an answer larger
than ``--max-result-bytes`` (HTTP 422, "add LIMIT") and says all of that when
it starts. The size limit is enforced by the proxy in front of the Oxigraph
server (``graph.store.serve.ResultLimitProxy``); the rest by the server itself,
which the proxy backs up for writes.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from http.client import IncompleteRead
from pathlib import Path

import pytest
from conftest import REPO
from test_load_serve import free_port, require_oxigraph
from test_query import hand_kg

from graph.store import load as L
from graph.store import query as Q
from graph.store import serve as S
from graph.rdf.convert import to_dataset

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"  # n^2 rows: tens of thousands, megabytes
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . ?p ?q ?r }"


def http(url: str, data: bytes | None = None, headers: dict[str, str] | None = None, method: str | None = None,
         timeout: float = 60) -> tuple[int, bytes, Message]:
    """Status, body and headers (names in any case) of one request."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method or ("POST" if data else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


def query(url: str, text: str, accept: str = "text/csv") -> tuple[int, bytes, Message]:
    return http(url, text.encode(), {"Content-Type": "application/sparql-query", "Accept": accept})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_oxigraph()
    folder = tmp_path_factory.mktemp("serve")
    trig = folder / "graph.trig"
    to_dataset(hand_kg()).serialize(trig, format="trig")
    L.load([trig], folder / "db")
    return folder / "db"


@pytest.fixture(scope="module")
def endpoint(store: Path):
    with S.Endpoint(store, "127.0.0.1", free_port(), timeout=2, max_result_bytes=20_000) as ep:
        yield ep


def test_serve_limits_small_answers_pass_through(endpoint: S.Endpoint) -> None:
    status, body, headers = query(endpoint.url, "SELECT ?s WHERE { ?s a ?c } LIMIT 3")
    assert status == 200 and headers.get("Content-Type").startswith("text/csv")
    assert len(body.decode().strip().splitlines()) == 4
    status, body, _ = query(endpoint.url, "ASK { ?s ?p ?o }", accept="application/sparql-results+json")
    assert (status, json.loads(body)["boolean"]) == (200, True)
    q = urllib.parse.urlencode({"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    status, body, _ = http(f"{endpoint.url}?{q}", headers={"Accept": "text/csv"})
    assert status == 200 and body.decode().split()[0] == "n"


@pytest.mark.parametrize("text, accept", [
    (CROSS, "text/csv"),
    (CROSS, "application/sparql-results+json"),
    ("CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f }", "application/n-triples"),
])
def test_serve_limits_a_big_answer_is_refused_with_422(endpoint: S.Endpoint, text: str, accept: str) -> None:
    t0 = time.monotonic()
    status, body, _ = query(endpoint.url, text, accept)
    assert status == 422, body[:200]
    assert body.decode() == ("the result is larger than this endpoint's limit of 20,000 bytes; add LIMIT to the "
                             "query (or serve with a larger --max-result-bytes)\n")
    assert time.monotonic() - t0 < 20
    status, body, _ = query(endpoint.url, text + " LIMIT 5", accept)  # the advice works
    assert status == 200 and len(body) < 20_000


def test_serve_limits_the_whole_store_download_is_limited_too(endpoint: S.Endpoint) -> None:
    base = endpoint.url.rsplit("/", 1)[0]
    status, body, _ = http(f"{base}/store?default", headers={"Accept": "application/n-quads"})
    assert status in (200, 422), status
    assert len(body) <= 20_000 + 200


@pytest.mark.parametrize("text", [SLOW, CROSS.replace("?d ?e ?f", "?d ?e ?f . ?g ?h ?i . ?j ?k ?l")],
                         ids=["aggregate", "streaming"])
@pytest.mark.slow
def test_serve_limits_a_slow_query_is_stopped(store: Path, text: str) -> None:
    """Oxigraph does not stop every query at --timeout-s (a COUNT over a six-way
    join runs on for minutes); the proxy answers 503 in time and kills its server.
    An answer that was already streaming (past COMMIT_BYTES) is cut off instead:
    the client sees a broken answer, not a 200 that looks complete."""
    with S.Endpoint(store, "127.0.0.1", free_port(), timeout=2, max_result_bytes=10**12, workers=1) as ep:
        first = ep.processes[0]
        t0 = time.monotonic()
        try:
            status, body, _ = query(ep.url, text)
        except (IncompleteRead, ConnectionResetError):
            status, body = None, b""
        assert time.monotonic() - t0 < 2 + S.TIMEOUT_GRACE + 3  # not the minutes the query needs
        if text == SLOW:
            assert status == 503, body[:200]
            assert body.decode().startswith("the query ran longer than this endpoint's limit of 2 s")
        else:
            assert status is None  # streamed, then cut off
        # the runaway query's server is killed and a new one answers
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, body, _ = query(ep.url, "ASK { ?s ?p ?o }")
            if status == 200 and first.poll() is not None:
                break
            time.sleep(0.2)
        assert status == 200
        assert first.poll() is not None  # the runaway query is gone


@pytest.mark.parametrize("method, path, body, content_type", [
    ("POST", "/update", b"INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }", "application/sparql-update"),
    ("POST", "/update", b"update=DROP+ALL", "application/x-www-form-urlencoded"),
    ("POST", "/store?default", b"<http://ex/a> <http://ex/b> <http://ex/c> .", "application/n-triples"),
    ("PUT", "/store?default", b"<http://ex/a> <http://ex/b> <http://ex/c> .", "application/n-triples"),
    ("DELETE", "/store?default", None, None),
    ("PATCH", "/store?default", b"x", "text/plain"),
    ("POST", "/", b"x", "text/plain"),
    # a bulk upload: the client sends it all before reading the 403, which must still arrive
    ("POST", "/store?default", b"<http://ex/a> <http://ex/b> <http://ex/c> .\n" * 100_000, "application/n-triples"),
])
def test_serve_limits_every_write_is_refused(endpoint: S.Endpoint, store: Path, method: str, path: str,
                                            body: bytes | None, content_type: str | None) -> None:
    base = endpoint.url.rsplit("/", 1)[0]
    status, text, _ = http(base + path, body, {"Content-Type": content_type} if content_type else {}, method=method)
    assert status == 403, (status, text)
    assert b"read-only" in text
    status, text, _ = query(endpoint.url, "ASK { <http://ex/a> ?p ?o }", accept="application/sparql-results+json")
    assert json.loads(text)["boolean"] is False


def test_serve_limits_update_by_get_is_refused(endpoint: S.Endpoint) -> None:
    base = endpoint.url.rsplit("/", 1)[0]
    q = urllib.parse.urlencode({"update": "DROP ALL"})
    status, _, _ = http(f"{base}/update?{q}")
    assert 400 <= status < 500
    status, body, _ = query(endpoint.url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(body.decode().split()[1]) > 0


def test_serve_limits_an_oversized_request_is_refused(endpoint: S.Endpoint) -> None:
    big = "ASK { ?s ?p ?o } #" + "x" * (S.MAX_REQUEST_BYTES + 10)
    status, body, _ = query(endpoint.url, big)
    assert status == 413 and b"at most 1,000,000 bytes" in body


def test_serve_limits_proxy_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="max_result_bytes"):
        S.ResultLimitProxy(("127.0.0.1", 0), ("127.0.0.1", 1), max_result_bytes=0)


def test_serve_limits_cors_preflight_passes(store: Path) -> None:
    with S.Endpoint(store, "127.0.0.1", free_port(), timeout=5, cors=True, max_result_bytes=20_000) as ep:
        status, _, headers = http(ep.url, method="OPTIONS", headers={
            "Origin": "http://example.org", "Access-Control-Request-Method": "POST"})
        assert status < 300 and headers.get("Access-Control-Allow-Origin") == "*"
        status, _, headers = http(ep.url + "?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
        assert status == 200 and headers.get("Access-Control-Allow-Origin")


def _primary_address() -> str | None:
    """This machine's address on its main network interface, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))  # no packet is sent
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_serve_limits_kg_serve_binds_loopback_and_says_its_limits(store: Path) -> None:
    """Acceptance: the start message says read-only, the time and size limits and
    where it listens; the default bind is 127.0.0.1, so other addresses refuse."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", str(store), "--bind", f"127.0.0.1:{port}",
         "--timeout", "5", "--max-result-bytes", "1000000"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == f"SPARQL endpoint: http://127.0.0.1:{port}/query"
        said = proc.stderr.readline()
        for part in ("(updates refused)", "queries stop after 5 s", "answers of at most 1,000,000 bytes",
                     f"listening on 127.0.0.1:{port} (this machine only)"):
            assert part in said, said
        assert "Listening for requests at" not in said  # the server's private address is not shown
        status, _, _ = query(f"http://127.0.0.1:{port}/query", "ASK {}")
        assert status == 200
        address = _primary_address()
        if address is not None:
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=3).close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        proc.stdout.close()
        proc.stderr.close()


def test_serve_limits_default_bind_is_loopback(monkeypatch: pytest.MonkeyPatch, store: Path) -> None:
    """Without --bind, kg serve asks for 127.0.0.1:7878."""
    from graph.cli import main

    seen: dict[str, object] = {}

    def fake_serve(store_: Path, bind: str, **kwargs: object) -> int:
        seen.update(bind=bind, **kwargs)
        return 0

    monkeypatch.setattr(S, "serve", fake_serve)
    assert main(["serve", "--store", str(store)]) == 0
    assert seen["bind"] == "127.0.0.1:7878" == S.DEFAULT_BIND
    assert seen["timeout"] == 30.0 and seen["max_result_bytes"] == S.DEFAULT_MAX_RESULT_BYTES


def test_serve_limits_no_size_limit_when_asked(store: Path) -> None:
    with S.Endpoint(store, "127.0.0.1", free_port(), timeout=5) as ep:  # max_result_bytes=None: no size limit
        status, body, _ = query(ep.url, CROSS)
        assert status == 200 and len(body) > 20_000
    assert Q.open_store(store)  # still a good store


@pytest.mark.slow
def test_serve_limits_kg_serve_survives_a_runaway_query(store: Path) -> None:
    """Under kg serve too: 503 in time, the query's server killed and replaced, then a clean stop."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph", "serve", "--store", str(store), "--bind", f"127.0.0.1:{port}",
         "--timeout", "1"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().split()[-1]
        t0 = time.monotonic()
        status, _, _ = query(url, SLOW)
        assert status == 503 and time.monotonic() - t0 < 1 + S.TIMEOUT_GRACE + 3
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, _, _ = query(url, "ASK { ?s ?p ?o }")
            if status == 200:
                break
            time.sleep(0.2)
        assert status == 200
        proc.terminate()
        assert proc.wait(timeout=20) == 0
        err = proc.stderr.read()
        assert "killing its Oxigraph server (other queries go on)" in err and "server stopped" in err
        assert "Traceback" not in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
