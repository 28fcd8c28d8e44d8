/* The book's language models in a worker of their own (started by the page's head, see attnlib.book.sphinxext;
 * live_worker.js holds what it shares with the translator's worker). A page loads only the model its elements
 * need: the causal one for a generator, the masked one for a fill.
 *
 * Messages in:  {type: "load", kinds: ["causal" | "masked", ...]}     load these models now
 *               {id, type: "generate", ids, temperature, topK, topP, seed, maxNew}
 *                   continue the prompt ids (<bos> first), as attnlib.lm.generate.generate does
 *               {id, type: "fill", ids, position}                     the masked model's scores at the <mask>
 * Messages out: {type: "ready", kind, config}          a model is ready (config: language_models.json)
 *               {type: "error", message, kind?, id?}   loading a model failed, or request `id` did
 *               {type: "step", id, token, probs, u, attention, done}
 *                   after each step: the token drawn, the distribution it was drawn from (Float64Array, V),
 *                   the uniform number that drew it, the step's self-attention {data, dims: [L, H, T, T]}
 *                   over the T tokens read; `done` after the <eos> or at the limit
 *               {type: "fill", id, logits, attention}  logits (Float32Array, V), attention {data, dims: [L, H, T, T]}
 *
 * Generation is generate()'s loop, step for step: the whole prefix through the causal graph (it has no cache),
 * then lm_sampling.js's sampleStep with lm_prng.js's mulberry32 seeded by the seed: one number per step, the
 * padding token never drawn, a stop after the <eos> or after maxNew tokens. The page has checked the request.
 */
"use strict";

importScripts("live_worker.js", "live_rules.js", "lm_prng.js", "lm_sampling.js");

const MODEL_ROOT = STATIC_ROOT + "language_models/";

const config = fetchJson(MODEL_ROOT + "language_models.json").then((c) => {
  attnSampling.useMessages(c.messages);
  attnPrng.useMessages(c.messages);
  return c;
});
const sessions = {};  // kind -> the promise of its session, made once

function model(kind) {
  if (!sessions[kind]) sessions[kind] = config.then((c) => session(MODEL_ROOT + c[kind].file));
  return sessions[kind];
}

async function generate({ id, ids: prompt, temperature, topK, topP, seed, maxNew }) {
  const [c, causal] = await Promise.all([config, model("causal")]);
  const rng = new attnPrng.Mulberry32(seed);
  const ids = prompt.slice();
  for (let step = 1; step <= maxNew; step++) {
    const out = await causal.run({ ids: int64(ids) });
    const { token, probs, u } = attnSampling.sampleStep(out.logits.data, { temperature, topK, topP, padId: c.causal.pad_id },
                                                        rng);
    const done = token === c.causal.eos_id || step === maxNew;
    postMessage({ type: "step", id, token, probs, u, attention: plain(out.attention), done });
    if (done) return;
    ids.push(token);
  }
}

async function fillIn({ id, ids, position }) {
  const masked = await model("masked");
  const out = await masked.run({ ids: int64(ids), position: int64Scalar(position) });
  postMessage({ type: "fill", id, logits: out.logits.data, attention: plain(out.attention) });
}

serve((message) => {
  if (message.type === "load") {
    for (const kind of message.kinds) announce(model(kind).then(() => config), { kind });
    return null;
  }
  return message.type === "generate" ? generate(message) : fillIn(message);
});
