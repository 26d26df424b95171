"""Checks across records: every reference resolves, identifiers are unique, no cycles."""

from collections import Counter
from collections.abc import Iterator

from alliance_kg.loaders import dates
from alliance_kg.loaders.read import RecordError, Records
from alliance_kg.loaders.records import RECORD_TYPES, UPPER_LEVELS

# (file, field path, files the referenced id may come from). A path step ending in [] walks a list.
REFERENCES: list[tuple[str, str, tuple[str, ...]]] = [
    ("municipalities", "parent", ("municipalities",)),
    ("former-governments", "parent", ("municipalities",)),
    ("former-governments", "merged_into", ("municipalities", "former-governments")),
    ("sources", "partner_page_of", ("municipalities", "former-governments")),
    ("places", "located_in", ("municipalities", "foreign-governments")),
    ("statuses", "municipality", ("municipalities",)),
    ("statuses", "legal_basis", ("legislation",)),
    ("changes", "municipality", ("municipalities",)),
    ("changes", "old_parent", ("municipalities",)),
    ("changes", "new_parent", ("municipalities",)),
    ("changes", "legal_basis", ("legislation",)),
    ("agreements", "parties[]", ("municipalities", "foreign-governments", "former-governments")),
    ("agreements", "place", ("places",)),
    ("agreements", "fields[]", ("fields",)),
    ("agreements", "signatories[]", ("people",)),
    ("agreements", "precedes", ("agreements",)),
    ("organizations", "members[].member", ("municipalities", "organizations")),
    ("organizations", "unit_of", ("organizations",)),
    ("organizations", "founded_by", ("agreements",)),
    ("organizations", "seat", ("places", "municipalities")),
    ("organizations", "staff_from[].municipality", ("municipalities",)),
    ("meetings", "organizer", ("organizations",)),
    ("meetings", "venue", ("places",)),
    ("meetings", "attendees[]", ("people",)),
    ("declarations", "meeting", ("meetings",)),
    ("declarations", "parties[]", ("municipalities", "organizations")),
    (
        "declarations",
        "commitments[].concerns[]",
        ("organizations", "legislation", "industries", "municipalities"),
    ),
    ("industries", "broader", ("industries",)),
    ("city-industries", "municipality", ("municipalities",)),
    ("city-industries", "industries[]", ("industries",)),
    ("designations", "industry", ("industries",)),
    ("designations", "sites[]", ("municipalities",)),
    ("companies", "facilities[].municipality", ("municipalities",)),
    ("companies", "industries[]", ("industries",)),
    ("legislation", "promoted_by[]", ("organizations", "municipalities")),
    ("legislation", "proposed_by[]", ("people",)),
    (
        "legislation",
        "concerns[]",
        ("organizations", "municipalities", "industries", "legislation"),
    ),
    ("people", "holds[].of", ("municipalities", "organizations")),
]

# Fields whose chains must not loop back on themselves.
ACYCLIC = [
    ("municipalities", "parent"),
    ("organizations", "unit_of"),
    ("industries", "broader"),
    ("agreements", "precedes"),
    ("former-governments", "merged_into"),
]


def check(records: Records) -> list[RecordError]:
    errors: list[RecordError] = []
    ids = {stem: {r.id for r in rs} for stem, rs in records.by_file.items()}
    sources = ids.get("sources", set())

    # Identifiers: unique within their IRI type; codes and QIDs unique across the graph.
    files_of: dict[tuple[str, str], list[str]] = {}  # (IRI type, id) → files defining it
    for stem in records.by_file:
        for file, r in records.with_files(stem):
            files_of.setdefault((RECORD_TYPES[stem][1], r.id), []).append(file)
    codes = Counter(r.code for r in records["municipalities"])
    qids = Counter(
        r.wikidata for rs in records.by_file.values() for r in rs if getattr(r, "wikidata", None)
    )
    for stem in records.by_file:
        for file, r in records.with_files(stem):
            defined_in = files_of[(RECORD_TYPES[stem][1], r.id)]
            if len(defined_in) > 1:
                where = ", ".join(sorted(set(defined_in)))
                errors.append(RecordError(file, r.id, "id", f"id {r.id!r} is used twice ({where})"))
            if stem == "municipalities" and codes[r.code] > 1:
                errors.append(RecordError(file, r.id, "code", f"code {r.code} is used twice"))
            qid = getattr(r, "wikidata", None)
            if qid and qids[qid] > 1:
                errors.append(RecordError(file, r.id, "wikidata", f"{qid} is used twice"))
            for position, source in enumerate(getattr(r, "sources", [])):
                if source not in sources:
                    errors.append(
                        RecordError(file, r.id, f"sources.{position}", f"unknown source {source!r}")
                    )

    for stem, path, targets in REFERENCES:
        allowed = set().union(*(ids.get(t, set()) for t in targets))
        for file, r in records.with_files(stem):
            for field, value in _walk(r, path):
                if value not in allowed:
                    errors.append(
                        RecordError(
                            file, r.id, field, f"unknown {' or '.join(targets)} id {value!r}"
                        )
                    )

    errors += _duplicate_ties(records)
    errors += _duplicate_urls(records)
    errors += _levels(records)
    errors += _cycles(records)
    errors += _intervals(records)
    return sorted(set(errors))


def _duplicate_ties(records: Records) -> Iterator[RecordError]:
    """Two agreements of the same parties, kind, status and date are one tie written twice:
    its sources belong in one record."""
    first: dict[tuple, str] = {}
    for file, r in records.with_files("agreements"):
        key = (frozenset(r.parties), r.kind, r.status, r.date)
        if key in first:
            yield RecordError(
                file, r.id, "parties", f"the same tie as {first[key]!r} (parties, kind and date)"
            )
        else:
            first[key] = r.id


def _duplicate_urls(records: Records) -> Iterator[RecordError]:
    """One page is one source: a second record of the same address splits its citations."""
    first: dict[str, str] = {}
    for file, r in records.with_files("sources"):
        if not r.url:
            continue
        if r.url in first:
            yield RecordError(file, r.id, "url", f"the same address as source {first[r.url]!r}")
        else:
            first[r.url] = r.id


def _walk(obj, path: str, prefix: str = "") -> Iterator[tuple[str, str]]:
    """(field path, value) for every id a dotted path with [] steps reaches."""
    head, _, rest = path.partition(".")
    name = head.removesuffix("[]")
    value = getattr(obj, name, None)
    if value is None:
        return
    items = list(enumerate(value)) if head.endswith("[]") else [(None, value)]
    for index, item in items:
        field = prefix + name + ("" if index is None else f".{index}")
        if rest:
            yield from _walk(item, rest, field + ".")
        else:
            yield field, item


def _levels(records: Records) -> Iterator[RecordError]:
    level = {r.id: r.level for r in records["municipalities"]}
    for file, r in records.with_files("municipalities"):
        if r.level in UPPER_LEVELS and r.parent:
            yield RecordError(file, r.id, "parent", f"a {r.level} has no parent local government")
        elif r.level not in UPPER_LEVELS:
            if not r.parent:
                yield RecordError(
                    file,
                    r.id,
                    "parent",
                    f"a {r.level} needs its upper-level parent",
                )
            elif r.parent in level and level[r.parent] not in UPPER_LEVELS:
                yield RecordError(
                    file,
                    r.id,
                    "parent",
                    f"parent {r.parent!r} is not an upper-level local government",
                )


def _cycles(records: Records) -> Iterator[RecordError]:
    for stem, field in ACYCLIC:
        step = {r.id: getattr(r, field) for r in records[stem] if getattr(r, field)}
        file_of = {r.id: file for file, r in records.with_files(stem)}
        for start in step:
            seen, node = {start}, step[start]
            while node in step:
                if node in seen:
                    yield RecordError(
                        file_of[start], start, field, f"{field} chain loops at {node!r}"
                    )
                    break
                seen.add(node)
                node = step[node]


def _intervals(records: Records) -> Iterator[RecordError]:
    for file, r in records.with_files("organizations"):
        if r.founded and r.dissolved and dates.earliest(r.dissolved) < dates.earliest(r.founded):
            yield RecordError(file, r.id, "dissolved", "dissolved before founded")
        for i, m in enumerate(r.members):
            if m.since and m.until and dates.earliest(m.until) < dates.earliest(m.since):
                yield RecordError(
                    file,
                    r.id,
                    f"members.{i}.until",
                    "membership ends before it begins",
                )
        if r.staff and sum(s.count for s in r.staff_from) > r.staff:
            yield RecordError(file, r.id, "staff_from", "more staff seconded than the office has")
