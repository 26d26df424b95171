"""Publishing: ``/cookbook``, ``/.well-known/void`` and ``/dumps/``.

- ``/cookbook``: docs/cookbook.md as HTML (markdown-it-py, CommonMark with tables; raw HTML in
  the document is escaped), in the site's layout.
- ``/.well-known/void``: the VoID and DCAT description of the dataset
  (:func:`alliance_kg.dataset.void_triples`), Turtle by default, or JSON-LD, N-Triples or RDF/XML
  by ``Accept`` or ``?format=`` (:mod:`alliance_kg.api.http.negotiation`).
- ``/dumps/``: the index of the dump files (HTML or JSON) with their sizes and SHA-256, the data
  version and the code version; ``/dumps/<file>`` the files, ``/dumps/SHA256SUMS`` the sums.

The dumps are written once per store build, from the live store, under
``<store>.dumps/<build>/`` (:func:`alliance_kg.dataset.current_release`) in a worker thread, so
the event loop never waits on them; ``alliance-kg export --dumps DIR`` writes the same bytes.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pyoxigraph as ox
from alliance_kg.api.http import problems
from alliance_kg.api.http.negotiation import Offer, choose_or_406, content_type, format_parameter
from alliance_kg.api.web import render
from fastapi import APIRouter, Request
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from alliance_kg import cookbook, dataset
from alliance_kg import store as stores

router = APIRouter()

VOID_OFFERS = [
    Offer("text/turtle", aliases=("application/x-turtle",), value=ox.RdfFormat.TURTLE),
    Offer("application/ld+json", aliases=("application/json",), value=ox.RdfFormat.JSON_LD),
    Offer("application/n-triples", aliases=("text/plain",), value=ox.RdfFormat.N_TRIPLES),
    Offer("application/rdf+xml", value=ox.RdfFormat.RDF_XML),
]
INDEX_OFFERS = [Offer("text/html", aliases=("application/xhtml+xml",)), Offer("application/json")]


async def release(request: Request) -> tuple[dataset.Release, Path]:
    """The release of the live store build (dumps written on the first call per build)."""
    location = request.app.state.settings.store
    if location is None:
        raise problems.plain(404, "This server publishes no store (it runs on a scratch store).")
    try:
        return await asyncio.to_thread(dataset.current_release, Path(location))
    except stores.StoreMissing as e:
        raise problems.store_unavailable(str(e)) from None


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


# --------------------------------------------------------------------------------------------
# /cookbook

_cookbook_cache: dict[tuple[Path, float], Markup] = {}
_QUERY_LINK = re.compile(r"^(?:\.\./)?queries/([a-z0-9-]+)\.rq$")
MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable("table")


def _cookbook_link(href: str) -> str | None:
    if m := _QUERY_LINK.match(href):
        return f"/queries/{m[1]}"
    if href.startswith(("http://", "https://", "#", "/")):
        return href
    return None  # a file of the repository that the server does not serve


def slug(text: str) -> str:
    """An id for a heading, as GitHub makes them (lower case, spaces to hyphens).

    >>> slug("1. Which cities have the most sister cities?")
    '1-which-cities-have-the-most-sister-cities'
    """
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def _links(children: list[Token]) -> list[Token]:
    """Inline tokens with each link pointed where the server serves it, or unlinked (its text
    kept) when the server does not serve its target."""
    out: list[Token] = []
    dropped = 0  # open links being dropped; links do not nest
    for token in children:
        if token.type == "link_open":
            target = _cookbook_link(str(token.attrGet("href") or ""))
            if target is None:
                dropped += 1
                continue
            token.attrSet("href", target)
        elif token.type == "link_close" and dropped:
            dropped -= 1
            continue
        out.append(token)
    return out


def markdown_html(text: str) -> Markup:
    """The cookbook as HTML: headings with ids, links rewritten by :func:`_cookbook_link`, and
    right-aligned table cells marked ``class="num"`` (the stylesheet aligns them).

    >>> doc = "## A *b* <i>\\n\\n| n |\\n| ---: |\\n| 2 |\\n\\n[x](x.md) [q](queries/a.rq)"
    >>> print(markdown_html(doc))
    <h2 id="a-b-i">A <em>b</em> &lt;i&gt;</h2>
    <table>
    <thead>
    <tr>
    <th class="num">n</th>
    </tr>
    </thead>
    <tbody>
    <tr>
    <td class="num">2</td>
    </tr>
    </tbody>
    </table>
    <p>x <a href="/queries/a">q</a></p>
    <BLANKLINE>
    """
    tokens = MARKDOWN.parse(text)
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            token.attrSet("id", slug(tokens[i + 1].content))
        elif token.type in ("th_open", "td_open") and token.attrGet("style") == "text-align:right":
            token.attrs.pop("style")
            token.attrSet("class", "num")
        elif token.type == "inline" and token.children:
            token.children = _links(token.children)
    # markdown-it escapes every text and attribute it writes, and html=False escapes raw HTML.
    return Markup(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


@router.get("/cookbook", tags=["publishing"], response_class=HTMLResponse)
async def cookbook_page(request: Request) -> HTMLResponse:
    """The cookbook: research questions answered with SPARQL, each with its answer."""
    path = cookbook.DOCUMENT
    try:
        key = (path, path.stat().st_mtime)
    except FileNotFoundError:
        raise problems.plain(404, "docs/cookbook.md is missing.") from None
    if key not in _cookbook_cache:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
        _cookbook_cache.clear()
        _cookbook_cache[key] = markdown_html(text)
    return render.page(
        request,
        "cookbook.html",
        ("쿡북", "Cookbook"),
        current="/cookbook",
        document=_cookbook_cache[key],
    )


# --------------------------------------------------------------------------------------------
# /.well-known/void


@router.api_route(
    "/.well-known/void",
    methods=["GET", "HEAD"],
    tags=["publishing"],
    responses={
        200: {
            "content": {o.media_type: {} for o in VOID_OFFERS},
            "description": "VoID and DCAT description: Turtle (default), JSON-LD, N-Triples or "
            "RDF/XML, by Accept or ?format=turtle|jsonld|nt|rdfxml.",
        }
    },
)
async def void(request: Request) -> Response:
    """The VoID and DCAT description of the dataset: title, license, sources, versions, the
    SPARQL endpoint, the dumps with their sizes and checksums, statistics and the Wikidata
    link set."""
    offer = choose_or_406(
        VOID_OFFERS,
        request.headers.get("accept"),
        format_parameter(request.query_params.multi_items()),
    )
    rel, _ = await release(request)
    triples = dataset.void_triples(rel, base_url(request))
    if offer.value in (ox.RdfFormat.TURTLE, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):
        body = ox.serialize(triples, format=offer.value, prefixes=dataset.VOID_NS)
    else:
        body = ox.serialize(triples, format=offer.value)
    return Response(
        body,
        media_type=content_type(offer.media_type),
        headers={"Vary": "Accept", "Link": f'<{dataset.DATASET}>; rel="describes"'},
    )


# --------------------------------------------------------------------------------------------
# /dumps/


def _index_json(rel: dataset.Release, base: str) -> dict:
    return {
        "dataset": dataset.DATASET,
        "data_version": rel.data_version,
        "reference_date": rel.reference_date,
        "content_hash": rel.content_hash,
        "code_version": rel.code_version,
        "license": dataset.DATA_LICENSE,
        "attribution": dataset.ATTRIBUTION_TEXT,
        "void": f"{base}/.well-known/void",
        "sparql_endpoint": f"{base}/sparql",
        "triples": rel.statistics.triples,
        "quads": rel.statistics.quads,
        "files": [
            {
                "name": f.name,
                "url": f"{base}/dumps/{f.name}",
                "media_type": f.media_type,
                "compressed": "gzip" if f.compressed else None,
                "size": f.size,
                "sha256": f.sha256,
            }
            for f in rel.files
        ],
    }


def _index_html(request: Request, rel: dataset.Release) -> HTMLResponse:
    return render.page(
        request,
        "dumps.html",
        ("내려받기", "Downloads"),
        current="/dumps/",
        headers={"Vary": "Accept"},
        release=rel,
    )


@router.api_route("/dumps/", methods=["GET", "HEAD"], tags=["publishing"])
async def dumps_index(request: Request) -> Response:
    """The dump files of the current data version with their sizes and SHA-256 (HTML, or JSON
    by Accept or ?format=json), and the data and code versions."""
    offer = choose_or_406(
        INDEX_OFFERS,
        request.headers.get("accept"),
        format_parameter(request.query_params.multi_items()),
    )
    rel, _ = await release(request)
    if offer.media_type == "application/json":
        return JSONResponse(_index_json(rel, base_url(request)), headers={"Vary": "Accept"})
    return _index_html(request, rel)


@router.api_route("/dumps/{name}", methods=["GET", "HEAD"], tags=["publishing"])
async def dump_file(request: Request, name: str) -> Response:
    """A dump file (``alliance-kg-<data version>.nq.gz``, ``.trig``, ``.ttl``) or SHA256SUMS."""
    rel, directory = await release(request)
    if name == "SHA256SUMS":
        sums = "".join(f"{f.sha256}  {f.name}\n" for f in rel.files)
        return Response(sums, media_type="text/plain; charset=utf-8")
    for f in rel.files:
        if f.name == name:
            return FileResponse(
                directory / f.name,
                media_type=f.content_type,
                filename=f.name,
                headers={"ETag": f'"{f.sha256}"', "Cache-Control": "public, max-age=86400"},
            )
    known = ", ".join(f.name for f in rel.files)
    raise problems.not_found(f"No dump {name!r}; this data version has {known}.")
