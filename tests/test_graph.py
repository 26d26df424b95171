"""The built graph answers the foundation's acceptance questions."""

import re

import pytest
from alliance_kg.loaders.read import read

from alliance_kg import canned, paths
from alliance_kg import store as stores
from alliance_kg.query import run

ID = "https://w3id.org/alliance-kg/id/"
SIGNED_BY_SOURCE = "https://w3id.org/alliance-kg/id/source/"


@pytest.fixture(scope="module")
def store(store_location):
    return stores.open_read_only(store_location)


def rows(store, name: str, **values) -> list[dict]:
    """The rows of a canned query, by variable name."""
    query = canned.load_all()[name]
    result = run(store, canned.with_values(query, query.bind(values)))
    names = [v.value for v in result.variables]
    return [{n: r[n] for n in names} for r in result]


def test_each_qid_names_exactly_one_entity(store):
    qids = {
        r.wikidata
        for rs in read(paths.DATA).by_file.values()
        for r in rs
        if getattr(r, "wikidata", None)
    }
    assert "Q42157" in qids
    for qid in sorted(qids):
        found = list(
            run(
                store,
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?x "
                f"{{ ?x skos:exactMatch <http://www.wikidata.org/entity/{qid}> }}",
            )
        )
        assert len(found) == 1, qid
    pohang = run(
        store,
        "SELECT ?x { ?x <http://www.w3.org/2004/02/skos/core#exactMatch> "
        "<http://www.wikidata.org/entity/Q42157> }",
    )
    assert [r["x"].value for r in pohang] == [ID + "municipality/pohang"]


def test_pohang_partners_with_dates_and_sources(store):
    found = rows(store, "partners", municipality=ID + "municipality/pohang")
    ties: dict[tuple[str, str], dict] = {}
    for r in found:
        if r["kind"].value == "alliance-member" and not r["tie"].value.endswith(
            "/haeoreum-alliance"
        ):
            continue  # Pohang is in other alliances with Ulsan and Gyeongju too
        key = (r["partner"].value.removeprefix(ID + "municipality/"), r["kind"].value)
        tie = ties.setdefault(key, {"since": r["since"] and r["since"].value, "sources": set()})
        tie["sources"].add(r["source"].value)
    assert ties[("yongin", "friendship-city")]["since"] == "2024-05-14"
    for member in ("ulsan", "gyeongju"):
        assert ties[(member, "alliance-member")]["since"] == "2016-06-30"
    for key in [
        ("yongin", "friendship-city"),
        ("ulsan", "alliance-member"),
        ("gyeongju", "alliance-member"),
    ]:
        assert ties[key]["sources"], key
        assert all(s.startswith(SIGNED_BY_SOURCE) for s in ties[key]["sources"])
    # The friendship agreement is traceable to the article that reported it.
    assert any("joongdo" in s for s in ties[("yongin", "friendship-city")]["sources"])


def readme_level_counts() -> dict[str, int]:
    text = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    return {
        m[1]: int(m[2])
        for m in re.finditer(r"^\| `([a-z-]+)` \| [^|]+ \| (\d+) \|$", text, re.MULTILINE)
    }


def test_counts_per_level_are_the_readme_table(store):
    stated = readme_level_counts()
    assert len(stated) == 9
    counted = {r["level"].value: int(r["count"].value) for r in rows(store, "levels")}
    assert counted == stated


def test_every_entity_has_korean_and_english_labels(store):
    # Every entity with an IRI of its own (not a #part, not a source: sources carry a title).
    entities = (
        f'STRSTARTS(STR(?x), "{ID}") && !CONTAINS(STR(?x), "#") && !CONTAINS(STR(?x), "/source/")'
    )
    missing = run(
        store,
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT DISTINCT ?x ?lang WHERE { "
        f"{{ SELECT DISTINCT ?x {{ ?x ?p ?o FILTER({entities}) }} }} "
        'VALUES ?lang { "ko" "en" } '
        "FILTER NOT EXISTS { ?x rdfs:label ?l FILTER(LANG(?l) = ?lang) } }",
    )
    assert [(r["x"].value, r["lang"].value) for r in missing] == []


def test_ontology_is_in_its_own_graph(store):
    assert bool(
        run(store, "ASK { GRAPH <https://w3id.org/alliance-kg/graph/ontology> { ?s ?p ?o } }")
    )
