"""Checks on SPARQL text before Oxigraph sees it: nesting depth and ``SERVICE``.

Two queries must never reach Oxigraph (issue 17):

* **deep nesting**. Oxigraph's parser and evaluator recurse once per
  bracket: 3,000 nested ``{`` (a 6 KB request) overflow the stack, and the
  process dies of SIGSEGV (``kg query`` exits 139; the ``kg serve`` worker is
  gone). Measured with pyoxigraph 0.5.13 on the main thread (8 MB stack):
  2,000 braces pass, 3,000 crash, 5,000 parentheses crash; the server's
  threads survived 1,500. :func:`check_query` refuses a depth over
  :data:`MAX_NESTING` (64, a twenty-fold margin; the shipped queries nest
  at most 4 deep) after one linear scan.
* **SERVICE**. A ``SERVICE <http://127.0.0.1:PORT/…>`` clause makes
  Oxigraph send an HTTP request to any address and hand back the answer (or
  "connection refused": a port scanner). It is refused unless its endpoint
  is written as a full IRI that is in the allow-list (``--allow-service``).

pyoxigraph has no public parser that returns the algebra, so the scan is a
tokenizer that skips strings, IRIs, comments, variables and prefixed names
exactly as the SPARQL grammar writes them, and treats any other run of
letters that *contains* ``service`` in any case as the keyword: Oxigraph's
parser needs no space before a keyword (``?o 1SERVICE <…>`` and
``"x"SERVICE <…>`` are SERVICE clauses to it, measured), so erring towards
"it is SERVICE" is the safe side; ``"service"``, ``<http://ex/service>``,
``?service`` and ``ex:Service`` are not.

Examples:
    >>> check_query('SELECT * WHERE { ?s ?p "SERVICE <http://x/> {}" }')
    >>> max_depth("SELECT * { { ?s ?p (1 2) } }")
    3
    >>> services("SELECT * { service silent <http://a/> { ?s ?p ?o } }")
    ['<http://a/>']
"""

from __future__ import annotations

import re
from collections.abc import Collection

from graph.errors import KGError

#: The deepest nesting of ``{``, ``(`` and ``[`` a query may have.
MAX_NESTING = 64

_PN_CHARS = r"\w\u00B7-\uFFFF"
_LOCAL_ESC = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>\#[^\r\n]*)
      | (?P<string>'''(?:'{0,2}(?:[^'\\]|\\.))*'''|\"\"\"(?:"{0,2}(?:[^"\\]|\\.))*\"\"\"
                  |'(?:[^'\\\r\n]|\\.)*'|"(?:[^"\\\r\n]|\\.)*")
      | (?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
      | (?P<var>[?$][""" + _PN_CHARS + r"""]+)
      | (?P<bnode>_:(?:[""" + _PN_CHARS + r""".\-])+)
      | (?P<pname>(?:[^\W\d_][""" + _PN_CHARS + r""".\-]*)?:(?:[""" + _PN_CHARS + r""".\-:%]|""" + _LOCAL_ESC + r""")*)
      | (?P<word>[A-Za-z0-9_]+)
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
_OPEN, _CLOSE = frozenset("{(["), frozenset("})]")


def tokens(text: str) -> list[tuple[str, str]]:
    """The query's tokens as ``(kind, text)``, without spaces and comments."""
    out = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        if kind not in ("space", "comment"):
            out.append((kind, m.group()))
    return out


def max_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings, IRIs and comments."""
    depth = deepest = 0
    for kind, tok in tokens(text):
        if kind == "other":
            if tok in _OPEN:
                depth += 1
                deepest = max(deepest, depth)
            elif tok in _CLOSE:
                depth = max(0, depth - 1)
    return deepest


def services(text: str) -> list[str]:
    """The endpoint of every ``SERVICE`` clause, as written (``<IRI>``, ``?var``, ``ex:name``...).

    A word that contains ``service`` but is not exactly the keyword
    (``1SERVICE``) counts, with its endpoint ``""``: never allowed.
    """
    toks = tokens(text)
    found = []
    for i, (kind, tok) in enumerate(toks):
        if kind == "word" and "service" in tok.lower():
            rest = toks[i + 1:i + 3]
            if tok.lower() != "service":
                found.append("")
                continue
            if rest and rest[0][0] == "word" and rest[0][1].lower() == "silent":
                rest = rest[1:]
            found.append(rest[0][1] if rest else "")
    return found


def check_query(text: str, allow_service: Collection[str] = ()) -> None:
    """Refuse a query nested too deep or with a ``SERVICE`` not allowed.

    ``allow_service`` holds endpoint URLs (``http://host/sparql``); a
    ``SERVICE`` must name one of them exactly, as a full IRI.

    Raises:
        KGError: one line saying what was refused and why.
    """
    depth = max_depth(text)
    if depth > MAX_NESTING:
        raise KGError(f"the query nests brackets {depth} deep; at most {MAX_NESTING} are allowed")
    allowed = {f"<{url}>" for url in allow_service}
    for endpoint in services(text):
        if endpoint in allowed:
            continue
        shown = endpoint[:80] or "(unreadable)"
        if not allow_service:
            raise KGError(f"SERVICE {shown} refused: federated queries are off "
                          "(allow an endpoint with --allow-service URL)")
        raise KGError(f"SERVICE {shown} refused: not an allowed endpoint (allowed: "
                      f"{', '.join(sorted(allow_service))}); write it as a full IRI")
