"""One timed load, run in a process of its own (``python -m bench.load DATA STORE``).

The phases are the loader's own functions (``alliance_kg.loaders.build``), called in the same order
as
``alliance-kg load``; beside them the same N-Quads go through a bare ``Store.bulk_load`` into a
fresh directory, the engine's limit. Prints one JSON object: seconds per phase, quad count, peak
RSS of this process.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import time
from pathlib import Path

import pyoxigraph as ox
import yaml
from alliance_kg.loaders import build, rdf
from alliance_kg.loaders.read import _Loader

from alliance_kg import canonical, paths


def _parse_only(data: Path, loader: type) -> float:
    """Seconds to parse every YAML file of ``data`` with ``loader`` (no validation)."""
    started = time.perf_counter()
    for path in sorted(data.glob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return time.perf_counter() - started


class _CLoader(yaml.CSafeLoader):
    """The loader's YAML rules (no implicit dates or booleans) on libyaml's C parser."""


_CLoader.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers


def run(data: Path, store: Path, shacl: bool, dump_to: Path | None, parse: bool) -> dict:
    phases: dict[str, float] = {}

    def timed(name, work):
        started = time.perf_counter()
        result = work()
        phases[name] = time.perf_counter() - started
        return result

    records = timed("read and validate", lambda: build.check_records(data, report=lambda m: None))
    ontology = (paths.ONTOLOGY / "alliance.ttl").read_bytes()
    quads = timed(
        "convert to RDF", lambda: rdf.to_quads(records) + list(rdf.ontology_quads(ontology))
    )
    dump = timed("serialize N-Quads", lambda: canonical.nquads(quads))
    count = len(quads)
    quads = records = None  # free them before the write, as the loader would not
    if shacl:
        timed("SHACL", lambda: build._shacl(dump, files={}))
    if store.is_symlink():  # the previous run's build: start from nothing, as a first load does
        store.unlink()
    shutil.rmtree(store.parent / (store.name + ".builds"), ignore_errors=True)
    timed("write store", lambda: build.write_store(store, dump, report=lambda m: None))

    raw = store.parent / "raw-bulk-load"
    shutil.rmtree(raw, ignore_errors=True)

    def bulk() -> None:
        s = ox.Store(str(raw))
        s.bulk_load(dump, format=ox.RdfFormat.N_QUADS)
        s.flush()
        del s

    timed("raw bulk_load", bulk)
    shutil.rmtree(raw)
    if dump_to is not None:
        dump_to.write_bytes(dump)
    out = {
        "quads": count,
        "dump_bytes": len(dump),
        "phases": phases,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if parse:  # how much of "read and validate" is the pure-Python YAML parser
        out["yaml_parse_python"] = _parse_only(data, _Loader)
        out["yaml_parse_libyaml"] = _parse_only(data, _CLoader)
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("data", type=Path)
    p.add_argument("store", type=Path)
    p.add_argument("--shacl", action="store_true")
    p.add_argument("--dump", type=Path)
    p.add_argument("--parse", action="store_true")
    a = p.parse_args()
    print(json.dumps(run(a.data, a.store, a.shacl, a.dump, a.parse)))


if __name__ == "__main__":
    main()
