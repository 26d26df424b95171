"""The national network: every tie between two South Korean local governments, on a page
(``/network``: a map and a table, ``?kind=`` repeatable, ``?from=`` and ``?to=`` years) and as
exports with the same filters (``/exports/network.graphml``, ``/exports/network.csv``,
``/exports/network-nodes.csv``) for networkx and Gephi."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass
from typing import Annotated, Any, NamedTuple
from urllib.parse import urlencode
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from alliance_kg.api.deps import PROBLEMS, lookup
from alliance_kg.api.http import problems
from alliance_kg.api.lookup.names import slug_of
from alliance_kg.api.lookup.service import Lookup, v
from alliance_kg.api.web import drawing, render
from alliance_kg.api.web.drawing import KIND_COLOURS
from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import HTMLResponse, Response

router = APIRouter()


@dataclass
class Network:
    places: dict[str, drawing.Place]
    edges: list[dict[str, Any]]
    info: dict[str, dict[str, Any]]


YEAR = Annotated[int | None, Query(ge=1000, le=2999, description="a year, e.g. 2016")]
KIND_DOC = "tie kinds to keep (repeatable): " + ", ".join(KIND_COLOURS)


def check_kinds(kinds: list[str] | None) -> list[str]:
    kinds = kinds or []
    bad = [k for k in kinds if k not in KIND_COLOURS]
    if bad:
        raise problems.bad_parameter(
            f"Unknown tie kind {bad[0][:50]!r}; kinds are {', '.join(KIND_COLOURS)}."
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
                render.href(m),
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
    pairs = [("kind", k) for k in kinds]
    if start is not None:
        pairs.append(("from", str(start)))
    if end is not None:
        pairs.append(("to", str(end)))
    return ("?" + urlencode(pairs)) if pairs else ""


class Filters(NamedTuple):
    """The tie kinds and the years the network page and its exports keep."""

    kinds: list[str]
    start: int | None
    end: int | None


def filters(
    kind: Annotated[list[str] | None, Query(max_length=50, description=KIND_DOC)] = None,
    start: Annotated[int | None, Query(alias="from", ge=1000, le=2999)] = None,
    end: Annotated[int | None, Query(alias="to", ge=1000, le=2999)] = None,
) -> Filters:
    return Filters(check_kinds(kind), start, end)


ChosenFilters = Annotated[Filters, Depends(filters)]


@router.get("/network", tags=["pages"], response_class=HTMLResponse, responses=PROBLEMS)
async def network_page(request: Request, chosen: ChosenFilters) -> Response:
    """Every tie between South Korean local governments on a map and in a table, filterable by
    kind and by the year the tie began; links to the GraphML and CSV exports."""
    # Without a choice, the page shows the agreements: alliances tie every two of their
    # members, and with all of them the map is a hairball. The exports keep every kind.
    kinds = chosen.kinds or [
        k for k in KIND_COLOURS if k not in ("alliance-member", "union-member")
    ]
    start, end = chosen.start, chosen.end
    net = await network(lookup(request), kinds, start, end)
    edges = [drawing.Edge(e["a"], e["b"], e["kind"], e["since"]) for e in net.edges]
    return render.page(
        request,
        "network.html",
        ("전국 연결망", "National network"),
        current="/network",
        kinds=kinds,
        start=start,
        end=end,
        query=filter_query(kinds, start, end),
        net=net,
        picture=drawing.korea_map(net.places, edges, css_id="network-map", label_all=False),
        unmapped=sorted(
            (p for p in net.places.values() if p.lat is None), key=lambda p: p.name_ko or ""
        ),
    )


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
async def export_graphml(request: Request, chosen: ChosenFilters) -> Response:
    """The national network as GraphML (``networkx.read_graphml``, Gephi, yEd): nodes are
    local governments by slug with names, level, code and coordinates; edges carry kind, date,
    year and the tie's IRI (query ``national-ties``)."""
    net = await network(lookup(request), *chosen)
    return _export(graphml(net), "application/graphml+xml", "network.graphml")


@router.get("/exports/network.csv", tags=["exports"], responses=PROBLEMS)
async def export_csv(request: Request, chosen: ChosenFilters) -> Response:
    """The national network as a CSV edge list (Gephi's Source, Target, Type, Id, Label, then
    kind, since, year, until, tie, label); nodes are slugs (see ``network-nodes.csv``)."""
    net = await network(lookup(request), *chosen)
    return _export(edges_csv(net), "text/csv; charset=utf-8", "network.csv")


@router.get("/exports/network-nodes.csv", tags=["exports"], responses=PROBLEMS)
async def export_nodes_csv(request: Request, chosen: ChosenFilters) -> Response:
    """The nodes of the national network as CSV (Gephi's Id and Label, then names, level, code,
    parent, IRI and coordinates)."""
    net = await network(lookup(request), *chosen)
    return _export(nodes_csv(net), "text/csv; charset=utf-8", "network-nodes.csv")
