"""Where the project's files live, and where the store goes."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology"
QUERIES = ROOT / "queries"
COOKBOOK = ROOT / "docs" / "cookbook.md"


def store_path(option: str | None = None) -> Path:
    """The store location: ``--store`` first, then ``ALLIANCE_KG_STORE``, then ``var/store``.

    >>> store_path("/tmp/x")
    PosixPath('/tmp/x')
    >>> store_path() == ROOT / "var" / "store" or "ALLIANCE_KG_STORE" in os.environ
    True
    """
    chosen = option or os.environ.get("ALLIANCE_KG_STORE")
    return Path(chosen) if chosen else ROOT / "var" / "store"
