// Parity of the page's engine (book/web/textgen_engine.mjs) with the Python library.
// tests/library/test_web_export.py exports the shipped model for the web, writes the library's answers
// to reference.json in a folder and runs `node --test` on this file with TEXTGEN_WEB_DIR set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import vm from "node:vm";
import * as engine from "../../../book/web/textgen_engine.mjs";

const folder = process.env.TEXTGEN_WEB_DIR;
if (!folder) throw new Error("Set TEXTGEN_WEB_DIR (tests/library/test_web_export.py does): the exported model and reference.json.");
const manifest = JSON.parse(readFileSync(join(folder, "textgen-model.json"), "utf8"));
const bytes = new Uint8Array(readFileSync(join(folder, "textgen-model.bin")));
const reference = JSON.parse(readFileSync(join(folder, "reference.json"), "utf8"));
const model = engine.loadModel(manifest, bytes);

function largestDifference(a, b) {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

test("the weights file is the one the manifest describes (SHA-256)", () => {
  const digest = createHash("sha256").update(bytes).digest("hex");
  assert.equal(digest, manifest.files.weights.sha256);
});

test("the tokenizer follows text.py's rules", () => {
  for (const [text, tokens] of reference.tokenize) assert.deepEqual(engine.tokenize(model, text), tokens, text);
});

test("detokenize joins tokens as text.py does", () => {
  for (const [tokens, text] of reference.detokenize) assert.equal(engine.detokenize(model, tokens), text);
});

test("mulberry32 gives the numbers generation.Mulberry32 gives", () => {
  for (const [seed, numbers] of reference.mulberry32) {
    const random = engine.mulberry32(seed);
    assert.deepEqual(numbers.map(() => random()), numbers, `seed ${seed}`);
  }
});

test("20 windows: probabilities within 1e-5 of NumPy on the same (web) weights", () => {
  for (const [i, window] of reference.windows.entries()) {
    const difference = largestDifference(engine.nextWordProbabilities(model, window), reference.web_probabilities[i]);
    assert.ok(difference < 1e-5, `window ${i}: ${difference}`);
  }
});

test(`20 windows: probabilities within the float16 bound of the shipped float32 model`, () => {
  for (const [i, window] of reference.windows.entries()) {
    const difference = largestDifference(engine.nextWordProbabilities(model, window), reference.shipped_probabilities[i]);
    assert.ok(difference < reference.float16_bound, `window ${i}: ${difference} >= ${reference.float16_bound}`);
  }
});

test("5 seed texts x 4 strategies: the same 30 words as tc.generate on the same weights, greedy also on the shipped ones", () => {
  assert.equal(reference.generations.length, 25);
  for (const item of reference.generations) {
    const result = engine.generate(model, item.seed_text, item.options);
    const name = `${item.seed_text} ${JSON.stringify(item.options)} (${item.weights} weights)`;
    assert.deepEqual(result.newIds, item.new_ids, name);
    assert.equal(result.text, item.text, name);
  }
});

test("the products and gates run in WebAssembly here, as in the book's pages", () => {
  assert.equal(model.runsOn, "WebAssembly SIMD");
});

test("without WebAssembly, the plain JavaScript loops give NumPy's probabilities and greedy words too", () => {
  const plain = engine.loadModel(manifest, bytes, { webAssembly: false });
  assert.equal(plain.runsOn, "JavaScript");
  for (const [i, window] of reference.windows.entries()) {
    const difference = largestDifference(engine.nextWordProbabilities(plain, window), reference.web_probabilities[i]);
    assert.ok(difference < 1e-5, `window ${i}: ${difference}`);
  }
  for (const item of reference.generations.filter((g) => g.options.strategy === "greedy" && g.weights === "web")) {
    assert.deepEqual(engine.generate(plain, item.seed_text, item.options).newIds, item.new_ids, item.seed_text);
  }
});

test("the gate explorer's traced loop (Math.exp, Math.tanh) gives the hidden states lstmGates gives", () => {
  const length = model.config.sequence_length;
  for (const window of reference.windows.slice(0, 5)) {
    const trace = {};
    const inputs = engine.projectInputs(engine.embed(model, window), length, model.config.embedding_dim, model.lstm_1);
    const traced = engine.lstmLayer(inputs, length, model.lstm_1, trace);
    const fast = engine.lstmLayer(engine.lstm1Projection(model, window), length, model.lstm_1);
    assert.ok(largestDifference(traced, fast) < 1e-5, `${largestDifference(traced, fast)}`);
    assert.ok(largestDifference(trace.hidden, traced) === 0);
  }
});

test("the page's classic scripts (file://) define the same engine and model", () => {
  const context = vm.createContext({ atob, console });
  vm.runInContext(readFileSync(join(folder, "textgen-engine.js"), "utf8"), context);
  vm.runInContext(readFileSync(join(folder, "textgen-model.js"), "utf8"), context);
  const classic = context.TextgenEngine;
  const shipped = context.TEXTGEN_MODEL;
  const fromScripts = classic.loadModel(shipped.manifest, classic.base64ToBytes(shipped.weights));
  assert.equal(fromScripts.runsOn, "WebAssembly SIMD"); // the module assembles in the classic copy too
  const window = reference.windows[0];
  assert.ok(largestDifference(classic.nextWordProbabilities(fromScripts, window), reference.web_probabilities[0]) < 1e-5);
});
