"""The local executor's frozen pipeline load (issue 16): for ``kg build`` run as its own
process only; a caller that goes on keeps its garbage collector as it was."""

import gc

from graph.building.executors import LocalExecutor
from graph.cli.main import main
from graph.extract.extraction import get_extraction


def test_a_frozen_load_freezes_the_pipeline_and_gives_the_collector_back():
    before = gc.get_freeze_count()
    try:
        nlp = LocalExecutor(model="blank", freeze=True).nlp()
        assert gc.isenabled()
        assert gc.get_freeze_count() > before
        texts = [m.text for m in get_extraction(nlp("Nvidia makes the H100.")).mentions]
        assert texts == ["Nvidia", "H100"]
    finally:
        gc.unfreeze()


def test_a_frozen_load_leaves_a_disabled_collector_disabled():
    gc.disable()
    try:
        LocalExecutor(model="blank", freeze=True).nlp()
        assert not gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def test_kg_build_called_in_process_freezes_nothing(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("Nvidia makes the H100 in Santa Clara.", encoding="utf-8")
    before = gc.get_freeze_count()
    assert main(["build", str(src), "-o", str(tmp_path / "out"), "--model", "blank", "-q"]) == 0
    assert (tmp_path / "out" / "graph.ttl").exists()
    assert gc.get_freeze_count() == before
    assert gc.isenabled()
