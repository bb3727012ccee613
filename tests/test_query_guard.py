"""kg query against hostile SPARQL (issue 17): deep nesting and SERVICE.

A query nested 3,000 braces deep made ``kg query`` die of SIGSEGV (exit
139); a ``SERVICE <http://127.0.0.1:PORT/…>`` clause made it send an HTTP
request and print the answer, though ``kg query`` is said to be offline.
Traffic here goes only to a server on 127.0.0.1 that the test starts.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from conftest import REPO
from test_query import hand_kg

from graph.cli import main
from graph.rdf.convert import to_dataset
from graph.store import guard

SECRET = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"SECRET"}}]}}'


class _Target(BaseHTTPRequestHandler):
    """A stand-in for an internal service that must not be reached."""

    hits: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.hits.append(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/broken"):  # a service that fails
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(SECRET)))
        self.end_headers()
        self.wfile.write(SECRET)

    do_GET = do_POST

    def log_message(self, *args: object) -> None:
        pass


def serve_target() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that answers any SPARQL request with SECRET
    (``…/broken``: HTTP 500); yields its URL and the paths it was asked for."""
    hits: list[str] = []
    handler = type("Target", (_Target,), {"hits": hits})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", hits
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def target() -> Iterator[tuple[str, list[str]]]:
    yield from serve_target()


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("guard") / "graph.trig"
    to_dataset(hand_kg()).serialize(path, format="trig")
    return path


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + " ?s ?p ?o " + "}" * depth


def test_query_guard_deep_nesting_is_refused_not_a_crash(graph_file: Path) -> None:
    """3,000 braces (6 KB) crashed the process with SIGSEGV; now: exit 2, one line."""
    res = subprocess.run([sys.executable, "-m", "graph", "query", str(graph_file), nested(3000)],
                         cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert res.returncode == 2, (res.returncode, res.stderr[-300:])
    assert res.stderr == ("kg: error: <inline query>: the query nests brackets 3000 deep; "
                          f"at most {guard.MAX_NESTING} are allowed\n")
    assert res.stdout == ""


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 5000 + "?o" + ")" * 5000 + ") }",
    "ASK { ?s ?p " + "[ <http://ex/p> " * 100 + "?o" + " ]" * 100 + " }",
], ids=["parentheses", "blank-nodes"])
def test_query_guard_every_bracket_counts(text: str, graph_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", str(graph_file), text]) == 2
    out, err = capsys.readouterr()
    assert "deep; at most 64 are allowed" in err and err.count("\n") == 1 and out == ""


def test_query_guard_nesting_within_the_limit_runs(graph_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # brackets inside strings, IRIs and comments do not count
    text = nested(guard.MAX_NESTING - 1).replace("?o", '"{{{{(((" . ?s ?p ?o # {{{{{{{\n')
    assert guard.max_depth(text) == guard.MAX_NESTING - 1
    assert main(["query", str(graph_file), text, "-f", "csv"]) == 0


@pytest.mark.parametrize("service", [
    "SERVICE <{url}>", "service <{url}>", "SeRvIcE SILENT <{url}>", "SERVICE<{url}>",
    "?s ?p '1' . 1SERVICE <{url}>",
])
def test_query_guard_service_is_refused_and_nothing_is_sent(service: str, graph_file: Path, target,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url, hits = target
    text = "SELECT * WHERE { " + service.format(url=url) + " { ?x ?y ?z } }"
    assert main(["query", str(graph_file), text, "-f", "csv"]) == 2
    out, err = capsys.readouterr()
    assert err.startswith("kg: error: <inline query>: SERVICE ") and err.count("\n") == 1, err
    assert "refused: federated queries are off (allow an endpoint with --allow-service URL)" in err
    assert "SECRET" not in out and hits == []


def test_query_guard_the_word_service_in_data_is_not_a_service(graph_file: Path, target,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    url, hits = target
    text = (f"SELECT ?service WHERE {{ BIND('SERVICE <{url}> {{}}' AS ?service) "
            "OPTIONAL { ?service <http://ex/service> ?o } } # SERVICE <http://127.0.0.1:1/>")
    assert main(["query", str(graph_file), text, "-f", "csv"]) == 0
    assert capsys.readouterr().out.startswith("service\r\nSERVICE <")
    assert hits == []


def test_query_guard_allow_service_lets_only_that_endpoint_through(graph_file: Path, target,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    url, hits = target
    text = f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?y ?z }} }}"
    assert main(["query", str(graph_file), text, "-f", "csv", "--allow-service", url]) == 0
    assert capsys.readouterr().out == "x\r\nSECRET\r\n" and hits == ["/sparql"]
    other = url.replace("/sparql", "/other")
    assert main(["query", str(graph_file), text.replace(url, other), "--allow-service", url]) == 2
    err = capsys.readouterr().err
    assert f"SERVICE <{other}> refused: not an allowed endpoint (allowed: {url})" in err
    # a variable or prefixed name is never an allowed endpoint: only the IRI as written
    text = f"PREFIX t: <{url.rsplit('/', 1)[0]}/> SELECT ?x WHERE {{ SERVICE t:sparql {{ ?x ?y ?z }} }}"
    assert main(["query", str(graph_file), text, "--allow-service", url]) == 2
    assert "SERVICE t:sparql refused" in capsys.readouterr().err
    assert hits == ["/sparql"]
