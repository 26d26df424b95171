"""Runaway queries: stopped at --query-timeout with a 503 problem, while others keep answering."""

import os
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest
from conftest import start_server

pytestmark = pytest.mark.slow  # live servers

# Four copies of every triple joined with each other: never finishes on any store worth the name.
CROSS_JOIN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def runaway_server(tmp_path_factory, store_location):
    """The acceptance setting: the real store, --query-timeout 2, two long queries at once."""
    server = start_server(
        tmp_path_factory.mktemp("runaway"),
        *("--store", str(store_location), "--query-timeout", "2", "--workers", "2"),
        *("--fast-workers", "2"),
    )
    yield server
    server.stop()


def test_runaway_query_is_stopped_while_others_answer(runaway_server):
    """Acceptance: with --query-timeout 2 the cross-join gets a non-200 within 4 s, and an
    `ASK {}` sent meanwhile answers in under 0.5 s."""
    outcome = {}

    def heavy():
        started = time.monotonic()
        r = httpx.post(runaway_server.sparql, data={"query": CROSS_JOIN}, timeout=30)
        outcome["response"], outcome["seconds"] = r, time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.3)  # the cross-join is running now
    ask_times = []
    with httpx.Client(timeout=5) as client:
        while thread.is_alive() and len(ask_times) < 20:
            started = time.monotonic()
            r = client.get(runaway_server.sparql, params={"query": "ASK {}"})
            ask_times.append(time.monotonic() - started)
            assert r.status_code == 200
            assert r.json()["boolean"] is True
            time.sleep(0.05)
    thread.join(10)

    r, seconds = outcome["response"], outcome["seconds"]
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"].endswith("/query-timeout")
    assert problem["status"] == 503 and problem["timeout"] == 2
    assert seconds < 4, f"the runaway query took {seconds:.2f} s to be stopped"
    assert ask_times, "no ASK was sent while the cross-join ran"
    assert max(ask_times) < 0.5, f"ASK took up to {max(ask_times):.3f} s during the runaway"
    print(f"runaway stopped after {seconds:.2f} s; ASK max {max(ask_times) * 1000:.1f} ms")

    # the killed worker has been replaced: both workers answer again
    for _ in range(4):
        r = httpx.get(runaway_server.sparql, params={"query": "ASK {}"}, timeout=10)
        assert r.status_code == 200


def test_two_runaways_do_not_stop_the_server(runaway_server):
    """With both workers stuck, a third query waits for a worker, within its own timeout."""
    results = []

    def heavy():
        r = httpx.post(runaway_server.sparql, data={"query": CROSS_JOIN}, timeout=30)
        results.append(r.status_code)

    threads = [threading.Thread(target=heavy) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    r = httpx.get(runaway_server.sparql, params={"query": "ASK {}"}, timeout=30)
    for t in threads:
        t.join(10)
    assert results == [503, 503]
    assert r.status_code in (200, 503)  # answered once a worker was free, or busy within 2 s
    if r.status_code == 503:
        assert r.json()["type"].endswith("/query-busy")
    r = httpx.get(runaway_server.sparql, params={"query": "ASK {}"}, timeout=10)
    assert r.status_code == 200


def test_scratch_store_survives_a_killed_query(scratch_server):
    """In --scratch mode the killed worker's replacement reopens the same store."""
    update = "INSERT DATA { GRAPH <urn:survivor> { <urn:a> <urn:b> <urn:c> } }"
    r = httpx.post(
        scratch_server.sparql, content=update, headers={"Content-Type": "application/sparql-update"}
    )
    assert r.status_code == 204
    # enough data for a join that outlives the scratch server's 5 s timeout
    rows = " ".join(f"<urn:s{i}> <urn:p> {i} ." for i in range(300))
    r = httpx.post(
        scratch_server.sparql,
        content=f"INSERT DATA {{ GRAPH <urn:bulk> {{ {rows} }} }}",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert r.status_code == 204
    started = time.monotonic()
    r = httpx.post(scratch_server.sparql, data={"query": CROSS_JOIN}, timeout=30)
    assert r.status_code == 503
    assert time.monotonic() - started < 8
    r = httpx.get(
        scratch_server.sparql, params={"query": "ASK { GRAPH <urn:survivor> { ?s ?p ?o } }"}
    )
    assert r.status_code == 200
    assert r.json()["boolean"] is True
    httpx.post(
        scratch_server.sparql,
        content="DROP GRAPH <urn:bulk>",
        headers={"Content-Type": "application/sparql-update"},
    )


def test_a_query_that_eats_memory_is_stopped_alone(tmp_path, store_location):
    """A worker may use only so much memory: a sort over a cross join dies alone, with a 503
    problem, and the server goes on answering."""
    server = start_server(
        tmp_path,
        *("--store", str(store_location), "--query-timeout", "20"),
        env={"ALLIANCE_KG_WORKER_MEMORY_MB": "1200"},
    )
    try:
        started = time.monotonic()
        r = httpx.post(
            server.sparql,
            data={"query": "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?f ?i"},
            timeout=30,
        )
        assert r.status_code == 503, r.text
        assert r.json()["type"].endswith("/query-out-of-memory")
        assert "1200 MB" in r.json()["detail"]
        assert time.monotonic() - started < 20
        r = httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=10)
        assert r.status_code == 200
    finally:
        server.stop()


def _children(pid):
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(stat.parent.name))
    return kids


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_workers_killed_from_outside_are_replaced(runaway_server):
    server_pid = runaway_server.process.pid
    deadline = time.monotonic() + 10
    while True:  # the fast lane is back to its two workers once earlier runaways are gone
        workers = [w for fs in _children(server_pid) for w in _children(fs)]
        if len(workers) == 2 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert len(workers) == 2  # children of the forkserver, itself a child of the server
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    for _ in range(6):
        r = httpx.get(runaway_server.sparql, params={"query": "ASK {}"}, timeout=10)
        assert r.status_code == 200
