"""Every name of a kind of thing that a page, picture or module shows is the ontology's
(:mod:`alliance_kg.vocabulary`): no copy of a label drifts from ``ontology/alliance.ttl``.

1. Each Korean–English pair written in the code (tuples, ``Label(...)`` and ``t(...)`` calls in
   the Python modules of ``api/``, ``alliance_kg/`` and ``loaders/``, ``t("…", "…")`` and the
   like in the templates) that names a concept or a class in one language names it in the other too.
2. The rendered pages show the vocabulary's names of the kinds they list.
"""

from __future__ import annotations

import ast
import html
import itertools
import re
from pathlib import Path

import pytest

from alliance_kg import coverage, paths
from alliance_kg.vocabulary import Label, _labels, class_label, concept

HANGUL = re.compile(r"[\uac00-\ud7a3]")
# In a template: a call whose first two arguments are a Korean and an English string.
TEMPLATE_PAIR = re.compile(r'\(\s*"([^"]*[\uac00-\ud7a3][^"]*)"\s*,\s*"([^"]*)"')

# Pairs that share one language with a concept or class but are not its name.
NOT_CONCEPTS = {
    ("시·도", "Province"),  # a column: the province or metropolitan city above a government
    ("시·도", "province"),
    ("시·도별", "By province"),
    ("광역 자치단체", "province"),  # the reconciliation property: the upper-level government
    ("개 지방자치단체", "local governments"),  # a count: "243 local governments"
}


def vocabulary_labels() -> list[Label]:
    """The names of every concept and every class (not the properties) of the ontology."""
    concepts, classes = _labels()  # the module's own table: there is no public list of all
    found = [label for scheme in concepts.values() for label in scheme.values()]
    return found + [label for name, label in classes.items() if name[:1].isupper()]


def same_english(text: str, label: Label) -> bool:
    """The English name, capitalised or not, singular or plural.

    >>> same_english("Industries", Label("산업", "industry"))
    True
    """
    singular = label.en.lower()
    plurals = (singular + "s", singular[:-1] + "ies" if singular.endswith("y") else singular)
    return text.lower() in (singular, *plurals)


def python_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        items = node.elts if isinstance(node, ast.Tuple) else getattr(node, "args", None)
        if not isinstance(items, list):
            continue
        texts = [x.value if isinstance(x, ast.Constant) else None for x in items]
        for ko, en in itertools.pairwise(texts):
            if isinstance(ko, str) and isinstance(en, str) and HANGUL.search(ko):
                if en and not HANGUL.search(en):
                    pairs.append((ko, en))
    return pairs


def code_pairs() -> list[tuple[str, str, str]]:
    found = []
    for folder in (paths.ROOT / "api", paths.ROOT / "alliance_kg", paths.ROOT / "loaders"):
        for path in sorted(folder.rglob("*.py")):
            found += [(str(path.relative_to(paths.ROOT)), ko, en) for ko, en in python_pairs(path)]
        for path in sorted(folder.rglob("templates/*.html")):
            text = path.read_text(encoding="utf-8")
            found += [
                (str(path.relative_to(paths.ROOT)), ko, en)
                for ko, en in TEMPLATE_PAIR.findall(text)
                if not HANGUL.search(en)
            ]
    return found


def test_the_scan_finds_the_pairs():
    pairs = {(ko, en) for _, ko, en in code_pairs()}
    assert ("전국 연결망", "Network") in pairs  # a Python tuple
    assert ("교류 도시", "Partners") in pairs  # a template's t(...)


def test_labels_in_code_are_the_ontologys():
    labels = vocabulary_labels()
    wrong = []
    for where, ko, en in code_pairs():
        if (ko, en) in NOT_CONCEPTS:
            continue
        half = [x for x in labels if (x.ko == ko) != same_english(en, x)]
        whole = [x for x in labels if x.ko == ko and same_english(en, x)]
        if half and not whole:
            wrong.append(f"{where}: ({ko!r}, {en!r}) but the ontology has {half[0]}")
    assert not wrong, "\n".join(wrong)


# --------------------------------------------------------------------------------------------
# The rendered pages


def shown(label: Label) -> str:
    """How a page writes a name in both languages."""
    ko, en = html.escape(label.ko), html.escape(label.en)
    return f'<span class="ko" lang="ko">{ko}</span><span class="en" lang="en">{en}</span>'


def page(client, path: str) -> str:
    r = client.get(path, headers={"Accept": "text/html"})
    assert r.status_code == 200, r.text[:300]
    return r.text


TIE_KINDS = [
    *(concept("agreement-kind", k).capitalized() for k in coverage.KINDS),
    class_label("Alliance").capitalized(),
    class_label("SpecialLocalGovernment").capitalized(),
]


def test_home_and_network_show_the_kinds_of_ties(rest_client):
    home = page(rest_client, "/")
    for label in TIE_KINDS[:4]:
        assert shown(label) in home, label
    network = page(rest_client, "/network")
    for label in TIE_KINDS:
        assert shown(label) in network, label


@pytest.mark.parametrize(
    "path, labels",
    [
        (
            "/id/municipality/pohang",
            [concept("level", "city"), concept("agreement-kind", "sister-city")],
        ),
        (
            "/id/municipality/yongin",
            [concept("level", "city"), concept("legal-status", "special-case-city")],
        ),
        (
            "/id/organization/haeoreum-alliance",
            [
                class_label("Alliance"),
                class_label("Council"),
                class_label("Office"),
                concept("legislative-status", "sought"),
            ],
        ),
    ],
)
def test_entity_pages_show_the_vocabularys_names(rest_client, path, labels):
    text = page(rest_client, path)
    for label in labels:
        assert shown(label.capitalized()) in text or shown(label) in text, label


def test_coverage_shows_the_kinds_and_levels(rest_client):
    text = page(rest_client, "/coverage")
    for label in TIE_KINDS[:4]:
        assert shown(label) in text, label
    for level in ("city", "county", "autonomous-district", "province"):
        assert shown(concept("level", level).capitalized()) in text, level
