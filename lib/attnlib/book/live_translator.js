/* The book's translator, running in the page: onnxruntime-web executes the ONNX graphs that the book
 * build exports from the shipped checkpoint (attnlib.translation.onnx_export), so a reader of the
 * static site types a sentence and watches it translated, with no server and no network.
 *
 * Everything the Python translator decides is taken from it, not rewritten here: the vocabularies,
 * the length limit, the tokenizer's tables, the input messages and how the heatmap is drawn come in
 * translator.json; the greedy choice and the mean of the heads are computed in the ONNX graph.
 * What is rewritten is the rules that turn those tables into answers, and a test holds them equal to
 * Python's on more than a thousand strings (tests/book/test_page_rules.py runs `node --test` on them):
 *   Tokenizer         <- attnlib.translation.vocab.tokenize
 *   quoted()          <- attnlib.translation.vocab.quoted_words (and Python's repr)
 *   countSentences()  <- attnlib.translation.vocab.count_sentences
 *   sourceIds()       <- attnlib.translation.translator.Translator.source_ids
 *   fixed(), cellText <- Python's format(v, ".Nf"), attnlib.book.plots.cell_text
 *   tickAngle(), numbered() <- attnlib.book.live.tick_angle, numbered
 * Under Node (`require`), this file exports those rules and does nothing else.
 *
 * On the pages that show a translator, the book's build puts a few lines in the head that start the
 * worker (live_translator_worker.js), which loads the model at once, and this script, loaded async.
 * Each element (see attnlib.book.live) holds a text box, a status line, the French output, a layer and a
 * head menu, a step slider and a plotly heatmap drawn by the book build; they come to life once the page
 * is parsed and the model is ready.
 */
(function () {
  "use strict";

  // -- the Python translator's rules ------------------------------------------------------------------

  /** Bad input: the message says what is wrong and what to do (never a stack trace). */
  class InputError extends Error {}

  /** A string as Python's repr() writes it, for strings with nothing but quotes and \\ to escape. */
  function pyRepr(s) {
    const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
    let body = s.replace(/\\/g, "\\\\");
    if (quote === "'") body = body.replace(/'/g, "\\'");
    return quote + body + quote;
  }

  /** A word as a message quotes it: cut to ``maxChars`` code points (as Python counts), and what Python's
   * str.isprintable() refuses (categories C and Z but the space) shown as U+FFFD. */
  function shown(word, maxChars) {
    const chars = Array.from(word);
    const cut = chars.length <= maxChars ? word : chars.slice(0, maxChars - 1).join("") + "…";
    return cut.replace(/[\p{C}\p{Z}]/gu, (c) => (c === " " ? c : "\ufffd"));
  }

  /** "'cow', 'moon'": each word once, in order of appearance, the rest counted (``limits``: the quote
   * limits of translator.json). */
  function quoted(words, limits) {
    const unique = [...new Set(words)];
    const rest = unique.length - limits.max_words;
    return unique.slice(0, limits.max_words).map((w) => pyRepr(shown(w, limits.max_chars))).join(", ")
      + (rest > 0 ? ` and ${rest} more` : "");
  }

  /** Python's str.format for ``{name}`` fields. */
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
  }

  function escapeClass(chars) {
    return chars.replace(/[\\\]^-]/g, "\\$&");
  }

  /** The Python tokenizer, from the same tables. */
  class Tokenizer {
    constructor(tables) {
      this.punctuation = new RegExp("([" + escapeClass(tables.punctuation) + "])", "g");
      this.whitespace = new RegExp("[" + escapeClass(tables.whitespace) + "]+");
      const elisions = tables.elisions.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      // (?=\w) in Python matches any letter, digit or underscore of any script
      this.elision = new RegExp("^(" + elisions.join("|") + ")(?=[\\p{L}\\p{N}_])", "u");
    }

    tokenize(text) {
      const clean = text.toLowerCase().replace(/\u2019/g, "'");
      const tokens = [];
      for (let chunk of clean.replace(this.punctuation, " $1 ").split(this.whitespace).filter(Boolean)) {
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

  /** How many sentences ``tokens`` hold: words up to a sentence end; punctuation alone starts none. */
  function countSentences(tokens, tables) {
    let count = 0, words = false;
    for (const t of tokens) {
      if (tables.sentence_ends.includes(t)) {
        count += words ? 1 : 0;
        words = false;
      } else if (!tables.punctuation.includes(t)) {
        words = true;
      }
    }
    return count + (words ? 1 : 0);
  }

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

  /** Python's format(v, ".{digits}f"): like toFixed, but an exact tie goes to the even digit. */
  function fixed(v, digits) {
    const text = (Object.is(v, -0) ? "-" : "") + v.toFixed(digits);  // toFixed drops the sign of -0, Python keeps it
    const exact = Math.abs(v).toFixed(Math.min(digits + 25, 100));  // every digit a tie could have
    const tie = new RegExp("^\\d+\\.\\d{" + digits + "}50*$").test(exact);
    if (!tie) return text;
    const down = Math.abs(v).toFixed(digits + 1).slice(0, -1).replace(/\.$/, "");  // cut, not rounded
    const last = Number(down[down.length - 1]);
    return last % 2 === 0 ? (v < 0 ? "-" : "") + down : text;
  }

  /** The number written in a cell; a zero is "0" (attnlib.book.plots.cell_text). */
  function cellText(v) {
    const text = fixed(v, 2);
    return Number(text) === 0 ? "0" : text;
  }

  /** The English labels' angle for ``columns`` tokens (undefined: plotly chooses). */
  function tickAngle(columns, display) {
    return columns >= display.vertical_labels_from ? display.vertical_angle : undefined;
  }

  /** Whether a map of ``cells`` cells, each ``cellPx`` wide, writes its numbers in them. */
  function numbered(cells, cellPx, display) {
    return cells <= display.max_numbered_cells && cellPx >= display.min_cell_px;
  }

  const rules = { InputError, pyRepr, quoted, fill, Tokenizer, countSentences, sourceIds, fixed, cellText, tickAngle, numbered };
  if (typeof module === "object" && module.exports) {  // Node, for the test: the rules and nothing else
    module.exports = rules;
    return;
  }

  // -- the page ------------------------------------------------------------------------------------

  const SCRIPT = document.currentScript;
  const STATIC_ROOT = SCRIPT.src.replace(/[^/]*$/, "");  // .../_static/
  const STEP_MS = 90;  // a pause between decoding steps, so the map is seen growing row by row

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
      return sourceIds(this.config, this.tokenizer, this.sourceIndex, text);
    }

    /** Greedy decoding, all of it: source and target tokens (<eos> included, as Translation), the last
     * step's cross-attention ``{data: Float32Array, dims: [L, H, T, S]}`` (row t: what the decoder read
     * while writing token t) and ``steps``, each step's own target, cross-attention and its mean over
     * heads ``{data, dims: [L, T, S]}``. */
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
          steps.push({ target: message.ids.map((i) => c.target_tokens[i]), crossAttention: message.attention,
                       headMean: message.headMean });
          if (message.done) {
            this.pending.delete(id);
            resolve({ source, ...steps[steps.length - 1], steps });
          }
        });
        this.worker.postMessage({ id, source: srcIds });
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
      const s = this.el("status");
      s.textContent = text;
      s.classList.toggle("attn-live-error", isError);
      this.root.classList.toggle("attn-live-stale", isError);  // what is below belongs to the last sentence
    }

    /** Translate, then show the steps one by one at the pace of reading (all at once with animate false, or
     * when the reader's system asks for reduced motion). */
    async translate(text, { animate = true } = {}) {
      const run = ++this.run;  // a newer request wins: an older one stops drawing
      animate = animate && !(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
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
      // from the figure as written into the page (attn_figures.js keeps it): the theme colours it below
      const written = this.plot.attnWide || { data: this.plot.data, layout: this.plot.layout };
      const layout = JSON.parse(JSON.stringify(written.layout));
      const ticks = (labels) => ({ tickmode: "array", tickvals: labels.map((_, i) => i), ticktext: labels });
      Object.assign(layout.xaxis, ticks(source), { tickangle: tickAngle(source.length, d) });
      Object.assign(layout.yaxis, ticks(target), { autorange: false, range: [rows - 0.5, -0.5] });  // first row on top
      layout.height = this.base.height + d.row_px * (rows - this.base.rows);  // the frame's bands stay as drawn
      const trace = Object.assign({}, written.data[0], {
        z: weights.map((row) => row.map((v) => Math.round(v * 1e4) / 1e4)),
        x: source.map((_, i) => i), y: target.map((_, i) => i),
        hovertext: weights.map((row, t) => row.map((v, s) => `${target[t]} → ${source[s]}: ${fixed(v, 3)}`)),
      });
      // the plot area is the element's width less the figure's fixed side margins (no automargin here)
      const cellPx = (this.plot.clientWidth - layout.margin.l - layout.margin.r) / source.length;
      if (numbered(source.length * rows, cellPx, d)) {  // numbers only where they fit
        Object.assign(trace, { text: weights.map((row) => row.map(cellText)), texttemplate: "%{text}" });
      } else {
        delete trace.text;
        delete trace.texttemplate;
      }
      this.plot.style.height = `${layout.height}px`;  // the div plotly draws in is sized by the page, not by plotly
      const shown = window.attnFigures ? window.attnFigures.themed([trace], layout) : { data: [trace], layout };
      const drawing = Plotly.react(this.plot, shown.data, shown.layout, d.plotly_config);
      return (window.attnFigures ? window.attnFigures.drawn(this.plot, drawing) : drawing).then(() => {
        // its description in words, said the way the book says every figure's (attn_figures.js)
        const said = this.root.querySelector(".attn-figure-desc");
        if (said && window.attnFigures) said.textContent = window.attnFigures.describe(this.plot);
      });
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
