// The course's model in plain JavaScript: the forward pass, the sampling strategies and the
// tokenizer, for the built book's pages (no Python kernel) and for `node --test`.
//
// Read it next to the Python it copies; each function names its twin:
//   textgen_course/text.py          tokenize, detokenize
//   textgen_course/windows.py       padLeft
//   textgen_course/numpy_model.py   lstmLayer, nextWordProbabilities (one window at a time)
//   textgen_course/softmax_head.py  softmax
//   textgen_course/generation.py    mulberry32, samplingDistribution, greedyWord, drawWord, topWords, generate
// Weights keep Keras's layout (textgen_course/web_export.py writes them): an LSTM kernel is
// (input_dim, 4 * units) with the gates side by side in the order input, forget, candidate,
// output; a Dense kernel is (units, vocab_size). Vectors are row vectors: x @ kernel.
// Numbers: the weights are float32 (decoded from the file's float16). With WebAssembly (in every
// current browser and in Node), the matrix products and the gates run in float32, as NumPy's
// do; without it, the same steps run as plain JavaScript, adding up in float64. The softmax is
// float64. Either way the probabilities agree with NumPy's to about 1e-6
// (tests/library/js/parity.test.mjs holds them to 1e-5, and checks both ways).
// This file is an ES module; the book loads a classic-script copy of it (web_export.classic_script).
//
// Speed (issue 14 asks for at least 1,000 greedy words per second in the page). The model starts
// every 13-word window from a zero state, so each new word runs the whole window again: about
// 2.9 million multiply-adds, nearly all in matrix-vector products (LSTM-1's recurrent kernel and
// LSTM-2's two kernels at each of the 13 steps, then the Dense kernel), and about 16,000
// sigmoids and tanhs. Plain JavaScript loops wrote about 100 words per CPU-second in Node on the
// course's 2-core machine; the steps below, about 1,900 (Chromium is faster still). What was
// done, and why:
//   1. LSTM-1's input projection depends only on the word, so it is computed once per word id
//      and kept (lstm1Projection).
//   2. Every product goes through one helper, matVecAdd (output += input @ kernel). It runs a
//      small WebAssembly function, assembled at the end of this file (no compiler needed), that
//      does four float32 multiply-adds per instruction (SIMD): about 8 billion a second on that
//      machine, twenty times the fastest plain JavaScript loop we wrote.
//   3. Once the products were fast, Math.exp and Math.tanh took half the time. So each step's
//      gates run in WebAssembly too (lstmGates), four units at a time, with tanh computed as a
//      ratio of two polynomials (within 4e-7 of Math.tanh). lstmLayer's own loop, with Math.exp
//      and Math.tanh, runs when the gate explorer asks for every gate (trace).
//   4. The kernels are copied once, at load time, into a "packed" layout: columns in groups of
//      16, each group stored row after row, so a product reads memory in order (packKernel).
//   5. The vectors the WebAssembly functions read and write live in one block of memory made
//      once per model (makeArena), and each stage writes into buffers made once (workBuffers):
//      generating a word allocates almost nothing.
//   6. Greedy decoding takes the word with the largest score: softmax keeps the order of the
//      scores, so it needs no softmax (generateSteps, greedyWord).
// Where WebAssembly is missing (or a page's security policy forbids it), plain JavaScript loops
// over the same packed kernels take its place, at about 240 words per CPU-second.
// The stages read as the NumPy code does; the mechanics are in the speed helpers at the end.

export const PAD_ID = 0; // vocabulary.py: id 0 pads short windows on the left
export const UNKNOWN_ID = 1; // vocabulary.py: id 1 stands for every word outside the vocabulary
export const STRATEGIES = ["greedy", "temperature", "top_k", "top_p"];

// ---------------------------------------------------------------- loading the weights

export function base64ToBytes(text) {
  // The classic model script carries the weights as base64 (a file:// page cannot fetch files).
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function float16ToFloat32(bits) {
  // IEEE half precision -> a JavaScript number: sign, 5 exponent bits, 10 fraction bits.
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // subnormal
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

export function readTensor(bytes, entry) {
  // One tensor of the manifest as a Float32Array (row-major, Keras's layout).
  const count = entry.shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.offset, entry.bytes);
  const values = new Float32Array(count);
  if (entry.dtype === "float16") {
    const table = float16Table(); // every half-precision number, decoded once (float16ToFloat32)
    for (let i = 0; i < count; i++) values[i] = table[view.getUint16(2 * i, true)];
  } else if (entry.dtype === "float32") {
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
  } else {
    throw new Error(`readTensor: unknown dtype ${entry.dtype}`);
  }
  return values;
}

export function loadModel(manifest, bytes, { webAssembly = true } = {}) {
  // manifest: textgen-model.json; bytes: textgen-model.bin as a Uint8Array.
  // webAssembly: false runs the products in plain JavaScript (the fallback; tests use it).
  const tensors = {};
  for (const entry of manifest.tensors) tensors[entry.name] = readTensor(bytes, entry);
  const config = manifest.config;
  const arena = makeArena(manifest.tensors, webAssembly); // speed helpers: see the end of the file
  const lstm = (name, units) => ({
    kernel: tensors[`${name}.kernel`], // (input_dim, 4 * units)
    recurrentKernel: tensors[`${name}.recurrent_kernel`], // (units, 4 * units)
    bias: tensors[`${name}.bias`], // (4 * units,)
    units,
    packedKernel: packKernel(arena, tensors[`${name}.kernel`], 4 * units), // the same numbers, for matVecAdd
    packedRecurrentKernel: packKernel(arena, tensors[`${name}.recurrent_kernel`], 4 * units),
    arena, // the vectors matVecAdd and lstmGates work on
  });
  const words = manifest.vocabulary;
  return {
    config,
    words, // words[id]; words[0] = "<pad>", words[1] = "<unk>"
    index: new Map(words.map((word, id) => [word, id])),
    punctuation: new Set(manifest.tokenizer.punctuation),
    elidedWords: new Set(manifest.tokenizer.elided_words),
    embedding: tensors.embedding, // (vocab_size, embedding_dim)
    lstm_1: lstm("lstm_1", config.lstm_1_units),
    lstm_2: lstm("lstm_2", config.lstm_2_units),
    denseKernel: tensors["dense.kernel"], // (lstm_2_units, vocab_size)
    denseBias: tensors["dense.bias"], // (vocab_size,)
    packedDenseKernel: packKernel(arena, tensors["dense.kernel"], config.vocab_size),
    arena,
    projectionCache: new Map(), // word id -> its LSTM-1 input projection (see lstm1Projection)
    work: workBuffers(config), // each stage's output for one window, made once (see summarize)
    runsOn: arena.engine, // "WebAssembly SIMD" or "JavaScript": what runs the matrix products
  };
}

// ---------------------------------------------------------------- text -> ids (text.py, vocabulary.py, windows.py)

const TOKEN = /'?[a-z]+(?:'[a-z]+)*'?|[,.;:!?]/g; // text.py _TOKEN
const BRACKETED = /\*?\[[^\]]*\]\*?/g; // text.py _BRACKETED: inline stage directions

export function tokenize(model, text) {
  // text.py tokenize: lower-case, drop [directions] and backslashes, then words and marks.
  const cleaned = text.toLowerCase().replace(BRACKETED, " ").replaceAll("\\", "");
  const tokens = [];
  for (const match of cleaned.matchAll(TOKEN)) {
    let token = match[0];
    // a leading apostrophe stays only on clipped words ('tis, 'gainst): ELIDED_WORDS
    if (token.startsWith("'") && !model.elidedWords.has(token.replace(/^'+|'+$/g, ""))) token = token.slice(1);
    // a trailing apostrophe stays only on short clipped words (o', th'): len(token) > 3 drops it
    if (token.endsWith("'") && token.length > 3) token = token.slice(0, -1);
    // a repeated punctuation mark counts once
    if (model.punctuation.has(token) && tokens.length && tokens[tokens.length - 1] === token) continue;
    tokens.push(token);
  }
  return tokens;
}

export function detokenize(model, tokens) {
  // text.py detokenize: no space before punctuation, a capital after . ! ? and for I / O.
  const pieces = [];
  let capitalize = true;
  for (const token of tokens) {
    if (model.punctuation.has(token)) {
      if (pieces.length) pieces[pieces.length - 1] += token;
      else pieces.push(token);
      capitalize = token === "." || token === "!" || token === "?";
      continue;
    }
    let word = token === "i" || token === "o" ? token.toUpperCase() : token;
    if (word.startsWith("i'")) word = "I" + word.slice(1);
    if (capitalize && /^[a-z]/i.test(word)) word = word[0].toUpperCase() + word.slice(1);
    else if (capitalize && word.startsWith("'") && word.length > 1) word = "'" + word[1].toUpperCase() + word.slice(2);
    pieces.push(word);
    capitalize = false;
  }
  return pieces.join(" ");
}

export function encode(model, tokens) {
  // vocabulary.py Vocabulary.encode: unknown words -> UNKNOWN_ID
  return tokens.map((token) => model.index.get(token) ?? UNKNOWN_ID);
}

export function unknownWords(model, tokens) {
  // vocabulary.py Vocabulary.unknown_words: in order, each once
  return [...new Set(tokens.filter((token) => !model.index.has(token)))];
}

export function padLeft(ids, sequenceLength) {
  // windows.py pad_left: the last sequenceLength ids, left-padded with PAD_ID
  const kept = ids.slice(-sequenceLength);
  return new Array(sequenceLength - kept.length).fill(PAD_ID).concat(kept);
}

export function seedTokens(model, seedText) {
  // generation.py seed_tokens: an error when the seed holds no word to continue
  const tokens = tokenize(model, seedText);
  if (!tokens.some((token) => !model.punctuation.has(token))) {
    throw new RangeError("The seed text has no words: give at least one word to continue, e.g. 'to be or not'.");
  }
  return tokens;
}

// ---------------------------------------------------------------- the four stages (numpy_model.py)

export function embed(model, window) {
  // Stage 1, embedding: each id's row of the embedding matrix. (13,) -> (13, 100), row-major.
  const dim = model.config.embedding_dim;
  const out = new Float64Array(window.length * dim);
  window.forEach((id, t) => {
    for (let j = 0; j < dim; j++) out[t * dim + j] = model.embedding[id * dim + j];
  });
  return out;
}

function sigmoid(x) {
  return 1 / (1 + Math.exp(-x));
}

export function projectInputs(inputs, steps, inputDim, weights,
  projected = new Float32Array(steps * 4 * weights.units)) {
  // numpy_model.lstm_hidden_states: projected = inputs @ kernel + bias, all steps at once.
  // inputs: a typed array (steps, input_dim) -> (steps, 4 * units), written into `projected`
  // (a new array by default)
  const four = 4 * weights.units;
  const { input, output } = weights.arena; // the vectors matVecAdd works on (see makeArena)
  for (let t = 0; t < steps; t++) {
    input.set(inputs.subarray(t * inputDim, (t + 1) * inputDim)); // x_t
    output.set(weights.bias); // bias ...
    matVecAdd(output, weights.packedKernel, input); // ... + x_t @ kernel
    projected.set(output.subarray(0, four), t * four);
  }
  return projected;
}

export function lstm1Projection(model, window, projected = new Float32Array(window.length * 4 * model.lstm_1.units)) {
  // LSTM-1's input projection depends only on the word, so it is computed once per word id
  // and kept: embed + projectInputs for one id. (13,) -> (13, 600)
  const four = 4 * model.lstm_1.units;
  const dim = model.config.embedding_dim;
  for (let t = 0; t < window.length; t++) {
    const id = window[t];
    let row = model.projectionCache.get(id);
    if (!row) {
      row = projectInputs(embed(model, [id]), 1, dim, model.lstm_1);
      model.projectionCache.set(id, row);
    }
    projected.set(row, t * four);
  }
  return projected;
}

export function lstmLayer(projected, steps, weights, trace = null, hidden = new Float32Array(steps * weights.units)) {
  // numpy_model.lstm_hidden_states / lstm_gates.lstm_step, one step at a time:
  //   z = x_t @ kernel + bias + h_{t-1} @ recurrent_kernel      (4 * units,), gates i | f | g | o
  //   i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_g)
  //   c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
  // projected: (steps, 4 * units) from projectInputs. Returns the hidden states (steps, units),
  // written into `hidden` (a new array by default).
  // trace: an object to fill with every gate, c and h per step (the gate explorer's data).
  const units = weights.units;
  const four = 4 * units;
  const arena = weights.arena;
  const { output: z, state: h, cell: c } = arena; // the vectors matVecAdd and lstmGates work on
  h.fill(0); // the state starts at zero
  c.fill(0);
  if (trace) for (const name of ["input_gate", "forget_gate", "candidate", "output_gate", "cell", "hidden"]) {
    trace[name] = new Float64Array(steps * units);
  }
  for (let t = 0; t < steps; t++) {
    z.set(projected.subarray(t * four, (t + 1) * four)); // x_t @ kernel + bias
    if (t > 0) matVecAdd(z, weights.packedRecurrentKernel, h); // + h_{t-1} @ recurrent_kernel (h_0 = 0)
    if (arena.gates && !trace) {
      lstmGates(arena, units); // the loop below, in WebAssembly, four units at a time
    } else {
      for (let u = 0; u < units; u++) {
        const inputGate = sigmoid(z[u]);
        const forgetGate = sigmoid(z[units + u]);
        const candidate = Math.tanh(z[2 * units + u]);
        const outputGate = sigmoid(z[3 * units + u]);
        c[u] = forgetGate * c[u] + inputGate * candidate;
        h[u] = outputGate * Math.tanh(c[u]);
        if (trace) {
          const at = t * units + u;
          trace.input_gate[at] = inputGate;
          trace.forget_gate[at] = forgetGate;
          trace.candidate[at] = candidate;
          trace.output_gate[at] = outputGate;
          trace.cell[at] = c[u];
          trace.hidden[at] = h[u];
        }
      }
    }
    hidden.set(h.subarray(0, units), t * units);
  }
  return hidden;
}

export function summarize(model, window) {
  // Stages 1-3: the window's ids -> LSTM-2's last hidden state, the summary (100,).
  // The stages write into model.work (made once per model), so the summary returned is
  // overwritten by the next call: copy it (Array.from) to keep it.
  const steps = window.length;
  const work = steps === model.config.sequence_length ? model.work : workBuffers(model.config, steps);
  const projected1 = lstm1Projection(model, window, work.projected1); // (13, 600)
  const context = lstmLayer(projected1, steps, model.lstm_1, null, work.context); // (13, 150)
  const projected = projectInputs(context, steps, model.lstm_1.units, model.lstm_2, work.projected2); // (13, 400)
  const states = lstmLayer(projected, steps, model.lstm_2, null, work.states); // (13, 100)
  return states.subarray((steps - 1) * model.lstm_2.units, steps * model.lstm_2.units);
}

export function denseLogits(model, summary, logits = new Float32Array(model.config.vocab_size)) {
  // Stage 4, numpy_model.logits: summary @ dense_kernel + dense_bias, (100,) -> (4818,)
  const { input, output } = model.arena; // the vectors matVecAdd works on
  input.set(summary);
  output.set(model.denseBias);
  matVecAdd(output, model.packedDenseKernel, input);
  logits.set(output.subarray(0, logits.length));
  return logits;
}

export function softmax(logits) {
  // softmax_head.softmax: subtract the largest score first, or exp overflows.
  let largest = -Infinity;
  for (const value of logits) if (value > largest) largest = value;
  const out = new Float64Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) total += out[i] = Math.exp(logits[i] - largest);
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

export function nextWordLogits(model, window) {
  // numpy_model.logits for one window (13,) -> (vocab_size,), in model.work (overwritten by the next call)
  return denseLogits(model, summarize(model, window), model.work.logits);
}

export function nextWordProbabilities(model, window) {
  // model.next_word_probabilities for one window (13,) -> (vocab_size,), a new array
  return softmax(nextWordLogits(model, window));
}

// ---------------------------------------------------------------- choosing the next word (generation.py)

export function mulberry32(seed) {
  // generation.Mulberry32: the same 32-bit generator, so a seed gives the same words in Python.
  let a = seed >>> 0; // the seed modulo 2 ** 32
  return function random() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296; // [0, 1), 32 random bits
  };
}

export function checkStrategy(strategy, temperature, topK, topP, vocabSize) {
  // generation.check_strategy, as messages for the page: null when the settings are usable.
  if (!STRATEGIES.includes(strategy)) return `Strategy must be one of ${STRATEGIES.join(", ")}.`;
  if (strategy === "greedy") return null; // greedy ignores the other settings
  if (!(Number.isFinite(temperature) && temperature > 0)) return "Temperature must be a number above 0 (try 1).";
  if (strategy === "top_k" && !(Number.isInteger(topK) && topK >= 1 && topK <= vocabSize)) {
    return `top-k must be a whole number from 1 to ${vocabSize} (the vocabulary size).`;
  }
  if (strategy === "top_p" && !(Number.isFinite(topP) && topP > 0 && topP <= 1)) {
    return "top-p must be above 0 and at most 1 (try 0.9).";
  }
  return null;
}

function order(probabilities) {
  // ids by falling probability, ties to the lower id (NumPy's stable argsort of -p)
  const ids = Array.from(probabilities.keys());
  return ids.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}

function normalized(values) {
  // values / their sum, summed left to right, as a new Float64Array
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] / total;
  return out;
}

export function withoutSpecials(probabilities, allowUnknown = false) {
  // generation.sampling_distribution's first lines: padding (and <unk>) never written
  const out = Float64Array.from(probabilities);
  out[PAD_ID] = 0;
  if (!allowUnknown) out[UNKNOWN_ID] = 0;
  return normalized(out);
}

export function applyTemperature(probabilities, temperature) {
  // generation.apply_temperature: p ** (1 / T), renormalized, computed through logs
  const logs = probabilities.map((p) => Math.log(Math.max(p, 1e-300)) / temperature);
  let largest = -Infinity;
  for (const value of logs) if (value > largest) largest = value;
  return normalized(logs.map((value, i) => (probabilities[i] > 0 ? Math.exp(value - largest) : 0)));
}

export function topKFilter(probabilities, k) {
  // generation.top_k_filter: the k most likely words, renormalized
  const kept = new Float64Array(probabilities.length);
  for (const id of order(probabilities).slice(0, k)) kept[id] = probabilities[id];
  return normalized(kept);
}

export function topPFilter(probabilities, p) {
  // generation.top_p_filter: the fewest most likely words whose mass reaches p
  const ids = order(probabilities);
  let total = 0;
  for (const id of ids) total += probabilities[id];
  const kept = new Float64Array(probabilities.length);
  let before = 0; // mass of the words above this one
  for (const id of ids) {
    if (!(before < p * total)) break; // always keeps the first
    kept[id] = probabilities[id];
    before += probabilities[id];
  }
  return normalized(kept);
}

export function argmax(values) {
  // the first largest value's index, as NumPy's argmax
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

export function samplingDistribution(probabilities, strategy = "greedy", temperature = 1, topK = null, topP = null,
  allowUnknown = false) {
  // generation.sampling_distribution: what a strategy draws the next word from
  let out = withoutSpecials(probabilities, allowUnknown);
  if (strategy === "greedy") {
    const best = argmax(out);
    out = new Float64Array(out.length);
    out[best] = 1;
    return out;
  }
  out = applyTemperature(out, temperature);
  if (strategy === "top_k") return topKFilter(out, topK);
  if (strategy === "top_p") return topPFilter(out, topP);
  return out;
}

export function drawWord(distribution, uniform) {
  // generation.draw_word: the inverse CDF, running totals summed left to right
  const cumulative = new Float64Array(distribution.length);
  let total = 0;
  for (let i = 0; i < distribution.length; i++) cumulative[i] = total += distribution[i];
  const target = uniform * total;
  let low = 0;
  let high = cumulative.length; // first index with cumulative > target (searchsorted side='right')
  while (low < high) {
    const middle = (low + high) >> 1;
    if (cumulative[middle] <= target) low = middle + 1;
    else high = middle;
  }
  return Math.min(low, cumulative.length - 1);
}

export function topWords(model, probabilities, count) {
  // generation.top_words: [[word, p], ...] most likely first, ties to the lower id.
  // One pass that keeps the best `count` ids in order (sorting all 4,818 would be slower).
  const best = [];
  for (let id = 0; id < probabilities.length; id++) {
    const p = probabilities[id];
    if (best.length === count && !(p > probabilities[best[count - 1]])) continue;
    let at = best.length;
    while (at > 0 && p > probabilities[best[at - 1]]) at--; // after every id at least as likely
    best.splice(at, 0, id);
    if (best.length > count) best.pop();
  }
  return best.map((id) => [model.words[id], probabilities[id]]);
}

export function greedyWord(logits) {
  // generation.sampling_distribution's greedy case: the most likely word other than <pad> and
  // <unk>. Softmax keeps the order of the scores, so that is the largest score (argmax).
  let best = UNKNOWN_ID + 1;
  for (let id = best + 1; id < logits.length; id++) if (logits[id] > logits[best]) best = id;
  return best;
}

export function* generateSteps(model, seedText, { numWords = 20, strategy = "greedy", temperature = 1, topK = null,
  topP = null, seed = 0, candidates = 5, head = null } = {}) {
  // generation.generate, one word per `next()`, so a page can pause between words.
  // Yields {id, word, candidates: [[word, p], ...]} (the model's top words, <pad>/<unk> removed).
  // head: a fine-tuned dense layer (headTrainer) to use instead of the shipped one.
  const problem = checkStrategy(strategy, temperature, topK, topP, model.config.vocab_size);
  if (problem) throw new RangeError(problem);
  const ids = encode(model, seedTokens(model, seedText));
  const random = mulberry32(seed);
  for (let n = 0; n < numWords; n++) {
    const window = padLeft(ids, model.config.sequence_length);
    const logits = head ? headLogits(head, summarize(model, window)) : nextWordLogits(model, window);
    // greedy needs no probabilities (greedyWord), unless the candidates are shown
    const probabilities = strategy === "greedy" && !candidates ? null : softmax(logits);
    const id = strategy === "greedy" ? greedyWord(logits)
      : drawWord(samplingDistribution(probabilities, strategy, temperature, topK, topP), random());
    ids.push(id);
    const top = candidates ? topWords(model, withoutSpecials(probabilities), candidates) : [];
    yield { id, word: model.words[id], candidates: top };
  }
}

export function generate(model, seedText, options = {}) {
  // generation.generate: {text, continuation, newIds, unknownWords, steps}
  const tokens = seedTokens(model, seedText);
  const steps = [...generateSteps(model, seedText, options)];
  const newIds = steps.map((step) => step.id);
  return {
    text: detokenize(model, tokens.concat(steps.map((step) => step.word))),
    continuation: detokenize(model, steps.map((step) => step.word)),
    newIds,
    unknownWords: unknownWords(model, tokens),
    steps,
  };
}

// ---------------------------------------------------------------- fine-tuning the dense layer (fine_tuning.py)
// The "train it yourself" explorer: the embedding and both LSTMs stay frozen, so each window's
// summary is computed once (summarize); then the dense layer learns with the chapter's formulas:
//   logits = summary @ kernel + bias;  loss = mean of -log softmax(logits)[next word]
//   d loss / d logits = (softmax(logits) - onehot(next word)) / batch
//   kernel gradient = summaries^T @ that;  bias gradient = its sum over the batch
//   Adam, as Keras writes it (learning.adam_step)
// The kernel, Adam's averages and the sums are float64, as NumPy's; the products run in
// matVecAdd (float32, WebAssembly), on a float32 copy of the kernel repacked after each step.
// tests/library/js/ holds the losses and weights within 1e-4 of fine_tuning.train_head after 20 steps.

export const FINE_TUNING = {
  batchSize: 64, // fine_tuning.BATCH_SIZE
  heldOutShare: 0.1, // fine_tuning.HELD_OUT_SHARE
  maxCharacters: 100000, // fine_tuning.MAX_CHARACTERS
  maxTokens: 10000, // fine_tuning.MAX_TOKENS
  mostPasses: 100, // fine_tuning.MOST_PASSES
  epsilon: 1e-7, // fine_tuning.ADAM_EPSILON (Keras's default)
};

const thousands = (n) => n.toLocaleString("en-US"); // Python's f"{n:,}"

function percentHalfEven(share) {
  // Python's f"{share:.0%}": a whole percent, a tie (12.5%) to the even neighbour
  const x = share * 100;
  let whole = Math.round(x);
  if (x - Math.floor(x) === 0.5 && whole % 2) whole -= 1;
  return `${whole}%`;
}

export function readTrainingText(model, text) {
  // fine_tuning.read_training_text: {ids, unknownShare, unknownWords, notes}; a RangeError with
  // the library's message for a text that cannot train.
  const notes = [];
  if (text.length > FINE_TUNING.maxCharacters) {
    notes.push(`The text has ${thousands(text.length)} characters: the model trains on its first ${thousands(FINE_TUNING.maxCharacters)}.`);
    text = text.slice(0, FINE_TUNING.maxCharacters);
  }
  let tokens = tokenize(model, text);
  if (tokens.length > FINE_TUNING.maxTokens) {
    notes.push(`The text has ${thousands(tokens.length)} tokens: the model trains on its first ${thousands(FINE_TUNING.maxTokens)}.`);
    tokens = tokens.slice(0, FINE_TUNING.maxTokens);
  }
  const length = model.config.sequence_length;
  if (tokens.length < length + 1) {
    throw new RangeError(`The text has ${tokens.length} token(s): it needs at least ${length + 1} (the model reads ` +
      `${length} words and learns the next one).`);
  }
  const words = tokens.filter((token) => !model.punctuation.has(token));
  const unknown = words.filter((word) => !model.index.has(word));
  const share = words.length ? unknown.length / words.length : 1;
  if (!words.length || share === 1) {
    throw new RangeError("None of the text's words is in the model's vocabulary (100% unknown): every one would " +
      "be read as <unk>, so there is nothing to learn. Try a text in English.");
  }
  const unknownWords = [...new Set(unknown)];
  if (unknown.length) {
    notes.push(`${percentHalfEven(share)} of the words are not in the vocabulary and are read as <unk>` +
      ` (${unknownWords.slice(0, 8).join(", ")}${unknownWords.length > 8 ? ", ..." : ""}).`);
  }
  return { ids: encode(model, tokens), unknownShare: share, unknownWords, notes };
}

export function checkTrainingSettings(learningRate, passes) {
  // fine_tuning.check_settings, as messages for the page: {learningRate, passes}, each null when fine
  return {
    learningRate: Number.isFinite(learningRate) && learningRate > 0 && learningRate <= 1 ? null :
      "The learning rate must be a number above 0 and at most 1 (try 0.003).",
    passes: Number.isInteger(passes) && passes >= 1 && passes <= FINE_TUNING.mostPasses ? null :
      `The number of passes must be a whole number from 1 to ${FINE_TUNING.mostPasses}.`,
  };
}

export function splitWindows(ids, sequenceLength) {
  // fine_tuning.split_windows: windows.make_windows, then the last tenth held out (none under 10 windows).
  // -> {train: {windows, targets}, heldOut: {windows, targets}}, windows as arrays of ids
  const windows = [], targets = [];
  for (let i = 0; i + sequenceLength < ids.length; i++) {
    windows.push(ids.slice(i, i + sequenceLength));
    targets.push(ids[i + sequenceLength]);
  }
  const cut = windows.length - Math.floor(windows.length * FINE_TUNING.heldOutShare);
  return {
    train: { windows: windows.slice(0, cut), targets: targets.slice(0, cut) },
    heldOut: { windows: windows.slice(cut), targets: targets.slice(cut) },
  };
}

export function* summarizeWindows(model, windows, summaries = new Float32Array(windows.length * model.lstm_2.units)) {
  // Stages 1-3 for every window (lstm_summary.Summarizer), one window per `next()` so a page can
  // pause; the summaries (windows, 100) are written into `summaries`, which the last step returns.
  const units = model.lstm_2.units;
  for (let i = 0; i < windows.length; i++) {
    summaries.set(summarize(model, windows[i]), i * units);
    yield i + 1;
  }
  return summaries;
}

export function headTrainer(model, { learningRate, batchSize = FINE_TUNING.batchSize, epsilon = FINE_TUNING.epsilon,
  webAssembly = model.runsOn !== "JavaScript" } = {}) {
  // The dense layer's weights, Adam's state and the work space of fine_tuning.train_head.
  // Starts from the model's (shipped) dense weights; the model itself is never changed.
  const units = model.lstm_2.units, vocab = model.config.vocab_size;
  const arena = makeArena([{ shape: [units, vocab] }, { shape: [batchSize, vocab] }], webAssembly);
  const trainer = {
    units, vocab, learningRate, batchSize, epsilon, arena, step: 0,
    kernel: Float64Array.from(model.denseKernel), // (units, vocab), float64 as NumPy's
    bias: Float64Array.from(model.denseBias),
    kernelMean: new Float64Array(units * vocab), kernelSquare: new Float64Array(units * vocab), // Adam's averages
    biasMean: new Float64Array(vocab), biasSquare: new Float64Array(vocab),
    packedKernel: null, // the kernel as float32, packed for matVecAdd (repacked after each step)
    packedGradient: null, // d loss / d logits of a batch, (batch, vocab), packed the same way
    logitGradient: new Float32Array(batchSize * vocab),
    probabilities: new Float64Array(vocab),
  };
  trainer.packedKernel = packKernel(arena, trainer.kernel, vocab);
  trainer.packedGradient = packKernel(arena, trainer.logitGradient, vocab);
  return trainer;
}

export function headLogits(trainer, summary, logits = new Float32Array(trainer.vocab)) {
  // denseLogits with the trainer's current weights: summary @ kernel + bias, (100,) -> (vocab,)
  const { input, output } = trainer.arena;
  input.set(summary);
  output.set(trainer.bias);
  matVecAdd(output, trainer.packedKernel, input);
  logits.set(output.subarray(0, trainer.vocab));
  return logits;
}

function headProbabilities(trainer, summary, target) {
  // One window: the softmax of its logits into trainer.probabilities (float64), and -log p(target).
  const { output } = trainer.arena;
  const { input } = trainer.arena;
  input.set(summary);
  output.set(trainer.bias);
  matVecAdd(output, trainer.packedKernel, input);
  let largest = -Infinity;
  for (let k = 0; k < trainer.vocab; k++) if (output[k] > largest) largest = output[k];
  let total = 0;
  const p = trainer.probabilities;
  for (let k = 0; k < trainer.vocab; k++) total += p[k] = Math.exp(output[k] - largest);
  for (let k = 0; k < trainer.vocab; k++) p[k] /= total;
  return Math.log(total) - (output[target] - largest); // -log softmax(logits)[target]
}

export function headLoss(trainer, summaries, targets) {
  // fine_tuning.head_loss: {loss: the mean cross-entropy, meanProbabilities: (vocab,)}
  const units = trainer.units;
  const mean = new Float64Array(trainer.vocab);
  let total = 0;
  for (let b = 0; b < targets.length; b++) {
    total += headProbabilities(trainer, summaries.subarray(b * units, (b + 1) * units), targets[b]);
    for (let k = 0; k < trainer.vocab; k++) mean[k] += trainer.probabilities[k];
  }
  for (let k = 0; k < trainer.vocab; k++) mean[k] /= targets.length;
  return { loss: total / targets.length, meanProbabilities: mean };
}

function adamUpdate(weights, gradient, means, squares, at, count, learningRate, step, epsilon) {
  // learning.adam_step on weights[at .. at + count) (gradient[0 .. count)), as Keras writes Adam
  const b1 = 0.9, b2 = 0.999;
  const rate = learningRate * Math.sqrt(1 - b2 ** step) / (1 - b1 ** step); // both averages start at 0
  for (let k = 0; k < count; k++) {
    const g = gradient[k], i = at + k;
    means[i] = b1 * means[i] + (1 - b1) * g; // momentum: the recent direction
    squares[i] = b2 * squares[i] + (1 - b2) * g * g; // the recent size of the gradient
    weights[i] -= rate * means[i] / (Math.sqrt(squares[i]) + epsilon);
  }
}

export function headStep(trainer, summaries, targets, start, count) {
  // fine_tuning.head_step + Adam: one batch (windows start .. start + count); returns its mean loss.
  const { units, vocab } = trainer;
  const d = trainer.logitGradient; // (count, vocab): (p - onehot) / count
  const biasGradient = new Float64Array(vocab);
  let total = 0;
  for (let b = 0; b < count; b++) {
    const row = start + b;
    total += headProbabilities(trainer, summaries.subarray(row * units, (row + 1) * units), targets[row]);
    const p = trainer.probabilities;
    p[targets[row]] -= 1; // p - onehot
    for (let k = 0; k < vocab; k++) {
      const g = p[k] / count; // ... / batch
      d[b * vocab + k] = g;
      biasGradient[k] += g;
    }
  }
  trainer.step += 1;
  packInto(trainer.packedGradient, d.subarray(0, count * vocab), count);
  const { input, output } = trainer.arena;
  for (let j = 0; j < units; j++) {
    // kernel gradient row j = summaries[:, j] @ d: one product (dense_gradients' summary.T @ d)
    for (let b = 0; b < count; b++) input[b] = summaries[(start + b) * units + j];
    output.fill(0);
    matVecAdd(output, trainer.packedGradient, input);
    adamUpdate(trainer.kernel, output, trainer.kernelMean, trainer.kernelSquare, j * vocab, vocab,
      trainer.learningRate, trainer.step, trainer.epsilon);
  }
  adamUpdate(trainer.bias, biasGradient, trainer.biasMean, trainer.biasSquare, 0, vocab,
    trainer.learningRate, trainer.step, trainer.epsilon);
  packInto(trainer.packedKernel, trainer.kernel);
  return total / count;
}

export function* trainHead(trainer, summaries, targets, passes, heldOut = null) {
  // fine_tuning.train_head, one step per `next()`: yields {pass, step, loss} after each step, and
  // {pass, passLoss, heldOutLoss} at the end of each pass (heldOut: {summaries, targets}, may be empty).
  for (let pass = 1; pass <= passes; pass++) {
    let seen = 0;
    for (let start = 0; start < targets.length; start += trainer.batchSize) {
      const count = Math.min(trainer.batchSize, targets.length - start);
      const loss = headStep(trainer, summaries, targets, start, count);
      seen += loss * count;
      yield { pass, step: trainer.step, loss };
    }
    const heldOutLoss = heldOut && heldOut.targets.length ? headLoss(trainer, heldOut.summaries, heldOut.targets).loss : null;
    yield { pass, passLoss: seen / targets.length, heldOutLoss };
  }
}

export function risingWords(model, before, after, count = 10) {
  // fine_tuning.rising_words: [[word, before, after], ...], the largest rise first, ties to the lower id
  const ids = [];
  for (let id = UNKNOWN_ID + 1; id < before.length; id++) ids.push(id);
  ids.sort((a, b) => (after[b] - before[b]) - (after[a] - before[a]) || a - b);
  return ids.slice(0, count).map((id) => [model.words[id], before[id], after[id]]);
}

// ================================================================ speed helpers
// Nothing below changes what the stages compute; it makes them fast (see the notes at the top
// of the file). Read the stages first.

const LANES = 16; // a packed kernel's columns come in groups of 16; vectors are padded to 16 numbers

const padded = (count) => Math.ceil(count / LANES) * LANES;

function makeArena(tensorEntries, webAssembly) {
  // One block of memory for the packed kernels and the vectors the products and gates work on:
  // a WebAssembly.Memory when the WebAssembly functions can run (they read and write only their
  // own memory), else an ArrayBuffer for the JavaScript loops. Sized from the manifest's 2-D weights.
  const kernels = tensorEntries.filter((entry) => entry.shape.length === 2 && entry.name !== "embedding");
  const rows = padded(Math.max(...kernels.map((entry) => entry.shape[0]))); // the longest input
  const columns = padded(Math.max(...kernels.map((entry) => entry.shape[1]))); // the longest output
  const floats = kernels.reduce((sum, entry) => sum + entry.shape[0] * padded(entry.shape[1]), 0) + 3 * rows + columns;
  const wasm = webAssembly ? webAssemblyFunctions(Math.ceil((4 * floats) / 65536)) : null;
  const buffer = wasm ? wasm.memory.buffer : new ArrayBuffer(4 * floats);
  let used = 0; // bytes handed out so far; every piece starts on a 64-byte boundary
  const allocate = (count) => {
    const piece = new Float32Array(buffer, used, count);
    used += 4 * padded(count);
    return piece;
  };
  return {
    allocate,
    engine: wasm ? "WebAssembly SIMD" : "JavaScript",
    matVecAdd: wasm ? wasm.exports.matVecAdd : javascriptMatVecAdd(new Float32Array(buffer)),
    gates: wasm ? wasm.exports.lstmGates : null, // without WebAssembly, lstmLayer's own loop
    input: allocate(rows), // x: what a product reads
    state: allocate(rows), // h: an LSTM's hidden state (what the recurrent product reads)
    cell: allocate(rows), // c: an LSTM's memory
    output: allocate(columns), // z or the logits: what a product adds into
  };
}

function packKernel(arena, kernel, columns) {
  // A kernel (rows, columns) in Keras's layout, copied into the arena for matVecAdd: its
  // columns in groups of 16, each group stored row after row (the last group padded with zeros):
  //   packed[(group * rows + i) * 16 + lane] = kernel[i * columns + group * 16 + lane]
  const rows = kernel.length / columns;
  const groups = Math.ceil(columns / LANES);
  const packed = { data: arena.allocate(groups * rows * LANES), rows, columns, groups, arena };
  return packInto(packed, kernel);
}

function packInto(packed, kernel, rows = kernel.length / packed.columns) {
  // packKernel's copy, into a packed kernel made before (the trainer repacks its kernel after
  // every step). rows may be fewer than the space was made for (a pass's last, smaller batch).
  const { data, columns, groups } = packed;
  packed.rows = rows;
  for (let group = 0; group < groups; group++) {
    const width = Math.min(LANES, columns - group * LANES); // 16, or fewer in the last group
    for (let i = 0; i < rows; i++) {
      const from = i * columns + group * LANES, to = (group * rows + i) * LANES;
      for (let lane = 0; lane < width; lane++) data[to + lane] = kernel[from + lane]; // (no subarray: made often)
    }
  }
  return packed;
}

function matVecAdd(output, packed, input) {
  // output[0:columns] += input[0:rows] @ kernel, for a kernel packed by packKernel. output and
  // input are the arena's vectors (output holds 16 * groups numbers: the padding is overwritten).
  packed.arena.matVecAdd(output.byteOffset, packed.data.byteOffset, input.byteOffset, packed.rows, packed.groups);
}

function lstmGates(arena, units) {
  // lstmLayer's gate loop for one step, in WebAssembly: z (arena.output) -> c, h (arena.cell, arena.state)
  arena.gates(arena.output.byteOffset, arena.cell.byteOffset, arena.state.byteOffset, units);
}

function workBuffers(config, steps = config.sequence_length) {
  // What the stages write for one window, made once per model (summarize, nextWordLogits).
  return {
    projected1: new Float32Array(steps * 4 * config.lstm_1_units), // (13, 600)
    context: new Float32Array(steps * config.lstm_1_units), // (13, 150)
    projected2: new Float32Array(steps * 4 * config.lstm_2_units), // (13, 400)
    states: new Float32Array(steps * config.lstm_2_units), // (13, 100)
    logits: new Float32Array(config.vocab_size), // (4818,)
  };
}

let float16Values = null;
function float16Table() {
  // float16ToFloat32 of all 65,536 bit patterns, made once: decoding the weights is then a lookup.
  if (!float16Values) {
    float16Values = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) float16Values[bits] = float16ToFloat32(bits);
  }
  return float16Values;
}

function javascriptMatVecAdd(heap) {
  // matVecAdd in plain JavaScript, for browsers without WebAssembly: the same sums as the
  // WebAssembly kernel, four columns at a time, in float64. Addresses are in bytes, as there.
  return function run(outputAt, kernelAt, inputAt, rows, groups) {
    const output = outputAt >> 2, input = inputAt >> 2; // byte address -> index into heap
    for (let group = 0; group < groups; group++) {
      const panel = (kernelAt >> 2) + group * rows * LANES; // this group's rows, 16 numbers each
      for (let lane = 0; lane < LANES; lane += 4) {
        const at = output + group * LANES + lane;
        let s0 = heap[at], s1 = heap[at + 1], s2 = heap[at + 2], s3 = heap[at + 3];
        for (let i = 0, k = panel + lane; i < rows; i++, k += LANES) {
          const x = heap[input + i];
          s0 += x * heap[k];
          s1 += x * heap[k + 1];
          s2 += x * heap[k + 2];
          s3 += x * heap[k + 3];
        }
        heap[at] = s0;
        heap[at + 1] = s1;
        heap[at + 2] = s2;
        heap[at + 3] = s3;
      }
    }
  };
}

// ---------------------------------------------------------------- the WebAssembly functions
// No compiler is needed: the module's bytes are assembled below from its text, written in the
// WebAssembly text format's instructions (https://webassembly.github.io/spec/core/text/).
// Every instruction works on a stack; v128 values hold four float32 numbers (f32x4), so one
// f32x4.mul does four multiplications. Addresses are in bytes into the arena's memory.

const WASM_FUNCTIONS = [
  {
    name: "matVecAdd", // output[0:16 * groups] += input[0:rows] @ packed kernel (packKernel)
    params: { $output: "i32", $kernel: "i32", $input: "i32", $rows: "i32", $groups: "i32" },
    locals: { $x: "i32", $i: "i32", $sum0: "v128", $sum1: "v128", $sum2: "v128", $sum3: "v128", $xi: "v128" },
    text: `
      block                                      ;; leave when every group is done
        loop                                     ;; for each group of 16 columns:
          local.get $groups  i32.eqz  br_if 1
          local.get $output  v128.load offset=0   local.set $sum0    ;; sums = output[0:16]
          local.get $output  v128.load offset=16  local.set $sum1
          local.get $output  v128.load offset=32  local.set $sum2
          local.get $output  v128.load offset=48  local.set $sum3
          local.get $input  local.set $x
          local.get $rows   local.set $i
          block
            loop                                 ;; for each row i of the kernel:
              local.get $i  i32.eqz  br_if 1
              local.get $x  v128.load32_splat offset=0  local.set $xi    ;; xi = [x_i, x_i, x_i, x_i]
              ;; sum_k += xi * the row's numbers 4k .. 4k+3, for k = 0 .. 3
              local.get $sum0 local.get $xi local.get $kernel v128.load offset=0 f32x4.mul f32x4.add local.set $sum0
              local.get $sum1 local.get $xi local.get $kernel v128.load offset=16 f32x4.mul f32x4.add local.set $sum1
              local.get $sum2 local.get $xi local.get $kernel v128.load offset=32 f32x4.mul f32x4.add local.set $sum2
              local.get $sum3 local.get $xi local.get $kernel v128.load offset=48 f32x4.mul f32x4.add local.set $sum3
              local.get $kernel  i32.const 64  i32.add  local.set $kernel    ;; the next row: 16 numbers on
              local.get $x       i32.const 4   i32.add  local.set $x         ;; the next input number
              local.get $i       i32.const 1   i32.sub  local.set $i
              br 0
            end
          end
          local.get $output  local.get $sum0  v128.store offset=0        ;; output[0:16] = sums
          local.get $output  local.get $sum1  v128.store offset=16
          local.get $output  local.get $sum2  v128.store offset=32
          local.get $output  local.get $sum3  v128.store offset=48
          local.get $output  i32.const 64  i32.add  local.set $output   ;; the next group
          local.get $groups  i32.const 1   i32.sub  local.set $groups
          br 0
        end
      end`,
  },
  {
    name: "lstmGates", // lstmLayer's gate loop, four units at a time: z = i | f | g | o -> c, h
    params: { $z: "i32", $c: "i32", $h: "i32", $units: "i32" },
    locals: { $at: "i32", $end: "i32", $zf: "i32", $zg: "i32", $zo: "i32",
      $input: "v128", $forget: "v128", $candidate: "v128", $out: "v128", $cell: "v128" },
    text: `
      local.get $units  i32.const 4  i32.mul  local.set $end     ;; bytes in one gate's block of z
      local.get $z   local.get $end  i32.add  local.set $zf      ;; where z_f, z_g, z_o start
      local.get $zf  local.get $end  i32.add  local.set $zg
      local.get $zg  local.get $end  i32.add  local.set $zo
      ;; When units is not a multiple of 4 (LSTM-1 has 150), the last round's extra lanes read the
      ;; next gate's numbers and write into the padding after c and h, which nothing reads.
      block
        loop                                   ;; for units u .. u+3 ($at = 4u bytes, from 0):
          local.get $at  local.get $end  i32.ge_u  br_if 1
          local.get $z   local.get $at  i32.add  v128.load offset=0  call $sigmoid  local.set $input
          local.get $zf  local.get $at  i32.add  v128.load offset=0  call $sigmoid  local.set $forget
          local.get $zg  local.get $at  i32.add  v128.load offset=0  call $tanh     local.set $candidate
          local.get $zo  local.get $at  i32.add  v128.load offset=0  call $sigmoid  local.set $out
          local.get $c  local.get $at  i32.add                                ;; c = f * c + i * g
            local.get $forget  local.get $c  local.get $at  i32.add  v128.load offset=0  f32x4.mul
            local.get $input  local.get $candidate  f32x4.mul  f32x4.add
            local.tee $cell  v128.store offset=0
          local.get $h  local.get $at  i32.add                                ;; h = o * tanh(c)
            local.get $out  local.get $cell  call $tanh  f32x4.mul
            v128.store offset=0
          local.get $at  i32.const 16  i32.add  local.set $at
          br 0
        end
      end`,
  },
  {
    // tanh as a ratio of two polynomials, the float32 approximation of the Eigen library (which
    // TensorFlow uses): within 4e-7 of Math.tanh, a few float32 steps (6e-8 apart just below 1).
    name: "tanh",
    params: { $x: "v128" },
    results: ["v128"],
    locals: { $x2: "v128" },
    text: `
      local.get $x  f32x4.const -7.90531110763549805  f32x4.max
                    f32x4.const 7.90531110763549805   f32x4.min  local.set $x   ;; beyond, tanh rounds to +-1
      local.get $x  local.get $x  f32x4.mul  local.set $x2
      f32x4.const -2.76076847742355e-16                                          ;; numerator: x * p(x^2)
      local.get $x2  f32x4.mul  f32x4.const 2.00018790482477e-13  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const -8.60467152213735e-11  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 5.12229709037114e-08  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 1.48572235717979e-05  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 6.37261928875436e-04  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 4.89352455891786e-03  f32x4.add
      local.get $x  f32x4.mul
      f32x4.const 1.19825839466702e-06                                           ;; denominator: q(x^2)
      local.get $x2  f32x4.mul  f32x4.const 1.18534705686654e-04  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 2.26843463243900e-03  f32x4.add
      local.get $x2  f32x4.mul  f32x4.const 4.89352518554385e-03  f32x4.add
      f32x4.div`,
  },
  {
    name: "sigmoid", // sigmoid(x) = 1 / (1 + exp(-x)) = 0.5 + 0.5 * tanh(x / 2)
    params: { $x: "v128" },
    results: ["v128"],
    locals: {},
    text: `
      local.get $x  f32x4.const 0.5  f32x4.mul  call $tanh
      f32x4.const 0.5  f32x4.mul  f32x4.const 0.5  f32x4.add`,
  },
];
const EXPORTED = ["matVecAdd", "lstmGates"];

// Each instruction's bytes (the binary format) and what follows it: a local's name, a label
// depth, a function's name, a number, or a memory offset (with its alignment hint, log2 bytes).
const INSTRUCTIONS = {
  "block": [[0x02, 0x40]], "loop": [[0x03, 0x40]], "end": [[0x0b]], // 0x40: the block leaves nothing
  "br": [[0x0c], "depth"], "br_if": [[0x0d], "depth"], "call": [[0x10], "function"],
  "local.get": [[0x20], "local"], "local.set": [[0x21], "local"], "local.tee": [[0x22], "local"],
  "i32.const": [[0x41], "i32"], "i32.eqz": [[0x45]], "i32.ge_u": [[0x4f]],
  "i32.add": [[0x6a]], "i32.sub": [[0x6b]], "i32.mul": [[0x6c]],
  "v128.load": [[0xfd, 0x00], "memory", 4], "v128.load32_splat": [[0xfd, 0x09], "memory", 2],
  "v128.store": [[0xfd, 0x0b], "memory", 4], "f32x4.const": [[0xfd, 0x0c], "f32x4"],
  "f32x4.add": [[0xfd, 0xe4, 0x01]], "f32x4.mul": [[0xfd, 0xe6, 0x01]], "f32x4.div": [[0xfd, 0xe7, 0x01]],
  "f32x4.min": [[0xfd, 0xe8, 0x01]], "f32x4.max": [[0xfd, 0xe9, 0x01]],
};
const TYPES = { i32: 0x7f, v128: 0x7b };

function unsignedLeb(n) {
  // LEB128: 7 bits a byte, low bits first, the high bit set on every byte but the last
  const out = [];
  do {
    out.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>>= 7;
  } while (n);
  return out;
}

function signedLeb(n) {
  // signed LEB128 (i32.const): as above, until the last byte's sign bit (0x40) is the number's
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return out.concat(byte);
    out.push(byte | 0x80);
  }
}

function assemble(fn) {
  // One function's text -> its body's bytes (its locals, its instructions, the final `end`).
  const names = Object.keys(fn.params).concat(Object.keys(fn.locals)); // a local's index
  const functions = WASM_FUNCTIONS.map((other) => `$${other.name}`); // a function's index
  const words = fn.text.replace(/;;.*$/gm, "").split(/\s+/).filter(Boolean);
  const out = [...unsignedLeb(Object.keys(fn.locals).length)];
  for (const type of Object.values(fn.locals)) out.push(1, TYPES[type]); // one local at a time
  for (let n = 0; n < words.length; n++) {
    if (!INSTRUCTIONS[words[n]]) throw new Error(`assemble ${fn.name}: unknown instruction ${words[n]}`);
    const [code, immediate, align] = INSTRUCTIONS[words[n]];
    out.push(...code);
    if (!immediate) continue;
    const operand = words[++n];
    const known = { local: names, function: functions }[immediate];
    const number = known ? known.indexOf(operand) : Number(String(operand).replace("offset=", ""));
    if (Number.isNaN(number) || (known && number < 0)) {
      throw new Error(`assemble ${fn.name}: ${words[n - 1]} cannot take ${operand}`);
    }
    if (immediate === "i32") out.push(...signedLeb(number));
    else if (immediate === "memory") out.push(align, ...unsignedLeb(number));
    else if (immediate === "f32x4") out.push(...new Uint8Array(new Float32Array(4).fill(number).buffer)); // 4 x 4 bytes
    else out.push(...unsignedLeb(number)); // a local, a function or a label depth
  }
  return out.concat(0x0b);
}

function wasmModule() {
  // The module's bytes: a header, then sections (id, byte length, contents), most of them a
  // vector (count, items): 1 function types, 2 imports (the memory), 3 each function's type,
  // 7 exports, 10 the bodies. Function k has type k.
  const vector = (items) => [...unsignedLeb(items.length), ...items.flat()];
  const name = (text) => vector([...text].map((c) => c.charCodeAt(0)));
  const section = (id, contents) => [id, ...unsignedLeb(contents.length), ...contents];
  const types = WASM_FUNCTIONS.map((fn) => [0x60, ...vector(Object.values(fn.params).map((t) => TYPES[t])),
    ...vector((fn.results || []).map((t) => TYPES[t]))]);
  const bodies = WASM_FUNCTIONS.map((fn) => vector(assemble(fn))); // each body: its byte length, its bytes
  const exports = EXPORTED.map((exported) => [...name(exported), 0x00,
    ...unsignedLeb(WASM_FUNCTIONS.findIndex((fn) => fn.name === exported))]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vector(types)),
    ...section(2, vector([[...name("env"), ...name("memory"), 0x02, 0x00, 0x01]])), // a memory of >= 1 page
    ...section(3, vector(WASM_FUNCTIONS.map((fn, k) => unsignedLeb(k)))),
    ...section(7, vector(exports)),
    ...section(10, vector(bodies)),
  ]);
}

let compiledModule; // the compiled module, or null where WebAssembly (with SIMD) is missing
function webAssemblyFunctions(pages) {
  // {memory, exports} with a fresh memory of `pages` x 64 KiB, or null (then JavaScript runs)
  if (compiledModule === undefined) {
    const bytes = wasmModule(); // a mistake in the text above throws here
    try {
      compiledModule = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch (error) {
      compiledModule = null; // no WebAssembly, or a Content-Security-Policy that forbids it
    }
  }
  if (!compiledModule) return null;
  try {
    const memory = new WebAssembly.Memory({ initial: pages });
    return { memory, exports: new WebAssembly.Instance(compiledModule, { env: { memory } }).exports };
  } catch (error) {
    return null; // e.g. too little memory for the weights
  }
}
