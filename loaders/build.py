"""`alliance-kg validate` and `alliance-kg load`: records → checks → RDF → store → SHACL → swap.

A load streams, so that its memory grows with the records, not with their quads: records are
converted one at a time into sorted chunks of N-Quads, the chunks are merged into the canonical
dump file (:mod:`alliance_kg.canonical`), the new build directory is bulk-loaded from
that file, the shapes are checked by SPARQL over the new store (:mod:`.shapes`), and only then is
the build swapped in. Each phase is timed with its peak memory (:class:`Phase`).
"""

import functools
import gc
import io
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from alliance_kg.loaders import integrity, rdf, shapes
from alliance_kg.loaders.read import RecordError, Records, read
from alliance_kg.loaders.records import RECORD_TYPES

from alliance_kg import canonical, iri, paths
from alliance_kg import store as stores


class BuildFailed(Exception):
    def __init__(self, errors: list):
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Phase:
    name: str
    seconds: float
    peak_rss_mb: float  # the most memory the process held during the phase


@dataclass
class Phases:
    """Runs the phases of a build: times each, measures its peak memory, reports it, and keeps
    a counter on stderr while it runs (:class:`Progress`)."""

    report: Callable = _progress
    progress: "Progress | None" = None
    done: list[Phase] = field(default_factory=list)

    def run(self, name: str, work: Callable, unit: str = "", total: int | None = None):
        _reset_peak_rss()
        started = time.perf_counter()
        if self.progress:
            self.progress.start(name, unit, total)
        try:
            result = work()
        finally:
            if self.progress:
                self.progress.stop()
        phase = Phase(name, time.perf_counter() - started, _peak_rss_mb())
        self.done.append(phase)
        self.report(f"  {name} (peak RSS {phase.peak_rss_mb:.0f} MB): {phase.seconds:.2f} s")
        return result

    def advance(self, n: int = 1) -> None:
        if self.progress:
            self.progress.count += n


class Progress:
    """A one-line counter of the running phase on stderr: redrawn in place every second on a
    terminal, else a plain line every ``interval`` seconds (logs stay readable)."""

    def __init__(self, stream=None, interval: float | None = None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval or (1.0 if self.tty else 30.0)
        self.count = 0
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self, name: str, unit: str, total: int | None) -> None:
        self.count, self._stop = 0, threading.Event()
        started = time.perf_counter()

        def line() -> str:
            done = f", {self.count:,}" + (f"/{total:,}" if total else "") if unit else ""
            return f"  {name}: {time.perf_counter() - started:.0f} s{done} {unit}".rstrip()

        def tick() -> None:
            while not self._stop.wait(self.interval):
                self.stream.write(f"\r{line()}\033[K" if self.tty else f"{line()}\n")
                self.stream.flush()
            if self.tty:
                self.stream.write("\r\033[K")

        self._thread = threading.Thread(target=tick, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join()


def _reset_peak_rss() -> None:
    try:  # Linux: start the high-water mark afresh, so that it is this phase's
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # elsewhere each phase's peak is the process's peak so far


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def batch(job: Callable) -> Callable:
    """Run ``job`` with Python's cycle collector off. A load holds millions of record objects
    and makes almost no cycles, and each full collection walked all of them: at 100x that was
    half the time of reading the records."""

    @functools.wraps(job)
    def run(*args, **kwargs):
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return job(*args, **kwargs)
        finally:
            if was_enabled:
                gc.enable()

    return run


def check_records(data_dir: Path, report: Callable = _progress, phases: Phases | None = None):
    """Read and cross-check the records; raise BuildFailed with every error found."""
    phases = phases or Phases(report)
    records = phases.run("read and validate", lambda: read(data_dir))
    errors = list(records.errors)
    if not errors:  # references only mean something once every record parsed
        errors = phases.run("cross-record checks", lambda: integrity.check(records))
    if errors:
        raise BuildFailed(errors)
    return records


def _quads(records: Records, phases: Phases) -> Iterator[ox.Quad]:
    """Every quad of the records and of the ontology, one record at a time."""
    for quads in rdf.Converter(records).by_record():
        yield from quads
        phases.advance()
    yield from rdf.ontology_quads((paths.ONTOLOGY / "alliance.ttl").read_bytes())


def _record_files(records: Records) -> dict[tuple[str, str], str]:
    """(IRI type, id) → the file the record came from, to name it in shape errors."""
    return {
        (RECORD_TYPES[stem][1], r.id): file
        for stem in records.by_file
        for file, r in records.with_files(stem)
    }


def _write_dump(records: Records, dump: Path, work: Path, phases: Phases) -> tuple[int, str]:
    """The canonical dump of the records in the file ``dump``: (quads, content hash)."""
    chunks = phases.run(
        "convert to RDF",
        lambda: canonical.sorted_chunks(_quads(records, phases), work),
        unit="records",
        total=sum(len(rs) for rs in records.by_file.values()),
    )
    with dump.open("wb") as out:  # the sorted chunks merged into one
        return phases.run("serialize N-Quads", lambda: canonical.merge(chunks, out))


# The graph name closing an N-Quads line (every quad of the dump is in a record's graph).
_GRAPH_NAME = re.compile(rb" <[^ >]*> \.$", re.MULTILINE)


def _fill(store: ox.Store, dump: Path, work: Path) -> None:
    """Bulk-load the dump, and the merge of its graphs as the default graph (see
    :func:`alliance_kg.store.default_graph_merge`): each line again without its graph name, a
    triple; the store keeps a triple said in many graphs once. One bulk load of both is a
    quarter faster than two."""
    triples = work / "default-graph.nt"
    with dump.open("rb") as lines, triples.open("wb") as out:
        while block := b"".join(lines.readlines(1 << 24)):
            merged, replaced = _GRAPH_NAME.subn(b" .", block)
            if replaced != block.count(b"\n"):
                raise ValueError("a quad of the dump is not in a named graph")
            out.write(merged)
    with dump.open("rb") as quads, triples.open("rb") as merged:
        both = io.BufferedReader(_Concatenated(quads, merged), 1 << 20)
        store.bulk_load(both, format=ox.RdfFormat.N_QUADS)
    triples.unlink()


class _Concatenated(io.RawIOBase):
    """Binary files read one after the other, as one."""

    def __init__(self, *files):
        self.files = list(files)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while self.files:
            n = self.files[0].readinto(buffer)
            if n:
                return n
            self.files.pop(0)
        return 0


def shape_errors(
    store: ox.Store, files: dict[tuple[str, str], str], advance: Callable = lambda: None
) -> list[RecordError]:
    """What the shapes say about the store's default graph, as errors naming the record (by
    ``files``: (IRI type, id) → file), the property and the shape's message."""
    errors = set()
    # The store answers queries without holding the GIL: one thread per core.
    with ThreadPoolExecutor(os.cpu_count()) as pool:
        found = pool.map(lambda check: list(shapes.violations(store, check)), _shape_checks(store))
        for violations in found:
            for v in violations:
                errors.add(RecordError(*_record_of(v.focus, files), _short(v.path), v.message))
            advance()
    return sorted(errors)


def _shape_checks(store: ox.Store) -> list[shapes.Check]:
    turtle = (paths.ONTOLOGY / "shapes.ttl").read_bytes()
    return shapes.checks(turtle, shapes.subclasses(store))


def _check_shapes(store: ox.Store, files: dict[tuple[str, str], str], phases: Phases) -> None:
    errors = phases.run(
        "SHACL",
        lambda: shape_errors(store, files, phases.advance),
        unit="queries",
        total=len(_shape_checks(store)),
    )
    if errors:
        raise BuildFailed(errors)


def _record_of(focus: str, files: dict[tuple[str, str], str]) -> tuple[str, str]:
    """Which file and record a node of the graph came from, for error messages."""
    parsed = iri.parse_entity(focus.partition("#")[0])
    if parsed and parsed in files:
        return files[parsed], parsed[1]
    return "(graph)", focus


def _short(path: str | None) -> str:
    if path is None:
        return ""
    for prefix, namespace in rdf.NS.items():
        if path.startswith(namespace):
            return f"{prefix}:{path[len(namespace) :]}"
    return path


@batch
def build_quads(
    data_dir: Path, report: Callable = _progress, shapes: bool = True
) -> tuple[int, bytes]:
    """The number of quads the store will hold and their canonical dump, for data small enough
    to keep in memory (tests); ``shapes=False`` skips the SHACL check."""
    phases = Phases(report)
    records = check_records(data_dir, phases=phases)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "dump.nq"
        count, _ = _write_dump(records, dump, Path(work), phases)
        if shapes:
            store = ox.Store()
            _fill(store, dump, Path(work))
            _check_shapes(store, _record_files(records), phases)
        return count, dump.read_bytes()


def write_store(location: Path, dump: bytes, report: Callable = _progress) -> Path:
    """Write a store of a canonical dump beside the live one and swap it in (no shapes)."""
    partial = stores.new_build_dir(location)
    work = Path(f"{partial}.work")
    try:
        work.mkdir()
        (work / "dump.nq").write_bytes(dump)

        def write() -> None:
            store = ox.Store(str(partial))
            _fill(store, work / "dump.nq", work)
            store.flush()  # and closes RocksDB on return, before the directory is renamed

        Phases(report).run("write store", write)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return stores.publish(location, partial, canonical.content_hash(dump))


@dataclass
class Loaded:
    build: Path  # the build directory the store location now points at
    quads: int
    dump_bytes: int
    phases: list[Phase]


@batch
def validate(data_dir: Path) -> None:
    """Check the records; raises :class:`BuildFailed` with every error found."""
    _progress(f"Checking records in {data_dir}")
    records = check_records(data_dir)
    count = sum(len(rs) for rs in records.by_file.values())
    _progress(f"{count} records in {len(records.by_file)} files: no errors.")


@batch
def load(
    data_dir: Path,
    location: Path,
    report: Callable = _progress,
    progress: Progress | None = None,
    dump_to: Path | None = None,
) -> Loaded:
    """Build a store from the records and swap it in at ``location``; ``dump_to`` keeps the
    canonical dump there.

    Raises :class:`BuildFailed` with every error found; nothing is written then.
    """
    report(f"Building the store from {data_dir}")
    started = time.perf_counter()
    phases = Phases(report, progress)
    records = check_records(data_dir, phases=phases)
    partial = stores.new_build_dir(location)
    work = Path(f"{partial}.work")  # beside the build: a killed load's is removed with it
    store = None
    try:
        work.mkdir()
        dump = work / "dump.nq"
        count, version = _write_dump(records, dump, work, phases)
        files = _record_files(records)
        del records  # the records are in the dump now; the store needs the memory
        store = ox.Store(str(partial))
        phases.run("write store", lambda: _fill(store, dump, work))
        _check_shapes(store, files, phases)
        phases.run("optimize store", lambda: (store.flush(), store.optimize()))
        del store  # closes RocksDB before the directory is renamed
        dump_bytes = dump.stat().st_size
        if dump_to:
            shutil.move(dump, dump_to)
    except BaseException:
        store = None  # closes RocksDB before its directory goes
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    build = stores.publish(location, partial, version)
    report(
        f"{count} quads loaded into {location} -> {build.name} "
        f"in {time.perf_counter() - started:.1f} s"
    )
    return Loaded(build, count, dump_bytes, phases.done)
