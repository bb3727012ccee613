"""Neo4j bulk import: CSVs for ``neo4j-admin database import full``.

A bundle of four files (written as the folder ``exports/neo4j/``):

* ``nodes.csv``: ``id:ID``, ``:LABEL`` (the class, its superclasses and
  ``Entity``: ``Company;Organization;Entity``) and typed properties
  (``label:string``, ``aliases:string[]``, ``market_share:double``...).
* ``relationships.csv``: ``:START_ID``, ``:END_ID``, ``:TYPE`` (the
  predicate in UPPER_SNAKE: ``PARTNER_IN``, ``SUPPLIER_OF``...) and the
  evidence properties (``confidence:double``, ``sentence:string``...).
* ``post-import.cypher``: the uniqueness constraint on ``:Entity(id)`` and
  the statements that undo formula neutralising (run once, after import).
* ``README.md``: the exact import command and what each column holds.

The CSV rules (RFC 4180, formula neutralising, array delimiter) are those
of :mod:`graph.exporters.tabular`; the properties are those of
:mod:`graph.exporters.propgraph`. Doubles are declared ``double`` (not
``float``) so confidences keep their 64-bit value.
"""

from __future__ import annotations

from graph.exporters import register
from graph.exporters.propgraph import (
    CONSTRAINT,
    ENTITY_LABEL,
    NODE_PROPERTIES,
    PROPERTY_DOCS,
    RELATION_PROPERTIES,
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
from graph.model import KnowledgeGraph


def node_header() -> list[str]:
    """Return the header of ``nodes.csv``.

    Examples:
        >>> node_header()[:4]
        ['id:ID', ':LABEL', 'label:string', 'type:string']
    """
    return ["id:ID", ":LABEL", *(f"{p.name}:{p.kind}" for p in NODE_PROPERTIES)]


def relationship_header() -> list[str]:
    """Return the header of ``relationships.csv``.

    Examples:
        >>> relationship_header()[:5]
        [':START_ID', ':END_ID', ':TYPE', 'predicate:string', 'confidence:double']
    """
    return [":START_ID", ":END_ID", ":TYPE", *(f"{p.name}:{p.kind}" for p in RELATION_PROPERTIES)]


class _Encoder:
    """Encodes property values as CSV cells and notes what it neutralised."""

    def __init__(self, delimiter: str) -> None:
        self.delimiter = delimiter
        self.neutralised: set[tuple[str, str]] = set()  # (scope, property)

    def cell(self, scope: str, value: Value, prop: Property) -> str | None:
        if value is None:
            return None
        if prop.kind == "string[]":
            if not isinstance(value, list):
                raise TypeError(f"{prop.name}: expected a list, got {value!r}")
            items = [self._string(scope, prop.name, v) for v in value]
            return join_array(items, self.delimiter)
        if prop.kind == "string":
            if not isinstance(value, str):
                raise TypeError(f"{prop.name}: expected a string, got {value!r}")
            return self._string(scope, prop.name, value)
        if isinstance(value, (str, list)):
            raise TypeError(f"{prop.name}: expected a number, got {value!r}")
        return format_number(value)

    def _string(self, scope: str, name: str, value: str) -> str:
        text = clean_text(value)
        out = neutralise(text)
        if out != text:
            self.neutralised.add((scope, name))
        return out


def _restore_statements(neutralised: set[tuple[str, str]]) -> list[str]:
    out = []
    q = f'"{NEUTRALISER}"'
    for scope, prop in sorted(neutralised):
        if scope == "node" and prop == "aliases":
            out.append(
                f"MATCH (n:{ENTITY_LABEL}) WHERE any(a IN n.aliases WHERE a STARTS WITH {q}) "
                f"SET n.aliases = [a IN n.aliases | CASE WHEN a STARTS WITH {q} "
                "THEN substring(a, 1) ELSE a END];"
            )
        elif scope == "node":
            out.append(f"MATCH (n:{ENTITY_LABEL}) WHERE n.{prop} STARTS WITH {q} "
                       f"SET n.{prop} = substring(n.{prop}, 1);")
        else:
            out.append(f"MATCH ()-[r]->() WHERE r.{prop} STARTS WITH {q} "
                       f"SET r.{prop} = substring(r.{prop}, 1);")
    return out


def _delimiter_option(d: str) -> str:
    return f"'{d}'" if d in ";|" else f"U+{ord(d):04X}"


def import_command(delimiter: str) -> str:
    """Return the exact ``neo4j-admin`` command for a bundle.

    Run it from the bundle's folder with the DBMS stopped (Neo4j 5.x and
    2025.x; the database name comes right after ``full``).

    Examples:
        >>> print(import_command(";"))  # doctest: +NORMALIZE_WHITESPACE
        "$NEO4J_HOME"/bin/neo4j-admin database import full neo4j \\
          --nodes=nodes.csv --relationships=relationships.csv \\
          --delimiter=',' --array-delimiter=';' --quote='"' \\
          --multiline-fields=true --legacy-style-quoting=false \\
          --trim-strings=false --ignore-empty-strings=false \\
          --id-type=string --overwrite-destination=true
    """
    return (
        '"$NEO4J_HOME"/bin/neo4j-admin database import full neo4j \\\n'
        "  --nodes=nodes.csv --relationships=relationships.csv \\\n"
        f"  --delimiter=',' --array-delimiter={_delimiter_option(delimiter)} --quote='\"' \\\n"
        "  --multiline-fields=true --legacy-style-quoting=false \\\n"
        "  --trim-strings=false --ignore-empty-strings=false \\\n"
        "  --id-type=string --overwrite-destination=true"
    )


def _readme(delimiter: str, n_nodes: int, n_rels: int, restores: int) -> str:
    shown = delimiter if delimiter in ";|" else f"U+{ord(delimiter):04X}"
    props_n = "\n".join(f"| `{p.name}:{p.kind}` | {PROPERTY_DOCS[p.name]} |" for p in NODE_PROPERTIES)
    props_r = "\n".join(f"| `{p.name}:{p.kind}` | {PROPERTY_DOCS[p.name]} |" for p in RELATION_PROPERTIES)
    return f"""\
# Neo4j bulk import (entity-kg)

{n_nodes} nodes and {n_rels} relationships, written by `kg build --format neo4j`.

## Import

Stop the DBMS (or pick a database that does not exist yet), then run **from this folder**:

```sh
{import_command(delimiter)}
```

`--overwrite-destination=true` **replaces** the database `neo4j`; drop it to import
into a new, empty database only. The options are not defaults you can leave out:
`--multiline-fields=true` because evidence sentences may contain line breaks,
`--legacy-style-quoting=false` because a value may end in a backslash,
`--array-delimiter={shown}` because that is the delimiter of `:LABEL` and `aliases` in these files.

Then start the DBMS (on a new database name, `CREATE DATABASE <name>` first) and run once:

```sh
cypher-shell -d neo4j -f post-import.cypher
```

It creates the uniqueness constraint on `:Entity(id)` and restores the text properties
the CSVs neutralised ({restores} statement(s), see below). Run it exactly once: each
restore removes one leading `'`.

## Files

`nodes.csv`: one row per entity.

| column | meaning |
|---|---|
| `id:ID` | the entity id (a stable slug), stored as the property `id` |
| `:LABEL` | the class, its superclasses and `Entity`, e.g. `Company{shown}Organization{shown}Entity` |
{props_n}

`relationships.csv`: one row per (subject, predicate, object).

| column | meaning |
|---|---|
| `:START_ID` / `:END_ID` | subject and object entity ids |
| `:TYPE` | the predicate in UPPER_SNAKE (`partnerIn` becomes `PARTNER_IN`) |
{props_r}

## Encoding

- UTF-8 without BOM, RFC 4180: comma-separated, CRLF records, fields with a comma, quote,
  CR or LF (or leading/trailing spaces, or empty text) are quoted and inner quotes doubled.
  An empty unquoted field is "no value" (the property is not set).
- Arrays (`:LABEL`, `aliases:string[]`) are joined with `{shown}`, a character that occurs in
  none of their elements in this export.
- Formula neutralising: a text value (or array element) that starts with `=`, `+`, `-`, `@`,
  TAB, CR or `'` is written with one extra leading `'`, so a spreadsheet shows it as text.
  Ids, labels, types and numbers are never changed. `post-import.cypher` undoes it.

## Example queries

```cypher
MATCH (o:Organization)-[:PARTNER_IN]->(p:Project)
WHERE p.label = 'Stargate Project' OR 'Stargate Project' IN p.aliases RETURN o.label;
MATCH (s:Entity)-[:SUPPLIER_OF]->(c:Chip {{label: 'H800'}}) RETURN s.label;
MATCH (m:AIModel)-[:TRAINED_ON]->(c:Chip)<-[:SUPPLIER_OF]-(s:Entity) RETURN m.label, c.label, s.label;
MATCH (a:Entity)-[r:PARTNER_IN]->(b:Entity) RETURN a.label, r.sentence, r.document, r.confidence;
```
"""




@register("neo4j", suffix="", media_type="text/csv", bundle=True)
def generate_neo4j(kg: KnowledgeGraph) -> dict[str, bytes]:
    """Return the Neo4j import bundle: ``{file name: bytes}`` (deterministic).

    Examples:
        >>> from graph.model import Entity, KnowledgeGraph
        >>> files = generate_neo4j(KnowledgeGraph(entities=(
        ...     Entity(id="acme", type="Company", label="=Acme"),)))
        >>> sorted(files)
        ['README.md', 'nodes.csv', 'post-import.cypher', 'relationships.csv']
        >>> files["nodes.csv"].splitlines()[1]
        b"acme,Company;Organization;Entity,'=Acme,Company,,,,,0"
    """
    delimiter = pick_array_delimiter(string_elements(kg))
    enc = _Encoder(delimiter)
    node_rows = []
    for ent in kg.entities:
        values = node_values(ent)
        labels = join_array([*class_labels(ent.type), ENTITY_LABEL], delimiter)
        node_rows.append([ent.id, labels, *(enc.cell("node", values[p.name], p) for p in NODE_PROPERTIES)])
    rel_rows = []
    relations = ordered_relations(kg)
    documents = documents_by_id(kg)
    for rel in relations:
        values = relation_values(rel, documents)
        rel_rows.append([rel.subject, rel.object, relationship_type(rel.predicate),
                         *(enc.cell("rel", values[p.name], p) for p in RELATION_PROPERTIES)])
    restores = _restore_statements(enc.neutralised)
    post = [
        "// Run once, right after neo4j-admin import: cypher-shell -d neo4j -f post-import.cypher",
        CONSTRAINT,
        "// Undo formula neutralising: drop the one leading ' the CSV added.",
        *(restores or ["// (nothing was neutralised in this export)"]),
    ]
    return {
        "nodes.csv": csv_table(node_header(), node_rows),
        "relationships.csv": csv_table(relationship_header(), rel_rows),
        "post-import.cypher": ("\n".join(post) + "\n").encode("utf-8"),
        "README.md": _readme(delimiter, len(node_rows), len(rel_rows), len(restores)).encode("utf-8"),
    }
