"""A small Markdown subset to HTML, enough for docs/cookbook.md; everything is escaped.

Headings (``#`` to ``####``, with ids), paragraphs, fenced code blocks, tables (with ``---:``
right alignment), bullet lists, and inline code, ``**bold**``, ``*emphasis*`` and links.

>>> print(render("# Title\\n\\nSome `code` and [a link](x.md) <b>.\\n"))
<h1 id="title">Title</h1>
<p>Some <code>code</code> and <a href="x.md">a link</a> &lt;b&gt;.</p>
>>> print(render("| a | n |\\n| --- | ---: |\\n| x \\\\| y | 2 |"))
<table>
<thead><tr><th>a</th><th class="num">n</th></tr></thead>
<tbody>
<tr><td>x | y</td><td class="num">2</td></tr>
</tbody>
</table>
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from alliance_kg.cookbook import split_row

_INLINE = re.compile(r"`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*")


def slug(text: str) -> str:
    """An id for a heading, as GitHub makes them (lower case, spaces to hyphens).

    >>> slug("1. Which cities have the most sister cities?")
    '1-which-cities-have-the-most-sister-cities'
    """
    text = re.sub(r"[^\w\- ]", "", text.strip().lower())
    return text.replace(" ", "-")


def inline(text: str, link: Callable[[str], str | None] = lambda href: href) -> str:
    out, at = [], 0
    for m in _INLINE.finditer(text):
        out.append(html.escape(text[at : m.start()]))
        code, label, href, bold, em = m.groups()
        if code is not None:
            out.append(f"<code>{html.escape(code)}</code>")
        elif label is not None:
            target = link(href)
            inner = inline(label, link)
            out.append(f'<a href="{html.escape(target)}">{inner}</a>' if target else inner)
        elif bold is not None:
            out.append(f"<strong>{inline(bold, link)}</strong>")
        else:
            out.append(f"<em>{inline(em, link)}</em>")
        at = m.end()
    out.append(html.escape(text[at:]))
    return "".join(out)


def _table(lines: list[str], link: Callable[[str], str | None]) -> str:
    rows = [split_row(line) for line in lines]
    header, body = rows[0], rows[1:]
    right = [False] * len(header)
    if body and all(re.fullmatch(r":?-{3,}:?", c) for c in body[0]):
        right = [c.endswith(":") for c in body[0]] + right[len(body[0]) :]
        body = body[1:]

    def cells(row: list[str], tag: str) -> str:
        num = ' class="num"'
        return "".join(
            f"<{tag}{num if i < len(right) and right[i] else ''}>{inline(c, link)}</{tag}>"
            for i, c in enumerate(row)
        )

    out = ["<table>", f"<thead><tr>{cells(header, 'th')}</tr></thead>", "<tbody>"]
    out += [f"<tr>{cells(r, 'td')}</tr>" for r in body]
    out += ["</tbody>", "</table>"]
    return "\n".join(out)


def render(markdown: str, link: Callable[[str], str | None] = lambda href: href) -> str:
    """HTML for the Markdown; ``link`` maps each link target (None: no link, just the text)."""
    lines = markdown.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
        elif line.startswith("```"):
            lang = line[3:].strip()
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            cls = f' class="language-{html.escape(lang)}"' if lang else ""
            out.append(
                f"<pre><code{cls}>{html.escape(chr(10).join(lines[i + 1 : j]))}</code></pre>"
            )
            i = j + 1
        elif m := re.match(r"^(#{1,4})\s+(.*)$", line):
            level, text = len(m[1]), m[2].strip()
            out.append(f'<h{level} id="{slug(text)}">{inline(text, link)}</h{level}>')
            i += 1
        elif line.lstrip().startswith("|"):
            j = i
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            out.append(_table(lines[i:j], link))
            i = j
        elif re.match(r"^\s*[-*]\s+", line):
            items: list[str] = []
            while i < len(lines) and lines[i].strip():
                if m := re.match(r"^\s*[-*]\s+(.*)$", lines[i]):
                    items.append(m[1])
                elif items:
                    items[-1] += " " + lines[i].strip()
                i += 1
            out.append("<ul>" + "".join(f"<li>{inline(t, link)}</li>" for t in items) + "</ul>")
        else:
            para = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not re.match(r"^(#{1,4}\s|```|\s*\||\s*[-*]\s+)", lines[i])
            ):
                para.append(lines[i].strip())
                i += 1
            out.append(f"<p>{inline(' '.join(para), link)}</p>")
    return "\n".join(out)
