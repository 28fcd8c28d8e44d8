/* The book's figures in the page (see attnlib.book.display.figure_html): every `.attn-fig` holds a plotly
   figure, its description in words and a closed "data" block; a static twin also holds its page controls
   (<input type="range">, <select>) and the table of its precomputed states (script.attn-fig-states).

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

  // tick value -> the word the axis shows there (the book's heatmaps plot words on numeric axes)
  function labeller(gd, trace, letter) {
    var ref = trace[letter + 'axis'] || letter;
    var axis = (gd.layout || {})[letter + 'axis' + ref.slice(1)] || {};
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

  function wire(box) {
    var gd = box.querySelector('.plotly-graph-div');
    if (!gd || box.attnWired) { return; }
    box.attnWired = true;
    var desc = box.querySelector('.attn-figure-desc');
    var details = box.querySelector('details.attn-figure-data');
    var holder = details && details.querySelector('.attn-figure-table');
    function refresh() {
      if (details && details.open) { holder.replaceChildren(tables(gd)); }
    }
    if (details) { details.addEventListener('toggle', refresh); }
    var node = box.querySelector('script.attn-fig-states');
    if (!node) { return; }
    var t = JSON.parse(node.textContent);
    var state = t.state.slice();
    var sizes = t.params.map(function (p) { return p.values.length; });
    function index() {
      var k = 0;
      for (var j = 0; j < sizes.length; j++) { k = k * sizes[j] + state[j]; }
      return k;
    }
    function show(k) {
      var vis = [];
      for (var i = 0; i < t.n; i++) { vis.push(i >= t.spans[k][0] && i < t.spans[k][1]); }
      if (desc) { desc.textContent = t.descriptions[k]; }
      return Plotly.update(gd, {visible: vis}, t.layouts[k]).then(function () { refresh(); return gd; });
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
  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
})();
