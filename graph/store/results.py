"""Query results: rows as text, Python values, tables for people, CSV/JSON/XML for programs.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import pyoxigraph

from graph.errors import KGError
from graph.store.queries import XSD_NS, Term, compact_iri
from graph.vocab import PREFIXES

if TYPE_CHECKING:
    from graph.store.queries import Query

#: Result formats by query form (``table`` is for people, the rest for programs).
SELECT_FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "xml")


GRAPH_FORMATS: tuple[str, ...] = ("table", "turtle", "ntriples", "jsonld", "json", "xml")


_RESULT_FORMATS = {
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "xml": pyoxigraph.QueryResultsFormat.XML,
}


_GRAPH_FORMATS = {
    "table": pyoxigraph.RdfFormat.TURTLE,
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "json": pyoxigraph.RdfFormat.JSON_LD,
    "xml": pyoxigraph.RdfFormat.RDF_XML,
}


def display(term: Term | None) -> str:
    """Return how a table shows a term: prefixed IRI, literal's text, ``""``."""
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return str(term)


def to_python(term: Term | None) -> object:
    """Return a term as a Python value: IRI text, ``int``, ``Decimal``, ``str``...

    Examples:
        >>> to_python(pyoxigraph.Literal("0.85", datatype=pyoxigraph.NamedNode(XSD_NS + "decimal")))
        Decimal('0.85')
    """
    if term is None:
        return None
    if isinstance(term, pyoxigraph.Literal):
        dt = term.datatype.value[len(XSD_NS):] if term.datatype.value.startswith(XSD_NS) else ""
        try:
            if dt in ("integer", "int", "long", "nonNegativeInteger", "positiveInteger"):
                return int(term.value)
            if dt == "decimal":
                return Decimal(term.value)
            if dt in ("double", "float"):
                return float(term.value)
            if dt == "boolean":
                return term.value in ("true", "1")
        except (ValueError, InvalidOperation):
            return term.value
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    return str(term)


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in text.split("\n") or [""]:
        lines.extend(textwrap.wrap(part, width, break_long_words=True, break_on_hyphens=False) or [""])
    return lines


def format_table(header: Sequence[str], rows: Iterable[Sequence[str]], *, max_width: int = 60) -> str:
    """Return rows as a plain-text table; cells wider than ``max_width`` wrap.

    Examples:
        >>> print(format_table(["a", "bb"], [["x", "yyy"]]))
        a  bb
        -  ---
        x  yyy
    """
    wrapped = [[_wrap(c, max_width) for c in row] for row in rows]
    widths = [len(h) for h in header]
    for row in wrapped:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], *(len(line) for line in cell))
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths)).rstrip(),
           "  ".join("-" * w for w in widths).rstrip()]
    for row in wrapped:
        for k in range(max(len(c) for c in row) if row else 0):
            out.append("  ".join((c[k] if k < len(c) else "").ljust(w)
                                 for c, w in zip(row, widths)).rstrip())
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class QueryResult:
    """The materialised result of a query.

    ``kind`` is ``"select"`` (``variables``, ``rows``), ``"ask"``
    (``boolean``) or ``"graph"`` (CONSTRUCT/DESCRIBE: ``triples``).
    ``truncated`` says a ``limit`` cut rows or triples off.
    """

    kind: str
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[pyoxigraph.Triple, ...] = ()
    truncated: bool = False
    query: Query | None = field(default=None, compare=False, repr=False)

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "select" else len(self.triples)

    def records(self) -> list[dict[str, object]]:
        """Return the rows as dicts of Python values (unbound variables left out)."""
        return [{v: to_python(t) for v, t in zip(self.variables, row) if t is not None}
                for row in self.rows]

    def column(self, name: str) -> list[object]:
        """Return one column as Python values (``None`` where unbound)."""
        i = self.variables.index(name)
        return [to_python(row[i]) for row in self.rows]

    def to_table(self, *, max_width: int = 60) -> str:
        """Return the result as text for people: a table, ``true``/``false``, or Turtle."""
        if self.kind == "ask":
            return "true" if self.boolean else "false"
        if self.kind == "graph":
            return self.serialize("turtle").decode("utf-8").rstrip("\n")
        table = format_table(self.variables, ([display(t) for t in row] for row in self.rows),
                             max_width=max_width)
        n = len(self.rows)
        more = " shown; there are more: raise --limit" if self.truncated else ""
        return f"{table}\n({n} row{'' if n == 1 else 's'}{more})"

    def to_html(self) -> str:
        """Return the result as an HTML table (every value escaped)."""
        if self.kind != "select":
            return f"<pre>{html.escape(self.to_table())}</pre>"
        head = "".join(f"<th>{html.escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(display(t))}</td>" for t in row) + "</tr>"
            for row in self.rows)
        return (f'<table class="kg-result"><thead><tr>{head}</tr></thead>'
                f"<tbody>{body}</tbody></table><p>{len(self.rows)} rows</p>")

    def _repr_html_(self) -> str:
        return self.to_html()

    def serialize(self, fmt: str) -> bytes:
        """Return the result in ``fmt`` through pyoxigraph's serializers.

        SELECT and ASK: ``csv``, ``tsv``, ``json``, ``xml`` (SPARQL 1.1 result
        formats); CONSTRUCT and DESCRIBE: ``turtle``, ``ntriples``,
        ``jsonld`` (also ``json``), ``xml`` (RDF/XML); ``table`` for either.

        Raises:
            KGError: the format does not fit the query form.
        """
        if fmt == "table":
            return (self.to_table() + "\n").encode("utf-8")
        if self.kind == "graph":
            if fmt not in _GRAPH_FORMATS:
                raise KGError(f"format {fmt!r} does not fit a CONSTRUCT/DESCRIBE result; "
                              f"use one of: {', '.join(GRAPH_FORMATS)}")
            data = pyoxigraph.serialize(list(self.triples), format=_GRAPH_FORMATS[fmt],
                                        prefixes=PREFIXES if fmt in ("turtle", "table") else None)
            return data or b""
        if fmt not in _RESULT_FORMATS:
            raise KGError(f"format {fmt!r} does not fit a SELECT/ASK result; "
                          f"use one of: {', '.join(SELECT_FORMATS)}")
        if self.kind == "ask":
            if fmt in ("csv", "tsv"):
                return b"true\n" if self.boolean else b"false\n"
            solutions = pyoxigraph.parse_query_results(
                b'{"head":{},"boolean":%s}' % (b"true" if self.boolean else b"false"),
                pyoxigraph.QueryResultsFormat.JSON)
        else:
            solutions = pyoxigraph.parse_query_results(self._tsv(), pyoxigraph.QueryResultsFormat.TSV)
        return solutions.serialize(format=_RESULT_FORMATS[fmt]) or b""

    def _tsv(self) -> bytes:
        """The rows in SPARQL TSV (terms in N-Triples syntax, as pyoxigraph writes them)."""
        lines = ["\t".join(f"?{v}" for v in self.variables)]
        lines += ["\t".join("" if t is None else str(t) for t in row) for row in self.rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
