/* What the pages that run a model share on their main thread (live_translator.js, live_lm.js): the model's
 * worker and its messages, the element's status line, and redrawing one of the book's plotly figures.
 *
 * A page that shows such an element starts its worker in the head (attnlib.book.sphinxext writes the few
 * lines), so the model loads while the page is parsed; what the worker says before a script listens is
 * kept (worker.early) and heard here. A page opened as a file can start no worker: the element then says
 * how to serve the book.
 *
 * In the page it is `attnLive`.
 */
(function () {
  "use strict";

  const STATIC_ROOT = document.currentScript.src.replace(/[^/]*$/, "");  // .../_static/
  const served = location.protocol !== "file:";  // a page opened as a file cannot fetch a model
  const parsed = document.readyState !== "loading" ? Promise.resolve()
    : new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));

  /** The worker ``name`` that the page's head started (or a new one running ``script``). */
  function startWorker(name, script) {
    return (window.attnLiveWorkers || {})[name] || new Worker(STATIC_ROOT + script);
  }

  /** A worker's messages: those with an ``id`` go to the request that sent it, the others to ``until``. */
  class Channel {
    constructor(worker) {
      this.worker = worker;
      this.pending = new Map();  // request id -> its handler
      this.waiting = [];  // handlers of messages without an id, until one says it is done
      this.heard = [];  // messages without an id, for a handler that comes later
      this.nextId = 0;
      const receive = (message) => {
        const handle = this.pending.get(message.id);
        if (message.id !== undefined && handle) return handle(message);
        this.heard.push(message);
        this.waiting = this.waiting.filter((h) => !h(message));
      };
      worker.onmessage = (event) => receive(event.data);
      worker.onerror = (event) => receive({ type: "error", message: event.message || "its worker did not start" });
      (worker.early || []).forEach(receive);
    }

    /** The first message without an id for which ``test`` holds (heard already, or to come); an error
     *  message for which ``failed`` holds rejects. */
    until(test, failed = () => true) {
      return new Promise((resolve, reject) => {
        const handle = (m) => {
          if (m.type === "error" && failed(m)) reject(new Error(m.message));
          else if (test(m)) resolve(m);
          else return false;
          return true;
        };
        if (!this.heard.some(handle)) this.waiting.push(handle);
      });
    }

    /** Send ``message`` with a new id; ``handle`` gets each answer and returns undefined until it has the
     *  result, which the promise then resolves to (an error answer rejects it). */
    request(message, handle) {
      const id = this.nextId++;
      return new Promise((resolve, reject) => {
        this.pending.set(id, (m) => {
          const result = m.type === "error" ? undefined : handle(m);
          if (m.type !== "error" && result === undefined) return;
          this.pending.delete(id);
          if (m.type === "error") reject(new Error(m.message));
          else resolve(result);
        });
        this.worker.postMessage({ ...message, id });
      });
    }
  }

  /** The element's status line says ``text``; after bad input (``isError``) what is below belongs to the last
   *  good input, and is greyed. */
  function status(root, text, isError = false) {
    const line = root.querySelector(".attn-live-status");
    line.textContent = text;
    line.classList.toggle("attn-live-error", isError);
    root.classList.toggle("attn-live-stale", isError);
  }

  /** Whether the reader's system asks for less motion (then steps are shown all at once). */
  function reducedMotion() {
    return Boolean(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Show the ``count`` steps of a new result one by one at the pace of reading, ``ms`` apart (only the last
   *  when ``animate`` is false), with ``show(step)``, as long as ``current()`` says it is still the latest
   *  request; ``slider`` replays them afterwards. Whether they were all shown. */
  async function reveal(slider, count, show, current, animate, ms) {
    slider.disabled = true;  // the steps are being shown; the slider replays them afterwards
    for (let step = animate ? 1 : count; step <= count; step++) {
      if (!current()) return false;
      slider.max = String(count);
      slider.value = String(step);
      show(step);
      if (step < count) await sleep(ms);
    }
    if (current()) slider.disabled = false;
    return current();
  }

  /** A heatmap trace as attnlib.book.plots.heatmap_trace writes it, from ``first`` (the figure's own): colours
   *  from the weights ``z`` rounded to 4 places, numbers (when ``numbers``) and hover from the weights themselves,
   *  a null cell blank; ``columns`` and ``rows`` name them. */
  function heatmap(first, z, columns, rows, numbers) {
    const { fixed, cellText } = window.attnRules;
    const trace = Object.assign({}, first, {
      z: z.map((row) => row.map((v) => (v === null ? null : Math.round(v * 1e4) / 1e4))),
      x: columns.map((_, j) => j), y: rows.map((_, i) => i),
      hovertext: z.map((row, i) => row.map((v, j) => `${rows[i]} → ${columns[j]}: ${v === null ? "hidden" : fixed(v, 3)}`)),
    });
    if (numbers) {
      Object.assign(trace, { text: z.map((row) => row.map((v) => (v === null ? "" : cellText(v)))), texttemplate: "%{text}" });
    } else {
      delete trace.text;
      delete trace.texttemplate;
    }
    return trace;
  }

  /** The figure as written into the page (attn_figures.js keeps it): its first trace and a copy of its layout. */
  function written(plot) {
    const figure = plot.attnWide || { data: plot.data, layout: plot.layout };
    return { trace: figure.data[0], layout: JSON.parse(JSON.stringify(figure.layout)) };
  }

  /** An axis that writes ``labels`` at 0, 1, 2, … */
  function ticks(labels) {
    return { tickmode: "array", tickvals: labels.map((_, i) => i), ticktext: labels };
  }

  /** The figure's box at least ``width`` px wide (its column scrolls, and says so, when it is narrower). */
  function fitWidth(plot, width) {
    const box = plot.closest(".attn-figure"), inner = plot.closest(".attn-figure-inner");
    if (!box || !inner) return;
    inner.style.minWidth = `${Math.round(width)}px`;
    const fig = plot.closest(".attn-fig");
    if (fig) fig.classList.toggle("attn-scrolls", box.clientWidth < width);
  }

  /** Draw ``data`` and ``layout`` in ``plot`` in the page's theme, as tall as the layout, then say what it
   *  shows in its description: ``said``, or what the book's describer says of a heatmap. */
  function draw(plot, data, layout, config, said) {
    plot.style.height = `${layout.height}px`;  // the div plotly draws in is sized by the page, not by plotly
    const themed = window.attnFigures ? window.attnFigures.themed(data, layout) : { data, layout };
    const drawing = Plotly.react(plot, themed.data, themed.layout, config);
    return (window.attnFigures ? window.attnFigures.drawn(plot, drawing) : drawing).then(() => {
      const description = plot.closest(".attn-fig") && plot.closest(".attn-fig").querySelector(".attn-figure-desc");
      if (description && window.attnFigures) description.textContent = said || window.attnFigures.describe(plot);
    });
  }

  /** Mount every element that matches ``selector`` once the page is parsed, with ``mount(root)`` (which
   *  returns a view, or null when it could not); ``state.readyMs`` is then the time from navigation start. */
  function mountAll(selector, mount, state) {
    return parsed.then(() => Promise.all([...document.querySelectorAll(selector)].map(mount))).then((views) => {
      state.readyMs = performance.now();
      return views;
    });
  }

  /** The element's status when its model cannot run: not served over http, or not loaded (``err``). */
  function unavailable(root, what, err) {
    if (!served) {
      status(root, `The ${what} needs the book served over http: run `
        + "`python -m http.server -d _build/html` and open http://localhost:8000.");
    } else {
      status(root, `The ${what} could not be loaded (${err.message || err}). Reload the page to try again.`, true);
      root.classList.remove("attn-live-stale");  // nothing newer stands below
    }
  }

  window.attnLive = { served, parsed, startWorker, Channel, status, reducedMotion, sleep, reveal, heatmap, written, ticks,
                      fitWidth, draw, mountAll, unavailable };
})();
