"""How complete the graph is: per government, the ties it holds, and national totals beside the
2018 figures of the Governors Association of Korea. ``alliance-kg coverage`` prints it; the
``/coverage`` page shows it. Both aggregate the rows of ``queries/coverage.rq``.

>>> rows = [
...     {"row": "government", "municipality": "m/a", "nameKo": "가시", "level": "city"},
...     {"row": "government", "municipality": "m/b", "nameKo": "나군", "level": "county",
...      "page": "https://b.example/sister"},
...     {"row": "tie", "municipality": "m/a", "tie": "t/1", "kind": "sister-city",
...      "status": "signed", "since": "1998-04-21", "partner": "m/x",
...      "partnerClass": FOREIGN, "country": "CN", "source": "s/1"},
...     {"row": "tie", "municipality": "m/a", "tie": "t/2", "kind": "friendship-city",
...      "status": "signed", "since": "2019", "partner": "m/b", "partnerClass": "k",
...      "source": "s/2"},
...     {"row": "tie", "municipality": "m/b", "tie": "t/2", "kind": "friendship-city",
...      "status": "signed", "since": "2019", "partner": "m/a", "partnerClass": "k",
...      "source": "s/2"},
... ]
>>> c = aggregate(rows)
>>> [(g.name_ko, g.ties, g.foreign, g.domestic, g.latest, bool(g.page)) for g in c.governments]
[('가시', 2, 1, 1, '2019', False), ('나군', 1, 0, 1, '2019', True)]
>>> c.totals["international-ties"], c.totals["domestic-ties"], c.totals["countries"]
(1, 1, 1)
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from alliance_kg import canned
from alliance_kg import store as stores
from alliance_kg.query import text_table

FOREIGN = "https://w3id.org/alliance-kg/ontology#ForeignLocalGovernment"
KINDS = ("sister-city", "friendship-city", "letter-of-intent", "cooperation")
# Autonomous governments (17 upper-level, 226 lower-level); Jeju's two administrative cities
# and former governments are shown but not counted in "of 243".
AUTONOMOUS_LEVELS = {
    "special-city",
    "metropolitan-city",
    "special-self-governing-city",
    "province",
    "special-self-governing-province",
    "city",
    "county",
    "autonomous-district",
}

# The national figures to measure against (data/CURATING.md, ../coverage sources):
# the Governors Association of Korea's exchange figures for 2018, as analysed on 2019-11-11.
REFERENCE_2018 = {
    "source": "https://www.ii.re.kr:443/base/board/read?boardManagementNo=25&boardNo=3433&menuLevel=1",
    "international-ties": 1659,
    "foreign-governments": 1249,
    "countries": 82,
    "foreign-sister-partners": 661,
    "foreign-friendship-partners": 730,
}

TOTALS = [  # key, Korean, English: the order in which totals are shown
    (
        "governments-with-ties",
        "관계가 하나 이상인 자치단체 (243곳 중)",
        "governments with a tie (of 243)",
    ),
    (
        "partner-pages",
        "공식 자매도시 안내 페이지를 찾은 자치단체",
        "governments whose partner page was found",
    ),
    ("international-ties", "국제 관계", "international ties"),
    ("domestic-ties", "국내 관계", "domestic ties"),
    ("ended-ties", "종료된 관계", "ended ties"),
    ("foreign-governments", "외국 지방정부", "foreign local governments"),
    ("countries", "국가", "countries"),
    ("foreign-sister-partners", "자매결연 해외 도시", "foreign sister-city partners"),
    ("foreign-friendship-partners", "우호교류 해외 도시", "foreign friendship-city partners"),
    ("sources", "출처", "sources"),
]


@dataclass
class Government:
    id: str
    name_ko: str
    name_en: str
    level: str
    parent: str | None
    page: str | None
    former: bool = False
    by_kind: Counter = field(default_factory=Counter)
    foreign: int = 0
    domestic: int = 0
    ended: int = 0
    sources: set[str] = field(default_factory=set)
    latest: str | None = None

    @property
    def ties(self) -> int:
        return self.foreign + self.domestic

    @property
    def autonomous(self) -> bool:
        return self.level in AUTONOMOUS_LEVELS and not self.former


@dataclass
class Coverage:
    governments: list[Government]
    totals: dict[str, int]
    by_kind: dict[str, dict[str, int]]  # "international"/"domestic" → kind → ties


def aggregate(rows: list[dict[str, str | None]]) -> Coverage:
    """Per-government and national figures from the rows of ``coverage.rq`` (plain values)."""
    governments: dict[str, Government] = {}
    for r in rows:
        if r.get("row") != "government":
            continue
        known = governments.get(r["municipality"])
        if known is not None:  # one row per partner-city page: keep the first by address
            if r.get("page") and (known.page is None or r["page"] < known.page):
                known.page = r["page"]
        else:
            governments[r["municipality"]] = Government(
                r["municipality"],
                r.get("nameKo") or "",
                r.get("nameEn") or r.get("nameKo") or "",
                r.get("level") or "",
                r.get("parent"),
                r.get("page"),
                r.get("former") == "true",
            )
    seen: dict[tuple[str, str], set[str]] = {}  # (government, tie) → sources, to count ties once
    ties: dict[str, tuple[str, bool, bool]] = {}  # tie → (kind, foreign, ended)
    foreign_partners: dict[str, set[str]] = {kind: set() for kind in KINDS}
    countries: dict[str, str] = {}
    all_sources: set[str] = set()
    for r in rows:
        if r.get("row") != "tie" or r["municipality"] not in governments:
            continue
        g = governments[r["municipality"]]
        foreign = r.get("partnerClass") == FOREIGN
        ended = r.get("status") == "ended"
        key = (g.id, r["tie"])
        if key not in seen:
            seen[key] = set()
            g.by_kind[r["kind"]] += 1
            g.foreign += foreign
            g.domestic += not foreign
            g.ended += ended
            if r.get("since") and (g.latest is None or r["since"] > g.latest):
                g.latest = r["since"]
        if r.get("source"):
            seen[key].add(r["source"])
            g.sources.add(r["source"])
            all_sources.add(r["source"])
        ties[r["tie"]] = (r["kind"], foreign, ended)
        if foreign:
            foreign_partners.setdefault(r["kind"], set()).add(r["partner"])
            countries[r["partner"]] = r.get("country") or ""
    by_kind = {"international": Counter(), "domestic": Counter()}
    for kind, foreign, _ in ties.values():
        by_kind["international" if foreign else "domestic"][kind] += 1
    autonomous = [g for g in governments.values() if g.autonomous]
    totals = {
        "governments": len(autonomous),
        "governments-with-ties": sum(1 for g in autonomous if g.ties),
        "partner-pages": sum(1 for g in governments.values() if g.page),
        "international-ties": sum(by_kind["international"].values()),
        "domestic-ties": sum(by_kind["domestic"].values()),
        "ended-ties": sum(1 for *_, ended in ties.values() if ended),
        "foreign-governments": len(countries),
        "countries": len({c for c in countries.values() if c}),
        "foreign-sister-partners": len(foreign_partners["sister-city"]),
        "foreign-friendship-partners": len(foreign_partners["friendship-city"]),
        "sources": len(all_sources),
    }
    order = sorted(governments.values(), key=lambda g: (g.ties == 0, -g.ties, g.name_ko, g.id))
    return Coverage(order, totals, {k: dict(v) for k, v in by_kind.items()})


def _plain(term) -> str | None:
    return None if term is None else term.value


def from_store(location: Path) -> Coverage:
    """The coverage of the store at a location (read-only)."""
    query = canned.load_all()["coverage"]
    store = stores.open_read_only(location)
    solutions = store.query(query.sparql)
    names = [v.value for v in solutions.variables]
    return aggregate([{n: _plain(s[n]) for n in names} for s in solutions])


COLUMNS = [
    "id",
    "name_ko",
    "name_en",
    "level",
    "ties",
    "foreign",
    "domestic",
    *KINDS,
    "ended",
    "sources",
    "latest",
    "partner_page",
]


def table_rows(coverage: Coverage) -> list[dict[str, str | int]]:
    """One flat row per government (for CSV, JSON and the text table)."""
    return [
        {
            "id": g.id.rsplit("/", 1)[-1],
            "name_ko": g.name_ko,
            "name_en": g.name_en,
            "level": f"former {g.level}" if g.former else g.level,
            "ties": g.ties,
            "foreign": g.foreign,
            "domestic": g.domestic,
            **{kind: g.by_kind.get(kind, 0) for kind in KINDS},
            "ended": g.ended,
            "sources": len(g.sources),
            "latest": g.latest or "",
            "partner_page": g.page or "",
        }
        for g in coverage.governments
    ]


def as_json(coverage: Coverage) -> dict:
    return {
        "totals": coverage.totals,
        "ties_by_kind": coverage.by_kind,
        "reference_2018": REFERENCE_2018,
        "governments": table_rows(coverage),
    }


def as_csv(coverage: Coverage) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table_rows(coverage))
    return out.getvalue()


def as_text(coverage: Coverage) -> str:
    totals = [[en, f"{coverage.totals[key]:,}", _reference(key)] for key, _, en in TOTALS]
    rows = [
        [str(r[c]) for c in ("id", "name_ko", "level", "ties", "foreign", "domestic")]
        + [str(r[k]) for k in KINDS]
        + [str(r["sources"]), str(r["latest"]), "yes" if r["partner_page"] else "no"]
        for r in table_rows(coverage)
    ]
    columns = ["id", "name", "level", "ties", "foreign", "domestic", "sister", "friendship"]
    columns += ["intent", "cooperation", "sources", "latest", "page"]
    return text_table(["national total", "here", "2018"], totals) + "\n" + text_table(columns, rows)


def _reference(key: str) -> str:
    value = REFERENCE_2018.get(key)
    return f"{value:,}" if isinstance(value, int) else ""


def cli(location: Path, fmt: str, output: Path | None) -> int:
    coverage = from_store(location)
    if fmt == "json":
        text = json.dumps(as_json(coverage), ensure_ascii=False, indent=2) + "\n"
    elif fmt == "csv":
        text = as_csv(coverage)
    else:
        text = as_text(coverage)
    if output:
        output.write_text(text, encoding="utf-8")
        print(f"wrote the coverage report to {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
