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
* (the figures' controls, from the mouse and the keyboard, are test_controls.py's part);
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
from book_pages import (DRAW_TIMEOUT_MS, ROOT, error_problems, fail_with, html_of,
                        math_problems, new_tab, open_page, toc_pages, undrawn_figures)

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
