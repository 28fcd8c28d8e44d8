"""Every control of every figure, worked as readers work it: with the mouse, and with the keyboard alone.

A static twin's controls are the page's own ``<input type="range">`` and ``<select>`` (attnlib.book.display,
attn_figures.js). On every page of the table of contents:

* **mouse**: each slider is clicked at the far end of its rail and each menu given another option; the
  plotted data must change, the description must become the new state's, and the figure keeps its size
  with nothing overlapping;
* **keyboard**: from the top of the page, Tab alone reaches every control of every figure, in reading order,
  each with a visible focus ring and a name (its label); End/Home move a slider to its ends and the arrows
  one step, the arrows choose in a menu; after each key the figure changes and its description is the new
  state's, and a slider announces its value (``aria-valuetext``), not its index;
* on a phone, every control is at least 44 × 44 px.
"""

from __future__ import annotations

import contextlib

import pytest
from book_pages import MOVE_TIMEOUT_MS, error_problems, fail_with, html_of, new_tab, open_page, toc_pages, undrawn_figures
from browser import screenshot_on_failure
from figure_layout import PHONE, layout_of, problems_of, shape_changes

pytestmark = pytest.mark.browser

MAX_TABS = 800  # more Tab presses than any page has things to focus
TOUCH_PX = 44

CONTROL = ".attn-fig .attn-controls [data-param]"

# What the figure shows: the data arrays of its visible traces, and the shapes and notes of a drawing.
_FINGERPRINT = """(id) => {
  const gd = document.getElementById(id);
  const keys = ['x', 'y', 'z', 'text', 'values'];
  const shown = gd.data.filter(t => t.visible === undefined || t.visible === true).map(t => {
    const o = {type: t.type};
    keys.forEach(k => { if (t[k] !== undefined) { o[k] = t[k]; } });
    return o;
  });
  const drawing = {shapes: gd.layout.shapes || [], annotations: (gd.layout.annotations || []).map(a => a.text)};
  return JSON.stringify([shown, drawing], (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v);
}"""

# One control as a reader meets it: its figure, its name, its value, and what the page says now.
_CONTROL_STATE = """(el) => {
  const box = el.closest('.attn-fig');
  const table = JSON.parse(box.querySelector('script.attn-fig-spec').textContent);
  const values = Array.from(box.querySelectorAll('[data-param]')).map(c => parseInt(c.value, 10));
  let k = 0;
  table.params.forEach((p, j) => { k = k * p.values.length + values[j]; });
  const j = parseInt(el.dataset.param, 10);
  const style = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {
    id: el.id, figure: box.querySelector('.plotly-graph-div').id, kind: el.tagName.toLowerCase() === 'select' ? 'menu' : 'slider',
    value: parseInt(el.value, 10), n: table.params[j].values.length,
    name: Array.from(el.labels || []).map(l => l.textContent).join(' ').trim(),
    valuetext: el.getAttribute('aria-valuetext'), label: table.params[j].values[parseInt(el.value, 10)],
    description: box.querySelector('.attn-figure-desc').textContent, expected: table.descriptions[k],
    ring: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    width: r.width, height: r.height,
  };
}"""

_ALL_CONTROLS = f"""() => Array.from(document.querySelectorAll('{CONTROL}'))
  .filter(c => c.checkVisibility()).map(c => c.id)"""

_FOCUSED = f"""() => {{
  const el = document.activeElement;
  return el && el.matches('{CONTROL}') ? el.id : (el === document.body ? '<body>' : '');
}}"""


def _has_controls(html: str) -> bool:
    return 'class="attn-controls"' in html


def _fingerprint(page, fig: str) -> str:
    return page.evaluate(_FINGERPRINT, fig)


def _state(page, control_id: str) -> dict:
    return page.locator(f"#{control_id}").evaluate(_CONTROL_STATE)


def _changed(page, fig: str, before: str) -> bool:
    try:
        page.wait_for_function(f"([id, before]) => ({_FINGERPRINT})(id) !== before", arg=[fig, before],
                               timeout=MOVE_TIMEOUT_MS)
        return True
    except Exception:  # noqa: BLE001 - a timeout: nothing changed
        return False


def _said(state: dict, label: str) -> list[str]:
    """What is wrong with what the page says after a move: the description, and a slider's value."""
    out = []
    if state["description"] != state["expected"]:
        out.append(f"{label}: the description did not follow the state ({state['description'][:80]!r})")
    if state["kind"] == "slider" and state["valuetext"] != state["label"]:
        out.append(f"{label}: the slider announces {state['valuetext']!r}, not its value {state['label']!r}")
    return out


def _move(page, control: dict, act, label: str) -> list[str]:
    """Do ``act``; the plotted data must change, the figure keep its frame, the words follow."""
    before, start = _fingerprint(page, control["figure"]), layout_of(page, control["figure"])
    act()
    if not _changed(page, control["figure"], before):
        return [f"{label}: the plotted data did not change"]
    page.mouse.move(0, 0)  # no hover label over what is measured
    now = layout_of(page, control["figure"])
    return [f"{label}: {p}" for p in shape_changes(start, now) + problems_of(now)] + _said(_state(page, control["id"]), label)


def _far(control: dict) -> int:
    return 0 if control["value"] > (control["n"] - 1) / 2 else control["n"] - 1


def _click_slider(page, control_id: str, step: int, n: int) -> None:
    """A click on the slider's rail where ``step`` lies (the thumb travels the rail less its own width)."""
    box = page.locator(f"#{control_id}").bounding_box()
    thumb = 16
    x = box["x"] + thumb / 2 + (box["width"] - thumb) * step / max(n - 1, 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)


def _by_mouse(page, control: dict) -> list[str]:
    label = f"{control['kind']} {control['name']!r} (#{control['id']}), by mouse"
    target = _far(control)
    if control["kind"] == "slider":
        problems = _move(page, control, lambda: _click_slider(page, control["id"], target, control["n"]), label)
        _click_slider(page, control["id"], control["value"], control["n"])
    else:  # a native menu's list is the browser's own: choosing from it is select_option's part
        problems = _move(page, control, lambda: page.select_option(f"#{control['id']}", str(target)), label)
        page.select_option(f"#{control['id']}", str(control["value"]))
    if _state(page, control["id"])["value"] != control["value"]:
        problems.append(f"{label}: could not put it back to {control['value']}")
    return problems


def _by_keyboard(page, control: dict) -> list[str]:
    """Keys on the focused control: to the far end, one step back, and home again."""
    label = f"{control['kind']} {control['name']!r} (#{control['id']}), by keyboard"
    problems = []
    if not control["ring"]:
        problems.append(f"{label}: no visible focus ring")
    if not control["name"]:
        problems.append(f"{label}: no label names it")
    if control["n"] < 2:
        return problems
    start = control["value"]
    if control["kind"] == "slider":
        end, back, step = ("Home", "ArrowRight", 1) if start > (control["n"] - 1) / 2 else ("End", "ArrowLeft", -1)
        far = 0 if end == "Home" else control["n"] - 1
        problems += _move(page, control, lambda: page.keyboard.press(end), f"{label}, {end}")
        if _state(page, control["id"])["value"] != far:
            problems.append(f"{label}: {end} did not reach the slider's end")
        page.keyboard.press(back)
        if _state(page, control["id"])["value"] != far + step:
            problems.append(f"{label}: {back} did not move the slider one step")
        page.keyboard.press("Home")
        for _ in range(start):
            page.keyboard.press("ArrowRight")
    else:
        key, undo = ("ArrowUp", "ArrowDown") if start == control["n"] - 1 else ("ArrowDown", "ArrowUp")
        problems += _move(page, control, lambda: page.keyboard.press(key), f"{label}, {key}")
        page.keyboard.press(undo)
    after = _state(page, control["id"])
    if after["value"] != start or after["description"] != control["description"]:
        problems.append(f"{label}: the keys did not bring it back to where it started")
    return problems


def _open(page, site, name, built_book, viewport=None):
    open_page(page, site, name, built_book)
    undrawn_figures(page)  # wait for the figures; one that never draws fails the page test, not this one
    page.wait_for_function("() => document.querySelectorAll('.plotly-graph-div').length === 0 || "
                           "Array.from(document.querySelectorAll('.attn-controls')).every("
                           "s => s.closest('.attn-fig').querySelector('.plotly-graph-div').attnStates)",
                           timeout=MOVE_TIMEOUT_MS)


@contextlib.contextmanager
def _page_with_controls(name, site, built_book, chromium):
    """The page, opened and drawn, in a fresh tab (a page without figure controls skips the test)."""
    if not _has_controls(html_of(built_book, name)):
        pytest.skip(f"{name} has no figure with controls")
    with new_tab(chromium) as page, screenshot_on_failure(page, name):
        _open(page, site, name, built_book)
        yield page


@pytest.mark.parametrize("name", toc_pages())
def test_every_control_works_with_the_mouse(name, site, built_book, chromium):
    with _page_with_controls(name, site, built_book, chromium) as page:
        ids = page.evaluate(_ALL_CONTROLS)
        assert ids, "the page's HTML has figure controls, but none is shown"
        problems = []
        for control_id in ids:
            control = _state(page, control_id)
            if control["n"] > 1:
                page.locator(f"#{control_id}").scroll_into_view_if_needed()
                problems += _by_mouse(page, control)
        fail_with(name, problems + error_problems(page))


@pytest.mark.parametrize("name", toc_pages())
def test_tab_alone_reaches_every_control_in_reading_order_and_keys_work_it(name, site, built_book, chromium):
    with _page_with_controls(name, site, built_book, chromium) as page:
        expected = page.evaluate(_ALL_CONTROLS)
        page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
        reached, problems = [], []
        for _ in range(MAX_TABS):
            page.keyboard.press("Tab")
            focused = page.evaluate(_FOCUSED)
            if focused == "<body>" and reached:
                break
            if focused and focused != "<body>" and focused not in reached:
                reached.append(focused)
                problems += _by_keyboard(page, _state(page, focused))
            if len(reached) == len(expected):
                break
        missing = [c for c in expected if c not in reached]
        if missing:
            problems.append(f"Tab never reached {len(missing)} of {len(expected)} controls: {missing[:5]}")
        elif reached != expected:
            problems.append(f"Tab reached the controls out of reading order: {reached} against {expected}")
        fail_with(name, problems + error_problems(page))


def test_every_control_is_a_touch_target_on_a_phone(site, built_book, chromium):
    problems = []
    for name in toc_pages():
        if not _has_controls(html_of(built_book, name)):
            continue
        with new_tab(chromium, viewport=PHONE) as page:
            _open(page, site, name, built_book)
            for control_id in page.evaluate(_ALL_CONTROLS):
                c = _state(page, control_id)
                if c["width"] < TOUCH_PX or c["height"] < TOUCH_PX:
                    problems.append(f"{name}: {c['kind']} {c['name']!r} is {c['width']:.0f} × {c['height']:.0f} px")
    fail_with(f"touch targets at {PHONE['width']} px", problems)
