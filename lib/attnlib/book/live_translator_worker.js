/* The in-page translator's model, in a worker of its own (started by live_translator.js).
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

const STATIC_ROOT = self.location.href.replace(/[^/]*$/, "");  // .../_static/
const ORT_ROOT = STATIC_ROOT + "vendor/onnxruntime-web/";
const MODEL_ROOT = STATIC_ROOT + "translator/";

importScripts(ORT_ROOT + "ort.wasm.min.js");
ort.env.wasm.numThreads = 1;  // a static host cannot send the headers that threads need
ort.env.wasm.wasmPaths = ORT_ROOT;

async function load() {
  // the exporter already optimised the graphs: skipping ORT's own pass makes the model ready sooner
  const options = { executionProviders: ["wasm"], graphOptimizationLevel: "disabled" };
  const [config, encoder, decoder] = await Promise.all([
    fetch(MODEL_ROOT + "translator.json").then((r) => {
      if (!r.ok) throw new Error(`translator.json: HTTP ${r.status}`);
      return r.json();
    }),
    ort.InferenceSession.create(MODEL_ROOT + "encoder.onnx", options),
    ort.InferenceSession.create(MODEL_ROOT + "decoder.onnx", options),
  ]);
  return { config, encoder, decoder };
}

const model = load();
model.then(({ config }) => postMessage({ type: "ready", config }),
  (err) => postMessage({ type: "error", message: String((err && err.message) || err) }));

function int64(ids) {
  return new ort.Tensor("int64", BigInt64Array.from(ids, (i) => BigInt(i)), [1, ids.length]);
}

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
    const tensor = (t) => ({ data: t.data, dims: t.dims.map(Number) });
    postMessage({ type: "step", id, ids: ids.slice(), attention: tensor(out.cross_attention),
                  headMean: tensor(out.head_mean), done });
    if (done) return;
  }
}

let queue = Promise.resolve();  // one translation at a time: a session runs one call at once
onmessage = (event) => {
  const { id, source } = event.data;
  queue = queue.then(() => decode(id, source)).catch((err) =>
    postMessage({ type: "error", id, message: String((err && err.message) || err) }));
};
