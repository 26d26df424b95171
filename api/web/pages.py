"""The web pages for people: home (search, headline figures), the national network with its
exports, and the rich HTML of municipality and alliance pages (``/id/...``, rendered here for
:mod:`alliance_kg.api.routes.entities`). Every page is Korean first with an English switch
(``?lang=ko|en``,
remembered in ``localStorage``), shares one template (header, navigation, language switch, the
data licence and attribution in the footer) and works without JavaScript; the script only adds
search suggestions and the switch. Pictures are SVG drawn here (:mod:`alliance_kg.api.web.drawing`).

Routes: ``/`` (home; ``?q=`` lists matches), ``/network`` (``?kind=``, repeatable, ``?from=`` and
``?to=`` years), ``/exports/network.graphml``, ``/exports/network.csv`` and
``/exports/network-nodes.csv`` (same filters), ``/assets/site.css``, ``/assets/site.js``.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from alliance_kg.api import models
from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http.problems import Problem
from alliance_kg.api.lookup.names import MAX_KEY, slug_of
from alliance_kg.api.lookup.service import Lookup, check_key, v
from alliance_kg.api.web import drawing
from alliance_kg.api.web.drawing import KINDS, esc
from fastapi import APIRouter, Query, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from alliance_kg import dataset, iri, vocabulary

router = APIRouter()
STATIC = Path(__file__).parent / "static"

STATUSES = {"special-case-city": ("특례시", "Special case city")}
UNIT_KINDS = {"council": ("협의회", "Council"), "office": ("사무국", "Office")}


def t(ko: str, en: str) -> str:
    """Text in both languages (escaped); CSS shows the one chosen."""
    return f'<span class="ko" lang="ko">{esc(ko)}</span><span class="en" lang="en">{esc(en)}</span>'


def name(ko: str | None, en: str | None) -> str:
    ko, en = ko or en or "", en or ko or ""
    return esc(ko) if ko == en else t(ko, en)


def href(entity_iri: str) -> str:
    return "/" + entity_iri[len(iri.BASE) :] if entity_iri.startswith(iri.ID) else entity_iri


def a(target: str, inner_html: str) -> str:
    return f'<a href="{esc(href(target))}">{inner_html}</a>'


def lang_of(request: Request) -> str:
    values = request.query_params.getlist("lang")
    if not values:
        return "ko"
    if len(values) > 1 or values[0] not in ("ko", "en"):
        raise Problem(400, "lang is ko or en, given once.", slug="bad-parameter")
    return values[0]


# --------------------------------------------------------------------------------------------
# The shared template


NAV = [
    ("/", "홈", "Home"),
    ("/network", "전국 연결망", "Network"),
    ("/coverage", "자료 현황", "Coverage"),
    ("/sparql", "질의", "Query"),
    ("/docs", "API 문서", "API docs"),
    ("/cookbook", "쿡북", "Cookbook"),
    ("/dumps/", "내려받기", "Downloads"),
]

FOOTER = (
    '<footer class="site"><p>'
    + t("데이터", "Data")
    + ': <a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a> · '
    + t("코드", "Code")
    + ': <a href="https://opensource.org/license/mit">MIT</a></p><p>'
    + t("출처", "Sources")
    + ": "
    + "; ".join(f'<a href="{esc(url)}">{esc(title)}</a>' for title, url in dataset.ATTRIBUTION)
    + "; "
    + t("각 기록이 인용한 언론 보도와 웹 문서", "the news articles and web pages each record cites")
    + ' (<a href="/sources">'
    + t("출처 목록", "all sources")
    + "</a>). "
    + t(
        "지도: Natural Earth(퍼블릭 도메인), npm 패키지 world-atlas.",
        "Map: Natural Earth (public domain), via the npm package world-atlas.",
    )
    + "</p></footer>"
)

EARLY_SCRIPT = (
    "<script>(function(){var d=document.documentElement,l=null;"
    "try{var p=new URLSearchParams(location.search).get('lang');"
    "if(p==='ko'||p==='en'){l=p;localStorage.setItem('lang',p);}"
    "else{l=localStorage.getItem('lang');}}catch(e){}"
    "if(l!=='ko'&&l!=='en'){l=d.getAttribute('data-lang');}"
    "d.setAttribute('data-lang',l);d.lang=l;})();</script>"
)


def layout(
    request: Request,
    title: tuple[str, str],
    body: str,
    *,
    current: str = "",
    head: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = lang_of(request)
    nav = "".join(
        f'<a href="{path}"{" aria-current=page" if path == current else ""}>{t(ko, en)}</a>'
        for path, ko, en in NAV
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}" data-lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title[0])} · {esc(title[1])} — alliance-kg</title>"
        '<link rel="stylesheet" href="/assets/site.css">'
        f"{EARLY_SCRIPT}{head}</head><body>"
        '<header class="site"><a class="brand" href="/">alliance-kg</a>'
        f'<nav aria-label="main">{nav}</nav>'
        '<button id="lang-switch" type="button" aria-label="언어 · Language">'
        '<span class="ko" lang="en">English</span><span class="en" lang="ko">한국어</span>'
        "</button></header>"
        f'<main id="main">{body}</main>{FOOTER}'
        '<script src="/assets/site.js" defer></script></body></html>'
    )
    return HTMLResponse(page, status_code=status, headers=headers)


@router.get("/assets/site.css", include_in_schema=False)
async def site_css() -> Response:
    return FileResponse(STATIC / "site.css", media_type="text/css; charset=utf-8")


@router.get("/assets/site.js", include_in_schema=False)
async def site_js() -> Response:
    return FileResponse(STATIC / "site.js", media_type="text/javascript; charset=utf-8")


# --------------------------------------------------------------------------------------------
# Home


FIGURES = [
    ("local-governments", "지방자치단체", "local governments"),
    ("alliances", "동맹", "alliances"),
    ("special-local-governments", "특별지방자치단체", "special local governments"),
    ("foreign-local-governments", "해외 지방정부", "foreign local governments"),
    ("sources", "출처", "sources"),
]


@router.get("/", tags=["pages"], response_class=HTMLResponse, responses=PROBLEMS)
async def home(
    request: Request,
    q: Annotated[str | None, Query(max_length=MAX_KEY, description="a name to look up")] = None,
) -> Response:
    """The home page: search by Korean or English name, headline figures, where to go next."""
    state = lookup(request)
    figures, index = await asyncio.gather(state.rows("headline-figures"), state.municipalities())
    by: dict[str, int] = {}
    agreements: dict[str, int] = {}
    for r in figures:
        if v(r, "figure") == "agreements":
            agreements[v(r, "kind") or ""] = int(v(r, "count") or 0)
        else:
            by[v(r, "figure") or ""] = int(v(r, "count") or 0)
    results = ""
    if q is not None and q.strip():
        hits = index.search(check_key(q), limit=20)
        items = "".join(
            f"<li>{a(h.entry.id, name(h.entry.name_ko, h.entry.name_en))}"
            f' <small class="muted">{esc(h.entry.code or "")}</small></li>'
            for h in hits
        )
        results = (
            f'<section id="results"><h2>{t("검색 결과", "Results")}: “{esc(q)}”</h2>'
            + (f'<ul class="results">{items}</ul>' if hits else f"<p>{t('없음', 'None')}</p>")
            + "</section>"
        )
    cards = [
        f'<div class="figure" data-figure="{key}"><b>{by.get(key, 0):,}</b>{t(ko, en)}</div>'
        for key, ko, en in FIGURES[:1]
    ]
    total = sum(agreements.values())
    cards.append(
        f'<div class="figure" data-figure="agreements"><b>{total:,}</b>'
        + t("협약", "agreements")
        + '<ul class="kinds">'
        + "".join(
            f'<li><span class="swatch" style="background:{c}"></span>'
            f"{t(ko, en)} {agreements[k]:,}</li>"
            for k, (c, ko, en) in KINDS.items()
            if k in agreements
        )
        + "</ul></div>"
    )
    cards += [
        f'<div class="figure" data-figure="{key}"><b>{by.get(key, 0):,}</b>{t(ko, en)}</div>'
        for key, ko, en in FIGURES[1:]
    ]
    body = (
        '<section class="hero"><h1>'
        + t("한국 지방정부 연결망", "How Korea's local governments tie themselves together")
        + '</h1><p class="lead">'
        + t(
            "자매결연·우호도시 협약, 해오름동맹 같은 지역 동맹, 특별지방자치단체, 그리고 그 모든 "
            "사실의 출처. SPARQL, REST, 내려받기로 쓸 수 있는 지식 그래프입니다.",
            "Sister-city and friendship agreements, regional alliances such as the Haeoreum "
            "Alliance, special local governments, and the source of every fact: a knowledge "
            "graph to query with SPARQL and REST, or to download.",
        )
        + "</p>"
        '<form class="search" action="/" method="get" role="search" autocomplete="off">'
        f'<label for="search">{t("지방자치단체 찾기", "Find a local government")}</label>'
        '<div class="search-row"><input id="search" name="q" type="search" '
        f'value="{esc(q or "")}" maxlength="{MAX_KEY}" placeholder="포항, Pohang, 용인특례시 …" '
        'aria-autocomplete="list" aria-controls="suggestions">'
        f'<button type="submit">{t("찾기", "Search")}</button></div>'
        '<ul id="suggestions" class="suggestions" role="listbox" hidden></ul></form>'
        f"{results}</section>"
        f"<section><h2>{t('한눈에', 'At a glance')}</h2>"
        f'<div class="figures">{"".join(cards)}</div></section>'
        f"<section><h2>{t('이런 질문에 답합니다', 'Questions it answers')}</h2>"
        '<ul class="examples">'
        f'<li><a href="/id/municipality/pohang">'
        + t("포항시는 어느 도시와 자매결연·우호 협약을 맺었나?", "Which cities is Pohang tied to?")
        + '</a></li><li><a href="/id/organization/haeoreum-alliance">'
        + t(
            "해오름동맹은 언제 출범했고 무엇을 선언했나?",
            "When did the Haeoreum Alliance start, and what has it declared?",
        )
        + '</a></li><li><a href="/network?kind=sister-city">'
        + t("전국의 자매결연 관계망은?", "What does the national sister-city network look like?")
        + '</a></li><li><a href="/id/municipality/yongin">'
        + t("용인특례시의 교류 도시는?", "Who are Yongin's partners?")
        + "</a></li></ul></section>"
        f'<section><h2>{t("더 보기", "Go further")}</h2><ul class="go">'
        f'<li><a href="/network">{t("전국 연결망", "National network")}</a> — '
        + t(
            "모든 관계, 종류·연도로 거르기, GraphML·CSV",
            "every tie, by kind and year; GraphML, CSV",
        )
        + f'</li><li><a href="/sparql">{t("SPARQL 질의", "SPARQL query page")}</a> — '
        + t("예제 질의가 준비된 편집기", "an editor with example queries")
        + f'</li><li><a href="/docs">{t("API 문서", "API docs")}</a> — REST: '
        + t("이름·코드·QID로 조회", "look up by name, code or QID")
        + f'</li><li><a href="/cookbook">{t("쿡북", "Cookbook")}</a> — '
        + t("연구 질문별 예제", "worked examples for research questions")
        + f'</li><li><a href="/dumps/">{t("내려받기", "Downloads")}</a> — '
        + t("전체 데이터(인용 가능)", "the whole dataset, citable")
        + "</li></ul></section>"
    )
    return layout(
        request, ("한국 지방정부 연결망", "Korean local government ties"), body, current="/"
    )


# --------------------------------------------------------------------------------------------
# The national network and its exports


@dataclass
class Network:
    places: dict[str, drawing.Place]
    edges: list[dict[str, Any]]
    info: dict[str, dict[str, Any]]


YEAR = Annotated[int | None, Query(ge=1000, le=2999, description="a year, e.g. 2016")]
KIND_DOC = "tie kinds to keep (repeatable): " + ", ".join(KINDS)


def check_kinds(kinds: list[str] | None) -> list[str]:
    kinds = kinds or []
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise Problem(
            400,
            f"Unknown tie kind {bad[0][:50]!r}; kinds are {', '.join(KINDS)}.",
            slug="bad-parameter",
        )
    return kinds


async def network(state: Lookup, kinds: list[str], start: int | None, end: int | None) -> Network:
    """The ties between South Korean local governments (query ``national-ties``), filtered."""
    rows, coords, index = await asyncio.gather(
        state.rows("national-ties"), state.rows("municipality-coordinates"), state.municipalities()
    )
    where = {v(r, "municipality"): (v(r, "lat"), v(r, "long")) for r in coords}
    edges = []
    for r in rows:
        kind = v(r, "kind") or ""
        since = v(r, "since")
        y = int(since[:4]) if since and since[:4].isdigit() else None
        if kinds and kind not in kinds:
            continue
        if (start is not None or end is not None) and y is None:
            continue
        if (start is not None and y < start) or (end is not None and y > end):  # type: ignore[operator]
            continue
        edges.append(
            {
                "a": v(r, "a") or "",
                "b": v(r, "b") or "",
                "kind": kind,
                "since": since,
                "year": y,
                "until": v(r, "until"),
                "tie": v(r, "tie") or "",
                "label": v(r, "tieEn"),
            }
        )
    # Sorted here, not by the query: engines order dates of mixed precision differently.
    edges.sort(key=lambda e: (e["since"] or "", e["a"], e["b"], e["tie"]))
    places: dict[str, drawing.Place] = {}
    info: dict[str, dict[str, Any]] = {}
    for e in edges:
        for m in (e["a"], e["b"]):
            if m in places:
                continue
            entry = index.get(m)
            lat, long = where.get(m, (None, None))
            places[m] = drawing.Place(
                m,
                entry.name_ko if entry else None,
                entry.name_en if entry else slug_of(m),
                href(m),
                float(lat) if lat else None,
                float(long) if long else None,
            )
            info[m] = {
                "level": entry.level if entry else None,
                "code": entry.code if entry else None,
                "parent": entry.parent if entry else None,
            }
    return Network(places, edges, info)


def filter_query(kinds: list[str], start: int | None, end: int | None) -> str:
    from urllib.parse import urlencode

    pairs = [("kind", k) for k in kinds]
    if start is not None:
        pairs.append(("from", str(start)))
    if end is not None:
        pairs.append(("to", str(end)))
    return ("?" + urlencode(pairs)) if pairs else ""


@router.get("/network", tags=["pages"], response_class=HTMLResponse, responses=PROBLEMS)
async def network_page(
    request: Request,
    kind: Annotated[list[str] | None, Query(max_length=50, description=KIND_DOC)] = None,
    start: Annotated[int | None, Query(alias="from", ge=1000, le=2999)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1000, le=2999)] = None,
) -> Response:
    """Every tie between South Korean local governments on a map and in a table, filterable by
    kind and by the year the tie began; links to the GraphML and CSV exports."""
    # Without a choice, the page shows the agreements: alliances tie every two of their
    # members, and with all of them the map is a hairball. The exports keep every kind.
    kinds = check_kinds(kind) or [k for k in KINDS if k not in ("alliance-member", "union-member")]
    net = await network(lookup(request), kinds, start, end)
    qs = filter_query(kinds, start, end)
    checks = "".join(
        f'<label class="check"><input type="checkbox" name="kind" value="{k}"'
        f"{' checked' if k in kinds else ''}>"
        f'<span class="swatch" style="background:{c}"></span>{t(ko, en)}</label>'
        for k, (c, ko, en) in KINDS.items()
    )
    edges = [drawing.Edge(e["a"], e["b"], e["kind"], e["since"]) for e in net.edges]
    rows = "".join(
        "<tr>"
        f"<td>{a(e['a'], name(net.places[e['a']].name_ko, net.places[e['a']].name_en))}</td>"
        f"<td>{a(e['b'], name(net.places[e['b']].name_ko, net.places[e['b']].name_en))}</td>"
        f'<td><span class="swatch" style="background:{drawing.colour(e["kind"])}"></span>'
        f"{name(*KINDS.get(e['kind'], ('', e['kind'], e['kind']))[1:])}</td>"
        f"<td class='date'>{esc(e['since'] or '')}"
        f"{(' – ' + esc(e['until'])) if e['until'] else ''}</td>"
        f"<td>{a(e['tie'], esc(e['label'] or slug_of(e['tie'])))}</td></tr>"
        for e in net.edges
    )
    unmapped = sorted(
        (p for p in net.places.values() if p.lat is None),
        key=lambda p: p.name_ko or "",
    )
    body = (
        f"<h1>{t('전국 연결망', 'The national network')}</h1><p class='lead'>"
        + t(
            "국내 지방자치단체 사이의 모든 관계: 협약은 두 단체를 잇고, 동맹과 특별지방자치단체는 "
            "회원 둘씩을 잇습니다(나중에 가입한 날부터).",
            "Every tie between two South Korean local governments: an agreement ties its two "
            "parties; an alliance or special local government ties each two of its members "
            "(from the day the later one joined).",
        )
        + "</p>"
        '<form class="filters" method="get" action="/network">'
        f"<fieldset><legend>{t('종류', 'Kind')}</legend>{checks}</fieldset>"
        f"<fieldset><legend>{t('시작 연도', 'Year the tie began')}</legend>"
        f'<label>{t("부터", "from")} <input type="number" name="from" min="1000" max="2999" '
        f'value="{start if start is not None else ""}" inputmode="numeric"></label> '
        f'<label>{t("까지", "to")} <input type="number" name="to" min="1000" max="2999" '
        f'value="{end if end is not None else ""}" inputmode="numeric"></label>'
        '<small class="muted">'
        + t(
            "연도를 정하면 날짜 미상인 관계는 빠집니다.",
            "With a year set, ties of unknown date are left out.",
        )
        + "</small>"
        f'</fieldset><button type="submit">{t("적용", "Apply")}</button> '
        f'<a href="/network">{t("초기화", "Reset")}</a></form>'
        f'<p id="summary"><b>{len(net.edges)}</b> {t("개 관계", "ties")} · '
        f"<b>{len(net.places)}</b> {t('개 지방자치단체', 'local governments')}</p>"
        '<p class="exports">'
        + t("내보내기", "Export")
        + f': <a id="export-graphml" href="/exports/network.graphml{esc(qs)}">GraphML</a>'
        f' · <a id="export-csv" href="/exports/network.csv{esc(qs)}">'
        + t("CSV 간선 목록", "CSV edge list")
        + f'</a> · <a href="/exports/network-nodes.csv{esc(qs)}">'
        + t("CSV 노드 목록", "CSV node list")
        + "</a> <small class='muted'>(networkx, Gephi)</small></p>"
        + drawing.legend(e["kind"] for e in net.edges)
        + '<div class="picture">'
        + drawing.korea_map(net.places, edges, css_id="network-map", label_all=False)
        + "</div>"
        + (
            "<p class='muted'>"
            + t("지도에 없는 곳(좌표 미상)", "Not on the map (no coordinates)")
            + ": "
            + ", ".join(a(p.id, name(p.name_ko, p.name_en)) for p in unmapped)
            + "</p>"
            if unmapped
            else ""
        )
        + f"<h2>{t('관계 목록', 'All ties')}</h2>"
        # Hundreds of rows: folded, so that the map and the filters stay in view.
        f'<details id="tie-list"><summary>{len(net.edges):,} '
        + t("개 관계 보기", "ties: show the table")
        + "</summary>"
        '<div class="table-wrap"><table id="ties" class="stack"><thead><tr>'
        f"<th>{t('지방자치단체', 'Local government')}</th>"
        f"<th>{t('지방자치단체', 'Local government')}</th><th>{t('종류', 'Kind')}</th>"
        f"<th>{t('날짜', 'Date')}</th><th>{t('협약·동맹', 'Agreement or alliance')}</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></div></details>"
    )
    return layout(request, ("전국 연결망", "National network"), body, current="/network")


def _node_rows(net: Network) -> list[dict[str, Any]]:
    out = []
    for m, p in sorted(net.places.items()):
        info = net.info[m]
        out.append(
            {
                "id": slug_of(m),
                "iri": m,
                "name_ko": p.name_ko or "",
                "name_en": p.name_en or "",
                "level": info["level"] or "",
                "code": info["code"] or "",
                "parent": slug_of(info["parent"]) if info["parent"] else "",
                "lat": p.lat,
                "lon": p.long,
            }
        )
    return out


NODE_KEYS = [
    ("name_ko", "string"),
    ("name_en", "string"),
    ("level", "string"),
    ("code", "string"),
    ("parent", "string"),
    ("iri", "string"),
    ("lat", "double"),
    ("lon", "double"),
]
EDGE_KEYS = [
    ("kind", "string"),
    ("since", "string"),
    ("year", "int"),
    ("until", "string"),
    ("tie", "string"),
    ("label", "string"),
]


def graphml(net: Network) -> str:
    """GraphML (undirected; parallel edges when two cities have several ties)."""
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
        'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
        "<!-- alliance-kg national network of South Korean local governments. "
        "Data CC BY 4.0 (alliance-kg, with the sources each record cites). -->\n"
    ]
    for k, ty in NODE_KEYS:
        out.append(f'<key id="{k}" for="node" attr.name="{k}" attr.type="{ty}"/>\n')
    for k, ty in EDGE_KEYS:
        out.append(f'<key id="e_{k}" for="edge" attr.name="{k}" attr.type="{ty}"/>\n')
    out.append('<graph id="alliance-kg" edgedefault="undirected">\n')
    for n in _node_rows(net):
        data = "".join(
            f'<data key="{k}">{xml_escape(str(n[k]))}</data>'
            for k, _ in NODE_KEYS
            if n[k] not in (None, "")
        )
        out.append(f"<node id={quoteattr(n['id'])}>{data}</node>\n")
    for i, e in enumerate(net.edges):
        data = "".join(
            f'<data key="e_{k}">{xml_escape(str(e[k]))}</data>'
            for k, _ in EDGE_KEYS
            if e.get(k) not in (None, "")
        )
        out.append(
            f'<edge id="e{i}" source={quoteattr(slug_of(e["a"]))} '
            f"target={quoteattr(slug_of(e['b']))}>{data}</edge>\n"
        )
    out.append("</graph>\n</graphml>\n")
    return "".join(out)


def edges_csv(net: Network) -> str:
    """Gephi's edge list columns (Source, Target, Type, Id, Label) and the tie's attributes."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Source", "Target", "Type", "Id", "Label", *[k for k, _ in EDGE_KEYS]])
    for i, e in enumerate(net.edges):
        w.writerow(
            [
                slug_of(e["a"]),
                slug_of(e["b"]),
                "Undirected",
                f"e{i}",
                e["label"] or "",
                *["" if e.get(k) is None else e[k] for k, _ in EDGE_KEYS],
            ]
        )
    return buf.getvalue()


def nodes_csv(net: Network) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["Id", "Label", *[k for k, _ in NODE_KEYS]])
    for n in _node_rows(net):
        w.writerow([n["id"], n["name_en"], *["" if n[k] is None else n[k] for k, _ in NODE_KEYS]])
    return buf.getvalue()


def _export(body: str, media_type: str, filename: str) -> Response:
    return Response(
        body.encode("utf-8"),
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get("/exports/network.graphml", tags=["exports"], responses=PROBLEMS)
async def export_graphml(
    request: Request,
    kind: Annotated[list[str] | None, Query(max_length=50, description=KIND_DOC)] = None,
    start: Annotated[int | None, Query(alias="from", ge=1000, le=2999)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1000, le=2999)] = None,
) -> Response:
    """The national network as GraphML (``networkx.read_graphml``, Gephi, yEd): nodes are
    local governments by slug with names, level, code and coordinates; edges carry kind, date,
    year and the tie's IRI (query ``national-ties``)."""
    net = await network(lookup(request), check_kinds(kind), start, end)
    return _export(graphml(net), "application/graphml+xml", "network.graphml")


@router.get("/exports/network.csv", tags=["exports"], responses=PROBLEMS)
async def export_csv(
    request: Request,
    kind: Annotated[list[str] | None, Query(max_length=50, description=KIND_DOC)] = None,
    start: Annotated[int | None, Query(alias="from", ge=1000, le=2999)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1000, le=2999)] = None,
) -> Response:
    """The national network as a CSV edge list (Gephi's Source, Target, Type, Id, Label, then
    kind, since, year, until, tie, label); nodes are slugs (see ``network-nodes.csv``)."""
    net = await network(lookup(request), check_kinds(kind), start, end)
    return _export(edges_csv(net), "text/csv; charset=utf-8", "network.csv")


@router.get("/exports/network-nodes.csv", tags=["exports"], responses=PROBLEMS)
async def export_nodes_csv(
    request: Request,
    kind: Annotated[list[str] | None, Query(max_length=50, description=KIND_DOC)] = None,
    start: Annotated[int | None, Query(alias="from", ge=1000, le=2999)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1000, le=2999)] = None,
) -> Response:
    """The nodes of the national network as CSV (Gephi's Id and Label, then names, level, code,
    parent, IRI and coordinates)."""
    net = await network(lookup(request), check_kinds(kind), start, end)
    return _export(nodes_csv(net), "text/csv; charset=utf-8", "network-nodes.csv")


# --------------------------------------------------------------------------------------------
# Entity pages (alliance_kg.api.routes.entities renders its HTML with these)


def format_links(subject: str) -> str:
    return (
        f'<p class="iri"><code>{esc(subject)}</code> · '
        + " · ".join(
            f'<a href="?format={f}">{label}</a>'
            for f, label in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))
        )
        + "</p>"
    )


def sources_list(rows: list[dict]) -> str:
    if not rows:
        return f"<p>{t('없음', 'None')}</p>"
    items = "".join(
        f"<li>{a(v(r, 'source') or '', esc(v(r, 'title') or slug_of(v(r, 'source') or '')))}"
        + (f" — {esc(v(r, 'publisher'))}" if v(r, "publisher") else "")
        + (f", {esc(v(r, 'date'))}" if v(r, "date") else "")
        + (
            f' (<a href="{esc(v(r, "url"))}" rel="external">{t("원문", "original")}</a>)'
            if v(r, "url")
            else ""
        )
        + "</li>"
        for r in rows
    )
    return f'<ul class="sources">{items}</ul>'


def facts(rows: list[tuple[str, str, str]]) -> str:
    return (
        '<dl class="facts">'
        + "".join(f"<dt>{t(ko, en)}</dt><dd>{value}</dd>" for ko, en, value in rows if value)
        + "</dl>"
    )


def when(since: str | None, until: str | None = None) -> str:
    if not since and not until:
        return ""
    return esc(since or "?") + (f" – {esc(until)}" if until else "")


async def municipality_page(
    request: Request, subject: str, sources: list[dict], statements: str, headers: dict
) -> HTMLResponse:
    state = lookup(request)
    detail, index, coords = await asyncio.gather(
        state.municipality_detail(subject),
        state.municipalities(),
        state.rows("municipality-coordinates"),
    )
    entry = index.get(subject)
    assert entry is not None
    partners: list[models.Partner] = await state.partners(entry)
    where = {v(r, "municipality"): (v(r, "lat"), v(r, "long")) for r in coords}

    def place(m: models.Municipality) -> drawing.Place:
        lat, long = where.get(m.id, (None, None))
        return drawing.Place(
            m.id,
            m.name_ko,
            m.name_en,
            href(m.id),
            float(lat) if lat else None,
            float(long) if long else None,
        )

    me = place(detail)
    parent = index.get(detail.parent) if detail.parent else None
    ko, en = vocabulary.concept("level", detail.level or "")
    level = (ko, en[:1].upper() + en[1:])
    rows = [
        ("한국어 이름", "Korean name", esc(detail.name_ko or "")),
        ("영어 이름", "English name", esc(detail.name_en or "")),
        ("다른 이름", "Also known as", esc(", ".join(detail.aliases))),
        ("종류", "Level", name(*level) if detail.level else ""),
        (
            "상급 자치단체",
            "Upper level",
            a(parent.id, name(parent.name_ko, parent.name_en)) if parent else "",
        ),
        ("행정구역 코드", "Administrative code", esc(detail.code or "")),
        (
            "Wikidata",
            "Wikidata",
            f'<a href="https://www.wikidata.org/wiki/{esc(detail.wikidata)}">'
            f"{esc(detail.wikidata)}</a>"
            if detail.wikidata
            else "",
        ),
        (
            "좌표",
            "Coordinates",
            f"{detail.lat}, {detail.long}" if detail.lat is not None else "",
        ),
        (
            "지위",
            "Status",
            "<br>".join(
                name(*STATUSES.get(s.status, (s.status, s.status)))
                + (f" ({t('부터', 'since')} {esc(s.since)})" if s.since else "")
                for s in detail.statuses
            ),
        ),
        (
            "소속",
            "Member of",
            "<br>".join(
                a(m.organization.id, name(m.organization.name_ko, m.organization.name_en))
                + (f" ({when(m.since, m.until)})" if m.since or m.until else "")
                for m in detail.memberships
            ),
        ),
        (
            "산업",
            "Industries",
            ", ".join(
                a(i.id, name(i.name_ko, i.name_en))
                for i in {i.id: i for i in detail.industries}.values()
            ),
        ),
    ]
    ties = [
        drawing.Tie(place(p.partner), p.kind, p.since, foreign=(p.partner.country or "KR") != "KR")
        for p in partners
    ]
    places = {me.id: me} | {x.partner.id: x.partner for x in ties}
    edges = [drawing.Edge(me.id, x.partner.id, x.kind, x.since) for x in ties]
    off_map = sorted(
        {
            x.partner.id: x.partner
            for x in ties
            if x.partner.lat is None
            or x.partner.long is None
            or not drawing.KOREA.inside(x.partner.long, x.partner.lat)
        }.values(),
        key=lambda p: p.name_en or "",
    )
    table = "".join(
        f'<tr data-partner="{esc(p.partner.slug)}">'
        f"<td>{a(p.partner.id, name(p.partner.name_ko, p.partner.name_en))}"
        + (
            f" <small class='muted'>{esc(p.partner.country)}</small>"
            if p.partner.country not in (None, "KR")
            else ""
        )
        + '</td><td class="kind">'
        f'<span class="swatch" style="background:{drawing.colour(p.kind)}"></span>'
        f"{name(*KINDS.get(p.kind, ('', p.kind, p.kind))[1:])}</td>"
        f'<td class="date">{when(p.since, p.until)}'
        + (f" <small class='muted'>{t('종료', 'ended')}</small>" if p.ended else "")
        + "</td>"
        f"<td>{a(p.agreement or p.alliance or '', esc(p.label or ''))}</td>"
        f"<td>{'<br>'.join(a(s.id, esc(s.title or slug_of(s.id))) for s in p.sources)}</td></tr>"
        for p in partners
    )
    title = (detail.name_ko or detail.slug, detail.name_en or detail.slug)
    body = (
        f"<h1>{name(*title)}</h1>"
        f'<p class="sub">{esc(" · ".join(x for x in (*title, detail.code) if x))}</p>'
        + format_links(subject)
        + f"<section><h2>{t('기본 정보', 'Facts')}</h2>{facts(rows)}"
        + f"<h3>{t('이 기록의 출처', 'Sources of this record')}</h3>"
        + f"{sources_list(sources)}</section>"
        + f'<section id="partners"><h2>{t("교류 도시", "Partners")} '
        f'<small class="muted">({len({p.partner.id for p in partners})})</small></h2>'
    )
    if partners:
        body += (
            drawing.legend(p.kind for p in partners)
            + '<div class="pictures"><figure class="picture">'
            + drawing.partner_network(me, ties)
            + "<figcaption>"
            + t(
                "교류 관계망: 선 색은 종류, 숫자는 시작 연도",
                "Partner network: colour is the kind of tie, the number the year it began",
            )
            + "</figcaption>"
            "</figure><figure class='picture'>"
            + drawing.korea_map(places, edges, centre=me.id, css_id="map")
            + f"<figcaption>{t('교류 도시의 위치', 'Where the partners are')}"
            + (
                f" · {t('지도 밖', 'Not on the map')}: "
                + ", ".join(a(p.id, name(p.name_ko, p.name_en)) for p in off_map)
                if off_map
                else ""
            )
            + "</figcaption></figure></div>"
            '<div class="table-wrap"><table id="partner-table" class="stack"><thead><tr>'
            f"<th>{t('상대', 'Partner')}</th><th>{t('종류', 'Kind')}</th>"
            f"<th>{t('날짜', 'Date')}</th><th>{t('협약·동맹', 'Agreement or alliance')}</th>"
            f"<th>{t('출처', 'Sources')}</th></tr></thead><tbody>{table}</tbody></table></div>"
        )
    else:
        body += f"<p>{t('알려진 교류 도시가 없습니다.', 'No partners are known.')}</p>"
    body += (
        "</section><details><summary>"
        + t("모든 진술", "All statements")
        + f"</summary>{statements}</details>"
    )
    return layout(request, title, body, headers=headers, head=_alternates())


def _alternates() -> str:
    return (
        '<link rel="alternate" type="text/turtle" href="?format=turtle">'
        '<link rel="alternate" type="application/ld+json" href="?format=jsonld">'
    )


async def alliance_page(
    request: Request, subject: str, statements: str, headers: dict
) -> HTMLResponse:
    state = lookup(request)
    detail, coords, sources = await asyncio.gather(
        state.alliance_detail(subject),
        state.rows("municipality-coordinates"),
        state.rows("entity-sources", entity=subject),
    )
    al = detail.alliance
    where = {v(r, "municipality"): (v(r, "lat"), v(r, "long")) for r in coords}
    kind = (
        ("동맹", "Alliance")
        if al.kind == "alliance"
        else ("특별지방자치단체", "Special local government")
    )
    rows = [
        ("종류", "Kind", t(*kind)),
        ("한국어 이름", "Korean name", esc(al.name_ko or "")),
        ("영어 이름", "English name", esc(al.name_en or "")),
        ("다른 이름", "Also known as", esc(", ".join(al.aliases))),
        ("출범", "Founded", esc(al.founded or "")),
        ("해산", "Dissolved", esc(al.dissolved or "")),
        (
            "Wikidata",
            "Wikidata",
            f'<a href="https://www.wikidata.org/wiki/{esc(al.wikidata)}">{esc(al.wikidata)}</a>'
            if al.wikidata
            else "",
        ),
    ]
    spans = [
        drawing.Span(m.member.name_ko, m.member.name_en, href(m.member.id), m.since, m.until)
        for m in detail.members
    ]
    members = "".join(
        f"<tr><td>{a(m.member.id, name(m.member.name_ko, m.member.name_en))}</td>"
        f"<td>{esc(m.since or '')}</td><td>{esc(m.until or '')}</td></tr>"
        for m in detail.members
    )
    places = {}
    for m in detail.members:
        lat, long = where.get(m.member.id, (None, None))
        places[m.member.id] = drawing.Place(
            m.member.id,
            m.member.name_ko,
            m.member.name_en,
            href(m.member.id),
            float(lat) if lat else None,
            float(long) if long else None,
        )
    ids = list(places)
    member_kind = "alliance-member" if al.kind == "alliance" else "union-member"
    edges = [drawing.Edge(x, y, member_kind) for i, x in enumerate(ids) for y in ids[i + 1 :]]
    units = "".join(
        f"<tr><td>{a(u.id, name(u.name_ko, u.name_en))}</td>"
        f"<td>{name(*UNIT_KINDS.get(u.kind, (u.kind, u.kind)))}</td>"
        f"<td>{esc(u.founded or '')}</td>"
        f"<td>{a(u.seat, esc(slug_of(u.seat))) if u.seat else ''}</td>"
        f"<td>{esc(u.staff or '')}</td></tr>"
        for u in detail.units
    )
    meetings = "".join(
        f"<li><b>{esc(m.date or '')}</b> {a(m.id, name(m.name_ko, m.name_en))}"
        + (
            "<ul>" + "".join(f"<li>{esc(o)}</li>" for o in m.outcomes) + "</ul>"
            if m.outcomes
            else ""
        )
        + "</li>"
        for m in sorted(detail.meetings, key=lambda m: m.date or "")
    )
    declarations = "".join(
        f"<li><b>{esc(d.date or '')}</b> {a(d.id, name(d.name_ko, d.name_en))}"
        + (
            "<ol>"
            + "".join(
                f"<li>{name(c.text_ko, c.text_en)}</li>"
                for c in sorted(d.commitments, key=lambda c: c.position)
            )
            + "</ol>"
            if d.commitments
            else ""
        )
        + "</li>"
        for d in detail.declarations
    )
    legislation = "".join(
        f"<li>{a(x.id, name(x.name_ko, x.name_en))}"
        + (f" <small class='muted'>{esc(x.status)}</small>" if x.status else "")
        + "</li>"
        for x in detail.legislation
    )
    none = f"<p>{t('없음', 'None')}</p>"
    title = (al.name_ko or al.slug, al.name_en or al.slug)
    body = (
        f"<h1>{name(*title)}</h1>"
        f'<p class="sub">{esc(" · ".join(x for x in (al.name_ko, al.name_en) if x))}</p>'
        + format_links(subject)
        + f"<section><h2>{t('기본 정보', 'Facts')}</h2>{facts(rows)}</section>"
        + f'<section id="members"><h2>{t("회원", "Members")}</h2>'
        + '<figure class="picture timeline">'
        + drawing.timeline(spans, dt.date.today().isoformat())
        + f"<figcaption>{t('가입과 탈퇴', 'Joined and left')}</figcaption></figure>"
        + '<figure class="picture small-map">'
        + drawing.korea_map(places, edges, css_id="map")
        + f"<figcaption>{t('회원의 위치', 'Where the members are')}</figcaption></figure>"
        + '<div class="table-wrap"><table><thead><tr>'
        f"<th>{t('회원', 'Member')}</th><th>{t('가입', 'Joined')}</th><th>{t('탈퇴', 'Left')}</th>"
        f"</tr></thead><tbody>{members}</tbody></table></div></section>"
        + f"<section><h2>{t('협의회와 사무국', 'Councils and offices')}</h2>"
        + (
            '<div class="table-wrap"><table><thead><tr>'
            f"<th>{t('이름', 'Name')}</th><th>{t('종류', 'Kind')}</th>"
            f"<th>{t('설립', 'Founded')}</th><th>{t('소재', 'Seat')}</th>"
            f"<th>{t('인원', 'Staff')}</th></tr></thead><tbody>{units}</tbody></table></div>"
            if units
            else none
        )
        + "</section>"
        + f"<section><h2>{t('회의', 'Meetings')}</h2>"
        + (f'<ul class="events">{meetings}</ul>' if meetings else none)
        + "</section>"
        + f"<section><h2>{t('선언', 'Declarations')}</h2>"
        + (f'<ul class="events">{declarations}</ul>' if declarations else none)
        + "</section>"
        + f"<section><h2>{t('입법', 'Legislation')}</h2>"
        + (f"<ul>{legislation}</ul>" if legislation else none)
        + "</section>"
        + f"<section><h2>{t('출처', 'Sources')}</h2>{sources_list(sources)}</section>"
        + "<details><summary>"
        + t("모든 진술", "All statements")
        + f"</summary>{statements}</details>"
    )
    return layout(request, title, body, headers=headers, head=_alternates())


def generic_page(
    request: Request,
    subject: str,
    title: str,
    sections: list[tuple[str, str, str]],
    headers: dict,
) -> HTMLResponse:
    """Any other entity: its statements, parts, links and sources in the shared template."""
    body = f"<h1>{esc(title)}</h1>" + format_links(subject)
    for ko, en, inner in sections:
        body += f"<section><h2>{t(ko, en)}</h2>{inner}</section>"
    return layout(request, (title, title), body, headers=headers, head=_alternates())
