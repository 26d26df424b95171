"""The HTML of ``/coverage`` (routed by :mod:`alliance_kg.api.routes.coverage`, which also answers
JSON and CSV): national totals beside the 2018 figures, ties by kind, and per province and per
local government how many ties the graph holds."""

from __future__ import annotations

from collections import Counter

from alliance_kg.api.web import render
from fastapi import Request
from starlette.responses import HTMLResponse

from alliance_kg import coverage
from alliance_kg.vocabulary import concept


def page(request: Request, report: coverage.Coverage) -> HTMLResponse:
    names = {g.id: (g.name_ko, g.name_en) for g in report.governments}
    return render.page(
        request,
        "coverage.html",
        ("자료 현황", "Coverage"),
        current="/coverage",
        report=report,
        source=coverage.REFERENCE_2018["source"],
        totals=[(ko, en, report.totals[key], reference(key)) for key, ko, en in coverage.TOTALS],
        kinds=coverage.KINDS,
        provinces=provinces(report, names),
        governments=[
            (
                g,
                names.get(g.parent, ("", "")) if g.parent else ("", ""),
                concept("level", g.level).capitalized(),
            )
            for g in report.governments
        ],
    )


def reference(key: str) -> str:
    value = coverage.REFERENCE_2018.get(key)
    return f"{value:,}" if isinstance(value, int) else ""


def provinces(
    report: coverage.Coverage, names: dict[str, tuple[str, str]]
) -> list[tuple[str, tuple[str, str], Counter]]:
    """Per province (a government without a parent is its own), its autonomous governments,
    how many have ties or a partner page, and their ties; in Korean name order."""
    counts: dict[str, Counter] = {}
    for g in report.governments:
        if not g.autonomous:
            continue
        c = counts.setdefault(g.parent or g.id, Counter())
        c["governments"] += 1
        c["with-ties"] += bool(g.ties)
        c["pages"] += bool(g.page)
        c["ties"] += g.ties
    return [
        (p, names.get(p, (p, p)), c)
        for p, c in sorted(counts.items(), key=lambda item: names.get(item[0], ("",))[0])
    ]
