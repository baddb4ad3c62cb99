// The page's fine-tuning (book/web/textgen_engine.mjs: readTrainingText ... trainHead) against
// textgen_course/fine_tuning.py. tests/library/test_web_export.py exports the shipped model for the
// web, writes fine_tuning's answers on those weights into reference.json (reference.fine_tuning)
// and runs `node --test` on this file with TEXTGEN_WEB_DIR set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as engine from "../../../book/web/textgen_engine.mjs";

const folder = process.env.TEXTGEN_WEB_DIR;
if (!folder) throw new Error("Set TEXTGEN_WEB_DIR (tests/library/test_web_export.py does): the exported model and reference.json.");
const manifest = JSON.parse(readFileSync(join(folder, "textgen-model.json"), "utf8"));
const bytes = new Uint8Array(readFileSync(join(folder, "textgen-model.bin")));
const reference = JSON.parse(readFileSync(join(folder, "reference.json"), "utf8")).fine_tuning;
const model = engine.loadModel(manifest, bytes);
const TOLERANCE = reference.tolerance; // issue 24: within 1e-4 after 20 steps

function largestDifference(a, b) {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

function train(item, { webAssembly = true } = {}) {
  // The explorer's steps: read the text, split it, summarize every window once, train.
  const reading = engine.readTrainingText(model, item.text);
  const split = engine.splitWindows(reading.ids, model.config.sequence_length);
  const run = (windows) => {
    const steps = engine.summarizeWindows(model, windows);
    let next = steps.next();
    while (!next.done) next = steps.next();
    return next.value;
  };
  const summaries = run(split.train.windows);
  const heldOut = { summaries: run(split.heldOut.windows), targets: split.heldOut.targets };
  const trainer = engine.headTrainer(model, { learningRate: item.learning_rate, webAssembly });
  const before = engine.headLoss(trainer, summaries, split.train.targets);
  const steps = [], passes = [], heldOutLosses = [];
  for (const event of engine.trainHead(trainer, summaries, split.train.targets, item.passes, heldOut)) {
    if (event.loss !== undefined) steps.push(event.loss);
    else {
      passes.push(event.passLoss);
      heldOutLosses.push(event.heldOutLoss);
    }
  }
  const after = engine.headLoss(trainer, summaries, split.train.targets);
  return { reading, split, summaries, trainer, before, after, steps, passes, heldOutLosses };
}

const runs = reference.cases.map((item) => train(item));

test("the text is read, cut and split into windows as fine_tuning does", () => {
  for (const [i, item] of reference.cases.entries()) {
    assert.deepEqual(runs[i].reading.ids, item.ids, item.name);
    assert.equal(runs[i].split.train.windows.length, item.windows, item.name);
    assert.equal(runs[i].split.heldOut.windows.length, item.held_out_windows, item.name);
    const units = model.lstm_2.units;
    for (const [w, summary] of item.summaries.entries()) {
      const difference = largestDifference(runs[i].summaries.subarray(w * units, (w + 1) * units), summary);
      assert.ok(difference < 1e-5, `${item.name}, window ${w}: summary ${difference}`);
    }
  }
  for (const item of reference.texts) {
    if (item.error) {
      assert.throws(() => engine.readTrainingText(model, item.text), { message: item.error });
    } else {
      const reading = engine.readTrainingText(model, item.text);
      assert.deepEqual(reading.ids.slice(0, 20), item.ids);
      assert.equal(reading.ids.length, item.length);
      assert.deepEqual(reading.notes, item.notes);
    }
  }
});

test("20 steps: every step's loss, each pass's loss and the held-out loss within 1e-4 of NumPy", () => {
  for (const [i, item] of reference.cases.entries()) {
    const run = runs[i];
    assert.equal(run.steps.length, item.step_losses.length, item.name);
    assert.ok(largestDifference(run.steps, item.step_losses) < TOLERANCE, `${item.name}: ${largestDifference(run.steps, item.step_losses)}`);
    assert.ok(largestDifference(run.passes, item.pass_losses) < TOLERANCE, item.name);
    assert.ok(largestDifference(run.heldOutLosses, item.held_out_losses) < TOLERANCE, item.name);
    assert.ok(Math.abs(run.before.loss - item.loss_before) < TOLERANCE, item.name);
  }
  assert.equal(runs[0].steps.length, 20);
});

test("the updated kernel and bias within 1e-4 of NumPy's", () => {
  for (const [i, item] of reference.cases.entries()) {
    const kernel = new Float64Array(readFileSync(join(folder, item.kernel_file)).buffer.slice(0));
    const moved = largestDifference(Float64Array.from(model.denseKernel), kernel);
    assert.ok(moved > 100 * TOLERANCE, `${item.name}: the kernel hardly moved (${moved})`);
    assert.ok(largestDifference(runs[i].trainer.kernel, kernel) < TOLERANCE, `${item.name}: kernel ${largestDifference(runs[i].trainer.kernel, kernel)}`);
    assert.ok(largestDifference(runs[i].trainer.bias, item.bias) < TOLERANCE, `${item.name}: bias`);
  }
});

test("the words whose probability rose most, and the continuation after training, as the library's", () => {
  for (const [i, item] of reference.cases.entries()) {
    const rising = engine.risingWords(model, runs[i].before.meanProbabilities, runs[i].after.meanProbabilities, 10);
    assert.deepEqual(rising.map(([word]) => word).slice(0, 5), item.rising.slice(0, 5), item.name);
    const options = { numWords: 20, strategy: "top_p", topP: 0.9, seed: item.seed, head: runs[i].trainer };
    const after = engine.generate(model, item.seed_text, options).text;
    assert.equal(after, item.continuation_after, item.name);
  }
});

test("without WebAssembly, the plain JavaScript products train the same", () => {
  const item = reference.cases[0];
  const plain = train(item, { webAssembly: false });
  assert.equal(plain.trainer.arena.engine, "JavaScript");
  assert.ok(largestDifference(plain.steps, item.step_losses) < TOLERANCE);
  assert.ok(largestDifference(plain.trainer.bias, item.bias) < TOLERANCE);
});
