"""``kg query``, ``kg load`` and ``kg serve``: SPARQL on Oxigraph, stores, endpoint."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graph.cli.stdout import write_stdout
from graph.errors import KGError
from graph.files import recover

QUERY_EPILOG = """\
QUERY is a shipped query name (kg query --list), a .rq file, or SPARQL text.
The prefixes ekg, kgr, rdf, rdfs, skos, prov, owl, xsd, wd, dcterms and schema need no declaration.
Queries see the union of all graphs (TriG/N-Quads: one graph per document).

examples:
  kg query --list
  kg query exports/graph.ttl partners --param project="Stargate Project"
  kg query exports/graph.ttl evidence --param subject=OpenAI --param predicate=partnerIn
  kg query db/ paths-2hop --param from=Nvidia --param to=DeepSeek --format csv
  kg query exports/graph.ttl 'SELECT ?c (COUNT(*) AS ?n) WHERE { ?e a ?c } GROUP BY ?c'

exit codes: 0 ok, 2 bad input (file, store, query, parameter), 3 environment"""

LOAD_EPILOG = """\
A load is all or nothing: a bad file leaves the store as it was, and a load
killed half way (kill -9) is undone by the next kg load, query or serve.
One load at a time per store: another waits up to --wait seconds. Loading the
same triples again adds nothing; --replace starts from an empty store.

examples:
  kg load exports/graph.ttl --store db/
  kg load exports/nquads/ --store db/ --replace

exit codes: 0 ok, 2 bad input, 3 environment (store busy past --wait, not writable, disk full)"""

SERVE_EPILOG = """\
Runs Oxigraph servers (pip install oxigraph) read-only in the foreground
until Ctrl-C or SIGTERM, on a snapshot of the store taken at start, behind a
front that enforces the limits (README: "Threat model of kg serve").
Updates (POST /update) and Graph Store writes are refused (HTTP 403), and so
are SERVICE clauses (unless --allow-service), brackets nested over 64 deep
and a Host header other than the bound address. Queries see the union of all
graphs. Each of --workers servers answers one query at a time; a query still
running --timeout seconds (+2) after it came gets HTTP 503 and its server
alone is killed; an answer larger than --max-result-bytes is refused (HTTP
422: add LIMIT to the query; a connection reset once the answer streams).
At / it serves the explorer (the page of graph.html, fed by the store: search,
entity panels, evidence a page at a time, expand, paths, the time filter),
whose requests go through the same limits.

examples:
  kg serve --store db/
  curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 5' \\
       http://127.0.0.1:7878/query

exit codes: 0 stopped by Ctrl-C/SIGTERM, 2 bad input, 3 environment
(server not installed, port in use)"""


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def add_commands(sub: Any) -> None:
    """Add ``query``, ``load`` and ``serve`` to the ``kg`` parser."""
    from graph.store.query import GRAPH_FORMATS, SELECT_FORMATS

    q = sub.add_parser(
        "query", help="run a SPARQL query on a graph file or store (on Oxigraph)",
        description="Run SPARQL on a graph file (.ttl .nt .nq .trig .jsonld .rdf) loaded in memory, "
        "or on a store made by kg load, with Oxigraph. Prints a table, or the SPARQL result "
        "formats with --format.",
        epilog=QUERY_EPILOG, formatter_class=_formatter,
    )
    q.add_argument("graph", nargs="?", metavar="GRAPH_OR_STORE", help="graph file or store folder")
    q.add_argument("query", nargs="?", metavar="QUERY_OR_FILE",
                   help="shipped query name, .rq file, or SPARQL text")
    q.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE",
                   help="a query parameter, repeatable (see --list); entities by name or alias")
    formats = list(dict.fromkeys((*SELECT_FORMATS, *GRAPH_FORMATS)))
    q.add_argument("-f", "--format", default="table", choices=formats,
                   help="output: table (default); SELECT/ASK: csv, tsv, json, xml; "
                   "CONSTRUCT: turtle, ntriples, jsonld")
    q.add_argument("--limit", type=int, default=None, metavar="N", help="print at most N rows")
    q.add_argument("--allow-service", action="append", default=[], metavar="URL",
                   help="let SERVICE clauses reach this SPARQL endpoint (repeatable; default: none, offline)")
    q.add_argument("--list", action="store_true", help="list the shipped queries and their parameters")
    q.add_argument("--show", action="store_true", help="print the query's text instead of running it")
    q.set_defaults(handler=cmd_query)

    ld = sub.add_parser(
        "load", help="load graph files into a persistent Oxigraph store",
        description="Load RDF files, or folders of them (e.g. N-Quads, one file per document), "
        "into an on-disk Oxigraph store that kg query and kg serve use.",
        epilog=LOAD_EPILOG, formatter_class=_formatter,
    )
    ld.add_argument("graphs", nargs="+", type=Path, metavar="GRAPH", help="RDF files or folders")
    ld.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store folder")
    ld.add_argument("--replace", action="store_true", help="replace the store's content")
    ld.add_argument("--wait", type=float, default=None, metavar="SECONDS",
                    help="wait this long for another kg load of the store to finish (default 120)")
    ld.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    ld.set_defaults(handler=cmd_load)

    sv = sub.add_parser(
        "serve", help="serve a store as a read-only SPARQL endpoint (Oxigraph server)",
        description="Start a SPARQL 1.1 Protocol endpoint (the Oxigraph server) on a store made "
        "by kg load, read-only, with the graph explorer at /, and print both URLs.",
        epilog=SERVE_EPILOG, formatter_class=_formatter,
    )
    sv.add_argument("--store", type=Path, required=True, metavar="DIR", help="the store folder")
    sv.add_argument("--bind", default="127.0.0.1:7878", metavar="HOST:PORT",
                    help="where to listen (default: 127.0.0.1:7878, this machine only)")
    sv.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                    help="time limit of one query (default: 30; 0: none)")
    sv.add_argument("--max-result-bytes", type=int, default=None, metavar="N",
                    help="refuse an answer larger than N bytes (default: 50,000,000; 0: no limit)")
    sv.add_argument("--cors", action="store_true", help="allow cross-origin requests (browsers)")
    sv.add_argument("--workers", type=int, default=4, metavar="N",
                    help="Oxigraph servers, i.e. queries answered at once (default: 4)")
    sv.add_argument("--allow-service", action="append", default=[], metavar="URL",
                    help="let SERVICE clauses reach this SPARQL endpoint (repeatable; default: none)")
    sv.add_argument("--no-explorer", action="store_true",
                    help="do not serve the explorer page at / (it is served by default)")
    sv.set_defaults(handler=cmd_serve)


def _params(items: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise KGError(f"--param {item!r} must be NAME=VALUE, e.g. --param project=Stargate")
        if name in out:
            raise KGError(f"--param {name!r} is given twice")
        out[name] = value
    return out


def _list_queries() -> str:
    from graph.store.query import shipped_queries

    queries = shipped_queries()
    width = max(len(q.name) for q in queries)
    lines = []
    for q in queries:
        lines.append(f"{q.name.ljust(width)}  {q.description}")
        for p in q.params or ():
            lines.append(f"{'':{width}}    --param {p.name}=…  ({p.kind}) {p.description}")
    return "\n".join(lines)


def _write(data: bytes) -> None:
    write_stdout(data)


def cmd_query(args: argparse.Namespace) -> int:
    from graph.store.query import bind_params, check, open_store, resolve_query, run

    if args.list:
        if args.graph or args.query:
            raise KGError("--list takes no graph or query")
        print(_list_queries())
        return 0
    if args.show:
        spec = args.query or args.graph
        if not spec:
            raise KGError("--show needs a query name or file")
        _write(resolve_query(spec).text.encode("utf-8"))
        return 0
    if not args.graph or not args.query:
        raise KGError("kg query needs GRAPH_OR_STORE and QUERY_OR_FILE (or --list); see kg query -h")
    if args.limit is not None and args.limit < 0:
        raise KGError(f"--limit {args.limit} must be 0 or more")
    params = _params(args.param)
    query = resolve_query(args.query)  # a bad query fails before a big graph is read
    check(query, args.allow_service)
    recover(Path(args.graph).parent)  # what a killed build or load left half done there
    store = open_store(args.graph)
    result = run(store, query, bind_params(store, query, params), limit=args.limit,
                 allow_service=args.allow_service)
    _write(result.serialize(args.format))
    if result.truncated and args.format != "table":
        print(f"kg: showing the first {args.limit} results; more were found", file=sys.stderr)
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from graph.store.load import WAIT, load

    if args.wait is not None and args.wait < 0:
        raise KGError(f"--wait {args.wait} must be 0 or more")
    report = load(args.graphs, args.store, replace=args.replace,
                  wait=WAIT if args.wait is None else args.wait)
    if not args.quiet:
        print(report)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from graph.store.serve import DEFAULT_MAX_RESULT_BYTES, parse_bind, serve

    if args.timeout < 0:
        raise KGError(f"--timeout {args.timeout} must be 0 (none) or more")
    max_bytes = DEFAULT_MAX_RESULT_BYTES if args.max_result_bytes is None else args.max_result_bytes
    if max_bytes < 0:
        raise KGError(f"--max-result-bytes {max_bytes} must be 0 (none) or more")
    host = parse_bind(args.bind)[0]
    if not 1 <= args.workers <= 64:
        raise KGError(f"--workers {args.workers} must be 1 to 64")
    recover(Path(args.store).parent)  # what a killed kg load left half done there

    def announce(url: str) -> None:
        print(f"SPARQL endpoint: {url}", flush=True)
        reach = ("this machine only" if host in ("localhost", "::1") or host.startswith("127.")
                 else "REACHABLE FROM OTHER MACHINES")
        limits = [f"queries stop after {args.timeout:g} s" if args.timeout else "no query time limit",
                  f"answers of at most {max_bytes:,} bytes" if max_bytes else "no answer size limit"]
        limits.append(f"{args.workers} queries at once")
        limits.append("SERVICE to " + ", ".join(args.allow_service) if args.allow_service else "SERVICE refused")
        print(f"read-only store {args.store} (updates refused); {'; '.join(limits)}; listening on "
              f"{args.bind} ({reach}); Ctrl-C to stop", file=sys.stderr, flush=True)

    code = serve(args.store, args.bind, timeout=args.timeout or None, cors=args.cors, announce=announce,
                 max_result_bytes=max_bytes or None, workers=args.workers, allow_service=args.allow_service,
                 explorer=not args.no_explorer,
                 announce_explorer=lambda url: print(f"Explorer: {url}", flush=True))
    print("kg: server stopped", file=sys.stderr)
    return code
