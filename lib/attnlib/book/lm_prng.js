/* The page's twin of attnlib.lm.prng: mulberry32 (Tommy Ettinger's, public domain), step for step.
 *
 * Every operation is on 32-bit integers, so JavaScript and Python compute the same numbers exactly:
 * Math.imul multiplies modulo 2^32, `>>> 0` reads a result as unsigned (Python masks with 0xFFFFFFFF).
 * random() divides by 2^32, exact in a double. tests/lm/test_prng.py runs this file under Node and
 * compares its first thousands of numbers with Python's.
 *
 *   const rng = new attnPrng.Mulberry32(7);
 *   rng.random();  // in [0, 1), the same number Python's Mulberry32(7).random() gives
 *
 * It needs live_rules.js (Python's repr()) for its message. In the page it is `window.attnPrng`; under Node,
 * `require(...)` returns the same object.
 */
(function (root) {
  "use strict";

  const SEED_LIMIT = 4294967296;  // 2^32
  // Python's repr(), shared with the other pages' rules: in the page (or a worker) live_rules.js comes first
  const { pyRepr, fill } = typeof module !== "undefined" && module.exports ? require("./live_rules.js") : root.attnRules;

  // Python's check_seed message (attnlib.lm.prng.SEED_MESSAGE), given by the page from language_models.json
  let message = null;

  /** Use ``table`` (language_models.json's "messages") for the message of checkSeed. */
  function useMessages(table) {
    message = table.seed;
  }

  /** The seed, or a RangeError: a whole number from 0 to 2^32 - 1, as Python's check_seed asks, in its words
   *  once useMessages() gave them (``shown``: how the message writes a seed the reader typed). */
  function checkSeed(seed, shown) {
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed >= SEED_LIMIT) {
      const value = shown === undefined ? pyRepr(seed) : shown;
      throw new RangeError(message ? fill(message, { limit: SEED_LIMIT - 1, value })
        : `seed must be a whole number from 0 to ${SEED_LIMIT - 1}, got ${value}`);
    }
    return seed;
  }

  class Mulberry32 {
    constructor(seed = 0) {
      this.state = checkSeed(seed);
    }

    /** The next number, a whole number in [0, 2^32). */
    nextUint32() {
      this.state = (this.state + 0x6D2B79F5) >>> 0;
      let t = this.state;
      t = Math.imul(t ^ (t >>> 15), t | 1) >>> 0;
      t = ((t + (Math.imul(t ^ (t >>> 7), t | 61) >>> 0)) >>> 0) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    }

    /** The next uniform number in [0, 1). */
    random() {
      return this.nextUint32() / SEED_LIMIT;
    }
  }

  const api = { Mulberry32, checkSeed, useMessages, SEED_LIMIT };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
  } else {
    root.attnPrng = api;
  }
})(typeof window !== "undefined" ? window : globalThis);
