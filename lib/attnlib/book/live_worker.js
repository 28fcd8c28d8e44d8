/* What the workers that run a model in the page share (live_translator_worker.js, live_lm_worker.js): each
 * loads this first, with importScripts("live_worker.js").
 *
 * The runtime is onnxruntime-web's WebAssembly build, served from the site itself (_static/vendor/), on one
 * thread: a static host cannot send the headers that threads need. The graphs come optimised from the
 * exporter, so the runtime's own pass is skipped and a model is ready sooner.
 *
 * A worker answers one request at a time, in the order they came (a session runs one call at once); a
 * request that fails gets {type: "error", id, message}.
 */
"use strict";

const STATIC_ROOT = self.location.href.replace(/[^/]*$/, "");  // .../_static/
const ORT_ROOT = STATIC_ROOT + "vendor/onnxruntime-web/";

importScripts(ORT_ROOT + "ort.wasm.min.js");
ort.env.wasm.numThreads = 1;
ort.env.wasm.wasmPaths = ORT_ROOT;

const SESSION_OPTIONS = { executionProviders: ["wasm"], graphOptimizationLevel: "disabled" };

/** The JSON at ``url``, or an Error naming the file and the HTTP status. */
async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.replace(/^.*\//, "")}: HTTP ${response.status}`);
  return response.json();
}

/** An inference session for the ONNX graph at ``url``. */
function session(url) {
  return ort.InferenceSession.create(url, SESSION_OPTIONS);
}

/** Token ids as the graphs take them: int64, shape (1, T). */
function int64(ids) {
  return new ort.Tensor("int64", BigInt64Array.from(ids, (i) => BigInt(i)), [1, ids.length]);
}

/** One whole number as a 0-d int64 tensor. */
function int64Scalar(value) {
  return new ort.Tensor("int64", BigInt64Array.of(BigInt(value)), []);
}

/** A tensor as a message carries it: its data and its dims as plain numbers. */
function plain(tensor) {
  return { data: tensor.data, dims: tensor.dims.map(Number) };
}

function errorText(err) {
  return String((err && err.message) || err);
}

/** Answer each message with ``handle(message)`` (async), one at a time, in order; a failure is posted. */
function serve(handle) {
  let queue = Promise.resolve();
  onmessage = (event) => {
    const message = event.data;
    queue = queue.then(() => handle(message)).catch((err) =>
      postMessage({ type: "error", id: message.id, message: errorText(err) }));
  };
}

/** Post {type: "ready", config, ...more} once ``loaded`` resolves to the config, or {type: "error", message}. */
function announce(loaded, more = {}) {
  loaded.then((config) => postMessage({ type: "ready", config, ...more }),
    (err) => postMessage({ type: "error", message: errorText(err), ...more }));
}
