"""What a reader sees of a figure's colours: its text against its background, in the light and the dark
theme, and its palettes as readers with a colour-vision deficiency see them.

Used by the browser tests (test_figures.py), with ``figure_layout``:

* ``set_theme`` switches the page's theme as its toggle does (``<html data-theme>``) and waits until every
  figure is drawn in it (attn_figures.js turns each colour's lightness over in the dark theme);
* ``theme_problems`` lists text whose contrast with the figure's background is under WCAG AA's 4.5:1 (words on
  a heatmap's cells or inside a bar against the colour under them), and a dark figure that is not drawn on the page's own background;
* ``colour_vision_problems`` lists colours a figure tells apart by colour alone that look alike to a reader
  with protanopia, deuteranopia or tritanopia, as simulated by ``coloraide`` (Machado et al. 2009 for red-green
  deficiencies, Brettel et al. 1997 for tritanopia, at full severity). Two kinds of palette are checked:
  the colours of a figure's legend entries, of one trace's bars, or of a heatmap that shows two or three
  values only (a mask), which must stay ``MIN_APART`` apart (CIEDE2000) pairwise; and each other colour
  scale, sampled at 0, ¼, ½, ¾ and 1, whose neighbouring samples must stay ``MIN_STEP`` apart and whose ends
  ``MIN_APART`` apart, so that its order and its two ends can still be read.
"""

from __future__ import annotations

from itertools import combinations

from coloraide import Color

MIN_CONTRAST = 4.5   # WCAG 2.1 AA, normal text
# CIEDE2000 between colours that mean different things. Calibrated on the Okabe-Ito palette, made for colour-blind
# readers: all but one of its pairs of colours stay this far apart under every simulated deficiency.
MIN_APART = 10.0
MIN_STEP = 5.0       # CIEDE2000 between neighbouring quarters of a colour scale: an order that can be seen
SAMPLES = (0.0, 0.25, 0.5, 0.75, 1.0)
VISIONS = {"typical": None, "protanopia": ("protan", "machado"), "deuteranopia": ("deutan", "machado"),
           "tritanopia": ("tritan", "brettel")}

# Set the theme; resolve when every figure that attn_figures.js draws says it is drawn in it (gd.attnTheme).
_SET_THEME = """(theme) => new Promise((resolve, reject) => {
  document.documentElement.setAttribute('data-theme', theme);
  const plots = () => Array.from(document.querySelectorAll('.attn-fig .js-plotly-plot'));
  const start = performance.now();
  (function poll() {
    const late = plots().filter(gd => gd.attnTheme !== theme);
    if (!late.length) { resolve(true); return; }
    if (performance.now() - start > 20000) { reject(new Error(late.length + ' figures not drawn in the ' + theme + ' theme')); return; }
    setTimeout(poll, 50);
  })();
})"""

# Text of one figure whose contrast with its background is under the minimum; and the background itself.
# Words on a heatmap's cells or in its bars are left out here: _ON_FILLS checks them against their fill.
_CONTRAST = r"""([id, MIN]) => {
  const gd = document.getElementById(id);
  const probe = document.createElement('span'); document.body.appendChild(probe);
  const rgba = c => { probe.style.color = ''; probe.style.color = c; return getComputedStyle(probe).color.match(/[\d.]+/g).map(Number); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const paper = rgba(gd._fullLayout.paper_bgcolor), page = rgba(getComputedStyle(document.body).backgroundColor);
  const pl = lum(paper), low = [];
  gd.querySelectorAll('svg text, svg tspan').forEach(t => {
    const words = t.tagName === 'tspan' ? t.textContent : Array.from(t.childNodes).filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    if (!words.trim() || t.closest('.heatmaplayer, .bars')) { return; }
    const s = getComputedStyle(t);
    if (s.visibility === 'hidden' || s.display === 'none' || !t.getBBox || t.getBBox().width === 0) { return; }
    const c = rgba(s.fill), a = (c.length > 3 ? c[3] : 1) * Number(s.fillOpacity || 1) * Number(s.opacity || 1);
    const l = lum(c) * a + pl * (1 - a);  // near enough for a translucent word on the paper
    const ratio = (Math.max(l, pl) + 0.05) / (Math.min(l, pl) + 0.05);
    if (ratio < MIN) { low.push([words.trim().slice(0, 40), s.fill, Math.round(ratio * 100) / 100]); }
  });
  probe.remove();
  return {low: low, paper: paper.slice(0, 3), page: page.slice(0, 3)};
}"""

# Words written on a fill, each with its contrast against what is drawn under it: a heatmap's numbers against
# the pixel of the heatmap's image under the word's centre (plotly paints the cells into one <image>), a bar's
# words inside it against the bar's fill.
_ON_FILLS = r"""async ([id, MIN]) => {
  const gd = document.getElementById(id);
  const probe = document.createElement('span'); document.body.appendChild(probe);
  const rgba = c => { probe.style.color = ''; probe.style.color = c; return getComputedStyle(probe).color.match(/[\d.]+/g).map(Number); };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
                     return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const la = lum(a), lb = lum(b); return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05); };
  const shown = t => { const s = getComputedStyle(t); return t.textContent.trim() && s.visibility !== 'hidden' && s.display !== 'none' && t.getBBox().width > 0; };
  const low = [], centre = b => [b.x + b.width / 2, b.y + b.height / 2];
  for (const g of gd.querySelectorAll('.heatmaplayer g.hm')) {
    const img = g.querySelector('image'), words = Array.from(g.querySelectorAll('g.heatmap-label text')).filter(shown);
    if (!img || !words.length) { continue; }
    const pic = new Image(); pic.src = img.getAttribute('href') || img.getAttribute('xlink:href');
    await pic.decode();
    const canvas = document.createElement('canvas'); canvas.width = pic.naturalWidth; canvas.height = pic.naturalHeight;
    const ctx = canvas.getContext('2d'); ctx.drawImage(pic, 0, 0);
    const x0 = +img.getAttribute('x'), y0 = +img.getAttribute('y'), w = +img.getAttribute('width'), h = +img.getAttribute('height');
    for (const t of words) {
      const [cx, cy] = centre(t.getBBox());
      const px = Math.min(pic.naturalWidth - 1, Math.max(0, Math.floor((cx - x0) / w * pic.naturalWidth)));
      const py = Math.min(pic.naturalHeight - 1, Math.max(0, Math.floor((cy - y0) / h * pic.naturalHeight)));
      const cell = Array.from(ctx.getImageData(px, py, 1, 1).data.slice(0, 3)), ink = rgba(getComputedStyle(t).fill);
      const r = ratio(ink, cell);
      if (r < MIN) { low.push([t.textContent.trim().slice(0, 20), 'a cell of rgb(' + cell.join(',') + ')', Math.round(r * 100) / 100]); }
    }
  }
  for (const p of gd.querySelectorAll('.bars .point')) {
    const bar = p.querySelector('path'), t = p.querySelector('text.bartext');
    if (!bar || !t || !shown(t)) { continue; }
    const b = bar.getBBox(), [cx, cy] = centre(t.getBBox());
    if (cx < b.x || cx > b.x + b.width || cy < b.y || cy > b.y + b.height) { continue; }  // written beside its bar
    const fill = rgba(getComputedStyle(bar).fill);
    for (const w of [t, ...t.querySelectorAll('tspan')]) {
      if (!w.textContent.trim()) { continue; }
      const r = ratio(rgba(getComputedStyle(w).fill), fill);
      if (r < MIN) { low.push([w.textContent.trim().slice(0, 20), 'a bar of rgb(' + fill.slice(0, 3).join(',') + ')', Math.round(r * 100) / 100]); }
    }
  }
  probe.remove();
  return low;
}"""

# The palettes of one figure in its current state: the colours of its legend entries, of each trace's bars or
# markers when they differ, and every colour scale a visible trace uses (as its stops).
_PALETTES = """(id) => {
  const gd = document.getElementById(id), legend = [], groups = [], scales = [];
  const colourOf = t => { const c = (t.line || {}).color || (t.marker || {}).color; return typeof c === 'string' ? c : null; };
  gd._fullData.forEach(t => {
    if (t.visible !== true) { return; }
    if (t.showlegend && t.name && colourOf(t)) { legend.push([t.name, colourOf(t)]); }
    const many = (t.marker || {}).color;
    if (Array.isArray(many) && typeof many[0] === 'string') { groups.push(Array.from(new Set(many))); }
    const m = t.marker || {}, scale = t.type === 'heatmap' ? t.colorscale
      : (Array.isArray(m.color) && typeof m.color[0] === 'number' ? m.colorscale : null);
    if (!Array.isArray(scale) || new Set(scale.map(s => s[1])).size < 2) { return; }  // none, or a flat fill
    // a heatmap of two or three values (a mask; pad, special, word) uses its scale as categories
    const values = t.type === 'heatmap' ? Array.from(new Set([].concat.apply([], t.z).filter(v => v !== null))) : [];
    const span = (t.zmax - t.zmin) || 1;
    scales.push({stops: scale, categories: values.length && values.length <= 3
      ? values.sort((a, b) => a - b).map(v => (v - t.zmin) / span) : null});
  });
  const seen = new Map(); legend.forEach(([n, c]) => { if (!seen.has(c)) { seen.set(c, n); } });
  return {legend: Array.from(seen, ([c, n]) => [n, c]), groups: groups, scales: scales};
}"""


def set_theme(page, theme: str) -> None:
    page.evaluate(_SET_THEME, theme)


def theme_problems(page, fig_id: str, theme: str) -> list[str]:
    found = page.evaluate(_CONTRAST, [fig_id, MIN_CONTRAST])
    problems = [f"{theme}: the words {words!r} ({fill}) have {ratio}:1 contrast with the background, under "
                f"{MIN_CONTRAST}:1" for words, fill, ratio in found["low"]]
    problems += [f"{theme}: the words {words!r} on {under} have {ratio}:1 contrast with it, under {MIN_CONTRAST}:1"
                 for words, under, ratio in page.evaluate(_ON_FILLS, [fig_id, MIN_CONTRAST])]
    if theme == "dark" and found["paper"] != found["page"]:
        problems.append(f"dark: the figure is drawn on rgb{tuple(found['paper'])}, not on the page's "
                        f"rgb{tuple(found['page'])}")
    return problems


def seen_as(colour: Color, vision: str) -> Color:
    how = VISIONS[vision]
    return colour if how is None else colour.filter(how[0], method=how[1]).fit("srgb")


def apart(a: Color, b: Color, vision: str) -> float:
    return seen_as(a, vision).delta_e(seen_as(b, vision), method="2000")


def scale_at(stops: list, value: float) -> Color:
    """The colour a plotly colour scale gives ``value`` in 0..1: linear in sRGB between its stops."""
    stops = sorted(((float(v), Color(c)) for v, c in stops), key=lambda s: s[0])  # a discrete scale repeats values
    for (v0, c0), (v1, c1) in zip(stops, stops[1:]):
        if v0 <= value <= v1:
            return c0.mix(c1, 0 if v1 == v0 else (value - v0) / (v1 - v0), space="srgb")
    return stops[0][1] if value < stops[0][0] else stops[-1][1]


def palette_problems(named: list[tuple[str, str]], what: str) -> list[str]:
    """Colours that mean different things (``named``: (meaning, colour)) and look alike to some reader."""
    problems = []
    for (n1, c1), (n2, c2) in combinations(named, 2):
        for vision in VISIONS:
            d = apart(Color(c1), Color(c2), vision)
            if d < MIN_APART:
                problems.append(f"{what}: {n1!r} ({c1}) and {n2!r} ({c2}) are {d:.1f} apart with {vision}, "
                                f"under {MIN_APART}")
                break
    return problems


def scale_problems(stops: list) -> list[str]:
    samples = [scale_at(stops, v) for v in SAMPLES]
    problems = []
    for vision in VISIONS:
        steps = [apart(a, b, vision) for a, b in zip(samples, samples[1:])]
        ends = apart(samples[0], samples[-1], vision)
        if min(steps) < MIN_STEP or ends < MIN_APART:
            problems.append(f"the colour scale {[c for _, c in stops][:3]}… with {vision}: quarters "
                            f"{', '.join(f'{s:.1f}' for s in steps)} apart, ends {ends:.1f} (need {MIN_STEP} "
                            f"and {MIN_APART})")
    return problems


def colour_vision_problems(page, fig_id: str) -> list[str]:
    p = page.evaluate(_PALETTES, fig_id)
    problems = palette_problems([tuple(x) for x in p["legend"]], "legend")
    for group in p["groups"]:
        problems += palette_problems([(c, c) for c in group], "bars or markers")
    seen = set()
    for scale in p["scales"]:
        key = repr(scale)
        if key in seen:
            continue
        seen.add(key)
        if scale["categories"]:  # only these values are drawn: each must stand apart from the others
            colours = [scale_at(scale["stops"], v).to_string(hex=True) for v in scale["categories"]]
            problems += palette_problems([(c, c) for c in colours], "the values of a heatmap")
        else:
            problems += scale_problems(scale["stops"])
    return problems
