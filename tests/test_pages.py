"""The web pages (api/pages.py, the HTML of api/entities.py): they render from data/, carry the
shared template (navigation, language switch, licence footer), escape what they show, answer bad
input with 4xx problem+json, and the network exports parse as GraphML and CSV."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest
from alliance_kg.api.web import drawing

GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def html(client, url: str) -> str:
    r = client.get(url)
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    return r.text


def test_home_has_search_figures_links_and_footer(rest_client):
    page = html(rest_client, "/")
    assert 'id="search"' in page and 'id="suggestions"' in page
    for target in ('href="/sparql"', 'href="/docs"', 'href="/cookbook"', 'href="/dumps/"'):
        assert target in page
    assert 'data-figure="local-governments"><b>243<' in page
    assert 'data-figure="agreements"' in page and 'data-figure="sources"' in page
    assert "CC BY 4.0" in page and "MIT" in page and "Wikidata" in page
    assert "행정안전부" in page and "Ministry of the Interior and Safety" in page
    assert 'data-lang="ko"' in page and 'id="lang-switch"' in page


def test_home_search_without_javascript(rest_client):
    page = html(rest_client, "/?q=포항")
    assert 'href="/id/municipality/pohang"' in page
    page = html(rest_client, "/?q=Yongin")
    assert 'href="/id/municipality/yongin"' in page


def test_language_parameter(rest_client):
    assert 'data-lang="en"' in html(rest_client, "/?lang=en")
    assert 'data-lang="en"' in html(rest_client, "/id/municipality/pohang?lang=en")


def test_values_are_escaped(rest_client):
    page = html(rest_client, "/?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)" in page


def test_municipality_page(rest_client):
    page = html(rest_client, "/id/municipality/pohang")
    assert "포항시" in page and "Pohang" in page
    assert 'id="network"' in page and 'id="map"' in page
    assert 'data-partner="yongin"' in page and 'href="/id/municipality/yongin"' in page
    assert 'class="land"' in page, "the outline of Korea (npm world-atlas) is missing"
    assert "47110" in page and "Q42157" in page
    assert 'class="edge"' in page and 'class="year"' in page
    assert "?format=turtle" in page and "CC BY 4.0" in page
    # The other formats of the same IRI are untouched.
    r = rest_client.get("/id/municipality/pohang", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")


def test_alliance_page(rest_client):
    page = html(rest_client, "/id/organization/haeoreum-alliance")
    assert 'id="timeline"' in page and 'id="map"' in page
    for member in ("ulsan", "pohang", "gyeongju"):
        assert f'href="/id/municipality/{member}"' in page
    assert "2016-06-30" in page
    for heading in ("Councils and offices", "Meetings", "Declarations", "Legislation"):
        assert heading in page


def test_other_entities_use_the_template(rest_client):
    page = html(rest_client, "/id/agreement/yongin-pohang-friendship-2024")
    assert 'id="lang-switch"' in page and "CC BY 4.0" in page
    assert 'href="/id/municipality/pohang"' in page


def test_network_page_and_filters(rest_client):
    page = html(rest_client, "/network")
    assert 'id="network-map"' in page and 'id="ties"' in page
    # By default the agreements, and the exports of what is shown; alliances are a choice away.
    agreements = (
        "kind=sister-city&amp;kind=friendship-city&amp;kind=letter-of-intent&amp;kind=cooperation"
    )
    assert f'href="/exports/network.graphml?{agreements}"' in page
    assert 'value="alliance-member">' in page and 'value="alliance-member" checked' not in page
    with_alliances = html(
        rest_client, "/network?" + agreements.replace("&amp;", "&") + "&kind=alliance-member"
    )
    assert page.count("<tr>") < with_alliances.count("<tr>")
    everything = page.count("<tr>")
    sister = html(rest_client, "/network?kind=sister-city")
    assert 0 < sister.count("<tr>") < everything
    assert 'href="/exports/network.csv?kind=sister-city"' in sister
    later = html(rest_client, "/network?from=2024&to=2024")
    assert 0 < later.count("<tr>") < everything


def parse_graphml(text: str) -> tuple[dict[str, dict], list[dict]]:
    root = ET.fromstring(text.encode())
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(GRAPHML + "key")}
    graph = root.find(GRAPHML + "graph")
    assert graph is not None and graph.get("edgedefault") == "undirected"
    nodes = {
        n.get("id"): {keys[d.get("key")]: d.text for d in n.iter(GRAPHML + "data")}
        for n in graph.iter(GRAPHML + "node")
    }
    edges = [
        {
            "source": e.get("source"),
            "target": e.get("target"),
            **{keys[d.get("key")]: d.text for d in e.iter(GRAPHML + "data")},
        }
        for e in graph.iter(GRAPHML + "edge")
    ]
    return nodes, edges


def test_graphml_export(rest_client):
    r = rest_client.get("/exports/network.graphml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/graphml+xml")
    nodes, edges = parse_graphml(r.text)
    assert "pohang" in nodes and "yongin" in nodes
    assert nodes["pohang"]["name_ko"] == "포항시" and nodes["pohang"]["code"] == "47110"
    assert all(e["source"] in nodes and e["target"] in nodes for e in edges)
    assert {e["kind"] for e in edges} <= set(drawing.KIND_COLOURS)
    pair = [e for e in edges if {e["source"], e["target"]} == {"pohang", "yongin"}]
    assert any(e["kind"] == "friendship-city" and e.get("year") == "2024" for e in pair)


def test_csv_exports_agree_with_graphml(rest_client):
    _, edges = parse_graphml(rest_client.get("/exports/network.graphml").text)
    r = rest_client.get("/exports/network.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert list(rows[0])[:5] == ["Source", "Target", "Type", "Id", "Label"]
    assert len(rows) == len(edges)
    assert {(x["Source"], x["Target"], x["kind"]) for x in rows} == {
        (e["source"], e["target"], e["kind"]) for e in edges
    }
    nodes = list(csv.DictReader(io.StringIO(rest_client.get("/exports/network-nodes.csv").text)))
    ids = {n["Id"] for n in nodes}
    assert all(x["Source"] in ids and x["Target"] in ids for x in rows)
    sister = list(
        csv.DictReader(io.StringIO(rest_client.get("/exports/network.csv?kind=sister-city").text))
    )
    assert sister and {x["kind"] for x in sister} == {"sister-city"}
    dated = list(
        csv.DictReader(io.StringIO(rest_client.get("/exports/network.csv?from=2020&to=2023").text))
    )
    assert dated and all(2020 <= int(x["year"]) <= 2023 for x in dated)


@pytest.mark.parametrize(
    "url, status",
    [
        ("/?lang=fr", 400),
        ("/?lang=en&lang=ko", 400),
        ("/?q=" + "x" * 300, 400),
        ("/?q=%00", 400),
        ("/network?kind=bogus", 400),
        ("/network?from=abc", 400),
        ("/network?from=99999", 400),
        ("/exports/network.graphml?kind=%3Cx%3E", 400),
        ("/exports/network.csv?to=-1", 400),
        ("/id/municipality/pohang?lang=xx", 400),
        ("/id/municipality/nowhere", 404),
        ("/id/municipality/Bad%20Slug", 404),
    ],
)
def test_bad_input_is_a_problem(rest_client, url, status):
    r = rest_client.get(url)
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("application/problem+json")


def test_assets(rest_client):
    for path, kind in (("/assets/site.css", "text/css"), ("/assets/site.js", "text/javascript")):
        r = rest_client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind)


def test_outline_comes_from_world_atlas():
    south, others = drawing.outline()
    assert drawing.WORLD_ATLAS.exists(), "npm ci installs world-atlas"
    assert south.count("M") >= 10  # the mainland and its islands (Jeju, Ulleungdo ...)
    assert others  # North Korea, Japan, China for context


def test_map_labels_never_overlap():
    """Places crowded together (as the districts of a city are): every label drawn keeps clear
    of every other."""
    import random
    import re

    from alliance_kg.api.web import drawing

    rng = random.Random(3)
    places = {
        f"p{i}": drawing.Place(
            f"p{i}",
            f"가나다{i}",
            f"Place {i}",
            "",
            rng.uniform(36.8, 37.8),
            rng.uniform(126.6, 127.8),
        )
        for i in range(30)
    }
    edges = [drawing.Edge("p0", f"p{i}", "sister-city", None) for i in range(1, 30)]
    svg = drawing.korea_map(places, edges, centre="p0")
    boxes = []
    for x, y, anchor, ko, en in re.findall(
        r'<text class="label[^"]*" x="([\d.]+)" y="([\d.]+)" text-anchor="(\w+)">'
        r'<tspan class="ko">([^<]*)</tspan><tspan class="en">([^<]*)</tspan>',
        svg,
    ):
        size = 15 if ko == "가나다0" else 12
        width = max(drawing.text_width(ko, size), drawing.text_width(en, size))
        left = {"start": float(x), "end": float(x) - width, "middle": float(x) - width / 2}[anchor]
        boxes.append((left, float(y) - size + 2, left + width, float(y) + 3))
    assert len(boxes) >= 5, "too few labels drawn to test anything"
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)
