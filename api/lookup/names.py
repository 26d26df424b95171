"""An in-memory name index: find entities by Korean or English name, alias, slug, code or QID.

The index is built from the rows of a canned query (``queries/municipality-names.rq`` for local
governments), so a lookup never scans labels in the store. Keys are compared after NFC
normalisation, case folding and collapsing of spaces and hyphens; a second, looser form also
drops one administrative suffix (포항시 → 포항, 용인특례시 → 용인, Pohang-si → pohang), for matching
only: names are always shown as given.

``lookup(key)`` gives every candidate of the best tier that matches, so an ambiguous key
(고성군: one in Gangwon, one in Gyeongnam) gives two and the caller decides what to do;
``search(text, limit)`` ranks candidates with a score for suggestions and reconciliation.

>>> idx = NameIndex([
...     Entry("https://w3id.org/alliance-kg/id/municipality/pohang", "pohang", "포항시", "Pohang",
...           aliases=("Pohang-si",), code="47110", wikidata="Q42157"),
...     Entry("https://w3id.org/alliance-kg/id/municipality/goseong-gangwon", "goseong-gangwon",
...           "고성군", "Goseong County", aliases=("Goseong-gun",), code="51820"),
...     Entry("https://w3id.org/alliance-kg/id/municipality/goseong-gyeongnam", "goseong-gyeongnam",
...           "고성군", "Goseong County", aliases=("Goseong-gun",), code="48820"),
... ])
>>> [e.slug for e in idx.lookup("포항")], [e.slug for e in idx.lookup("POHANG-SI")]
(['pohang'], ['pohang'])
>>> [e.slug for e in idx.lookup("Q42157")], [e.slug for e in idx.lookup("47110")]
(['pohang'], ['pohang'])
>>> [e.slug for e in idx.lookup("고성군")]
['goseong-gangwon', 'goseong-gyeongnam']
>>> idx.lookup("nowhere")
[]
>>> [(h.entry.slug, h.score, h.match) for h in idx.search("포항", 5)]
[('pohang', 95, True)]
>>> normalize("  Pohang-si ")
'pohang si'
>>> strip_suffix("용인특례시"), strip_suffix("pohang si"), strip_suffix("시")
('용인', 'pohang', '시')
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from alliance_kg import iri

# Longest first, so that 특례시 is stripped before 시. One suffix only, and never the whole name.
KOREAN_SUFFIXES = ("특별자치시", "특별자치도", "특례시", "광역시", "특별시", "시", "군", "구", "도")
ENGLISH_SUFFIXES = (
    " special self governing province",
    " special self governing city",
    " metropolitan city",
    " special case city",
    " special city",
    " province",
    " county",
    " city",
    " si",
    " gun",
    " gu",
    " do",
)
MAX_KEY = 200  # longer keys are refused before they reach the index
_SPACES = re.compile(r"[\s\-‐‑–_·.,]+")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CODE = re.compile(r"^[0-9]{5}$")


def normalize(text: str) -> str:
    """NFC, case-folded, with runs of spaces, hyphens and dots turned into one space."""
    text = unicodedata.normalize("NFC", text).casefold()
    return _SPACES.sub(" ", text).strip()


def strip_suffix(form: str) -> str:
    """A normalised name without one administrative suffix, for matching only."""
    suffixes = KOREAN_SUFFIXES if _HANGUL.search(form) else ENGLISH_SUFFIXES
    for suffix in suffixes:
        if form.endswith(suffix) and len(form) > len(suffix):
            return form[: -len(suffix)].strip()
    return form


@dataclass(frozen=True)
class Entry:
    """One entity the index can find, with what a municipality object needs to show it."""

    id: str
    slug: str
    name_ko: str | None
    name_en: str | None
    aliases: tuple[str, ...] = ()
    code: str | None = None
    wikidata: str | None = None
    level: str | None = None
    parent: str | None = None  # the parent's IRI
    country: str | None = None
    kind: str | None = None  # the entity type, for indexes holding more than one kind
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def names(self) -> list[str]:
        return [n for n in (self.name_ko, self.name_en, *self.aliases) if n]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: int  # 0 to 100
    match: bool  # exact enough to accept without review


class NameIndex:
    """Entries by IRI, slug, code, QID, full name form and suffix-stripped name form."""

    def __init__(self, entries: Iterable[Entry], version: Any = None) -> None:
        self.version = version
        self.entries: list[Entry] = sorted(entries, key=lambda e: e.slug)
        self.by_id: dict[str, Entry] = {}
        self.by_slug: dict[str, list[Entry]] = {}
        self.by_code: dict[str, list[Entry]] = {}
        self.by_qid: dict[str, list[Entry]] = {}
        self.by_form: dict[str, list[Entry]] = {}
        self.by_stripped: dict[str, list[Entry]] = {}
        for e in self.entries:
            self.by_id[e.id] = e
            _add(self.by_slug, e.slug, e)
            if e.code:
                _add(self.by_code, e.code, e)
            if e.wikidata:
                _add(self.by_qid, e.wikidata, e)
            for name in e.names():
                form = normalize(name)
                _add(self.by_form, form, e)
                _add(self.by_stripped, strip_suffix(form), e)
        # Sorted forms for prefix search: (form, position of the entry in self.entries).
        position = {e.id: i for i, e in enumerate(self.entries)}
        forms = {(f, position[e.id]) for f, es in self.by_form.items() for e in es}
        forms |= {(f, position[e.id]) for f, es in self.by_stripped.items() for e in es}
        self._sorted = sorted(forms)

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, entity_iri: str) -> Entry | None:
        return self.by_id.get(entity_iri)

    def lookup(self, key: str) -> list[Entry]:
        """Every entry of the first tier the key matches: IRI, QID, code, slug, name, loose name."""
        key = unicodedata.normalize("NFC", key).strip()
        if not key or len(key) > MAX_KEY:
            return []
        if key in self.by_id:
            return [self.by_id[key]]
        if iri.QID.match(key.upper()) and key[0] in "Qq":
            return list(self.by_qid.get(key.upper(), []))
        if _CODE.match(key):
            return list(self.by_code.get(key, []))
        if key in self.by_slug:
            return list(self.by_slug[key])
        form = normalize(key)
        if form in self.by_form:
            return list(self.by_form[form])
        return list(self.by_stripped.get(strip_suffix(form), []))

    def search(self, text: str, limit: int = 10) -> list[Hit]:
        """Ranked candidates: exact 100, loose 95, slug/code/QID 100, prefix 60-80, substring 40."""
        text = unicodedata.normalize("NFC", text).strip()
        if not text or len(text) > MAX_KEY or limit <= 0:
            return []
        scores: dict[str, int] = {}

        def give(entries: Iterable[Entry], score: int) -> None:
            for e in entries:
                if scores.get(e.id, -1) < score:
                    scores[e.id] = score

        give(self.lookup(text) if text in self.by_id else [], 100)
        give(self.by_qid.get(text.upper(), []), 100)
        give(self.by_code.get(text, []), 100)
        give(self.by_slug.get(text, []), 100)
        form = normalize(text)
        give(self.by_form.get(form, []), 100)
        stripped = strip_suffix(form)
        give(self.by_stripped.get(stripped, []), 95)
        i = bisect.bisect_left(self._sorted, (stripped, -1))
        while i < len(self._sorted) and self._sorted[i][0].startswith(stripped):
            name, pos = self._sorted[i]
            give([self.entries[pos]], 60 + int(20 * len(stripped) / max(len(name), 1)))
            i += 1
        if len(scores) < limit and len(stripped) >= 2:
            for f, es in self.by_form.items():
                if stripped in f:
                    give(es, 40)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.by_id[kv[0]].slug))
        hits = [Hit(self.by_id[i], s, False) for i, s in ranked[:limit]]
        # A match is a top score that no other candidate shares.
        if hits and hits[0].score >= 95 and (len(hits) == 1 or hits[1].score < hits[0].score):
            hits[0] = Hit(hits[0].entry, hits[0].score, True)
        return hits


def _add(table: dict[str, list[Entry]], key: str, entry: Entry) -> None:
    bucket = table.setdefault(key, [])
    if entry not in bucket:
        bucket.append(entry)


def slug_of(entity_iri: str) -> str:
    """The slug of one of our entity IRIs (the last path segment for any other IRI)."""
    parsed = iri.parse_entity(entity_iri)
    return parsed[1] if parsed else entity_iri.rstrip("/").rpartition("/")[2]
