"""The one place that mints IRIs.

Entities live at ``https://w3id.org/alliance-kg/id/<type>/<slug>``, ontology terms at
``https://w3id.org/alliance-kg/ontology#<term>``, and each record's statements in the named graph
``https://w3id.org/alliance-kg/graph/<type>/<slug>``.

>>> entity("municipality", "pohang")
'https://w3id.org/alliance-kg/id/municipality/pohang'
>>> term("Agreement")
'https://w3id.org/alliance-kg/ontology#Agreement'
>>> graph("agreement", "yongin-pohang-2024")
'https://w3id.org/alliance-kg/graph/agreement/yongin-pohang-2024'
>>> parse_entity("https://w3id.org/alliance-kg/id/municipality/pohang")
('municipality', 'pohang')
>>> parse_entity("http://example.org/x") is None
True
"""

import re

BASE = "https://w3id.org/alliance-kg/"
ID = BASE + "id/"
ONTOLOGY = BASE + "ontology#"
GRAPH = BASE + "graph/"
ONTOLOGY_GRAPH = GRAPH + "ontology"
WIKIDATA = "http://www.wikidata.org/entity/"

# The prefixes every serialization and error message uses.
PREFIXES = {
    "ak": ONTOLOGY,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "dct": "http://purl.org/dc/terms/",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
    "cv": "http://data.europa.eu/m8g/",
    "eli": "http://data.europa.eu/eli/ontology#",
    "eli-dl": "http://data.europa.eu/eli/eli-draft-legislation-ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "geo": "http://www.opengis.net/ont/geosparql#",
    "wd": WIKIDATA,
}

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QID = re.compile(r"^Q[1-9][0-9]*$")


def entity(kind: str, slug: str) -> str:
    if not SLUG.match(kind) or not SLUG.match(slug):
        raise ValueError(f"not a slug: {kind}/{slug}")
    return f"{ID}{kind}/{slug}"


def term(name: str) -> str:
    return ONTOLOGY + name


def graph(kind: str, slug: str) -> str:
    return f"{GRAPH}{kind}/{slug}"


def wikidata(qid: str) -> str:
    if not QID.match(qid):
        raise ValueError(f"not a Wikidata QID: {qid}")
    return WIKIDATA + qid


def parse_entity(iri: str) -> tuple[str, str] | None:
    """The (type, slug) of one of our entity IRIs, or None for any other IRI."""
    if not iri.startswith(ID):
        return None
    kind, _, slug = iri[len(ID) :].partition("/")
    return (kind, slug) if SLUG.match(kind) and SLUG.match(slug) else None
