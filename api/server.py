"""``alliance-kg serve``: run the app under uvicorn on the store (or on a scratch store)."""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
from pathlib import Path

from alliance_kg import paths
from alliance_kg.store import StoreMissing, current_build


def ensure_store(store: Path) -> int:
    """Build the store from ``data/`` if there is none yet; 0 when a store is there."""
    try:
        current_build(store)
        return 0
    except StoreMissing as e:
        print(f"alliance-kg serve: {e}; building it from {paths.DATA} first", file=sys.stderr)
    from alliance_kg.loaders.build import load

    try:
        status = load(paths.DATA, store)
    except Exception as e:
        print(f"alliance-kg serve: loading failed: {type(e).__name__}: {e}", file=sys.stderr)
        status = 1
    if status != 0:
        print("alliance-kg serve: the store could not be built; not serving", file=sys.stderr)
        return status
    try:
        current_build(store)
    except StoreMissing as e:
        print(f"alliance-kg serve: {e}", file=sys.stderr)
        return 1
    return 0


def _configure_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    for name in ("alliance_kg.access", "alliance_kg.errors", "alliance_kg.workers"):
        logger = logging.getLogger(name)
        if not logger.handlers:
            logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def serve(args: argparse.Namespace, store: Path) -> int:
    import uvicorn
    from alliance_kg.api.app import Settings, create_app
    from alliance_kg.api.sparql.workers import default_memory_limit

    scratch_dir = None
    if args.scratch:
        scratch_dir = Path(tempfile.mkdtemp(prefix="alliance-kg-scratch-"))
    else:
        status = ensure_store(store)
        if status != 0:
            return status
    settings = Settings(
        store=None if args.scratch else store,
        scratch_dir=scratch_dir,
        query_timeout=args.query_timeout,
        workers=args.workers,
        fast_workers=args.fast_workers,
        max_result_bytes=args.max_result_bytes,
        memory_limit=default_memory_limit(
            args.max_result_bytes, 1 if args.scratch else args.workers
        ),
        sparql_endpoint=getattr(args, "sparql_endpoint", None),
        federated=not getattr(args, "no_service", False),
        service_allow=tuple(getattr(args, "service_allow", None) or ()),
    )
    _configure_logging()
    what = "an empty scratch store (writable)" if args.scratch else f"{current_build(store)}"
    print(
        f"alliance-kg serve: {what}; SPARQL at http://{args.host}:{args.port}/sparql, "
        f"graph store at /store; "
        + (
            "1 query worker, "
            if args.scratch
            else f"{args.fast_workers} query workers and room for {args.workers} long queries, "
        )
        + f"{args.query_timeout:g} s timeout, "
        + (
            f"{settings.memory_limit // 1024**2} MB memory each"
            if settings.memory_limit
            else "no memory cap"
        ),
        file=sys.stderr,
    )
    try:
        uvicorn.run(
            create_app(settings),
            host=args.host,
            port=args.port,
            access_log=False,
            log_level="warning",
            timeout_graceful_shutdown=5,
            http="h11",
        )
    finally:
        if scratch_dir is not None:
            shutil.rmtree(scratch_dir, ignore_errors=True)
    return 0
