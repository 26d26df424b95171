"""The endpoint on a real (read-only) store: same answers as `alliance-kg query`, no writes,
the graph store read side, reopening after the loader swaps in a new build, result limits."""

import functools
import json
import subprocess

import httpx
import pyoxigraph as ox
import pytest
from conftest import ALLIANCE_KG, start_server, synthetic_store

from alliance_kg import paths

pytestmark = pytest.mark.slow  # live servers

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@functools.cache
def cli_query(store_location, query):
    """What `alliance-kg query --format json` answers (once per query: the store is read-only)."""
    out = subprocess.run(
        [*ALLIANCE_KG, "query", "--store", str(store_location), "--format", "json", query],
        capture_output=True,
        check=True,
        cwd=paths.ROOT,
    )
    return json.loads(out.stdout)


def http_query(server, query):
    r = httpx.post(server.sparql, data={"query": query}, headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


def canned_queries():
    """The queries of queries/, with their example parameters bound, as test parameters;
    federated ones (SERVICE) need the network."""
    from alliance_kg import canned
    from alliance_kg.sparql_text import is_federated

    params = []
    for path in sorted(paths.QUERIES.glob("*.rq")):
        query = canned.parse(path.stem, path.read_text(encoding="utf-8"))
        examples = {p.name: p.example for p in query.parameters if p.example}
        text = canned.with_values(query, query.bind(examples))
        marks = [pytest.mark.skip(reason="SERVICE needs the network")] if is_federated(text) else []
        params.append(pytest.param(text, id=path.name, marks=marks))
    return params


@pytest.mark.parametrize(
    "query",
    [
        COUNT,
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        " ORDER BY ?s ?label LIMIT 50",
        "ASK { ?s ?p ?o }",
        *canned_queries(),
    ],
)
def test_same_answers_as_alliance_kg_query(store_server, store_location, query):
    assert http_query(store_server, query) == cli_query(store_location, query)


def test_default_graph_is_the_merge_of_the_records(store_server):
    """Set semantics: each triple once, however many record graphs hold it."""
    n = int(http_query(store_server, COUNT)["results"]["bindings"][0]["n"]["value"])
    distinct = http_query(
        store_server,
        "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }",
    )
    quads = http_query(store_server, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    assert 0 < n == int(distinct["results"]["bindings"][0]["n"]["value"])
    # some triples are said by two records: the merge is smaller than the sum of the graphs
    assert n < int(quads["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"update": "DROP ALL"}},
        {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}},
        {
            "content": "INSERT DATA { <urn:x> <urn:y> <urn:z> }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
    ],
)
def test_updates_are_refused_and_change_nothing(store_server, store_location, request_kwargs):
    before = http_query(store_server, COUNT)
    r = httpx.post(store_server.sparql, **request_kwargs)
    assert r.status_code == 403
    assert r.headers["content-type"] == "application/problem+json"
    detail = r.json()["detail"]
    assert "data/" in detail and "alliance-kg load" in detail and "--scratch" in detail
    assert http_query(store_server, COUNT) == before == cli_query(store_location, COUNT)


def test_service_description_says_query_only(store_server):
    r = httpx.get(store_server.sparql, headers={"Accept": "text/turtle"})
    assert "SPARQL11Query" in r.text
    assert "SPARQL11Update" not in r.text


# --- graph store, read side


def a_graph(server):
    # GRAPH ?g {} names each graph once; { ?s ?p ?o } would sort every quad (4-5 s, near the
    # client's timeout on a busy machine)
    rows = http_query(server, "SELECT ?g { GRAPH ?g {} } ORDER BY ?g LIMIT 1")
    return rows["results"]["bindings"][0]["g"]["value"]


def test_graph_store_reads(store_server):
    graph = a_graph(store_server)
    r = httpx.get(store_server.store, params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(list(ox.parse(r.content, ox.RdfFormat.TURTLE))) > 0
    head = httpx.head(
        store_server.store, params={"graph": graph}, headers={"Accept": "text/turtle"}
    )
    assert head.status_code == 200
    assert head.headers["content-type"] == "text/turtle; charset=utf-8"
    missing = httpx.head(store_server.store, params={"graph": "http://example.org/none"})
    assert missing.status_code == 404
    # ?default is the same union default graph that /sparql queries
    r = httpx.get(store_server.store + "?default", headers={"Accept": "application/n-triples"})
    n = int(http_query(store_server, COUNT)["results"]["bindings"][0]["n"]["value"])
    distinct = http_query(
        store_server, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT * { ?s ?p ?o } }"
    )
    assert len(r.text.splitlines()) == int(distinct["results"]["bindings"][0]["n"]["value"]) <= n


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_graph_store_writes_are_refused(store_server, method):
    graph = a_graph(store_server)
    before = httpx.get(store_server.store, params={"graph": graph}).content
    r = httpx.request(
        method,
        store_server.store,
        params={"graph": graph},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers={"Content-Type": "text/turtle"},
    )
    assert r.status_code == 403
    assert r.json()["status"] == 403
    assert httpx.get(store_server.store, params={"graph": graph}).content == before


# --- the loader swaps in a new build while serving


def test_workers_reopen_after_a_new_build_is_published(tmp_path):
    from alliance_kg import store as stores

    location = tmp_path / "store"
    synthetic_store(location, records=20, version="v1")
    server = start_server(tmp_path, "--store", str(location), "--workers", "2")
    try:
        ask = "ASK { <urn:new> ?p ?o }"
        assert http_query(server, ask)["boolean"] is False
        build = stores.new_build_dir(location)
        store = ox.Store(str(build))
        store.add(
            ox.Quad(
                ox.NamedNode("urn:new"),
                ox.NamedNode("urn:p"),
                ox.Literal("v2"),
                ox.NamedNode("urn:graph"),
            )
        )
        store.bulk_extend(stores.default_graph_merge(store))
        store.flush()
        del store
        stores.publish(location, build, "v2")
        for _ in range(4):  # every worker, whichever answers
            assert http_query(server, ask)["boolean"] is True
    finally:
        server.stop()


# --- result size limit


def test_results_over_the_limit_get_a_clear_error(tmp_path, store_location):
    server = start_server(tmp_path, "--store", str(store_location), "--max-result-bytes", "5000")
    try:
        for accept, query in [
            ("application/sparql-results+json", "SELECT * { ?s ?p ?o }"),
            ("text/turtle", "CONSTRUCT WHERE { ?s ?p ?o }"),
        ]:
            r = httpx.get(server.sparql, params={"query": query}, headers={"Accept": accept})
            assert r.status_code == 507, r.text
            body = r.json()
            assert body["max_result_bytes"] == 5000
            assert "LIMIT" in body["detail"]
        r = httpx.get(server.store + "?default")
        assert r.status_code == 507
        # small answers still come, and the workers survived
        r = httpx.get(server.sparql, params={"query": "SELECT * { ?s ?p ?o } LIMIT 3"})
        assert r.status_code == 200
        assert len(r.json()["results"]["bindings"]) == 3
    finally:
        server.stop()


def test_serve_builds_a_missing_store_first(tmp_path, store_location):
    """With no store, `serve` loads data/ first, or refuses to start if that load fails."""
    from alliance_kg.store import current_build

    loads = current_build(store_location).name != "synthetic"  # see conftest.store_location
    location = tmp_path / "fresh" / "store"
    if loads:
        server = start_server(tmp_path, "--store", str(location))
        try:
            assert location.is_symlink()
            assert http_query(server, "ASK { ?s ?p ?o }")["boolean"] is True
        finally:
            server.stop()
    else:
        out = subprocess.run(
            [*ALLIANCE_KG, "serve", "--store", str(location), "--port", "1"],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=paths.ROOT,
        )
        assert out.returncode != 0
        assert "nothing was written" in out.stderr
        assert not location.exists()
