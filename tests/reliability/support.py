"""What the reliability tests share: their sizes, private stores and servers, and checks.

``RELIABILITY_SCALE`` chooses the sizes: ``ci`` (the default; what ``make test`` and ``.ci/run``
run) or ``full`` (the sizes of the issue: a 60 s soak, more generated examples).

Every test here is marked ``reliability``: ``pytest -m reliability`` runs them alone and
``pytest -m "not reliability"`` leaves them out.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import httpx
from hypothesis import HealthCheck, settings

from alliance_kg import store as stores


@dataclass(frozen=True)
class Sizes:
    soak_clients: int
    soak_seconds: float
    soak_window: float  # RSS is compared between the first and the last window of the soak
    schema_examples: int  # schemathesis examples per API operation
    record_examples: int  # hypothesis examples per kind of malformed record


SIZES = {
    "ci": Sizes(
        soak_clients=32,
        soak_seconds=20,
        soak_window=10,
        schema_examples=25,
        record_examples=50,
    ),
    "full": Sizes(
        soak_clients=32,
        soak_seconds=60,
        soak_window=10,
        schema_examples=100,
        record_examples=200,
    ),
}
SCALE = os.environ.get("RELIABILITY_SCALE", "ci").strip().lower() or "ci"
if SCALE not in SIZES:
    raise ValueError(f"RELIABILITY_SCALE must be one of {', '.join(SIZES)}, not {SCALE!r}")
SIZE = SIZES[SCALE]


def hypothesis_settings(max_examples: int) -> settings:
    """Settings for tests whose examples touch files and processes: no deadline, no database
    (nothing written into the work tree), the failing example printed for a rerun."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
            HealthCheck.function_scoped_fixture,
        ],
    )


# --------------------------------------------------------------------------------------------
# Stores and servers


def clone_store(source: Path, location: Path) -> Path:
    """A private copy of the build ``source`` points at, published at ``location``."""
    build = stores.current_build(source)
    partial = stores.new_build_dir(location)
    shutil.rmtree(partial)
    shutil.copytree(build, partial)
    return stores.publish(location, partial, build.name)


def rss_kib(pid: int) -> int:
    """Resident set size of one process, in KiB (0 if it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def children(pid: int) -> list[int]:
    """The direct children of a process (the query workers and the forkserver)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ValueError):
            pass
    return found


# --------------------------------------------------------------------------------------------
# What answers must look like

PROBLEM_TYPE = re.compile(r"^(about:blank|https://w3id\.org/alliance-kg/problems/[a-z0-9-]+)$")


def problem_errors(response: httpx.Response | object, method: str = "GET") -> list[str]:
    """What is wrong with an error response as a problem+json (RFC 9457); [] when right.

    ``response`` is anything with ``status_code``, ``headers`` and ``content``.
    """
    status = response.status_code  # type: ignore[attr-defined]
    if status < 400 or method.upper() == "HEAD":
        return []
    header = response.headers.get("content-type") or ""  # type: ignore[attr-defined]
    if isinstance(header, list):  # schemathesis keeps every header as a list of values
        header = header[0] if header else ""
    media_type = header.split(";")[0].strip()
    if media_type != "application/problem+json":
        return [f"{status} answered as {media_type or 'no Content-Type'}, not problem+json"]
    import json

    try:
        body = json.loads(response.content)  # type: ignore[attr-defined]
    except ValueError as e:
        return [f"{status} problem+json body is not JSON: {e}"]
    errors = []
    if not isinstance(body, dict):
        return [f"{status} problem+json body is not an object"]
    if body.get("status") != status:
        errors.append(f"problem status {body.get('status')!r} is not the HTTP status {status}")
    if not isinstance(body.get("title"), str) or not body["title"]:
        errors.append("problem has no title")
    if not isinstance(body.get("type"), str) or not PROBLEM_TYPE.match(body["type"]):
        errors.append(f"problem type {body.get('type')!r} is not one of ours")
    if "detail" in body and not isinstance(body["detail"], str):
        errors.append("problem detail is not a string")
    if "Traceback" in response.content.decode("utf-8", "replace"):  # type: ignore[attr-defined]
        errors.append("a traceback in the answer")
    return errors
