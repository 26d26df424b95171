"""``alliance-kg serve``: run the app under uvicorn on the store (or on a scratch store)."""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

import uvicorn
from alliance_kg.api.app import create_app
from alliance_kg.api.http.parser import HttpProtocol
from alliance_kg.api.sparql.workers import default_memory_limit
from alliance_kg.loaders.build import load

from alliance_kg import paths
from alliance_kg.settings import Settings
from alliance_kg.store import StoreMissing, current_build


def ensure_store(store: Path) -> None:
    """Build the store from ``data/`` if there is none yet.

    Raises :class:`~alliance_kg.loaders.build.BuildFailed` when ``data/`` does not load.
    """
    try:
        current_build(store)
        return
    except StoreMissing as e:
        print(f"alliance-kg serve: {e}; building it from {paths.DATA} first", file=sys.stderr)
    load(paths.DATA, store)
    current_build(store)


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    for name in ("alliance_kg.access", "alliance_kg.errors", "alliance_kg.workers"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def serve(settings: Settings) -> int:
    """Serve on ``settings.store``, built first if there is none yet; without a store, on an
    empty writable scratch store in a temporary directory that lives as long as the server."""
    scratch_dir = None
    if settings.store is None:
        scratch_dir = Path(tempfile.mkdtemp(prefix="alliance-kg-scratch-"))
    else:
        ensure_store(settings.store)
    workers = 1 if scratch_dir else settings.workers
    settings = settings.model_copy(
        update={
            "scratch_dir": scratch_dir,
            "memory_limit": default_memory_limit(settings.max_result_bytes, workers),
        }
    )
    _configure_logging()
    s = settings
    what = "an empty scratch store (writable)" if s.scratch else f"{current_build(s.store)}"
    print(
        f"alliance-kg serve: {what}; SPARQL at http://{s.host}:{s.port}/sparql, "
        f"graph store at /store; "
        + (
            "1 query worker, "
            if s.scratch
            else f"{s.fast_workers} query workers and room for {s.workers} long queries, "
        )
        + f"{s.query_timeout:g} s timeout, "
        + (f"{s.memory_limit // 1024**2} MB memory each" if s.memory_limit else "no memory cap"),
        file=sys.stderr,
    )
    try:
        uvicorn.run(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=5,
            http=HttpProtocol,
        )
    finally:
        if scratch_dir is not None:
            shutil.rmtree(scratch_dir, ignore_errors=True)
    return 0
