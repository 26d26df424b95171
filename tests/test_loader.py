"""The loader: promised errors for bad records, determinism, and the atomic swap."""

import gc
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from alliance_kg.loaders import build, rdf

from alliance_kg import canonical, paths
from alliance_kg import store as stores
from alliance_kg.query import export_bytes, run

POHANG = "https://w3id.org/alliance-kg/id/municipality/pohang"
COUNT = "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A private copy of data/ that a test may break."""
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA, copy)
    return copy


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A store of data/ to query and to fail loads into (built without the SHACL check, the
    slow step, which the full loads below go through)."""
    location = tmp_path_factory.mktemp("built") / "store"
    _, dump = build.build_quads(paths.DATA, report=lambda _: None, shapes=False)
    build.write_store(location, dump, report=lambda _: None)
    return location


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "alliance_kg.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def count(location: Path) -> int:
    return int(next(iter(run(stores.open_read_only(location), COUNT)))["n"].value)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Each bad record, and the file, record, field and message the error must name.
BAD_RECORDS = [
    (
        "missing source",
        "municipalities.csv",
        ",mois-legal-dong-codes-2022;wikidata-municipalities,\n",
        ",,\n",
        "municipalities.csv: record seoul, field sources: ",
    ),
    (
        "unknown party",
        "agreements.yaml",
        "parties: [yongin, pohang]",
        "parties: [yongin, nowhere]",
        "agreements.yaml: record yongin-pohang-friendship-2024, field parties.1: unknown",
    ),
    ("impossible date", "agreements.yaml", "2024-05-14", "2024-02-30", "is not a real date"),
    (
        "malformed QID",
        "municipalities.csv",
        ",Q42157,",
        ",42157,",
        "municipalities.csv: record pohang, field wikidata: '42157' is not a Wikidata QID",
    ),
]


@pytest.mark.parametrize(
    ("case", "file", "old", "new", "expected"), BAD_RECORDS, ids=[c[0] for c in BAD_RECORDS]
)
def test_bad_record_gives_the_promised_error(data, tmp_path, built, case, file, old, new, expected):
    replace_in(data / file, old, new)
    before = stores.current_build(built)
    result = cli("load", "--data", str(data), "--store", str(built))
    assert result.returncode == 1
    assert expected in result.stderr
    assert "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert stores.current_build(built) == before


def test_duplicate_id_names_both_records(data):
    text = (data / "municipalities.csv").read_text(encoding="utf-8")
    pohang = next(line for line in text.splitlines() if line.startswith("pohang,"))
    (data / "municipalities.csv").write_text(text + pohang + "\n", encoding="utf-8")
    result = cli("validate", "--data", str(data))
    assert result.returncode == 1
    assert "municipalities.csv: record pohang, field id: id 'pohang' is used twice" in result.stderr


def test_wrong_encoding_names_file_and_line(data):
    path = data / "statuses.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("euc-kr"))
    result = cli("validate", "--data", str(data))
    assert result.returncode == 1
    assert "statuses.yaml: file: line " in result.stderr and "not UTF-8" in result.stderr


def test_decomposed_hangul_is_refused(data):
    import unicodedata

    replace_in(
        data / "municipalities.csv", ",포항시,", f",{unicodedata.normalize('NFD', '포항시')},"
    )
    result = cli("validate", "--data", str(data))
    assert "record pohang, field name_ko: text is not NFC-normalised" in result.stderr


def test_all_errors_are_reported_at_once(data):
    replace_in(data / "municipalities.csv", ",Q42157,", ",X1,")
    replace_in(data / "municipalities.csv", ",Q42097,", ",X2,")
    result = cli("validate", "--data", str(data))
    assert "record pohang, field wikidata" in result.stderr
    assert "record gyeongju, field wikidata" in result.stderr


def in_memory_dump(data: Path) -> bytes:
    """The canonical dump as the loader made it before it streamed: every quad in memory,
    one sort."""
    records = build.check_records(data, report=lambda _: None)
    ontology = (paths.ONTOLOGY / "alliance.ttl").read_bytes()
    return canonical.nquads(rdf.to_quads(records) + list(rdf.ontology_quads(ontology)))


def test_the_streamed_dump_is_the_in_memory_dump_byte_for_byte(tmp_path):
    expected = in_memory_dump(paths.DATA)
    assert build.build_quads(paths.DATA, report=lambda _: None, shapes=False)[1] == expected
    # data/ fits in one chunk; spilled in many, as a large data set is, it gives the same bytes
    phases = build.Phases(lambda _: None)
    records = build.check_records(paths.DATA, phases=phases)
    out = io.BytesIO()
    chunks = canonical.sorted_chunks(build._quads(records, phases), tmp_path, chunk_quads=5000)
    assert len(chunks) > 10
    written = canonical.merge(chunks, out)
    assert out.getvalue() == expected
    assert written == (expected.count(b"\n"), canonical.content_hash(expected))
    assert not list(tmp_path.iterdir())  # the chunks are gone


def test_the_default_graph_is_the_merge_of_the_record_graphs(built):
    store = stores.open_read_only(built)
    default = set(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert default == set(stores.default_graph_merge(store))


def test_progress_on_a_log_is_plain_lines():
    stream = io.StringIO()
    progress = build.Progress(stream, interval=0.05)
    phases = build.Phases(lambda _: None, progress)
    phases.run(
        "counting", lambda: [phases.advance() or time.sleep(0.02) for _ in range(10)], "rows", 10
    )
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("  counting: ") for line in lines)
    assert "\r" not in stream.getvalue() and lines[-1].endswith("/10 rows")


@pytest.mark.slow  # a full load
def test_a_shape_error_fails_the_load_and_leaves_the_store(built, monkeypatch):
    labels = rdf.Converter.labels

    def without_english(self, node, ko, en, *args, **kwargs):
        labels(self, node, ko, en, *args, **kwargs)
        if node.value == POHANG:  # as if rdf.py had lost Pohang's English label
            self.out = [q for q in self.out if not (q.subject == node and q.object.value == en)]

    monkeypatch.setattr(rdf.Converter, "labels", without_english)
    before = stores.current_build(built)
    with pytest.raises(build.BuildFailed) as failed:
        build.load(paths.DATA, built, report=lambda _: None)
    assert [str(e) for e in failed.value.errors] == [
        "municipalities.csv: record pohang, field rdfs:label: "
        "Missing English label: rdfs:label needs a value tagged @en."
    ]
    assert stores.current_build(built) == before
    assert not list(stores.builds_dir(built).glob("partial-*"))
    assert gc.isenabled()  # the load turns the cycle collector off while it runs, and back on


@pytest.mark.slow  # full loads
def test_same_records_give_the_same_dump(tmp_path, built):
    other = tmp_path / "again" / "store"
    loaded = build.load(paths.DATA, other, report=lambda _: None)
    assert [p.name for p in loaded.phases] == [
        "read and validate",
        "cross-record checks",
        "convert to RDF",
        "serialize N-Quads",
        "write store",
        "SHACL",
        "optimize store",
    ]
    assert all(p.seconds >= 0 and p.peak_rss_mb > 0 for p in loaded.phases)
    first = export_bytes(stores.open_read_only(built), "nquads")
    assert first == export_bytes(stores.open_read_only(other), "nquads")
    assert first == build.build_quads(paths.DATA, report=lambda _: None)[1]
    assert b"_:" not in first  # no blank nodes


@pytest.mark.slow  # full loads
def test_swap_is_atomic_and_readers_keep_their_store(data, tmp_path):
    location = tmp_path / "store"
    build.load(data, location)
    old_build, old_count = stores.current_build(location), count(location)
    reader = stores.open_read_only(location)

    replace_in(data / "municipalities.csv", "Pohang-si;", "Pohang-si;Steel City;")
    build.load(data, location)
    assert stores.current_build(location) != old_build
    assert count(location) == old_count + 1
    # A reader that opened the old build before the swap still answers from it.
    assert int(next(iter(run(reader, COUNT)))["n"].value) == old_count


@pytest.mark.slow  # full loads
def test_killed_load_leaves_the_old_store_and_the_next_load_succeeds(data, tmp_path):
    location = tmp_path / "store"
    build.load(data, location)
    before = stores.current_build(location)
    # Make the load slow enough to kill mid-way: a large extra data set to convert and write.
    rows = "".join(
        f"x{i},시{i},X{i},city,gyeonggi,9{i:04d},,,,,mois-legal-dong-codes-2022,\n"
        for i in range(4000)
    )
    with (data / "municipalities.csv").open("a", encoding="utf-8") as f:
        f.write(rows)
    loader = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alliance_kg.cli",
            "load",
            "--data",
            str(data),
            "--store",
            str(location),
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in loader.stderr:  # wait until it is past validation, then kill it
        if "convert to RDF" in line or "SHACL" in line:
            break
    time.sleep(0.2)
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    assert stores.current_build(location) == before
    assert count(location) > 0
    build.load(data, location)
    assert not list(stores.builds_dir(location).glob("partial-*"))


def test_store_option_and_environment_variable(tmp_path, built):
    query = "ASK { ?x ?p ?o }"
    assert cli("query", "--store", str(built), query).stdout == "true\n"
    assert cli("query", query, env={"ALLIANCE_KG_STORE": str(built)}).stdout == "true\n"
    missing = cli("query", "--store", str(tmp_path / "none"), query)
    assert missing.returncode == 1 and "run `alliance-kg load` first" in missing.stderr


def test_query_formats(built):
    query = f"SELECT ?l {{ <{POHANG}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    table = cli("query", "--store", str(built), query).stdout
    assert "포항시@ko" in table and "(2 rows)" in table
    json = cli("query", "--store", str(built), "--format", "json", query).stdout
    assert '"xml:lang":"ko"' in json.replace(" ", "")
    csv = cli("query", "--store", str(built), "--format", "csv", query).stdout
    assert csv.splitlines()[0] == "l"


@pytest.mark.slow  # rdflib reads every format
def test_export_formats_reload_to_the_same_triples(tmp_path, built):
    source = stores.open_read_only(built)
    for fmt, rdf_format in (("nquads", ox.RdfFormat.N_QUADS), ("trig", ox.RdfFormat.TRIG)):
        out = tmp_path / f"dump.{fmt}"
        assert cli("export", "--store", str(built), "--format", fmt, "-o", str(out)).returncode == 0
        again = ox.Store()
        again.load(path=str(out), format=rdf_format)
        assert set(again) == set(stores.named_graph_quads(source))  # not the merged default


def test_control_characters_are_refused(data):
    replace_in(data / "municipalities.csv", ",포항시,", ",포항\x07시,")
    result = cli("validate", "--data", str(data))
    assert "record pohang, field name_ko: text holds the control character U+0007" in result.stderr


def test_error_messages_stay_short_for_huge_values(data):
    replace_in(data / "municipalities.csv", ",Q42157,", f",Q{'x' * 100000},")
    result = cli("validate", "--data", str(data))
    line = next(x for x in result.stderr.splitlines() if "record pohang, field wikidata" in x)
    assert len(line) < 300 and "(100001 chars)" in line


# --- Tables in folders (data/<type>/<file>.csv): one row per record --------------------------

AGREEMENT_HEADER = "id,kind,status,parties,date,ended_on,precedes,sources,note\n"


def write_table(data: Path, name: str, text: str) -> None:
    path = data / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_table_row_error_names_file_row_and_field(data):
    write_table(
        data,
        "agreements/extra.csv",
        AGREEMENT_HEADER + "x-tie,sister-city,,pohang;nowhere,2001,,,mois-legal-dong-codes-2022,\n",
    )
    result = cli("validate", "--data", str(data))
    assert result.returncode == 1
    assert "agreements/extra.csv: record x-tie, field parties.1: unknown" in result.stderr


def test_the_same_tie_twice_is_an_error_naming_the_first(data):
    # The Yongin–Pohang friendship agreement again, parties in the other order.
    row = "again,friendship-city,,pohang;yongin,2024-05-14,,,mois-legal-dong-codes-2022,\n"
    write_table(data, "agreements/extra.csv", AGREEMENT_HEADER + row)
    result = cli("validate", "--data", str(data))
    assert result.returncode == 1
    assert (
        "agreements/extra.csv: record again, field parties: "
        "the same tie as 'yongin-pohang-friendship-2024'" in result.stderr
    )


def test_one_address_is_one_source(data):
    write_table(
        data,
        "sources/extra.csv",
        "id,kind,title,language,publisher,date,url,partner_page_of,note\n"
        "copy,news-article,사본,ko,,,https://m.wikitree.co.kr/articles/599684,,\n",
    )
    result = cli("validate", "--data", str(data))
    assert (
        "sources/extra.csv: record copy, field url: "
        "the same address as source 'wikitree-local-autonomy-act-2020'" in result.stderr
    )


@pytest.mark.parametrize(
    ("status", "date", "ended_on", "message"),
    [
        ("", "2001", "2005", "ended_on needs status ended"),
        ("ended", "2005-06", "2005-03", "ended_on is before the date it was signed"),
    ],
)
def test_end_dates_must_make_sense(data, status, date, ended_on, message):
    row = f"x,sister-city,{status},pohang;yongin,{date},{ended_on},,mois-legal-dong-codes-2022,\n"
    write_table(data, "agreements/extra.csv", AGREEMENT_HEADER + row)
    result = cli("validate", "--data", str(data))
    assert f"agreements/extra.csv: record x, field ended_on: {message}" in result.stderr


@pytest.mark.slow  # full loads
def test_table_rows_load_with_their_history(data, tmp_path):
    write_table(
        data,
        "foreign-governments/extra.csv",
        "id,name_ko,name_en,country,region_ko,region_en,wikidata,aliases,sources,note\n"
        "testville-jp,테스트시,Testville,JP,테스트현,Test Prefecture,,テスト市@ja;Tesuto,"
        "mois-legal-dong-codes-2022,\n",
    )
    write_table(
        data,
        "agreements/extra.csv",
        AGREEMENT_HEADER
        + "pohang-testville-friendship-1990,friendship-city,,pohang;testville-jp,1990,,"
        "pohang-testville-sister-1995,mois-legal-dong-codes-2022,\n"
        + "pohang-testville-sister-1995,sister-city,ended,pohang;testville-jp,1995-04,2010,,"
        "mois-legal-dong-codes-2022,\n",
    )
    location = tmp_path / "store"
    build.load(data, location)
    rows = list(
        run(
            stores.open_read_only(location),
            """PREFIX ak: <https://w3id.org/alliance-kg/ontology#>
            SELECT ?status ?ended ?next ?region WHERE {
              ?tie ak:party <https://w3id.org/alliance-kg/id/municipality/testville-jp> ;
                   ak:agreementStatus ?status ; ak:signedOn ?signed .
              OPTIONAL { ?tie ak:endedOn ?ended }
              OPTIONAL { ?tie ak:stepBefore ?next }
              <https://w3id.org/alliance-kg/id/municipality/testville-jp> ak:region ?region .
              FILTER(LANG(?region) = "en")
            } ORDER BY ?signed""",
        )
    )
    assert [
        (r["status"].value.rsplit("/", 1)[-1], r["ended"] and r["ended"].value) for r in rows
    ] == [
        ("signed", None),
        ("ended", "2010"),
    ]
    assert rows[0]["next"].value.endswith("/agreement/pohang-testville-sister-1995")
    assert rows[0]["region"].value == "Test Prefecture"
