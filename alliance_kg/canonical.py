"""The canonical N-Quads dump and its content hash: the one definition both have.

The loader writes the store from the canonical dump and names the build by its hash; the
published dumps and the VoID description give the same bytes and the same hash for that store.

>>> import pyoxigraph as ox
>>> s, p = ox.NamedNode("urn:s"), ox.NamedNode("urn:p")
>>> quads = [ox.Quad(s, p, ox.Literal("b")), ox.Quad(s, p, ox.Literal("a"))] * 2
>>> print(nquads(quads).decode(), end="")
<urn:s> <urn:p> "a" .
<urn:s> <urn:p> "b" .
>>> content_hash(nquads(quads)) == content_hash(nquads(reversed(quads)))
True

The same bytes for data too large to sort in memory: sorted chunks spilled to files, merged.

>>> import io, tempfile
>>> out = io.BytesIO()
>>> with tempfile.TemporaryDirectory() as work:
...     written = merge(sorted_chunks(quads, Path(work), chunk_quads=3), out)
>>> out.getvalue() == nquads(quads), written == (2, content_hash(nquads(quads)))
(True, True)
"""

import hashlib
import heapq
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    """The canonical dump: the distinct N-Quads lines in byte order, so that the same quads
    always give the same bytes, whatever their order."""
    lines = ox.serialize(quads, format=ox.RdfFormat.N_QUADS).splitlines(keepends=True)
    return b"".join(sorted(set(lines)))


def content_hash(dump: bytes) -> str:
    """The first 12 hex digits of the SHA-256 of a canonical dump: the build's name and the
    second part of the data version."""
    return hashlib.sha256(dump).hexdigest()[:12]


def sorted_chunks(
    quads: Iterable[ox.Quad], work_dir: Path, chunk_quads: int = 1_000_000
) -> list[Path]:
    """Files in ``work_dir`` of ``chunk_quads`` quads each, every one a canonical dump of its
    own: together, all of ``quads`` without all of them in memory at once."""
    chunks: list[Path] = []

    def spill(batch: list[ox.Quad]) -> None:
        path = work_dir / f"chunk-{len(chunks):05d}.nq"
        path.write_bytes(nquads(batch))
        chunks.append(path)

    batch: list[ox.Quad] = []
    for quad in quads:
        batch.append(quad)
        if len(batch) >= chunk_quads:
            spill(batch)
            batch = []
    if batch or not chunks:
        spill(batch)
    return chunks


def merge(chunks: list[Path], out: BinaryIO) -> tuple[int, str]:
    """Write the canonical dump of the chunks' quads to ``out`` and delete the chunks.

    Returns the number of lines (distinct quads) and the :func:`content_hash` of the dump.
    """
    digest = hashlib.sha256()
    count = 0
    previous = None
    pending: list[bytes] = []
    files = [path.open("rb") for path in chunks]
    try:
        for line in heapq.merge(*files):
            if line == previous:  # the same quad in two chunks
                continue
            previous = line
            pending.append(line)
            if len(pending) >= 65_536:
                count += _flush(pending, out, digest)
        count += _flush(pending, out, digest)
    finally:
        for f in files:
            f.close()
        for path in chunks:
            path.unlink()
    return count, digest.hexdigest()[:12]


def _flush(lines: list[bytes], out: BinaryIO, digest) -> int:
    block = b"".join(lines)
    out.write(block)
    digest.update(block)
    written = len(lines)
    lines.clear()
    return written
