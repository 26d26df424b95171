"""Publishing: the VoID/DCAT description, the dumps and the cookbook page.

The VoID parses with rdflib and names the endpoint and the dumps; the dumps reload into an empty
store with the store's counts; ``alliance-kg export --dumps`` writes the bytes /dumps/ serves;
the data version and the code version are distinct and well formed.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from alliance_kg import __version__, dataset, paths
from alliance_kg import store as stores

BASE = "http://testserver"
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
OWL = rdflib.Namespace("http://www.w3.org/2002/07/owl#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
SCHEMA = rdflib.Namespace("http://schema.org/")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
D = rdflib.URIRef(dataset.DATASET)
ALLIANCE_KG = [sys.executable, "-m", "alliance_kg.cli"]


@pytest.fixture(scope="module")
def store(store_location: Path) -> ox.Store:
    return stores.open_read_only(store_location)


@pytest.fixture(scope="module")
def index(rest_client) -> dict:
    r = rest_client.get("/dumps/", headers={"Accept": "application/json"})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def served(rest_client, index) -> dict[str, bytes]:
    files = {}
    for f in index["files"]:
        r = rest_client.get(f"/dumps/{f['name']}")
        assert r.status_code == 200, r.text
        files[f["name"]] = r.content
    return files


@pytest.fixture(scope="module")
def void(rest_client) -> rdflib.Graph:
    r = rest_client.get("/.well-known/void")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=r.text, format="turtle")


def distinct_triples(store: ox.Store) -> int:
    return len({(q.subject, q.predicate, q.object) for q in store})


# --------------------------------------------------------------------------------------------
# VoID


def test_void_names_the_endpoint_the_dumps_and_the_license(void, index):
    assert (D, rdflib.RDF.type, VOID.Dataset) in void
    assert (D, rdflib.RDF.type, DCAT.Dataset) in void
    assert (D, VOID.sparqlEndpoint, rdflib.URIRef(f"{BASE}/sparql")) in void
    dumps = {str(o) for o in void.objects(D, VOID.dataDump)}
    assert dumps == {f"{BASE}/dumps/{f['name']}" for f in index["files"]}
    assert len(dumps) == 3
    assert (
        D,
        DCTERMS.license,
        rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in void
    assert {t.language for t in void.objects(D, DCTERMS.title)} == {"ko", "en"}
    assert {t.language for t in void.objects(D, DCTERMS.description)} == {"ko", "en"}
    assert void.value(D, DCTERMS.publisher) is not None
    assert str(void.value(D, VOID.uriSpace)) == "https://w3id.org/alliance-kg/id/"
    sources = {str(s) for s in void.objects(D, DCTERMS.source)}
    assert (
        "https://www.code.go.kr" in sources
        and "https://pypi.org/project/PublicDataReader/" in sources
    )
    assert len(sources) > 20  # the news and reference pages the records cite
    rights = str(void.value(D, DCTERMS.rights))
    assert "Who's On First" in rights and "Wikidata" in rights and "CC BY 4.0" in rights


def test_void_distributions_have_url_media_type_size_and_checksum(void, index, served):
    files = {f"{BASE}/dumps/{f['name']}": f for f in index["files"]}
    distributions = list(void.objects(D, DCAT.distribution))
    assert len(distributions) == 3
    for dist in distributions:
        url = str(void.value(dist, DCAT.downloadURL))
        f = files[url]
        data = served[f["name"]]
        assert int(void.value(dist, DCAT.byteSize)) == len(data) == f["size"]
        assert str(void.value(dist, DCAT.mediaType)).endswith("/" + f["media_type"])
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()


def test_void_counts_are_those_of_the_store(void, store):
    assert int(void.value(D, VOID.triples)) == distinct_triples(store)
    space = dataset.URI_SPACE
    entities = {q.subject for q in store if q.subject.value.startswith(space)}
    assert int(void.value(D, VOID.entities)) == len(entities)
    links = {
        (q.subject, q.object)
        for q in store.quads_for_pattern(None, ox.NamedNode(str(SKOS.exactMatch)), None)
        if q.object.value.startswith("http://www.wikidata.org/entity/")
    }
    linkset = void.value(D, VOID.subset)
    assert (linkset, rdflib.RDF.type, VOID.Linkset) in void
    assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
    assert void.value(linkset, VOID.subjectsTarget) == D
    assert void.value(linkset, VOID.objectsTarget) is not None
    assert int(void.value(linkset, VOID.triples)) == len(links) > 100
    vocabularies = {str(v) for v in void.objects(D, VOID.vocabulary)}
    assert {"http://www.w3.org/ns/org#", "https://w3id.org/alliance-kg/ontology#"} <= vocabularies


@pytest.mark.parametrize(
    "accept, rdflib_format",
    [
        ("application/ld+json", "json-ld"),
        ("application/n-triples", "nt"),
        ("application/rdf+xml", "xml"),
        ("text/turtle", "turtle"),
    ],
)
def test_void_in_every_format_is_the_same_graph(rest_client, void, accept, rdflib_format):
    r = rest_client.get("/.well-known/void", headers={"Accept": accept})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(accept)
    assert "Accept" in r.headers["vary"]
    graph = rdflib.Graph().parse(data=r.content, format=rdflib_format)
    assert set(graph) == set(void)  # no blank nodes: the same triples


def test_void_format_parameter_and_406(rest_client):
    r = rest_client.get("/.well-known/void?format=jsonld")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert rest_client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406
    assert rest_client.head("/.well-known/void").status_code == 200


# --------------------------------------------------------------------------------------------
# Versions


def test_data_and_code_versions_are_distinct_and_well_formed(index, void, store_location, served):
    data, code = index["data_version"], index["code_version"]
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})\+([0-9a-f]{12})", data)
    assert m, data
    assert m[1] == dataset.REFERENCE_DATE == index["reference_date"] == "2025-01-01"
    assert m[2] == index["content_hash"] == stores.current_build(store_location).name
    nquads = gzip.decompress(served[f"alliance-kg-{data}.nq.gz"])
    assert hashlib.sha256(nquads).hexdigest()[:12] == m[2]  # the hash of the canonical dump
    assert code == __version__ != data
    assert not re.fullmatch(r"\d{4}-\d{2}-\d{2}\+.*", code)
    assert str(void.value(D, OWL.versionInfo)) == data
    assert str(void.value(D, DCAT.version)) == data
    software = {str(o) for o in void.objects(None, SCHEMA.softwareVersion)}
    assert software == {code}
    assert {f["name"] for f in index["files"]} == {
        f"alliance-kg-{data}.nq.gz",
        f"alliance-kg-{data}.trig",
        f"alliance-kg-{data}.ttl",
    }


# --------------------------------------------------------------------------------------------
# Dumps


@pytest.mark.slow  # reloads every dump
def test_dumps_reload_into_an_empty_store_with_the_same_counts(store, index, served, tmp_path):
    version = index["data_version"]
    nquads = gzip.decompress(served[f"alliance-kg-{version}.nq.gz"])
    for name, data, fmt in (
        ("nq", nquads, ox.RdfFormat.N_QUADS),
        ("trig", served[f"alliance-kg-{version}.trig"], ox.RdfFormat.TRIG),
    ):
        fresh = ox.Store(str(tmp_path / name))
        fresh.bulk_load(data, format=fmt)
        records = set(
            stores.named_graph_quads(store)
        )  # the dumps leave out the merged default graph
        assert len(fresh) == len(records) == index["quads"], name
        assert set(fresh) == records, name
    fresh = ox.Store()
    fresh.bulk_load(served[f"alliance-kg-{version}.ttl"], format=ox.RdfFormat.TURTLE)
    assert len(fresh) == distinct_triples(store) == index["triples"]


def test_the_index_gives_sizes_and_checksums_of_the_served_bytes(index, served, rest_client):
    assert index["void"] == f"{BASE}/.well-known/void"
    assert index["sparql_endpoint"] == f"{BASE}/sparql"
    assert index["license"] == "https://creativecommons.org/licenses/by/4.0/"
    for f in index["files"]:
        data = served[f["name"]]
        assert f["size"] == len(data)
        assert f["sha256"] == hashlib.sha256(data).hexdigest()
    sums = rest_client.get("/dumps/SHA256SUMS").text
    assert sums == "".join(f"{f['sha256']}  {f['name']}\n" for f in index["files"])
    page = rest_client.get("/dumps/", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    for f in index["files"]:
        assert f["name"] in page.text and f["sha256"] in page.text
    assert index["data_version"] in page.text and index["code_version"] in page.text
    assert rest_client.get("/dumps/alliance-kg-nope.ttl").status_code == 404


def test_served_files_have_their_types(rest_client, index):
    types = {f["name"].rsplit(".", 1)[-1]: f["name"] for f in index["files"]}
    expected = {"gz": "application/gzip", "trig": "application/trig", "ttl": "text/turtle"}
    for ext, name in types.items():
        r = rest_client.head(f"/dumps/{name}")
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(expected[ext])


@pytest.mark.slow  # writes every dump again
def test_export_dumps_writes_the_bytes_served(store_location, served, tmp_path):
    out = tmp_path / "dumps"
    subprocess.run(
        [*ALLIANCE_KG, "export", "--store", str(store_location), "--dumps", str(out)],
        check=True,
        cwd=paths.ROOT,
        capture_output=True,
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == served


@pytest.mark.slow  # writes every dump twice
def test_dumps_are_deterministic(store, tmp_path):
    a = dataset.write_dumps(store, tmp_path / "a")
    b = dataset.write_dumps(store, tmp_path / "b")
    assert a == b


# --------------------------------------------------------------------------------------------
# Cookbook page and attribution


def test_cookbook_page_renders_the_document(rest_client):
    r = rest_client.get("/cookbook")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert r.text.count("<h2 ") >= 12
    assert "<table>" in r.text and '<pre><code class="language-sparql">' in r.text
    assert 'href="/queries/cookbook-domestic-sister-cities"' in r.text
    main = r.text.split('<main id="main">', 1)[1].split("</main>", 1)[0]
    assert "<script" not in main  # the document's text is escaped, never run


@pytest.mark.parametrize("path", ["/cookbook", "/dumps/"])
def test_pages_carry_the_license_and_attribution(rest_client, path):
    text = rest_client.get(path, headers={"Accept": "text/html"}).text
    for needed in (
        "https://creativecommons.org/licenses/by/4.0/",
        "PublicDataReader",
        "code.go.kr",
        "Wikidata",
        "Who&#39;s On First",
    ):
        assert needed in text, needed
