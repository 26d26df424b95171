"""Wikidata both ways: compare the twinning ties with Wikidata's, and propose the missing ones.

Wikidata records a twinning as a P190 ("twinned administrative body") statement on an item, with
P580 (start time) and P582 (end time) qualifiers at some precision (9 = year, 10 = month,
11 = day). The graph records an agreement node with two or more parties, a kind and a signing
date typed by its precision. This module reads both and lines them up:

- :func:`read_results` reads a SPARQL JSON results file from query.wikidata.org (the query is
  :data:`WIKIDATA_QUERY`) into :class:`Statement` s;
- :func:`graph_ties` reads the signed agreements of the store, with the parties' QIDs, dates and
  source addresses (the canned query ``queries/wikidata-twins.rq``);
- :func:`compare` says which ties each side lacks and where the dates disagree;
- :func:`quickstatements` writes QuickStatements (v1) for the ties Wikidata lacks, each with the
  address of a source (S854); nothing without a source.

It only reads the store.

>>> WikiDate.parse("+2024-03-14T00:00:00Z", 11).quickstatements()
'+2024-03-14T00:00:00Z/11'
>>> WikiDate.from_graph("2006").quickstatements()
'+2006-00-00T00:00:00Z/9'
>>> WikiDate.from_graph("2024-03-14").agrees(WikiDate.parse("2024-01-01T00:00:00Z", 9))
True
>>> WikiDate.from_graph("2024-03-14").agrees(WikiDate.parse("2023-03-14T00:00:00Z", 11))
False
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from alliance_kg import canned, iri
from alliance_kg import store as stores
from alliance_kg.query import run, text_table

TWIN_KINDS = ("sister-city", "friendship-city")
XSD = "http://www.w3.org/2001/XMLSchema#"
PRECISION_OF_TYPE = {XSD + "date": 11, XSD + "gYearMonth": 10, XSD + "gYear": 9}
PRECISION_NAME = {9: "year", 10: "month", 11: "day"}

# The query to run on https://query.wikidata.org/ (download the result as "JSON").
WIKIDATA_QUERY = """\
# P190 twinning statements of South Korean items, and of any item twinned with one,
# with their start (P580) and end (P582) times at their precision.
SELECT DISTINCT ?item ?itemLabel ?partner ?partnerLabel ?statement
                ?start ?startPrecision ?end ?endPrecision
WHERE {
  { ?item wdt:P17 wd:Q884 ; p:P190 ?statement . }
  UNION
  { ?partner wdt:P17 wd:Q884 . ?statement ps:P190 ?partner . ?item p:P190 ?statement . }
  ?statement ps:P190 ?partner .
  FILTER NOT EXISTS { ?statement wikibase:rank wikibase:DeprecatedRank }
  OPTIONAL { ?statement pqv:P580 [ wikibase:timeValue ?start ;
                                   wikibase:timePrecision ?startPrecision ] }
  OPTIONAL { ?statement pqv:P582 [ wikibase:timeValue ?end ;
                                   wikibase:timePrecision ?endPrecision ] }
  SERVICE wikibase:label { bd:serviceParam wikibase:language "ko,en". }
}
ORDER BY ?item ?partner
"""


class ResultsError(ValueError):
    """The file is not a SPARQL JSON results file of P190 statements."""


# --------------------------------------------------------------------------------------------
# Dates at a precision


_WD_TIME = re.compile(r"^([+-]?)(\d{1,16})-(\d{2})-(\d{2})(?:T.*)?$")
_GRAPH_DATE = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True, order=True)
class WikiDate:
    """A point in time as Wikidata has it: year, month, day (0 when unknown) and a precision."""

    year: int
    month: int
    day: int
    precision: int  # 9 year, 10 month, 11 day; lower is coarser (8 decade, 7 century ...)

    @classmethod
    def parse(cls, value: str, precision: int | None = None) -> WikiDate:
        """A Wikidata time value (``+2024-03-14T00:00:00Z``) at the given precision.

        Without a precision (a file made with ``wdt:``/``pq:`` instead of ``pqv:``) the value
        is taken at the coarsest precision it may stand for: Wikidata writes a year as
        ``YYYY-01-01`` and a month as ``YYYY-MM-01``.
        """
        m = _WD_TIME.match(value.strip())
        if not m:
            raise ValueError(f"not a Wikidata time value: {value!r}")
        sign, year, month, day = m.groups()
        y, mo, d = int(sign + year), int(month), int(day)
        if precision is None:
            precision = 9 if (mo, d) == (1, 1) else 10 if d == 1 else 11
        if precision < 11:
            d = 0
        if precision < 10:
            mo = 0
        return cls(y, mo, d, precision)

    @classmethod
    def from_graph(cls, value: str) -> WikiDate:
        """A date of the graph (``2024-03-14``, ``2024-03`` or ``2024``)."""
        m = _GRAPH_DATE.match(value.strip())
        if not m:
            raise ValueError(f"not a date of the graph: {value!r}")
        year, month, day = m.groups()
        precision = 11 if day else 10 if month else 9
        return cls(int(year), int(month or 0), int(day or 0), precision)

    @classmethod
    def from_literal(cls, literal: ox.Literal) -> WikiDate:
        date = cls.from_graph(literal.value)
        expected = PRECISION_OF_TYPE.get(literal.datatype.value)
        if expected is not None and expected != date.precision:
            raise ValueError(f"{literal} does not match its datatype")
        return date

    def __str__(self) -> str:
        """The date as far as it is known: ``2024-03-14``, ``2024-03``, ``2024``."""
        text = f"{self.year:04d}"
        if self.precision >= 10:
            text += f"-{self.month:02d}"
        if self.precision >= 11:
            text += f"-{self.day:02d}"
        if self.precision < 9:
            text += f" (precision {self.precision})"
        return text

    def quickstatements(self) -> str:
        sign = "-" if self.year < 0 else "+"
        return (
            f"{sign}{abs(self.year):04d}-{self.month:02d}-{self.day:02d}T00:00:00Z/{self.precision}"
        )

    def agrees(self, other: WikiDate) -> bool:
        """Whether two dates agree as far as the coarser of them goes."""
        precision = min(self.precision, other.precision)
        if precision < 9:  # a decade or a century: compare what it covers
            span = 10 ** (9 - precision) if precision >= 6 else None
            return span is None or self.year // span == other.year // span
        mine = (self.year, self.month, self.day)[: precision - 8]
        theirs = (other.year, other.month, other.day)[: precision - 8]
        return mine == theirs


# --------------------------------------------------------------------------------------------
# Wikidata's side


@dataclass(frozen=True)
class Statement:
    """One P190 statement: ``item`` P190 ``partner``, with its qualifiers."""

    item: str
    partner: str
    start: WikiDate | None = None
    end: WikiDate | None = None
    item_label: str | None = None
    partner_label: str | None = None
    statement: str | None = None  # the statement's IRI, when the file gives it


def _qid(binding: dict, name: str) -> str | None:
    term = binding.get(name)
    if not term or term.get("type") != "uri":
        return None
    value = term.get("value", "")
    if not value.startswith(iri.WIKIDATA):
        return None
    qid = value[len(iri.WIKIDATA) :]
    return qid if iri.QID.match(qid) else None


def _text(binding: dict, name: str) -> str | None:
    term = binding.get(name)
    return term.get("value") if isinstance(term, dict) else None


def _time(binding: dict, name: str) -> WikiDate | None:
    value = _text(binding, name)
    if not value:
        return None
    precision = _text(binding, name + "Precision")
    try:
        return WikiDate.parse(value, int(precision) if precision else None)
    except ValueError as e:
        raise ResultsError(f"?{name}: {e}") from None


def read_results(path: Path) -> list[Statement]:
    """The P190 statements of a SPARQL JSON results file (see :data:`WIKIDATA_QUERY`).

    It needs the variables ``?item`` and ``?partner`` (``?twin`` is taken for ``?partner``);
    ``?start``/``?end`` with ``?startPrecision``/``?endPrecision``, ``?itemLabel``,
    ``?partnerLabel`` and ``?statement`` are read when present. A label that is just the QID
    (what the label service gives for an item without one) is dropped.
    """
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise ResultsError(f"{path}: {e}") from None
    except json.JSONDecodeError as e:
        raise ResultsError(f"{path}: not JSON ({e})") from None
    try:
        variables = doc["head"]["vars"]
        bindings = doc["results"]["bindings"]
    except (KeyError, TypeError):
        raise ResultsError(
            f"{path}: not a SPARQL JSON results file (no head.vars or results.bindings)"
        ) from None
    partner_var = "partner" if "partner" in variables else "twin"
    if "item" not in variables or partner_var not in variables:
        raise ResultsError(
            f"{path}: the results need the variables ?item and ?partner; they have "
            + ", ".join(f"?{v}" for v in variables)
        )
    statements = []
    for n, binding in enumerate(bindings, 1):
        if not isinstance(binding, dict):
            raise ResultsError(f"{path}: result {n} is not an object")
        item, partner = _qid(binding, "item"), _qid(binding, partner_var)
        if not item or not partner:
            raise ResultsError(f"{path}: result {n}: ?item and ?{partner_var} must be items")
        try:
            start, end = _time(binding, "start"), _time(binding, "end")
        except ResultsError as e:
            raise ResultsError(f"{path}: result {n}: {e}") from None
        labels = [_text(binding, "itemLabel"), _text(binding, partner_var + "Label")]
        labels = [None if label in (None, item, partner) else label for label in labels]
        statements.append(
            Statement(item, partner, start, end, labels[0], labels[1], _text(binding, "statement"))
        )
    return list(dict.fromkeys(statements))  # the UNION of the query may give a row twice


# --------------------------------------------------------------------------------------------
# The graph's side


@dataclass(frozen=True)
class Party:
    iri: str
    ko: str
    en: str
    qid: str | None

    @property
    def name(self) -> str:
        return f"{self.en} ({self.ko})" if self.ko and self.ko != self.en else self.en


@dataclass
class Tie:
    """A signed agreement between two of its parties, as the graph has it."""

    agreement: str
    kind: str
    a: Party
    b: Party
    signed: WikiDate | None
    sources: list[tuple[str, str | None]] = field(default_factory=list)  # (source, its URL)

    @property
    def slug(self) -> str:
        return self.agreement.rsplit("/", 1)[-1]

    @property
    def urls(self) -> list[str]:
        return [url for _, url in self.sources if url]

    @property
    def pair(self) -> frozenset[str] | None:
        return frozenset((self.a.qid, self.b.qid)) if self.a.qid and self.b.qid else None


def _value(term) -> str:
    return "" if term is None else term.value


def graph_ties(store: ox.Store, kinds: Iterable[str] | None = None) -> list[Tie]:
    """Every signed agreement between two parties, with QIDs, date and sources."""
    wanted = set(kinds) if kinds is not None else None
    query = canned.load_all()["wikidata-twins"]
    ties: dict[tuple[str, str, str], Tie] = {}
    for row in run(store, query.sparql):
        kind = _value(row["kind"])
        if wanted is not None and kind not in wanted:
            continue
        key = (row["agreement"].value, row["a"].value, row["b"].value)
        tie = ties.get(key)
        if tie is None:
            parties = [
                Party(
                    row[x].value,
                    _value(row[x + "Ko"]),
                    _value(row[x + "En"]) or row[x].value.rsplit("/", 1)[-1],
                    _value(row[x + "Qid"]) or None,
                )
                for x in ("a", "b")
            ]
            signed = row["signed"]
            tie = ties[key] = Tie(
                key[0],
                kind,
                *parties,
                WikiDate.from_literal(signed) if signed is not None else None,
            )
        if row["source"] is not None:
            source = (row["source"].value, _value(row["sourceUrl"]) or None)
            if source not in tie.sources:
                tie.sources.append(source)
    return list(ties.values())


def graph_items(store: ox.Store) -> dict[str, Party]:
    """Every entity of the graph that has a Wikidata item, by QID."""
    query = canned.load_all()["wikidata-items"]
    items = {}
    for row in run(store, query.sparql):
        qid = row["qid"].value
        items.setdefault(
            qid,
            Party(
                row["entity"].value,
                _value(row["ko"]),
                _value(row["en"]) or row["entity"].value.rsplit("/", 1)[-1],
                qid,
            ),
        )
    return items


# --------------------------------------------------------------------------------------------
# Comparison

CATEGORIES = {
    "missing-in-wikidata": "In this graph, not in Wikidata",
    "missing-in-graph": "In Wikidata, not in this graph",
    "date-differs": "Dates disagree",
    "one-sided-in-wikidata": "In Wikidata on one of the two items only",
    "date-missing-in-wikidata": "Dated in this graph, undated in Wikidata",
    "date-missing-in-graph": "Dated in Wikidata, undated in this graph",
}
COLUMNS = (
    "category",
    "qid_a",
    "name_a",
    "qid_b",
    "name_b",
    "kind",
    "agreement",
    "graph_date",
    "wikidata_item",
    "wikidata_start",
    "wikidata_end",
    "sources",
    "note",
)


@dataclass
class Comparison:
    rows: list[dict[str, str]]
    not_comparable: list[Tie]  # ties of the graph where a party has no QID
    statements: int
    ties: int


def _row(category: str, **values: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row["category"] = category
    row.update({k: v for k, v in values.items() if v})
    return row


def _tie_values(tie: Tie) -> dict[str, str]:
    return {
        "qid_a": tie.a.qid or "",
        "name_a": tie.a.name,
        "qid_b": tie.b.qid or "",
        "name_b": tie.b.name,
        "kind": tie.kind,
        "agreement": tie.slug,
        "graph_date": str(tie.signed) if tie.signed else "",
        "sources": " ".join(tie.urls),
    }


def _wd_name(qid: str, label: str | None, items: dict[str, Party]) -> str:
    if qid in items:
        return items[qid].name
    return label or ""


def compare(ties: list[Tie], statements: list[Statement], items: dict[str, Party]) -> Comparison:
    """Line the graph's twinning ties up with Wikidata's P190 statements.

    Pairs are unordered: Wikidata may state a twinning on either item or on both. A Wikidata
    pair is in scope when at least one of its items is an entity of the graph. Dates agree when
    they agree at the coarser of their two precisions; when a pair has several agreements in
    the graph (a friendship, then a sister-city tie), a Wikidata date agrees if it agrees with
    any of them.
    """
    twins = [t for t in ties if t.kind in TWIN_KINDS]
    by_pair: dict[frozenset[str], list[Tie]] = defaultdict(list)
    not_comparable = []
    for tie in twins:
        if tie.pair is None:
            not_comparable.append(tie)
        else:
            by_pair[tie.pair].append(tie)
    wd: dict[frozenset[str], list[Statement]] = defaultdict(list)
    for s in statements:
        if s.item != s.partner:
            wd[frozenset((s.item, s.partner))].append(s)
    other_kinds: dict[frozenset[str], list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.kind not in TWIN_KINDS and tie.pair is not None:
            other_kinds[tie.pair].append(tie)

    rows = []
    for pair, pair_ties in by_pair.items():
        stated = wd.get(pair, [])
        if not stated:
            for tie in pair_ties:
                rows.append(_row("missing-in-wikidata", **_tie_values(tie)))
            continue
        first = pair_ties[0]
        carriers = {s.item for s in stated}
        if len(carriers) == 1:
            (on,) = carriers
            lacking = next(q for q in pair if q != on)
            rows.append(
                _row(
                    "one-sided-in-wikidata",
                    **_tie_values(first),
                    wikidata_item=on,
                    note=f"{lacking} has no P190 statement for {on}",
                )
            )
        dated = [t for t in pair_ties if t.signed]
        for s in stated:
            values = {
                **_tie_values(first),
                "wikidata_item": s.item,
                "wikidata_start": str(s.start) if s.start else "",
                "wikidata_end": str(s.end) if s.end else "",
            }
            if len(pair_ties) > 1:
                values["agreement"] = " ".join(t.slug for t in pair_ties)
                values["graph_date"] = " ".join(str(t.signed) for t in dated)
                values["kind"] = " ".join(sorted({t.kind for t in pair_ties}))
            if s.start and dated:
                if not any(s.start.agrees(t.signed) for t in dated):
                    rows.append(
                        _row(
                            "date-differs",
                            **values,
                            note=f"P580 on {s.item} is {s.start}; the graph has "
                            + ", ".join(f"{t.signed} ({t.slug})" for t in dated),
                        )
                    )
            elif s.start:
                rows.append(_row("date-missing-in-graph", **values))
            elif dated:
                rows.append(_row("date-missing-in-wikidata", **values))
            if s.end:
                rows.append(
                    _row(
                        "date-differs",
                        **values,
                        note=f"P582 on {s.item}: Wikidata says the twinning ended {s.end}; "
                        "the graph records no end",
                    )
                )
    for pair, stated in wd.items():
        if pair in by_pair or not any(q in items for q in pair):
            continue
        s = stated[0]
        ours, theirs = (s.item, s.partner) if s.item in items else (s.partner, s.item)
        labels = {s.item: s.item_label, s.partner: s.partner_label}
        notes = []
        if theirs not in items:
            notes.append(f"{theirs} is not in this graph")
        for tie in other_kinds.get(pair, []):
            notes.append(f"the graph has a {tie.kind} agreement ({tie.slug})")
        rows.append(
            _row(
                "missing-in-graph",
                qid_a=ours,
                name_a=_wd_name(ours, labels[ours], items),
                qid_b=theirs,
                name_b=_wd_name(theirs, labels[theirs], items),
                wikidata_item=" ".join(sorted({x.item for x in stated})),
                wikidata_start=" ".join(sorted({str(x.start) for x in stated if x.start})),
                wikidata_end=" ".join(sorted({str(x.end) for x in stated if x.end})),
                note="; ".join(notes),
            )
        )
    order = list(CATEGORIES)
    rows.sort(
        key=lambda r: (order.index(r["category"]), r["name_a"], r["name_b"], r["wikidata_item"])
    )
    return Comparison(rows, not_comparable, len(statements), len(twins))


def comparison_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(comparison.rows)
    return out.getvalue()


SHOWN = {
    "missing-in-wikidata": [
        "qid_a",
        "name_a",
        "qid_b",
        "name_b",
        "kind",
        "graph_date",
        "agreement",
    ],
    "missing-in-graph": ["qid_a", "name_a", "qid_b", "name_b", "wikidata_start", "note"],
    "date-differs": ["name_a", "name_b", "graph_date", "wikidata_item", "note"],
    "one-sided-in-wikidata": ["name_a", "name_b", "kind", "note"],
    "date-missing-in-wikidata": ["name_a", "name_b", "graph_date", "wikidata_item"],
    "date-missing-in-graph": ["name_a", "name_b", "wikidata_start", "wikidata_item"],
}


def comparison_table(comparison: Comparison) -> str:
    out = [
        f"{comparison.ties} twinning agreement(s) in this graph, "
        f"{comparison.statements} P190 statement(s) in the Wikidata file.\n"
    ]
    for category, title in CATEGORIES.items():
        rows = [r for r in comparison.rows if r["category"] == category]
        out.append(f"\n{title} ({len(rows)})\n")
        if rows:
            out.append(text_table(SHOWN[category], [[r[c] for c in SHOWN[category]] for r in rows]))
    if comparison.not_comparable:
        out.append(
            f"\nNot compared: a party has no Wikidata item ({len(comparison.not_comparable)})\n"
        )
        out.append(
            "".join(
                f"  {t.slug}: {t.a.name} {t.a.qid or '(no QID)'} – "
                f"{t.b.name} {t.b.qid or '(no QID)'}\n"
                for t in comparison.not_comparable
            )
        )
    return "".join(out)


# --------------------------------------------------------------------------------------------
# QuickStatements


@dataclass
class Proposal:
    lines: list[str]
    skipped: list[str]  # why a tie was not proposed


def _quote(url: str) -> str:
    if '"' in url or "\t" in url or "\n" in url:
        raise ValueError(f"cannot write {url!r} as a QuickStatements string")
    return f'"{url}"'


def quickstatements(
    ties: list[Tie], statements: list[Statement] | None = None, friendship: bool = False
) -> Proposal:
    """QuickStatements (v1) for signed twinning agreements between two items.

    A P190 statement on each of the two items, with a P580 qualifier at the precision the
    graph knows, and a reference with the source's address (S854); one line per source, so
    that each source becomes a reference of its own. With ``statements`` (a Wikidata results
    file), a statement Wikidata already has on that item is not proposed again. A tie whose
    parties lack a QID, or whose sources have no address, is skipped and said so.
    """
    kinds = TWIN_KINDS if friendship else ("sister-city",)
    existing = {(s.item, s.partner) for s in statements or ()}
    lines: list[str] = []
    skipped: list[str] = []
    for tie in sorted(ties, key=lambda t: (t.kind, t.slug)):
        if tie.kind not in kinds:
            continue
        if not (tie.a.qid and tie.b.qid):
            missing = ", ".join(p.name for p in (tie.a, tie.b) if not p.qid)
            skipped.append(f"{tie.slug}: no Wikidata item for {missing}")
            continue
        if not tie.urls:
            skipped.append(f"{tie.slug}: no source with an address")
            continue
        qualifier = ["P580", tie.signed.quickstatements()] if tie.signed else []
        for item, partner in ((tie.a.qid, tie.b.qid), (tie.b.qid, tie.a.qid)):
            if (item, partner) in existing:
                continue
            for url in tie.urls:
                line = "\t".join([item, "P190", partner, *qualifier, "S854", _quote(url)])
                if line not in lines:
                    lines.append(line)
    return Proposal(lines, skipped)


# --------------------------------------------------------------------------------------------
# Command line


def _write(text: str, output: Path | None, what: str) -> None:
    if output is None or str(output) == "-":
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {what} to {output}", file=sys.stderr)


def cli_import(path: Path, location: Path, csv_out: Path | None = None) -> int:
    """``alliance-kg import wikidata FILE``: read the file, say what it holds and what it links."""
    statements = read_results(path)
    try:
        store: ox.Store | None = stores.open_read_only(location)
    except stores.StoreMissing as missing:  # the file can be read without a store
        print(f"alliance-kg: {missing}", file=sys.stderr)
        store = None
    items = graph_items(store) if store is not None else {}
    rows = [
        {
            "item": s.item,
            "item_label": s.item_label or "",
            "partner": s.partner,
            "partner_label": s.partner_label or "",
            "start": str(s.start) if s.start else "",
            "end": str(s.end) if s.end else "",
            "item_in_graph": items[s.item].iri if s.item in items else "",
            "partner_in_graph": items[s.partner].iri if s.partner in items else "",
        }
        for s in statements
    ]
    linked = sum(1 for r in rows if r["item_in_graph"] or r["partner_in_graph"])
    if csv_out is not None:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["item"])
        writer.writeheader()
        writer.writerows(rows)
        _write(out.getvalue(), csv_out, f"{len(rows)} statements")
    else:
        columns = ["item", "item_label", "partner", "partner_label", "start", "end"]
        sys.stdout.write(
            text_table(columns, [[r[c] for c in columns] for r in rows]) if rows else ""
        )
    print(
        f"{len(statements)} P190 statement(s) read from {path}; {linked} involve an entity "
        f"of this graph{'' if store is not None else ' (no store to check against)'}.",
        file=sys.stderr,
    )
    return 0


def cli_compare(path: Path, location: Path, csv_out: Path | None = None) -> int:
    """``alliance-kg compare wikidata FILE [--csv OUT]``."""
    statements = read_results(path)
    store = stores.open_read_only(location)
    comparison = compare(graph_ties(store), statements, graph_items(store))
    sys.stdout.write(comparison_table(comparison))
    if csv_out is not None:
        _write(comparison_csv(comparison), csv_out, f"{len(comparison.rows)} rows")
    return 0


def cli_quickstatements(
    location: Path, output: Path | None, friendship: bool = False, compare_file: Path | None = None
) -> int:
    """``alliance-kg export quickstatements [--friendship] [--compare FILE]``."""
    statements = None
    if compare_file is not None:
        statements = read_results(compare_file)
    store = stores.open_read_only(location)
    proposal = quickstatements(graph_ties(store), statements, friendship)
    for reason in proposal.skipped:
        print(f"not proposed: {reason}", file=sys.stderr)
    _write(
        "".join(line + "\n" for line in proposal.lines),
        output,
        f"{len(proposal.lines)} QuickStatements lines",
    )
    print(
        f"{len(proposal.lines)} statement(s) proposed, {len(proposal.skipped)} tie(s) skipped"
        + ("" if statements is not None else "; without --compare, Wikidata was not consulted"),
        file=sys.stderr,
    )
    return 0
