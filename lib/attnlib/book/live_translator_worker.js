/* The in-page translator's model, in a worker of its own (started by the page's head, see
 * attnlib.book.sphinxext; live_worker.js holds what it shares with the language models' worker).
 *
 * Loading the runtime and the model and running them happen here, off the page's main thread, so
 * they go on while the page draws its figures and typesets its mathematics.
 *
 * Messages in:  {id, source: [ids]}                  translate these source ids (with their <eos>)
 * Messages out: {type: "ready", config}              translator.json, once the model is ready
 *               {type: "error", message, id?}        loading failed, or translation `id` did
 *               {type: "step", id, ids, attention, headMean, done}
 *                   after each greedy step: the ids written so far, that step's cross-attention
 *                   {data, dims: [L, H, T, S]} and its mean over heads {data, dims: [L, T, S]};
 *                   `done` at <eos> or at the length limit.
 *
 * Greedy decoding is attnlib.translation.decoding.greedy_decode's loop: the graph's argmax at every step,
 * at most max_len - 1 tokens (the <bos> takes one position), stop at <eos>.
 */
"use strict";

importScripts("live_worker.js");

const MODEL_ROOT = STATIC_ROOT + "translator/";

const model = Promise.all([fetchJson(MODEL_ROOT + "translator.json"), session(MODEL_ROOT + "encoder.onnx"),
                           session(MODEL_ROOT + "decoder.onnx")])
  .then(([config, encoder, decoder]) => ({ config, encoder, decoder }));
announce(model.then(({ config }) => config));

async function decode(id, srcIds) {
  const { config: c, encoder, decoder } = await model;
  const source = int64(srcIds);
  const { memory } = await encoder.run({ source });
  const ids = [];
  for (let step = 0; step < c.max_len - 1; step++) {
    const out = await decoder.run({ prefix: int64([c.bos_id, ...ids]), memory, source });
    const next = Number(out.next_token.data[0]);
    ids.push(next);
    const done = next === c.eos_id || step === c.max_len - 2;
    postMessage({ type: "step", id, ids: ids.slice(), attention: plain(out.cross_attention),
                  headMean: plain(out.head_mean), done });
    if (done) return;
  }
}

serve((message) => decode(message.id, message.source));
