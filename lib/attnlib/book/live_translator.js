/* The book's translator, running in the page: onnxruntime-web executes the ONNX graphs that the book
 * build exports from the shipped checkpoint (attnlib.translation.onnx_export), so a reader of the
 * static site types a sentence and watches it translated, with no server and no network.
 *
 * Everything the Python translator decides is taken from it, not rewritten here: the vocabularies,
 * the length limit, the tokenizer's tables and the input messages come in translator.json.
 * What is rewritten is small and mirrors attnlib.translation line for line:
 *   tokenize()        <- vocab.tokenize                       (here)
 *   sourceIds()       <- Translator.source_ids                (here)
 *   decode()          <- decoding.greedy_decode               (live_translator_worker.js)
 *
 * On the pages that show a translator, the book's build puts a few lines in the head that start the
 * worker, which loads the model at once, and this script, loaded async. Each element (see
 * attnlib.book.live) holds a text
 * box, a status line, the French output, a layer and a head menu, a step slider and a plotly heatmap
 * drawn by the book build; they come to life once the page is parsed and the model is ready.
 */
(function () {
  "use strict";

  const SCRIPT = document.currentScript;
  const STATIC_ROOT = SCRIPT.src.replace(/[^/]*$/, "");  // .../_static/
  const ROW_PX = 28;  // height of one French row in the heatmap (as in attnlib.figures.decoding)
  const STEP_MS = 90;  // a pause between decoding steps, so the map is seen growing row by row
  const MIN_CELL_PX = 30;  // a cell narrower than this (a phone, a long sentence) shows colour, not numbers
  const MAX_NUMBERED_CELLS = 225;  // more cells than this show colour only (as attnlib.figures.decoding)
  const VERTICAL_LABELS_FROM = 11;  // English words from which the column labels stand upright (idem)

  /** Upright column labels for a long sentence, where slanted ones would run into each other. */
  function tickAngle(columns) {
    return columns >= VERTICAL_LABELS_FROM ? -90 : undefined;  // undefined: plotly chooses
  }

  /** Bad input: the message says what is wrong and what to do (never a stack trace). */
  class InputError extends Error {}

  /** A string as Python's repr() writes it, so that messages read exactly as the Python ones. */
  function pyRepr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let body = s.replace(/\\/g, "\\\\");
    if (quote === "'") body = body.replace(/'/g, "\\'");
    return quote + body + quote;
  }

  /** "'cow', 'moon'": each word once, in order of appearance, long words cut and the rest counted, as
   * attnlib.translation.vocab.quoted_words does (``limits`` is its QUOTE_MAX_WORDS and QUOTE_MAX_CHARS). */
  function quoted(words, limits) {
    const unique = [...new Set(words)];
    const cut = (w) => { const chars = Array.from(w);  // code points, as Python counts them
      return chars.length <= limits.max_chars ? w : chars.slice(0, limits.max_chars - 1).join("") + "…"; };
    const rest = unique.length - limits.max_words;
    return unique.slice(0, limits.max_words).map((w) => pyRepr(cut(w))).join(", ") + (rest > 0 ? ` and ${rest} more` : "");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  }

  function escapeClass(chars) {
    return chars.replace(/[\\\]^-]/g, "\\$&");
  }

  /** The Python tokenizer (attnlib.translation.vocab.tokenize), from the same two tables. */
  class Tokenizer {
    constructor(tables) {
      this.punctuation = new RegExp("([" + escapeClass(tables.punctuation) + "])", "g");
      const elisions = tables.elisions.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      // (?=\w) in Python matches any letter, digit or underscore of any script
      this.elision = new RegExp("^(" + elisions.join("|") + ")(?=[\\p{L}\\p{N}_])", "u");
    }

    tokenize(text) {
      const clean = text.toLowerCase().replace(/\u2019/g, "'").replace(/[\u00a0\u202f]/g, " ");
      const tokens = [];
      for (let chunk of clean.replace(this.punctuation, " $1 ").split(/\s+/).filter(Boolean)) {
        let m;
        while ((m = this.elision.exec(chunk)) !== null) {
          tokens.push(m[1]);
          chunk = chunk.slice(m[1].length);
        }
        tokens.push(chunk);
      }
      return tokens;
    }
  }

  /** The translator: the tokenizer and the input checks here, the model in a worker
   * (live_translator_worker.js), so that loading it does not hold up the page. */
  class PageTranslator {
    static load() {
      return new Promise((resolve, reject) => {
        // started by the page's head (attnlib.book.sphinxext), which kept what it said meanwhile
        const worker = window.attnLiveWorker || new Worker(STATIC_ROOT + "live_translator_worker.js");
        const receive = (message) => {
          if (message.type === "ready") resolve(new PageTranslator(message.config, worker));
          else reject(new Error(message.message));
        };
        worker.onmessage = (event) => receive(event.data);
        worker.onerror = (event) => reject(new Error(event.message || "the translator's worker failed to start"));
        (worker.early || []).forEach(receive);
      });
    }

    constructor(config, worker) {
      this.config = config;
      this.tokenizer = new Tokenizer(config.tokenizer);
      this.sourceIndex = new Map(config.source_tokens.map((t, i) => [t, i]));
      this.worker = worker;
      this.pending = new Map();  // translation id -> what to do with its messages
      this.nextId = 0;
      worker.onmessage = (event) => {
        const handle = this.pending.get(event.data.id);
        if (handle) handle(event.data);
      };
    }

    /** Translator.source_ids: the ids of a sentence with its <eos>, or an InputError. */
    sourceIds(text) {
      const c = this.config, m = c.messages;
      const tokens = this.tokenizer.tokenize(text || "");
      if (tokens.length === 0) throw new InputError(m.empty);
      const specials = tokens.filter((t) => c.specials.includes(t));
      if (specials.length) throw new InputError(fill(m.special, { tokens: quoted(specials, c.quote) }));
      const unknown = tokens.filter((t) => !this.sourceIndex.has(t));
      if (unknown.length) {
        throw new InputError(fill(m.unknown, { words: quoted(unknown, c.quote), known: c.source_tokens.length - 4 }));
      }
      if (tokens.length > c.max_words) {
        throw new InputError(fill(m.too_long, { words: tokens.length, limit: c.max_words, why: c.max_words_reason }));
      }
      return [...tokens.map((t) => this.sourceIndex.get(t)), c.eos_id];
    }

    /** Greedy decoding, all of it: source and target tokens (<eos> included, as Translation), the last
     * step's cross-attention ``{data: Float32Array, dims: [L, H, T, S]}`` (row t: what the decoder read
     * while writing token t) and ``steps``, each step's own target and cross-attention. */
    async translate(text) {  // async: bad input rejects the promise, like a failed step
      const c = this.config, srcIds = this.sourceIds(text), id = this.nextId++;
      const source = srcIds.map((i) => c.source_tokens[i]);
      return new Promise((resolve, reject) => {
        const steps = [];
        this.pending.set(id, (message) => {
          if (message.type === "error") {
            this.pending.delete(id);
            reject(new Error(message.message));
            return;
          }
          steps.push({ target: message.ids.map((i) => c.target_tokens[i]),
                       crossAttention: { data: message.attention, dims: message.dims } });
          if (message.done) {
            this.pending.delete(id);
            resolve({ source, ...steps[steps.length - 1], steps });
          }
        });
        this.worker.postMessage({ id, source: srcIds });
      });
    }
  }

  /** One head's map, or the mean of a layer's heads, as rows ``T × S`` (head null: the mean). */
  function attentionMap(attention, layer, head, rows) {
    const [, H, T, S] = attention.dims;
    const at = (h, t, s) => attention.data[((layer * H + h) * T + t) * S + s];
    const heads = head === null ? [...Array(H).keys()] : [head];
    const out = [];
    for (let t = 0; t < Math.min(rows, T); t++) {
      const row = [];
      for (let s = 0; s < S; s++) row.push(heads.reduce((sum, h) => sum + at(h, t, s), 0) / heads.length);
      out.push(row);
    }
    return out;
  }

  function cellText(v) {  // attnlib.book.plots.cell_text
    const text = v.toFixed(2);
    return Number(text) === 0 ? "0" : text;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** The reader's side: the text box, the menus, the slider and the heatmap of one element. */
  class LiveView {
    constructor(root, translator) {
      this.root = root;
      this.translator = translator;
      this.el = (name) => root.querySelector(`.attn-live-${name}`);
      this.plot = root.querySelector(".js-plotly-plot");
      this.base = { height: this.plot.layout.height, rows: Number(root.dataset.rows) };
      this.result = null;
      this.run = 0;
      const { n_layers: L, n_heads: H } = translator.config;
      this.el("layer").replaceChildren(...[...Array(L).keys()].map((l) => new Option(`layer ${l + 1}`, l)));
      this.el("head").replaceChildren(new Option("mean of heads", "mean"),
        ...[...Array(H).keys()].map((h) => new Option(`head ${h + 1}`, h)));
      this.el("layer").value = root.dataset.layer;
      this.el("head").value = root.dataset.head;
      this.el("form").addEventListener("submit", (e) => { e.preventDefault(); this.translate(this.el("input").value); });
      for (const name of ["layer", "head"]) this.el(name).addEventListener("change", () => this.draw());
      this.el("step").addEventListener("input", () => this.draw());
      for (const name of ["input", "button", "layer", "head", "step"]) this.el(name).disabled = false;
    }

    status(text, isError = false) {
      const s = this.el("status");
      s.textContent = text;
      s.classList.toggle("attn-live-error", isError);
      this.root.classList.toggle("attn-live-stale", isError);  // what is below belongs to the last sentence
    }

    /** Translate, then show the steps one by one at the pace of reading (all at once with animate false). */
    async translate(text, { animate = true } = {}) {
      const run = ++this.run;  // a newer request wins: an older one stops drawing
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
      const slider = this.el("step");
      slider.disabled = true;  // the steps are being shown; the slider replays them afterwards
      for (let step = animate ? 1 : result.target.length; step <= result.target.length; step++) {
        if (run !== this.run) return result;
        this.show(result, step);
        if (step < result.target.length) await sleep(STEP_MS);
      }
      if (run === this.run) {
        slider.disabled = false;
        this.status(`Translated in ${result.target.length} greedy steps; the slider replays them.`);
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
      const z = attentionMap(r.steps[step - 1].crossAttention, layer, head, step)
        .map((row) => row.map((v) => Math.round(v * 1e4) / 1e4));
      const target = r.target.slice(0, step);
      this.el("output").replaceChildren(...r.target.map((t, i) => {
        const word = document.createElement("span");
        word.textContent = t;
        word.className = i < step ? (i === step - 1 ? "attn-live-current" : "") : "attn-live-later";
        return word;
      }));
      this.el("step-label").textContent = `step ${step} of ${r.target.length}: writing ${target[step - 1]}`;
      this.redraw(r.source, target, z, r.target.length);
    }

    /** The heatmap with room for all ``rows`` of the translation: the rows keep their size while they
     * appear and when the slider replays them, and the figure its height. */
    redraw(source, target, z, rows) {
      const layout = JSON.parse(JSON.stringify(this.plot.layout));
      const ticks = (labels) => ({ tickmode: "array", tickvals: labels.map((_, i) => i), ticktext: labels });
      Object.assign(layout.xaxis, ticks(source), { tickangle: tickAngle(source.length) });
      Object.assign(layout.yaxis, ticks(target), { autorange: false, range: [rows - 0.5, -0.5] });  // first row on top
      layout.height = this.base.height + ROW_PX * (rows - this.base.rows);  // the frame's bands stay as drawn
      const trace = Object.assign({}, this.plot.data[0], {
        z, x: source.map((_, i) => i), y: target.map((_, i) => i),
        hovertext: z.map((row, t) => row.map((v, s) => `${target[t]} → ${source[s]}: ${v.toFixed(3)}`)),
      });
      const size = this.plot._fullLayout && this.plot._fullLayout._size;
      const cellPx = size ? size.w / source.length : Infinity;
      if (source.length * rows <= MAX_NUMBERED_CELLS && cellPx >= MIN_CELL_PX) {  // numbers only where they fit
        Object.assign(trace, { text: z.map((row) => row.map(cellText)), texttemplate: "%{text}" });
      } else {
        delete trace.text;
        delete trace.texttemplate;
      }
      this.plot.style.height = `${layout.height}px`;  // the div plotly draws in is sized by the page, not by plotly
      return Plotly.react(this.plot, [trace], layout, this.plot._context);
    }
  }

  /** Load the model once per page and attach a view to every translator element on it. */
  const served = location.protocol !== "file:";  // a page opened as a file cannot fetch the model
  const timings = { script: performance.now() };  // ms from navigation start, for the load benchmark
  const mark = (name) => (value) => { timings[name] = performance.now(); return value; };
  const ready = served ? PageTranslator.load().then(mark("model"))
    : Promise.reject(new Error("the page is not served over http"));
  ready.catch(() => {});  // reported in the element, by mount()
  const parsed = document.readyState !== "loading" ? Promise.resolve()
    : new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve, { once: true }));
  parsed.then(mark("parsed"));
  const views = [];

  async function mount(root) {
    const status = root.querySelector(".attn-live-status");
    if (!served) {
      status.textContent = "The translator needs the book served over http: run "
        + "`python -m http.server -d _build/html` and open http://localhost:8000.";
      return null;
    }
    let translator;
    try {
      translator = await ready;
    } catch (err) {
      status.textContent = `The translator could not be loaded (${err.message || err}). Reload the page to try again.`;
      status.classList.add("attn-live-error");
      return null;
    }
    const view = new LiveView(root, translator);
    views.push(view);
    await view.translate(root.dataset.example, { animate: false });  // the picture the page opened with
    view.status("Ready: type an English sentence and press Enter.");
    return view;
  }

  const mounted = parsed.then(() => Promise.all([...document.querySelectorAll(".attn-live")].map(mount))).then((v) => {
    window.attnLiveTranslator.readyMs = performance.now();  // from navigation start: the load benchmark
    return v;
  });

  window.attnLiveTranslator = { ready, mounted, views, InputError, timings, readyMs: null };
})();
