"""Integrity of the curated records, record by record, in the manner of Bioregistry."""

import unicodedata
from collections import Counter

import pytest
from alliance_kg.loaders import integrity
from alliance_kg.loaders.read import read
from alliance_kg.loaders.records import UPPER_LEVELS

from alliance_kg import paths

RECORDS = read(paths.DATA)
ALL = [(stem, r) for stem, rs in RECORDS.by_file.items() for r in rs]
SOURCES = {s.id: s for s in RECORDS["sources"]}


def test_every_file_parses_without_error():
    assert RECORDS.errors == []


def test_cross_record_checks_pass():
    assert integrity.check(RECORDS) == []


@pytest.mark.parametrize(
    ("stem", "record"), [a for a in ALL if a[0] != "sources"], ids=lambda x: getattr(x, "id", x)
)
def test_record_cites_known_sources(stem, record):
    assert record.sources, f"{stem}/{record.id} cites no source"
    for source in record.sources:
        assert source in SOURCES, f"{stem}/{record.id} cites unknown source {source}"


def test_every_source_is_cited_and_addressable():
    cited = {s for _, r in ALL for s in getattr(r, "sources", [])}
    assert set(SOURCES) - cited == set(), "sources nobody cites"
    for source in SOURCES.values():
        assert source.url or source.publisher, f"{source.id} has neither address nor publisher"


def test_codes_and_qids_unique():
    codes = Counter(m.code for m in RECORDS["municipalities"])
    assert [c for c, k in codes.items() if k > 1] == []
    qids = Counter(r.wikidata for _, r in ALL if getattr(r, "wikidata", None))
    assert [q for q, k in qids.items() if k > 1] == []


def test_lower_levels_sit_in_upper_levels():
    levels = {m.id: m.level for m in RECORDS["municipalities"]}
    for m in RECORDS["municipalities"]:
        if m.level in UPPER_LEVELS:
            assert m.parent is None
        else:
            assert levels[m.parent] in UPPER_LEVELS, m.id


def test_codes_start_with_the_parent_code():
    """A 시·군·구 code begins with its 시·도's two digits (after the 2023–2024 recodings)."""
    by_id = {m.id: m for m in RECORDS["municipalities"]}
    for m in RECORDS["municipalities"]:
        if m.parent:
            assert m.code[:2] == by_id[m.parent].code[:2], m.id


def test_text_is_nfc():
    for stem, r in ALL:
        for value in r.model_dump(mode="json").values():
            if isinstance(value, str):
                assert unicodedata.is_normalized("NFC", value), f"{stem}/{r.id}"


def test_the_two_goseong_are_told_apart():
    goseong = [m for m in RECORDS["municipalities"] if m.name_ko == "고성군"]
    assert sorted(m.parent for m in goseong) == ["gangwon", "gyeongnam"]
    assert sorted(m.wikidata for m in goseong) == ["Q50208", "Q50209"]
