/* The library's rules for reading text and writing numbers, as the pages that run a model repeat them: the
 * translator (live_translator.js) and the language models (lm_reader.js, lm_sampling.js) read what a reader
 * types, and quote it in their messages, exactly as Python does.
 *
 * Each rule is a twin of a Python one, and tests hold them equal on thousands of strings and numbers
 * (tests/book/test_page_rules.py, tests/book/test_lm_reader.py, tests/lm/test_sampling_js.py):
 *   pyFloat(), pyRepr()     <- Python's repr() of a float, and of a value (None, True, 7, 0.5, 'text')
 *   quoted()                <- attnlib.translation.vocab.quoted_words
 *   fill()                  <- Python's str.format, for {name} and {name!r} fields
 *   Tokenizer               <- attnlib.translation.vocab.tokenize
 *   countSentences()        <- attnlib.translation.vocab.count_sentences
 *   fixed(), cellText()     <- Python's format(v, ".Nf"), attnlib.book.plots.cell_text
 *   tickAngle(), numbered() <- attnlib.book.live.tick_angle, numbered
 *
 * In the page (and in a worker) it is `attnRules`; under Node, `require(...)` returns the same object.
 */
(function (root) {
  "use strict";

  /** Bad input: the message says what is wrong and what to do (never a stack trace). */
  class InputError extends Error {}

  /** repr() of a Python float: the shortest digits that read back, as JavaScript's; fixed notation for
   *  decimal exponents -4 to 15 (always with a point), else d.ddde+XX with at least two exponent digits. */
  function pyFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (x === Infinity) return "inf";
    if (x === -Infinity) return "-inf";
    if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
    const sign = x < 0 ? "-" : "";
    const [mantissa, exp] = Math.abs(x).toExponential().split("e");  // shortest digits: "1.25e-7"
    const e = Number(exp);
    if (e < -4 || e >= 16) {
      return `${sign}${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
    }
    const digits = mantissa.replace(".", "");
    if (e < 0) return `${sign}0.${"0".repeat(-e - 1)}${digits}`;
    if (digits.length <= e + 1) return `${sign}${digits}${"0".repeat(e + 1 - digits.length)}.0`;
    return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  }

  /** How repr() writes a character str.isprintable() refuses (categories C and Z but the space): \xhh,
   *  \uhhhh or \Uhhhhhhhh. */
  function escape(code) {
    const [prefix, width] = code < 0x100 ? ["\\x", 2] : code < 0x10000 ? ["\\u", 4] : ["\\U", 8];
    return prefix + code.toString(16).padStart(width, "0");
  }

  /** repr() of the Python value a JavaScript one stands for: a whole number is an int, any other number a
   *  float, true True, null and undefined None, a string its quoted self. */
  function pyRepr(value) {
    if (value === null || value === undefined) return "None";
    if (typeof value === "boolean") return value ? "True" : "False";
    if (typeof value === "number") {
      return Number.isInteger(value) && !Object.is(value, -0) ? BigInt(value).toString() : pyFloat(value);
    }
    if (typeof value === "string") {
      const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
      const escaped = value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r")
        .replace(/\t/g, "\\t").replace(/[\p{C}\p{Z}]/gu, (c) => (c === " " ? c : escape(c.codePointAt(0))));
      return quote + (quote === "'" ? escaped.replace(/'/g, "\\'") : escaped) + quote;
    }
    return String(value);
  }

  /** A word as a message quotes it: cut to ``maxChars`` code points (as Python counts), and what Python's
   * str.isprintable() refuses (categories C and Z but the space) shown as U+FFFD. */
  function shown(word, maxChars) {
    const chars = Array.from(word);
    const cut = chars.length <= maxChars ? word : chars.slice(0, maxChars - 1).join("") + "…";
    return cut.replace(/[\p{C}\p{Z}]/gu, (c) => (c === " " ? c : "\ufffd"));
  }

  /** "'cow', 'moon'": each word once, in order of appearance, the rest counted (``limits``: the quote
   * limits of the page's JSON). */
  function quoted(words, limits) {
    const unique = [...new Set(words)];
    const rest = unique.length - limits.max_words;
    return unique.slice(0, limits.max_words).map((w) => pyRepr(shown(w, limits.max_chars))).join(", ")
      + (rest > 0 ? ` and ${rest} more` : "");
  }

  /** Python's str.format for ``{name}`` and ``{name!r}`` fields. */
  function fill(template, values) {
    return template.replace(/\{(\w+)(!r)?\}/g, (_, name, r) => (r ? pyRepr(values[name]) : String(values[name])));
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

  /** The column labels' angle for ``columns`` tokens (undefined: plotly chooses). */
  function tickAngle(columns, display) {
    return columns >= display.vertical_labels_from ? display.vertical_angle : undefined;
  }

  /** Whether a map of ``cells`` cells, each ``cellPx`` wide, writes its numbers in them. */
  function numbered(cells, cellPx, display) {
    return cells <= display.max_numbered_cells && cellPx >= display.min_cell_px;
  }

  const api = { InputError, pyFloat, pyRepr, shown, quoted, fill, Tokenizer, countSentences, fixed, cellText,
                tickAngle, numbered };
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.attnRules = api;
  }
})(typeof window !== "undefined" ? window : globalThis);
