// The course's model in plain JavaScript: the forward pass, the sampling strategies and the
// tokenizer, for the built book's pages (no Python kernel) and for `node --test`.
//
// Read it next to the Python it copies; each function names its twin:
//   textgen_course/text.py          tokenize, detokenize
//   textgen_course/windows.py       padLeft
//   textgen_course/numpy_model.py   lstmLayer, nextWordProbabilities (one window at a time)
//   textgen_course/softmax_head.py  softmax
//   textgen_course/generation.py    mulberry32, samplingDistribution, drawWord, generate
// Weights keep Keras's layout (textgen_course/web_export.py writes them): an LSTM kernel is
// (input_dim, 4 * units) with the gates side by side in the order input, forget, candidate,
// output; a Dense kernel is (units, vocab_size). Vectors are row vectors: x @ kernel.
// Numbers are computed in float64 from float32 weights (NumPy computes in float32), so the
// two agree to about 1e-6 on probabilities (tests/js/parity.test.mjs holds them to 1e-5).
// This file is an ES module; the book loads a classic-script copy of it (web_export.classic_script).

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
    for (let i = 0; i < count; i++) values[i] = float16ToFloat32(view.getUint16(2 * i, true));
  } else if (entry.dtype === "float32") {
    for (let i = 0; i < count; i++) values[i] = view.getFloat32(4 * i, true);
  } else {
    throw new Error(`readTensor: unknown dtype ${entry.dtype}`);
  }
  return values;
}

export function loadModel(manifest, bytes) {
  // manifest: textgen-model.json; bytes: textgen-model.bin as a Uint8Array.
  const tensors = {};
  for (const entry of manifest.tensors) tensors[entry.name] = readTensor(bytes, entry);
  const config = manifest.config;
  const lstm = (name, units) => ({
    kernel: tensors[`${name}.kernel`], // (input_dim, 4 * units)
    recurrentKernel: tensors[`${name}.recurrent_kernel`], // (units, 4 * units)
    bias: tensors[`${name}.bias`], // (4 * units,)
    units,
  });
  const words = manifest.vocabulary;
  return {
    config,
    words, // words[id]; words[0] = "<pad>", words[1] = "<unk>"
    index: new Map(words.map((word, id) => [word, id])),
    punctuation: new Set(manifest.tokenizer.punctuation),
    elidedWords: new Set(manifest.tokenizer.elided_words),
    embedding: tensors.embedding, // (vocab_size, embedding_dim)
    lstm1: lstm("lstm_1", config.lstm1_units),
    lstm2: lstm("lstm_2", config.lstm2_units),
    denseKernel: tensors["dense.kernel"], // (lstm2_units, vocab_size)
    denseBias: tensors["dense.bias"], // (vocab_size,)
    projectionCache: new Map(), // word id -> its LSTM-1 input projection (see lstm1Projection)
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

export function projectInputs(inputs, steps, inputDim, weights) {
  // numpy_model.lstm_hidden_states: projected = inputs @ kernel + bias, all steps at once.
  // (steps, input_dim) -> (steps, 4 * units)
  const four = 4 * weights.units;
  const { kernel, bias } = weights;
  const projected = new Float64Array(steps * four);
  for (let t = 0; t < steps; t++) {
    const offset = t * four;
    for (let j = 0; j < four; j++) projected[offset + j] = bias[j];
    for (let i = 0; i < inputDim; i++) {
      const x = inputs[t * inputDim + i];
      if (x === 0) continue;
      const k = i * four;
      for (let j = 0; j < four; j++) projected[offset + j] += x * kernel[k + j];
    }
  }
  return projected;
}

export function lstm1Projection(model, window) {
  // LSTM-1's input projection depends only on the word, so it is computed once per word id
  // and kept: embed + projectInputs for one id. (13,) -> (13, 600)
  const four = 4 * model.lstm1.units;
  const dim = model.config.embedding_dim;
  const projected = new Float64Array(window.length * four);
  window.forEach((id, t) => {
    let row = model.projectionCache.get(id);
    if (!row) {
      row = projectInputs(embed(model, [id]), 1, dim, model.lstm1);
      model.projectionCache.set(id, row);
    }
    projected.set(row, t * four);
  });
  return projected;
}

export function lstmLayer(projected, steps, weights, trace = null) {
  // numpy_model.lstm_hidden_states / lstm_gates.lstm_step, one step at a time:
  //   z = x_t @ kernel + bias + h_{t-1} @ recurrent_kernel      (4 * units,), gates i | f | g | o
  //   i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_g)
  //   c_t = f * c_{t-1} + i * g;  h_t = o * tanh(c_t)
  // projected: (steps, 4 * units) from projectInputs. Returns the hidden states (steps, units).
  // trace: an object to fill with every gate, c and h per step (the gate explorer's data).
  const units = weights.units;
  const four = 4 * units;
  const recurrentKernel = weights.recurrentKernel;
  const h = new Float64Array(units); // the state starts at zero
  const c = new Float64Array(units);
  const z = new Float64Array(four);
  const hidden = new Float64Array(steps * units);
  if (trace) for (const name of ["input_gate", "forget_gate", "candidate", "output_gate", "cell", "hidden"]) {
    trace[name] = new Float64Array(steps * units);
  }
  for (let t = 0; t < steps; t++) {
    z.set(projected.subarray(t * four, (t + 1) * four));
    for (let i = 0; i < units; i++) {
      const hi = h[i];
      if (hi === 0) continue;
      const k = i * four;
      for (let j = 0; j < four; j++) z[j] += hi * recurrentKernel[k + j];
    }
    for (let u = 0; u < units; u++) {
      const inputGate = sigmoid(z[u]);
      const forgetGate = sigmoid(z[units + u]);
      const candidate = Math.tanh(z[2 * units + u]);
      const outputGate = sigmoid(z[3 * units + u]);
      c[u] = forgetGate * c[u] + inputGate * candidate;
      h[u] = outputGate * Math.tanh(c[u]);
      hidden[t * units + u] = h[u];
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
  return hidden;
}

export function summarize(model, window) {
  // Stages 1-3: the window's ids -> LSTM-2's last hidden state, the summary (100,).
  const steps = window.length;
  const context = lstmLayer(lstm1Projection(model, window), steps, model.lstm1); // (13, 150)
  const projected = projectInputs(context, steps, model.lstm1.units, model.lstm2); // (13, 400)
  const states = lstmLayer(projected, steps, model.lstm2); // (13, 100)
  return states.subarray((steps - 1) * model.lstm2.units);
}

export function denseLogits(model, summary) {
  // Stage 4, numpy_model.logits: summary @ dense_kernel + dense_bias, (100,) -> (4818,)
  const vocabSize = model.config.vocab_size;
  const kernel = model.denseKernel;
  const logits = Float64Array.from(model.denseBias);
  for (let i = 0; i < summary.length; i++) {
    const s = summary[i];
    const k = i * vocabSize;
    for (let j = 0; j < vocabSize; j++) logits[j] += s * kernel[k + j];
  }
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

export function nextWordProbabilities(model, window) {
  // model.next_word_probabilities for one window (13,) -> (vocab_size,)
  return softmax(denseLogits(model, summarize(model, window)));
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
  let total = 0;
  for (const value of values) total += value;
  return values.map((value) => value / total);
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
  // generation.top_words: [[word, p], ...] most likely first, ties to the lower id
  return order(probabilities).slice(0, count).map((id) => [model.words[id], probabilities[id]]);
}

export function* generateSteps(model, seedText, { numWords = 20, strategy = "greedy", temperature = 1, topK = null,
  topP = null, seed = 0, candidates = 5 } = {}) {
  // generation.generate, one word per `next()`, so a page can pause between words.
  // Yields {id, word, candidates: [[word, p], ...]} (the model's top words, <pad>/<unk> removed).
  const problem = checkStrategy(strategy, temperature, topK, topP, model.config.vocab_size);
  if (problem) throw new RangeError(problem);
  const ids = encode(model, seedTokens(model, seedText));
  const random = mulberry32(seed);
  for (let n = 0; n < numWords; n++) {
    const probabilities = nextWordProbabilities(model, padLeft(ids, model.config.sequence_length));
    const distribution = samplingDistribution(probabilities, strategy, temperature, topK, topP);
    const id = strategy === "greedy" ? argmax(distribution) : drawWord(distribution, random());
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
