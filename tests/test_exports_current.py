"""The committed outputs in exports/ are what the current code builds."""

from conftest import REPO


def test_exports_committed_sample_outputs_are_current(sample_kg):
    from graph import exporters

    for name, fmt in (("graph.ttl", "turtle"), ("graph.html", "html")):
        committed = (REPO / "exports" / name).read_bytes()
        fresh = exporters.export(sample_kg, fmt)
        assert committed == fresh, f"exports/{name} is stale: run `make demo` (or `kg build`) and commit it"
