"""The built book's pages, for the tests that read them: the table of contents, and how to open a page
in headless Chromium and list what is wrong with it (figures not drawn, math not rendered, errors)."""

from __future__ import annotations

import contextlib
import re
from pathlib import Path

import pytest
import yaml
from browser import VIEWPORT, Recorder

from attnlib.book.build import ROOT

PLACEHOLDER_REPOSITORY = "https://github.com/example-owner/attention-interactively"

BOOK_HTML = ROOT / "_build" / "html"


def toc_pages() -> list[str]:
    """Every page of the table of contents, as paths without suffix ("chapters/intro", ...)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    return pages


# Console errors that are known and harmless, as regular expressions. Keep it short; say why.
ALLOWED_CONSOLE_ERRORS = [
    # pydata-sphinx-theme (under sphinx-book-theme) on a first visit, with an empty localStorage: it
    # reads the mode "", logs this, and falls back to "auto" (pydata/pydata-sphinx-theme#1635).
    r"^Got invalid theme mode: \. Resetting to auto\.",
]
# Pages with no math at all (every other page must show rendered math).
PAGES_WITHOUT_MATH = {"search"}

LOAD_TIMEOUT_MS = 30_000
DRAW_TIMEOUT_MS = 15_000
MOVE_TIMEOUT_MS = 5_000


@contextlib.contextmanager
def new_tab(chromium, viewport: dict = VIEWPORT, color_scheme: str = "light"):
    """A fresh context and page, with a Recorder watching it (``page.recorder``); ``color_scheme`` is the
    reader's system setting, which the theme follows in its default (auto) mode."""
    context = chromium.new_context(viewport=viewport, service_workers="block", color_scheme=color_scheme)
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    rec = Recorder()
    rec.attach(context)
    page = context.new_page()
    rec.watch(page)
    page.recorder = rec
    try:
        yield page
    finally:
        context.close()


# -- page helpers -------------------------------------------------------------------------------

def html_of(built_book: Path, name: str) -> str:
    path = built_book / f"{name}.html"
    if not path.is_file():
        pytest.fail(f"{name}.html is not in the built book ({built_book})", pytrace=False)
    return path.read_text(encoding="utf-8")


def open_page(page, site: str, name: str, built_book: Path, query: str = ""):
    """Load a page (following index.html's meta refresh) and wait until the network is idle."""
    response = page.goto(f"{site}{name}.html{query}", wait_until="load", timeout=LOAD_TIMEOUT_MS)
    refresh = re.search(r'http-equiv="refresh"\s+content="\d+;\s*url=([^"]+)"', html_of(built_book, name), re.I)
    if refresh:
        page.wait_for_url(re.compile(re.escape(refresh.group(1)) + r"$"), wait_until="load", timeout=LOAD_TIMEOUT_MS)
    stuck = page.recorder.wait_for_network_idle(page, timeout_s=LOAD_TIMEOUT_MS / 1000)
    if stuck:
        pytest.fail(f"{name}: the network never went idle; still in flight: {stuck}", pytrace=False)
    wait_for_figures(page)
    return response


def wait_for_figures(page) -> None:
    """Wait until the page has drawn the figures it queued while it was parsed (attn_figures.js)."""
    settled = page.evaluate("""(ms) => !window.attnFigures || Promise.race([window.attnFigures.settled.then(() => true),
                                                 new Promise((resolve) => setTimeout(() => resolve(false), ms))])""",
                            DRAW_TIMEOUT_MS)
    if not settled:
        pytest.fail(f"{page.url}: the page's figures were not all drawn {DRAW_TIMEOUT_MS} ms after it loaded",
                    pytrace=False)


_FIGURES_STATE = """() => Array.from(document.querySelectorAll('.plotly-graph-div')).map(gd => {
  const r = gd.getBoundingClientRect();
  return {id: gd.id, svg: !!gd.querySelector('svg.main-svg'), width: r.width, height: r.height};
})"""


def undrawn_figures(page) -> list[str]:
    """Figures without an svg of non-zero size, after waiting for them a while."""
    with_retry = f"() => ({_FIGURES_STATE})().every(f => f.svg && f.width > 0 && f.height > 0)"
    try:
        page.wait_for_function(with_retry, timeout=DRAW_TIMEOUT_MS)
    except Exception:  # noqa: BLE001 - report which ones, below
        pass
    return [f"figure #{f['id']}: svg.main-svg={'yes' if f['svg'] else 'MISSING'}, size {f['width']:.0f}x{f['height']:.0f}"
            for f in page.evaluate(_FIGURES_STATE) if not (f["svg"] and f["width"] > 0 and f["height"] > 0)]


_MATH_STATE = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) { await MathJax.startup.promise; }
  const body = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const math = Array.from(body.querySelectorAll('.math'));
  const prose = body.cloneNode(true);
  prose.querySelectorAll('pre, code, script, style, textarea, svg, mjx-container, .cell_input, .cell_output')
       .forEach(e => e.remove());
  const text = prose.textContent;
  const i = text.indexOf('$$');
  return {
    math: math.length,
    unrendered: math.filter(m => !m.querySelector('mjx-container')).map(m => m.textContent.slice(0, 80)),
    containers: body.querySelectorAll('mjx-container').length,
    errors: Array.from(body.querySelectorAll('mjx-merror')).map(e => e.getAttribute('data-mjx-error') || e.textContent),
    rawDollars: i < 0 ? null : text.slice(Math.max(0, i - 60), i + 60),
  };
}"""


def math_problems(page, name: str) -> list[str]:
    state = page.evaluate(_MATH_STATE)
    problems = []
    if state["math"] == 0 and state["containers"] == 0 and name not in PAGES_WITHOUT_MATH:
        problems.append("no math on the page (if it really has none, add it to PAGES_WITHOUT_MATH)")
    problems += [f"math not rendered by MathJax: {t!r}" for t in state["unrendered"]]
    problems += [f"MathJax error: {e!r}" for e in state["errors"]]
    if state["rawDollars"] is not None:
        problems.append(f"raw $$ left in the text: ...{state['rawDollars']!r}...")
    return problems


def error_problems(page) -> list[str]:
    rec: Recorder = page.recorder
    problems = [f"request to another host: {u}" for u in rec.external]
    problems += [f"failed request: {f}" for f in rec.failed]
    problems += [f"uncaught JavaScript error: {e}" for e in rec.page_errors]
    problems += [f"console error: {e}" for e in rec.console_errors
                 if not any(re.search(p, e) for p in ALLOWED_CONSOLE_ERRORS)]
    return problems


def fail_with(name: str, problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{name}: {len(problems)} problem(s)\n  " + "\n  ".join(problems), pytrace=False)
