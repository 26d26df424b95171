"""One timed load, run in a process of its own (``python -m bench.load DATA STORE``).

The load is the loader's own (``alliance_kg.loaders.build.load``, as ``alliance-kg load`` runs
it) and the figures are its phases: seconds and peak RSS of each. Beside them the canonical
dump goes through a bare ``Store.bulk_load`` into a fresh directory, the engine's limit.
Prints one JSON object: quads, dump bytes, seconds and peak RSS MB per phase, peak RSS.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import pyoxigraph as ox
from alliance_kg.loaders import build


def run(data: Path, store: Path, dump_to: Path | None) -> dict:
    if store.is_symlink():  # the previous run's build: start from nothing, as a first load does
        store.unlink()
    shutil.rmtree(store.parent / (store.name + ".builds"), ignore_errors=True)
    store.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=store.parent) as scratch:
        dump = dump_to or Path(scratch) / "dump.nq"
        loaded = build.load(data, store, report=lambda m: None, dump_to=dump)
        phases = list(loaded.phases)

        raw = Path(scratch) / "raw-bulk-load"

        def bulk() -> None:
            s = ox.Store(str(raw))
            s.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
            s.flush()

        build.Phases(report=lambda m: None, done=phases).run("raw bulk_load", bulk)
    return {
        "quads": loaded.quads,
        "dump_bytes": loaded.dump_bytes,
        "phases": {p.name: p.seconds for p in phases},
        "phase_peak_rss_mb": {p.name: round(p.peak_rss_mb, 1) for p in phases},
        # Each phase starts its own high-water mark, so the process's peak is the largest.
        "peak_rss_mb": round(max(p.peak_rss_mb for p in loaded.phases), 1),
    }


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path)
    p.add_argument("--dump", type=Path)
    a = p.parse_args()
    print(json.dumps(run(a.data, a.store, a.dump)))


if __name__ == "__main__":
    main()
