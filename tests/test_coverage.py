"""The completeness report (`alliance-kg coverage`, /coverage): its totals agree with counts
asked of the graph directly, and the CLI, the JSON and the page show the same table."""

import csv
import io
import json
import subprocess
import sys

import pytest

from alliance_kg import coverage
from alliance_kg import store as stores
from alliance_kg.query import run

PREFIXES = """PREFIX ak: <https://w3id.org/alliance-kg/ontology#>
PREFIX status: <https://w3id.org/alliance-kg/id/agreement-status/>
"""
# A tie counts once it was signed (also if ended later), between local governments.
TIE = """?tie a ak:Agreement ; ak:agreementStatus ?st ; ak:party ?k, ?p .
         VALUES ?st { status:signed status:ended }
         ?k a ?kc . VALUES ?kc { ak:KoreanLocalGovernment ak:AdministrativeCity
                                 ak:FormerLocalGovernment }"""

COUNTS = {
    "international-ties": f"""SELECT (COUNT(DISTINCT ?tie) AS ?n) {{ {TIE}
        ?p a ak:ForeignLocalGovernment }}""",
    "domestic-ties": f"""SELECT (COUNT(DISTINCT ?tie) AS ?n) {{ {TIE}
        ?p a ?pc . VALUES ?pc {{ ak:KoreanLocalGovernment ak:AdministrativeCity
                                ak:FormerLocalGovernment }}
        FILTER(?k != ?p)
        FILTER NOT EXISTS {{ ?tie ak:party ?f . ?f a ak:ForeignLocalGovernment }} }}""",
    "governments-with-ties": f"""SELECT (COUNT(DISTINCT ?k) AS ?n) {{ {TIE}
        ?k a ak:KoreanLocalGovernment . FILTER(?k != ?p) }}""",
    "foreign-governments": f"""SELECT (COUNT(DISTINCT ?p) AS ?n) {{ {TIE}
        ?p a ak:ForeignLocalGovernment }}""",
    "countries": f"""SELECT (COUNT(DISTINCT ?c) AS ?n) {{ {TIE}
        ?p a ak:ForeignLocalGovernment ; ak:country ?c }}""",
    "ended-ties": """SELECT (COUNT(DISTINCT ?tie) AS ?n) {
        ?tie a ak:Agreement ; ak:agreementStatus status:ended }""",
    "partner-pages": """SELECT (COUNT(DISTINCT ?g) AS ?n) { ?s ak:partnerPageOf ?g }""",
    "governments": """SELECT (COUNT(DISTINCT ?g) AS ?n) { ?g a ak:KoreanLocalGovernment }""",
}


@pytest.fixture(scope="module")
def report(store_location):
    return coverage.from_store(store_location)


@pytest.mark.parametrize("key", sorted(COUNTS))
def test_totals_agree_with_sparql_counts(store_location, report, key):
    store = stores.open_read_only(store_location)
    expected = int(next(iter(run(store, PREFIXES + COUNTS[key])))["n"].value)
    assert report.totals[key] == expected


def test_every_government_has_a_row_and_the_rows_add_up(report):
    autonomous = [g for g in report.governments if g.autonomous]
    assert len(autonomous) == report.totals["governments"] == 243
    assert sum(1 for g in autonomous if g.ties) == report.totals["governments-with-ties"]
    for g in report.governments:
        assert g.ties == sum(g.by_kind.values())
        assert g.ties == 0 or g.sources, f"{g.id} has ties but no sources"


@pytest.mark.slow  # three runs of the command
def test_the_command_line_table_csv_and_json(store_location, report):
    def cli(*args):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "alliance_kg.cli",
                "coverage",
                "--store",
                str(store_location),
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    data = json.loads(cli("--format", "json"))
    assert data["totals"] == report.totals
    rows = list(csv.DictReader(io.StringIO(cli("--format", "csv"))))
    assert len(rows) == len(report.governments)
    table = cli()
    assert f"{report.totals['international-ties']:,}" in table
    assert "1,659" in table  # the 2018 figure beside it


def test_the_page_and_its_data(rest_client, report):
    page = rest_client.get("/coverage")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.count("<tr class=thin>") == sum(1 for g in report.governments if not g.ties)
    assert 'id="governments"' in page.text and "1,659" in page.text
    assert rest_client.get("/coverage?format=json").json()["totals"] == report.totals
    as_csv = rest_client.get("/coverage", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert len(as_csv.text.strip().splitlines()) == len(report.governments) + 1
    assert rest_client.get("/coverage", headers={"Accept": "image/png"}).status_code == 406
