"""The one place that opens the store, and the atomic swap that replaces it; what the store's
default graph holds (the merge of the record graphs, :func:`default_graph_merge`).

A store location such as ``var/store`` is a symbolic link to a finished build in
``var/store.builds/<version>``. The loader writes a new build beside the old ones and then
replaces the link in one ``rename``: a reader sees the old store or the new one, never half of
one, and a failed or killed load leaves the link where it was.
"""

import os
import shutil
from pathlib import Path

import pyoxigraph as ox

KEEP_BUILDS = 3  # the live build and two before it, for readers that opened them just before a swap


class StoreMissing(FileNotFoundError):
    pass


def builds_dir(location: Path) -> Path:
    return location.parent / (location.name + ".builds")


def current_build(location: Path) -> Path:
    """The build directory the location points at now."""
    if not location.is_symlink():
        if location.exists():
            raise StoreMissing(f"{location} is not a store built by alliance-kg load")
        raise StoreMissing(f"no store at {location}: run `alliance-kg load` first")
    target = location.resolve()
    if not target.is_dir():
        raise StoreMissing(f"{location} points at {target}, which is missing")
    return target


def default_graph_merge(store: ox.Store) -> list[ox.Quad]:
    """Every triple of the record graphs once, in the default graph.

    A store's default graph is the RDF merge of its named graphs (set semantics): a query
    without GRAPH counts each triple once, as a Fuseki-style union default graph does, while
    the named graphs keep which record (and so which sources) said it. pyoxigraph's own
    union default graph would give a triple once per graph that holds it.
    """
    return [
        ox.Quad(t.subject, t.predicate, t.object)
        for t in {ox.Triple(q.subject, q.predicate, q.object) for q in store}
    ]


def named_graph_quads(store: ox.Store):
    """The quads of the record graphs: the data as loaded, without the default-graph merge."""
    return (q for q in store if not isinstance(q.graph_name, ox.DefaultGraph))


def open_read_only(location: Path) -> ox.Store:
    """Open the current build for reading; many processes may do so at once."""
    return ox.Store.read_only(str(current_build(location)))


def new_build_dir(location: Path) -> Path:
    """A fresh, empty directory to write a build into (never the live one)."""
    builds = builds_dir(location)
    builds.mkdir(parents=True, exist_ok=True)
    for stale in builds.glob("partial-*"):  # left by a load that was killed
        shutil.rmtree(stale, ignore_errors=True)
    partial = builds / f"partial-{os.getpid()}"
    partial.mkdir()
    return partial


def publish(location: Path, partial: Path, version: str) -> Path:
    """Name a finished build by its version and point the location at it atomically."""
    final = partial.parent / version
    if final.exists():  # the same content was built before: keep the old copy
        shutil.rmtree(partial)
    else:
        partial.rename(final)
    os.utime(final)  # newest first when pruning
    link = location.parent / f".{location.name}.link-{os.getpid()}"
    if link.is_symlink():
        link.unlink()
    link.symlink_to(os.path.relpath(final, location.parent))
    os.replace(link, location)
    _prune(location.parent / (location.name + ".builds"), keep=final)
    return final


def _prune(builds: Path, keep: Path) -> None:
    finished = sorted(
        (p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("partial-")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in [p for p in finished if p != keep][KEEP_BUILDS - 1 :]:
        shutil.rmtree(old, ignore_errors=True)
