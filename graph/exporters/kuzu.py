"""Kùzu: schema DDL, node and relationship CSVs, and the ``COPY`` statements.

A bundle (written as the folder ``exports/kuzu/``):

* ``schema.cypher``: one node table ``Entity`` and one relationship table
  per ontology predicate, named in UPPER_SNAKE (``PARTNER_IN``...), all
  ``FROM Entity TO Entity``. Every predicate has its table, used or not,
  so a query naming any of them is valid on any export.
* ``nodes.csv`` and ``relationships_<TYPE>.csv`` (one per type that has
  relationships): the CSV rules of :mod:`graph.exporters.tabular`.
* ``load.cypher``: one ``COPY <table> FROM (LOAD WITH HEADERS (...) FROM
  "<file>" (...) RETURN ...)`` per file. The ``RETURN`` splits the joined
  ``labels`` and ``aliases`` into ``STRING[]`` and undoes formula
  neutralising, so the database holds the original text.
* ``README.md``: the schema, how to load, example queries.

Why one ``Entity`` table: relations cross classes freely (an Organization
``uses`` a Product, a Technology or an Approach), and Kùzu needs a table
pair per relationship table; with one node table every pattern is
natural (``(o:Entity)-[:PARTNER_IN]->(p:Entity)``) and the class is a
filter: ``list_contains(n.labels, 'Organization')`` or ``n.type = 'Chip'``.

Kùzu reads an empty text field (``""``) as NULL, so empty strings load as
NULL. Paths in ``load.cypher`` are relative: run it from the bundle folder.
"""

from __future__ import annotations

from collections import defaultdict

from graph.exporters import register
from graph.exporters.propgraph import (
    NODE_PROPERTIES,
    PROPERTY_DOCS,
    RELATION_PROPERTIES,
    RELATIONSHIP_TYPES,
    Property,
    Value,
    class_labels,
    documents_by_id,
    node_values,
    ordered_relations,
    relation_values,
    relationship_type,
    string_elements,
)
from graph.exporters.tabular import (
    NEUTRALISER,
    clean_text,
    csv_table,
    format_number,
    join_array,
    neutralise,
    pick_array_delimiter,
)
from graph.model import KnowledgeGraph, Relation

_KUZU_TYPE = {"string": "STRING", "string[]": "STRING[]", "long": "INT64", "double": "DOUBLE"}
#: CSV options of every ``LOAD`` (multi-line quoted fields need ``PARALLEL=false``).
CSV_OPTIONS = "(HEADER=true, DELIM=',', QUOTE='\"', ESCAPE='\"', PARALLEL=false)"

NODE_COLUMNS: tuple[Property, ...] = (Property("id", "string"), Property("labels", "string[]"),
                                      *NODE_PROPERTIES)
REL_COLUMNS: tuple[Property, ...] = (Property("from", "string"), Property("to", "string"),
                                     *RELATION_PROPERTIES)


def relationship_file(rtype: str) -> str:
    """Return the CSV file name of a relationship table.

    Examples:
        >>> relationship_file("PARTNER_IN")
        'relationships_PARTNER_IN.csv'
    """
    return f"relationships_{rtype}.csv"


def schema() -> str:
    """Return the DDL: the ``Entity`` node table and every relationship table.

    Examples:
        >>> schema().splitlines()[0][:60]
        'CREATE NODE TABLE Entity(id STRING PRIMARY KEY, labels STRIN'
    """
    cols = ", ".join(f"{p.name} {_KUZU_TYPE[p.kind]}" for p in NODE_COLUMNS[1:])
    lines = [f"CREATE NODE TABLE Entity(id STRING PRIMARY KEY, {cols});"]
    rcols = ", ".join(f"{p.name} {_KUZU_TYPE[p.kind]}" for p in RELATION_PROPERTIES)
    lines += [f"CREATE REL TABLE {t}(FROM Entity TO Entity, {rcols});" for t in RELATIONSHIP_TYPES]
    return "\n".join(lines) + "\n"


def _restore(expr: str) -> str:
    q = f'"{NEUTRALISER}"'
    return f"CASE WHEN starts_with({expr}, {q}) THEN substring({expr}, 2, size({expr})) ELSE {expr} END"


def _select(p: Property, delimiter: str, column: str) -> str:
    if p.kind == "string[]":
        split = f"list_transform(string_split({column}, '{delimiter}'), x -> {_restore('x')})"
        if p.name == "labels":  # class names: never neutralised
            split = f"string_split({column}, '{delimiter}')"
        return f"CASE WHEN {column} IS NULL THEN NULL ELSE {split} END"
    if p.kind == "string" and p.name not in ("id", "from", "to"):
        return _restore(column)
    return column


def copy_statement(table: str, file: str, columns: tuple[Property, ...], delimiter: str) -> str:
    """Return the ``COPY`` of one CSV file into its table.

    The CSV is read with typed columns (arrays as text, split here), and
    every text value gets its neutralising ``'`` removed.
    """
    names = [f"_{p.name}" for p in columns]  # prefixed: `from`, `to`, `count` are keywords
    typed = ", ".join(f"{n} {'STRING' if p.kind == 'string[]' else _KUZU_TYPE[p.kind]}"
                      for n, p in zip(names, columns, strict=True))
    selects = ",\n    ".join(_select(p, delimiter, n) for n, p in zip(names, columns, strict=True))
    return (f'COPY {table} FROM (\n  LOAD WITH HEADERS ({typed})\n  FROM "{file}" {CSV_OPTIONS}\n'
            f"  RETURN {selects}\n);")


def _cell(value: Value, prop: Property, delimiter: str) -> str | None:
    if value is None:
        return None
    if prop.kind == "string[]":
        if not isinstance(value, list):
            raise TypeError(f"{prop.name}: expected a list, got {value!r}")
        return join_array([neutralise(clean_text(v)) for v in value], delimiter)
    if prop.kind == "string":
        if not isinstance(value, str):
            raise TypeError(f"{prop.name}: expected a string, got {value!r}")
        return neutralise(clean_text(value))
    if isinstance(value, (str, list)):
        raise TypeError(f"{prop.name}: expected a number, got {value!r}")
    return format_number(value)


def _readme(delimiter: str, n_nodes: int, counts: dict[str, int]) -> str:
    shown = delimiter if delimiter in ";|" else f"U+{ord(delimiter):04X}"
    props_n = "\n".join(f"| `{p.name}` | {_KUZU_TYPE[p.kind]} | {PROPERTY_DOCS[p.name]} |" for p in NODE_PROPERTIES)
    props_r = "\n".join(f"| `{p.name}` | {_KUZU_TYPE[p.kind]} | {PROPERTY_DOCS[p.name]} |"
                        for p in RELATION_PROPERTIES)
    files = "\n".join(f"| `{relationship_file(t)}` | {t} | {n} |" for t, n in sorted(counts.items()))
    return f"""\
# Kùzu bundle (entity-kg)

{n_nodes} entities and {sum(counts.values())} relationships, written by `kg build --format kuzu`.

## Load

From **this folder** (the paths in `load.cypher` are relative), with the `kuzu` Python package:

```python
from pathlib import Path
import kuzu

db = kuzu.Database("kg.kuzu")
conn = kuzu.Connection(db)
for script in ("schema.cypher", "load.cypher"):
    conn.execute(Path(script).read_text(encoding="utf-8"))
conn.close()
db.close()
```

## Schema

One node table, `Entity`, and one relationship table per ontology predicate (all of them,
so every query below is valid on any export), `FROM Entity TO Entity`, named in UPPER_SNAKE
(`partnerIn` is `PARTNER_IN`). The class is a property: `n.type` (most specific) and
`n.labels` (the class and its superclasses), e.g. `list_contains(n.labels, 'Organization')`.

| `Entity` column | type | meaning |
|---|---|---|
| `id` | STRING, primary key | the entity id (a stable slug) |
| `labels` | STRING[] | the class and its superclasses |
{props_n}

| relationship column | type | meaning |
|---|---|---|
{props_r}

| file | table | rows |
|---|---|---|
| `nodes.csv` | Entity | {n_nodes} |
{files}

## Encoding

The CSVs are UTF-8, RFC 4180 (CRLF records; fields with a comma, quote, CR or LF are quoted;
an empty unquoted field is NULL). `labels` and `aliases` are joined with `{shown}`, which
occurs in none of their elements; `load.cypher` splits them. Text that starts with `=`, `+`,
`-`, `@`, TAB, CR or `'` has one extra leading `'` in the CSV (against spreadsheet formula
injection); `load.cypher` removes it, so the database holds the original text. Kùzu reads
empty text as NULL.

## Example queries

```cypher
MATCH (o:Entity)-[:PARTNER_IN]->(p:Entity)
WHERE p.label = 'Stargate Project' OR list_contains(p.aliases, 'Stargate Project') RETURN o.label;
MATCH (s:Entity)-[:SUPPLIER_OF]->(c:Entity {{label: 'H800'}}) RETURN s.label;
MATCH (d:Entity)-[:DEVELOPER_OF]->(m:Entity)-[:TRAINED_ON]->(c:Entity) RETURN d.label, m.label, c.label;
MATCH (a:Entity)-[r]->(b:Entity) WHERE list_contains(a.labels, 'Organization')
RETURN a.label, label(r), b.label, r.sentence;
```
"""


@register("kuzu", suffix="", media_type="text/csv", bundle=True)
def generate_kuzu(kg: KnowledgeGraph) -> dict[str, bytes]:
    """Return the Kùzu bundle: ``{file name: bytes}`` (deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> files = generate_kuzu(KnowledgeGraph(entities=(
        ...     Entity(id="acme", type="Company", label="Acme"),)))
        >>> sorted(files)
        ['README.md', 'load.cypher', 'nodes.csv', 'schema.cypher']
        >>> files["nodes.csv"].splitlines()[1]
        b'acme,Company;Organization,Acme,Company,,,,,0'
    """
    delimiter = pick_array_delimiter(string_elements(kg))
    node_rows = []
    for ent in kg.entities:
        values = node_values(ent)
        row = [ent.id, join_array(list(class_labels(ent.type)), delimiter)]
        row += [_cell(values[p.name], p, delimiter) for p in NODE_PROPERTIES]
        node_rows.append(row)
    by_type: dict[str, list[Relation]] = defaultdict(list)
    for rel in ordered_relations(kg):
        by_type[relationship_type(rel.predicate)].append(rel)
    files = {
        "schema.cypher": schema().encode("utf-8"),
        "nodes.csv": csv_table([p.name for p in NODE_COLUMNS], node_rows),
    }
    load = ["// Run from this folder, after schema.cypher.",
            copy_statement("Entity", "nodes.csv", NODE_COLUMNS, delimiter)]
    counts = {}
    documents = documents_by_id(kg)
    for rtype in RELATIONSHIP_TYPES:
        rels = by_type.get(rtype)
        if not rels:
            continue
        rows = []
        for rel in rels:
            rvalues = relation_values(rel, documents)
            rows.append([rel.subject, rel.object,
                         *(_cell(rvalues[p.name], p, delimiter) for p in RELATION_PROPERTIES)])
        files[relationship_file(rtype)] = csv_table([p.name for p in REL_COLUMNS], rows)
        load.append(copy_statement(rtype, relationship_file(rtype), REL_COLUMNS, delimiter))
        counts[rtype] = len(rows)
    files["load.cypher"] = ("\n".join(load) + "\n").encode("utf-8")
    files["README.md"] = _readme(delimiter, len(node_rows), counts).encode("utf-8")
    return files
