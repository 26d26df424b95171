"""The one Jinja2 environment of the web pages (templates in ``api/web/templates/``, every value
escaped) and :func:`page`, which renders a page in the shared layout.

The templates share a few globals: ``t(ko, en)`` for text in both languages (CSS shows the one
chosen), ``name(ko, en)`` for a name that may be the same in both, ``href(iri)`` for the local
path of an entity, ``slug_of``, ``kind_label``, ``concept`` and ``class_label`` for the
ontology's names of things (:mod:`alliance_kg.vocabulary`), and the filter ``number``
(``1,234``).

>>> str(t("홈", "<Home>"))
'<span class="ko" lang="ko">홈</span><span class="en" lang="en">&lt;Home&gt;</span>'
>>> str(name("Seoul", None)), href(iri.entity("municipality", "pohang"))
('Seoul', '/id/municipality/pohang')
"""

from __future__ import annotations

from pathlib import Path

from alliance_kg.api.http import problems
from alliance_kg.api.lookup.names import slug_of
from alliance_kg.api.web import drawing
from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from alliance_kg import dataset, iri, vocabulary

TEMPLATES = Path(__file__).parent / "templates"

NAV = [
    ("/", "홈", "Home"),
    ("/network", "전국 연결망", "Network"),
    ("/coverage", "자료 현황", "Coverage"),
    ("/sparql", "질의", "Query"),
    ("/docs", "API 문서", "API docs"),
    ("/cookbook", "쿡북", "Cookbook"),
    ("/dumps/", "내려받기", "Downloads"),
]


def href(entity_iri: str) -> str:
    """The local path of an entity of the graph; other IRIs as they are."""
    return "/" + entity_iri[len(iri.BASE) :] if entity_iri.startswith(iri.ID) else entity_iri


def number(value: int) -> str:
    return f"{value:,}"


def lang_of(request: Request) -> str:
    """The page language asked for by ``?lang=`` (Korean by default); a bad value is a 400."""
    values = request.query_params.getlist("lang")
    if not values:
        return "ko"
    if len(values) > 1 or values[0] not in ("ko", "en"):
        raise problems.bad_parameter("lang is ko or en, given once.")
    return values[0]


ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=StrictUndefined,
)
# t() and name() are macros of _lang.html, so that their markup lives in a template too.
LANG = ENV.get_template("_lang.html").module
t, name = LANG.t, LANG.name  # type: ignore[attr-defined]
ENV.globals.update(
    t=t,
    name=name,
    href=href,
    slug_of=slug_of,
    nav=NAV,
    attribution=dataset.ATTRIBUTION,
    tie_kinds=drawing.KIND_COLOURS,
    colour=drawing.colour,
    kind_label=drawing.kind_label,
    concept=vocabulary.concept,
    class_label=vocabulary.class_label,
)
ENV.filters["number"] = number
# tojson (the query page's examples) keeps Korean readable; it still escapes <, >, & and '.
ENV.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": False}


def render(template: str, **context: object) -> str:
    return ENV.get_template(template).render(**context)


def page(
    request: Request,
    template: str,
    title: tuple[str, str],
    *,
    current: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: object,
) -> HTMLResponse:
    """A page of the site: ``template`` (which extends base.html) with the layout's header,
    navigation, language switch and footer; ``current`` is the navigation entry it belongs to."""
    body = render(template, lang=lang_of(request), title=title, current=current, **context)
    return HTMLResponse(body, status_code=status, headers=headers)
