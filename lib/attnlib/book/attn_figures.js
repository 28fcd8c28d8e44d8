/* The book's figures in the page (see attnlib.book.display.figure_html). Every `.attn-fig` holds a plotly
   figure, the figure's spec (script.attn-fig-spec: its readable width, its narrow twin, and for a static
   twin the table of its precomputed states), its description in words and a closed "data" block; a static
   twin also holds its page controls (<input type="range">, <select>).

   - attnFigures.plot draws a figure in the layout that fits its column: the wide one, or the narrow twin
     (panels stacked, texts wrapped) when the column is narrower than the wide one's readable width; the
     figure is laid out again when the column crosses that width.
   - A control that moves shows the state the choices point to: its traces, its layout, its description.
   - The data block, when opened, is filled with the numbers the figure plots now, as tables.
   - gd.attnStates = {count, show(k), reset()} lets whoever wants to look at every state do so. */
(function () {
  'use strict';

  function number(v) {
    if (typeof v !== 'number' || !isFinite(v)) { return v === null || v === undefined ? '' : String(v); }
    var text = Math.abs(v) >= 1000 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
    return text === '-0' ? '0' : text;
  }

  function plain(text) {
    var el = document.createElement('span');
    el.innerHTML = String(text === undefined || text === null ? '' : text).replace(/<br\s*\/?>/gi, ' ');
    return el.textContent.replace(/\s+/g, ' ').trim();
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

  function fit(gd, mode) {
    var box = gd.attnBox, spec = gd.attnSpec;
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
    if (box) { fit(gd, gd.attnMode); }
    var first = gd.attnMode === 'wide' ? {data: data, layout: layout} : view(gd, gd.attnMode, gd.attnIndex);
    return Plotly.newPlot(gd, first.data, first.layout, config);
  }

  function render(gd) {
    var v = view(gd, gd.attnMode, gd.attnIndex);
    fit(gd, gd.attnMode);
    return Plotly.react(gd, v.data, v.layout, gd.attnConfig);
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
          if (new Set(row).size < 2) { continue; }  // a row of equal values has no column that stands out
          if (count === MAX_ROWS) { strongest.push('…'); break; }
          row.forEach(function (v, j) { if (best < 0 || v > row[best]) { best = j; } });
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
  }
  window.attnFigures = {plot: plot, describe: describe};
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
