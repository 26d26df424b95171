"""The SPARQL 1.1 Protocol over HTTP, on a scratch server: requests, datasets, formats, errors."""

import csv
import io
import json
import re
import time
import uuid
import xml.etree.ElementTree as ET

import httpx
import pyoxigraph as ox
import pytest
from conftest import start_server

pytestmark = pytest.mark.slow  # live servers

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
QUERY = {"Content-Type": "application/sparql-query"}
UPDATE = {"Content-Type": "application/sparql-update"}


@pytest.fixture
def graphs(scratch_server):
    """Two fresh named graphs with one triple each, and one triple in the default graph."""
    g1, g2 = (f"http://example.org/{uuid.uuid4().hex}/{n}" for n in (1, 2))
    s = f"http://example.org/{uuid.uuid4().hex}/s"
    update = f"""INSERT DATA {{
        <{s}> <http://example.org/p> "default" .
        GRAPH <{g1}> {{ <{s}> <http://example.org/p> "one" }}
        GRAPH <{g2}> {{ <{s}> <http://example.org/p> "two" }}
    }}"""
    r = httpx.post(scratch_server.sparql, content=update, headers=UPDATE)
    assert r.status_code == 204, r.text
    return {"s": s, "g1": g1, "g2": g2}


def objects(server, query, method="GET", **params):
    if method == "GET":
        r = httpx.get(server.sparql, params={"query": query, **params})
    else:
        r = httpx.post(server.sparql, data={"query": query, **params})
    assert r.status_code == 200, r.text
    return sorted(b["o"]["value"] for b in r.json()["results"]["bindings"])


def assert_problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in r.text
    return body


# --- ways to send a query


def test_get_form_post_and_direct_post_agree(scratch_server, graphs):
    q = f"SELECT ?o WHERE {{ <{graphs['s']}> ?p ?o }}"
    by_get = objects(scratch_server, q)
    by_form = objects(scratch_server, q, method="POST")
    r = httpx.post(scratch_server.sparql, content=q.encode(), headers=QUERY)
    by_body = sorted(b["o"]["value"] for b in r.json()["results"]["bindings"])
    assert by_get == by_form == by_body == ["default", "one", "two"]  # the union default graph


def test_default_graph_uri_and_named_graph_uri(scratch_server, graphs):
    s, g1, g2 = graphs["s"], graphs["g1"], graphs["g2"]
    q = f"SELECT ?o WHERE {{ <{s}> ?p ?o }}"
    assert objects(scratch_server, q, **{"default-graph-uri": g1}) == ["one"]
    r = httpx.get(
        scratch_server.sparql,
        params=[("query", q), ("default-graph-uri", g1), ("default-graph-uri", g2)],
    )
    assert sorted(b["o"]["value"] for b in r.json()["results"]["bindings"]) == ["one", "two"]
    named = f"SELECT ?o WHERE {{ GRAPH ?g {{ <{s}> ?p ?o }} }}"
    assert objects(scratch_server, named, **{"named-graph-uri": g2}) == ["two"]
    # only named graphs given: the default graph is empty
    assert objects(scratch_server, q, **{"named-graph-uri": g2}) == []


def test_from_in_the_query_is_respected_and_protocol_dataset_wins(scratch_server, graphs):
    s, g1, g2 = graphs["s"], graphs["g1"], graphs["g2"]
    q = f"SELECT ?o FROM <{g1}> WHERE {{ <{s}> ?p ?o }}"
    assert objects(scratch_server, q) == ["one"]
    assert objects(scratch_server, q, **{"default-graph-uri": g2}) == ["two"]


def test_unknown_parameters_are_ignored(scratch_server):
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "ASK {}", "timeout": "0", "debug": "on", "callback": "x"},
    )
    assert r.status_code == 200
    assert r.json()["boolean"] is True


def test_relative_iris_resolve_against_the_endpoint(scratch_server):
    r = httpx.get(scratch_server.sparql, params={"query": "SELECT (<x> AS ?x) {}"})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == scratch_server.url + "/x"


# --- result formats


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_formats(scratch_server, graphs, accept, media_type):
    q = f"SELECT ?o WHERE {{ GRAPH <{graphs['g1']}> {{ ?s ?p ?o }} }}"
    r = httpx.get(scratch_server.sparql, params={"query": q}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in r.headers["vary"]
    if media_type.endswith("json"):
        assert r.json()["results"]["bindings"][0]["o"]["value"] == "one"
    elif media_type.endswith("xml"):
        ns = "{http://www.w3.org/2005/sparql-results#}"
        assert ET.fromstring(r.content).find(f".//{ns}literal").text == "one"
    elif media_type == "text/csv":
        assert list(csv.reader(io.StringIO(r.text))) == [["o"], ["one"]]
    else:
        assert r.text.splitlines() == ["?o", '"one"']


def test_ask_formats(scratch_server):
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "ASK {}"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert r.headers["content-type"].startswith("application/sparql-results+xml")
    assert b"<boolean>true</boolean>" in r.content
    r = httpx.get(scratch_server.sparql, params={"query": "ASK {}", "format": "json"})
    assert r.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(
    ("query", "accept", "body"),
    [
        ("ASK {}", "text/csv", b"_askResult\r\ntrue\r\n"),
        ("ASK { FILTER(false) }", "text/csv", b"_askResult\r\nfalse\r\n"),
        ("ASK {}", "text/tab-separated-values", b"?_askResult\ntrue\n"),
    ],
)
def test_ask_as_a_table_is_written_as_jena_reads_it(scratch_server, query, accept, body):
    r = httpx.get(scratch_server.sparql, params={"query": query}, headers={"Accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    assert r.content == body


@pytest.mark.parametrize("how", ["GET", "form"])
def test_percent_encoded_bytes_that_are_not_utf8_are_refused(scratch_server, how):
    encoded = "query=SELECT%20%28%22%C3%28%22%20AS%20%3Fx%29%20%7B%7D"  # %C3%28 is not UTF-8
    if how == "GET":
        r = httpx.get(f"{scratch_server.sparql}?{encoded}")
    else:
        r = httpx.post(scratch_server.sparql, content=encoded, headers=FORM)
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert "not UTF-8" in r.json()["detail"]


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_construct_and_describe_formats(scratch_server, graphs, accept, fmt):
    s = graphs["s"]
    for q in (f"CONSTRUCT {{ <{s}> ?p ?o }} WHERE {{ <{s}> ?p ?o }}", f"DESCRIBE <{s}>"):
        r = httpx.get(scratch_server.sparql, params={"query": q}, headers={"Accept": accept})
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].split(";")[0] == fmt.media_type
        parsed = list(ox.parse(r.content, fmt))
        assert {str(t.object.value) for t in parsed} == {"default", "one", "two"}


def test_format_parameter_beats_accept(scratch_server):
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "SELECT (1 AS ?x) {}", "format": "csv"},
        headers={"Accept": "application/sparql-results+xml"},
    )
    assert r.headers["content-type"].startswith("text/csv")


# --- errors


def test_malformed_query_gets_400_with_the_parser_message(scratch_server):
    r = httpx.get(scratch_server.sparql, params={"query": "SELECT * WHERE { ?s ?p "})
    body = assert_problem(r, 400)
    assert "error at 1:" in body["detail"]  # the parser's own words, with the position


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"method": "GET", "params": [("query", "ASK {}"), ("query", "ASK {}")]},
        {"method": "GET", "params": {"update": "CLEAR ALL"}},
        {"method": "POST", "content": "query=ASK%20%7B%7D&update=CLEAR%20ALL", "headers": FORM},
        {"method": "POST", "content": "update=CLEAR%20ALL&update=CLEAR%20ALL", "headers": FORM},
        {"method": "POST", "content": "nothing=here", "headers": FORM},
        {"method": "POST", "content": b"query=\xff\xfe", "headers": FORM},
        {"method": "GET", "params": {"query": "ASK {}", "default-graph-uri": "not an iri"}},
    ],
)
def test_bad_requests_get_400(scratch_server, request_kwargs):
    r = httpx.request(url=scratch_server.sparql, **request_kwargs)
    assert_problem(r, 400)


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},
        {},
        {"Content-Type": "application/sparql-query; charset=UTF-16"},
        {"Content-Type": "application/json"},
    ],
)
def test_wrong_media_type_gets_415(scratch_server, headers):
    r = httpx.post(scratch_server.sparql, content=b"ASK {}", headers=headers)
    assert_problem(r, 415)


def test_unacceptable_gets_406(scratch_server):
    r = httpx.get(
        scratch_server.sparql, params={"query": "ASK {}"}, headers={"Accept": "image/png"}
    )
    assert_problem(r, 406)
    # a CONSTRUCT when only result formats are accepted
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
        headers={"Accept": "text/csv"},
    )
    assert_problem(r, 406)
    # q=0 means no
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "SELECT * {}"},
        headers={"Accept": "application/sparql-results+json;q=0"},
    )
    assert_problem(r, 406)


def test_other_methods_and_paths_get_problems(scratch_server):
    assert_problem(httpx.put(scratch_server.sparql, params={"query": "ASK {}"}), 405)
    assert_problem(httpx.get(scratch_server.url + "/no/such/page"), 404)


# --- updates (scratch)


def test_update_by_form_and_by_body(scratch_server):
    g = f"http://example.org/{uuid.uuid4().hex}"
    r = httpx.post(
        scratch_server.sparql, data={"update": f"INSERT DATA {{ GRAPH <{g}> {{ <a:s> <a:p> 1 }} }}"}
    )
    assert r.status_code == 204
    r = httpx.post(
        scratch_server.sparql,
        content=f"INSERT DATA {{ GRAPH <{g}> {{ <a:s> <a:p> 2 }} }}",
        headers=UPDATE,
    )
    assert r.status_code == 204
    assert objects(scratch_server, f"SELECT ?o {{ GRAPH <{g}> {{ ?s ?p ?o }} }}") == ["1", "2"]


def test_update_with_using_graph_uri(scratch_server, graphs):
    target = f"http://example.org/{uuid.uuid4().hex}"
    update = (
        f"INSERT {{ GRAPH <{target}> {{ ?s <http://example.org/q> ?o }} }} WHERE {{ ?s ?p ?o }}"
    )
    r = httpx.post(
        scratch_server.sparql,
        params={"using-graph-uri": graphs["g2"]},
        content=update,
        headers=UPDATE,
    )
    assert r.status_code == 204, r.text
    assert objects(scratch_server, f"SELECT ?o {{ GRAPH <{target}> {{ ?s ?p ?o }} }}") == ["two"]
    conflict = f"WITH <{graphs['g1']}> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}"
    r = httpx.post(
        scratch_server.sparql,
        params={"using-graph-uri": graphs["g2"]},
        content=conflict,
        headers=UPDATE,
    )
    assert_problem(r, 400)


def test_malformed_update_gets_400(scratch_server):
    assert_problem(
        httpx.post(scratch_server.sparql, content="INSERT NONSENSE", headers=UPDATE), 400
    )


# --- service description and query page


def sd_graph(r, fmt):
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(r.content, fmt)}


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, ox.RdfFormat.TURTLE),
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_service_description(scratch_server, accept, fmt):
    r = httpx.get(scratch_server.sparql, headers={"Accept": accept} if accept else {})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == fmt.media_type
    triples = sd_graph(r, fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = f"<{scratch_server.sparql}>"
    assert any(p == f"<{sd}endpoint>" and o == endpoint for _, p, o in triples)
    languages = {o for _, p, o in triples if p == f"<{sd}supportedLanguage>"}
    assert languages == {f"<{sd}SPARQL11Query>", f"<{sd}SPARQL11Update>"}
    assert (f"<{sd}feature>", f"<{sd}UnionDefaultGraph>") in {(p, o) for _, p, o in triples}
    formats = {o for _, p, o in triples if p == f"<{sd}resultFormat>"}
    assert "<http://www.w3.org/ns/formats/SPARQL_Results_CSV>" in formats


def test_browser_gets_the_query_page_with_example_tabs(scratch_server):
    from alliance_kg import paths

    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    r = httpx.get(scratch_server.sparql, headers={"Accept": browser})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/static/yasgui/yasgui.min.js" in r.text
    assert not re.search(r'(src|href)="(https?:)?//', r.text)  # nothing from elsewhere
    examples = json.loads(r.text.split('type="application/json">')[1].split("</script>")[0])
    files = sorted(paths.QUERIES.glob("*.rq"))
    assert len(examples) == max(len(files), 1)
    for f, tab in zip(files, examples, strict=False):
        title = next(
            (
                line.split(":", 1)[1].strip()
                for line in f.read_text().splitlines()
                if line.lstrip("# ").lower().startswith("title:")
            ),
            None,
        )
        if title:
            assert tab["name"] == title
        assert tab["query"] == f.read_text()


def test_yasgui_is_served_locally(scratch_server):
    from alliance_kg.settings import YASGUI_DIR

    if not YASGUI_DIR.is_dir():
        pytest.skip("node_modules is not installed (npm ci)")
    r = httpx.get(scratch_server.url + "/static/yasgui/yasgui.min.js")
    assert r.status_code == 200
    assert len(r.content) > 100_000
    assert httpx.get(scratch_server.url + "/static/yasgui/yasgui.min.css").status_code == 200


def test_cors(scratch_server):
    r = httpx.get(
        scratch_server.sparql,
        params={"query": "ASK {}"},
        headers={"Origin": "https://yasgui.example"},
    )
    assert r.headers["access-control-allow-origin"] == "*"
    r = httpx.options(
        scratch_server.sparql,
        headers={
            "Origin": "https://yasgui.example",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200
    assert "POST" in r.headers["access-control-allow-methods"]


def test_one_access_log_line_per_request(scratch_server):
    marker = uuid.uuid4().hex
    httpx.get(scratch_server.sparql, params={"query": f"ASK {{ <urn:{marker}> ?p ?o }}"})
    httpx.get(scratch_server.sparql, params={"query": f"ASK {{ <urn:{marker}"})
    deadline = time.monotonic() + 5  # the server writes its log line after the response
    while True:
        lines = [line for line in scratch_server.output().splitlines() if marker in line]
        if len(lines) >= 2 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(lines) == 2
    assert " 200 " in lines[0] and "ms" in lines[0] and "query=" in lines[0]
    assert " 400 " in lines[1]


def test_a_query_sent_as_update_is_answered_as_a_query(scratch_server):
    """SPARQLWrapper sends some queries as `update` (it misreads comment headers)."""
    query = "# title: x\n# description: an address\nASK {}"
    r = httpx.post(scratch_server.sparql, data={"update": query})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.get(scratch_server.sparql, params={"update": query})
    assert r.status_code == 200 and r.json()["boolean"] is True
    r = httpx.get(scratch_server.sparql, params={"update": "CLEAR ALL"})
    assert_problem(r, 400)


def test_query_page_without_node_modules_says_how_to_install(tmp_path):
    from alliance_kg.api.app import create_app
    from fastapi.testclient import TestClient

    from alliance_kg.settings import Settings

    class NoPool:  # the page needs no store
        async def start(self):
            pass

        async def close(self):
            pass

    settings = Settings(scratch_dir=tmp_path, yasgui_dir=tmp_path / "missing")
    with TestClient(create_app(settings, pool=NoPool())) as client:
        r = client.get("/sparql", headers={"Accept": "text/html"})
        assert r.status_code == 200
        assert "haveYasgui: false" in r.text
        assert "npm ci" in r.text
        assert client.get("/static/yasgui/yasgui.min.js").status_code == 404


def test_no_service_refuses_federated_queries_and_says_so(tmp_path):
    server = start_server(tmp_path, "--scratch", "--no-service")
    try:
        federated = "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
        r = httpx.get(server.sparql, params={"query": federated})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "--no-service" in r.json()["detail"]
        assert httpx.get(server.sparql, params={"query": "ASK {}"}).json()["boolean"] is True
        description = httpx.get(server.sparql, headers={"Accept": "text/turtle"}).text
        assert "BasicFederatedQuery" not in description
        assert "/.well-known/void" in description
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("query", "slug"),
    [
        ("SELECT (<urn:f>(1) AS ?x) {}", "unsupported-function"),
        (
            "PREFIX fn: <http://www.w3.org/2005/xpath-functions#> "
            'SELECT (fn:upper-case("a") AS ?x) {}',
            "unsupported-function",
        ),
        ("SELECT * {" + "{" * 5000 + "}" * 5000 + "}", "nested-too-deeply"),
        ("SELECT (" + "(" * 5000 + "1" + ")" * 5000 + " AS ?x) {}", "nested-too-deeply"),
    ],
    ids=["custom-function", "xpath-function", "deep-groups", "deep-expression"],
)
def test_queries_the_engine_cannot_run_are_4xx_problems(scratch_server, query, slug):
    r = httpx.post(scratch_server.sparql, content=query, headers=QUERY)
    assert r.status_code == 400, r.text
    assert r.json()["type"].endswith("/" + slug)
    # The worker is still there: the next query is answered.
    assert httpx.get(scratch_server.sparql, params={"query": "ASK {}", "format": "json"}).json()[
        "boolean"
    ]
