"""The loader's SPARQL translation of the shapes against pyshacl: the same errors, on data/ and
on data/ with statements broken in ways only the shapes catch."""

from pathlib import Path

import pyoxigraph as ox
import pytest
from alliance_kg.loaders import build, shapes
from alliance_kg.loaders.read import RecordError

from alliance_kg import paths

ID = "https://w3id.org/alliance-kg/id/"
AK = "https://w3id.org/alliance-kg/ontology#"
GRAPH = "https://w3id.org/alliance-kg/graph/"

# (what breaks, the dump line's text before, after): each a statement the record checks
# cannot see, as an edited rdf.py or an edited ontology might produce.
BREAKS = [
    (
        "no English label",
        f'<{ID}municipality/pohang> <http://www.w3.org/2000/01/rdf-schema#label> "Pohang"@en',
        f'<{ID}municipality/pohang> <http://www.w3.org/2000/01/rdf-schema#comment> "Pohang"@en',
    ),
    (
        "two English labels",
        f'<{ID}municipality/andong> <http://www.w3.org/2004/02/skos/core#prefLabel> "Andong"@en',
        f'<{ID}municipality/andong> <http://www.w3.org/2004/02/skos/core#prefLabel> "Andong"@en '
        f"<{GRAPH}municipality/andong> .\n"
        f'<{ID}municipality/andong> <http://www.w3.org/2004/02/skos/core#prefLabel> "Andong-si"@en',
    ),
    (
        "level outside the list",
        f"<{ID}municipality/gyeongju> <{AK}level> <{ID}level/city>",
        f"<{ID}municipality/gyeongju> <{AK}level> <{ID}level/village>",
    ),
    (
        "planned agreement with a signing date",
        f"<{AK}agreementStatus> <{ID}agreement-status/signed> <{GRAPH}agreement/yongin-pohang",
        f"<{AK}agreementStatus> <{ID}agreement-status/planned> <{GRAPH}agreement/yongin-pohang",
    ),
    (
        "four-digit code",
        f'<{ID}municipality/pohang> <{AK}code> "47110"',
        f'<{ID}municipality/pohang> <{AK}code> "4711"',
    ),
    (
        "Wikidata match not an item",
        "<http://www.wikidata.org/entity/Q42157>",
        "<http://example.org/Q42157>",
    ),
    (
        "foreign government in Korea",
        f'<{ID}municipality/abashiri-jp> <{AK}country> "JP"',
        f'<{ID}municipality/abashiri-jp> <{AK}country> "KR"',
    ),
    (
        "latitude outside Korea",
        f'<{ID}municipality/andong> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "36.5656"',
        f'<{ID}municipality/andong> <http://www.w3.org/2003/01/geo/wgs84_pos#lat> "30.5"',
    ),
    (
        "instant without a unit",
        f"<{ID}agreement/andong-osan-sister-2024#signed> <http://www.w3.org/2006/time#unitType>",
        f"<{ID}agreement/andong-osan-sister-2024#signed> <http://www.w3.org/2006/time#unit>",
    ),
]


@pytest.fixture(scope="module")
def files() -> dict[tuple[str, str], str]:
    return build._record_files(build.check_records(paths.DATA, report=lambda _: None))


@pytest.fixture(scope="module")
def dump() -> bytes:
    return build.build_quads(paths.DATA, report=lambda _: None, shapes=False)[1]


def by_sparql(dump: bytes, files, tmp_path: Path) -> list[RecordError]:
    (tmp_path / "dump.nq").write_bytes(dump)
    store = ox.Store()
    build._fill(store, tmp_path / "dump.nq", tmp_path)
    return build.shape_errors(store, files)


def by_pyshacl(dump: bytes, files) -> list[RecordError]:
    """What the loader reported before it checked the shapes by SPARQL: pyshacl over the
    union of the graphs, in rdflib."""
    import pyshacl
    import rdflib

    triples = (
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(dump, format=ox.RdfFormat.N_QUADS)
    )
    data = rdflib.Graph().parse(
        data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt"
    )
    shapes_graph = rdflib.Graph().parse(paths.ONTOLOGY / "shapes.ttl", format="turtle")
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes_graph, inference="none", advanced=True, allow_warnings=True
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    errors = set()
    for result in report.subjects(rdflib.RDF.type, sh.ValidationResult):
        if report.value(result, sh.resultSeverity) != sh.Violation:
            continue
        path = report.value(result, sh.resultPath)
        errors.add(
            RecordError(
                *build._record_of(str(report.value(result, sh.focusNode)), files),
                field=build._short(None if path is None else str(path)),
                message=str(report.value(result, sh.resultMessage) or "does not conform"),
            )
        )
    return sorted(errors)


def broken(dump: bytes) -> bytes:
    text = dump.decode()
    for case, old, new in BREAKS:
        assert old in text, case
        text = text.replace(old, new, 1)
    return text.encode()


@pytest.mark.slow  # pyshacl on all of data/, twice
def test_sparql_shapes_give_what_pyshacl_gives(dump, files, tmp_path):
    assert by_sparql(dump, files, tmp_path) == by_pyshacl(dump, files) == []
    errors = by_sparql(broken(dump), files, tmp_path)
    assert errors == by_pyshacl(broken(dump), files)
    assert len({(e.record, e.field) for e in errors}) >= len(BREAKS)


def test_each_break_is_caught(dump, files, tmp_path):
    errors = by_sparql(broken(dump), files, tmp_path)
    assert {(e.file, e.record, e.field) for e in errors} >= {
        ("municipalities.csv", "pohang", "rdfs:label"),
        ("municipalities.csv", "andong", "skos:prefLabel"),
        ("municipalities.csv", "gyeongju", "ak:level"),
        ("agreements.yaml", "yongin-pohang-friendship-2024", ""),
        ("municipalities.csv", "pohang", "ak:code"),
        ("municipalities.csv", "pohang", "skos:exactMatch"),
        ("municipalities.csv", "andong", "wgs:lat"),
        ("agreements/gyeonggi.csv", "andong-osan-sister-2024", "time:unitType"),
    }
    assert "Missing English label: rdfs:label needs a value tagged @en." in {
        e.message for e in errors
    }


def test_an_unknown_constraint_stops_the_checker():
    turtle = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> sh:targetClass <urn:C> ; sh:property [ sh:path <urn:p> ; sh:lessThan <urn:q> ] ."""
    with pytest.raises(shapes.UnsupportedShape, match="sh:lessThan"):
        shapes.checks(turtle, {})
