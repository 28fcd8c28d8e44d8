/* The book's translator, running in the page: onnxruntime-web executes the ONNX graphs that the book
 * build exports from the shipped checkpoint (attnlib.translation.onnx_export), so a reader of the
 * static site types a sentence and watches it translated, with no server and no network.
 *
 * Everything the Python translator decides is taken from it, not rewritten here: the vocabularies,
 * the length limit, the tokenizer's tables, the input messages and how the heatmap is drawn come in
 * translator.json; the greedy choice and the mean of the heads are computed in the ONNX graph.
 * What is rewritten is the rules that turn those tables into answers (live_rules.js holds those the
 * language models' page shares), and a test holds them equal to Python's on more than a thousand strings
 * (tests/book/test_page_rules.py runs `node --test` on them):
 *   sourceIds()       <- attnlib.translation.translator.Translator.source_ids
 * Under Node (`require`), this file exports sourceIds and live_rules.js's rules, and does nothing else.
 *
 * On the pages that show a translator, the book's build puts a few lines in the head that start the
 * worker (live_translator_worker.js), which loads the model at once, and the scripts this one needs
 * (live_rules.js, live_runtime.js, then this one, deferred). Each element (see attnlib.book.live) holds
 * a text box, a status line, the French output, a layer and a head menu, a step slider and a plotly
 * heatmap drawn by the book build; they come to life once the page is parsed and the model is ready.
 */
(function () {
  "use strict";

  const node = typeof module === "object" && module.exports;
  const rules = node ? require("./live_rules.js") : window.attnRules;
  const { InputError, quoted, fill, Tokenizer, countSentences, tickAngle, numbered } = rules;

  /** The ids of a sentence with its <eos>, or an InputError with the Python message. ``index`` maps
   * source tokens to ids. */
  function sourceIds(config, tokenizer, index, text) {
    const c = config, m = c.messages;
    const tokens = tokenizer.tokenize(text || "");
    if (tokens.length === 0) throw new InputError(m.empty);
    const specials = tokens.filter((t) => c.specials.includes(t));
    if (specials.length) throw new InputError(fill(m.special, { tokens: quoted(specials, c.quote) }));
    const sentences = countSentences(tokens, c.tokenizer);
    if (sentences > 1) throw new InputError(fill(m.several, { count: sentences }));
    const unknown = tokens.filter((t) => !index.has(t));
    if (unknown.length) throw new InputError(fill(m.unknown, { words: quoted(unknown, c.quote), known: c.known_words }));
    if (tokens.length > c.max_words) {
      throw new InputError(fill(m.too_long, { words: tokens.length, limit: c.max_words, why: c.max_words_reason }));
    }
    return [...tokens.map((t) => index.get(t)), c.eos_id];
  }

  if (node) {  // Node, for the test: the rules and nothing else
    module.exports = { ...rules, sourceIds };
    return;
  }

  // -- the page ------------------------------------------------------------------------------------

  const live = window.attnLive;  // live_runtime.js: the worker, the status line, drawing
  const STEP_MS = 90;  // a pause between decoding steps, so the map is seen growing row by row

  /** The translator: the tokenizer and the input checks here, the model in a worker
   * (live_translator_worker.js), so that loading it does not hold up the page. */
  class PageTranslator {
    static async load() {
      const channel = new live.Channel(live.startWorker("translator", "live_translator_worker.js"));
      const { config } = await channel.until((m) => m.type === "ready");
      return new PageTranslator(config, channel);
    }

    constructor(config, channel) {
      this.config = config;
      this.tokenizer = new Tokenizer(config.tokenizer);
      this.sourceIndex = new Map(config.source_tokens.map((t, i) => [t, i]));
      this.channel = channel;
    }

    /** Translator.source_ids: the ids of a sentence with its <eos>, or an InputError. */
    sourceIds(text) {
      return sourceIds(this.config, this.tokenizer, this.sourceIndex, text);
    }

    /** Greedy decoding, all of it: source and target tokens (<eos> included, as Translation), the last
     * step's cross-attention ``{data: Float32Array, dims: [L, H, T, S]}`` (row t: what the decoder read
     * while writing token t) and ``steps``, each step's own target, cross-attention and its mean over
     * heads ``{data, dims: [L, T, S]}``. */
    async translate(text) {  // async: bad input rejects the promise, like a failed step
      const c = this.config, srcIds = this.sourceIds(text);
      const source = srcIds.map((i) => c.source_tokens[i]);
      const steps = [];
      return this.channel.request({ source: srcIds }, (message) => {
        steps.push({ target: message.ids.map((i) => c.target_tokens[i]), crossAttention: message.attention,
                     headMean: message.headMean });
        return message.done ? { source, ...steps[steps.length - 1], steps } : undefined;
      });
    }
  }

  /** One head's map, or the mean of a layer's heads (head null), as the first ``rows`` rows of ``T × S``. */
  function attentionMap(step, layer, head, rows) {
    const { data, dims } = head === null ? step.headMean : step.crossAttention;
    const [T, S] = dims.slice(-2);
    const start = head === null ? layer * T * S : (layer * dims[1] + head) * T * S;  // (L, T, S) or (L, H, T, S)
    return [...Array(Math.min(rows, T)).keys()].map((t) => Array.from(data.subarray(start + t * S, start + (t + 1) * S)));
  }

  /** The reader's side: the text box, the menus, the slider and the heatmap of one element. */
  class LiveView {
    constructor(root, translator) {
      this.root = root;
      this.translator = translator;
      this.el = (name) => root.querySelector(`.attn-live-${name}`);
      this.plot = root.querySelector(".plotly-graph-div");  // drawn by the view itself, maybe before the page draws it
      this.base = { height: live.written(this.plot).layout.height, rows: Number(root.dataset.rows) };
      this.result = null;
      this.run = 0;
      const { n_layers: L, n_heads: H, display } = translator.config;
      this.display = display;
      this.el("layer").replaceChildren(...[...Array(L).keys()].map((l) => new Option(`layer ${l + 1}`, l)));
      this.el("head").replaceChildren(new Option("mean of heads", "mean"),
        ...[...Array(H).keys()].map((h) => new Option(`head ${h + 1}`, h)));
      this.el("layer").value = root.dataset.layer;
      this.el("head").value = root.dataset.head;
      this.el("form").addEventListener("submit", (e) => { e.preventDefault(); this.translate(this.el("input").value); });
      for (const name of ["layer", "head"]) this.el(name).addEventListener("change", () => this.draw());
      this.el("step").addEventListener("input", () => this.draw());
      for (const name of ["input", "button", "layer", "head", "step"]) this.el(name).disabled = false;
      if (window.attnFigures) window.attnFigures.onTheme(() => this.draw());  // the light or dark theme, live
    }

    status(text, isError = false) {
      live.status(this.root, text, isError);  // after bad input, what is below belongs to the last sentence
    }

    /** Translate, then show the steps one by one at the pace of reading (all at once with animate false, or
     * when the reader's system asks for reduced motion). */
    async translate(text, { animate = true } = {}) {
      const run = ++this.run;  // a newer request wins: an older one stops drawing
      animate = animate && !live.reducedMotion();
      try {
        this.translator.sourceIds(text);
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        if (this.result) this.show(this.result, this.result.target.length);  // the last one, whole
        this.el("step").disabled = false;
        this.status(err.message, true);  // it stays on screen, greyed
        return null;
      }
      this.status("translating…");
      const result = await this.translator.translate(text);
      const shown = await live.reveal(this.el("step"), result.target.length, (step) => this.show(result, step),
                                      () => run === this.run, animate, STEP_MS);
      if (shown) {
        const c = this.translator.config, cut = result.target[result.target.length - 1] !== c.specials[c.eos_id];
        this.status(`Translated in ${result.target.length} greedy steps; the slider replays them.`
          + (cut ? ` Note: ${fill(c.notes.cut, { limit: c.max_len - 1 })}.` : ""));
      }
      return result;
    }

    show(result, step) {
      this.result = result;
      const slider = this.el("step");
      slider.max = String(result.target.length);
      slider.value = String(step);
      this.draw();
    }

    draw() {
      const r = this.result;
      if (!r) return;
      const step = Number(this.el("step").value);
      const layer = Number(this.el("layer").value);
      const headValue = this.el("head").value;
      const head = headValue === "mean" ? null : Number(headValue);
      // the attention the decoder computed at that step: its rows are the words written so far
      const weights = attentionMap(r.steps[step - 1], layer, head, step);
      const target = r.target.slice(0, step);
      this.el("output").replaceChildren(...r.target.map((t, i) => {
        const word = document.createElement("span");
        word.textContent = t;
        word.className = i < step ? (i === step - 1 ? "attn-live-current" : "") : "attn-live-later";
        return word;
      }));
      this.el("step-label").textContent = `step ${step} of ${r.target.length}: writing ${target[step - 1]}`;
      this.redraw(r.source, target, weights, r.target.length);
    }

    /** The heatmap with room for all ``rows`` of the translation: the rows keep their size while they
     * appear and when the slider replays them, and the figure its height. As attnlib.book.plots.heatmap_trace
     * draws it: colours from the weights rounded to 4 places, text and hover from the weights themselves. */
    redraw(source, target, weights, rows) {
      const d = this.display;
      // from the figure as written into the page: the theme colours it when it is drawn
      const { trace: first, layout } = live.written(this.plot);
      Object.assign(layout.xaxis, live.ticks(source), { tickangle: tickAngle(source.length, d) });
      Object.assign(layout.yaxis, live.ticks(target), { autorange: false, range: [rows - 0.5, -0.5] });  // first row on top
      layout.height = this.base.height + d.row_px * (rows - this.base.rows);  // the frame's bands stay as drawn
      // the plot area is the element's width less the figure's fixed side margins (no automargin here)
      const cellPx = (this.plot.clientWidth - layout.margin.l - layout.margin.r) / source.length;
      const trace = live.heatmap(first, weights, source, target, numbered(source.length * rows, cellPx, d));  // numbers where they fit
      // described in words the way the book says every figure's (attn_figures.js)
      return live.draw(this.plot, [trace], layout, d.plotly_config);
    }
  }

  /** Load the model once per page and attach a view to every translator element on it. */
  const timings = { script: performance.now() };  // ms from navigation start, for the load benchmark
  const mark = (name) => (value) => { timings[name] = performance.now(); return value; };
  const ready = live.served ? PageTranslator.load().then(mark("model"))
    : Promise.reject(new Error("the page is not served over http"));
  ready.catch(() => {});  // reported in the element, by mount()
  live.parsed.then(mark("parsed"));
  const views = [];
  const state = { ready, views, InputError, timings, readyMs: null };  // readyMs: the load benchmark's

  async function mount(root) {
    let translator;
    try {
      translator = await ready;
    } catch (err) {
      live.unavailable(root, "translator", err);
      return null;
    }
    const view = new LiveView(root, translator);
    views.push(view);
    await view.translate(root.dataset.example, { animate: false });  // the picture the page opened with
    view.status("Ready: type an English sentence and press Enter.");
    return view;
  }

  state.mounted = live.mountAll(".attn-live", mount, state);
  window.attnLiveTranslator = state;
})();
