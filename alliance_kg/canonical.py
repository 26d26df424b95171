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
"""

import hashlib
from collections.abc import Iterable

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
