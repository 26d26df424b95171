"""docs/cookbook.md: every question's query runs on the data and gives the answer printed there.

The expected answers are the tables of the document itself; after a change to data/, rewrite
them with ``alliance-kg cookbook --write`` (and read the diff).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from alliance_kg import canned, cookbook, paths
from alliance_kg import store as stores
from alliance_kg.cli import main

DOCUMENT = cookbook.DOCUMENT.read_text(encoding="utf-8")
SECTIONS = cookbook.sections(DOCUMENT)


@pytest.fixture(scope="module")
def store(store_location: Path) -> ox.Store:
    return stores.open_read_only(store_location)


def test_at_least_twelve_questions_each_with_its_own_query():
    names = [s.name for s in SECTIONS]
    assert len(names) >= 12
    assert len(set(names)) == len(names), "a query answers two questions"
    files = {p.stem for p in paths.QUERIES.glob("cookbook-*.rq")}
    assert set(names) == files, "every cookbook-*.rq file has its question, and no other"


@pytest.mark.parametrize("section", SECTIONS, ids=[s.name for s in SECTIONS])
def test_the_query_is_a_canned_query_shown_as_it_is(section: cookbook.Section):
    text = cookbook.query_text(section.name)
    query = canned.parse(section.name, text)
    assert query.title != section.name and query.description, "header: # title: / # description:"
    assert section.sparql == text, "the sparql block differs from the file (rewrite the doc)"


@pytest.mark.parametrize("section", SECTIONS, ids=[s.name for s in SECTIONS])
def test_the_answer_is_the_one_printed(store: ox.Store, section: cookbook.Section):
    header, rows = cookbook.answer(store, cookbook.query_text(section.name))
    assert rows, "a question whose answer is empty on this data is not worth asking"
    assert section.header == header
    assert section.shows(header, rows)


def test_the_rewrite_leaves_the_document_unchanged(store: ox.Store):
    assert cookbook.rewrite(DOCUMENT, store) == DOCUMENT


def test_the_queries_are_listed_with_the_canned_queries(rest_client):
    listed = {q["name"] for q in rest_client.get("/queries").json()}
    assert {s.name for s in SECTIONS} <= listed
    r = rest_client.get(f"/queries/{SECTIONS[0].name}")
    assert r.status_code == 200, r.text


def test_the_command_checks_and_rewrites_the_document(store_location: Path, tmp_path: Path):
    copy = tmp_path / "cookbook.md"
    copy.write_text(DOCUMENT.replace("SELECT", "SELECT  ", 1), encoding="utf-8")  # stale
    check = ["cookbook", "--check", "--store", str(store_location), "--document", str(copy)]
    assert main(check) == 1
    assert main([*check[:1], "--write", *check[2:]]) == 0
    assert copy.read_text(encoding="utf-8") == DOCUMENT
