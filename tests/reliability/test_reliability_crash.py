"""A load killed with SIGKILL while it writes the new build: the live server keeps serving the
old store throughout, and the next load succeeds and is served.

``tests/test_loader.py`` checks the same at the loader's level; this is the server's side.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import ALLIANCE_KG, start_server

from alliance_kg import paths
from alliance_kg import store as stores

from .support import clone_store

pytestmark = pytest.mark.reliability

EXTRA_ROWS = 1500  # enough to make the write phase last a while, small enough for CI
COUNT = """SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o }
  FILTER(STRSTARTS(STR(?g), "https://w3id.org/alliance-kg/graph/municipality/")) }"""
LOAD_TIMEOUT = 300


def municipality_count(client: httpx.Client) -> int:
    r = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def pohang(client: httpx.Client) -> dict:
    r = client.get("/municipalities/pohang", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


class Watcher(threading.Thread):
    """Asks the server the same questions over and over; every answer must be the old one."""

    def __init__(self, base: str, expected_count: int, expected_pohang: dict) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.expected = (expected_count, expected_pohang)
        self.stop = threading.Event()
        self.answers = 0
        self.wrong: list[str] = []

    def run(self) -> None:
        deadline = time.monotonic() + LOAD_TIMEOUT  # bounded even if nobody stops it
        with httpx.Client(base_url=self.base, timeout=30) as client:
            while not self.stop.is_set() and time.monotonic() < deadline:
                try:
                    got = (municipality_count(client), pohang(client))
                except (httpx.HTTPError, AssertionError) as e:
                    self.wrong.append(f"{type(e).__name__}: {e}"[:300])
                    continue
                self.answers += 1
                if got != self.expected:
                    self.wrong.append(f"answered {got[0]} municipalities, not {self.expected[0]}")
                time.sleep(0.02)


def load(data: Path, location: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*ALLIANCE_KG, "load", "--data", str(data), "--store", str(location)],
        stderr=subprocess.PIPE,
        text=True,
        cwd=paths.ROOT,
        env={**os.environ},
    )


def test_killed_load_while_serving(tmp_path, store_location):
    location = tmp_path / "store"
    clone_store(store_location, location)
    old_build = stores.current_build(location)
    data = tmp_path / "data"
    shutil.copytree(paths.DATA, data)
    rows = "".join(
        f"crash-{i},시{i},Crash {i},city,gyeonggi,8{i:04d},,,,,mois-legal-dong-codes-2022,\n"
        for i in range(EXTRA_ROWS)
    )
    with (data / "municipalities.csv").open("a", encoding="utf-8") as f:
        f.write(rows)

    server = start_server(tmp_path, "--store", str(location), "--query-timeout", "10")
    try:
        with httpx.Client(base_url=server.url, timeout=30) as client:
            before_count, before_pohang = municipality_count(client), pohang(client)
            assert before_count > 200
            watcher = Watcher(server.url, before_count, before_pohang)
            watcher.start()

            # Kill the loader once it is writing the new build (the partial directory has files).
            loader = load(data, location)
            assert loader.stderr is not None
            for line in loader.stderr:
                if "serialize N-Quads" in line:  # the dump is written; the store write starts now
                    break
            builds = stores.builds_dir(location)
            partial, seen = None, []
            deadline = time.monotonic() + LOAD_TIMEOUT
            while time.monotonic() < deadline and loader.poll() is None:
                found = [p for p in builds.glob("partial-*") if any(p.iterdir())]
                if found:
                    partial, seen = found[0], sorted(f.name for f in found[0].iterdir())
                    break
                time.sleep(0.002)
            loader.send_signal(signal.SIGKILL)
            loader.wait(30)
            assert partial is not None, "the loader finished before it could be killed mid-write"
            assert loader.returncode == -signal.SIGKILL
            assert partial.exists(), f"killed after publishing, not mid-write (saw {seen})"

            # The old store is still the one served, and it answered all along.
            assert stores.current_build(location) == old_build
            time.sleep(0.5)
            assert municipality_count(client) == before_count
            assert pohang(client) == before_pohang
            watcher.stop.set()
            watcher.join(35)
            assert not watcher.wrong, "\n".join(watcher.wrong[:10])
            assert watcher.answers > 0

            # The next load succeeds, sweeps the partial build away, and the server serves it.
            result = subprocess.run(
                [*ALLIANCE_KG, "load", "--data", str(data), "--store", str(location)],
                capture_output=True,
                text=True,
                timeout=LOAD_TIMEOUT,
                cwd=paths.ROOT,
            )
            assert result.returncode == 0, result.stderr[-3000:]
            assert stores.current_build(location) != old_build
            assert not list(builds.glob("partial-*"))
            assert municipality_count(client) == before_count + EXTRA_ROWS
            r = client.get("/municipalities/crash-7", headers={"Accept": "application/json"})
            assert r.status_code == 200, r.text
            assert pohang(client) == before_pohang
        assert server.process.poll() is None
    finally:
        server.stop()
