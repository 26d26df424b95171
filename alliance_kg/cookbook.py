"""The cookbook, ``docs/cookbook.md``: research questions answered by canned queries.

Each question is a ``## `` section of the document that names its query file
(``queries/cookbook-<name>.rq``), shows the query in a fenced ``sparql`` block, and gives the
answer as the first Markdown table after that block. The tests run every query on a store built
from ``data/`` and compare its rows with the table, so the document cannot drift from the data;
after a change to the data, rewrite the blocks and tables from the queries with::

    .venv/bin/alliance-kg cookbook --write

A cell shows a term's value: the text of a literal (without its language tag), an IRI as is, and
nothing for an unbound variable. A long answer shows its first ``SHOWN`` rows, followed (after an
empty line) by a line saying how many rows the whole answer has.

>>> doc = '''## Q
... Query: `queries/cookbook-x.rq`
... ```sparql
... SELECT ?a {}
... ```
... | a | b |
... |---|---|
... | 1 | x \\\\| y |
... '''
>>> [(s.name, s.header, s.rows) for s in sections(doc)]
[('cookbook-x', ['a', 'b'], [['1', 'x | y']])]
"""

from __future__ import annotations

import itertools
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from alliance_kg import paths
from alliance_kg import store as stores

DOCUMENT = paths.COOKBOOK
SHOWN = 20
_QUERY_FILE = re.compile(r"queries/(cookbook-[a-z0-9-]+)\.rq")
_MORE = re.compile(r"^\*The first \d+ of ([0-9,]+) rows")
_FENCE = re.compile(r"^```")


@dataclass
class Section:
    title: str
    name: str  # the query's name, the file name without .rq
    sparql: str  # the text of the sparql block ("" if there is none)
    header: list[str]
    rows: list[list[str]]
    total: int | None = None  # rows of the whole answer, when the table shows only the first
    # line ranges in the document, for rewriting: [start, end) of the block body and the table
    block: tuple[int, int] | None = None
    table: tuple[int, int] | None = None

    def shows(self, header: list[str], rows: list[list[str]]) -> bool:
        """Whether the printed table is this answer (its first rows, and its size if cut)."""
        total = len(rows) if len(rows) > SHOWN else None
        return (self.header, self.rows, self.total) == (header, rows[:SHOWN], total)


def split_row(line: str) -> list[str]:
    """The cells of a Markdown table row; ``\\|`` is a literal bar.

    >>> split_row("| a | b \\\\| c |  |")
    ['a', 'b | c', '']
    """
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def _is_rule(cells: list[str]) -> bool:
    return all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def sections(markdown: str) -> list[Section]:
    """The questions of the document that name a cookbook query, in document order."""
    lines = markdown.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("## ")] + [len(lines)]
    found = []
    for start, end in itertools.pairwise(starts):
        body = lines[start:end]
        named = next((m for m in map(_QUERY_FILE.search, body) if m), None)
        if named is None:
            continue
        section = Section(lines[start][3:].strip(), named[1], "", [], [])
        i = 1
        while i < len(body) and not body[i].startswith("```sparql"):
            i += 1
        if i < len(body):
            j = i + 1
            while j < len(body) and not _FENCE.match(body[j]):
                j += 1
            section.sparql = "\n".join(body[i + 1 : j]) + "\n"
            section.block = (start + i + 1, start + j)
            i = j + 1
        else:
            i = 1
        while i < len(body) and not body[i].lstrip().startswith("|"):
            i += 1
        j = i
        while j < len(body) and body[j].lstrip().startswith("|"):
            j += 1
        table = [split_row(line) for line in body[i:j]]
        if table:
            section.header = table[0]
            section.rows = [r for r in table[1:] if not _is_rule(r)]
            more = _MORE.match(body[j + 1]) if j + 1 < len(body) and not body[j] else None
            if more:
                section.total = int(more[1].replace(",", ""))
                j += 2
            section.table = (start + i, start + j)
        found.append(section)
    return found


def cell(term: ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def answer(store: ox.Store, sparql: str) -> tuple[list[str], list[list[str]]]:
    """A SELECT query's variables and rows as the cookbook prints them (union default graph)."""
    solutions = store.query(sparql)
    header = [v.value for v in solutions.variables]
    return header, [[cell(row[name]) for name in header] for row in solutions]


def render_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown table of the first ``SHOWN`` rows; numbers are right-aligned.

    >>> render_table(["a", "n"], [["x|y", "2"]])
    ['| a | n |', '| --- | ---: |', '| x\\\\|y | 2 |']
    >>> render_table(["n"], [[str(i)] for i in range(25)])[-2:]
    ['', '*The first 20 of 25 rows; run the query for all of them.*']
    """
    numeric = [
        bool(rows) and all(re.fullmatch(r"-?[0-9]+", r[i]) for r in rows)
        for i in range(len(header))
    ]

    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(map(esc, header)) + " |"]
    out.append("| " + " | ".join("---:" if n else "---" for n in numeric) + " |")
    out += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows[:SHOWN]]
    if len(rows) > SHOWN:
        out += ["", f"*The first {SHOWN} of {len(rows):,} rows; run the query for all of them.*"]
    return out


def query_text(name: str, queries: Path = paths.QUERIES) -> str:
    return (queries / f"{name}.rq").read_text(encoding="utf-8")


def rewrite(markdown: str, store: ox.Store, queries: Path = paths.QUERIES) -> str:
    """The document with every sparql block and answer table rewritten from the queries."""
    lines = markdown.splitlines()
    # Replace from the end so that earlier line numbers stay valid.
    edits: list[tuple[tuple[int, int], list[str]]] = []
    for s in sections(markdown):
        text = query_text(s.name, queries)
        if s.block:
            edits.append((s.block, text.rstrip("\n").splitlines()))
        header, rows = answer(store, text)
        if s.table:
            edits.append((s.table, render_table(header, rows)))
    for (start, end), new in sorted(edits, reverse=True):
        lines[start:end] = new
    return "\n".join(lines) + "\n"


def cli(location: Path, document: Path, write: bool) -> int:
    """``alliance-kg cookbook --check|--write``: 1 when a section is out of date."""
    store = stores.open_read_only(location)
    markdown = document.read_text(encoding="utf-8")
    if write:
        document.write_text(rewrite(markdown, store), encoding="utf-8")
        return 0
    stale = [
        s.name
        for s in sections(markdown)
        if s.sparql != query_text(s.name) or not s.shows(*answer(store, query_text(s.name)))
    ]
    for name in stale:
        print(f"{document}: the section of {name} is out of date", file=sys.stderr)
    return 1 if stale else 0
