"""Shared fixtures: stores to test against and live ``alliance-kg serve`` processes.

- :class:`Server` / :func:`start_server`: run ``alliance-kg serve`` as a subprocess on a free port
  and wait until it answers (``server.url``, ``server.sparql``, ``server.store``).
- ``scratch_server``: an empty, writable scratch server (``--scratch``), shared by the session.
- ``store_location``: a store built from ``data/`` (without the SHACL check).
- ``store_server``: a read-only server on ``store_location`` (2 workers, 15 s timeout).
- :func:`synthetic_store`: a store shaped like the real one, of any size.
- ``rest_client`` / :func:`rest_test_client`: the app in process (no query workers).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from alliance_kg import paths

ALLIANCE_KG = [sys.executable, "-m", "alliance_kg.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running ``alliance-kg serve``; its output goes to ``log`` (read it on failure)."""

    def __init__(
        self,
        args: list[str],
        log: Path,
        startup_timeout: float = 60.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.log = log
        for _ in range(3):  # another process may grab the free port first: try another
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
            with open(log, "ab") as out:
                self.process = subprocess.Popen(
                    [*ALLIANCE_KG, "serve", "--port", str(self.port), *args],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    cwd=paths.ROOT,
                    start_new_session=True,
                    env={**os.environ, **(env or {})},
                )
            if self._wait(startup_timeout):
                return
        raise RuntimeError(f"alliance-kg serve did not start:\n{self.output()}")

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"

    @property
    def store(self) -> str:
        return self.url + "/store"

    def _wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                r = httpx.get(self.sparql, headers={"Accept": "text/turtle"}, timeout=2)
                if r.status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        return False

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)  # the server and its workers
                self.process.wait(5)


def start_server(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Server:
    return Server(list(args), tmp / "serve.log", env=env)


@pytest.fixture(scope="session")
def scratch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = start_server(tmp_path_factory.mktemp("scratch"), "--scratch", "--query-timeout", "5")
    yield server
    server.stop()


# --------------------------------------------------------------------------------------------
# Stores


def synthetic_store(location: Path, records: int = 500, version: str = "synthetic") -> Path:
    """A store shaped like the real one: ``records`` named graphs of ~10 triples each."""
    import pyoxigraph as ox

    from alliance_kg import store as stores

    base = "https://w3id.org/alliance-kg/"
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    partner = ox.NamedNode(base + "ontology#partnerOf")
    kind = ox.NamedNode(base + "ontology#Municipality")
    quads = []
    for i in range(records):
        thing = ox.NamedNode(f"{base}id/municipality/m{i}")
        graph = ox.NamedNode(f"{base}graph/municipality/m{i}")
        quads += [
            ox.Quad(thing, rdf_type, kind, graph),
            ox.Quad(thing, label, ox.Literal(f"시{i}", language="ko"), graph),
            ox.Quad(thing, label, ox.Literal(f"City {i}", language="en"), graph),
        ]
        for j in range(1, 8):
            other = ox.NamedNode(f"{base}id/municipality/m{(i + j) % records}")
            quads.append(ox.Quad(thing, partner, other, graph))
    build = stores.new_build_dir(location)
    store = ox.Store(str(build))
    store.extend(quads)
    store.bulk_extend(stores.default_graph_merge(store))  # as the loader builds a store
    store.flush()
    del store
    return stores.publish(location, build, version)


@pytest.fixture(scope="session")
def store_location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from data/ by the loader, shared by every test that only reads it.

    It skips the SHACL check, which takes most of a load's time: test_ontology checks the graph
    of data/ against the shapes, and test_loader loads data/ in full.
    """
    from alliance_kg.loaders import build

    location = tmp_path_factory.mktemp("store") / "store"
    _, dump = build.build_quads(paths.DATA, report=lambda _: None, shapes=False)
    build.write_store(location, dump, report=lambda _: None)  # raises BuildFailed if data/ fails
    return location


@pytest.fixture(scope="session")
def store_server(
    tmp_path_factory: pytest.TempPathFactory, store_location: Path
) -> Iterator[Server]:
    server = start_server(
        tmp_path_factory.mktemp("store-server"),
        "--store",
        str(store_location),
        "--query-timeout",
        "15",
        "--workers",
        "2",
    )
    yield server
    server.stop()


# --------------------------------------------------------------------------------------------
# The app in process, without the query workers: the REST API (api/routes/), the pages and
# the reconciliation service answer from the store directly


class _NoPool:
    """The REST API does not use the SPARQL query workers: leave them out of its tests."""

    async def start(self) -> None:
        pass

    async def close(self) -> None:
        pass


def rest_test_client(**settings: object):
    from alliance_kg.api.app import create_app
    from fastapi.testclient import TestClient

    from alliance_kg.settings import Settings

    return TestClient(create_app(Settings(**settings), pool=_NoPool()))  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def rest_client(store_location: Path):
    with rest_test_client(store=store_location) as client:
        yield client
