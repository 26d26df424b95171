"""Server-side SVG for the web pages: the outline of Korea, maps of ties, a partner network
picture and a membership timeline. Every picture is a string of SVG with a ``viewBox``, scaled by
CSS to the width of the page; every text in it is escaped, so the pictures are :class:`Markup` that
templates insert as they are. Names of tie kinds come from :mod:`alliance_kg.vocabulary`.

The outline comes from Natural Earth's 1:10m Admin 0 countries (public domain), as redistributed
in TopoJSON by the npm package ``world-atlas`` (ISC), installed into ``node_modules/`` by
``npm ci`` and read here once. Without it the maps still draw, without the coastline.

>>> p = Projection()
>>> x, y = p(127.0, 37.5)
>>> 0 < x < p.width and 0 < y < p.height
True
>>> round(p(126.0, 36.0)[1] - p(126.0, 37.0)[1])
100
>>> arc_points([[0, 0], [2, 3], [1, -1]], {"scale": [1, 1], "translate": [10, 20]})
[(10, 20), (12, 23), (13, 22)]
"""

from __future__ import annotations

import html
import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup

from alliance_kg import paths, vocabulary

WORLD_ATLAS = paths.ROOT / "node_modules" / "world-atlas" / "countries-10m.json"
# ISO 3166-1 numeric ids in the atlas: South Korea, North Korea, Japan, China.
SOUTH_KOREA, CONTEXT = "410", ("408", "392", "156")

# The colour of each kind of tie, in the order of the legend and the filters; their names come
# from the ontology (kind_label).
KIND_COLOURS: dict[str, str] = {
    "sister-city": "#1f6fb2",
    "friendship-city": "#2e9d4a",
    "letter-of-intent": "#e07b00",
    "cooperation": "#8a4fbf",
    "alliance-member": "#d33b3b",
    "union-member": "#8c5a3c",
}
# Ties through a shared membership are named by the class of the body shared.
MEMBERSHIP_CLASSES = {"alliance-member": "Alliance", "union-member": "SpecialLocalGovernment"}


def colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, "#666666")


def kind_label(kind: str) -> vocabulary.Label:
    """The name of a kind of tie, as a legend shows it.

    >>> kind_label("letter-of-intent")
    Label(ko='교류 의향서', en='Letter of intent')
    >>> kind_label("union-member").en
    'Special local government'
    """
    if kind in MEMBERSHIP_CLASSES:
        return vocabulary.class_label(MEMBERSHIP_CLASSES[kind]).capitalized()
    return vocabulary.concept("agreement-kind", kind).capitalized()


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def bi(ko: str | None, en: str | None) -> str:
    """Text in both languages: the page's CSS shows the one chosen."""
    ko = ko or en or ""
    en = en or ko
    if ko == en:
        return esc(ko)
    return f'<tspan class="ko">{esc(ko)}</tspan><tspan class="en">{esc(en)}</tspan>'


def year(date: str | None) -> str:
    return (date or "")[:4] if date and date[:4].isdigit() else ""


# --------------------------------------------------------------------------------------------
# Projection and outline


@dataclass(frozen=True)
class Projection:
    """Equirectangular, longitudes shrunk by cos(36°), over South Korea with Ulleungdo."""

    west: float = 124.5
    east: float = 131.6
    south: float = 33.0
    north: float = 38.75
    scale: float = 100.0  # pixels per degree of latitude
    kx: float = field(default=math.cos(math.radians(36.0)))

    @property
    def width(self) -> float:
        return (self.east - self.west) * self.kx * self.scale

    @property
    def height(self) -> float:
        return (self.north - self.south) * self.scale

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.kx * self.scale, (self.north - lat) * self.scale

    def inside(self, lon: float, lat: float) -> bool:
        return self.west <= lon <= self.east and self.south <= lat <= self.north


KOREA = Projection()


def arc_points(arc: list[list[int]], transform: dict) -> list[tuple[float, float]]:
    """A quantized, delta-encoded TopoJSON arc as longitude, latitude pairs."""
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    x = y = 0
    out = []
    for dx, dy in arc:
        x += dx
        y += dy
        out.append((x * sx + tx, y * sy + ty))
    return out


@lru_cache(maxsize=4)
def outline(projection: Projection = KOREA) -> tuple[str, str]:
    """SVG path data of South Korea and of its neighbours within the view ('' without atlas)."""
    try:
        topology = json.loads(WORLD_ATLAS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "", ""
    transform = topology["transform"]
    arcs = topology["arcs"]
    decoded: dict[int, list[tuple[float, float]]] = {}

    def arc(i: int) -> list[tuple[float, float]]:
        j = i if i >= 0 else ~i
        if j not in decoded:
            decoded[j] = arc_points(arcs[j], transform)
        return decoded[j] if i >= 0 else decoded[j][::-1]

    pad = 1.0
    box = (projection.west - pad, projection.east + pad, projection.south - pad, projection.north)

    def ring_path(ring: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in ring:
            pts = arc(i)
            points.extend(pts[1:] if points else pts)
        lons = [p[0] for p in points]
        lats = [p[1] for p in points]
        if max(lons) < box[0] or min(lons) > box[1] or max(lats) < box[2] or min(lats) > box[3]:
            return ""
        w, h = projection.width, projection.height
        out: list[tuple[float, float]] = []
        for lon, lat in points:
            x, y = projection(lon, lat)
            # Clamp to a margin around the view: far-away coast collapses onto its edge.
            x, y = min(max(x, -20.0), w + 20.0), min(max(y, -20.0), h + 20.0)
            if out and abs(x - out[-1][0]) < 0.6 and abs(y - out[-1][1]) < 0.6:
                continue
            out.append((x, y))
        if len(out) < 3:
            return ""
        return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in out) + "Z"

    def geometry_path(g: dict) -> str:
        polygons = g["arcs"] if g["type"] == "MultiPolygon" else [g["arcs"]]
        return "".join(ring_path(ring) for polygon in polygons for ring in polygon)

    south, others = [], []
    for g in topology["objects"]["countries"]["geometries"]:
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        if g.get("id") == SOUTH_KOREA:
            south.append(geometry_path(g))
        elif g.get("id") in CONTEXT:
            others.append(geometry_path(g))
    return "".join(south), "".join(others)


# --------------------------------------------------------------------------------------------
# Maps


@dataclass
class Place:
    id: str
    name_ko: str | None
    name_en: str | None
    href: str
    lat: float | None = None
    long: float | None = None


@dataclass
class Edge:
    a: str
    b: str
    kind: str
    since: str | None = None


def korea_map(
    places: dict[str, Place],
    edges: Sequence[Edge],
    *,
    centre: str | None = None,
    label_all: bool = False,
    css_id: str = "map",
    title: tuple[str, str] = ("지도", "Map"),
) -> Markup:
    """Korea with a dot for each place that has coordinates in view and a line for each edge
    between two such places (coloured by kind; several ties of one pair bend apart)."""
    p = KOREA
    south, others = outline(p)
    w, h = p.width, p.height
    out = [
        f'<svg id="{esc(css_id)}" class="map" viewBox="0 0 {w:.0f} {h:.0f}" role="img" '
        f'aria-label="{esc(title[0])} · {esc(title[1])}" xmlns="http://www.w3.org/2000/svg">',
        f'<rect width="{w:.0f}" height="{h:.0f}" class="sea"/>',
    ]
    if others:
        out.append(f'<path class="land-other" d="{others}"/>')
    if south:
        out.append(f'<path class="land" d="{south}"/>')

    def xy(pid: str) -> tuple[float, float] | None:
        pl = places.get(pid)
        if pl is None or pl.lat is None or pl.long is None or not p.inside(pl.long, pl.lat):
            return None
        return p(pl.long, pl.lat)

    seen: dict[tuple[str, str], int] = {}
    lines = []
    for e in edges:
        a, b = xy(e.a), xy(e.b)
        if a is None or b is None:
            continue
        pair = (min(e.a, e.b), max(e.a, e.b))
        n = seen[pair] = seen.get(pair, -1) + 1
        lines.append(_curve(a, b, n, e, labelled=False))
    if len(lines) > 150:  # many lines: thinner and lighter, so that the map stays readable
        out[0] = out[0].replace('class="map"', 'class="map dense"', 1)
    out.append('<g class="edges">' + "".join(lines) + "</g>")
    dots = []
    shown = {e.a for e in edges} | {e.b for e in edges} | ({centre} if centre else set())
    degree: dict[str, int] = {}
    for e in edges:
        for pid in (e.a, e.b):
            degree[pid] = degree.get(pid, 0) + 1
    placed: list[tuple[float, float, float, float]] = []
    labels = []
    # The centre first, then the places with most ties: they keep their labels when space runs out.
    for pid in sorted(shown, key=lambda x: (x != centre, -degree.get(x, 0), x)):
        c = xy(pid)
        if c is None:
            continue
        pl = places[pid]
        r = 6 if pid == centre else 3.5
        cls = "dot centre" if pid == centre else "dot"
        dots.append(
            f'<a href="{esc(pl.href)}"><circle class="{cls}" cx="{c[0]:.1f}" cy="{c[1]:.1f}" '
            f'r="{r}"><title>{esc(pl.name_ko or "")} · {esc(pl.name_en or "")}</title>'
            "</circle></a>"
        )
        placed.append((c[0] - r, c[1] - r, c[0] + r, c[1] + r))  # labels keep off the dots
    for pid in sorted(shown, key=lambda x: (x != centre, -degree.get(x, 0), x)):
        c = xy(pid)
        if c is None or not (label_all or pid == centre or len(shown) <= 40):
            continue
        pl = places[pid]
        spot = label_spot(c, 6 if pid == centre else 3.5, pl, pid == centre, placed, w, h)
        if spot is None:
            continue  # no room without covering another label: the dot's title names it
        x, y, anchor = spot
        labels.append(
            f'<text class="{"label centre" if pid == centre else "label"}" '
            f'x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{bi(pl.name_ko, pl.name_en)}</text>'
        )
    out.append('<g class="dots">' + "".join(dots) + "</g>")
    out.append('<g class="labels">' + "".join(labels) + "</g>")
    out.append(
        f'<text class="credit" x="{w - 6:.0f}" y="{h - 6:.0f}" text-anchor="end">'
        "Natural Earth (public domain)</text></svg>"
    )
    return Markup("".join(out))


def text_width(text: str, size: float) -> float:
    """About how wide a label is drawn: Hangul and other wide characters take a full em.

    >>> text_width("포항시", 12), round(text_width("Pohang", 12), 1)
    (36, 39.6)
    """
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.55 * size for ch in text)


def label_spot(
    c: tuple[float, float],
    r: float,
    place: Place,
    centre: bool,
    placed: list[tuple[float, float, float, float]],
    w: float,
    h: float,
) -> tuple[float, float, str] | None:
    """Where a place's label goes: right of its dot, left, above or below, whichever first
    stays inside the picture and clear of every box already placed (which it then joins);
    None when none is free. The box fits the longer of the Korean and English names, so the
    language switch never makes labels collide.

    >>> boxes = []
    >>> label_spot((100, 100), 3.5, Place("a", "가나", "Gana", "", 0, 0), False, boxes, 400, 400)
    (105.5, 104, 'start')
    >>> label_spot((102, 101), 3.5, Place("b", "다라", "Dara", "", 0, 0), False, boxes, 400, 400)
    (96.5, 105, 'end')
    """
    size = 15 if centre else 12
    width = max(text_width(place.name_ko or "", size), text_width(place.name_en or "", size))
    x, y = c
    for lx, ly, anchor in (
        (x + r + 2, y + 4, "start"),
        (x - r - 2, y + 4, "end"),
        (x, y - r - 3, "middle"),
        (x, y + r + size, "middle"),
    ):
        left = {"start": lx, "end": lx - width, "middle": lx - width / 2}[anchor]
        box = (left, ly - size + 2, left + width, ly + 3)
        inside = box[0] >= 0 and box[1] >= 0 and box[2] <= w and box[3] <= h
        if inside and not any(_overlap(box, other) for other in placed):
            placed.append(box)
            return lx, ly, anchor
    return None


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _curve(a: tuple[float, float], b: tuple[float, float], n: int, e: Edge, labelled: bool) -> str:
    """A line from a to b, bent by n steps to the side (0: straight), with an optional year."""
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    bend = (0, 14, -14, 28, -28, 42, -42)[n % 7]
    cx, cy = (x1 + x2) / 2 - dy / length * bend, (y1 + y2) / 2 + dx / length * bend
    d = f"M{x1:.1f},{y1:.1f}Q{cx:.1f},{cy:.1f} {x2:.1f},{y2:.1f}"
    name = kind_label(e.kind)
    tip = f"{name.ko} · {name.en}" + (f" ({e.since})" if e.since else "")
    path = (
        f'<path class="edge" data-kind="{esc(e.kind)}" d="{d}" stroke="{colour(e.kind)}">'
        f"<title>{esc(tip)}</title></path>"
    )
    if not labelled or not year(e.since):
        return path
    # A point 60 % of the way along the curve: years stay apart near a crowded centre.
    s, u = 0.6, 0.4
    mx, my = u * u * x1 + 2 * u * s * cx + s * s * x2, u * u * y1 + 2 * u * s * cy + s * s * y2
    return path + (
        f'<text class="year" x="{mx:.1f}" y="{my:.1f}" fill="{colour(e.kind)}" '
        f'text-anchor="middle">{esc(year(e.since))}</text>'
    )


# --------------------------------------------------------------------------------------------
# Partner network


@dataclass
class Tie:
    partner: Place
    kind: str
    since: str | None = None
    foreign: bool = False


def partner_network(centre: Place, ties: Sequence[Tie], css_id: str = "network") -> Markup:
    """The city in the middle, its partners on a circle (grouped by kind), one edge per tie
    coloured by kind and labelled by the year it began."""
    size = 680.0
    cx = cy = size / 2
    radius = 220.0 if len(ties) > 8 else 170.0
    order: dict[str, int] = {}
    first_kind: dict[str, tuple[int, str]] = {}
    kinds = list(KIND_COLOURS)
    for t in ties:
        rank = (kinds.index(t.kind) if t.kind in kinds else len(kinds), t.since or "9999")
        if t.partner.id not in first_kind or rank < first_kind[t.partner.id]:
            first_kind[t.partner.id] = rank
    for pid, _ in sorted(first_kind.items(), key=lambda kv: (kv[1], kv[0])):
        order[pid] = len(order)
    n = max(len(order), 1)
    pos: dict[str, tuple[float, float, float]] = {}
    for pid, i in order.items():
        angle = -math.pi / 2 + 2 * math.pi * i / n
        pos[pid] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)
    out = [
        f'<svg id="{esc(css_id)}" class="network" viewBox="-70 0 {size + 140:.0f} {size:.0f}" '
        'role="img" aria-label="교류 관계망 · Partner network" xmlns="http://www.w3.org/2000/svg">'
    ]
    edges = []
    count: dict[str, int] = {}
    for t in ties:
        x, y, _ = pos[t.partner.id]
        k = count[t.partner.id] = count.get(t.partner.id, -1) + 1
        edges.append(
            _curve((cx, cy), (x, y), k, Edge(centre.id, t.partner.id, t.kind, t.since), True)
        )
    out.append('<g class="edges">' + "".join(edges) + "</g>")
    nodes = []
    foreign = {t.partner.id for t in ties if t.foreign}
    places = {t.partner.id: t.partner for t in ties}
    for pid, (x, y, angle) in pos.items():
        pl = places[pid]
        lx, ly = cx + (radius + 14) * math.cos(angle), cy + (radius + 14) * math.sin(angle)
        anchor = "start" if math.cos(angle) > 0.2 else "end" if math.cos(angle) < -0.2 else "middle"
        if anchor == "middle":
            ly += 12 if math.sin(angle) > 0 else -4
        cls = "node foreign" if pid in foreign else "node"
        nodes.append(
            f'<a href="{esc(pl.href)}" class="partner" data-id="{esc(pid)}">'
            f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="7"/>'
            f'<text class="label" x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}">'
            f"{bi(pl.name_ko, pl.name_en)}</text></a>"
        )
    nodes.append(
        f'<circle class="node centre" cx="{cx:.1f}" cy="{cy:.1f}" r="12"/>'
        f'<text class="label centre" x="{cx:.1f}" y="{cy + 30:.1f}" text-anchor="middle">'
        f"{bi(centre.name_ko, centre.name_en)}</text>"
    )
    out.append('<g class="nodes">' + "".join(nodes) + "</g></svg>")
    return Markup("".join(out))


# --------------------------------------------------------------------------------------------
# Timeline


@dataclass
class Span:
    label_ko: str | None
    label_en: str | None
    href: str
    start: str | None
    end: str | None = None


def _years(date: str | None) -> float | None:
    if not date or not date[:4].isdigit():
        return None
    y = int(date[:4])
    month = int(date[5:7]) if len(date) >= 7 and date[5:7].isdigit() else 1
    day = int(date[8:10]) if len(date) >= 10 and date[8:10].isdigit() else 1
    return y + (month - 1) / 12 + (day - 1) / 365


def timeline(spans: Sequence[Span], today: str, css_id: str = "timeline") -> Markup:
    """One bar per member from the day it joined to the day it left (or today)."""
    starts = [s for x in spans if (s := _years(x.start)) is not None]
    now = _years(today) or 2025.0
    lo = math.floor(min(starts) if starts else now - 1) - 1
    hi = math.ceil(max([now, *[e for x in spans if (e := _years(x.end)) is not None]])) + 0.0
    left, right, row = 150.0, 620.0, 30.0
    height = 40 + row * len(spans)

    def x(t: float) -> float:
        return left + (t - lo) / max(hi - lo, 1) * (right - left)

    out = [
        f'<svg id="{esc(css_id)}" class="timeline" viewBox="0 0 640 {height:.0f}" role="img" '
        'aria-label="회원 연표 · Membership timeline" xmlns="http://www.w3.org/2000/svg">'
    ]
    step = max(1, round((hi - lo) / 8))
    for yr in range(int(lo), int(hi) + 1, step):
        out.append(
            f'<line class="tick" x1="{x(yr):.1f}" x2="{x(yr):.1f}" y1="20" y2="{height - 6:.0f}"/>'
            f'<text class="axis" x="{x(yr):.1f}" y="14" text-anchor="middle">{yr}</text>'
        )
    for i, s in enumerate(spans):
        y = 30 + row * i
        start, end = _years(s.start), _years(s.end)
        out.append(
            f'<text class="label" x="{left - 8:.0f}" y="{y + 14:.0f}" text-anchor="end">'
            f'<a href="{esc(s.href)}">{bi(s.label_ko, s.label_en)}</a></text>'
        )
        if start is None:
            out.append(
                f'<text class="axis" x="{left:.0f}" y="{y + 14:.0f}">'
                '<tspan class="ko">가입일 미상</tspan><tspan class="en">joined: unknown</tspan>'
                "</text>"
            )
            continue
        stop = end if end is not None else now
        tip = f"{s.start} – {s.end or ''}"
        out.append(
            f'<rect class="bar{" ended" if end is not None else ""}" x="{x(start):.1f}" '
            f'y="{y + 3:.0f}" width="{max(x(stop) - x(start), 3):.1f}" height="16" rx="3">'
            f"<title>{esc(tip)}</title></rect>"
        )
    out.append("</svg>")
    return Markup("".join(out))
