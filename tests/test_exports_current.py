"""The committed outputs in exports/ are what the current code builds (`make demo`)."""

from conftest import REPO


def test_exports_committed_sample_outputs_are_current(sample_kg):
    from graph import exporters

    out = REPO / "exports"
    stale = []
    for name in exporters.available():
        exp = exporters.get(name)
        fresh = exporters.export(sample_kg, name)
        path = exp.default_path(out)
        if exp.bundle:
            committed = {str(p.relative_to(path)): p.read_bytes() for p in path.rglob("*") if p.is_file()} \
                if path.is_dir() else {}
            if committed != fresh:
                stale.append(str(path))
        elif not path.is_file() or path.read_bytes() != fresh:
            stale.append(str(path))
    assert stale == [], f"stale or missing in exports/: {stale}; run `make demo` (kg build --format all) and commit"
