"""Wikidata both ways: reading P190 results, the comparison, and QuickStatements proposals.

The results file ``tests/fixtures/wikidata-twins.json`` is written by hand for these tests, with
QIDs from data/ only: it lacks Yongin–Gwangyang, dates Yongin–Sacheon a year early, has
Yongin–Sokcho on Yongin only, ends Yongin–Goseong, and twins Pohang with Gyeongju.
"""

import csv
import io
import re
from pathlib import Path

import pytest

from alliance_kg import store as stores
from alliance_kg import wikidata as wd
from alliance_kg.cli import main

FIXTURE = Path(__file__).parent / "fixtures" / "wikidata-twins.json"
YONGIN, GWANGYANG, SACHEON, SOKCHO, WANDO = "Q18459", "Q42067", "Q42100", "Q42109", "Q50311"


@pytest.fixture(scope="module")
def store(store_location):
    return stores.open_read_only(store_location)


@pytest.fixture(scope="module")
def ties(store):
    return wd.graph_ties(store)


@pytest.fixture(scope="module")
def comparison(store, ties):
    return wd.compare(ties, wd.read_results(FIXTURE), wd.graph_items(store))


def rows_for(comparison, category, *qids):
    return [
        r
        for r in comparison.rows
        if r["category"] == category and set(qids) <= {r["qid_a"], r["qid_b"]}
    ]


# --- reading results ---------------------------------------------------------------------------


def test_read_results_keeps_dates_at_their_precision():
    statements = wd.read_results(FIXTURE)
    assert len(statements) == 14
    jindo = next(s for s in statements if (s.item, s.partner) == (YONGIN, "Q50325"))
    assert jindo.start == wd.WikiDate(2006, 0, 0, 9)
    assert str(jindo.start) == "2006"
    assert jindo.item_label == "용인시"
    goseong = next(s for s in statements if (s.item, s.partner) == (YONGIN, "Q50208"))
    assert str(goseong.end) == "2024-12-31"


def test_without_a_precision_the_coarsest_reading_is_taken():
    assert wd.WikiDate.parse("2006-01-01T00:00:00Z").precision == 9
    assert wd.WikiDate.parse("1996-04-01T00:00:00Z").precision == 10
    assert wd.WikiDate.parse("2024-03-14T00:00:00Z").precision == 11


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"boolean": true}', "not a SPARQL JSON results file"),
        ('{"head": {"vars": ["x"]}, "results": {"bindings": []}}', "?item and ?partner"),
        (
            '{"head": {"vars": ["item", "partner"]}, "results": {"bindings": '
            '[{"item": {"type": "literal", "value": "Q1"}, "partner": {"type": "uri", '
            '"value": "http://www.wikidata.org/entity/Q2"}}]}}',
            "must be items",
        ),
        (
            '{"head": {"vars": ["item", "partner", "start"]}, "results": {"bindings": '
            '[{"item": {"type": "uri", "value": "http://www.wikidata.org/entity/Q1"}, '
            '"partner": {"type": "uri", "value": "http://www.wikidata.org/entity/Q2"}, '
            '"start": {"type": "literal", "value": "yesterday"}}]}}',
            "not a Wikidata time value",
        ),
    ],
)
def test_bad_results_files_are_refused_with_a_reason(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(wd.ResultsError, match=re.escape(message)):
        wd.read_results(path)


def test_dates_agree_at_the_coarser_precision():
    day = wd.WikiDate.from_graph("2024-03-14")
    assert day.agrees(wd.WikiDate.parse("+2024-03-14T00:00:00Z", 11))
    assert day.agrees(wd.WikiDate.parse("+2024-03-00T00:00:00Z", 10))
    assert day.agrees(wd.WikiDate.parse("+2024-00-00T00:00:00Z", 9))
    assert not day.agrees(wd.WikiDate.parse("+2024-03-15T00:00:00Z", 11))
    assert not day.agrees(wd.WikiDate.parse("+2024-04-00T00:00:00Z", 10))
    assert day.agrees(wd.WikiDate.parse("+2020-00-00T00:00:00Z", 8))  # the 2020s
    assert not day.agrees(wd.WikiDate.parse("+2010-00-00T00:00:00Z", 8))


# --- the graph's side --------------------------------------------------------------------------


def test_graph_ties_carry_qids_dates_and_source_addresses(ties):
    tie = next(t for t in ties if t.slug == "yongin-gwangyang-sister-2024")
    assert tie.kind == "sister-city"
    assert {tie.a.qid, tie.b.qid} == {YONGIN, GWANGYANG}
    assert tie.signed == wd.WikiDate(2024, 3, 14, 11)
    assert any(url.startswith("https://") for url in tie.urls)
    jindo = next(t for t in ties if t.slug == "yongin-jindo-sister-2006")
    assert jindo.signed.precision == 9
    planned = [t for t in ties if t.slug == "yongin-pohang-sister-2025"]
    assert planned == []  # only signed agreements


# --- comparison --------------------------------------------------------------------------------


def test_a_tie_the_file_lacks_is_missing_in_wikidata(comparison):
    (row,) = rows_for(comparison, "missing-in-wikidata", YONGIN, GWANGYANG)
    assert row["graph_date"] == "2024-03-14"
    assert row["agreement"] == "yongin-gwangyang-sister-2024"
    assert row["sources"].startswith("http")


def test_a_different_p580_is_a_date_disagreement(comparison):
    rows = rows_for(comparison, "date-differs", YONGIN, SACHEON)
    assert {r["wikidata_item"] for r in rows} == {YONGIN, SACHEON}
    assert all(
        r["graph_date"] == "2021-02-25" and r["wikidata_start"] == "2020-02-25" for r in rows
    )


def test_an_end_time_the_graph_lacks_is_reported(comparison):
    rows = rows_for(comparison, "date-differs", YONGIN, "Q50208")
    assert rows and all(r["wikidata_end"] == "2024-12-31" for r in rows)


def test_agreeing_ties_are_not_reported(comparison):
    for qid in (WANDO, "Q50325"):  # same day; same year at year precision
        assert not [r for r in comparison.rows if {r["qid_a"], r["qid_b"]} == {YONGIN, qid}], qid


def test_the_other_categories(comparison):
    (missing,) = rows_for(comparison, "missing-in-graph", "Q42157", "Q42097")
    assert "cooperation" in missing["note"]
    (one_sided,) = rows_for(comparison, "one-sided-in-wikidata", YONGIN, SOKCHO)
    assert one_sided["wikidata_item"] == YONGIN
    assert rows_for(comparison, "date-missing-in-wikidata", YONGIN, "Q42140")
    assert rows_for(comparison, "date-missing-in-graph", "Q42157", GWANGYANG)
    slugs = {t.slug for t in comparison.not_comparable}
    assert "yongin-williamson-sister-2024" in slugs  # Williamson County has no QID


def test_compare_command_writes_table_and_csv(store_location, tmp_path, capsys):
    out = tmp_path / "report.csv"
    status = main(
        ["compare", "wikidata", str(FIXTURE), "--store", str(store_location), "--csv", str(out)]
    )
    assert status == 0
    table = capsys.readouterr().out
    assert "In this graph, not in Wikidata" in table and "Dates disagree (4)" in table
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == wd.COLUMNS
    assert any(
        r["category"] == "missing-in-wikidata" and {r["qid_a"], r["qid_b"]} == {YONGIN, GWANGYANG}
        for r in rows
    )


def test_import_command_reads_and_reports(store_location, tmp_path, capsys):
    assert main(["import", "wikidata", str(FIXTURE), "--store", str(store_location)]) == 0
    captured = capsys.readouterr()
    assert "Q42100" in captured.out
    assert "14 P190 statement(s)" in captured.err
    bad = tmp_path / "bad.json"
    bad.write_text("{}", encoding="utf-8")
    assert main(["import", "wikidata", str(bad), "--store", str(store_location)]) == 1


# --- QuickStatements ---------------------------------------------------------------------------


def pairs(lines):
    return [tuple(line.split("\t")) for line in lines]


def test_quickstatements_propose_yongin_gwangyang_with_date_and_source(ties):
    lines = pairs(wd.quickstatements(ties).lines)
    for item, partner in ((YONGIN, GWANGYANG), (GWANGYANG, YONGIN)):
        mine = [x for x in lines if x[:3] == (item, "P190", partner)]
        assert mine, (item, partner)
        for x in mine:
            assert x[3:5] == ("P580", "+2024-03-14T00:00:00Z/11")
            assert x[5] == "S854" and x[6].startswith('"http') and x[6].endswith('"')


def test_quickstatements_lines_are_well_formed(ties):
    for line in wd.quickstatements(ties, friendship=True).lines:
        cells = line.split("\t")
        assert cells[0].startswith("Q") and cells[1] == "P190" and cells[2].startswith("Q")
        assert "S854" in cells  # nothing without a source
        if "P580" in cells:
            value = cells[cells.index("P580") + 1]
            assert re.fullmatch(r"\+\d{4}-\d\d-\d\dT00:00:00Z/(9|10|11)", value), value


def test_year_precision_and_undated_ties(ties):
    lines = pairs(wd.quickstatements(ties).lines)
    jindo = [x for x in lines if x[:3] == (YONGIN, "P190", "Q50325")]
    assert jindo and all(x[3:5] == ("P580", "+2006-00-00T00:00:00Z/9") for x in jindo)
    jeju = [x for x in lines if x[:3] == (YONGIN, "P190", "Q42142")]
    assert jeju and all(x[3] == "S854" for x in jeju)  # no date known: no P580


def test_no_proposal_without_both_qids_or_a_source(ties):
    proposal = wd.quickstatements(ties, friendship=True)
    with_qids = {frozenset((t.a.qid, t.b.qid)) for t in ties if t.a.qid and t.b.qid}
    for x in pairs(proposal.lines):
        assert frozenset((x[0], x[2])) in with_qids
    assert any(r.startswith("yongin-williamson-sister-2024:") for r in proposal.skipped)
    without_source = [
        wd.Tie(t.agreement, t.kind, t.a, t.b, t.signed, [(s, None) for s, _ in t.sources])
        for t in ties
    ]
    empty = wd.quickstatements(without_source, friendship=True)
    assert empty.lines == [] and all("no source" in r or "no Wikidata" in r for r in empty.skipped)


def test_friendship_agreements_only_with_the_flag(ties):
    pohang = "Q42157"
    default = pairs(wd.quickstatements(ties).lines)
    assert not [x for x in default if set(x[::2][:2]) == {YONGIN, pohang}]
    flagged = pairs(wd.quickstatements(ties, friendship=True).lines)
    yp = [x for x in flagged if {x[0], x[2]} == {YONGIN, pohang}]
    assert yp and all(x[4] == "+2024-05-14T00:00:00Z/11" for x in yp)


def test_what_wikidata_has_is_not_proposed_again(ties):
    lines = pairs(wd.quickstatements(ties, wd.read_results(FIXTURE)).lines)
    heads = {x[:3] for x in lines}
    assert (YONGIN, "P190", GWANGYANG) in heads and (GWANGYANG, "P190", YONGIN) in heads
    assert (YONGIN, "P190", WANDO) not in heads and (WANDO, "P190", YONGIN) not in heads
    assert (SOKCHO, "P190", YONGIN) in heads and (YONGIN, "P190", SOKCHO) not in heads


def test_export_quickstatements_command(store_location, tmp_path, capsys):
    out = tmp_path / "qs.tsv"
    args = ["export", "quickstatements", "--store", str(store_location), "-o", str(out)]
    assert main([*args, "--compare", str(FIXTURE)]) == 0
    text = out.read_text(encoding="utf-8")
    assert f"{YONGIN}\tP190\t{GWANGYANG}\tP580\t+2024-03-14T00:00:00Z/11\tS854\t" in text
    assert f"{YONGIN}\tP190\t{WANDO}\t" not in text
    assert "not proposed: yongin-williamson-sister-2024" in capsys.readouterr().err
    # The whole-graph export still works as before.
    assert (
        main(["export", "--store", str(store_location), "--format", "nquads", "-o", str(out)]) == 0
    )
    assert out.read_text(encoding="utf-8").startswith("<")


def test_the_canned_queries_parse():
    from alliance_kg import canned

    queries = canned.load_all()
    for name in ("wikidata-twins", "wikidata-items", "wikidata-federated"):
        assert queries[name].title and queries[name].description, name
    assert "SERVICE <https://query.wikidata.org/sparql>" in queries["wikidata-federated"].sparql


def test_the_readme_query_is_a_select_with_the_variables_read():
    from rdflib.plugins.sparql import prepareQuery

    prefixes = {  # the prefixes query.wikidata.org declares itself
        "wd": "http://www.wikidata.org/entity/",
        "wdt": "http://www.wikidata.org/prop/direct/",
        "p": "http://www.wikidata.org/prop/",
        "ps": "http://www.wikidata.org/prop/statement/",
        "pqv": "http://www.wikidata.org/prop/qualifier/value/",
        "wikibase": "http://wikiba.se/ontology#",
        "bd": "http://www.bigdata.com/rdf#",
    }
    header = "".join(f"PREFIX {k}: <{v}>\n" for k, v in prefixes.items())
    query = prepareQuery(header + wd.WIKIDATA_QUERY)
    selected = {str(v) for v in query.algebra["PV"]}
    assert {"item", "partner", "start", "startPrecision", "end", "endPrecision"} <= selected
