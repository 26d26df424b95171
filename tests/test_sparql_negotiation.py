"""Content negotiation (api/negotiation.py): Accept with q-values and the format parameters."""

import pytest
from alliance_kg.api.http.negotiation import (
    Offer,
    choose,
    choose_or_406,
    format_parameter,
    parse_accept,
)
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.sparql.protocol import GRAPH_OFFERS, RESULT_OFFERS, add_using

from alliance_kg.sparql_text import has_dataset_clause


def pick(offers, accept=None, format=None):
    chosen = choose(offers, accept, format)
    return None if chosen is None else chosen.media_type


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv"),  # Oxigraph answers JSON here
        ("text/*, text/csv;q=0", "text/tab-separated-values"),
        ("application/sparql-results+json;q=0.5, text/csv", "text/csv"),
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        ("application/json", "application/sparql-results+json"),
        ("text/xml", "application/sparql-results+xml"),
        # SPARQLWrapper, JSON
        (
            "application/sparql-results+json,application/json,text/javascript,"
            "application/javascript",
            "application/sparql-results+json",
        ),
        # rdflib SPARQLStore
        ("application/sparql-results+xml, application/rdf+xml", "application/sparql-results+xml"),
        ("TEXT/CSV", "text/csv"),
        ("text/turtle", None),
        ("image/png, */*;q=0", None),
    ],
)
def test_results_accept(accept, expected):
    assert pick(RESULT_OFFERS, accept) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("*/*", "text/turtle"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml;q=0.9, application/ld+json", "application/ld+json"),
        ("application/n-quads", "application/n-quads"),
        ("text/turtle;q=0, application/*", "application/n-triples"),
        ("application/sparql-results+json", None),
    ],
)
def test_graph_accept(accept, expected):
    assert pick(GRAPH_OFFERS, accept) == expected


@pytest.mark.parametrize(
    ("format", "results", "graph"),
    [
        (["json", "json", "json"], "application/sparql-results+json", "application/ld+json"),
        (["xml"], "application/sparql-results+xml", "application/rdf+xml"),
        (["csv"], "text/csv", None),
        (["turtle"], None, "text/turtle"),
        (["json-ld", "application/ld+json,application/x-json+ld"], None, "application/ld+json"),
        (["text/tab-separated-values"], "text/tab-separated-values", None),
    ],
)
def test_format_parameter_overrides_accept(format, results, graph):
    assert pick(RESULT_OFFERS, "text/csv", format) == (results or None)
    assert pick(GRAPH_OFFERS, "application/n-triples", format) == (graph or None)


def test_unknown_format_values_are_ignored():
    assert pick(RESULT_OFFERS, "text/csv", ["bogus"]) == "text/csv"


def test_format_parameter_order():
    params = [("results", "csv"), ("output", "xml"), ("query", "ASK {}"), ("format", "json")]
    assert format_parameter(params) == ["json", "xml", "csv"]
    assert format_parameter({"query": "ASK {}"}) == []


def test_entity_page_offers_for_rest():
    offers = [
        Offer("text/html"),
        Offer("text/turtle"),
        Offer("application/ld+json"),
        Offer("application/n-triples"),
    ]
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert pick(offers, browser) == "text/html"
    assert pick(offers, "application/ld+json, text/html;q=0.1") == "application/ld+json"
    assert pick(offers, "*/*;q=0.1, text/html;q=0") == "text/turtle"
    with pytest.raises(Problem) as caught:
        choose_or_406(offers, "application/pdf")
    assert caught.value.status == 406
    assert "text/turtle" in caught.value.body()["detail"]


def test_parse_accept_skips_garbage():
    ranges = parse_accept('text/turtle;q=0.3;foo="a,b", nonsense, */*;q=abc, text;q=1')
    assert [(r.type, r.subtype, r.q) for r in ranges] == [("text", "turtle", 0.3), ("*", "*", 1.0)]


def test_dataset_clause_detection():
    assert has_dataset_clause("SELECT * FROM NAMED <g> WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert has_dataset_clause("CONSTRUCT { ?s ?p ?o } from <g> WHERE { ?s ?p ?o }")
    assert not has_dataset_clause('SELECT * { ?s ?p "FROM <g>" } # FROM <h>')
    assert not has_dataset_clause("PREFIX from: <http://x/> SELECT ?from { ?from from:x 1 }")


def test_add_using_goes_before_each_where():
    update = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; INSERT { ?s a <C> } WHERE { ?s a <D> }"
    out = add_using(update, ["http://g/1"], ["http://g/2"])
    assert out.count("USING <http://g/1> USING NAMED <http://g/2> WHERE") == 2
    assert add_using("INSERT DATA { <a> <b> <c> }", ["http://g/1"], []) == (
        "INSERT DATA { <a> <b> <c> }"
    )
