"""The REST read model (issue #13), computed once per data version: the partners of every local
government, joined in Python from three plain queries over the whole store and filtered in
Python, equal what the ``partners`` canned query answers for that government alone with the
same filters, in its order; and every government's facts, equal what the ``municipality`` query
gives for it alone."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import NamedTuple

import pytest
from alliance_kg.api.lookup import service
from alliance_kg.api.lookup.backend import BackendError, EmbeddedBackend
from alliance_kg.api.lookup.service import Lookup, partner_models

from alliance_kg import canned

pytestmark = pytest.mark.slow  # every government, ten ways: about half a minute

# Days that split the data: before most ties, mid-way, and after every end date.
DAYS = ["1970-01-01", "2005-03-18", "2012-01-12", "2024-06-01"]
KINDS = ["sister-city", "friendship-city", "letter-of-intent", "alliance-member", "union-member"]


@pytest.fixture(scope="module")
def lookup(store_location: Path) -> Lookup:
    return Lookup(EmbeddedBackend(store_location), canned.load_all())


def run(coroutine):
    return asyncio.run(coroutine)


async def by_query(service: Lookup, entity: str, kind=None, as_of=None):
    """The partners as the canned query answers them for one government."""
    rows = await service.rows("partners", municipality=entity, tie_kind=kind, as_of=as_of)
    return partner_models(rows, await service.municipalities())


async def both(service: Lookup, kind=None, as_of=None):
    index = await service.municipalities()
    pairs = []
    for entry in index.entries:
        pairs.append(
            (
                entry.id,
                await service.partners(entry, kind, as_of),
                await by_query(service, entry.id, kind, as_of),
            )
        )
    return pairs


def test_every_government_has_the_partners_its_own_query_gives(lookup):
    pairs = run(both(lookup))
    assert sum(len(mine) for _, mine, _ in pairs) > 1000  # the national data, not an empty table
    for entity, mine, theirs in pairs:
        assert mine == theirs, entity


@pytest.mark.parametrize("kind", KINDS)
def test_a_kind_filters_as_the_query_does(lookup, kind):
    for entity, mine, theirs in run(both(lookup, kind=kind)):
        assert mine == theirs, entity


@pytest.mark.parametrize("day", DAYS)
def test_a_day_filters_as_the_query_does(lookup, day):
    pairs = run(both(lookup, as_of=day))
    for entity, mine, theirs in pairs:
        assert mine == theirs, entity


def test_the_table_is_computed_once_per_data_version(lookup):
    first = run(lookup.all_partners())
    assert run(lookup.all_partners()) is first
    lookup.tables["partners"] = ("an older version", first)
    assert run(lookup.all_partners()) is not first


def test_bulk_rows_must_be_named_as_the_query_names_them(lookup):
    class Shuffled(NamedTuple):
        graph: str
        sourceTitle: str | None
        source: str

    with pytest.raises(BackendError, match="Shuffled"):
        run(lookup.backend.tuples(lookup.query("graph-sources"), Shuffled))


def test_every_governments_facts_are_what_its_own_query_gives(lookup, monkeypatch):
    table = run(lookup.all_details())
    assert run(lookup.all_details()) is table  # once per data version
    # Today's answer: the rows in the order the municipality query itself gives them.
    monkeypatch.setattr(service, "fact_order", lambda row: 0)
    for entry in run(lookup.municipalities()).entries:
        rows = run(lookup.rows("municipality", municipality=entry.id))
        assert table[entry.id] == service.detail_of(entry, rows), entry.id


@pytest.mark.parametrize(
    ("table", "work"),
    [("all_partners", "joined_partners"), ("all_details", "details_by_government")],
)
def test_a_table_is_built_off_the_event_loop(store_location, monkeypatch, table, work):
    # The build's Python work waits, in whatever thread runs it, until this coroutine has run
    # beside it: on the event loop it would wait in vain, and the build would fail.
    running, go_on = threading.Event(), threading.Event()
    real = getattr(service, work)

    def waits_for_the_loop(*args):
        running.set()
        assert go_on.wait(10), "the event loop stood still while the table was built"
        return real(*args)

    monkeypatch.setattr(service, work, waits_for_the_loop)
    fresh = Lookup(EmbeddedBackend(store_location), canned.load_all())

    async def scenario():
        build = asyncio.create_task(getattr(fresh, table)())
        assert await asyncio.to_thread(running.wait, 10)
        go_on.set()
        return await build

    assert run(scenario())
