"""``kg validate`` and ``kg export``: check a built graph, or convert it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graph.cli.stdout import write_stdout
from graph.errors import InputError, KGError

VALIDATE_EPILOG = """exit codes: 0 the graph conforms, 1 it does not (the report lists every
violation), 2 bad input (missing file, unknown format, syntax error with line and column)

examples:
  kg validate exports/graph.ttl
  kg validate exports/graph.trig
  kg build -q -f nquads -o - ... | kg validate - --input-format nquads"""

EXPORT_EPILOG = """exit codes: 0 ok, 2 bad input (missing file, syntax error, not a graph built
by entity-kg, unknown format), 3 output not writable

examples:
  kg export exports/graph.ttl --format jsonld -o exports/graph.jsonld
  kg export exports/graph.ttl -o exports/graph.trig      (format from the suffix)
  kg export exports/graph.nq --format turtle             (to stdout)"""


def add_commands(sub: Any) -> None:  # noqa: ANN401 - argparse's subparsers action
    """Add the ``validate`` and ``export`` subcommands."""
    v = sub.add_parser(
        "validate",
        help="check a built graph against the SHACL shapes",
        description="Validate an RDF graph (Turtle, N-Triples, N-Quads, TriG, JSON-LD; the "
        "format comes from the suffix) against ontology/shapes.ttl, without inference. A "
        "dataset is validated as the union of its graphs.",
        epilog=VALIDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    v.add_argument("graph", help="the RDF file to check ('-' reads stdin)")
    v.add_argument("--input-format", metavar="FORMAT",
                   help="turtle, ntriples, nquads, trig or jsonld (default: from the suffix; "
                   "turtle for stdin)")
    v.add_argument("--engine", choices=("fast", "pyshacl"), default="fast",
                   help="fast (default): the shapes compiled to SPARQL on Oxigraph, about 20 s for a "
                   "million triples; pyshacl: the reference, pySHACL (about 1 s per 1,000 triples); "
                   "both report the same violations")
    v.add_argument("-q", "--quiet", action="store_true", help="print nothing; only the exit code")
    v.set_defaults(handler=cmd_validate)

    e = sub.add_parser(
        "export",
        help="convert a built graph to another format",
        description="Read a graph built by entity-kg (Turtle, N-Triples, N-Quads, TriG or "
        "JSON-LD) back into its entities, relations, evidence and documents, and write it in "
        "any export format (see `kg formats`).",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    e.add_argument("graph", help="the built graph ('-' reads stdin)")
    e.add_argument("-f", "--format", dest="fmt", metavar="FORMAT",
                   help="export format (default: from the suffix of -o)")
    e.add_argument("-o", "--output", metavar="PATH",
                   help="file (or folder, for a bundle format) to write; '-' or none: stdout")
    e.add_argument("--input-format", metavar="FORMAT",
                   help="format of GRAPH (default: from its suffix; turtle for stdin)")
    e.set_defaults(handler=cmd_export)


def _read(source: str, fmt: str | None):  # noqa: ANN202
    from graph.rdf.convert import read_rdf

    if source == "-":
        return read_rdf(sys.stdin.buffer.read(), fmt or "turtle", name="<stdin>")
    return read_rdf(Path(source), fmt)


def cmd_validate(args: argparse.Namespace) -> int:
    from graph.rdf.validate import validate

    if args.graph == "-":
        report = validate(sys.stdin.buffer.read(), engine=args.engine, format=args.input_format or "turtle",
                          name="<stdin>")
    else:
        report = validate(Path(args.graph), engine=args.engine, format=args.input_format)
    if not args.quiet:
        print(report.format())
    return 0 if report.conforms else 1


def cmd_export(args: argparse.Namespace) -> int:
    from graph import exporters
    from graph.rdf.convert import from_rdf

    to_stdout = args.output in (None, "-")
    if args.fmt:
        exp = exporters.get(args.fmt)
    elif not to_stdout:
        exp = exporters.for_suffix(Path(args.output).suffix)
    else:
        raise KGError("give --format, or an output file (-o) whose suffix names the format")
    if exp.bundle and to_stdout:
        raise KGError(f"format {exp.name!r} writes several files; give a folder with -o")
    kg = from_rdf(_read(args.graph, args.input_format))
    if not (kg.documents or kg.entities or kg.relations):
        # A graph of foreign triples (or none) used to export as an empty graph with exit 0.
        raise InputError("not a graph built by entity-kg: it holds no ekg:Document, entity or "
                         "ekg:Assertion", path="<stdin>" if args.graph == "-" else args.graph)
    if to_stdout:
        data = exporters.export(kg, exp.name)
        write_stdout(data)  # type: ignore[arg-type]
    else:
        exporters.export(kg, exp.name, Path(args.output))
    return 0
