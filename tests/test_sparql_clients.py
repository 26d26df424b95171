"""Real clients against /sparql: SPARQLWrapper and rdflib's SPARQLStore get what
`alliance-kg query` gets."""

import csv
import io

import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, TURTLE, XML, SPARQLWrapper
from test_sparql_store import canned_queries, cli_query

pytestmark = pytest.mark.slow  # live servers

LABELS = (
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    " ORDER BY ?s ?label LIMIT 40"
)
QUERIES = [pytest.param(LABELS, id="labels"), *canned_queries()]


def as_rdflib(binding):
    """A SPARQL JSON term as the rdflib term SPARQLStore gives."""
    if binding["type"] == "uri":
        return rdflib.URIRef(binding["value"])
    if binding["type"] == "bnode":
        return rdflib.BNode(binding["value"])
    return rdflib.Literal(
        binding["value"], lang=binding.get("xml:lang"), datatype=binding.get("datatype")
    )


@pytest.mark.parametrize(
    ("query", "method"),
    [
        *(pytest.param(q.values[0], "GET", id=f"{q.id}-GET", marks=q.marks) for q in QUERIES),
        *(pytest.param(q.values[0], "POST", id=f"{q.id}-POST", marks=q.marks) for q in QUERIES[:3]),
    ],
)
def test_sparqlwrapper_json(store_server, store_location, query, method):
    client = SPARQLWrapper(store_server.sparql)
    client.setMethod(method)
    client.setQuery(query)
    client.setReturnFormat(JSON)
    assert client.query().convert() == cli_query(store_location, query)


def test_sparqlwrapper_other_formats(store_server, store_location):
    expected = cli_query(store_location, LABELS)["results"]["bindings"]
    client = SPARQLWrapper(store_server.sparql)
    client.setQuery(LABELS)
    client.setReturnFormat(XML)
    ns = "http://www.w3.org/2005/sparql-results#"
    assert len(client.query().convert().getElementsByTagNameNS(ns, "result")) == len(expected)
    client.setReturnFormat(CSV)
    rows = list(csv.DictReader(io.StringIO(client.query().convert().decode())))
    assert [(r["s"], r["label"]) for r in rows] == [
        (b["s"]["value"], b["label"]["value"]) for b in expected
    ]
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


def test_sparqlwrapper_construct(store_server, store_location):
    query = (
        "CONSTRUCT { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } WHERE "
        "{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    )
    expected = {
        (rdflib.URIRef(b["s"]["value"]), as_rdflib(b["label"]))
        for b in cli_query(
            store_location,
            "SELECT ?s ?label { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }",
        )["results"]["bindings"]
    }
    client = SPARQLWrapper(store_server.sparql)
    client.setQuery(query)
    for fmt, parse_as in [(TURTLE, "turtle"), (XML, None), (JSONLD, None)]:
        client.setReturnFormat(fmt)
        result = client.query().convert()
        graph = (
            result
            if isinstance(result, rdflib.Graph)
            else rdflib.Graph().parse(data=result, format=parse_as)
        )
        assert {(s, o) for s, _, o in graph} == expected, fmt


@pytest.mark.parametrize("query", QUERIES)
def test_rdflib_sparqlstore(store_server, store_location, query):
    graph = rdflib.Graph(store=SPARQLStore(store_server.sparql))
    expected = cli_query(store_location, query)
    rows = list(graph.query(query))
    names = expected["head"]["vars"]
    assert [tuple(row[n] for n in names) for row in rows] == [
        tuple(as_rdflib(b[n]) if n in b else None for n in names)
        for b in expected["results"]["bindings"]
    ]


def test_rdflib_sparqlstore_ask_and_triples(store_server, store_location):
    graph = rdflib.Graph(store=SPARQLStore(store_server.sparql))
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    label = rdflib.RDFS.label
    got = set(graph.triples((None, label, None)))
    expected = cli_query(store_location, f"SELECT DISTINCT ?s ?o {{ ?s <{label}> ?o }}")
    assert {(s, o) for s, _, o in got} == {
        (rdflib.URIRef(b["s"]["value"]), as_rdflib(b["o"])) for b in expected["results"]["bindings"]
    }
