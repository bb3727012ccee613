"""Properties of the builder for any text (issue 8).

For any Unicode text, building it with the model-free pipeline (the Python
API ``graph.build``, which ``kg build --model blank`` calls):

* does not crash (text with no word in it is the one documented error,
  ``InputError``: "empty document");
* gives outputs in every RDF format that pyoxigraph parses, and a graph that
  conforms to the SHACL shapes;
* is deterministic: a rebuild is byte-identical in every format, also with
  the input files in another order, and in another process with another
  ``PYTHONHASHSEED``.

Example counts are modest so that the suite stays quick; ``deadline=None``
because the first example loads the pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import REPO
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from strategies import HOSTILE, any_text, corpus

import graph
from graph import exporters
from graph.errors import InputError
from graph.rdf.convert import to_rdf
from graph.rdf.validate import validate

RDF = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
       "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}
def SETTINGS(max_examples: int) -> settings:
    return settings(max_examples=max_examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def build(inputs: list) -> graph.KnowledgeGraph | None:  # type: ignore[type-arg]
    """Build with the blank pipeline; None for the documented errors: a text
    without a word, or a file with a NUL in its first 4 KB (binary)."""
    try:
        return graph.build(inputs, model="blank")
    except InputError as err:
        assert "empty document" in str(err) or "looks like a binary file" in str(err), err
        return None


def all_outputs(kg: graph.KnowledgeGraph) -> dict[str, object]:
    return {name: exporters.export(kg, name) for name in exporters.available()}


@pytest.mark.slow
@SETTINGS(60)
@given(text=any_text())
@example(text="Acme Corp. acquired Widgets Inc. in 2020.\r\nNvidia Corp. makes the H100 chip.")
@example(text="\ufeff" + " ".join(HOSTILE))
@example(text=" \n\t\u00a0")
def test_properties_any_text_builds_parses_and_conforms(text: str, tmp_path_factory) -> None:
    # as kg build reads it: a file (a NUL in its first 4 KB makes it "binary")
    path = tmp_path_factory.mktemp("text") / "doc.txt"
    path.write_text(text, encoding="utf-8", newline="")
    from_file = build([path])
    if not os.path.exists(text):  # a str naming a path is read as that path, not as text
        raw = build([text])
        assert (raw is None) == (not text.replace("\x00", "").strip())
        if from_file is not None:
            assert raw is not None and sorted(raw.triples()) == sorted(from_file.triples())
    kg = from_file
    if kg is None:
        assert not text.replace("\x00", "").strip() or "\x00" in text[:4096]
        return
    outputs = all_outputs(kg)
    for name, fmt in RDF.items():
        list(ox.parse(outputs[name], format=fmt))  # type: ignore[arg-type]
    report = validate(to_rdf(kg))
    assert report.conforms, report.format()
    again = build([path])
    assert again == kg
    assert all_outputs(again) == outputs  # byte-identical, every format


@SETTINGS(15)
@given(corpus(), st.randoms(use_true_random=False))
def test_properties_input_order_does_not_change_the_output(texts: list[str], rnd) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, text in enumerate(texts):
            path = Path(tmp) / f"doc{i}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        shuffled = paths[:]
        rnd.shuffle(shuffled)
        first, second = build(paths), build(shuffled)
    if first is None:
        assert second is None
        return
    assert second is not None
    assert {n: exporters.export(first, n) for n in RDF} == {n: exporters.export(second, n) for n in RDF}
    assert exporters.export(first, "html") == exporters.export(second, "html")


HASH_SEED_TEXTS = [
    ("OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.\n"
    "Nvidia Corp. makes the H100 chip; DeepSeek trained DeepSeek-V3 on 2,048 H800 chips.\n"
    "Microsoft invested $10 billion in OpenAI. Its chief executive, Satya Nadella, said so."),
    "- Nvidia Corp.\nIt makes the H100. The chipmaker is based in Santa Clara.\n"
    + " ".join(HOSTILE).replace("\x00", "") + "\nAcme Corp. acquired Widgets Inc. 🦄 in 2020.",
]


@pytest.mark.slow
def test_properties_rebuild_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    """``kg build -f all`` in two processes with other hash seeds writes the same bytes."""
    for i, text in enumerate(HASH_SEED_TEXTS):
        (tmp_path / f"doc{i}.txt").write_text(text, encoding="utf-8")
    files = sorted(str(p) for p in tmp_path.glob("doc*.txt"))
    snapshots = []
    for seed, order in (("1", files), ("4242", files[::-1])):
        out = tmp_path / f"out-{seed}"
        res = subprocess.run([sys.executable, "-m", "graph", "build", *order, "-o", str(out), "--model", "blank",
                              "-f", "all", "-q"], cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert res.returncode == 0, res.stderr
        snapshots.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
                          if p.is_file()})
    assert snapshots[0] == snapshots[1]
    assert len(snapshots[0]) >= len(exporters.available())
