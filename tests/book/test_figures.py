"""Every figure of the published book, as a reader sees it, on a laptop (1280 px) and on a phone (390 px).

For each page of the table of contents, at each width:

* the page never scrolls sideways, and on a phone no figure scrolls sideways in its own box either, but the
  few (at most five) marked wide on purpose, each with its reason: the others are laid out for the column;
* in every precomputed state of every plotly figure, nothing overlaps (title, subplot titles and
  annotations, sliders, dropdowns, legend, colour bars, axis titles, tick labels), nothing is cut off at
  the figure's edge, the figure's box hides none of its drawing, no text is smaller than 10 px, and the
  figure keeps its size from state to state;
* every word of every figure has 4.5:1 contrast with the figure's background (WCAG AA), in the light theme
  and in the dark one; in the dark theme a figure is drawn on the page's own background, and back in the
  light theme it is as it was;
* on the laptop, the colours a figure tells apart (its legend's, one trace's bars', each colour scale's
  quarters and ends) stay apart for readers with protanopia, deuteranopia and tritanopia (figure_colours);
* a picture of every figure (in its default state) is kept under ``test-artifacts/figures/<view>/``, light
  and dark, and ``test-artifacts/figures/index.html`` shows them all side by side, on every run.

Moving the controls with the mouse and the keyboard is test_controls.py's part; it checks the same things
after each move.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from book_pages import toc_pages
from figure_colours import colour_vision_problems, set_theme, theme_problems
from figure_layout import (
    ARTIFACTS,
    VIEWS,
    WIDTHS,
    figure_png,
    hide_sticky_header,
    layout_of,
    problems_of,
    screenshot_figure,
    shape_changes,
    write_contact_sheet,
)
from book_pages import fail_with, new_tab, open_page, undrawn_figures

pytestmark = pytest.mark.browser

# Each precomputed state of a static twin (``gd.attnStates``, see attn_figures.js): how many, and how to show
# state k; a figure without controls has one.
_STATES = """([id, k]) => {
  const gd = document.getElementById(id);
  if (!gd.attnStates) { return k < 0 ? 1 : true; }
  return k < 0 ? gd.attnStates.count : gd.attnStates.show(k).then(() => true);
}"""

_RESET = """(id) => {
  const gd = document.getElementById(id);
  return gd.attnStates ? gd.attnStates.reset().then(() => true) : true;
}"""

_SIDEWAYS = "() => [document.documentElement.scrollWidth, window.innerWidth]"
# How much of a figure's drawing its box hides at the bottom: a layout taller than the box the page made for
# it (a narrow twin's stacked panels) is cut off there, whatever its parts' own boxes say.
_HIDDEN_BELOW = """(id) => {
  const gd = document.getElementById(id), svg = gd.querySelector('.main-svg');
  const box = gd.closest('.attn-figure') || gd;
  return Math.round(svg.getBoundingClientRect().bottom - Math.min(gd.getBoundingClientRect().bottom,
                                                                  box.getBoundingClientRect().bottom));
}"""
# the colours a figure is drawn with: its background, its font, and every trace's
_COLOURS = """(id) => {
  const gd = document.getElementById(id), l = gd._fullLayout;
  return JSON.stringify([l.paper_bgcolor, l.plot_bgcolor, l.font.color,
                         gd._fullData.map(t => [(t.marker || {}).color, (t.line || {}).color, t.colorscale])]);
}"""
# Whether a figure scrolls sideways in its box, and the reason it gives for it (attnlib.book.narrow.wide_on_purpose)
_SCROLLS = """(id) => {
  const fig = document.getElementById(id).closest('.attn-fig'), box = fig.querySelector('.attn-figure');
  const spec = JSON.parse(fig.querySelector('script.attn-fig-spec').textContent);
  return [box.scrollWidth > box.clientWidth + 1, spec.wide_on_purpose || null];
}"""

# On a phone a figure is laid out for the column (attnlib.book.narrow); at most this many in the whole book
# may scroll sideways instead, each a table whose width is its point, saying why.
MAX_SCROLLING = 5
_FIGURE_IDS = "() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(g => g.id)"


@pytest.fixture(scope="session")
def contact_sheet():
    """Entries of the contact sheet, written after every page so that it exists even after a failure."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    entries: dict = {}
    yield entries
    write_contact_sheet(list(entries.values()))


def hidden_problems(page, fig_id: str) -> list[str]:
    hidden = page.evaluate(_HIDDEN_BELOW, fig_id)
    return [f"its box hides the bottom {hidden} px of the drawing"] if hidden > 1 else []


def state_problems(page, fig_id: str) -> list[str]:
    """Show every precomputed state of one figure in turn; list what collides, is hidden or changes size there."""
    count = page.evaluate(_STATES, [fig_id, -1])
    if count < 2:
        return []
    start, problems = layout_of(page, fig_id), []
    for k in range(count):
        page.evaluate(_STATES, [fig_id, k])
        now = layout_of(page, fig_id)
        found = shape_changes(start, now) + problems_of(now) + hidden_problems(page, fig_id)
        problems += [f"state {k + 1} of {count}: {p}" for p in found]
    page.evaluate(_RESET, fig_id)
    return problems


def scroll_problems(scrolls: bool, why: str | None) -> list[str]:
    if scrolls and not why:
        return ["it scrolls sideways on a phone: lay it out for the column (attnlib.book.narrow), or, if its "
                "width is its point, mark it with narrow.wide_on_purpose and say why"]
    if why and not scrolls:
        return ["it is marked wide on purpose but fits a phone: drop the mark"]
    return []


def test_at_most_five_figures_may_scroll_sideways_on_a_phone_each_for_a_reason(built_book):
    reasons = []
    for name in toc_pages():
        html = (built_book / f"{name}.html").read_text(encoding="utf-8")
        specs = re.findall(r'<script type="application/json" class="attn-fig-spec">(.*?)</script>', html, re.S)
        reasons += [why for spec in specs if (why := json.loads(spec.replace("<\\/", "</")).get("wide_on_purpose"))]
    assert len(reasons) <= MAX_SCROLLING, reasons
    assert all(len(why) > 30 for why in reasons)


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("name", toc_pages())
def test_every_figure_reads_cleanly(name, width, site, built_book, chromium, contact_sheet):
    with new_tab(chromium, viewport=WIDTHS[width]) as page:
        open_page(page, site, name, built_book)
        problems = undrawn_figures(page)
        hide_sticky_header(page)
        page_width, screen = page.evaluate(_SIDEWAYS)
        if page_width > screen + 1:
            problems.append(f"the page scrolls sideways: {page_width} px of content on a {screen} px screen")
        fig_ids = page.evaluate(_FIGURE_IDS)
        set_theme(page, "light")
        colours = {fig_id: page.evaluate(_COLOURS, fig_id) for fig_id in fig_ids}

        def report(index, fig_id, view, found):
            entry = contact_sheet.setdefault((name, index), {"page": name, "index": index, "problems": []})
            path = figure_png(name, index, view)
            screenshot_figure(page, fig_id, path)
            entry[view] = str(path.relative_to(ARTIFACTS))
            entry["problems"] += [f"{view}: {p}" for p in found]
            problems.extend(f"figure {index + 1} (#{fig_id}): {p}" for p in found)

        for index, fig_id in enumerate(fig_ids):
            found = problems_of(layout_of(page, fig_id)) + hidden_problems(page, fig_id) + state_problems(page, fig_id)
            found += theme_problems(page, fig_id, "light")
            if width == "phone":
                found += scroll_problems(*page.evaluate(_SCROLLS, fig_id))
            else:
                found += colour_vision_problems(page, fig_id)
            report(index, fig_id, width, found)
        set_theme(page, "dark")  # as the theme's toggle does: every figure follows, live
        for index, fig_id in enumerate(fig_ids):
            report(index, fig_id, f"{width}-dark", theme_problems(page, fig_id, "dark") + hidden_problems(page, fig_id))
        set_theme(page, "light")
        for index, fig_id in enumerate(fig_ids):
            if page.evaluate(_COLOURS, fig_id) != colours[fig_id]:
                problems.append(f"figure {index + 1} (#{fig_id}): back in the light theme its colours differ "
                                "from before the dark one")
        write_contact_sheet(list(contact_sheet.values()))
        fail_with(f"{name} at {WIDTHS[width]['width']} px", problems)


def test_the_contact_sheet_shows_every_figure_at_both_widths_light_and_dark(contact_sheet):
    """Runs after the page tests (file order): the sheet must hold a picture per figure, width and theme."""
    if not contact_sheet:
        pytest.skip("no figure was looked at in this run (the page tests were deselected)")
    sheet = (ARTIFACTS / "index.html").read_text(encoding="utf-8")
    for entry in contact_sheet.values():
        for view in VIEWS:
            assert entry.get(view), f"{entry['page']} figure {entry['index'] + 1} has no picture in view {view}"
            assert (ARTIFACTS / entry[view]).stat().st_size > 1000
            assert entry[view] in sheet


# What attn_figures.js makes of a few colours in each theme (attnFigures.themed, as every figure is drawn).
_THEMED = """() => {
  const html = document.documentElement, was = html.getAttribute('data-theme');
  const fig = () => window.attnFigures.themed(
    [{type: 'heatmap', colorscale: [[0, 'rgb(247,251,255)'], [0.5, 'rgb(107,174,214)'], [1, 'rgb(8,48,107)']],
      marker: {color: '#d62728'}, z: [[1, 2]]},
     {type: 'heatmap', colorscale: [[0, '#440154'], [1, '#fde725']], z: [[0, 1]]},
     {type: 'scatter', line: {color: '#a1d99b'}}],
    {paper_bgcolor: 'white', font: {color: 'black'}, title: {text: "<span style='color:#767676'>later</span>"}});
  html.setAttribute('data-theme', 'dark');
  const d = fig(), page = getComputedStyle(document.body).backgroundColor;
  html.setAttribute('data-theme', 'light');
  const l = fig();
  html.setAttribute('data-theme', was);
  return {scale: d.data[0].colorscale.map(s => s[1]), red: d.data[0].marker.color, z: d.data[0].z,
          viridis: d.data[1].colorscale, mint: d.data[2].line.color,
          paper: d.layout.paper_bgcolor, font: d.layout.font.color, title: d.layout.title.text,
          page: page,
          light: [l.data[0].marker.color, l.layout.paper_bgcolor, l.layout.font.color, l.layout.title.text]};
}"""


def test_dark_theme_turns_lightness_over_and_keeps_hue(site, built_book, chromium):
    from coloraide import Color

    with new_tab(chromium, viewport=WIDTHS["laptop"]) as page:
        open_page(page, site, "chapters/03_softmax_scaling", built_book)
        t = page.evaluate(_THEMED)
    lab = lambda c: Color(c).convert("lab-d65")  # noqa: E731
    assert Color(t["paper"]).delta_e(Color(t["page"]), method="2000") < 0.5  # the paper is the page
    assert lab(t["page"])["lightness"] < 15
    assert lab(t["font"])["lightness"] > 95  # black text becomes white
    lightness = [lab(c)["lightness"] for c in t["scale"]]
    assert lightness == sorted(lightness) and lightness[0] < 15 < 60 < lightness[-1]  # pale-to-dark turned over
    red, was = Color(t["red"]).convert("lch-d65"), Color("#d62728").convert("lch-d65")
    assert abs(red["hue"] - was["hue"]) < 8 and abs(red["lightness"] - was["lightness"]) < 10  # a mid red stays red
    assert "#767676" not in t["title"] and "color:rgb(" in t["title"]  # colours written inside a label turn too
    assert t["z"] == [[1, 2]]  # numbers are left alone
    assert t["viridis"] == [[0, "#440154"], [1, "#fde725"]]  # a scale made for any background keeps its colours
    assert Color(t["mint"]).contrast(Color(t["page"])) >= 3  # a pale line is turned, yet stays visible
    assert t["light"] == ["#d62728", "white", "black", "<span style='color:#767676'>later</span>"]
