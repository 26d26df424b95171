"""Dereferenceable entity IRIs (/id/<type>/<slug>) and /wikidata/{qid}."""

from __future__ import annotations

import json

import rdflib

POHANG = "https://w3id.org/alliance-kg/id/municipality/pohang"
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")


def test_turtle_of_pohang_holds_its_wikidata_match(rest_client):
    r = rest_client.get("/id/municipality/pohang", headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (
        rdflib.URIRef(POHANG),
        SKOS.exactMatch,
        rdflib.URIRef("http://www.wikidata.org/entity/Q42157"),
    ) in g


def test_formats_by_accept_and_by_format_parameter(rest_client):
    ttl = rdflib.Graph().parse(
        data=rest_client.get("/id/municipality/pohang?format=turtle").text, format="turtle"
    )
    nt = rest_client.get("/id/municipality/pohang", headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    jsonld = rest_client.get("/id/municipality/pohang?format=jsonld")
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    json.loads(jsonld.text)
    assert rdflib.Graph().parse(data=nt.text, format="nt").isomorphic(ttl)
    assert rdflib.Graph().parse(data=jsonld.text, format="json-ld").isomorphic(ttl)
    assert (
        rest_client.get("/id/municipality/pohang", headers={"Accept": "image/png"}).status_code
        == 406
    )


def test_html_page_lists_partners_with_dates_and_sources(rest_client):
    r = rest_client.get(
        "/id/municipality/pohang", headers={"Accept": "text/html,application/xhtml+xml"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = r.text
    assert "포항시" in page and "Pohang" in page
    assert "용인시" in page and "2024-05-14" in page
    assert 'href="/id/municipality/yongin"' in page
    assert 'href="/id/source/' in page
    # The shared template has its own two scripts (language switch, search); the content none.
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]


def test_other_entities_have_pages(rest_client):
    r = rest_client.get("/id/organization/haeoreum-alliance")
    assert r.status_code == 200 and "해오름동맹" in r.text


def test_wikidata_redirects_to_the_entity(rest_client):
    r = rest_client.get("/wikidata/Q42157", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/id/municipality/pohang"
    assert rest_client.get("/wikidata/Q1", follow_redirects=False).status_code == 404
    assert rest_client.get("/wikidata/pohang", follow_redirects=False).status_code == 400
