/* What a reader types to the book's language models, read as Python reads it: the page's twin of
 * attnlib.lm.trained.TrainedLM's checks (and the suggestions for unknown words, with difflib's ratio),
 * and of the settings of python -m attnlib.lm generate.
 *
 * Everything Python decides comes from language_models.json (attnlib.lm.onnx_export): the vocabularies, the
 * limits, the tokenizer's tables and every message, Python's own table filled in here. What is rewritten is
 * the rules that turn the tables into answers; tests/book/test_lm_reader.py runs this file under Node on
 * more than a thousand strings and holds every answer equal to Python's:
 *   Reader.words()          <- TrainedLM.words
 *   Reader.suggestions()    <- TrainedLM.suggestions (difflib.get_close_matches and SequenceMatcher.ratio)
 *   Reader.promptIds()      <- TrainedLM.prompt_ids
 *   Reader.sentenceIds()    <- TrainedLM.sentence_ids
 *   readNumber()            <- attnlib.book.live_lm.read_number
 *   Reader.settings()       <- attnlib.book.live_lm.read_settings (check_sampling, check_seed, check_max_new_tokens)
 *   Reader.checkRoom()      <- attnlib.lm.generate.check_room
 *
 * It needs live_rules.js, lm_prng.js and lm_sampling.js. In the page it is `attnLmReader`; under Node,
 * `require(...)` returns the same object.
 */
(function (root) {
  "use strict";

  const node = typeof module === "object" && module.exports;
  const R = node ? require("./live_rules.js") : root.attnRules;
  const P = node ? require("./lm_prng.js") : root.attnPrng;
  const S = node ? require("./lm_sampling.js") : root.attnSampling;
  const { InputError, fill, quoted, pyFloat, pyRepr } = R;

  // -- difflib, for the suggestions ------------------------------------------------------------------

  /** difflib.SequenceMatcher(None, a, b).ratio(): 2 * (characters in matching blocks) / (len(a) + len(b)),
   *  the blocks found as difflib finds them (longest match first, then on each side; with its "autojunk"
   *  rule: in a ``b`` of 200 characters or more, a character found more than 1% of the time plus one is not
   *  looked up, though a match may still grow over it). Strings are taken code point by code point. */
  function ratio(aText, bText) {
    const a = Array.from(aText), b = Array.from(bText);
    const b2j = new Map();
    b.forEach((c, j) => { if (!b2j.has(c)) b2j.set(c, []); b2j.get(c).push(j); });
    if (b.length >= 200) {
      const ntest = Math.floor(b.length / 100) + 1;
      for (const [c, js] of [...b2j]) if (js.length > ntest) b2j.delete(c);
    }
    function longest(alo, ahi, blo, bhi) {  // SequenceMatcher.find_longest_match, with no junk
      let besti = alo, bestj = blo, bestsize = 0, j2len = new Map();
      for (let i = alo; i < ahi; i++) {
        const next = new Map();
        for (const j of b2j.get(a[i]) || []) {
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j2len.get(j - 1) || 0) + 1;
          next.set(j, k);
          if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
        }
        j2len = next;
      }
      while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) [besti, bestj, bestsize] = [besti - 1, bestj - 1, bestsize + 1];
      while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++;
      return [besti, bestj, bestsize];
    }
    let matches = 0;
    const queue = [[0, a.length, 0, b.length]];
    while (queue.length) {  // get_matching_blocks
      const [alo, ahi, blo, bhi] = queue.pop();
      const [i, j, k] = longest(alo, ahi, blo, bhi);
      if (!k) continue;
      matches += k;
      if (alo < i && blo < j) queue.push([alo, i, blo, j]);
      if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
    }
    const length = a.length + b.length;
    return length ? 2.0 * matches / length : 1.0;
  }

  /** Python's round(x, 9), for a ratio: two ratios equal to 9 places rank as equal. */
  const round9 = (x) => Number(x.toFixed(9));

  // -- what a reader types ---------------------------------------------------------------------------

  /** One model's reader: ``config`` is language_models.json, ``kind`` "causal" or "masked". */
  class Reader {
    constructor(config, kind) {
      this.config = config;
      this.model = config[kind];
      this.kind = kind;
      this.tokenizer = new R.Tokenizer(config.tokenizer);
      this.index = new Map(this.model.tokens.map((t, i) => [t, i]));
      this.known = this.model.tokens.filter((t) => !config.specials.includes(t));  // most frequent first
      this.rank = new Map(this.known.map((w, i) => [w, i]));
    }

    /** The tokens of ``text``, or an InputError with Python's message (``what``: "prompt" or "sentence";
     *  ``limit``: the most words there is room for; ``allowed``: special tokens that may be typed). */
    words(text, what, limit, allowed = []) {
      const c = this.config, m = c.messages;
      const tokens = this.tokenizer.tokenize(text || "");
      if (!tokens.length) throw new InputError(fill(m.empty, { what, example: c.example_prompt }));
      const specials = tokens.filter((t) => c.specials.includes(t) && !allowed.includes(t));
      if (specials.length) {
        const hint = specials.includes(c.mask) ? fill(m.mask_hint, { mask: c.mask }) : "";
        throw new InputError(fill(m.special, { tokens: quoted(specials, c.quote), hint }));
      }
      const unknown = [...new Set(tokens.filter((t) => !this.index.has(t)))].filter((t) => !allowed.includes(t));
      if (unknown.length) {
        throw new InputError(fill(m.unknown, { words: quoted(unknown, c.quote), known: this.model.known_words,
                                               suggest: this.suggestions(unknown) }));
      }
      if (tokens.length > limit) throw new InputError(fill(m.too_long, { what, words: tokens.length, limit }));
      return tokens;
    }

    /** Known words like the unknown ones, or some of the commonest when none is near. */
    suggestions(unknown) {
      const c = this.config, s = c.suggest;
      const near = [];
      for (const word of unknown.slice(0, s.words)) {
        // get_close_matches(word, known, cutoff): the ratio with the known word first
        const similar = this.known.filter((w) => ratio(w, word) >= s.cutoff);
        const score = new Map(similar.map((w) => [w, round9(ratio(word, w))]));
        similar.sort((x, y) => score.get(y) - score.get(x) || this.rank.get(x) - this.rank.get(y));
        const close = similar.slice(0, s.close).map(pyRepr);
        if (close.length) {
          near.push((close.length > 1 ? `${close.slice(0, -1).join(", ")} or ${close[close.length - 1]}` : close[0])
            + ` for ${quoted([word], c.quote)}`);
        }
      }
      if (near.length) return fill(c.messages.suggest_near, { near: near.join("; ") });
      return fill(c.messages.suggest_common, { words: this.model.common_words.map(pyRepr).join(", ") });
    }

    /** A causal model's prompt: <bos> and the ids of the words of ``text``. */
    promptIds(text) {
      const tokens = this.words(text, "prompt", this.model.max_words);
      return [this.model.bos_id, ...tokens.map((t) => this.index.get(t))];
    }

    /** A masked model's sentence with exactly one <mask>: {ids: <bos> … <eos>, position of the <mask>}. */
    sentenceIds(text) {
      const c = this.config, mask = c.mask;
      const tokens = this.words(text, "sentence", this.model.max_words, [mask]);
      const count = tokens.filter((t) => t === mask).length;
      if (count !== 1) {
        throw new InputError(fill(c.messages.masks, { count: count === 0 ? `no ${mask}` : `${count} ${mask} tokens`, mask }));
      }
      const ids = [this.model.bos_id, ...tokens.map((t) => this.index.get(t)), this.model.eos_id];
      return { ids, position: tokens.indexOf(mask) + 1 };  // +1: the <bos>
    }

    /** The sampling settings and the limit typed in the page's fields ({temperature, top_k, top_p, seed,
     *  max_new_tokens}, each a text), checked in the order python -m attnlib.lm generate checks them. */
    settings(fields) {
      const n = {};
      for (const name of ["temperature", "top_k", "top_p", "seed", "max_new_tokens"]) n[name] = readNumber(fields[name]);
      // a number with a point where a whole number is asked for is refused, as Python refuses 2.0
      const whole = (r) => (r.whole || typeof r.value === "string" ? r.value : NaN);
      try {
        S.checkSampling(n.temperature.value, whole(n.top_k), n.top_p.value,
                        { temperature: n.temperature.shown, top_k: n.top_k.shown, top_p: n.top_p.shown });
        P.checkSeed(whole(n.seed), n.seed.shown);
      } catch (err) {
        throw err instanceof RangeError ? new InputError(err.message) : err;
      }
      const limit = n.max_new_tokens;
      if (!limit.whole || limit.value < 1) {
        throw new InputError(fill(this.config.messages.max_new_tokens, { value: limit.shown }));
      }
      return { temperature: n.temperature.value, topK: n.top_k.value, topP: n.top_p.value, seed: n.seed.value,
               maxNew: limit.value };
    }

    /** An InputError when ``maxNew`` new tokens do not fit after a prompt of ``promptLength`` ids. */
    checkRoom(promptLength, maxNew) {
      const positions = this.model.max_len, room = positions - promptLength + 1;
      if (maxNew > room) {
        throw new InputError(fill(this.config.messages.room, { words: promptLength - 1, room, positions }));
      }
    }
  }

  // -- numbers typed in a field ----------------------------------------------------------------------

  const INT = /^[+-]?[0-9]+$/;
  const FLOAT = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
  const NAMED = /^[+-]?(?:inf|infinity|nan)$/i;

  /** What a reader typed in a number field, as Python's value: a whole number (7, -2) an int, a number with
   *  a point or an exponent (0.5, 2., 1e3, inf) a float, anything else the text itself. ``value`` is it as
   *  JavaScript holds it, ``shown`` its repr(), ``whole`` whether it is an int. Spaces and tabs around it
   *  are left out. */
  function readNumber(text) {
    const s = String(text).replace(/^[ \t]+|[ \t]+$/g, "");
    if (INT.test(s)) return { value: Number(s), shown: BigInt(s).toString(), whole: true };
    if (FLOAT.test(s) || NAMED.test(s)) {
      const v = NAMED.test(s) ? (/nan/i.test(s) ? NaN : s[0] === "-" ? -Infinity : Infinity) : Number(s);
      return { value: v, shown: pyFloat(v), whole: false };
    }
    return { value: String(text), shown: pyRepr(String(text)), whole: false };
  }

  const api = { Reader, ratio, readNumber, InputError };
  if (node) {
    module.exports = api;
  } else {
    root.attnLmReader = api;
  }
})(typeof window !== "undefined" ? window : globalThis);
