"""RDF formats: which one a file or a format name is (the one lookup).

Only pyoxigraph is imported here, so that ``kg query`` and ``kg load`` need
no rdflib to tell a format.
"""

from __future__ import annotations

from pathlib import Path

from graph.errors import InputError

#: Oxigraph reads ``.txt`` as N-Triples; here a ``.txt`` file is always an input article.
_NOT_RDF = frozenset({"txt"})


def rdf_format(path: str | Path | None = None, name: str | None = None):  # noqa: ANN201 - a pyoxigraph.RdfFormat
    """The RDF format of a file by its suffix, or of a format name (the one format lookup).

    Suffixes are Oxigraph's (``RdfFormat.from_extension``: ``.ttl``, ``.nt``,
    ``.nq``, ``.trig``, ``.jsonld``, ``.json``, ``.rdf``, ``.xml``, ``.n3``);
    names are the export formats' names and aliases (``turtle``, ``nt``,
    ``json-ld``...) and Oxigraph's extensions (``rdf``, ``xml``, ``n3``).

    Raises:
        InputError: neither names an RDF format.

    Examples:
        >>> rdf_format("exports/graph.trig").name, rdf_format(name="json-ld").name
        ('TriG', 'JSON-LD')
    """
    import pyoxigraph

    from graph import exporters
    from graph.errors import UnknownFormatError

    if name is not None:
        ext = {"rdfxml": "rdf"}.get(name.lower(), name.lower())
        try:
            ext = exporters.get(ext).suffix.lstrip(".") or ext
        except UnknownFormatError:
            pass
        fmt = pyoxigraph.RdfFormat.from_extension(ext) if ext not in _NOT_RDF else None
        if fmt is None:
            raise InputError(f"unknown RDF format {name!r}; known: turtle, ntriples, nquads, trig, jsonld, "
                             "rdfxml (or a file suffix: ttl, nt, nq, trig, jsonld, rdf, n3)")
        return fmt
    suffix = Path(path or "").suffix.lower().lstrip(".")
    fmt = pyoxigraph.RdfFormat.from_extension(suffix) if suffix and suffix not in _NOT_RDF else None
    if fmt is None:
        raise InputError(f"cannot tell the RDF format from the suffix {('.' + suffix) if suffix else '(none)'!r}; "
                         "known: .ttl, .nt, .nq, .trig, .jsonld, .json, .rdf, .xml, .n3 (or give the format)",
                         path=str(path))
    return fmt


def is_rdf_file(path: Path) -> bool:
    """Whether ``path``'s suffix names an RDF format (:func:`rdf_format`)."""
    try:
        rdf_format(path)
    except InputError:
        return False
    return True
