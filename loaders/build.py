"""`alliance-kg validate` and `alliance-kg load`: records → checks → RDF → SHACL → store."""

import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
from alliance_kg.loaders import integrity, rdf
from alliance_kg.loaders.read import RecordError, read
from alliance_kg.loaders.records import RECORD_TYPES

from alliance_kg import canonical, iri, paths
from alliance_kg import store as stores


class BuildFailed(Exception):
    def __init__(self, errors: list):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _phase(name: str, work: Callable, report: Callable = _progress):
    started = time.perf_counter()
    result = work()
    report(f"  {name}: {time.perf_counter() - started:.2f} s")
    return result


def check_records(data_dir: Path, report: Callable = _progress):
    """Read and cross-check the records; raise BuildFailed with every error found."""
    records = _phase("read and validate records", lambda: read(data_dir), report)
    errors = list(records.errors)
    if not errors:  # references only mean something once every record parsed
        errors = _phase("cross-record checks", lambda: integrity.check(records), report)
    if errors:
        raise BuildFailed(errors)
    return records


def build_quads(
    data_dir: Path, report: Callable = _progress, shapes: bool = True
) -> tuple[list[ox.Quad], bytes]:
    """Everything the store will hold, and its canonical N-Quads dump; ``shapes=False`` skips
    the SHACL check, the slowest step by far (for tests that need a store of data/ quickly)."""
    records = check_records(data_dir, report)
    ontology = (paths.ONTOLOGY / "alliance.ttl").read_bytes()
    quads = _phase(
        "convert to RDF", lambda: rdf.to_quads(records) + list(rdf.ontology_quads(ontology)), report
    )
    dump = canonical.nquads(quads)
    if not shapes:
        return quads, dump
    files = {
        (RECORD_TYPES[stem][1], r.id): file
        for stem in records.by_file
        for file, r in records.with_files(stem)
    }
    _phase("SHACL shapes", lambda: _shacl(dump, files), report)
    return quads, dump


def _shacl(dump: bytes, files: dict[tuple[str, str], str]) -> None:
    # Imported here: SHACL is the one step that needs rdflib, and loading it takes a second.
    import pyshacl
    import rdflib

    data = rdflib.Graph()
    # The shapes see the union of all graphs, as queries do.
    data.parse(
        data=ox.serialize(
            (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(dump, format=ox.RdfFormat.N_QUADS)
            ),
            format=ox.RdfFormat.N_TRIPLES,
        ),
        format="nt",
    )
    shapes = rdflib.Graph().parse(paths.ONTOLOGY / "shapes.ttl", format="turtle")
    conforms, report, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    errors = []
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        focus = str(report.value(result, sh.focusNode))
        path = report.value(result, sh.resultPath)
        message = report.value(result, sh.resultMessage) or "does not conform"
        errors.append(
            RecordError(*_record_of(focus, files), field=_short(path), message=str(message))
        )
    if errors:
        raise BuildFailed(sorted(set(errors)))


def _record_of(focus: str, files: dict[tuple[str, str], str]) -> tuple[str, str]:
    """Which file and record a node of the graph came from, for error messages."""
    parsed = iri.parse_entity(focus.partition("#")[0])
    if parsed and parsed in files:
        return files[parsed], parsed[1]
    return "(graph)", focus


def _short(path) -> str:
    if path is None:
        return ""
    text = str(path)
    for prefix, namespace in rdf.NS.items():
        if text.startswith(namespace):
            return f"{prefix}:{text[len(namespace) :]}"
    return text


def write_store(location: Path, dump: bytes, report: Callable = _progress) -> Path:
    """Write a new build beside the live one, then swap it in; the old one stays on failure."""
    version = canonical.content_hash(dump)
    partial = stores.new_build_dir(location)

    def write() -> None:
        store = ox.Store(str(partial))
        store.bulk_load(dump, format=ox.RdfFormat.N_QUADS)
        store.bulk_extend(stores.default_graph_merge(store))
        store.flush()
        store.optimize()
        del store  # closes RocksDB before the directory is renamed

    _phase("write store", write, report)
    return stores.publish(location, partial, version)


def validate(data_dir: Path) -> None:
    """Check the records; raises :class:`BuildFailed` with every error found."""
    _progress(f"Checking records in {data_dir}")
    records = check_records(data_dir)
    count = sum(len(rs) for rs in records.by_file.values())
    _progress(f"{count} records in {len(records.by_file)} files: no errors.")


def load(data_dir: Path, location: Path) -> Path:
    """Build a store from the records and swap it in at ``location``; returns the new build.

    Raises :class:`BuildFailed` with every error found; nothing is written then.
    """
    _progress(f"Building the store from {data_dir}")
    started = time.perf_counter()
    quads, dump = build_quads(data_dir)
    build = write_store(location, dump)
    _progress(
        f"{len(quads)} quads loaded into {location} -> {build.name} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return build
