/* The page's twin of attnlib.lm.sampling, and of one step of attnlib.lm.generate: from next-token logits
 * to one token, operation for operation. The Python module's docstring is the specification; in short:
 *
 *   - temperature T divides the logits (0 is greedy: all the mass on the argmax), then top-k keeps the k
 *     most likely (null or 0: all), then top-p keeps the smallest set, best first, whose renormalised mass
 *     reaches p (1: all); ties, wherever a rank is needed, go to the lower id;
 *   - everything is a double (float64), every sum is a plain loop, left to right: over the kept tokens best
 *     first for the softmax's total and the nucleus, over the ids in increasing order for draw();
 *   - the weights are Math.exp((x - best) / T), as Python's math.exp((x - best) / T): the one place where
 *     the two languages may differ, in the last bit of a probability (C's exp and V8's are not the same
 *     code), never in the order of the work.
 *
 * Given the same probabilities and the same uniform number, draw() picks the same token as Python's.
 * tests/lm/test_sampling_js.py runs this file under Node and compares it with Python on hundreds of
 * logit vectors, every setting, and whole generations.
 *
 *   const probs = attnSampling.nextTokenDistribution(logits, 0.8, 20, 0.9);  // Float64Array (V)
 *   const token = attnSampling.draw(probs, rng.random());                     // an id
 *   const { token, probs, u } = attnSampling.sampleStep(logits, { temperature: 0.8, topP: 0.9, padId: 0 }, rng);
 *
 * Error messages are Python's, word for word: checkSampling's come from Python's own table, which the page
 * hands over with useMessages(config.messages) (language_models.json), with Python's spelling of the value
 * (None, True, 1e-05, 'text'); a whole number reads as Python's int (-1, not -1.0), since JavaScript has
 * only one number type. For the same reason a whole-valued top-k such as 2.0 is accepted here, where Python
 * refuses the float 2.0 (the page reads what a reader types with lm_reader.js, which tells them apart).
 *
 * It needs live_rules.js (Python's repr()). In the page it is `window.attnSampling`; under Node,
 * `require(...)` returns the same object.
 */
(function (root) {
  "use strict";

  const SUM_TOLERANCE = 1e-6;  // how far from 1 a distribution handed to draw() may sum, as in Python

  // Python's repr(), shared with the other pages' rules: in the page (or a worker) live_rules.js comes first
  const { pyFloat, pyRepr, fill } = typeof module !== "undefined" && module.exports ? require("./live_rules.js")
    : root.attnRules;

  // The messages of Python's check_sampling (attnlib.lm.sampling.SAMPLING_MESSAGES), given by the page from
  // language_models.json: the words are Python's own table, not a copy.
  let messages = null;

  /** Use ``table`` (language_models.json's "messages") for the messages of checkSampling. */
  function useMessages(table) {
    messages = table;
  }

  /** The RangeError for a bad ``name`` argument, with ``value`` as Python's repr() writes it (or as ``shown``
   *  says, for a value a reader typed: a JavaScript number cannot say whether it was 2 or 2.0). */
  function refused(name, value, shown) {
    const repr = shown === undefined ? pyRepr(value) : shown;
    if (!messages) return new RangeError(`${name} is out of range, got ${repr} (attnSampling.useMessages() gives Python's message)`);
    return new RangeError(fill(messages[name], { value: repr }));
  }

  const isNumber = (x) => typeof x === "number";  // Python's Real, bool excluded: JavaScript's booleans are not numbers

  // -- the arguments ---------------------------------------------------------------------------------

  /** A RangeError that names the argument, before any work, with Python's check_sampling message:
   *  T >= 0 and finite, k a whole number >= 0 or null/undefined (Python's None), p in (0, 1]. ``shown``
   *  ({temperature, top_k, top_p}, each optional) says how a message writes a value the reader typed. */
  function checkSampling(temperature, topK, topP, shown = {}) {
    if (!isNumber(temperature) || !Number.isFinite(temperature) || temperature < 0) {
      throw refused("temperature", temperature, shown.temperature);
    }
    if (topK !== null && topK !== undefined && (!isNumber(topK) || !Number.isInteger(topK) || topK < 0)) {
      throw refused("top_k", topK, shown.top_k);
    }
    if (!isNumber(topP) || !(topP > 0 && topP <= 1)) {  // NaN fails the comparison
      throw refused("top_p", topP, shown.top_p);
    }
  }

  /** The logits as a new Float64Array (float32 to float64 is exact), or a RangeError if they are not one
   *  non-empty array of floating-point numbers. */
  function logitsArray(logits) {
    const typed = ArrayBuffer.isView(logits) && !(logits instanceof DataView);
    if (!(Array.isArray(logits) || typed) || logits.length === 0) {
      const shape = Array.isArray(logits) || typed ? "(0,)" : logits === null ? "null" : typeof logits;
      throw new RangeError("logits must be one array of scores, one per vocabulary entry, shape (V,); " +
                           `got ${shape}: for a model's output (B, T, V) take one row, the last position's`);
    }
    if (typed && !(logits instanceof Float32Array || logits instanceof Float64Array)) {
      throw new RangeError(`logits must hold floating-point scores, got ${logits.constructor.name}`);
    }
    if (!typed && !logits.every(isNumber)) {
      throw new RangeError("logits must hold floating-point scores, got an array of other things than numbers");
    }
    return Float64Array.from(logits);
  }

  /** The logits as a new Float64Array, or Python's _check_logits's RangeError (same messages for the values). */
  function checkLogits(logits) {
    const values = logitsArray(logits);
    if (values.some((x) => Number.isNaN(x) || x === Infinity)) {
      throw new RangeError("logits must be finite, or -inf for a token ruled out; they hold NaN or +inf");
    }
    if (values.every((x) => x === -Infinity)) {
      throw new RangeError("every logit is -inf: no token is left to choose");
    }
    return values;
  }

  // -- the distribution ------------------------------------------------------------------------------

  /** The ids from the highest score to the lowest, a lower id first among equal scores (Python's ranked). */
  function ranked(values) {
    const ids = Array.from({ length: values.length }, (_, i) => i);
    return ids.sort((a, b) => (values[a] > values[b] ? -1 : values[a] < values[b] ? 1 : a - b));
  }

  /** The next token's probabilities (Float64Array, V) after temperature, top-k and top-p, from logits (V)
   *  (an Array, Float32Array or Float64Array). Dropped tokens get exactly 0; the kept ones sum to 1. */
  function nextTokenDistribution(logits, temperature = 1.0, topK = null, topP = 1.0) {
    checkSampling(temperature, topK, topP);
    const values = checkLogits(logits);
    const order = ranked(values);  // ids, best first
    const probs = new Float64Array(values.length);  // zeros
    if (temperature === 0) {
      probs[order[0]] = 1.0;
      return probs;
    }
    const best = values[order[0]];
    // exp((x - best) / T): the best token gets exp(0) = 1, so the total is never 0; -inf gets exp(-inf) = 0
    let kept = !topK ? order.length : Math.min(topK, order.length);
    const weights = new Float64Array(kept);  // best first
    let total = 0;
    for (let n = 0; n < kept; n++) {
      weights[n] = Math.exp((values[order[n]] - best) / temperature);
      total += weights[n];  // left to right, best first
    }
    let mass = weights.map((w) => w / total);
    if (topP < 1.0) {
      // the smallest prefix whose running sum reaches p; if rounding keeps it short of p, every token
      let running = 0;
      let nucleus = kept;
      for (let n = 0; n < kept; n++) {
        running += mass[n];
        if (running >= topP) {
          nucleus = n + 1;
          break;
        }
      }
      kept = nucleus;  // and running is Python's running[kept - 1]
      mass = mass.subarray(0, kept).map((m) => m / running);
    }
    for (let n = 0; n < kept; n++) probs[order[n]] = mass[n];
    return probs;
  }

  /** The token whose slice of [0, 1) holds u: the first id whose running sum of probs (left to right, id
   *  order) exceeds u. A token of probability 0 is never picked; if rounding leaves the total just below a
   *  u close to 1, the last token of nonzero probability is. */
  function draw(probs, u) {
    if (!isNumber(u) || !(u >= 0 && u < 1)) {
      throw new RangeError(`u must be a uniform number in [0, 1), got ${pyRepr(u)}`);
    }
    const arrayLike = Array.isArray(probs) || (ArrayBuffer.isView(probs) && !(probs instanceof DataView));
    if (!arrayLike || probs.length === 0 ||
        !Array.prototype.every.call(probs, (p) => isNumber(p) && Number.isFinite(p) && p >= 0)) {
      throw new RangeError("probs must be a non-empty list of finite probabilities >= 0");
    }
    let total = 0;
    for (let i = 0; i < probs.length; i++) total += probs[i];  // the CDF's last value
    if (Math.abs(total - 1.0) > SUM_TOLERANCE) {
      throw new RangeError(`probs must sum to 1, they sum to ${pyFloat(total)}: pass a distribution, not logits`);
    }
    let edge = 0;
    for (let token = 0; token < probs.length; token++) {
      edge += probs[token];  // the same additions in the same order as the total above
      if (u < edge) return token;
    }
    for (let token = probs.length - 1; ; token--) {
      if (probs[token] > 0) return token;
    }
  }

  // -- one step of generate() ------------------------------------------------------------------------

  /** One step of Python's generate(), in its order: the padding id's logit set to -inf (on a copy), the
   *  distribution, then one number from rng (an attnPrng.Mulberry32), drawn at every step, greedy ones
   *  included, and the token it picks. Returns { token, probs, u }.
   *
   *  options: { temperature = 1, topK = null, topP = 1, padId } (padId: the vocabulary's padding id,
   *  required). The loop is the page's: feed the token back to the model, and stop after the <eos> or
   *  after max_new_tokens steps, as generate() does; the same logits each step and the same seed then give
   *  Python's tokens. */
  function sampleStep(logits, options, rng) {
    const { temperature = 1.0, topK = null, topP = 1.0, padId } = options || {};
    checkSampling(temperature, topK, topP);
    const values = logitsArray(logits);  // a copy: the caller's logits are left as they are
    if (!isNumber(padId) || !Number.isInteger(padId) || padId < 0 || padId >= values.length) {
      throw new RangeError(`padId must be the padding token's id, from 0 to ${values.length - 1}, ` +
                           `got ${pyRepr(padId)}`);
    }
    if (!rng || typeof rng.random !== "function") {
      throw new RangeError("rng must be a seeded generator with a random() method (an attnPrng.Mulberry32)");
    }
    values[padId] = -Infinity;  // padding is not text: never drawn (masked before the values are checked, as in Python)
    const probs = nextTokenDistribution(values, temperature, topK, topP);
    const u = rng.random();
    return { token: draw(probs, u), probs, u };
  }

  const api = { nextTokenDistribution, draw, checkSampling, sampleStep, ranked, useMessages, SUM_TOLERANCE };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.attnSampling = api;
  }
})(typeof window !== "undefined" ? window : globalThis);
