"""Reconciliation Service API 0.2 at ``/reconcile``: the protocol OpenRefine speaks.

- ``GET /reconcile`` — the service manifest (CORS on, like every route of the app).
- ``GET|POST /reconcile`` with ``queries`` — a batch of reconciliation queries, each with
  optional ``type`` and property conditions (``province``, ``parent``, ``in``, ``level``,
  ``code``, ``wikidata``, ``country``); with ``extend`` — data extension.
- ``/reconcile/suggest/entity|type|property?prefix=`` — the suggest services.
- ``/reconcile/preview?id=`` — a small HTML card of an entity.
- ``/reconcile/properties?type=`` — the properties data extension can fetch.

Entities are the local governments of the graph, Korean and foreign; their ids are slugs
(``pohang``), so the view URL is ``https://w3id.org/alliance-kg/id/municipality/{{id}}``. Full
IRIs and QIDs are accepted wherever an id is.

Request bodies (a batch of queries, a data extension) are read into pydantic models; a bad one
is a 400 problem naming the query and the field (``q0: limit must be a non-negative number.``).

Scoring reuses the name index of the lookup service (:mod:`alliance_kg.api.lookup.service`),
shared with ``/municipalities``: an exact name, alias, slug, code or QID scores 100, a name
with its administrative suffix stripped (포항 → 포항시, Pohang-si → Pohang) 95, prefixes 60–80
and substrings 40. A property condition the candidate contradicts takes 50
off, one the graph cannot check takes 10 off. A candidate is a ``match`` only when it scores
95 or more and no other candidate scores as much: the two 고성군 (Gangwon, Gyeongnam) stay two
candidates without a match until a province, code or QID tells them apart.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, TypeVar

from alliance_kg.api.deps import lookup
from alliance_kg.api.http import problems
from alliance_kg.api.lookup import names
from alliance_kg.api.web import render
from fastapi import APIRouter
from pydantic import (
    BaseModel,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
)
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from alliance_kg import __version__, iri, vocabulary

router = APIRouter(prefix="/reconcile", tags=["reconciliation"])

MUNICIPALITY = iri.ID + "municipality/"
LEVEL = iri.ID + "level/"
MAX_QUERIES = 500  # queries in one batch
MAX_LIMIT = 100
MAX_IDS = 500  # ids in one extension request
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_CALLBACK = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$.]{0,63}$")
# The app's CORS middleware answers browsers that send Origin; the protocol wants the header on
# every answer, for clients that fetch without one.
CORS = {"Access-Control-Allow-Origin": "*"}

# --------------------------------------------------------------------------------------------
# Types and properties

LEVEL_WORDS = {
    "구": "autonomous-district",
    "district": "autonomous-district",
    "gu": "autonomous-district",
    "si": "city",
    "gun": "county",
    "do": "province",
}
# Short and romanised names of the upper-level governments, for province conditions only.
REGION_NAMES = {
    "seoul": ("서울", "서울시", "seoul city"),
    "busan": ("부산", "부산시"),
    "daegu": ("대구", "대구시"),
    "incheon": ("인천", "인천시"),
    "gwangju": ("광주", "gwangju metropolitan city"),
    "daejeon": ("대전", "대전시"),
    "ulsan": ("울산", "울산시"),
    "sejong": ("세종", "세종시"),
    "gyeonggi": ("경기", "gyeonggi-do"),
    "gangwon": ("강원", "gangwon-do", "gangwon state"),
    "chungbuk": ("충북", "chungcheongbuk-do", "chungbuk"),
    "chungnam": ("충남", "chungcheongnam-do", "chungnam"),
    "jeonbuk": ("전북", "전라북도", "jeollabuk-do", "jeonbuk"),
    "jeonnam": ("전남", "jeollanam-do", "jeonnam"),
    "gyeongbuk": ("경북", "gyeongsangbuk-do", "gyeongbuk"),
    "gyeongnam": ("경남", "gyeongsangnam-do", "gyeongnam"),
    "jeju-province": ("제주", "제주도", "jeju-do", "jeju special self-governing province"),
}


@dataclass(frozen=True)
class Prop:
    id: str
    ko: str
    en: str
    description: str
    condition: bool = True  # usable in reconciliation queries
    extension: bool = True  # fetchable by data extension


PROPERTIES = [
    Prop("wikidata", "위키데이터", "Wikidata QID", "the Wikidata item (Q42157)"),
    Prop("code", "행정구역 코드", "administrative code", "the 5-digit code (47110)"),
    Prop("level", "행정 단계", "level", "city, county, autonomous district, province ... (시, 군)"),
    Prop("province", "광역 자치단체", "province", "the upper-level government it lies in"),
    Prop("parent", "상위 자치단체", "parent", "the government directly above it"),
    Prop("in", "소재지", "located in", "any government above it (Wikidata P131)", True, False),
    Prop("country", "국가", "country", "ISO 3166-1 alpha-2 code (KR, JP, US)"),
    Prop("coordinates", "좌표", "coordinates", "latitude,longitude", False),
    Prop("lat", "위도", "latitude", "WGS 84 latitude", False),
    Prop("long", "경도", "longitude", "WGS 84 longitude", False),
    Prop(
        "partners",
        "협력 상대",
        "partners",
        "governments it has an agreement or alliance with",
        False,
    ),
    Prop("name_ko", "한국어 이름", "Korean name", "the Korean name", False),
    Prop("name_en", "영어 이름", "English name", "the English name", False),
]
PROPERTY = {p.id: p for p in PROPERTIES}
PID_ALIASES = {"P131": "in", "P17": "country", "P190": "partners", "P625": "coordinates"}


def _type_list() -> list[dict[str, Any]]:
    """Our classes of local government, and the administrative levels as narrower types."""

    def of(name: str) -> dict[str, Any]:
        ko, en = vocabulary.class_label(name)
        return {"id": iri.term(name), "name": f"{en} ({ko})"}

    base = of("LocalGovernment")
    types = [base, {**of("KoreanLocalGovernment"), "broader": [base]}]
    types += [
        {**of(name), "broader": [base]} for name in ("AdministrativeCity", "ForeignLocalGovernment")
    ]
    korean = types[1]
    types += [
        {"id": LEVEL + slug, "name": f"{en} ({ko})", "broader": [korean]}
        for slug, (ko, en) in vocabulary.scheme("level").items()
    ]
    return types


TYPES = _type_list()
TYPE_NAMES = {t["id"]: t["name"] for t in TYPES}


# --------------------------------------------------------------------------------------------
# The index: the REST API's name index, shared with /municipalities


@dataclass
class Catalog:
    """The REST API's name index of every local government, and what reconciliation adds."""

    index: names.NameIndex

    def entry(self, key: str) -> names.Entry | None:
        """The entry an id names: a slug, an IRI, or a QID (only when it names one entry)."""
        key = unicodedata.normalize("NFC", str(key)).strip()
        if key in self.index.by_id:
            return self.index.by_id[key]
        found = self.index.by_slug.get(key) or []
        if not found and iri.QID.match(key.upper()) and key[:1] in "Qq":
            found = self.index.by_qid.get(key.upper(), [])
        return found[0] if len(found) == 1 else None

    def ancestors(self, entry: names.Entry) -> list[names.Entry]:
        chain, seen = [], {entry.id}
        parent = entry.parent
        while parent and parent not in seen and parent in self.index.by_id:
            seen.add(parent)
            chain.append(self.index.by_id[parent])
            parent = self.index.by_id[parent].parent
        return chain

    def province(self, entry: names.Entry) -> names.Entry | None:
        chain = self.ancestors(entry)
        return chain[-1] if chain else None


async def catalog(request: Request) -> Catalog:
    """The catalog over the REST API's current municipality index (rebuilt with the store)."""
    index = await lookup(request).municipalities()
    current: Catalog | None = getattr(request.app.state, "reconcile_catalog", None)
    if current is None or current.index is not index:
        current = Catalog(index)
        request.app.state.reconcile_catalog = current
    return current


def entity_class(entry: names.Entry) -> str:
    """The class of a local government, from what the index knows of it."""
    if entry.level == "administrative-city":
        return iri.term("AdministrativeCity")
    if not entry.level and entry.country and entry.country != "KR":
        return iri.term("ForeignLocalGovernment")
    return iri.term("KoreanLocalGovernment")


# --------------------------------------------------------------------------------------------
# Request bodies: a batch of queries, and a data extension


class EntityValue(BaseModel):
    """An entity as a property value, ``{"id": "pohang", "name": "포항시"}``."""

    id: StrictStr


PropertyValue = StrictStr | StrictInt | StrictFloat | StrictBool | EntityValue


class PropertyCondition(BaseModel):
    """A property a candidate should have: ``{"pid": "province", "v": "경상남도"}``."""

    pid: StrictStr
    v: PropertyValue | list[PropertyValue]

    def values(self) -> list[str]:
        """The values as text (a boolean as ``true``), the empty ones left out."""
        items = self.v if isinstance(self.v, list) else [self.v]
        texts = [
            item.id
            if isinstance(item, EntityValue)
            else str(item).lower()
            if isinstance(item, bool)
            else str(item)
            for item in items
        ]
        return [unicodedata.normalize("NFC", x).strip() for x in texts if x.strip()]


class ReconciliationQuery(BaseModel):
    """One query of a batch; ``{}`` and a blank ``query`` are an empty cell of a column."""

    query: StrictStr = ""
    type: StrictStr | list[StrictStr] | None = None
    limit: float = Field(5, ge=0, strict=True, allow_inf_nan=False)
    properties: list[PropertyCondition] | None = None
    type_strict: StrictStr | None = None  # accepted and not needed: types are never loose


class ExtendedProperty(BaseModel):
    id: StrictStr


class Extension(BaseModel):
    """A data extension request: ``{"ids": ["pohang"], "properties": [{"id": "code"}]}``."""

    ids: list[StrictStr]
    properties: list[ExtendedProperty] = []


# What each field must be, as a 400 says it.
MUST_BE = {
    "query": "a string",
    "type": "a type id or a list of them",
    "limit": "a non-negative number",
    "properties": "a list",
    "pid": "a property id",
    "v": "a string, number, boolean or {id}, or a list of them",
    "type_strict": "a string",
    "ids": "a list of string ids",
    "id": "a string",
}
Body = TypeVar("Body", bound=BaseModel)


def parsed(model: type[Body], name: str, value: Any, kind: problems.ProblemType) -> Body:
    """A request body as its model, or a problem of the given kind naming the wrong field.

    >>> parsed(ReconciliationQuery, "q0", {"query": "포항", "limit": 3}, problems.bad_query).limit
    3.0
    >>> parsed(ReconciliationQuery, "q0", {"query": "포항", "limit": -1}, problems.bad_query)
    Traceback (most recent call last):
    ...
    alliance_kg.api.http.problems.Problem: q0: limit must be a non-negative number.
    >>> parsed(ReconciliationQuery, "q1", {"properties": [{"v": "경남"}]}, problems.bad_query)
    Traceback (most recent call last):
    ...
    alliance_kg.api.http.problems.Problem: q1: properties[0].pid is missing.
    """
    try:
        return model.model_validate(value)
    except ValidationError as e:
        error = e.errors()[0]
    # The location holds field names, list positions and, for a union, the member tried.
    path = field = field_path = ""
    for part in error["loc"]:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in MUST_BE:
            path = f"{path}.{part}" if path else part
            field, field_path = part, path
    if error["type"] == "model_type":
        what = f"{path} must be a JSON object" if path else "must be a JSON object"
    elif error["type"] == "missing":
        what = f"{path} is missing"
    else:
        what = f"{field_path} must be {MUST_BE[field]}"
    raise kind(f"{name}: {what}." if path else f"{name} {what}.")


# --------------------------------------------------------------------------------------------
# Conditions and scoring


def _korean(text: str) -> bool:
    return bool(_HANGUL.search(text))


def display_name(entry: names.Entry, korean: bool = True) -> str:
    first, second = (entry.name_ko, entry.name_en) if korean else (entry.name_en, entry.name_ko)
    return first or second or entry.slug


def describe(cat: Catalog, entry: names.Entry) -> str:
    """A line that tells namesakes apart: 경상남도 고성군 · county · 48820 · Q50208."""
    parts = []
    chain = [a.name_ko or a.slug for a in reversed(cat.ancestors(entry))]
    parts.append(" ".join([*chain, entry.name_ko or ""]).strip() + f" / {entry.name_en or ''}")
    if entry.level:
        parts.append(vocabulary.concept("level", entry.level).en)
    elif entry.country and entry.country != "KR":
        parts.append(entry.country)
    parts += [x for x in (entry.code, entry.wikidata) if x]
    return " · ".join(p for p in parts if p)


def entity_types(entry: names.Entry) -> list[dict[str, str]]:
    cls = entity_class(entry)
    types = [{"id": cls, "name": TYPE_NAMES[cls]}]
    if entry.level:
        types.append({"id": LEVEL + entry.level, "name": TYPE_NAMES.get(LEVEL + entry.level, "")})
    return types


def _type_ids(value: str | list[str] | None) -> set[str]:
    """The known type ids a query asks for (short forms accepted); unknown ones are ignored."""
    wanted = value if isinstance(value, list) else [value] if value else []
    known = set()
    for t in wanted:
        t = t.strip()
        for candidate in (t, iri.term(t), LEVEL + t):
            if candidate in TYPE_NAMES:
                known.add(candidate)
                break
    return known


def _has_type(entry: names.Entry, types: set[str]) -> bool:
    if not types or iri.term("LocalGovernment") in types:
        return True
    cls = entity_class(entry)
    if cls in types:
        return True
    if iri.term("KoreanLocalGovernment") in types and cls == iri.term("AdministrativeCity"):
        return True
    return bool(entry.level) and LEVEL + entry.level in types


def regions(cat: Catalog, value: str) -> list[names.Entry]:
    """The governments a place condition names: 경남, Gyeongsangnam-do, 경상남도, gyeongnam ..."""
    entry = cat.entry(value)
    if entry is not None:
        return [entry]
    form = names.normalize(value)
    for slug, forms in REGION_NAMES.items():
        if form in {names.normalize(f) for f in forms} and slug in cat.index.by_slug:
            return cat.index.by_slug[slug]
    found = cat.index.lookup(value)
    upper = [e for e in found if not e.parent]
    return upper or found


def levels(value: str) -> set[str]:
    form = names.normalize(value)
    if value.startswith(LEVEL):
        return {value[len(LEVEL) :]}
    hits = {
        slug
        for slug, (ko, en) in vocabulary.scheme("level").items()
        if form in (slug, names.normalize(ko), names.normalize(en), names.normalize(slug))
    }
    if form in LEVEL_WORDS:
        hits.add(LEVEL_WORDS[form])
    return hits


def check(cat: Catalog, entry: names.Entry, pid: str, values: list[str]) -> bool | None:
    """Whether the entry meets a condition: True, False, or None when the graph cannot say."""
    if pid == "wikidata":
        if not entry.wikidata:
            return None
        wanted = {v.rsplit("/", 1)[-1].upper() for v in values}
        return entry.wikidata in wanted
    if pid == "code":
        return None if not entry.code else entry.code in values
    if pid == "country":
        country = entry.country or ""
        wanted = {v.upper() for v in values}
        korea = {"KR", "KOR", "Q884", "SOUTH KOREA", "KOREA", "대한민국", "한국"}
        if wanted & korea:
            wanted |= korea
        return None if not country else country.upper() in wanted
    if pid == "level":
        if not entry.level:
            return None
        return any(entry.level in levels(v) for v in values)
    if pid in ("province", "parent", "in"):
        chain = cat.ancestors(entry)
        if pid == "parent":
            chain = chain[:1]
        elif pid == "province":
            chain = chain[-1:] or [entry]
        else:
            chain = chain or [entry]
        if not entry.parent and entry.country not in (None, "KR"):
            return None  # a foreign government: no province in the graph
        ids = {e.id for e in chain}
        return any(r.id in ids for v in values for r in regions(cat, v))
    return None


def split_qualified(cat: Catalog, text: str) -> tuple[str, str] | None:
    """A name qualified by its province, as addresses and spreadsheets write it.

    ``경상남도 고성군``, ``경남 고성군``, ``Goseong-gun, Gangwon``: (name, region) when one end of
    the text names an upper-level government and the rest names a local government.
    """
    parts = [p for p in re.split(r"[\s,]+", text) if p]
    for i in range(1, len(parts)):
        head, tail = " ".join(parts[:i]), " ".join(parts[i:])
        for region, name in ((head, tail), (tail, head)):
            upper = [e for e in regions(cat, region) if not e.parent]
            if upper and any(h.score >= 95 for h in cat.index.search(name, 5)):
                return name, region
    return None


@dataclass
class Candidate:
    entry: names.Entry
    name_score: float
    score: float
    features: list[dict[str, Any]]
    contradicted: bool = False


def reconcile_one(cat: Catalog, q: ReconciliationQuery) -> list[dict[str, Any]]:
    """The ranked candidates of one query, as 0.2 result objects."""
    text = unicodedata.normalize("NFC", q.query).strip()
    limit = min(int(q.limit), MAX_LIMIT)
    types = _type_ids(q.type)
    conditions: list[tuple[str, list[str]]] = []
    for p in q.properties or []:
        pid = PID_ALIASES.get(p.pid, p.pid)
        values = p.values()
        if pid in PROPERTY and PROPERTY[pid].condition and values:
            conditions.append((pid, values))
    if not text and not conditions:
        return []  # an empty cell of a column: nothing to match, and the rest of the batch runs

    pool: dict[str, float] = {}
    if text:
        hits = cat.index.search(text, max(limit * 4, 50))
        qualified = None if hits and hits[0].score >= 95 else split_qualified(cat, text)
        if qualified is not None:  # 경상남도 고성군, 경남 고성군, "Goseong-gun, Gangwon"
            name, region = qualified
            hits = cat.index.search(name, max(limit * 4, 50))
            conditions.append(("in", [region]))
        for hit in hits:
            pool[hit.entry.id] = float(hit.score)
    else:  # properties only: every entry is a candidate, identifiers decide
        for pid, values in conditions:
            if pid == "code":
                for v in values:
                    for e in cat.index.by_code.get(v, []):
                        pool[e.id] = 100.0
            elif pid == "wikidata":
                for v in values:
                    for e in cat.index.by_qid.get(v.rsplit("/", 1)[-1].upper(), []):
                        pool[e.id] = 100.0
        if not pool:
            pool = {e.id: 50.0 for e in cat.index.entries}

    candidates = []
    for entity_id, base in pool.items():
        entry = cat.index.by_id[entity_id]
        if not _has_type(entry, types):
            continue
        score, features = base, [{"id": "name", "value": base}]
        contradicted = False
        for pid, values in conditions:
            ok = check(cat, entry, pid, values)
            features.append({"id": pid, "value": bool(ok)})
            if ok is False:
                score -= 50
                contradicted = True
            elif ok is None:
                score -= 10
        candidates.append(Candidate(entry, base, max(score, 0.0), features, contradicted))
    if not text:
        candidates = [c for c in candidates if not c.contradicted]
    candidates.sort(key=lambda c: (-c.score, -c.name_score, c.entry.slug))
    candidates = candidates[:limit] if limit else candidates
    top = candidates[0] if candidates else None
    unique_top = top is not None and (len(candidates) == 1 or candidates[1].score < top.score)
    korean = _korean(text) if text else True
    results = []
    for c in candidates:
        match = c is top and unique_top and c.score >= 95 and not c.contradicted
        results.append(
            {
                "id": c.entry.slug,
                "name": display_name(c.entry, korean),
                "description": describe(cat, c.entry),
                "score": round(c.score, 2),
                "match": match,
                "type": entity_types(c.entry),
                "features": c.features,
            }
        )
    return results


# --------------------------------------------------------------------------------------------
# Data extension


def _entity_value(entry: names.Entry | None, korean: bool = True) -> list[dict[str, Any]]:
    return [{"id": entry.slug, "name": display_name(entry, korean)}] if entry else []


async def _coordinates(request: Request, entry: names.Entry) -> tuple[float, float] | None:
    detail = await lookup(request).municipality_detail(entry.id)
    if detail.lat is None or detail.long is None:
        return None
    return detail.lat, detail.long


async def _partners(request: Request, cat: Catalog, entry: names.Entry) -> list[names.Entry]:
    """The local governments of the graph an entry has ties with, by Korean name."""
    seen: dict[str, names.Entry] = {}
    for tie in await lookup(request).partners(entry):
        partner = tie.partner.id
        if partner in cat.index.by_id and partner != entry.id:
            seen.setdefault(partner, cat.index.by_id[partner])
    return sorted(seen.values(), key=lambda e: e.name_ko or e.slug)


async def extend(request: Request, cat: Catalog, body: Extension) -> dict[str, Any]:
    if len(body.ids) > MAX_IDS:
        raise problems.too_many_ids(f"At most {MAX_IDS} ids in one request.")
    wanted = []
    for p in body.properties:
        pid = PID_ALIASES.get(p.id, p.id)
        if pid not in PROPERTY or not PROPERTY[pid].extension:
            raise problems.bad_extend(
                f"Unknown property {p.id!r}; see {request.url_for('reconcile_properties')}."
            )
        wanted.append((p.id, pid))
    meta = [{"id": given, "name": PROPERTY[pid].en} for given, pid in wanted]
    rows: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key in body.ids:
        entry = cat.entry(key)
        row: dict[str, list[dict[str, Any]]] = {}
        coords: tuple[float, float] | None = None
        coords_read = False
        for given, pid in wanted:
            values: list[dict[str, Any]] = []
            if entry is None:
                row[given] = values
                continue
            if pid in ("coordinates", "lat", "long"):
                if not coords_read:
                    coords, coords_read = await _coordinates(request, entry), True
                if coords:
                    lat, long = coords
                    values = (
                        [{"str": f"{lat},{long}"}]
                        if pid == "coordinates"
                        else [{"float": lat if pid == "lat" else long}]
                    )
            elif pid == "partners":
                values = [
                    {"id": p.slug, "name": display_name(p)}
                    for p in await _partners(request, cat, entry)
                ]
            elif pid == "province":
                values = _entity_value(cat.province(entry))
            elif pid == "parent":
                parent = cat.index.by_id.get(entry.parent) if entry.parent else None
                values = _entity_value(parent)
            else:
                value = {
                    "wikidata": entry.wikidata,
                    "code": entry.code,
                    "level": entry.level,
                    "country": entry.country,
                    "name_ko": entry.name_ko,
                    "name_en": entry.name_en,
                }[pid]
                values = [{"str": value}] if value else []
            row[given] = values
        rows[key] = row
    return {"meta": meta, "rows": rows}


# --------------------------------------------------------------------------------------------
# Routes


def _service_url(request: Request) -> str:
    return str(request.url_for("reconcile_service")).rstrip("/")


def manifest(request: Request) -> dict[str, Any]:
    service = _service_url(request)
    return {
        "versions": ["0.2"],
        "name": "alliance-kg: South Korean local governments",
        "identifierSpace": MUNICIPALITY,
        "schemaSpace": iri.ONTOLOGY,
        "documentation": "https://w3id.org/alliance-kg/",
        "serviceVersion": __version__,
        "defaultTypes": [
            {"id": TYPES[1]["id"], "name": TYPES[1]["name"]},
            {"id": TYPES[0]["id"], "name": TYPES[0]["name"]},
        ],
        "view": {"url": MUNICIPALITY + "{{id}}"},
        "preview": {"url": service + "/preview?id={{id}}", "width": 420, "height": 190},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/properties"},
            "property_settings": [],
        },
    }


def _json(request: Request, body: Any, params: dict[str, str] | None = None) -> Response:
    """JSON, or JSONP when a GET names a ``callback`` (older OpenRefine clients)."""
    callback = (params or {}).get("callback")
    data = json.dumps(body, ensure_ascii=False)
    if callback and request.method == "GET":
        if not _CALLBACK.match(callback):
            raise problems.bad_callback("callback must be a JavaScript identifier.")
        return Response(
            f"/**/{callback}({data});", media_type="application/javascript", headers=CORS
        )
    return Response(data.encode("utf-8"), media_type="application/json", headers=CORS)


def _parse(field: str, text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as e:
        raise problems.bad_json(f"{field} is not JSON: {e}") from None


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            for key, value in form.items():
                if isinstance(value, str):
                    params[key] = value
        elif content_type == "application/json":  # not in the spec; some scripts send it
            body = _parse("the body", (await request.body()).decode("utf-8", "replace"))
            if isinstance(body, dict) and ("queries" in body or "extend" in body):
                for key in ("queries", "extend"):
                    if key in body:
                        params[key] = json.dumps(body[key])
            else:
                params["queries"] = json.dumps(body)
        elif content_type:
            raise problems.unsupported_media_type(
                f"Send queries as a form (application/x-www-form-urlencoded), not {content_type}."
            )
    return params


@router.api_route("", methods=["GET", "POST"], name="reconcile_service")
async def service(request: Request) -> Response:
    """The manifest; with ``queries`` a batch of queries; with ``extend`` a data extension."""
    params = await _params(request)
    if "queries" in params and "extend" in params:
        raise problems.bad_request("Send queries or extend, not both.")
    if "queries" in params:
        batch = _parse("queries", params["queries"])
        if not isinstance(batch, dict):
            raise problems.bad_query("queries must be a JSON object of queries.")
        if len(batch) > MAX_QUERIES:
            raise problems.too_many_queries(f"At most {MAX_QUERIES} queries in one batch.")
        queries = {
            key: parsed(ReconciliationQuery, str(key), q, problems.bad_query)
            for key, q in batch.items()
        }
        cat = await catalog(request)
        answers = {key: {"result": reconcile_one(cat, q)} for key, q in queries.items()}
        return _json(request, answers, params)
    if "extend" in params:
        body = parsed(Extension, "extend", _parse("extend", params["extend"]), problems.bad_extend)
        cat = await catalog(request)
        return _json(request, await extend(request, cat, body), params)
    return _json(request, manifest(request), params)


def _prefix(request: Request) -> str:
    prefix = request.query_params.get("prefix", "")
    return unicodedata.normalize("NFC", prefix).strip()[: names.MAX_KEY]


def _int(request: Request, name: str, default: int, top: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not re.fullmatch(r"[0-9]{1,6}", value):
        raise problems.bad_request(f"{name} must be a non-negative integer.")
    return min(int(value), top)


@router.get("/suggest/entity", name="reconcile_suggest_entity")
async def suggest_entity(request: Request) -> Response:
    prefix = _prefix(request)
    limit, cursor = _int(request, "limit", 10, MAX_LIMIT), _int(request, "cursor", 0, 10_000)
    types = _type_ids(request.query_params.get("type"))
    cat = await catalog(request)
    hits = [h for h in cat.index.search(prefix, cursor + limit + 50) if _has_type(h.entry, types)]
    korean = _korean(prefix)
    result = [
        {
            "id": h.entry.slug,
            "name": display_name(h.entry, korean),
            "description": describe(cat, h.entry),
            "notable": entity_types(h.entry),
        }
        for h in hits[cursor : cursor + limit]
    ]
    return _json(request, {"result": result}, dict(request.query_params))


def _matches(prefix: str, *texts: str) -> bool:
    form = names.normalize(prefix)
    return not form or any(form in names.normalize(t) for t in texts if t)


@router.get("/suggest/type", name="reconcile_suggest_type")
async def suggest_type(request: Request) -> Response:
    prefix = _prefix(request)
    limit, cursor = _int(request, "limit", 20, MAX_LIMIT), _int(request, "cursor", 0, 10_000)
    result = [t for t in TYPES if _matches(prefix, t["id"].rsplit("/", 1)[-1], t["name"])]
    return _json(request, {"result": result[cursor : cursor + limit]}, dict(request.query_params))


@router.get("/suggest/property", name="reconcile_suggest_property")
async def suggest_property(request: Request) -> Response:
    prefix = _prefix(request)
    limit, cursor = _int(request, "limit", 20, MAX_LIMIT), _int(request, "cursor", 0, 10_000)
    result = [
        {"id": p.id, "name": f"{p.en} ({p.ko})", "description": p.description}
        for p in PROPERTIES
        if _matches(prefix, p.id, p.ko, p.en)
    ]
    return _json(request, {"result": result[cursor : cursor + limit]}, dict(request.query_params))


@router.get("/properties", name="reconcile_properties")
async def propose_properties(request: Request) -> Response:
    """The properties data extension can fetch (the same for every type of ours)."""
    type_id = request.query_params.get("type", "")
    limit = _int(request, "limit", len(PROPERTIES), MAX_LIMIT)
    props = [
        {"id": p.id, "name": f"{p.en} ({p.ko})", "description": p.description}
        for p in PROPERTIES
        if p.extension
    ]
    return _json(
        request,
        {"type": type_id, "limit": limit, "properties": props[:limit]},
        dict(request.query_params),
    )


@router.get("/preview", name="reconcile_preview", response_class=HTMLResponse)
async def preview(request: Request) -> Response:
    """A small HTML card of one entity, for OpenRefine's preview pop-up."""
    key = request.query_params.get("id", "")
    if not key:
        raise problems.bad_request("Give the entity as ?id=.")
    cat = await catalog(request)
    entry = cat.entry(key)
    if entry is None:
        raise problems.not_found(f"No local government with the id {key!r}.")
    province = cat.province(entry)
    coords = await _coordinates(request, entry)
    partners = await _partners(request, cat, entry)
    level = vocabulary.concept("level", entry.level) if entry.level else None
    body = render.render(
        "reconcile-preview.html",
        entry=entry,
        title=display_name(entry),
        level=level,
        province=province,
        coordinates=coords,
        partners=partners,
    )
    return HTMLResponse(body, headers=CORS)
