"""Paths of the data installed with the package (ontology, patterns, sample).

The only module that asks where package data lives, so a plain
``pip install .`` (non-editable) and a source checkout behave the same.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _path(package: str, name: str) -> Path:
    ref = resources.files(package).joinpath(name)
    return Path(str(ref))


def ontology_path(name: str = "kg.ttl") -> Path:
    """Return the path of an ontology file (``kg.ttl`` or ``shapes.ttl``).

    Installed, the files are the package ``graph.ontology``; in a source
    checkout that is not installed they are the top-level ``ontology/``.
    """
    try:
        return _path("graph.ontology", name)
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "ontology" / name


def pattern_path(name: str) -> Path:
    """Return the path of a pattern file under ``graph/patterns``."""
    return _path("graph.patterns", name)


def sample_path() -> Path:
    """Return the path of the bundled sample article."""
    return _path("graph.data", "deepseek-nine-questions.txt")


def query_dir() -> Path:
    """Return the folder of the shipped SPARQL queries."""
    return _path("graph", "queries")


def query_names() -> list[str]:
    """Return the names of the shipped SPARQL queries (``graph/queries/*.rq``), sorted."""
    folder = query_dir()
    return sorted(p.name[:-3] for p in folder.iterdir() if p.name.endswith(".rq")) if folder.is_dir() else []


def query_text(name: str) -> str:
    """Return the text of the shipped SPARQL query ``name`` (without ``.rq``).

    Raises:
        FileNotFoundError: no shipped query has that name.
    """
    return query_dir().joinpath(f"{name}.rq").read_text(encoding="utf-8")
