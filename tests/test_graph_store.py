"""The Graph Store HTTP Protocol at /store, on a scratch server (the read side on a real store
is tested in test_sparql_store.py)."""

import uuid

import httpx
import pyoxigraph as ox
import pytest

pytestmark = pytest.mark.slow  # live servers

TURTLE = {"Content-Type": "text/turtle; charset=utf-8"}


def triples(r, fmt=ox.RdfFormat.TURTLE):
    return {(str(t.subject), str(t.predicate), str(t.object)) for t in ox.parse(r.content, fmt)}


@pytest.fixture
def graph():
    return f"http://example.org/gsp/{uuid.uuid4().hex}"


def test_put_get_replace_delete(scratch_server, graph):
    store = scratch_server.store
    r = httpx.put(
        store, params={"graph": graph}, content=b'<urn:s> <urn:p> "one" .', headers=TURTLE
    )
    assert r.status_code == 201
    r = httpx.get(store, params={"graph": graph}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/turtle; charset=utf-8"
    assert triples(r) == {("<urn:s>", "<urn:p>", '"one"')}
    r = httpx.put(
        store, params={"graph": graph}, content=b'<urn:s> <urn:p> "two" .', headers=TURTLE
    )
    assert r.status_code == 204
    assert triples(httpx.get(store, params={"graph": graph})) == {("<urn:s>", "<urn:p>", '"two"')}
    assert httpx.delete(store, params={"graph": graph}).status_code == 204
    assert httpx.get(store, params={"graph": graph}).status_code == 404
    assert httpx.delete(store, params={"graph": graph}).status_code == 404


def test_post_merges_and_takes_multipart(scratch_server, graph):
    store = scratch_server.store
    r = httpx.post(store, params={"graph": graph}, content=b"<urn:s> <urn:p> 1 .", headers=TURTLE)
    assert r.status_code == 201
    files = [
        ("a", ("a.ttl", b"<urn:s> <urn:p> 2 .", "text/turtle")),
        (
            "b",
            (
                "b.nt",
                b'<urn:s> <urn:p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\n',
                "application/n-triples",
            ),
        ),
        ("c", ("c.ttl", b"<urn:s> <urn:p> 4 .", "application/octet-stream")),  # by extension
    ]
    r = httpx.post(store, params={"graph": graph}, files=files)
    assert r.status_code == 204, r.text
    got = triples(httpx.get(store, params={"graph": graph}))
    assert {o for _, _, o in got} == {
        f'"{n}"^^<http://www.w3.org/2001/XMLSchema#integer>' for n in (1, 2, 3, 4)
    }


def test_head_carries_the_content_type_get_would(scratch_server, graph):
    store = scratch_server.store
    httpx.put(store, params={"graph": graph}, content=b"<urn:s> <urn:p> <urn:o> .", headers=TURTLE)
    for accept in ("text/turtle", "application/n-triples", "application/ld+json"):
        get = httpx.get(store, params={"graph": graph}, headers={"Accept": accept})
        head = httpx.head(store, params={"graph": graph}, headers={"Accept": accept})
        assert head.status_code == 200
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.content == b""
    assert httpx.head(store, params={"graph": graph + "-none"}).status_code == 404


def test_direct_identification_and_post_creation(scratch_server):
    url = f"{scratch_server.store}/people/{uuid.uuid4().hex}.ttl"
    r = httpx.put(url, content=b"<#me> a <urn:Person> .", headers=TURTLE)
    assert r.status_code == 201
    # the graph IRI is the URL, and relative IRIs resolve against it
    r = httpx.get(scratch_server.store, params={"graph": url})
    assert triples(r) == {
        (f"<{url}#me>", "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>", "<urn:Person>")
    }
    r = httpx.post(scratch_server.store, content=b"<urn:new> <urn:p> <urn:o> .", headers=TURTLE)
    assert r.status_code == 201
    location = r.headers["location"]
    assert location.startswith(scratch_server.store + "/")
    assert httpx.get(location).status_code == 200
    assert httpx.get(scratch_server.store, params={"graph": location}).status_code == 200


def test_percent_encoding_is_decoded_once(scratch_server):
    base = f"http://example.org/{uuid.uuid4().hex}/"
    store = scratch_server.store
    httpx.put(f"{store}?graph={base}%31", content=b"<urn:a> <urn:b> 1 .", headers=TURTLE)
    httpx.put(f"{store}?graph={base}%2531", content=b"<urn:a> <urn:b> 2 .", headers=TURTLE)
    assert "1" in httpx.get(store, params={"graph": base + "1"}).text
    assert "2" in httpx.get(store, params={"graph": base + "%31"}).text


def test_default_graph(scratch_server):
    store = scratch_server.store
    marker = f"urn:{uuid.uuid4().hex}"
    r = httpx.put(store + "?default", content=f"<{marker}> <urn:p> 1 .".encode(), headers=TURTLE)
    assert r.status_code == 204
    assert marker in httpx.get(store + "?default").text
    r = httpx.get(scratch_server.sparql, params={"query": f"ASK {{ <{marker}> ?p ?o }}"})
    assert r.json()["boolean"] is True
    assert httpx.delete(store + "?default").status_code == 204
    assert marker not in httpx.get(store + "?default").text


def test_the_whole_dataset(scratch_server, graph):
    httpx.put(
        scratch_server.store,
        params={"graph": graph},
        content=b"<urn:a> <urn:b> <urn:c> .",
        headers=TURTLE,
    )
    r = httpx.get(scratch_server.store, headers={"Accept": "application/n-quads"})
    assert r.status_code == 200
    quads = list(ox.parse(r.content, ox.RdfFormat.N_QUADS))
    assert any(str(q.graph_name) == f"<{graph}>" for q in quads)


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        (
            {
                "params": {"graph": "http://g"},
                "content": b"",
                "headers": {"Content-Type": "text/csv"},
            },
            415,
        ),
        (
            {
                "params": {"graph": "http://g"},
                "content": b"x",
                "headers": {"Content-Type": "image/png"},
            },
            415,
        ),
        ({"params": {"graph": "http://g"}, "content": b"<a> <b>", "headers": TURTLE}, 400),
        ({"params": {"graph": "not an iri"}, "content": b"", "headers": TURTLE}, 400),
        (
            {
                "params": [("graph", "http://a"), ("graph", "http://b")],
                "content": b"",
                "headers": TURTLE,
            },
            400,
        ),
        ({"params": {}, "content": b"", "headers": TURTLE}, 400),  # PUT needs a graph
    ],
)
def test_bad_writes(scratch_server, kwargs, status):
    r = httpx.put(scratch_server.store, **kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == status


def test_unacceptable_get_is_406(scratch_server, graph):
    httpx.put(scratch_server.store, params={"graph": graph}, content=b"", headers=TURTLE)
    r = httpx.get(scratch_server.store, params={"graph": graph}, headers={"Accept": "text/csv"})
    assert r.status_code == 406
