"""CSV for graph databases: RFC 4180 fields, formula neutralising, names.

Shared by the Neo4j and Kùzu bundles. The rules, stated once:

* **RFC 4180.** Fields are separated by ``,``, records end with CRLF, and a
  field is quoted (``"``, inner quotes doubled) when it contains a comma, a
  quote, CR or LF, has leading or trailing white space, or is the empty
  string. An absent value (``None``) is an empty, unquoted field, so
  loaders can tell "no value" (empty) from "empty text" (``""``).
* **Formula neutralising.** A string *property* value that starts with
  ``=``, ``+``, ``-``, ``@``, TAB or CR (which a spreadsheet would run as a
  formula, OWASP "CSV injection") gets one leading ``'``. So does a value
  that already starts with ``'``, which makes the rule reversible: a loader
  drops exactly one leading ``'`` from every string value that has one
  (:func:`unneutralise`; the Kùzu ``load.cypher`` and the Neo4j
  ``post-import.cypher`` do it). Ids, labels, relationship types and numbers
  are never changed, so they load and match as they are, negative numbers
  included. Each element of a string array is neutralised on its own.
* **Array delimiter.** Arrays (``:LABEL``, ``aliases``) are joined with the
  first of :data:`ARRAY_DELIMITERS` that occurs in none of the elements, so
  no element is ever split; the bundle's README and load script name the
  one used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

#: First characters a spreadsheet treats as the start of a formula.
FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
#: What neutralising puts in front of such a value.
NEUTRALISER = "'"
#: Array delimiters, in order of preference (``;`` is Neo4j's default).
ARRAY_DELIMITERS: tuple[str, ...] = (";", "|", "\u00a6", "\u001f")

_SURROGATE = re.compile("[\ud800-\udfff]")
_NEEDS_QUOTES = re.compile(r'[,"\r\n]')
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def clean_text(value: str) -> str:
    """Replace lone surrogates (which UTF-8 cannot encode) with U+FFFD.

    Examples:
        >>> clean_text("ok \\ud800")
        'ok \\ufffd'
    """
    return _SURROGATE.sub("\ufffd", value)


def neutralise(value: str) -> str:
    """Prefix ``'`` to a value a spreadsheet would read as a formula.

    Examples:
        >>> neutralise('=HYPERLINK("http://x")')
        '\\'=HYPERLINK("http://x")'
        >>> neutralise("-5"), neutralise("'quoted"), neutralise("Nvidia")
        ("'-5", "''quoted", 'Nvidia')
    """
    if value.startswith((*FORMULA_TRIGGERS, NEUTRALISER)):
        return NEUTRALISER + value
    return value


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise`: drop one leading ``'``.

    Examples:
        >>> unneutralise(neutralise("+1")), unneutralise(neutralise("'x"))
        ('+1', "'x")
    """
    return value[1:] if value.startswith(NEUTRALISER) else value


def csv_field(value: str | None) -> str:
    """Return one RFC 4180 field; ``None`` is an empty, unquoted field.

    Examples:
        >>> csv_field('O\\'Brien "Bob", Ltd.')
        '"O\\'Brien ""Bob"", Ltd."'
        >>> csv_field(""), csv_field(None), csv_field("plain")
        ('""', '', 'plain')
    """
    if value is None:
        return ""
    if value == "" or _NEEDS_QUOTES.search(value) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_table(header: Sequence[str], rows: Iterable[Sequence[str | None]]) -> bytes:
    """Return a whole CSV file (UTF-8, CRLF records, no BOM).

    Examples:
        >>> csv_table(["id", "name"], [["a", "x,y"], ["b", None]])
        b'id,name\\r\\na,"x,y"\\r\\nb,\\r\\n'
    """
    lines = [",".join(csv_field(h) for h in header)]
    for row in rows:
        if len(row) != len(header):
            raise ValueError(f"CSV row has {len(row)} fields, header has {len(header)}")
        lines.append(",".join(csv_field(v) for v in row))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def pick_array_delimiter(elements: Iterable[str]) -> str:
    """Return the first of :data:`ARRAY_DELIMITERS` found in no element.

    If every candidate occurs somewhere, the last one (U+001F, a control
    character) is returned and :func:`join_array` replaces it inside
    elements with U+FFFD.

    Examples:
        >>> pick_array_delimiter(["Alibaba", "Alibaba Group"])
        ';'
        >>> pick_array_delimiter(["a;b"])
        '|'
    """
    seen = set("".join(elements))
    for d in ARRAY_DELIMITERS:
        if d not in seen:
            return d
    return ARRAY_DELIMITERS[-1]


def join_array(elements: Sequence[str], delimiter: str) -> str | None:
    """Join array elements for a CSV cell; an empty array is ``None``.

    Examples:
        >>> join_array(["Company", "Organization"], ";")
        'Company;Organization'
        >>> join_array([], ";") is None
        True
    """
    if not elements:
        return None
    return delimiter.join(e.replace(delimiter, "\ufffd") for e in elements)


def upper_snake(name: str) -> str:
    """Return a camelCase name in Neo4j's UPPER_SNAKE relationship style.

    Examples:
        >>> upper_snake("partnerIn"), upper_snake("headquarteredIn"), upper_snake("ceoOf")
        ('PARTNER_IN', 'HEADQUARTERED_IN', 'CEO_OF')
    """
    return _CAMEL.sub("_", name).upper()


def format_number(value: int | float | Decimal) -> str:
    """Return a number as CSV text that Neo4j, Kùzu and Python all parse.

    Decimals are written in plain notation (no exponent), floats with
    ``repr`` (shortest round-trip form), integers as they are.

    Examples:
        >>> format_number(Decimal("5.576E+6")), format_number(0.1), format_number(-3)
        ('5576000', '0.1', '-3')
    """
    if isinstance(value, bool):
        raise TypeError("booleans are not numbers here")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"number {value!r} is not finite")
        return format(value, "f")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"number {value!r} is not finite")
        return repr(value)
    return str(int(value))
