"""``serve --sparql-endpoint``: the REST answers from `oxigraph serve-read-only`, loaded with
`alliance-kg export`, equal the answers from the embedded store."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port, rest_test_client

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")

URLS = [
    "/municipalities/pohang/partners",
    "/municipalities/Q42157/partners",
    "/municipalities/포항시/partners?kind=alliance-member",
    "/municipalities/pohang/partners?as_of=2020-01-01",
    "/municipalities/yongin/partners",
    "/municipalities/용인특례시",
    "/municipalities/고성군",
    "/municipalities/atlantis",
    "/municipalities?q=포항",
    "/municipalities?level=county&limit=20&offset=3",
    "/municipalities?province=경상북도",
    "/alliances",
    "/alliances/haeoreum-alliance",
    "/industries",
    "/legislation",
    "/legislation/haeoreum-industrial-belt-act",
    "/sources",
    "/sources/joongdo-2024-05-15-yongin-pohang",
    "/queries/partners?municipality=https://w3id.org/alliance-kg/id/municipality/pohang",
    "/queries/levels",
    "/wikidata/Q42157",
    "/id/municipality/pohang?format=nt",
]


@pytest.fixture(scope="module")
def remote(tmp_path_factory, store_location):
    if not Path(OXIGRAPH).exists():
        pytest.fail("the oxigraph server (PyPI package oxigraph, a test dependency) is missing")
    tmp = tmp_path_factory.mktemp("remote")
    dump = tmp / "dump.nq"
    subprocess.run(
        [sys.executable, "-m", "alliance_kg.cli", "export", "--store", str(store_location),
         "--format", "nquads", "--output", str(dump)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    subprocess.run(
        [OXIGRAPH, "load", "--location", str(tmp / "db"), "--file", str(dump)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    port = free_port()
    log = open(tmp / "oxigraph.log", "wb")
    server = subprocess.Popen(
        [OXIGRAPH, "serve-read-only", "--location", str(tmp / "db"),
         "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            pytest.fail(
                "oxigraph serve-read-only did not start: " + (tmp / "oxigraph.log").read_text()
            )
        time.sleep(0.1)
    try:
        with rest_test_client(store=store_location, sparql_endpoint=url) as client:
            yield client
    finally:
        server.terminate()
        server.wait(10)
        log.close()


@pytest.mark.parametrize("url", URLS)
def test_remote_answers_equal_embedded(remote, rest_client, url):
    here = rest_client.get(url, follow_redirects=False)
    there = remote.get(url, follow_redirects=False)
    assert there.status_code == here.status_code, there.text[:500]
    assert there.headers.get("content-type") == here.headers.get("content-type")
    if here.headers.get("content-type", "").startswith(("application/json", "application/problem")):
        assert there.json() == here.json()
    else:
        assert there.text == here.text


def test_remote_backend_is_used(remote):
    from api.backend import RemoteBackend

    remote.get("/alliances")
    assert isinstance(remote.app.state.rest.backend, RemoteBackend)
