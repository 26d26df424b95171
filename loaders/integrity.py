"""Checks across records: every reference resolves, identifiers are unique, no cycles."""

from collections import Counter
from collections.abc import Iterator

from loaders import dates
from loaders.read import RecordError, Records
from loaders.records import RECORD_TYPES, UPPER_LEVELS

# (file, field path, files the referenced id may come from). A path step ending in [] walks a list.
REFERENCES: list[tuple[str, str, tuple[str, ...]]] = [
    ("municipalities", "parent", ("municipalities",)),
    ("places", "located_in", ("municipalities", "foreign-governments")),
    ("statuses", "municipality", ("municipalities",)),
    ("statuses", "legal_basis", ("legislation",)),
    ("changes", "municipality", ("municipalities",)),
    ("changes", "old_parent", ("municipalities",)),
    ("changes", "new_parent", ("municipalities",)),
    ("changes", "legal_basis", ("legislation",)),
    ("agreements", "parties[]", ("municipalities", "foreign-governments")),
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
]


def check(records: Records) -> list[RecordError]:
    errors: list[RecordError] = []
    ids = {stem: {r.id for r in rs} for stem, rs in records.by_file.items()}
    sources = ids.get("sources", set())

    # Identifiers: unique within their IRI type; codes and QIDs unique across the graph.
    by_type: dict[str, Counter] = {}
    for stem, rs in records.by_file.items():
        counter = by_type.setdefault(RECORD_TYPES[stem][1], Counter())
        counter.update(r.id for r in rs)
    codes = Counter(r.code for r in records["municipalities"])
    qids = Counter(
        r.wikidata for rs in records.by_file.values() for r in rs if getattr(r, "wikidata", None)
    )
    for stem, rs in records.by_file.items():
        counter = by_type[RECORD_TYPES[stem][1]]
        for r in rs:
            file = _file(stem)
            if counter[r.id] > 1:
                errors.append(RecordError(file, r.id, "id", f"id {r.id!r} is used twice"))
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
        for r in records[stem]:
            for field, value in _walk(r, path):
                if value not in allowed:
                    errors.append(
                        RecordError(
                            _file(stem), r.id, field, f"unknown {' or '.join(targets)} id {value!r}"
                        )
                    )

    errors += _levels(records)
    errors += _cycles(records)
    errors += _intervals(records)
    return sorted(set(errors))


def _file(stem: str) -> str:
    return f"{stem}.csv" if stem == "municipalities" else f"{stem}.yaml"


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
    for r in records["municipalities"]:
        if r.level in UPPER_LEVELS and r.parent:
            yield RecordError(
                "municipalities.csv", r.id, "parent", f"a {r.level} has no parent local government"
            )
        elif r.level not in UPPER_LEVELS:
            if not r.parent:
                yield RecordError(
                    "municipalities.csv",
                    r.id,
                    "parent",
                    f"a {r.level} needs its upper-level parent",
                )
            elif r.parent in level and level[r.parent] not in UPPER_LEVELS:
                yield RecordError(
                    "municipalities.csv",
                    r.id,
                    "parent",
                    f"parent {r.parent!r} is not an upper-level local government",
                )


def _cycles(records: Records) -> Iterator[RecordError]:
    for stem, field in ACYCLIC:
        step = {r.id: getattr(r, field) for r in records[stem] if getattr(r, field)}
        for start in step:
            seen, node = {start}, step[start]
            while node in step:
                if node in seen:
                    yield RecordError(_file(stem), start, field, f"{field} chain loops at {node!r}")
                    break
                seen.add(node)
                node = step[node]


def _intervals(records: Records) -> Iterator[RecordError]:
    for r in records["organizations"]:
        if r.founded and r.dissolved and dates.earliest(r.dissolved) < dates.earliest(r.founded):
            yield RecordError("organizations.yaml", r.id, "dissolved", "dissolved before founded")
        for i, m in enumerate(r.members):
            if m.since and m.until and dates.earliest(m.until) < dates.earliest(m.since):
                yield RecordError(
                    "organizations.yaml",
                    r.id,
                    f"members.{i}.until",
                    "membership ends before it begins",
                )
        if r.staff and sum(s.count for s in r.staff_from) > r.staff:
            yield RecordError(
                "organizations.yaml", r.id, "staff_from", "more staff seconded than the office has"
            )
