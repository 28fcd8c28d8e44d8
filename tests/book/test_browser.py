"""The published book in a real browser: headless Debian Chromium driven by Playwright.

The site built by the ``built_book`` session fixture (conftest.py, built once per test run) is served
on 127.0.0.1 and every page of the table of contents, plus index.html and search.html, is checked:

* it loads (HTTP 200, the book's title) and contacts no other host (every request is recorded;
  requests to another host are aborted and listed);
* no JavaScript error: console errors and uncaught exceptions, except ALLOWED_CONSOLE_ERRORS;
  no request fails (status >= 400), the browser's own /favicon.ico probe aside;
* every plotly figure draws (an svg.main-svg of non-zero size);
* math renders (every ``.math`` element holds an ``mjx-container``, no MathJax error, no raw ``$$``
  in the article); a page declares that it has no math in PAGES_WITHOUT_MATH;
* the static twins move: every slider and dropdown of every plotly figure is operated with the real
  mouse, and the visible traces' data must change, while the figure keeps its size, no control moves
  and nothing comes to overlap (test_figures.py checks every state at two widths);
* bertviz views draw their svg (skipped, saying so, while no page holds one);
* the search page finds a chapter by one of its words.

A failing page leaves a full-page screenshot in test-artifacts/screenshots/<page>.png.

While writing tests, ``ATTN_REUSE_BUILD=1 pytest tests/book/test_browser.py`` reuses an existing
``_build/html`` instead of building the book again.
"""

from __future__ import annotations

import re

import pytest
import yaml
from browser import screenshot_on_failure
from book_pages import (DRAW_TIMEOUT_MS, MOVE_TIMEOUT_MS, ROOT, error_problems, fail_with, html_of,
                        math_problems, new_tab, open_page, toc_pages, undrawn_figures)
from figure_layout import layout_of, problems_of, shape_changes

pytestmark = pytest.mark.browser

BOOK_TITLE = yaml.safe_load((ROOT / "_config.yml").read_text())["title"]
SITE_PAGES = [*toc_pages(), "index", "search"]  # paths without ".html"

# The search test: a word that chapter's text uses, and the chapter it must find.
SEARCH_TERM, SEARCH_CHAPTER = "dictionary", "chapters/02_queries_keys_values"


@pytest.fixture
def tab(chromium):
    """One fresh page for one test."""
    with new_tab(chromium) as page:
        yield page


# -- every page loads, offline and cleanly --------------------------------------------------------

@pytest.mark.parametrize("name", SITE_PAGES)
def test_page_loads_offline_draws_its_figures_and_math(name, site, built_book, tab):
    page = tab
    with screenshot_on_failure(page, name):
        response = open_page(page, site, name, built_book)
        problems = []
        if response is None or response.status != 200:
            problems.append(f"HTTP status {response.status if response else 'none'} for {name}.html")
        title = page.title()
        if BOOK_TITLE not in title:
            problems.append(f"page title {title!r} lacks the book's title {BOOK_TITLE!r}")
        if not page.locator("h1").filter(visible=True).count():
            problems.append("no visible <h1> heading")
        problems += undrawn_figures(page)
        problems += math_problems(page, name)
        problems += error_problems(page)  # last: late errors from the steps above count too
        fail_with(name, problems)


# -- static twins: sliders and dropdowns move the plotted data ------------------------------------

_CONTROLS = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(gd => ({
  id: gd.id,
  sliders: ((gd._fullLayout || {}).sliders || []).filter(s => s.visible !== false).map(s => ({
    index: s._index, name: s.name, active: s.active, n: s.steps.filter(t => t.visible !== false).length})),
  menus: ((gd._fullLayout || {}).updatemenus || []).filter(m => m.visible !== false).map(m => ({
    index: m._index, name: m.name, type: m.type, active: m.active, n: m.buttons.filter(b => b.visible !== false).length})),
})).filter(f => f.sliders.length || f.menus.length)"""

# What the figure shows: the data arrays of its visible traces.
_FINGERPRINT = """(id) => {
  const gd = document.getElementById(id);
  const keys = ['x', 'y', 'z', 'text', 'values', 'r', 'theta', 'lat', 'lon', 'u', 'v', 'w'];
  const shown = gd.data.filter(t => t.visible === undefined || t.visible === true).map(t => {
    const o = {type: t.type};
    keys.forEach(k => { if (t[k] !== undefined) { o[k] = t[k]; } });
    return o;
  });
  // a diagram drawn with layout shapes and annotations changes there, not in its traces
  const drawing = {shapes: gd.layout.shapes || [], annotations: (gd.layout.annotations || []).map(a => a.text)};
  return JSON.stringify([shown, drawing], (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v);
}"""

# Where to click, in viewport coordinates, and what is under that point.
_POINT = """([id, kind, index, step]) => {
  const gd = document.getElementById(id);
  const mine = (sel, root) => Array.from((root || gd).querySelectorAll(sel));
  const byIndex = (els, i) => els.find(e => e.__data__ && e.__data__._index === i);
  let target, scope;
  if (kind === 'slider') {
    scope = byIndex(mine('g.slider-group'), index);
    if (!scope) { return {error: 'no slider group drawn for slider ' + index}; }
    scope.scrollIntoView({block: 'center'});
    const tick = byIndex(mine('rect.slider-tick-rect', scope), step);
    const rail = scope.querySelector('rect.slider-rail-rect');
    if (!tick || !rail) { return {error: 'slider ' + index + ' has no tick ' + step + ' or no rail'}; }
    const t = tick.getBoundingClientRect(), r = rail.getBoundingClientRect();
    target = {x: t.left + t.width / 2, y: r.top + r.height / 2};
  } else if (kind === 'header') {
    scope = byIndex(mine('g.updatemenu-header-group'), index);
    if (!scope) { return {error: 'no dropdown drawn for menu ' + index}; }
    scope.scrollIntoView({block: 'center'});
    const b = scope.querySelector('.updatemenu-header') || scope;
    const r = b.getBoundingClientRect();
    target = {x: r.left + r.width / 2, y: r.top + r.height / 2};
  } else {  // 'button': an open dropdown's option, or a button of a "buttons" menu
    const header = byIndex(mine('g.updatemenu-header-group'), index);
    const box = header && header.closest('g.updatemenu-container');
    if (!box) { return {error: 'no menu ' + index + ' drawn'}; }
    const buttons = mine('g.updatemenu-dropdown-button, g.updatemenu-button', box);
    const button = byIndex(buttons, step) || (buttons.every(b => !b.__data__) ? buttons[step] : undefined);
    if (!button) { return {error: 'menu ' + index + ' shows no option ' + step + ' (' + buttons.length + ' shown)'}; }
    scope = button;
    const r = button.getBoundingClientRect();
    if (r.top < 0 || r.bottom > window.innerHeight) { button.scrollIntoView({block: 'center'}); }
    const q = button.getBoundingClientRect();
    target = {x: q.left + q.width / 2, y: q.top + q.height / 2};
  }
  const hit = document.elementFromPoint(target.x, target.y);
  return {x: target.x, y: target.y, onTarget: !!hit && scope.contains(hit),
          hit: hit ? hit.tagName.toLowerCase() + (hit.getAttribute('class') ? '.' + hit.getAttribute('class') : '') : 'nothing'};
}"""


_MENU_OPEN = """([id, index, n]) => {
  const gd = document.getElementById(id);
  const h = Array.from(gd.querySelectorAll('g.updatemenu-header-group')).find(g => g.__data__ && g.__data__._index === index);
  const box = h && h.closest('g.updatemenu-container');
  return !!box && box.querySelectorAll('g.updatemenu-dropdown-button').length >= n;
}"""


_MENU_CLOSED = "(id) => !document.getElementById(id).querySelector('g.updatemenu-dropdown-button')"


def _point(page, fig: str, kind: str, index: int, step: int = -1) -> dict:
    where = page.evaluate(_POINT, [fig, kind, index, step])
    if "error" in where:
        raise AssertionError(where["error"])
    if not where["onTarget"]:
        raise AssertionError(f"a click at ({where['x']:.0f}, {where['y']:.0f}) would land on {where['hit']}, not the {kind}")
    return where


def _fingerprint(page, fig: str) -> str:
    return page.evaluate(_FINGERPRINT, fig)


def _wait_for_change(page, fig: str, before: str) -> bool:
    try:
        page.wait_for_function(f"([id, before]) => ({_FINGERPRINT})(id) !== before", arg=[fig, before],
                               timeout=MOVE_TIMEOUT_MS)
        return True
    except Exception:  # noqa: BLE001 - a timeout: nothing changed
        return False


def _active(page, fig: str, kind: str, index: int):
    key = "sliders" if kind == "slider" else "updatemenus"
    return page.evaluate(f"([id, i]) => document.getElementById(id)._fullLayout.{key}.find(c => c._index === i).active",
                         [fig, index])


def _targets(active: int, n: int) -> list[int]:
    """Steps to try, farthest from the current one first (at most three tries)."""
    return sorted((k for k in range(n) if k != active), key=lambda k: -abs(k - active))[:3]


def operate(page, fig: str, kind: str, control: dict, step: int) -> None:
    """Choose ``step`` of one slider or menu with the real mouse (a click on its tick, or on the
    dropdown and then on the option). Raises AssertionError when the control cannot be reached."""
    if kind == "slider":
        p = _point(page, fig, "slider", control["index"], step)
        page.mouse.click(p["x"], p["y"])
        return
    if control.get("type", "dropdown") == "dropdown":
        p = _point(page, fig, "header", control["index"])
        page.mouse.click(p["x"], p["y"])
        page.wait_for_function(_MENU_OPEN, arg=[fig, control["index"], control["n"]], timeout=MOVE_TIMEOUT_MS)
    p = _point(page, fig, "button", control["index"], step)
    page.mouse.click(p["x"], p["y"])
    if control.get("type", "dropdown") == "dropdown":  # the list folds away: it covers the controls below it
        page.wait_for_function(_MENU_CLOSED, arg=fig, timeout=MOVE_TIMEOUT_MS)


def exercise(page, fig: dict, kind: str, control: dict) -> str | None:
    """Move one control away from where it started; None if the plotted data changed, else what went wrong.

    The control is put back afterwards, so that every control is tried from the figure's default state
    (away from it, one control can legitimately stop mattering: no mask makes a difference at step 1).
    """
    from playwright.sync_api import Error as PlaywrightError  # timeouts included

    label = f"figure #{fig['id']}, {kind} {control['name']!r}"
    tried, verdict = [], None
    start = layout_of(page, fig["id"])
    try:
        for step in _targets(control["active"], control["n"]):
            before = _fingerprint(page, fig["id"])
            operate(page, fig["id"], kind, control, step)
            if _wait_for_change(page, fig["id"], before):
                page.mouse.move(0, 0)  # no hover label over what is measured
                moved = shape_changes(start, layout_of(page, fig["id"])) + problems_of(layout_of(page, fig["id"]))
                if moved:
                    verdict = f"{label}: after choosing step {step}: " + "; ".join(moved)
                break
            tried.append(f"step {step} (the control now shows {_active(page, fig['id'], kind, control['index'])})")
            page.mouse.move(0, 0)
        else:
            verdict = f"{label}: the plotted data did not change after choosing " + ", ".join(tried)
        operate(page, fig["id"], kind, control, control["active"])  # back to the start
        if _active(page, fig["id"], kind, control["index"]) != control["active"]:
            verdict = verdict or f"{label}: could not put the control back to {control['active']}"
    except (AssertionError, PlaywrightError) as err:
        verdict = f"{label}: {str(err).splitlines()[0]}"
    return verdict


def _has_controls(html: str) -> bool:
    return bool(re.search(r'"(sliders|updatemenus)":\s*\[\s*\{', html))


@pytest.mark.parametrize("name", toc_pages())
def test_static_controls_move_the_plotted_data(name, site, built_book, request):
    if not _has_controls(html_of(built_book, name)):
        pytest.skip(f"{name} has no plotly figure with sliders or dropdowns")
    page = request.getfixturevalue("tab")
    with screenshot_on_failure(page, name):
        open_page(page, site, name, built_book)
        undrawn_figures(page)  # wait for the figures; one that never draws fails the page test, not this one
        figures = page.evaluate(_CONTROLS)
        assert figures, "the page's HTML has figures with sliders or dropdowns, but the browser shows none"
        problems, exercised = [], 0
        for fig in figures:
            for kind, controls in (("slider", fig["sliders"]), ("menu", fig["menus"])):
                for control in (c for c in controls if c["n"] > 1):  # one choice cannot move anything
                    problem = exercise(page, fig, kind, control)
                    exercised += problem is None
                    if problem:
                        problems.append(problem)
        problems += error_problems(page)  # operating the controls must raise no error either
        fail_with(name, problems)
        assert exercised, "no control was operated"


# -- bertviz ---------------------------------------------------------------------------------------

_BERTVIZ = re.compile(r"""id=["'](bertviz[^"']*|vis)["']""")

_BERTVIZ_STATE = """() => {
  let boxes = Array.from(document.querySelectorAll('[id^="bertviz"]'));
  if (!boxes.length) { boxes = Array.from(document.querySelectorAll('#vis')).map(v => v.parentElement); }
  return boxes.map(box => {
    const svgs = Array.from(box.querySelectorAll('svg')).filter(s => {
      const r = s.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && s.querySelectorAll('text, line, rect, path').length > 0;
    });
    return {id: box.id || '(' + box.tagName.toLowerCase() + ')', drawn: svgs.length};
  });
}"""


def test_bertviz_views_draw_their_svg(site, built_book, chromium):
    pages = [n for n in toc_pages() if _BERTVIZ.search(html_of(built_book, n))]
    if not pages:
        pytest.skip("no page in the table of contents holds a bertviz view yet: nothing was checked")
    failures = []
    for name in pages:
        with new_tab(chromium) as page:
            try:
                with screenshot_on_failure(page, name):
                    open_page(page, site, name, built_book)
                    try:
                        page.wait_for_function(f"() => ({_BERTVIZ_STATE})().every(b => b.drawn > 0)",
                                               timeout=DRAW_TIMEOUT_MS)
                    except Exception:  # noqa: BLE001 - reported below
                        pass
                    views = page.evaluate(_BERTVIZ_STATE)
                    problems = [] if views else ["the HTML has a bertviz view but the browser shows no container"]
                    problems += [f"bertviz view {v['id']} drew no svg" for v in views if not v["drawn"]]
                    problems += error_problems(page)
                    fail_with(name, problems)
            except pytest.fail.Exception as err:
                failures.append(str(err))
    if failures:
        pytest.fail("\n".join(failures), pytrace=False)


# -- search ----------------------------------------------------------------------------------------

def test_search_finds_a_chapter_by_a_word_of_its_text(site, built_book, tab):
    assert SEARCH_CHAPTER in toc_pages(), f"{SEARCH_CHAPTER} left the table of contents: update SEARCH_CHAPTER"
    text = re.sub(r"<[^>]+>", " ", html_of(built_book, SEARCH_CHAPTER))
    assert re.search(rf"\b{SEARCH_TERM}\b", text, re.I), f"{SEARCH_CHAPTER} no longer says {SEARCH_TERM!r}: update SEARCH_TERM"
    page = tab
    with screenshot_on_failure(page, "search"):
        open_page(page, site, "search", built_book, query=f"?q={SEARCH_TERM}")
        chapter = SEARCH_CHAPTER.split("/")[-1]
        hit = f'#search-results ul.search li a[href*="{chapter}.html"]'
        try:
            page.wait_for_selector(hit, timeout=DRAW_TIMEOUT_MS)
        except Exception:  # noqa: BLE001
            found = page.eval_on_selector_all("#search-results a", "as => as.map(a => a.getAttribute('href'))")
            summary = page.locator("#search-results").inner_text()[:300]
            pytest.fail(f"searching {SEARCH_TERM!r} found no link to {SEARCH_CHAPTER}: links {found}, "
                        f"results text {summary!r}", pytrace=False)
        fail_with("search", error_problems(page))
