"""Every figure of the published book, as a reader sees it, on a laptop (1280 px) and on a phone (390 px).

For each page of the table of contents, at each width:

* the page never scrolls sideways, and on a phone no figure scrolls sideways in its own box either, but the
  few (at most five) marked wide on purpose, each with its reason: the others are laid out for the column;
* in every precomputed state of every plotly figure, nothing overlaps (title, subplot titles and
  annotations, sliders, dropdowns, legend, colour bars, axis titles, tick labels), nothing is cut off at
  the figure's edge, no text is smaller than 10 px, and the figure keeps its size from state to state;
* a picture of every figure (in its default state) is kept under ``test-artifacts/figures/<width>/``,
  and ``test-artifacts/figures/index.html`` shows them all side by side, on every run.

Moving the controls with the mouse and the keyboard is test_controls.py's part; it checks the same things
after each move.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest
from book_pages import toc_pages
from figure_layout import (
    ARTIFACTS,
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


def state_problems(page, fig_id: str) -> list[str]:
    """Show every precomputed state of one figure in turn; list what collides or changes size there."""
    count = page.evaluate(_STATES, [fig_id, -1])
    if count < 2:
        return []
    start, problems = layout_of(page, fig_id), []
    for k in range(count):
        page.evaluate(_STATES, [fig_id, k])
        now = layout_of(page, fig_id)
        found = shape_changes(start, now) + problems_of(now)
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
        for index, fig_id in enumerate(page.evaluate(_FIGURE_IDS)):
            found = problems_of(layout_of(page, fig_id)) + state_problems(page, fig_id)
            if width == "phone":
                found += scroll_problems(*page.evaluate(_SCROLLS, fig_id))
            path = figure_png(name, index, width)
            screenshot_figure(page, fig_id, path)
            entry = contact_sheet.setdefault((name, index), {"page": name, "index": index, "problems": []})
            entry[width] = str(path.relative_to(ARTIFACTS))
            entry["problems"] += [f"{width}: {p}" for p in found]
            problems += [f"figure {index + 1} (#{fig_id}): {p}" for p in found]
        write_contact_sheet(list(contact_sheet.values()))
        fail_with(f"{name} at {WIDTHS[width]['width']} px", problems)


def test_the_contact_sheet_shows_every_figure_at_both_widths(contact_sheet):
    """Runs after the page tests (file order): the sheet must hold a picture per figure and width."""
    if not contact_sheet:
        pytest.skip("no figure was looked at in this run (the page tests were deselected)")
    sheet = (ARTIFACTS / "index.html").read_text(encoding="utf-8")
    for entry in contact_sheet.values():
        for width in WIDTHS:
            assert entry.get(width), f"{entry['page']} figure {entry['index'] + 1} has no picture at {width} width"
            assert (ARTIFACTS / entry[width]).stat().st_size > 1000
            assert entry[width] in sheet
