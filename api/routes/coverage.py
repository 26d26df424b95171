"""``/coverage``: how complete the graph is, per local government and nationally, beside the 2018
figures (:mod:`alliance_kg.coverage` does the counting). HTML for people; ``?format=json`` or
``csv`` (or ``Accept``) for the same table as data."""

from __future__ import annotations

import json
from collections import Counter

from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.lookup.service import v
from alliance_kg.api.web.drawing import KINDS, esc
from alliance_kg.api.web.pages import a, layout, name, t
from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from alliance_kg import coverage, vocabulary

router = APIRouter()

OFFERS = [Offer("text/html"), Offer("application/json"), Offer("text/csv")]


@router.get(
    "/coverage",
    tags=["pages"],
    response_class=HTMLResponse,
    responses={
        **PROBLEMS,
        200: {"content": {"application/json": {}, "text/csv": {}}},
        406: PROBLEMS[400],
    },
)
async def coverage_page(request: Request) -> Response:
    """The completeness report: per local government its ties by kind, foreign and domestic, the
    sources, the latest dated tie and whether its own partner-city page was found; national
    totals beside the 2018 figures. ``?format=json`` or ``csv`` gives the table as data."""
    offer = choose_or_406(
        OFFERS, request.headers.get("accept"), format_parameter(request.query_params.multi_items())
    )
    state = lookup(request)
    rows = await state.rows("coverage")
    report = coverage.aggregate([{k: v(row, k) for k in row} for row in rows])
    if offer.media_type == "application/json":
        body = json.dumps(coverage.as_json(report), ensure_ascii=False)
        return Response(body, media_type="application/json")
    if offer.media_type == "text/csv":
        return Response(
            coverage.as_csv(report),
            media_type=content_type("text/csv"),
            headers={"Content-Disposition": 'attachment; filename="coverage.csv"'},
        )
    return layout(request, ("자료 현황", "Coverage"), _body(report), current="/coverage")


def _body(report: coverage.Coverage) -> str:
    totals = report.totals
    total_rows = "".join(
        f"<tr><th scope=row>{t(ko, en)}</th><td class=num>{totals[key]:,}</td>"
        f"<td class=num>{_reference(key)}</td></tr>"
        for key, ko, en in coverage.TOTALS
    )
    kind_rows = "".join(
        f"<tr><th scope=row>{name(*KINDS[kind][1:])}</th>"
        f"<td class=num>{report.by_kind['international'].get(kind, 0):,}</td>"
        f"<td class=num>{report.by_kind['domestic'].get(kind, 0):,}</td></tr>"
        for kind in coverage.KINDS
    )
    names = {g.id: (g.name_ko, g.name_en) for g in report.governments}
    return (
        f"<h1>{t('자료 현황', 'Coverage')}</h1><p class='lead'>"
        + t(
            "이 그래프가 지방자치단체마다 얼마나 많은 관계를 담고 있는지, 어디가 부족한지. "
            "2018년 수치는 시도지사협의회 국제교류 현황 분석(2019)의 전국 합계입니다.",
            "How many ties the graph holds for each local government, and where it is thin. "
            "The 2018 column gives the national totals of the Governors Association of Korea's "
            "exchange figures (analysed in 2019).",
        )
        + f' <a href="{esc(coverage.REFERENCE_2018["source"])}">'
        + t("출처", "Source")
        + "</a></p>"
        + '<p class="exports">'
        + t("내려받기", "Download")
        + ': <a href="/coverage?format=csv">CSV</a> · <a href="/coverage?format=json">JSON</a></p>'
        + f"<h2>{t('전국 합계', 'National totals')}</h2>"
        + '<div class="table-wrap"><table id="totals"><thead><tr>'
        + f"<th></th><th>{t('이 그래프', 'Here')}</th><th>2018</th></tr></thead>"
        + f"<tbody>{total_rows}</tbody></table></div>"
        + f"<h2>{t('종류별 관계', 'Ties by kind')}</h2>"
        + '<div class="table-wrap"><table id="kinds"><thead><tr><th></th>'
        + f"<th>{t('국제', 'International')}</th><th>{t('국내', 'Domestic')}</th></tr></thead>"
        + f"<tbody>{kind_rows}</tbody></table></div>"
        + f"<h2>{t('시·도별', 'By province')}</h2>"
        + _provinces(report, names)
        + f"<h2>{t('지방자치단체별', 'By local government')}</h2>"
        + _governments(report, names)
    )


def _reference(key: str) -> str:
    value = coverage.REFERENCE_2018.get(key)
    return f"{value:,}" if isinstance(value, int) else ""


def _province_of(g: coverage.Government) -> str:
    return g.parent or g.id


def _provinces(report: coverage.Coverage, names: dict[str, tuple[str, str]]) -> str:
    counts: dict[str, Counter] = {}
    for g in report.governments:
        if not g.autonomous:
            continue
        c = counts.setdefault(_province_of(g), Counter())
        c["governments"] += 1
        c["with-ties"] += bool(g.ties)
        c["pages"] += bool(g.page)
        c["ties"] += g.ties
    rows = "".join(
        f"<tr><td>{a(p, name(*names.get(p, (p, p))))}</td>"
        f"<td class=num>{c['governments']}</td><td class=num>{c['with-ties']}</td>"
        f"<td class=num>{c['pages']}</td><td class=num>{c['ties']:,}</td></tr>"
        for p, c in sorted(counts.items(), key=lambda item: names.get(item[0], ("",))[0])
    )
    return (
        '<div class="table-wrap"><table id="provinces"><thead><tr>'
        f"<th>{t('시·도', 'Province')}</th><th>{t('자치단체', 'Governments')}</th>"
        f"<th>{t('관계 있음', 'With ties')}</th><th>{t('안내 페이지', 'Partner page')}</th>"
        f"<th>{t('관계', 'Ties')}</th></tr></thead><tbody>{rows}</tbody></table></div>"
    )


def _governments(report: coverage.Coverage, names: dict[str, tuple[str, str]]) -> str:
    def row(g: coverage.Government) -> str:
        level = vocabulary.concept("level", g.level)
        page = (
            f'<a href="{esc(g.page)}" rel="nofollow">{t("있음", "found")}</a>'
            if g.page
            else f'<span class="muted">{t("못 찾음", "not found")}</span>'
        )
        kinds = "".join(f"<td class=num>{g.by_kind.get(k, 0)}</td>" for k in coverage.KINDS)
        province = names.get(g.parent, ("", "")) if g.parent else ("", "")
        return (
            f"<tr{' class=thin' if not g.ties else ''}>"
            f"<td>{a(g.id, name(g.name_ko, g.name_en))}</td><td>{name(*province)}</td>"
            f"<td>{name(*level)}</td><td class=num><b>{g.ties}</b></td>"
            f"<td class=num>{g.foreign}</td><td class=num>{g.domestic}</td>{kinds}"
            f"<td class=num>{g.ended}</td><td class=num>{len(g.sources)}</td>"
            f"<td class=date>{esc(g.latest or '')}</td><td>{page}</td></tr>"
        )

    heads = "".join(f"<th>{name(*KINDS[k][1:])}</th>" for k in coverage.KINDS)
    return (
        '<div class="table-wrap"><table id="governments" class="stack"><thead><tr>'
        f"<th>{t('지방자치단체', 'Local government')}</th><th>{t('시·도', 'Province')}</th>"
        f"<th>{t('계층', 'Level')}</th><th>{t('관계', 'Ties')}</th>"
        f"<th>{t('국제', 'Foreign')}</th><th>{t('국내', 'Domestic')}</th>{heads}"
        f"<th>{t('종료', 'Ended')}</th><th>{t('출처', 'Sources')}</th>"
        f"<th>{t('최근 체결', 'Latest')}</th><th>{t('안내 페이지', 'Partner page')}</th>"
        f"</tr></thead><tbody>{''.join(row(g) for g in report.governments)}</tbody></table></div>"
    )
