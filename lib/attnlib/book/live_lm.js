/* The book's GPT and BERT, running in the page: onnxruntime-web executes the ONNX graphs that the book build
 * exports from the shipped checkpoints (attnlib.lm.onnx_export), so a reader of the static site continues a
 * prompt, or fills a gap, with no server and no network.
 *
 * What Python decides comes from it: the vocabularies, the limits, the tokenizer's tables and every message in
 * language_models.json, how to read what is typed in lm_reader.js, how to sample in lm_sampling.js and
 * lm_prng.js (each held equal to Python by its own tests), how the figures are drawn in the JSON's "display"
 * (attnlib.book.live_lm.DISPLAY). The model runs in a worker (live_lm_worker.js), started by the page's head.
 *
 * Two elements (see attnlib.book.live_lm), each drawn first by Python:
 *   .attn-lm-generator  a prompt, the sampling settings, the continuation token by token, the probabilities of
 *                       one step (a slider replays the steps) and the text's self-attention (layer and head menus)
 *   .attn-lm-fill       a sentence with one <mask>, its five likeliest words, and where the <mask> looks
 *
 * window.attnLiveLM.model(kind) gives the page's model ("causal" or "masked"): generate(prompt, fields) and
 * fill(sentence), as the elements call them (and the book's tests).
 */
(function () {
  "use strict";

  const live = window.attnLive, R = window.attnRules, S = window.attnSampling, P = window.attnPrng;
  const { InputError, fill, fixed, tickAngle, numbered } = R;
  const STEP_MS = 120;  // a pause between the steps shown, so the text is seen written token by token

  // -- the models ------------------------------------------------------------------------------------

  let channel = null;  // the worker, started by the page's head with the models its elements need

  /** One of the page's language models: the reader's checks here, the model in the worker. */
  class PageLM {
    constructor(config, kind) {
      this.config = config;
      this.kind = kind;
      this.model = config[kind];
      this.reader = new window.attnLmReader.Reader(config, kind);
      S.useMessages(config.messages);
      P.useMessages(config.messages);
    }

    /** The prompt's ids and the settings typed in ``fields`` ({temperature, top_k, top_p, seed,
     *  max_new_tokens}, each a text), or an InputError with Python's message. */
    request(prompt, fields) {
      const settings = this.reader.settings(fields);
      const ids = this.reader.promptIds(prompt);
      this.reader.checkRoom(ids.length, settings.maxNew);
      return { ids, settings };
    }

    /** Continue ``prompt`` as Python's generate() does: {words (the prompt's), settings, steps}, each step
     *  {token, word, probs (Float64Array, V), u, attention {data, dims: [L, H, T, T]}}. */
    async generate(prompt, fields) {
      const { ids, settings } = this.request(prompt, fields);
      const words = ids.slice(1).map((i) => this.model.tokens[i]), steps = [];
      return channel.request({ type: "generate", ids, ...settings }, (m) => {
        steps.push({ token: m.token, word: this.model.tokens[m.token], probs: m.probs, u: m.u, attention: m.attention });
        return m.done ? { ids, words, settings, steps } : undefined;
      });
    }

    /** The likeliest words for the one <mask> of ``sentence`` as Python's top_fills gives them: {tokens,
     *  position, fills: [[word, probability], ...], attention {data, dims: [L, H, T, T]}}. */
    async fill(sentence) {
      const { ids, position } = this.reader.sentenceIds(sentence);
      const m = this.model;
      const answer = await channel.request({ type: "fill", ids, position }, (a) => a);
      const scores = Float64Array.from(answer.logits);
      for (const id of m.never_propose) scores[id] = -Infinity;  // the specials are never proposed
      const probs = S.nextTokenDistribution(scores, 1.0);  // the softmax over the words alone, in float64
      const best = S.ranked(probs).slice(0, Math.min(this.config.display.fills, m.known_words));
      return { tokens: ids.map((i) => m.tokens[i]), position, fills: best.map((i) => [m.tokens[i], probs[i]]),
               attention: answer.attention };
    }
  }

  const models = {};

  /** The page's ``kind`` model, loaded once: the worker began with the models the page shows, and loads
   *  another when it is asked for (a model it has says it is ready again). */
  function model(kind) {
    if (!models[kind]) {
      if (!live.served) return Promise.reject(new Error("the page is not served over http"));
      channel = channel || new live.Channel(live.startWorker("lm", "live_lm_worker.js"));
      models[kind] = channel.until((m) => m.type === "ready" && m.kind === kind, (m) => m.kind === kind || m.kind === undefined)
        .then((m) => new PageLM(m.config, kind));
      channel.worker.postMessage({ type: "load", kinds: [kind] });
    }
    return models[kind];
  }

  // -- drawing ---------------------------------------------------------------------------------------

  /** A layer's map: one head's, or the mean of its heads (head null), row ``row`` only when given, from
   *  attention {data, dims: [L, H, T, T]}; rows of plain numbers. */
  function attentionRows(attention, layer, head, row = null) {
    const { data, dims: [, H, T] } = attention;
    const rows = row === null ? [...Array(T).keys()] : [row];
    const at = (h, i, j) => data[((layer * H + h) * T + i) * T + j];
    return rows.map((i) => [...Array(T).keys()].map((j) => {
      if (head !== null) return at(head, i, j);
      let total = 0;
      for (let h = 0; h < H; h++) total += at(h, i, j);
      return total / H;
    }));
  }

  /** The width a map of ``columns`` labelled columns needs to be read (attnlib.book.layout.min_width's rule). */
  function mapWidth(layout, columns, d) {
    const upright = tickAngle(columns, d) !== undefined;
    const sides = layout.margin.l + layout.margin.r;
    const need = sides + Math.max(d.column_px, columns * d.label_px[upright ? "upright" : "slanted"]);
    return Math.min(Math.max(d.min_width, need), d.column_width);
  }

  /** Horizontal bars, the first on top, in room for ``slots`` of them: ``bars`` [[label, p, colour], ...]. */
  function barFigure(plot, bars, slots, digits, d) {
    const { trace: first, layout } = live.written(plot);
    const top = Math.max(...bars.map((b) => b[1]));
    Object.assign(layout.yaxis, live.ticks(bars.map((b) => b[0])), { autorange: false, range: [slots - 0.5, -0.5] });
    layout.xaxis.range = [0, Math.min(1, top * d.bar_range.scale + d.bar_range.pad)];
    const trace = Object.assign({}, first, {
      y: bars.map((_, i) => i), x: bars.map((b) => Math.round(b[1] * 1e4) / 1e4),
      text: bars.map((b) => fixed(b[1], digits)), marker: Object.assign({}, first.marker, { color: bars.map((b) => b[2]) }),
      hovertext: bars.map((b) => `${b[0]}: ${fixed(b[1], 3)}`),
    });
    return { data: [trace], layout };
  }

  const said = (items, digits) => items.map(([w, p]) => `${w} ${fixed(p, digits)}`).join(", ");

  /** The element's layer and head menus, filled for ``L`` layers and ``H`` heads, set as the page was written. */
  function menus(root, L, H, onChange) {
    const layer = root.querySelector(".attn-live-layer"), head = root.querySelector(".attn-live-head");
    if (layer) {
      layer.replaceChildren(...[...Array(L).keys()].map((l) => new Option(`layer ${l + 1}`, l)));
      layer.value = root.dataset.layer;
    }
    head.replaceChildren(new Option("mean of heads", "mean"), ...[...Array(H).keys()].map((h) => new Option(`head ${h + 1}`, h)));
    head.value = root.dataset.head;
    for (const menu of [layer, head]) if (menu) menu.addEventListener("change", onChange);
    return () => ({ layer: layer ? Number(layer.value) : 0, head: head.value === "mean" ? null : Number(head.value) });
  }

  // -- the generator ---------------------------------------------------------------------------------

  class GeneratorView {
    constructor(root, lm) {
      this.root = root;
      this.lm = lm;
      this.d = lm.config.display;
      this.el = (selector) => root.querySelector(selector);
      [this.bars, this.map] = root.querySelectorAll(".plotly-graph-div");  // drawn by the view itself, maybe first
      const map = live.written(this.map);
      this.base = { height: map.layout.height, rows: map.trace.z.length };
      this.result = null;
      this.run = 0;
      this.view = menus(root, lm.model.n_layers, lm.model.n_heads, () => this.drawMap());
      this.fields = [...root.querySelectorAll(".attn-lm-setting")];
      this.el("form").addEventListener("submit", (e) => { e.preventDefault(); this.generate(); });
      this.el(".attn-live-step").addEventListener("input", () => this.draw());
      for (const c of [...this.fields, ...root.querySelectorAll("input, button, select")]) c.disabled = false;
      if (window.attnFigures) window.attnFigures.onTheme(() => this.draw());  // the light or dark theme, live
    }

    values() {
      return Object.fromEntries(this.fields.map((f) => [f.name, f.value]));
    }

    /** Generate from what the fields say, then show the steps one by one (all at once with animate false,
     *  or when the reader's system asks for reduced motion). */
    async generate({ animate = true } = {}) {
      const run = ++this.run;  // a newer request wins: an older one stops drawing
      animate = animate && !live.reducedMotion();
      let result;
      try {
        const pending = this.lm.generate(this.el(".attn-lm-prompt").value, this.values());
        live.status(this.root, "writing…");
        result = await pending;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        live.status(this.root, err.message, true);  // the last text stays on screen, greyed
        this.el(".attn-live-step").disabled = false;  // and its steps can be replayed, even if it was being shown
        return null;
      }
      const shown = await live.reveal(this.el(".attn-live-step"), result.steps.length, (step) => this.show(result, step),
                                      () => run === this.run, animate, STEP_MS);
      if (shown) {
        const last = result.steps[result.steps.length - 1], cut = last.token !== this.lm.model.eos_id;
        live.status(this.root, fill(this.d.words.written, { count: result.steps.length, seed: result.settings.seed })
          + (cut ? ` Note: ${fill(this.lm.config.messages.cut, { count: result.steps.length })}.` : ""));
      }
      return result;
    }

    /** The page's own first picture: the continuation Python drew, generated and drawn again by the page's
     *  model at ``step``, the status line left as it is (a request of the reader's meanwhile wins). */
    async open(step) {
      const run = ++this.run;
      const result = await this.lm.generate(this.el(".attn-lm-prompt").value, this.values());
      if (run === this.run) this.show(result, Math.min(step, result.steps.length));
      return result;
    }

    show(result, step) {
      this.result = result;
      const slider = this.el(".attn-live-step");
      slider.max = String(result.steps.length);
      slider.value = String(step);
      this.draw();  // the step the slider is on
    }

    draw() {
      const r = this.result;
      if (!r) return;
      const step = Number(this.el(".attn-live-step").value), s = r.steps[step - 1];
      const given = r.words.length;
      this.el(".attn-lm-text").replaceChildren(...[...r.words, ...r.steps.map((x) => x.word)].map((t, i) => {
        const word = document.createElement("span");
        word.textContent = t;
        const n = i - given + 1;  // the step that wrote it
        word.className = i < given ? "attn-lm-given" : n === step ? "attn-live-current" : n > step ? "attn-live-later" : "";
        return word;
      }));
      const label = fill(this.d.words.step, { step, steps: r.steps.length, word: s.word, p: fixed(s.probs[s.token], 3),
                                              u: fixed(s.u, 3) });
      this.el(".attn-live-step-label").textContent = label;
      this.el(".attn-live-step").setAttribute("aria-valuetext", label);  // the slider says its step, not a number
      this.drawBars(s, step);
      this.drawMap();
    }

    /** The likeliest tokens of the step, and the one drawn (red), below them when it came from the tail. */
    drawBars(s, step) {
      const d = this.d, tokens = this.lm.model.tokens;
      const best = S.ranked(s.probs).slice(0, d.bars).filter((i) => s.probs[i] > 0);
      if (!best.includes(s.token)) best.push(s.token);
      const bars = best.map((i) => [tokens[i], s.probs[i], i === s.token ? d.drawn : d.kept]);
      const { data, layout } = barFigure(this.bars, bars, d.bars + 1, 2, d);
      const description = fill(d.words.bars, { count: bars.length, step, list: said(bars, 2), word: s.word });
      return live.draw(this.bars, data, layout, d.plotly_config, description);
    }

    /** The self-attention of the text read at the step (rows: each token, choosing the next), in room for
     *  the whole text: the map keeps its size while it grows and when the slider replays it. */
    drawMap() {
      const r = this.result;
      if (!r) return null;
      const d = this.d, step = Number(this.el(".attn-live-step").value);
      const { layer, head } = this.view();
      const read = ["<bos>", ...r.words, ...r.steps.slice(0, -1).map((x) => x.word)];  // every token read, at the end
      const weights = attentionRows(r.steps[step - 1].attention, layer, head);
      const n = read.length, shown = weights.length;
      const z = read.map((_, i) => read.map((_, j) => (i < shown && j <= i ? weights[i][j] : null)));
      const { trace: first, layout } = live.written(this.map);
      Object.assign(layout.xaxis, live.ticks(read), { tickangle: tickAngle(n, d) });
      Object.assign(layout.yaxis, live.ticks(read), { autorange: false, range: [n - 0.5, -0.5] });  // first row on top
      layout.height = this.base.height + d.row_px * (n - this.base.rows);  // the frame's bands stay as drawn
      const width = mapWidth(layout, n, d);
      live.fitWidth(this.map, width);
      const cellPx = (Math.max(this.map.clientWidth, width) - layout.margin.l - layout.margin.r) / n;
      // numbers where they fit: few cells shown (the causal triangle of the rows read), wide enough, in a map
      // heatmap_trace would write them in
      const fits = numbered(shown * (shown + 1) / 2, cellPx, d) && n * n <= d.max_text_cells;
      const trace = live.heatmap(first, z, read, read, fits);
      return live.draw(this.map, [trace], layout, d.plotly_config);
    }
  }

  // -- the fill --------------------------------------------------------------------------------------

  class FillView {
    constructor(root, lm) {
      this.root = root;
      this.lm = lm;
      this.d = lm.config.display;
      [this.bars, this.map] = root.querySelectorAll(".plotly-graph-div");
      this.result = null;
      this.run = 0;
      this.view = menus(root, lm.model.n_layers, lm.model.n_heads, () => this.drawMap());
      root.querySelector("form").addEventListener("submit", (e) => { e.preventDefault(); this.fill(); });
      for (const c of root.querySelectorAll("input, button, select")) c.disabled = false;
      if (window.attnFigures) window.attnFigures.onTheme(() => this.draw());
    }

    /** The page's own first picture: the fill Python drew, computed and drawn again by the page's model. */
    async open() {
      const run = ++this.run;
      const result = await this.lm.fill(this.root.querySelector(".attn-lm-sentence").value);
      if (run === this.run) {
        this.result = result;
        await this.draw();
      }
      return result;
    }

    async fill() {
      const run = ++this.run;
      let result;
      try {
        const pending = this.lm.fill(this.root.querySelector(".attn-lm-sentence").value);
        live.status(this.root, "filling…");
        result = await pending;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        live.status(this.root, err.message, true);
        return null;
      }
      if (run !== this.run) return result;
      this.result = result;
      const [word, p] = result.fills[0];
      live.status(this.root, fill(this.d.words.filled, { mask: this.lm.config.mask, word, p: fixed(p, 4),
                                                         count: result.fills.length }));
      await this.draw();
      return result;
    }

    draw() {
      const r = this.result;
      if (!r) return null;
      const d = this.d;
      const { data, layout } = barFigure(this.bars, r.fills.map(([w, p]) => [w, p, d.kept]), d.fills, 4, d);
      const description = fill(d.words.fills, { count: r.fills.length, mask: this.lm.config.mask, list: said(r.fills, 4) });
      return Promise.all([live.draw(this.bars, data, layout, d.plotly_config, description), this.drawMap()]);
    }

    /** Where the <mask> looks, one row per layer: for one head, or the mean of the heads. */
    drawMap() {
      const r = this.result;
      if (!r) return null;
      const d = this.d, { head } = this.view(), L = this.lm.model.n_layers;
      const layers = [...Array(L).keys()].map((l) => `layer ${l + 1}`);
      const z = layers.map((_, l) => attentionRows(r.attention, l, head, r.position)[0]);
      const { trace: first, layout } = live.written(this.map);
      Object.assign(layout.xaxis, live.ticks(r.tokens), { tickangle: tickAngle(r.tokens.length, d) });
      Object.assign(layout.yaxis, live.ticks(layers), { autorange: false, range: [L - 0.5, -0.5] });
      const width = mapWidth(layout, r.tokens.length, d);
      live.fitWidth(this.map, width);
      const cellPx = (Math.max(this.map.clientWidth, width) - layout.margin.l - layout.margin.r) / r.tokens.length;
      const cells = L * r.tokens.length;
      const trace = live.heatmap(first, z, r.tokens, layers, numbered(cells, cellPx, d) && cells <= d.max_text_cells);
      return live.draw(this.map, [trace], layout, d.plotly_config);
    }
  }

  // -- the page --------------------------------------------------------------------------------------

  const timings = { script: performance.now() };  // ms from navigation start, for the load benchmark
  const views = [];
  const state = { model, views, InputError, timings, readyMs: null, openedMs: null };  // readyMs: the load benchmark's
  live.parsed.then(() => { timings.parsed = performance.now(); });

  async function mount(root) {
    const generator = root.classList.contains("attn-lm-generator");
    const what = generator ? "language model" : "masked language model";
    let lm;
    try {
      lm = await model(generator ? "causal" : "masked");
    } catch (err) {
      live.unavailable(root, what, err);
      return null;
    }
    timings[lm.kind] = timings[lm.kind] || performance.now();
    const view = generator ? new GeneratorView(root, lm) : new FillView(root, lm);
    views.push(view);
    // the model is loaded and the controls are live: the reader can write now, while the page draws its first
    // picture again from its own model (the same as Python's, which stands there meanwhile)
    live.status(root, fill(lm.config.display.words[generator ? "ready_generator" : "ready_fill"], { mask: lm.config.mask }));
    view.opened = view.open(Number(root.dataset.step));
    return view;
  }

  state.mounted = live.mountAll(".attn-live-lm", mount, state);  // readyMs: every element can be used
  state.opened = state.mounted.then((v) => Promise.all(v.map((view) => view && view.opened))).then(() => {
    timings.opened = performance.now();  // and every one shows the page's own first picture
    state.openedMs = timings.opened;
  });
  window.attnLiveLM = state;
})();
