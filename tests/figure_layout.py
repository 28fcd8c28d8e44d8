"""What a reader sees of a plotly figure: the boxes of its parts, and the ways they can go wrong.

Used by the browser tests (test_figures.py). For one figure in a live page, ``layout_of`` returns
the on-screen box of every part a reader must be able to read: the title, each annotation (subplot
titles included), the legend, each colour bar, each
axis title and each tick label. ``problems_of`` then lists

* two parts that overlap (tick labels of one axis included: they must not overprint each other),
* a part cut off at the figure's edge,
* text smaller than ``MIN_FONT_PX``.

``screenshot_figures`` keeps a picture of every figure, and ``write_contact_sheet`` an index.html
that shows them all side by side at both widths.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "figures"
LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WIDTHS = {"laptop": LAPTOP, "phone": PHONE}
# the contact sheet's columns: each width in the light theme, then in the dark one
VIEWS = ("laptop", "phone", "laptop-dark", "phone-dark")
MIN_FONT_PX = 10
OVERLAP_PX = 3  # boxes may touch; an overlap of more than this in both directions is a collision

# Every readable part of one figure, as {kind, label, box, font}; boxes in page coordinates
# (scroll-independent), so that a figure can be measured wherever the page is scrolled.
_PARTS = r"""([id, MIN_FONT]) => {
  const gd = document.getElementById(id);
  const sx = window.scrollX, sy = window.scrollY;
  const shown = el => {
    for (let e = el; e && e !== gd; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || parseFloat(s.opacity) === 0) { return false; }
    }
    return true;
  };
  const box = el => { const r = el.getBoundingClientRect(); return [r.left + sx, r.top + sy, r.right + sx, r.bottom + sy]; };
  // the four corners of a text's own box, turned as it is drawn (tick labels are often rotated)
  const corners = el => {
    if (el.tagName.toLowerCase() !== 'text' || !el.getScreenCTM) {
      const b = box(el); return [[b[0], b[1]], [b[2], b[1]], [b[2], b[3]], [b[0], b[3]]];
    }
    const bb = el.getBBox(), m = el.getScreenCTM();
    return [[bb.x, bb.y], [bb.x + bb.width, bb.y], [bb.x + bb.width, bb.y + bb.height], [bb.x, bb.y + bb.height]]
      .map(([x, y]) => [m.a * x + m.c * y + m.e + sx, m.b * x + m.d * y + m.f + sy]);
  };
  const parts = [], small = [];
  const add = (kind, el, label) => {
    if (!el || !shown(el)) { return; }
    const b = box(el);
    if (b[2] - b[0] < 1 || b[3] - b[1] < 1) { return; }
    const texts = el.tagName.toLowerCase() === 'text' ? [el] : Array.from(el.querySelectorAll('text'));
    const sizes = texts.filter(t => t.textContent.trim()).map(t => parseFloat(getComputedStyle(t).fontSize));
    parts.push({kind, label: (label || el.textContent || '').trim().slice(0, 60), box: b, corners: corners(el),
                font: sizes.length ? Math.min(...sizes) : null});
  };
  const q = sel => Array.from(gd.querySelectorAll(sel));
  q('.infolayer g.g-gtitle text').forEach(t => add('title', t));
  // an annotation with no text is an arrow: it points at things, it may touch them
  q('.infolayer g.annotation').filter(a => a.textContent.trim()).forEach(a => add('annotation', a));
  q('.infolayer g.legend').forEach(l => add('legend', l, 'legend'));
  q('.infolayer g.colorbar').forEach(c => add('colorbar', c, 'colour bar'));
  q('.infolayer > g').filter(g => /^g-[xy]\d*title$/.test(g.getAttribute('class') || ''))
    .forEach(g => add('axis title', g));
  // tick labels, one part each, named after their axis (xtick / x2tick / ytick ...)
  q('.xaxislayer-above > g, .yaxislayer-above > g').forEach(g => {
    const axis = (g.getAttribute('class') || '').split(' ')[0];
    g.querySelectorAll('text').forEach(t => add('tick ' + axis + '@' + (g.closest('.subplot') || {id: ''}).className.baseVal, t));
  });
  // the numbers written on the data (heatmap cells, bars, points): only their size is checked,
  // since they sit on the data by design
  q('g.heatmap-label text, .bartext, g.textpoint text').filter(t => t.textContent.trim() && shown(t)).forEach(t => {
    const size = parseFloat(getComputedStyle(t).fontSize);
    if (size < MIN_FONT) { small.push({label: t.textContent.trim().slice(0, 30), font: size}); }
  });
  const svg = gd.querySelector('svg.main-svg');
  const r = gd.getBoundingClientRect();
  // the page's own controls under the figure (attnlib.book.display.controls_html): they must never move
  const holder = gd.closest('.attn-fig');
  const controls = holder ? Array.from(holder.querySelectorAll('.attn-controls [data-param]'))
    .map(c => ({label: c.id, box: box(c)})) : [];
  return {parts, small, controls, figure: svg ? box(svg) : [r.left + sx, r.top + sy, r.right + sx, r.bottom + sy],
          size: [Math.round(r.width), Math.round(r.height)]};
}"""


def layout_of(page, fig_id: str) -> dict:
    return page.evaluate(_PARTS, [fig_id, MIN_FONT_PX])


def _overlap(a, b) -> tuple[float, float]:
    return min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1])


def _depth(p: list, q: list) -> float:
    """How deep two convex quadrilaterals overlap (px; <= 0: apart), by the separating axis theorem.

    Turned tick labels overlap as boxes long before their letters touch; their real outlines are compared.
    """
    depth = float("inf")
    for poly in (p, q):
        for i in range(len(poly)):
            (x0, y0), (x1, y1) = poly[i], poly[(i + 1) % len(poly)]
            nx, ny = y0 - y1, x1 - x0
            norm = (nx * nx + ny * ny) ** 0.5
            if norm == 0:
                continue
            nx, ny = nx / norm, ny / norm
            a = [x * nx + y * ny for x, y in p]
            b = [x * nx + y * ny for x, y in q]
            depth = min(depth, min(max(a), max(b)) - max(min(a), min(b)))
    return depth


def _contains(outer, inner, slack: float = 1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


def problems_of(layout: dict) -> list[str]:
    """Overlaps, clipping and too-small text among one figure's parts (see the module docstring)."""
    parts, frame = layout["parts"], layout["figure"]
    problems = []
    for p in parts:
        if not _contains(frame, p["box"]):
            problems.append(f"{p['kind']} {p['label']!r} is cut off at the figure's edge")
        if p["font"] is not None and p["font"] < MIN_FONT_PX:
            problems.append(f"{p['kind']} {p['label']!r} is set in {p['font']:g} px type (< {MIN_FONT_PX})")
    if layout.get("small"):  # one line for all of a figure's too-small data labels
        first = layout["small"][0]
        problems.append(f"{len(layout['small'])} data label(s) set in type under {MIN_FONT_PX} px "
                        f"(e.g. {first['label']!r} at {first['font']:g} px)")
    for i, a in enumerate(parts):
        for b in parts[i + 1:]:
            w, h = _overlap(a["box"], b["box"])
            if w > OVERLAP_PX and h > OVERLAP_PX and _depth(a["corners"], b["corners"]) > OVERLAP_PX:
                problems.append(f"{a['kind']} {a['label']!r} overlaps {b['kind']} {b['label']!r} ({w:.0f}x{h:.0f} px)")
    return problems


def shape_changes(before: dict, after: dict, slack: float = 1.0) -> list[str]:
    """What moved between two looks at one figure: its size, or the place of one of its controls."""
    changes = []
    if before["size"] != after["size"]:
        changes.append(f"the figure went from {before['size'][0]}x{before['size'][1]} px "
                       f"to {after['size'][0]}x{after['size'][1]} px")
    new = {c["label"]: c["box"] for c in after.get("controls", [])}
    for control in before.get("controls", []):
        key, box = control["label"], control["box"]
        if key in new and any(abs(a - b) > slack for a, b in zip(box, new[key])):
            changes.append(f"control #{key} moved from ({box[0]:.0f}, {box[1]:.0f}) to ({new[key][0]:.0f}, {new[key][1]:.0f})")
    return changes


# -- pictures -----------------------------------------------------------------------------------

def figure_png(page_name: str, index: int, width_name: str) -> Path:
    return ARTIFACTS / width_name / f"{page_name.replace('/', '__')}__{index:02d}.png"


def hide_sticky_header(page) -> None:
    """The theme's sticky headers and its back-to-top button would cover a figure scrolled into view, and its
    smooth scrolling blur it."""
    page.add_style_tag(content=".bd-header, .bd-header-article, .skip-link, #pst-back-to-top { display: none !important; }"
                               " html, body { scroll-behavior: auto !important; }")


def screenshot_figure(page, fig_id: str, path: Path) -> None:
    """A picture of the figure as the page shows it: its scroll box, if it has one, and nothing more."""
    path.parent.mkdir(parents=True, exist_ok=True)
    box = page.locator(f".attn-figure:has(#{fig_id})")
    target = box if box.count() else page.locator(f"#{fig_id}")
    # a clip of the page as it is laid out (an element screenshot of a scroll box loses its last rows of
    # pixels to the scrollbar), in a viewport tall enough to hold the whole figure at once
    viewport = page.viewport_size
    height = int(target.bounding_box()["height"]) + 40
    if height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": height})
    try:
        target.evaluate("el => el.scrollIntoView({block: 'start'})")
        page.screenshot(path=str(path), clip=target.bounding_box(), timeout=20_000)
    finally:
        page.set_viewport_size(viewport)


def write_contact_sheet(entries: list[dict]) -> Path:
    """index.html beside the pictures: one row per figure, laptop and phone, light and dark, side by side.

    ``entries``: dicts with ``page``, ``index``, one key per view in ``VIEWS`` (paths relative to
    ARTIFACTS, or None) and ``problems`` (a list of strings).
    """
    rows = []
    for e in sorted(entries, key=lambda e: (e["page"], e["index"])):
        cells = "".join(
            f'<td>{f"<img src={json.dumps(e[w])} loading=lazy>" if e.get(w) else "(none)"}</td>' for w in VIEWS)
        notes = "<br>".join(html.escape(p) for p in e.get("problems", [])) or "ok"
        rows.append(f"<tr><th>{html.escape(e['page'])} #{e['index'] + 1}<br><small>{notes}</small></th>{cells}</tr>")
    sheet = ARTIFACTS / "index.html"
    sheet.parent.mkdir(parents=True, exist_ok=True)
    sheet.write_text(
        "<!doctype html><meta charset=utf-8><title>Every figure of the book</title>"
        "<style>body{font:14px sans-serif} th{text-align:left;vertical-align:top;width:16em}"
        "td{vertical-align:top;border-top:1px solid #ccc} img{max-width:700px;border:1px solid #eee}</style>"
        f"<h1>Every figure of the book, at {LAPTOP['width']} px and at {PHONE['width']} px, light and dark</h1>"
        f"<table><tr><th>figure</th>{''.join(f'<th>{v}</th>' for v in VIEWS)}</tr>{''.join(rows)}</table>",
        encoding="utf-8")
    return sheet
