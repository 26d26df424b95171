"""Malformed and hostile records: always the promised error, never a traceback, and the store
that was there before still answers the same queries.

Hypothesis makes one defect at a time in a copy of ``data/`` (broken YAML or CSV, wrong types,
unknown references, cycles, enormous strings, mixed encodings) and runs the loader on it:
``load`` must return 1 having printed only ``file: record X, field Y: message`` lines and
"nothing was written", and the store location must still point at the same build. A live
``alliance-kg serve`` on that store answers a few queries before and after each kind of defect,
and the answers must be the same. A few of the defects also go through the command line, to
check that its output holds no traceback.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import os
import re
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from alliance_kg.loaders import build, integrity
from alliance_kg.loaders.read import _Loader
from conftest import ALLIANCE_KG, start_server
from hypothesis import given
from hypothesis import strategies as st

from alliance_kg import cli, paths
from alliance_kg import store as stores
from alliance_kg.iri import SLUG

from .support import SIZE, clone_store, hypothesis_settings

pytestmark = pytest.mark.reliability

EXAMPLES = hypothesis_settings(SIZE.record_examples)

# --------------------------------------------------------------------------------------------
# The pristine records, parsed once

DATA = paths.DATA
YAML_FILES = sorted(p.name for p in DATA.glob("*.yaml"))
CSV_FILE = "municipalities.csv"


def _parse_yaml(name: str) -> list[dict[str, Any]]:
    return yaml.load((DATA / name).read_text(encoding="utf-8"), Loader=_Loader) or []


def _parse_csv() -> tuple[list[str], list[dict[str, str]]]:
    with open(DATA / CSV_FILE, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


PRISTINE: dict[str, list[dict[str, Any]]] = {name: _parse_yaml(name) for name in YAML_FILES}
CSV_HEADER, CSV_ROWS = _parse_csv()
ALL_IDS = {r["id"] for rs in PRISTINE.values() for r in rs} | {r["id"] for r in CSV_ROWS}


def dump_yaml(records: list[Any]) -> bytes:
    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False, width=1000).encode()


def dump_csv(header: list[str], rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, header, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def records_of(stem: str) -> list[dict[str, Any]]:
    if stem == "municipalities":
        return [dict(r) for r in CSV_ROWS]
    import copy

    return copy.deepcopy(PRISTINE[stem + ".yaml"])


def write_records(stem: str, records: list[dict[str, Any]]) -> tuple[str, bytes]:
    if stem == "municipalities":
        return CSV_FILE, dump_csv(CSV_HEADER, records)
    return stem + ".yaml", dump_yaml(records)


# --------------------------------------------------------------------------------------------
# Running the loader on a defect


@contextlib.contextmanager
def data_with(files: dict[str, bytes]) -> Iterator[Path]:
    """data/ with some files replaced (the others are symbolic links to the originals)."""
    with tempfile.TemporaryDirectory(prefix="hostile-data-") as tmp:
        directory = Path(tmp)
        for path in DATA.iterdir():
            if path.name not in files:
                (directory / path.name).symlink_to(path)
        for name, content in files.items():
            (directory / name).write_bytes(content)
        yield directory


ERROR_LINE = re.compile(r"^(?P<file>[^\s:]+\.(?:yaml|csv)|\(graph\)): (?:file|record .+?): .+$")


def assert_promised_error(location: Path, files: dict[str, bytes], names: str | None) -> list:
    """Load ``files`` over data/ into ``location``: it must fail with the promised error, name
    ``names`` (a file) in it, and leave the store as it was. Returns the error lines."""
    before = stores.current_build(location)
    with data_with(files) as directory:
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = cli.main(["load", "--data", str(directory), "--store", str(location)])
    output = err.getvalue()
    assert "Traceback" not in output
    assert status == 1, f"the load did not fail:\n{output[-3000:]}"
    lines = output.splitlines()
    summary = [
        i for i, line in enumerate(lines) if line.endswith(" error(s); nothing was written.")
    ]
    assert summary, f"no summary line:\n{output[-3000:]}"
    # The progress lines come first (two spaces, a phase and its time), then the errors.
    errors = [
        line
        for line in lines[: summary[-1]]
        if not line.startswith("  ") and not line.startswith("Building the store")
    ]
    assert errors, f"no error lines:\n{output[-3000:]}"
    bad = [line[:300] for line in errors if not ERROR_LINE.match(line)]
    assert not bad, "error lines not as promised (file: record X, field Y: message):\n" + "\n".join(
        bad[:10]
    )
    assert lines[summary[-1]].startswith(f"{len(errors)} error(s)")
    if names is not None:
        assert any(ERROR_LINE.match(line)["file"] == names for line in errors), (
            f"no error names {names}:\n" + "\n".join(e[:300] for e in errors[:10])
        )
    assert stores.current_build(location) == before, "a failed load swapped the store"
    assert not list(stores.builds_dir(location).glob("partial-*")), "a partial build was left"
    return errors


# --------------------------------------------------------------------------------------------
# The store and the live server that must keep answering

QUERIES = [
    ("/sparql", {"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"}),
    ("/municipalities/pohang", {}),
    ("/municipalities/pohang/partners", {}),
    ("/municipalities", {"q": "용인", "limit": "5"}),
]


def answers(server) -> list[tuple[int, Any]]:
    out = []
    with httpx.Client(base_url=server.url, timeout=30) as client:
        for path, params in QUERIES:
            r = client.get(path, params=params, headers={"Accept": "application/json"})
            out.append((r.status_code, r.json()))
    return out


@pytest.fixture(scope="module")
def live(tmp_path_factory, store_location):
    """A private copy of the store, served; the answers it gives before any defect."""
    location = tmp_path_factory.mktemp("hostile") / "store"
    clone_store(store_location, location)
    server = start_server(location.parent, "--store", str(location), "--query-timeout", "10")
    try:
        yield location, server, answers(server)
    finally:
        server.stop()


@pytest.fixture
def store(live):
    """The store location; after the test, the server must answer as it did before."""
    location, server, before = live
    build_before = stores.current_build(location)
    yield location
    assert stores.current_build(location) == build_before
    assert answers(server) == before, "the store answers differently after the failed loads"


def test_pristine_round_trip_loads(store):
    """The strategies below rewrite files with yaml.safe_dump and csv: unchanged records
    rewritten that way are still valid, so every error below comes from the defect."""
    files = dict(write_records(stem, records_of(stem)) for stem in ("agreements", "municipalities"))
    pristine = build.check_records(DATA, report=lambda _: None)
    with data_with(files) as directory:
        records = build.check_records(directory, report=lambda _: None)
    for stem in ("agreements", "municipalities"):  # the tables of data/agreements/ included
        assert len(records[stem]) == len(pristine[stem])


# --------------------------------------------------------------------------------------------
# Strategies

short_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=0, max_size=12
)
yaml_files = st.sampled_from(YAML_FILES)
slugs = st.from_regex(SLUG, fullmatch=True).filter(lambda s: len(s) <= 40 and s not in ALL_IDS)


def _record_starts(text: str) -> list[int]:
    """Offsets of the lines that start a record (``- `` at column 0), and the end of the file."""
    starts = [m.start() for m in re.finditer(r"(?m)^- ", text)]
    return [*starts, len(text)]


# Fragments that make a YAML file unparseable (each at column 0, where a record could start;
# {t} is arbitrary text). They start a record that lacks required fields, so a fragment that
# somehow parses is still an invalid record.
BROKEN_YAML = [
    "- id: broken\n  parties: [unclosed, {t}\n",
    "- id: broken\n  kind: {{unclosed: {t}\n",
    "\t- id: tab-indented\n",
    "- id: broken\n  name_en: a: b {t}\n",
    "- id: broken\n  parties: *undefined-anchor\n",
    "key-at-top: {t}\n",
    "]\n",
    "- !!python/object/apply:os.system ['true']\n",
    "- id: broken\n  note: !!binary '{t}'\n",
    "- id: deep\n  note: " + "[" * 1500 + "\n",
    "- id: deep\n  note: " + "{a: " * 1500 + "1" + "}" * 1500 + "\n",
    "- id: big\n  attendance: " + "9" * 5000 + "\n",
    '- id: surrogate\n  note: "\\ud800{t}"\n',
    '- id: broken\n  note: "\x07{t}"\n',
    "---\n- id: second-document\n",
    "- id: broken\n  <<: [1, 2]\n",
]


@st.composite
def broken_yaml(draw) -> tuple[str, bytes]:
    name = draw(yaml_files)
    text = (DATA / name).read_text(encoding="utf-8")
    starts = _record_starts(text)
    at = draw(st.sampled_from(starts))
    fragment = draw(st.sampled_from(BROKEN_YAML)).replace("{t}", draw(short_text))
    return name, (text[:at] + fragment + text[at:]).encode("utf-8")


def _csv_line(cells: list[str]) -> str:
    return ",".join(cells) + "\n"


@st.composite
def broken_csv(draw) -> tuple[str, bytes]:
    text = (DATA / CSV_FILE).read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    row = dict(draw(st.sampled_from(CSV_ROWS)))
    cells = [row.get(h, "") for h in CSV_HEADER]
    kind = draw(
        st.sampled_from(
            [
                "more-cells",
                "fewer-cells",
                "unclosed-quote",
                "duplicate-row",
                "header-renamed",
                "header-missing",
                "blank-required",
                "huge-cell",
            ]
        )
    )
    if kind == "more-cells":
        line = _csv_line(cells + draw(st.lists(short_text, min_size=1, max_size=3)))
    elif kind == "fewer-cells":
        line = _csv_line(cells[: draw(st.integers(1, len(cells) - 2))])
    elif kind == "unclosed-quote":
        i = draw(st.integers(0, len(cells) - 1))
        line = _csv_line([*cells[:i], '"' + cells[i] + draw(short_text), *cells[i + 1 :]])
    elif kind == "duplicate-row":
        line = _csv_line(cells)
    elif kind == "header-renamed":
        i = draw(st.integers(0, len(CSV_HEADER) - 1))
        header = list(CSV_HEADER)
        header[i] = header[i] + "-x"
        lines[0] = _csv_line(header)
        line = ""
    elif kind == "header-missing":
        lines = lines[1:]
        line = ""
    elif kind == "blank-required":
        required = ["id", "name_ko", "name_en", "level", "code", "sources"]
        i = CSV_HEADER.index(draw(st.sampled_from(required)))
        cells[i] = ""
        cells[0] = draw(slugs)
        line = _csv_line(cells)
    else:  # a cell longer than the csv module's field limit
        i = draw(st.integers(0, len(cells) - 1))
        cells[i] = "x" * (csv.field_size_limit() + draw(st.integers(1, 1000)))
        line = _csv_line(cells)
    at = draw(st.integers(1, len(lines)))
    return CSV_FILE, "".join([*lines[:at], line, *lines[at:]]).encode("utf-8")


def _wrong_for(value: Any) -> st.SearchStrategy:
    """Values of a type the field cannot hold (YAML booleans and nulls are left out: booleans
    read as text here, and null is a valid absent value)."""
    ints = st.integers(-(10**6), 10**6)
    floats = st.floats(allow_nan=True, allow_infinity=True).filter(lambda f: not f.is_integer())
    lists = st.lists(st.integers(), min_size=1, max_size=3)
    dicts = st.dictionaries(st.sampled_from(["a", "id", "value"]), st.integers(), min_size=1)
    text = short_text.filter(lambda s: not _numeric(s))
    if isinstance(value, str):
        return st.one_of(ints, floats, lists, dicts)
    if isinstance(value, list):
        return st.one_of(ints, floats, dicts)
    if isinstance(value, dict):
        return st.one_of(ints, text, st.lists(short_text, min_size=1, max_size=3))
    if isinstance(value, int | float):
        return st.one_of(text, lists, dicts)
    return st.one_of(dicts, lists)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().lower() in ("true", "false", "yes", "no", "on", "off", "")
    return True


@st.composite
def wrong_types(draw) -> tuple[str, bytes]:
    name = draw(yaml_files)
    stem = name.removesuffix(".yaml")
    records = records_of(stem)
    i = draw(st.integers(0, len(records) - 1))
    if draw(st.integers(0, 9)) == 0:  # the whole record is not a mapping
        records[i] = draw(st.one_of(short_text, st.lists(st.integers(), max_size=3), st.integers()))
        return write_records(stem, records)
    record = records[i]
    key = draw(st.sampled_from(sorted(record)))
    record[key] = draw(_wrong_for(record[key]))
    return write_records(stem, records)


REFERENCES = [(f, p, t) for f, p, t in integrity.REFERENCES if f + ".yaml" in PRISTINE]


def _set_reference(record: dict[str, Any], path: str, value: str, draw) -> bool:
    """Put ``value`` where ``path`` (``a``, ``a[]``, ``a[].b``, ``a[].b[]``) points in
    ``record``; False if the record has no such place."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        key = head[:-2]
        items = record.get(key)
        if not rest:
            items = list(items or [])
            if items and draw(st.booleans()):
                items[draw(st.integers(0, len(items) - 1))] = value
            else:
                items.insert(draw(st.integers(0, len(items))), value)
            record[key] = items
            return True
        if not items:
            return False
        return _set_reference(items[draw(st.integers(0, len(items) - 1))], rest, value, draw)
    record[head] = value
    return True


@st.composite
def unknown_references(draw) -> tuple[str, bytes]:
    stem, path, _ = draw(st.sampled_from(REFERENCES))
    records = records_of(stem)
    record = draw(st.sampled_from(records))
    if not _set_reference(record, path, draw(slugs), draw):
        record["sources"] = [*record["sources"], draw(slugs)]  # an unknown source, then
    return write_records(stem, records)


@st.composite
def unknown_parties(draw) -> tuple[str, bytes]:
    """The issue's own example: an agreement between a known and an unknown party."""
    records = records_of("agreements")
    record = draw(st.sampled_from(records))
    i = draw(st.integers(0, len(record["parties"]) - 1))
    record["parties"][i] = draw(st.one_of(slugs, st.sampled_from(["포항시", "Pohang", "POHANG"])))
    return write_records("agreements", records)


# The chains the strategies can rewrite: those of the YAML files and of municipalities.csv.
CYCLIC = [
    (stem, field)
    for stem, field in integrity.ACYCLIC
    if stem == "municipalities" or f"{stem}.yaml" in PRISTINE
]


@st.composite
def cycles(draw) -> tuple[str, bytes]:
    stem, field = draw(st.sampled_from(CYCLIC))
    records = records_of(stem)
    if stem == "municipalities":  # keep the levels plausible: a loop among lower-level ones
        pool = [i for i, r in enumerate(records) if r.get("parent")]
    else:
        pool = list(range(len(records)))
    members = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    for a, b in itertools.pairwise([*members, members[0]]):
        records[a][field] = records[b]["id"]
    return write_records(stem, records)


@st.composite
def enormous_strings(draw) -> tuple[str, bytes]:
    """A string of 100 kB to 1 MB where it cannot be valid (a slug, code, QID, date or URL
    with a space in it), or as a note of a record that cites no source."""
    size = draw(st.sampled_from([100_000, 300_000, 1_000_000]))
    unit = draw(st.text(alphabet="abc가나다 -", min_size=1, max_size=8)) + " "
    huge = (unit * (size // len(unit) + 1))[:size]
    stem = draw(st.sampled_from(["agreements", "municipalities", "sources", "organizations"]))
    records = records_of(stem)
    record = draw(st.sampled_from(records))
    where = draw(st.sampled_from(["id", "sources", "date", "note-without-sources", "url"]))
    if where == "id":
        record["id"] = huge
    elif where == "sources":
        record["sources"] = [huge] if stem != "municipalities" else huge
    elif where == "date":
        record["date" if stem != "municipalities" else "code"] = huge
    elif where == "url" and stem == "sources":
        record["url"] = "https://example.org/" + huge
    else:
        record["note"] = huge
        record["sources"] = [] if stem != "municipalities" else ""
    if stem == "sources" and where == "note-without-sources":
        record["title"] = ""  # sources cite nothing; an empty title is the defect instead
    return write_records(stem, records)


ENCODINGS = ["euc-kr", "cp949", "utf-16", "utf-16-be", "latin-1", "shift_jis", "johab"]


@st.composite
def mixed_encodings(draw) -> tuple[str, bytes]:
    """One line of a UTF-8 file re-encoded in another encoding."""
    name = draw(st.sampled_from([*YAML_FILES, CSV_FILE]))
    lines = (DATA / name).read_text(encoding="utf-8").splitlines(keepends=True)
    candidates = []
    for encoding in ENCODINGS:
        for i, line in enumerate(lines):
            try:
                encoded = line.encode(encoding)
            except UnicodeEncodeError:
                continue
            try:
                encoded.decode("utf-8")
            except UnicodeDecodeError:
                candidates.append((i, encoded))
    i, encoded = draw(st.sampled_from(candidates))
    head = "".join(lines[:i]).encode("utf-8")
    tail = "".join(lines[i + 1 :]).encode("utf-8")
    return name, head + encoded + tail


@st.composite
def decomposed_hangul(draw) -> tuple[str, bytes]:
    """A Korean name in NFD (jamo) instead of NFC."""
    stem = draw(st.sampled_from(["municipalities", "agreements", "organizations", "meetings"]))
    records = [r for r in records_of(stem)]
    named = [r for r in records if r.get("name_ko")]
    record = draw(st.sampled_from(named))
    record["name_ko"] = unicodedata.normalize("NFD", record["name_ko"])
    return write_records(stem, records)


# --------------------------------------------------------------------------------------------
# The tests: one kind of defect each


def _check(store: Path, defect: tuple[str, bytes], names: bool = True) -> None:
    name, content = defect
    assert_promised_error(store, {name: content}, name if names else None)


@EXAMPLES
@given(defect=broken_yaml())
def test_broken_yaml(store, defect):
    _check(store, defect)


@EXAMPLES
@given(defect=broken_csv())
def test_broken_csv(store, defect):
    # A duplicated row is named by its id; a lost header makes the rows' references fail in the
    # files that cite them: either way the error names a file, not always this one.
    _check(store, defect, names=False)


@EXAMPLES
@given(defect=wrong_types())
def test_wrong_types(store, defect):
    # A wrong id also leaves dangling references elsewhere; the record itself is named then too.
    _check(store, defect)


@EXAMPLES
@given(defect=st.one_of(unknown_references(), unknown_parties()))
def test_unknown_references(store, defect):
    _check(store, defect)


@EXAMPLES
@given(defect=cycles())
def test_cycles(store, defect):
    _check(store, defect)


@EXAMPLES
@given(defect=enormous_strings())
def test_enormous_strings(store, defect):
    _check(store, defect, names=False)  # a huge id that breaks references is named elsewhere


@EXAMPLES
@given(defect=st.one_of(mixed_encodings(), decomposed_hangul()))
def test_mixed_encodings(store, defect):
    _check(store, defect)


# --------------------------------------------------------------------------------------------
# The command line: the same promise, as a user sees it

CLI_CASES: list[tuple[str, Callable[[], tuple[str, bytes]]]] = [
    ("huge CSV cell", lambda: broken_csv_cell()),
    ("YAML nested too deeply", lambda: appended("agreements.yaml", BROKEN_YAML[9])),
    ("YAML integer of 5000 digits", lambda: appended("meetings.yaml", BROKEN_YAML[11])),
    ("lone surrogate", lambda: appended("agreements.yaml", BROKEN_YAML[12].replace("{t}", ""))),
    ("EUC-KR line", lambda: ("people.yaml", euc_kr_people())),
]


def appended(name: str, fragment: str) -> tuple[str, bytes]:
    return name, (DATA / name).read_bytes() + fragment.encode("utf-8")


def broken_csv_cell() -> tuple[str, bytes]:
    row = _csv_line(["zz", "x" * 200_000, "X", "city", "gyeonggi", "99999"])
    return CSV_FILE, (DATA / CSV_FILE).read_bytes() + row.encode()


def euc_kr_people() -> bytes:
    return (DATA / "people.yaml").read_text(encoding="utf-8").encode("euc-kr", "replace")


@pytest.mark.parametrize("make", [c[1] for c in CLI_CASES], ids=[c[0] for c in CLI_CASES])
def test_command_line_gives_the_promised_error(store, make):
    name, content = make()
    with data_with({name: content}) as directory:
        result = subprocess.run(
            [*ALLIANCE_KG, "load", "--data", str(directory), "--store", str(store)],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=paths.ROOT,
            env={**os.environ},
        )
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert f"{name}: " in result.stderr
    assert result.stderr.rstrip().endswith("nothing was written."), result.stderr[-2000:]


def test_self_referencing_and_aliased_yaml_is_refused_quickly(store):
    """Aliases that would expand to a billion entries, and a list that contains itself."""
    laughs = "- id: lol\n  sources: [a]\n  a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n" for i in range(1, 10)
    )
    cases = [
        laughs + "  aliases: *a9\n",
        laughs.replace("  sources: [a]\n", "") + "  parties: *a9\n",
        "- id: loop\n  kind: sister-city\n  sources: [a]\n  parties: &p [pohang, *p]\n",
    ]
    for text in cases:
        name, content = appended("agreements.yaml", text)
        assert_promised_error(store, {name: content}, name)
