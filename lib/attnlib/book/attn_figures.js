/* The book's figures in the page (see attnlib.book.display.figure_html). Every `.attn-fig` holds a plotly
   figure, the figure's spec (script.attn-fig-spec: its readable width, its narrow twin, and for a static
   twin the table of its precomputed states), its description in words and a closed "data" block; a static
   twin also holds its page controls (<input type="range">, <select>).

   - attnFigures.plot draws a figure in the layout that fits its column: the wide one, or the narrow twin
     (panels stacked, texts wrapped) when the column is narrower than the wide one's readable width; the
     figure is laid out again when the column crosses that width.
   - A control that moves shows the state the choices point to: its traces, its layout, its description.
   - The data block, when opened, is filled with the numbers the figure plots now, as tables.
   - In the dark theme every colour of a figure has its CIELAB lightness turned over (hue and saturation
     kept): white becomes the page's own background, black becomes white, a pale colour dark. What stood
     out from the white paper stands out from the dark page by about as much, and text keeps its contrast.
     A colour scale that faded into the paper fades into the page (its order kept); one made for any
     background (viridis) keeps its colours; a trace's lines, bars and markers keep 3:1 against the page.
     The figures follow the theme toggle live.
   - gd.attnStates = {count, show(k), reset()} lets whoever wants to look at every state do so.
   - Figures written into the page are drawn once it is parsed (see drain); attnFigures.settled says when. */
(function () {
  'use strict';

  function number(v) {
    if (typeof v !== 'number' || !isFinite(v)) { return v === null || v === undefined ? '' : String(v); }
    var text = Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
    return text === '-0' ? '0' : text;
  }

  // Text as it is said (attnlib.book.describe.plain): without the markup plotly draws, entities decoded; a
  // word in angle brackets (<bos>, <pad>) is a word, not a tag
  var TAGS = /<\/?(b|i|em|sup|sub|span|br|a)\b[^>]*>/gi;
  function plain(text) {
    var el = document.createElement('textarea');  // decodes entities, and reads no tags
    el.innerHTML = String(text === undefined || text === null ? '' : text).replace(/<br\s*\/?>/gi, ' ').replace(TAGS, '');
    return el.value.replace(/\s+/g, ' ').trim();
  }

  // the layout with whole labels: the wide figure's (a narrow one may shorten them), or, for a figure another
  // script redraws, the one it shows
  function labelled(gd) {
    var spec = gd.attnSpec || {};
    if (!gd.attnWide || spec.redrawn) { return gd.layout || {}; }
    return Object.assign({}, gd.attnWide.layout, spec.spans ? spec.layouts[gd.attnIndex] : {});
  }

  // tick value -> the word the axis shows there (the book's heatmaps plot words on numeric axes)
  function labeller(gd, trace, letter) {
    var ref = trace[letter + 'axis'] || letter;
    var axis = labelled(gd)[letter + 'axis' + ref.slice(1)] || {};
    var vals = axis.tickvals || [], text = axis.ticktext || [];
    var title = plain(((axis.title || {}).text) || '');
    return {title: title, of: function (v) { var i = vals.indexOf(v); return i >= 0 ? plain(text[i]) : number(v); }};
  }

  function cell(tag, text, scope) {
    var el = document.createElement(tag);
    el.textContent = text;
    if (scope) { el.setAttribute('scope', scope); }
    return el;
  }

  function table(caption, head, rows) {
    var t = document.createElement('table');
    t.appendChild(cell('caption', caption));
    var thead = t.createTHead().insertRow();
    head.forEach(function (h) { thead.appendChild(cell('th', h, 'col')); });
    var body = t.createTBody();
    rows.forEach(function (r) {
      var tr = body.insertRow();
      tr.appendChild(cell('th', r[0], 'row'));
      r.slice(1).forEach(function (v) { tr.appendChild(cell('td', v)); });
    });
    return t;
  }

  function traceTable(gd, trace, k) {
    var name = plain(trace.name) || 'series ' + (k + 1);
    var x = labeller(gd, trace, 'x'), y = labeller(gd, trace, 'y');
    if (trace.type === 'heatmap' && trace.z) {
      var xs = trace.x || trace.z[0].map(function (_, j) { return j; });
      var ys = trace.y || trace.z.map(function (_, i) { return i; });
      return table(name === 'series ' + (k + 1) ? 'heatmap' : name,
                   [(y.title || 'row') + ' \\ ' + (x.title || 'column')].concat(xs.map(x.of)),
                   trace.z.map(function (row, i) { return [y.of(ys[i])].concat(row.map(number)); }));
    }
    if ((trace.type === 'bar' || trace.type === 'scatter') && trace.y) {
      var horizontal = trace.orientation === 'h';
      var cats = horizontal ? trace.y : (trace.x || trace.y.map(function (_, i) { return i; }));
      var vals = horizontal ? trace.x : trace.y;
      var c = horizontal ? y : x, v = horizontal ? x : y;
      return table(name, [c.title || 'x', v.title || 'value'],
                   cats.map(function (u, i) { return [c.of(u), number(vals[i])]; }));
    }
    return null;
  }

  // the numbers of the traces shown now (a static twin hides the other states' traces)
  function tables(gd) {
    var out = document.createDocumentFragment();
    (gd.data || []).forEach(function (trace, k) {
      if (trace.visible === false) { return; }
      var t = traceTable(gd, trace, k);
      if (t) { out.appendChild(t); }
    });
    if (!out.childNodes.length) { out.appendChild(cell('p', 'This figure plots no numbers.')); }
    return out;
  }


  // -- the dark theme ------------------------------------------------------------------------------
  // sRGB <-> CIELAB (D65): lightness L* in 0..100 is what the dark theme turns over
  function linear(c) { c /= 255; return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); }
  function gamma(c) {
    c = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
    return Math.round(255 * Math.min(1, Math.max(0, c)));
  }
  var WHITE = [0.95047, 1, 1.08883];  // the D65 white point
  function f(t) { return t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116; }
  function finv(t) { return t * t * t > 216 / 24389 ? t * t * t : (116 * t - 16) / (24389 / 27); }
  function toLab(rgb) {
    var r = linear(rgb[0]), g = linear(rgb[1]), b = linear(rgb[2]);
    var xyz = [0.4124564 * r + 0.3575761 * g + 0.1804375 * b, 0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
               0.0193339 * r + 0.1191920 * g + 0.9503041 * b];
    var fx = f(xyz[0] / WHITE[0]), fy = f(xyz[1] / WHITE[1]), fz = f(xyz[2] / WHITE[2]);
    return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
  }
  function fromLab(lab) {
    var fy = (lab[0] + 16) / 116, fx = fy + lab[1] / 500, fz = fy - lab[2] / 200;
    var x = WHITE[0] * finv(fx), y = WHITE[1] * finv(fy), z = WHITE[2] * finv(fz);
    return [gamma(3.2404542 * x - 1.5371385 * y - 0.4985314 * z), gamma(-0.9692660 * x + 1.8760108 * y + 0.0415560 * z),
            gamma(0.0556434 * x - 0.2040259 * y + 1.0572252 * z)];
  }

  var canvas = null;
  // any CSS colour -> [r, g, b, alpha], or null for what is not a colour
  function parse(text) {
    if (!canvas) { canvas = document.createElement('canvas').getContext('2d'); }
    canvas.fillStyle = '#010203';
    canvas.fillStyle = text;
    var c = canvas.fillStyle;
    if (c === '#010203' && !/^\s*#010203\s*$/i.test(text)) { return null; }  // not a colour: left as it was
    if (c.charAt(0) === '#') {
      return [parseInt(c.slice(1, 3), 16), parseInt(c.slice(3, 5), 16), parseInt(c.slice(5, 7), 16), 1];
    }
    var n = c.match(/[\d.]+/g).map(Number);
    return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1];
  }

  function isDark() { return document.documentElement.getAttribute('data-theme') === 'dark'; }

  // the page's own background, which white becomes (black becomes white: text keeps its contrast)
  var ends = null;
  function pageEnds() {
    if (!ends) {
      var bg = parse(getComputedStyle(document.body).backgroundColor) || [18, 18, 18, 1];
      ends = {paper: toLab(bg)[0], ink: 100, bg: 'rgb(' + bg.slice(0, 3).join(',') + ')'};
    }
    return ends;
  }

  // WCAG 2 contrast of two [r, g, b]
  function luminance(rgb) {
    return 0.2126 * linear(rgb[0]) + 0.7152 * linear(rgb[1]) + 0.0722 * linear(rgb[2]);
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }

  // A mark (a line, a bar, a marker) in a saturated mid colour reads the same on the dark page and keeps it:
  // turned over, an orange becomes a brown beside the red it was told apart from. A pale or grey mark means
  // "faded" and turns over with everything else.
  var KEEP_CHROMA = 40, KEEP_LIGHTNESS = 75, KEEP_CONTRAST = 4.5;  // 4.5:1: enough for a trace's words too
  function keepsItsColour(lab, rgb, page) {
    return Math.sqrt(lab[1] * lab[1] + lab[2] * lab[2]) >= KEEP_CHROMA && lab[0] <= KEEP_LIGHTNESS &&
      contrast(rgb, page) >= KEEP_CONTRAST;
  }

  // A colour turned over; a mark (a line, a bar, a marker, a word of a trace) no fainter than 3:1 against the
  // page (WCAG's contrast for graphics): a mid-light green or orange would otherwise sink into it.
  var turned = {};
  var MARK_CONTRAST = 3;
  function darkColour(text, mark) {
    if (typeof text !== 'string') { return text; }
    var key = (mark ? 'mark:' : '') + text;
    if (!(key in turned)) {
      var c = parse(text);
      var e = pageEnds(), lab = c && toLab(c), page = parse(e.bg);
      if (!c || c[3] === 0) { turned[key] = text; } else if (mark && keepsItsColour(lab, c, page)) {
        turned[key] = text;
      } else {
        var l = e.paper + (100 - lab[0]) * (e.ink - e.paper) / 100;
        var rgb = fromLab([l, lab[1], lab[2]]);
        while (mark && l < 100 && contrast(rgb, page) < MARK_CONTRAST) {
          l += 1;
          rgb = fromLab([l, lab[1], lab[2]]);
        }
        turned[key] = c[3] === 1 ? 'rgb(' + rgb.join(',') + ')' : 'rgba(' + rgb.join(',') + ',' + c[3] + ')';
      }
    }
    return turned[key];
  }

  // A colour scale is turned over when it fades into the white paper (a whitish stop: Blues, Oranges, RdBu's
  // middle), so that it fades into the dark page instead; a scale made to be read on any background (viridis)
  // keeps its colours, and a figure that says "yellow is high" stays true.
  function fadesIntoPaper(scale) {
    return Array.isArray(scale) && scale.some(function (stop) {
      var c = Array.isArray(stop) && parse(stop[1]);
      if (!c) { return false; }
      var lab = toLab(c);
      return lab[0] > 90 && Math.sqrt(lab[1] * lab[1] + lab[2] * lab[2]) < 15;
    });
  }

  var COLOUR_KEY = /(color|colorway|colorscale|colors)$/i;
  var INLINE = /(color\s*:\s*)(#[0-9a-f]{3,8}\b|rgba?\([^)]*\)|[a-z]+)/gi;  // <span style='color:#bbb'> in a label
  function darkStrings(value, mark) {  // every string under a colour key: a colour, a list, a scale's stops
    if (typeof value === 'string') { return darkColour(value, mark); }
    if (Array.isArray(value)) { return value.map(function (v) { return darkStrings(v, mark); }); }
    return value;
  }
  // ``mark``: inside a trace, where a colour named ``color`` draws a line, a bar, a marker or a word (the
  // template's colorway gives traces their colours too)
  function darkened(value, key, mark) {
    if (key && /colorscale$/i.test(key)) { return fadesIntoPaper(value) ? darkStrings(value) : value; }
    if (key && COLOUR_KEY.test(key)) { return darkStrings(value, (mark && key === 'color') || key === 'colorway'); }
    if (typeof value === 'string') {
      return value.indexOf('color') < 0 ? value : value.replace(INLINE, function (_, head, c) { return head + darkColour(c); });
    }
    if (Array.isArray(value)) {
      return value.length && typeof value[0] === 'number' ? value : value.map(function (v) { return darkened(v, undefined, mark); });
    }
    if (value && typeof value === 'object') {
      var out = {};
      Object.keys(value).forEach(function (k) { out[k] = darkened(value[k], k, mark); });
      return out;
    }
    return value;
  }

  // a figure as the page's theme shows it: as written in the light theme, its colours turned in the dark
  function themed(data, layout) {
    if (!isDark()) { return {data: data, layout: layout}; }
    var l = darkened(layout);
    l.paper_bgcolor = pageEnds().bg;  // exactly the page: no card around the figure
    return {data: data.map(function (t) { return darkened(t, undefined, true); }), layout: l};
  }

  function theme() { return isDark() ? 'dark' : 'light'; }

  // Words written on a fill (a heatmap's cell, a bar) keep 4.5:1 contrast with it. Plotly's own choice, #444
  // or white by a brightness cut, leaves mid-light cells near 4:1 in either theme; a word whose colour is too
  // faint for its fill becomes black or white, whichever stands out more (one of them always reaches 4.58:1).
  var WORD_CONTRAST = 4.5, BLACK_INK = [0, 0, 0], WHITE_INK = [255, 255, 255];
  function inkOn(fill, word) {
    var w = parse(word);
    if (!fill || (w && contrast(w, fill) >= WORD_CONTRAST)) { return null; }
    return contrast(BLACK_INK, fill) >= contrast(WHITE_INK, fill) ? 'rgb(0,0,0)' : 'rgb(255,255,255)';
  }
  // the colour a heatmap trace (as plotly filled it in) gives the value z: its scale, linear in RGB between stops
  function cellColour(trace, z) {
    var scale = trace.colorscale, lo = trace.zmin, hi = trace.zmax;
    if (!Array.isArray(scale) || typeof z !== 'number' || !(hi > lo)) { return null; }
    var at = Math.min(1, Math.max(0, (z - lo) / (hi - lo)));
    if (trace.reversescale) { at = 1 - at; }
    for (var i = 1; i < scale.length; i++) {
      if (at <= scale[i][0] || i === scale.length - 1) {
        var a = parse(scale[i - 1][1]), b = parse(scale[i][1]), span = scale[i][0] - scale[i - 1][0];
        var f = span > 0 ? Math.min(1, Math.max(0, (at - scale[i - 1][0]) / span)) : 1;
        return [0, 1, 2].map(function (c) { return a[c] + (b[c] - a[c]) * f; });
      }
    }
    return null;
  }
  function inkWords(gd) {
    Array.prototype.forEach.call(gd.querySelectorAll('.heatmaplayer g.hm'), function (g) {
      var trace = g.__data__ && g.__data__[0] && g.__data__[0].trace;
      if (!trace) { return; }
      Array.prototype.forEach.call(g.querySelectorAll('g.heatmap-label text'), function (t) {
        var ink = inkOn(cellColour(trace, (t.parentNode.__data__ || {}).z), getComputedStyle(t).fill);
        if (ink) { t.style.fill = ink; }
      });
    });
    Array.prototype.forEach.call(gd.querySelectorAll('.bars .point'), function (p) {
      var bar = p.querySelector('path'), t = p.querySelector('text.bartext');
      if (!bar || !t) { return; }
      var box = bar.getBBox(), words = t.getBBox();  // only words inside their bar stand on its fill
      if (words.x < box.x || words.x + words.width > box.x + box.width || words.y < box.y || words.y + words.height > box.y + box.height) { return; }
      var fill = parse(getComputedStyle(bar).fill);
      Array.prototype.forEach.call([t].concat(Array.prototype.slice.call(t.querySelectorAll('tspan'))), function (w) {
        var ink = inkOn(fill, getComputedStyle(w).fill);
        if (ink) { w.style.fill = ink; }
      });
    });
  }

  // once plotly has drawn it, a figure records the theme it is drawn in (gd.attnTheme); its words on fills are
  // inked after every drawing, plotly's own redraws (a resize) included
  function drawn(gd, promise) {
    var now = theme();
    return Promise.resolve(promise).then(function (value) {
      if (!gd.attnInked && gd.on) { gd.attnInked = true; gd.on('plotly_afterplot', function () { inkWords(gd); }); }
      inkWords(gd);
      gd.attnTheme = now;
      return value;
    });
  }

  var themeListeners = [];
  function onTheme(fn) { themeListeners.push(fn); }
  var shownTheme = null;  // the theme the figures were drawn in: the page's when this script ran
  function themeChanged() {
    var now = theme();
    if (now === shownTheme) { return; }
    shownTheme = now;
    ends = null;
    turned = {};
    themeListeners.forEach(function (fn) { fn(now); });
  }

  function specOf(box) {
    if (!box.attnSpec) {
      var node = box.querySelector('script.attn-fig-spec');
      box.attnSpec = node ? JSON.parse(node.textContent) : {};
    }
    return box.attnSpec;
  }

  // 'narrow' when the column cannot hold the wide figure and a narrow twin exists
  function modeFor(box, spec) {
    return spec.narrow && box.clientWidth < spec.min_width ? 'narrow' : 'wide';
  }

  // what the figure shows in one mode and state: its traces (only the state's visible) and its layout
  function view(gd, mode, k) {
    var spec = gd.attnSpec, wide = gd.attnWide, narrow = mode === 'narrow' ? spec.narrow : null;
    var base = narrow ? Object.assign({}, narrow.layout, {template: wide.layout.template}) : wide.layout;
    var own = spec.spans ? (narrow ? narrow.layouts : spec.layouts)[k] : {};
    var changes = narrow ? narrow.traces : wide.traces;
    var data = wide.data.map(function (trace, i) {
      var t = Object.assign({}, trace, changes[i] || {});
      if (spec.spans) { t.visible = i >= spec.spans[k][0] && i < spec.spans[k][1]; }
      return t;
    });
    return {data: data, layout: Object.assign({}, base, own)};
  }

  // the figure's box as wide as the mode needs, and as tall as the layout drawn in it (a narrow twin's stacked
  // panels are taller than the wide figure the page was written with: its box must grow with them)
  function fit(gd, mode, height) {
    var box = gd.attnBox, spec = gd.attnSpec;
    if (typeof height === 'number') {  // plotly's own wrapper <div> was written as tall as the wide figure
      gd.style.height = height + 'px';
      if (gd.parentElement && gd.parentElement.style.height) { gd.parentElement.style.height = height + 'px'; }
    }
    var need = mode === 'narrow' ? spec.narrow.min_width : spec.min_width;
    var inner = box.querySelector('.attn-figure-inner');
    if (inner) { inner.style.minWidth = need + 'px'; }
    box.classList.toggle('attn-scrolls', box.clientWidth < need);
  }

  // the wide figure as written into the page, kept to go back to; then drawn in the mode its column wants
  function plot(id, data, layout, config) {
    var gd = document.getElementById(id);
    var box = gd.closest('.attn-fig');
    var spec = box ? specOf(box) : {};
    var traces = {};  // what a narrow twin changes in a trace, as the wide figure has it, to go back to
    Object.keys((spec.narrow || {}).traces || {}).forEach(function (i) {
      traces[i] = {};
      Object.keys(spec.narrow.traces[i]).forEach(function (key) { traces[i][key] = data[i][key]; });
    });
    gd.attnBox = box;
    gd.attnSpec = spec;
    gd.attnWide = {data: data, layout: layout, traces: traces};
    gd.attnConfig = config;
    gd.attnMode = box ? modeFor(box, spec) : 'wide';
    gd.attnIndex = 0;
    if (spec.spans) {  // the default state's index: the one whose traces are visible
      spec.spans.forEach(function (s, k) { if (data[s[0]] && data[s[0]].visible === true) { gd.attnIndex = k; } });
    }
    if (box) { fit(gd, gd.attnMode, layoutOf(gd).height); }  // the box has its height before the figure is drawn
    if (document.readyState !== 'loading') {
      gd.attnFirst = firstDraw(gd);
    } else {
      gd.attnFirst = new Promise(function (resolve) {
        gd.attnQueued = function () { gd.attnQueued = null; resolve(firstDraw(gd)); };
      });
      queue.push(gd);
    }
    return gd.attnFirst;
  }

  // a queued figure drawn now (its turn has come); resolves when it is drawn
  function drawNow(gd) {
    if (gd.attnQueued) { gd.attnQueued(); }
    return gd.attnFirst || Promise.resolve(gd);
  }

  // what a figure shows first: the wide figure as written, or its view in the mode its column wants
  function layoutOf(gd) {
    return gd.attnMode === 'wide' ? gd.attnWide.layout : view(gd, gd.attnMode, gd.attnIndex).layout;
  }
  function firstDraw(gd) {
    if (gd._fullLayout) { return Promise.resolve(gd); }  // drawn already: a control, the theme or a live model came first
    var first = gd.attnMode === 'wide' ? {data: gd.attnWide.data, layout: gd.attnWide.layout}
      : view(gd, gd.attnMode, gd.attnIndex);
    if (gd.attnBox) { fit(gd, gd.attnMode, first.layout.height); }
    first = themed(first.data, first.layout);
    return drawn(gd, Plotly.newPlot(gd, first.data, first.layout, gd.attnConfig));
  }

  // While the page is parsed, its figures are laid out (their boxes sized) and queued, not drawn: the parser
  // never waits for plotly, so the page's text, its scripts and an in-page model come first. Once the page is
  // parsed the queue is drawn in the page's order, one figure per task, at the lowest priority the browser
  // offers (scheduler.postTask's 'background'), so that the reader's clicks and a model's messages are heard
  // between them; attnFigures.settled resolves when the last one is drawn.
  var queue = [], settle = null;
  var settled = new Promise(function (resolve) { settle = resolve; });
  function later(fn) {
    if (window.scheduler && window.scheduler.postTask) { window.scheduler.postTask(fn, {priority: 'background'}); } else { setTimeout(fn, 0); }
  }
  function drain() {
    if (queue.length) { drawNow(queue.shift()); }
    if (queue.length) { later(drain); } else { settle(); }
  }

  function render(gd) {
    var v = view(gd, gd.attnMode, gd.attnIndex);
    v = themed(v.data, v.layout);
    fit(gd, gd.attnMode, v.layout.height);
    return drawn(gd, Plotly.react(gd, v.data, v.layout, gd.attnConfig));
  }

  // The words a screen reader hears for a heatmap, as attnlib.book.describe says them in Python: the title,
  // the heatmap's size and range, and row by row the column that holds the most (for a script that redraws
  // a figure itself, such as the in-page translator).
  var MAX_ROWS = 6;
  function describe(gd) {
    var title = (gd.layout || {}).title || {};
    var head = [plain(title.text), plain((title.subtitle || {}).text)].filter(Boolean).join('. ');
    var said = (gd.data || []).filter(function (t) { return t.visible !== false && t.type === 'heatmap' && t.z; })
      .map(function (t) {
        var x = labeller(gd, t, 'x'), y = labeller(gd, t, 'y');
        var z = t.z, cells = [].concat.apply([], z).filter(function (v) { return v !== null && v !== undefined; });
        if (!z.length || !cells.length) { return 'an empty heatmap'; }
        var xs = t.x || z[0].map(function (_, j) { return j; }), ys = t.y || z.map(function (_, i) { return i; });
        var text = 'a heatmap of ' + z.length + ' rows' + (y.title ? ' (' + y.title + ')' : '') + ' by ' +
          z[0].length + ' columns' + (x.title ? ' (' + x.title + ')' : '') + ', values ' +
          number(Math.min.apply(null, cells)) + ' to ' + number(Math.max.apply(null, cells));
        var strongest = [], count = 0;
        for (var i = 0; i < z.length; i++) {
          var row = z[i], best = -1;
          var known = row.filter(function (v) { return v !== null && v !== undefined; });  // a masked cell holds nothing
          if (new Set(known).size < 2) { continue; }  // a row of equal values has no column that stands out
          if (count === MAX_ROWS) { strongest.push('…'); break; }
          // the largest, the last of equal ones (Python's max of (value, column))
          row.forEach(function (v, j) { if (v !== null && v !== undefined && (best < 0 || v >= row[best])) { best = j; } });
          strongest.push(y.of(ys[i]) + ' → ' + x.of(xs[best]) + ' ' + number(row[best]));
          count += 1;
        }
        return strongest.length ? text + '; the largest in each row: ' + strongest.join(', ').replace(', …', ' …') : text;
      });
    var body = said.join('; ');
    body = body.charAt(0).toUpperCase() + body.slice(1);
    return [head, body].filter(Boolean).join('. ') + '.';
  }

  function wire(box) {
    var gd = box.querySelector('.plotly-graph-div');
    if (!gd || !gd.attnWide || box.attnWired) { return; }
    box.attnWired = true;
    var desc = box.querySelector('.attn-figure-desc');
    var details = box.querySelector('details.attn-figure-data');
    var holder = details && details.querySelector('.attn-figure-table');
    function refresh() {
      if (details && details.open) { holder.replaceChildren(tables(gd)); }
    }
    if (details) { details.addEventListener('toggle', refresh); }
    if (window.ResizeObserver && !gd.attnSpec.redrawn) {  // a column that crosses the wide figure's readable width
      new ResizeObserver(function () {
        var mode = modeFor(box, gd.attnSpec);
        if (mode !== gd.attnMode) { gd.attnMode = mode; render(gd); } else { fit(gd, mode); }
      }).observe(box);
    }
    // a redrawing script follows the theme itself; a figure still queued is drawn in the theme of its turn
    if (!gd.attnSpec.redrawn) { onTheme(function () { if (!gd.attnQueued) { render(gd); } }); }
    var t = gd.attnSpec;
    if (!t.spans) { return; }
    var state = t.state.slice();
    var sizes = t.params.map(function (p) { return p.values.length; });
    function index() {
      var k = 0;
      for (var j = 0; j < sizes.length; j++) { k = k * sizes[j] + state[j]; }
      return k;
    }
    function show(k) {
      gd.attnIndex = k;
      if (desc) { desc.textContent = t.descriptions[k]; }
      return render(gd).then(function () { refresh(); return gd; });
    }
    var controls = Array.prototype.slice.call(box.querySelectorAll('[data-param]'));
    controls.forEach(function (control) {
      var j = parseInt(control.getAttribute('data-param'), 10);
      function choose() {
        var v = parseInt(control.value, 10);
        if (isNaN(v) || v < 0 || v >= sizes[j]) { return; }
        state[j] = v;
        if (control.type === 'range') {  // the slider says its value, not its index
          var label = t.params[j].values[v];
          control.setAttribute('aria-valuetext', label);
          var out = box.querySelector('output[for="' + control.id + '"]');
          if (out) { out.textContent = label; }
        }
        show(index());
      }
      control.addEventListener(control.type === 'range' ? 'input' : 'change', choose);
    });
    gd.attnStates = {count: t.spans.length, show: show, reset: function () { return show(index()); }};
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll('.attn-fig'), wire);
    // the theme's toggle (and the system's setting, in its 'auto' mode) sets <html data-theme>, which its
    // script may first do after the figures were drawn
    new MutationObserver(themeChanged).observe(document.documentElement, {attributes: true, attributeFilter: ['data-theme']});
    themeChanged();
    later(drain);  // after the other scripts that waited for the parsed page
  }
  shownTheme = theme();
  window.attnFigures = {plot: plot, describe: describe, themed: themed, onTheme: onTheme, drawn: drawn,
                        settled: settled};
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
