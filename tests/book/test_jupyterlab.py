"""The chapters as a reader opens them in JupyterLab: through Jupytext, Run All, every control moved.

A JupyterLab server runs on 127.0.0.1 over a copy of ``chapters/`` (with the repository's Jupytext
settings), with ``.md`` files opening as Jupytext notebooks, as ``make lab`` suggests. For each chapter
that has live demos or bertviz views, headless Chromium, in a 1024 px and a 1640 px window (notebook columns
of about 590 and 1,200 px):

* opens the chapter and runs every cell (Run All), which must reach the last cell;
* finds each demo showing its wide figure, or, in a column narrower than that figure's readable width, its
  narrow twin (panels stacked, as on a phone's page);
* moves every control of every demo (a slider with the arrow key, a menu to another entry, a text box
  to another example), and the figure shown must change, keep its height, and show no collision or clipped
  title (the checks of the page's figures, :mod:`figure_layout`);
* finds every bertviz view drawn (it ran after everything above it, in its own frame, offline);
* finds no error or traceback printed by any cell or any redraw;
* saves the chapter, which must leave the file byte for byte as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from book_pages import ROOT
from browser import free_port, screenshot_on_failure
from figure_layout import layout_of, problems_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHAPTERS = ["01_why_attention", "02_queries_keys_values", "05_multi_head", "09_training", "10_decoding",
            "11_inside_translator", "11b_what_it_refers_to"]
BERTVIZ_CHAPTERS = {"11_inside_translator", "11b_what_it_refers_to"}
# a 1024 px window leaves a notebook column of about 590 px; a 1640 px one, about 1,200 px
WINDOWS = {"narrow": {"width": 1024, "height": 900}, "wide": {"width": 1640, "height": 900}}
PICTURES = ROOT / "test-artifacts" / "jupyterlab"  # each demo after each control moved, as the reader saw it
TOKEN = "attention-tests"
RUN_TIMEOUT_MS = 600_000
REDRAW_TIMEOUT_MS = 30_000

# the notebook panel of one file, the one JupyterLab shows
_PANEL = """(path) => Array.from(window.jupyterapp.shell.widgets('main')).find(w => w.context && w.context.path === path)"""
# a finished Run All: the kernel idle and every code cell executed, or a cell that failed (Run All stops there)
_RAN = f"""(path) => {{
  const panel = ({_PANEL})(path);
  if (!panel || !panel.sessionContext.session || !panel.sessionContext.session.kernel) {{ return false; }}
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const failed = cells.some(c => c.model.outputs.toJSON().some(o => o.output_type === 'error'));
  const done = cells.every(c => c.model.executionCount !== null) || failed;
  return panel.sessionContext.session.kernel.status === 'idle' && done;
}}"""
# what a cell or a redraw printed that a reader must never see: errors, tracebacks and warnings all
# reach JupyterLab as standard error (a chapter that prints a message it caught prints to standard output)
_ERRORS = """() => Array.from(document.querySelectorAll('.jp-OutputArea-output'))
  .filter(e => e.dataset.mimeType === 'application/vnd.jupyter.stderr')
  .map(e => e.textContent.slice(0, 300))"""
# a bertviz view drawn in its frame: an svg with its tokens and lines, and the frame as tall as the drawing
_BERTVIZ_DRAWN = """(frame) => { const doc = frame.contentDocument; if (!doc) { return false; }
  const svg = doc.querySelector('[id^=bertviz] svg');
  return svg && svg.querySelectorAll('text').length > 0 && svg.querySelectorAll('line, rect').length > 0
    && Math.abs(frame.getBoundingClientRect().height - doc.documentElement.scrollHeight) <= 1; }"""
# the plot a demo shows: the wide figure, or in a column narrower than its readable width its narrow twin
# (attnlib.book.display.LiveFigure hides the other one)
_SHOWN = """(demo) => Array.from(demo.querySelectorAll('.js-plotly-plot')).find(g => {
  const out = g.closest('.attn-live-wide, .attn-live-narrow');
  return !out || getComputedStyle(out).visibility !== 'hidden'; })"""
# whether a demo has a narrow twin and shows it, the width of its column and the wide figure's readable width
_TWIN = f"""(demo) => {{ const wide = demo.querySelector('.attn-live-wide');
  return {{has: !!demo.querySelector('.attn-live-narrow .js-plotly-plot'),
          shown: !!({_SHOWN})(demo).closest('.attn-live-narrow'),
          column: wide.parentElement.clientWidth, needs: parseFloat(wide.style.minWidth)}}; }}"""
# the data a figure plots and the title it shows: changes when a control redraws it
_DRAWN = f"""(demo) => {{ const gd = ({_SHOWN})(demo);
  return gd ? JSON.stringify([gd.data.map(t => [t.x, t.y, t.z, t.text]), gd.layout.title, gd.layout.annotations]) : null; }}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of the chapters; yields (base URL, the copy's folder)."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "book"
    shutil.copytree(ROOT / "chapters", root / "chapters", ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
    for name in ("jupytext.toml", "_config.yml"):
        shutil.copy2(ROOT / name, root / name)
    settings = {  # a chapter opens as a notebook, as "Open With → Jupytext Notebook" does; no news pop-up
        "docmanager-extension/plugin": '{"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}',
        "apputils-extension/notification": '{"fetchNews": "false", "checkForUpdates": false}',
    }
    for name, value in settings.items():
        path = tmp / "settings" / "@jupyterlab" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value)
    port = free_port()
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(tmp / "settings"), JUPYTERLAB_WORKSPACES_DIR=str(tmp / "ws"),
               JUPYTER_RUNTIME_DIR=str(tmp / "runtime"), HOME=str(tmp))
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=False"],
        env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "lab.log", "w"))
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{base}api/status?token={TOKEN}", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"JupyterLab did not start: {(tmp / 'lab.log').read_text()[-2000:]}", pytrace=False)
                time.sleep(0.5)
        else:
            pytest.fail("JupyterLab did not answer within a minute", pytrace=False)
        yield base, root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def _move(page, control) -> str:
    """Operate one control as a reader would; returns what was done."""
    tag = control.evaluate("e => e.tagName.toLowerCase()")
    if tag == "select":
        count, current = control.evaluate("e => [e.options.length, e.selectedIndex]")
        control.select_option(index=(current + 1) % count)
        return f"menu entry {(current + 1) % count + 1} of {count}"
    if tag == "input":  # a text box with examples (ipywidgets Combobox)
        options = control.evaluate("e => Array.from(e.list ? e.list.options : []).map(o => o.value)")
        value = control.input_value()
        other = next(o for o in options if o != value)
        control.fill(other)
        control.press("Enter")
        return f"typed {other!r}"
    control.focus()  # a slider's handle: the arrow keys move it one step
    at_end = control.evaluate("e => e.getAttribute('aria-valuenow') === e.getAttribute('aria-valuemax')")
    key = "ArrowLeft" if at_end else "ArrowRight"
    control.press(key)
    return f"slider {key}"


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapter_runs_in_jupyterlab_and_every_control_redraws_its_figure(chapter, window, lab, chromium):
    base, root = lab
    path = f"chapters/{chapter}.md"
    before = (root / path).read_bytes()
    PICTURES.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(viewport=WINDOWS[window])
    page = context.new_page()
    page_errors = []
    # JupyterLab's own core (its windowed notebook) throws now and then while cells scroll in and out of view;
    # what the book's widgets, plotly's renderer or bertviz throw is recorded
    page.on("pageerror", lambda err: None if "/static/lab/jlab_core." in (err.stack or "")
            else page_errors.append(f"{err.message} at {(err.stack or '')[:600]}"))
    with screenshot_on_failure(page, f"jupyterlab/{chapter}-{window}"):
        page.goto(f"{base}lab/tree/{path}?token={TOKEN}&reset", wait_until="domcontentloaded")
        page.wait_for_function(f"() => window.jupyterapp && ({_PANEL})({path!r})", timeout=120_000)
        page.evaluate(f"async () => {{ const p = ({_PANEL})({path!r}); await p.context.ready; await p.sessionContext.ready; "
                      f"window.jupyterapp.shell.activateById(p.id); "
                      f"await window.jupyterapp.commands.execute('notebook:run-all-cells'); }}")
        page.wait_for_function(_RAN, arg=path, timeout=RUN_TIMEOUT_MS, polling=500)
        unexecuted = page.evaluate(f"""(path) => ({_PANEL})(path).content.widgets
            .filter(c => c.model.type === 'code' && c.model.executionCount === null).length""", path)
        assert unexecuted == 0, f"Run All stopped: {unexecuted} cells of {chapter} never ran; {page.evaluate(_ERRORS)}"

        if chapter in BERTVIZ_CHAPTERS:
            frames = page.locator("iframe.bertviz-frame")
            assert frames.count() >= 1, f"{chapter} shows no bertviz view"
            for f in range(frames.count()):
                frames.nth(f).scroll_into_view_if_needed()
                page.wait_for_function(_BERTVIZ_DRAWN, arg=frames.nth(f).element_handle(), timeout=REDRAW_TIMEOUT_MS)

        demos = page.locator(".attn-demo")
        # widget views render a moment after the kernel goes idle: wait for them, not only for their plots
        page.wait_for_function("() => { const d = Array.from(document.querySelectorAll('.attn-demo')); "
                               "return d.length > 0 && d.every(x => x.querySelector('.js-plotly-plot')); }",
                               timeout=REDRAW_TIMEOUT_MS)
        assert demos.count() >= 1, f"{chapter} shows no live demo"
        moved = []
        for d in range(demos.count()):
            demo = demos.nth(d)
            demo.scroll_into_view_if_needed()
            controls = demo.locator("select, input.widget-input, .widget-combobox input, .noUi-handle")
            assert controls.count() >= 1, f"demo {d + 1} of {chapter} has no control"
            page.wait_for_function(f"(demo) => !!({_SHOWN})(demo)", arg=demo.element_handle(), timeout=REDRAW_TIMEOUT_MS)
            twin = demo.evaluate(_TWIN)
            if twin["has"]:  # as on the page: the narrow twin exactly when the column cannot hold the wide figure
                assert twin["shown"] == (twin["column"] < twin["needs"]), f"{chapter}, demo {d + 1}: {twin}"
            else:
                assert not twin["shown"], f"{chapter}, demo {d + 1} shows a twin it does not have"
            for c in range(controls.count()):
                page.wait_for_function(f"(demo) => {{ const gd = ({_SHOWN})(demo); "
                                       "return gd && gd.getBoundingClientRect().height > 0; }", arg=demo.element_handle(),
                                       timeout=REDRAW_TIMEOUT_MS)
                drawn = demo.evaluate(_DRAWN)
                fig_id = f"live-{chapter}-{d}"
                demo.evaluate(f"(demo, id) => {{ ({_SHOWN})(demo).id = id; }}", fig_id)
                shape = layout_of(page, fig_id)
                what = _move(page, controls.nth(c))
                page.wait_for_function(f"([demo, before]) => ({_DRAWN})(demo) !== before", arg=[demo.element_handle(), drawn],
                                       timeout=REDRAW_TIMEOUT_MS)
                page.wait_for_timeout(300)  # plotly finishes laying out the new figure
                demo.evaluate(f"(demo, id) => {{ ({_SHOWN})(demo).id = id; }}", fig_id)
                after = layout_of(page, fig_id)
                problems = problems_of(after)
                if after["size"][1] != shape["size"][1]:  # its width follows the notebook's column; its height stays
                    problems.append(f"the figure's height went from {shape['size'][1]} to {after['size'][1]} px")
                assert not problems, f"{chapter}, demo {d + 1}, after {what}: {problems}"
                moved.append(what)
                demo.screenshot(path=str(PICTURES / f"{chapter}__{window}__demo{d + 1}__control{c + 1}.png"))
        errors = page.evaluate(_ERRORS)
        assert not errors, f"{chapter} printed: {errors[:3]}"
        assert not page_errors, page_errors

        page.evaluate(f"async () => {{ await ({_PANEL})({path!r}).context.save(); }}")
    context.close()
    assert (root / path).read_bytes() == before, f"saving {chapter} in JupyterLab changed the file"
    assert moved
