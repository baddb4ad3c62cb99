// The chapters' explorers, live in the built book: no Python kernel, the shipped model runs here.
//
// Each explorer's saved output (textgen_course/explorers/web.py) is a <div class="textgen-explorer">
// holding its first view, a <noscript> line and its settings. On a page that has one, this
// script loads the engine and the model once (classic scripts from ../textgen-web/, which
// also work from file://), adds labelled controls above the saved view, and recomputes the
// view in the page with textgen_engine.mjs. The Python explorers (textgen_course/explorers/)
// are the tested reference: each function below names the Python function it mirrors.
(function () {
  "use strict";
  const script = document.currentScript;
  const BASE = script ? new URL("../textgen-web/", script.src) : null;
  const timings = (globalThis.textgenTimings = {});
  let E = null; // the engine (globalThis.TextgenEngine)
  let counter = 0;

  // ------------------------------------------------------------ loading, once per page
  function loadScript(url) {
    return new Promise((resolve, reject) => {
      const tag = document.createElement("script");
      tag.src = url;
      tag.onload = resolve;
      tag.onerror = () => reject(new Error(`could not load ${url}`));
      document.head.appendChild(tag);
    });
  }

  let modelPromise = null;
  function loadModel() {
    if (!modelPromise) {
      timings.start = performance.now();
      modelPromise = loadScript(new URL("textgen-engine.js", BASE).href)
        .then(() => loadScript(new URL("textgen-model.js", BASE).href))
        .then(() => {
          E = globalThis.TextgenEngine;
          const shipped = globalThis.TEXTGEN_MODEL;
          timings.downloaded = performance.now();
          const model = E.loadModel(shipped.manifest, E.base64ToBytes(shipped.weights));
          delete shipped.weights; // the decoded Float32Arrays are what is kept
          timings.loaded = performance.now();
          return model;
        });
    }
    return modelPromise;
  }
  globalThis.textgenLoadModel = loadModel; // bench/browser_speed.py uses it

  // ------------------------------------------------------------ small helpers
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
  const fixed = (x, digits) => x.toFixed(digits);
  const percent = (x) => (x * 100).toFixed(1) + "%";
  const round = (x, digits) => Number(x.toFixed(digits)); // Python's round(x, digits), as shown

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  // A labelled control with a message line beside it (role=status, read out when it changes).
  function control(panel, label, input) {
    const id = `textgen-control-${++counter}`;
    input.id = id;
    const row = element("div", { class: "textgen-control" });
    const message = element("span", { class: "textgen-message", role: "status", "aria-live": "polite" });
    row.append(element("label", { for: id }, label), input, message);
    panel.appendChild(row);
    input.message = (text) => {
      message.textContent = text || "";
      input.setAttribute("aria-invalid", text ? "true" : "false");
    };
    return input;
  }
  const textBox = (panel, label, value) => control(panel, label, element("input", { type: "text", value, size: "60" }));
  const numberBox = (panel, label, value, step = "0.01") => control(panel, label, element("input", { type: "number", value: String(value), step }));
  function slider(panel, label, value, min, max) {
    const input = control(panel, label, element("input", { type: "range", min: String(min), max: String(max), step: "1", value: String(value) }));
    const shown = element("output", { for: input.id }, String(value));
    input.after(shown);
    input.addEventListener("input", () => (shown.textContent = input.value));
    input.setMax = (top) => { input.max = String(top); };
    input.show = () => (shown.textContent = input.value);
    return input;
  }
  function menu(panel, label, options, value) {
    const select = element("select");
    for (const option of options) select.appendChild(element("option", { value: option }, option));
    select.value = value;
    return control(panel, label, select);
  }
  function whole(input, low, high, name) {
    // a whole number in [low, high], or null with a message beside the control
    const value = Number(input.value);
    if (input.value.trim() === "" || !Number.isInteger(value) || value < low || value > high) {
      input.message(`${name} must be a whole number from ${low} to ${high}.`);
      return null;
    }
    input.message("");
    return value;
  }

  // What the model will read of a text, with the notes the page shows beside the box.
  function readText(model, input, { needWords = true } = {}) {
    const text = input.value;
    const tokens = E.tokenize(model, text);
    const words = tokens.filter((token) => !model.punctuation.has(token));
    const notes = [];
    if (needWords && !words.length) {
      input.message(text.trim() ? "No words the model can read: it reads only the letters a-z (and , . ; : ! ?)." :
        "Empty: type at least one word, e.g. 'to be or not'.");
      return null;
    }
    const unknown = E.unknownWords(model, tokens);
    if (unknown.length) notes.push(`Read as <unk> (not in the vocabulary): ${unknown.slice(0, 8).join(", ")}${unknown.length > 8 ? ", ..." : ""}.`);
    const length = model.config.sequence_length;
    if (tokens.length > length) notes.push(`Only the last ${length} of its ${tokens.length} tokens are read.`);
    input.message(notes.join(" "));
    return { tokens, unknown };
  }

  // Runs `step` for each of n items in slices of ~25 ms, so a long generation keeps the page
  // responsive; a newer run of the same explorer cancels an older one.
  function chunked(owner, iterator, onItem, onDone) {
    const run = (owner.run = (owner.run || 0) + 1);
    function slice() {
      if (owner.run !== run) return;
      const until = performance.now() + 25;
      while (performance.now() < until) {
        const next = iterator.next();
        if (next.done) return onDone();
        onItem(next.value);
      }
      setTimeout(slice, 0);
    }
    slice();
  }

  // ------------------------------------------------------------ chapter 1: text_to_ids.py
  function chip(top, bottom, kind) {
    return `<span class="textgen-chip textgen-${kind}">${escape(top)}<br><small>${escape(bottom)}</small></span>`;
  }
  function mountTextToIds(model, root, settings, panel, view) {
    const box = textBox(panel, "Text:", settings.text);
    const length = settings.sequence_length;
    function update() {
      const tokens = E.tokenize(model, box.value); // describe_text
      const ids = E.encode(model, tokens);
      const window = E.padLeft(ids, length);
      const unknown = E.unknownWords(model, tokens);
      const kind = (id) => (id === E.PAD_ID ? "pad" : id === E.UNKNOWN_ID ? "unknown" : "word");
      const dropped = Math.max(0, tokens.length - length);
      box.message(!tokens.length ? "No tokens: the model would read only padding." : dropped ? `Only the last ${length} of its ${tokens.length} tokens are read.` : "");
      view.innerHTML =
        `<div><b>${tokens.length} tokens and their ids</b><br>${tokens.map((t, i) => chip(t, String(ids[i]), kind(ids[i]))).join("") || "<i>no tokens</i>"}</div>` +
        `<div style='margin-top:6px'><b>Unknown words</b> (id ${E.UNKNOWN_ID}): ${unknown.map(escape).join(", ") || "none"}</div>` +
        `<div style='margin-top:6px'><b>The ${length} ids the model reads</b>${dropped ? ` (${dropped} earlier token(s) do not fit)` : ""}<br>` +
        `${window.map((id) => chip(model.words[id], String(id), kind(id))).join("")}</div>`;
    }
    box.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 2: embedding.py
  function unitRows(model) {
    if (model.unitEmbedding) return model.unitEmbedding;
    const dim = model.config.embedding_dim;
    const unit = new Float64Array(model.embedding.length);
    for (let r = 0; r < model.words.length; r++) {
      let norm = 0;
      for (let j = 0; j < dim; j++) norm += model.embedding[r * dim + j] ** 2;
      norm = Math.sqrt(norm) || 1;
      for (let j = 0; j < dim; j++) unit[r * dim + j] = model.embedding[r * dim + j] / norm;
    }
    return (model.unitEmbedding = unit);
  }
  function mountEmbedding(model, root, settings, panel, view) {
    const listId = `textgen-words-${++counter}`;
    const list = element("datalist", { id: listId });
    for (const word of settings.choices) list.appendChild(element("option", { value: word }));
    panel.appendChild(list);
    const box = textBox(panel, "Word:", settings.word);
    box.setAttribute("list", listId);
    const count = slider(panel, "Neighbours:", settings.count, 3, 30);
    function update() {
      const word = box.value.trim().toLowerCase(); // word_neighbours
      const known = model.index.has(word);
      const id = known ? model.index.get(word) : E.UNKNOWN_ID;
      box.message(known ? "" : word ? `Not in the vocabulary: the model reads it as <unk>.` : "Empty: type a word.");
      const unit = unitRows(model);
      const dim = model.config.embedding_dim;
      const similarities = [];
      for (let r = 0; r < model.words.length; r++) {
        if (r === id || r === E.PAD_ID || r === E.UNKNOWN_ID) continue;
        let s = 0;
        for (let j = 0; j < dim; j++) s += unit[r * dim + j] * unit[id * dim + j];
        similarities.push([r, s]);
      }
      similarities.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      const rows = similarities.slice(0, Number(count.value)).map(([r, s]) => {
        const shown = round(s, 4);
        return `<tr><td style='padding:1px 8px;font-family:monospace'>${escape(model.words[r])}</td>` +
          `<td style='padding:1px 8px;text-align:right'>${fixed(shown, 3)}</td>` +
          `<td><div style='background:#4a7fb0;height:10px;width:${(Math.max(0, shown) * 150).toFixed(0)}px'></div></td></tr>`;
      }).join("");
      const heading = known ? `Nearest neighbours of <b>${escape(word)}</b> (id ${id})` :
        `<b>${escape(word) || "(empty)"}</b> is not in the vocabulary: the model reads it as <b>&lt;unk&gt;</b>. These are &lt;unk&gt;'s neighbours.`;
      view.innerHTML = `<div>${heading}</div><table><tr><th style='text-align:left'>word</th><th>cosine</th><th></th></tr>${rows}</table>`;
    }
    box.addEventListener("change", update);
    count.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 3: lstm_context.py
  const GATES = ["input_gate", "forget_gate", "candidate", "output_gate"];
  const GATE_LABELS = { input_gate: "input gate i", forget_gate: "forget gate f", candidate: "candidate g", output_gate: "output gate o" };
  function colour(value, low, high) {
    if (low < 0) {
      const share = Math.min(1, Math.max(-1, value / high));
      return share < 0 ? `rgb(255,${Math.trunc(255 * (1 + share))},${Math.trunc(255 * (1 + share))})` :
        `rgb(${Math.trunc(255 * (1 - share))},${Math.trunc(255 - 130 * share)},255)`;
    }
    const share = Math.min(1, Math.max(0, (value - low) / (high - low)));
    return `rgb(${Math.trunc(255 - 200 * share)},${Math.trunc(255 - 140 * share)},${Math.trunc(255 - 60 * share)})`;
  }
  function strip(values, low, high) {
    let cells = "";
    values.forEach((v, u) => (cells += `<span class='tc-unit' title='unit ${u}: ${fixed(v, 2)}' style='background:${colour(v, low, high)}'></span>`));
    return `<span style='white-space:nowrap;line-height:0'>${cells}</span>`;
  }
  const signed = (x) => (x >= 0 ? "+" : "") + fixed(x, 2);
  function mountLstmContext(model, root, settings, panel, view) {
    const length = model.config.sequence_length;
    const box = textBox(panel, "Sentence:", settings.text);
    const step = slider(panel, "Step:", settings.step, 1, length);
    let sentence = null;
    function retrace() {
      const read = readText(model, box, { needWords: false }); // trace_sentence
      const tokens = read.tokens.slice(-length);
      const window = E.padLeft(E.encode(model, tokens), length);
      const trace = {};
      E.lstmLayer(E.projectInputs(E.embed(model, window), length, model.config.embedding_dim, model.lstm1), length, model.lstm1, trace);
      const shown = new Array(length - tokens.length).fill("<pad>").concat(tokens.map((t) => (model.index.has(t) ? t : `${t} (<unk>)`)));
      sentence = { tokens: shown, unknown: read.unknown, trace };
      redraw();
    }
    function redraw() {
      const units = model.lstm1.units;
      const t = Number(step.value) - 1; // gate_step
      const row = (name, s) => Array.from(sentence.trace[name].subarray(s * units, (s + 1) * units));
      const cell = row("cell", t), hidden = row("hidden", t);
      const cellBefore = t > 0 ? row("cell", t - 1) : new Array(units).fill(0);
      const hiddenBefore = t > 0 ? row("hidden", t - 1) : new Array(units).fill(0);
      const hiddenChange = hidden.map((h, u) => h - hiddenBefore[u]);
      const cellChange = cell.map((c, u) => c - cellBefore[u]);
      const order = Array.from(hiddenChange.keys()).sort((a, b) => Math.abs(hiddenChange[b]) - Math.abs(hiddenChange[a]) || a - b).slice(0, settings.top);
      const gates = Object.fromEntries(GATES.map((name) => [name, row(name, t)]));
      const means = Object.fromEntries(GATES.map((name) => [name, gates[name].reduce((a, b) => a + b, 0) / units]));
      const kept = gates.forget_gate.filter((f) => f >= 0.5).length / units;
      const words = sentence.tokens.map((token, i) => `<span style='padding:1px 4px;border-radius:3px;${i === t ? "background:#ffd27f;font-weight:bold" : i > t ? "color:#555" : ""}'>${escape(token)}</span>`).join(" ");
      const ranges = { input_gate: [0, 1], forget_gate: [0, 1], candidate: [-1, 1], output_gate: [0, 1] };
      let strips = GATES.map((name) => `<tr><td style='padding:0 8px 0 0'>${GATE_LABELS[name]}</td><td style='padding:0 8px;text-align:right'>${fixed(means[name], 2)}</td><td>${strip(gates[name], ...ranges[name])}</td></tr>`).join("");
      for (const [label, change] of [["memory change c<sub>t</sub> − c<sub>t−1</sub>", cellChange], ["output change h<sub>t</sub> − h<sub>t−1</sub>", hiddenChange]]) {
        const scale = Math.max(Math.max(...change.map(Math.abs)), 1e-6);
        strips += `<tr><td style='padding:0 8px 0 0'>${label}</td><td style='padding:0 8px;text-align:right'>±${fixed(scale, 2)}</td><td>${strip(change, -scale, scale)}</td></tr>`;
      }
      const header = ["unit", "i", "f", "g", "o", "c before", "c after", "h before", "h after"].map((h) => `<th style='padding:0 6px'>${h}</th>`).join("");
      const rows = order.map((u) => "<tr>" + [u, fixed(gates.input_gate[u], 2), fixed(gates.forget_gate[u], 2), signed(gates.candidate[u]), fixed(gates.output_gate[u], 2),
        signed(cellBefore[u]), signed(cell[u]), signed(hiddenBefore[u]), signed(hidden[u])].map((v) => `<td style='padding:0 6px;text-align:right'>${v}</td>`).join("") + "</tr>").join("");
      const unknown = sentence.unknown.length ? `<div style='color:#8b1a1a'>Not in the vocabulary (read as &lt;unk&gt;): ${escape(sentence.unknown.join(", "))}</div>` : "";
      view.innerHTML = `<style>.tc-unit{display:inline-block;width:3px;height:14px}</style><div style='margin-bottom:6px'>${words}</div>${unknown}` +
        `<div>Step ${t + 1} of ${length}: LSTM-1 reads <b>${escape(sentence.tokens[t])}</b>. ${(kept * 100).toFixed(0)}% of the ${units} units keep at least half of their memory (f ≥ 0.5).</div>` +
        `<table style='margin:6px 0'><tr><th style='text-align:left'>each unit, left to right</th><th>mean</th><th></th></tr>${strips}</table>` +
        `<div>The ${order.length} units whose output (their number in the context vector) changed most at this word, and the gates that did it:</div>` +
        `<table><tr>${header}</tr>${rows}</table>`;
    }
    box.addEventListener("change", retrace);
    step.addEventListener("input", redraw);
    return retrace;
  }

  // ------------------------------------------------------------ chapter 4: lstm_summary.py
  const MOST_WORDS_TRACED = 60;
  function mountLstmSummary(model, root, settings, panel, view) {
    const box = textBox(panel, "Sentence:", settings.text);
    const upto = slider(panel, "Words read:", 1, 1, 1);
    let growth = null;
    function regrow() {
      const read = readText(model, box, { needWords: false }); // summaries_as_words_are_added
      let words = read.tokens;
      if (words.length > MOST_WORDS_TRACED) {
        words = words.slice(-MOST_WORDS_TRACED);
        box.message(`The page traces the last ${MOST_WORDS_TRACED} of its ${read.tokens.length} tokens.`);
      }
      const ids = E.encode(model, words);
      const summaries = [], nextWords = [];
      for (let k = 0; k <= words.length; k++) {
        const summary = Array.from(E.summarize(model, E.padLeft(ids.slice(0, k), model.config.sequence_length)));
        const probabilities = E.withoutSpecials(E.softmax(E.denseLogits(model, summary)));
        summaries.push(summary);
        nextWords.push(E.topWords(model, probabilities, settings.top).map(([w, p]) => [w, round(p, 4)]));
      }
      const change = words.map((_, k) => Math.hypot(...summaries[k + 1].map((v, j) => v - summaries[k][j])));
      growth = { words, unknown: read.unknown, change, nextWords };
      upto.setMax(Math.max(1, words.length));
      upto.value = String(Math.max(1, words.length));
      upto.show();
      redraw();
    }
    function redraw() {
      if (!growth.words.length) {
        view.innerHTML = "<div>Type a sentence: the model has nothing to summarise yet.</div>";
        return;
      }
      const k0 = Math.min(Math.max(Number(upto.value), 1), growth.words.length); // growth_html
      const scale = Math.max(Math.max(...growth.change), 1e-6);
      const bars = growth.words.map((word, i) => {
        const k = i + 1;
        return `<tr style='${k === k0 ? "background:#ffd27f" : k > k0 ? "color:#555" : ""}'><td style='padding:0 6px;font-family:monospace'>${escape(word)}${growth.unknown.includes(word) ? " (&lt;unk&gt;)" : ""}</td>` +
          `<td style='padding:0 6px;text-align:right'>${fixed(growth.change[i], 2)}</td><td><div style='background:#4a7fb0;height:10px;width:${(growth.change[i] / scale * 160).toFixed(0)}px'></div></td>` +
          `<td style='padding:0 6px;font-size:90%'>${escape(growth.nextWords[k][0][0])}</td></tr>`;
      }).join("");
      const choices = growth.nextWords[k0].map(([word, p]) => `<tr><td style='padding:0 6px;font-family:monospace'>${escape(word)}</td><td style='padding:0 6px;text-align:right'>${fixed(p, 3)}</td>` +
        `<td><div style='background:#e39b3b;height:10px;width:${(p * 300).toFixed(0)}px'></div></td></tr>`).join("");
      const read = E.detokenize(model, growth.words.slice(0, k0).slice(-model.config.sequence_length));
      view.innerHTML = `<table><tr><th style='text-align:left'>word added</th><th>summary moved</th><th></th><th style='text-align:left'>likeliest next</th></tr>${bars}</table>` +
        `<div style='margin-top:8px'>After <b>${escape(read)}</b>, the model's most likely next words:</div><table>${choices}</table>`;
    }
    box.addEventListener("change", regrow);
    upto.addEventListener("input", redraw);
    return regrow;
  }

  // ------------------------------------------------------------ sampling settings, shared
  function strategyControls(panel, settings, { withSeed = false, withLength = null } = {}) {
    const c = {};
    c.strategy = menu(panel, "Strategy:", E.STRATEGIES, settings.strategy);
    c.temperature = numberBox(panel, "Temperature:", settings.temperature, "0.1");
    c.topK = numberBox(panel, "top-k:", settings.top_k, "1");
    c.topP = numberBox(panel, "top-p:", settings.top_p);
    if (withLength) c.length = numberBox(panel, "Words:", settings.num_words, "1");
    if (withSeed) c.seed = numberBox(panel, "Random seed:", settings.seed, "1");
    c.read = (model) => {
      // the settings tc.generate would take, or null (a message beside the wrong control)
      const strategy = c.strategy.value;
      const out = { strategy, temperature: 1, topK: null, topP: null };
      let ok = true;
      for (const box of [c.temperature, c.topK, c.topP]) box.message("");
      c.temperature.disabled = strategy === "greedy";
      c.topK.disabled = strategy !== "top_k";
      c.topP.disabled = strategy !== "top_p";
      if (strategy !== "greedy") {
        out.temperature = Number(c.temperature.value);
        if (c.temperature.value.trim() === "" || !(out.temperature > 0) || !Number.isFinite(out.temperature)) {
          c.temperature.message("Temperature must be a number above 0 (try 1)."); ok = false;
        }
      }
      if (strategy === "top_k") {
        out.topK = whole(c.topK, 1, model.config.vocab_size, "top-k");
        if (out.topK === null) ok = false;
      }
      if (strategy === "top_p") {
        out.topP = Number(c.topP.value);
        if (c.topP.value.trim() === "" || !(out.topP > 0 && out.topP <= 1)) { c.topP.message("top-p must be above 0 and at most 1 (try 0.9)."); ok = false; }
      }
      if (c.length) { out.numWords = whole(c.length, 1, withLength, "Words"); if (out.numWords === null) ok = false; }
      if (c.seed) { out.seed = whole(c.seed, 0, 4294967295, "The random seed"); if (out.seed === null) ok = false; }
      return ok ? out : null;
    };
    return c;
  }

  // ------------------------------------------------------------ chapter 5: softmax_head.py
  function effectiveWords(p) {
    let entropy = 0;
    for (const q of p) if (q > 0) entropy -= q * Math.log(q);
    return Math.exp(entropy);
  }
  function mountSoftmaxHead(model, root, settings, panel, view) {
    const box = textBox(panel, "Context:", settings.context);
    const c = strategyControls(panel, settings);
    let probabilities = null;
    function readContext() {
      const read = readText(model, box);
      probabilities = read ? E.nextWordProbabilities(model, E.padLeft(E.encode(model, read.tokens), model.config.sequence_length)) : null;
      redraw();
      if (!timings.firstPrediction && probabilities) timings.firstPrediction = performance.now(); // bench/browser_speed.py
    }
    function redraw() {
      const s = c.read(model);
      if (!probabilities) { view.innerHTML = "<div>Type a context with at least one word.</div>"; return; }
      if (!s) { view.innerHTML = "<div>Fix the setting marked beside its box.</div>"; return; }
      const modelP = E.withoutSpecials(probabilities); // distribution_view
      const sampled = E.samplingDistribution(modelP, s.strategy, s.temperature, s.topK, s.topP);
      const order = E.topWords(model, modelP, settings.top).map(([w]) => model.index.get(w));
      const scale = Math.max(...order.map((i) => modelP[i]), ...order.map((i) => sampled[i]), 1e-9);
      const rows = order.map((i) => `<tr><td style='padding:0 8px;font-family:monospace'>${escape(model.words[i])}</td><td style='text-align:right;padding:0 4px;color:#555'>${fixed(modelP[i], 3)}</td>` +
        `<td><div style='background:#9a9a9a;height:8px;width:${(modelP[i] / scale * 260).toFixed(0)}px'></div><div style='background:#e07b24;height:8px;width:${(sampled[i] / scale * 260).toFixed(0)}px'></div></td>` +
        `<td style='text-align:right;padding:0 4px'>${fixed(sampled[i], 3)}</td></tr>`).join("");
      const kept = sampled.filter((q) => q > 0).length;
      view.innerHTML = `<div>After <b>${escape(box.value)}</b> &hellip;</div><table><tr><th style='text-align:left'>next word</th><th>model</th>` +
        `<th style='text-align:left'><span style='display:inline-block;width:0.8em;height:0.8em;background:#9a9a9a'></span> model <span style='display:inline-block;width:0.8em;height:0.8em;background:#e07b24'></span> sampled from</th><th>sampled</th></tr>${rows}</table>` +
        `<div style='margin-top:6px'>Words the strategy can draw: <b>${kept.toLocaleString("en-US")}</b>. Effective number of choices (exp of the entropy): <b>${fixed(effectiveWords(sampled), 1)}</b> ` +
        `(the model's own: ${fixed(effectiveWords(modelP), 1)}).</div>`;
    }
    box.addEventListener("change", readContext);
    for (const input of [c.strategy, c.temperature, c.topK, c.topP]) input.addEventListener("change", redraw);
    return readContext;
  }

  // ------------------------------------------------------------ chapter 6: data_flow.py
  const g = (x) => String(Number(x.toPrecision(6))); // Python's f"{x:g}" for the values used here
  function mountDataFlow(model, root, settings, panel, view) {
    const box = textBox(panel, "Seed text:", settings.seed_text);
    const c = strategyControls(panel, settings, { withSeed: true, withLength: 500 });
    function update() {
      const s = c.read(model);
      const read = readText(model, box);
      if (!s || !read) { view.innerHTML = "<div>Fix the input marked beside its box.</div>"; return; }
      const window = E.padLeft(E.encode(model, read.tokens), model.config.sequence_length); // generation_report
      const parts = [`strategy='${s.strategy}'`];
      if (s.strategy !== "greedy") parts.push(`temperature=${g(s.temperature)}`);
      if (s.strategy === "top_k") parts.push(`top_k=${g(s.topK)}`);
      if (s.strategy === "top_p") parts.push(`top_p=${g(s.topP)}`);
      if (s.strategy !== "greedy") parts.push(`seed=${g(s.seed)}`);
      const boxes = window.map((id) => `<span style='display:inline-block;border:1px solid #bbb;border-radius:3px;padding:0 4px;margin:1px;font-family:monospace;${id === E.PAD_ID ? "color:#555" : ""}'>${escape(model.words[id])}</span>`).join("");
      const unknown = read.unknown.length ? `<div style='color:#7a4300'>Not in the vocabulary, read as &lt;unk&gt;: ${escape(read.unknown.join(", "))}</div>` : "";
      const seedPart = E.detokenize(model, read.tokens);
      const words = [];
      const show = (done) => {
        const text = E.detokenize(model, read.tokens.concat(words));
        view.innerHTML = `<div>The first window the model reads (${window.length} ids):</div><div>${boxes}</div>${unknown}` +
          `<div style='margin-top:8px;font-size:110%;line-height:1.5'><b>${escape(seedPart)}</b><span style='color:#184c7a'>${escape(text.slice(seedPart.length))}</span></div>` +
          `<div style='color:#555;font-size:90%'>${escape(parts.join(", "))}${done ? "" : ` (writing: ${words.length} of ${s.numWords} words)`}</div>`;
      };
      const steps = E.generateSteps(model, box.value, { ...s, numWords: s.numWords });
      chunked(root, steps, (step) => words.push(step.word), () => show(true));
      if (words.length < s.numWords) show(false);
    }
    for (const input of [box, c.strategy, c.temperature, c.topK, c.topP, c.length, c.seed]) input.addEventListener("change", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 7: why_two_lstms.py
  function mountWhyTwoLstms(model, root, settings, panel, view) {
    const length = model.config.sequence_length;
    const box = textBox(panel, "Context:", settings.context);
    const wordsRead = slider(panel, "Words read:", settings.words_of_context, 1, length);
    const name = settings.models[0];
    const others = settings.models.slice(1);
    function update() {
      const read = readText(model, box); // compare_next_words, for the neural model
      if (!read) { view.innerHTML = "<div>Type a few words.</div>"; return; }
      const window = E.padLeft(E.encode(model, read.tokens), length);
      const keep = Number(wordsRead.value);
      for (let i = 0; i < length - keep; i++) window[i] = E.PAD_ID; // keep_last_words
      const probabilities = Array.from(E.nextWordProbabilities(model, window));
      probabilities[E.PAD_ID] = 0; // padding is never a next word (the <unk> stays, as in Python)
      const best = E.topWords(model, probabilities, settings.count);
      const seen = window.filter((id) => id !== E.PAD_ID).map((id) => model.words[id]);
      let heading = `<div>The models read <b>${seen.length}</b> word(s): <code>${seen.map(escape).join(" ") || "(nothing)"}</code></div>`;
      if (read.unknown.length) heading += `<div>Not in the vocabulary, read as &lt;unk&gt;: ${read.unknown.map(escape).join(", ")}</div>`;
      const rows = best.map(([word, p]) => `<tr><td style='padding:1px 8px;font-family:monospace'>${escape(word)}</td><td style='padding:1px 4px;text-align:right'>${percent(round(p, 6))}</td>` +
        `<td><div style='background:#4a7fb0;height:10px;width:${(round(p, 6) * 200).toFixed(0)}px'></div></td></tr>`).join("");
      const note = others.length ? `<div class='textgen-note'>In the page only the neural model runs: the ${others.map(escape).join(", ")} column needs the baseline's n-gram counts, which are too large to ship with the page. The saved view above (first context) shows it.</div>` : "";
      view.innerHTML = `${heading}<table><tr><th colspan='3' style='text-align:left;padding:2px 8px'>${escape(name)}</th></tr>${rows}</table>${note}`;
    }
    box.addEventListener("change", update);
    wordsRead.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ welcome page: explorers/welcome.py
  function mountTryModel(model, root, settings, panel, view) {
    const box = textBox(panel, "Seed text:", settings.seed_text);
    const c = strategyControls(panel, settings, { withSeed: true, withLength: 500 });
    function update() {
      const s = c.read(model);
      const read = readText(model, box);
      if (!s || !read) { view.innerHTML = "<div>Fix the input marked beside its box.</div>"; return; }
      const steps = [];
      const show = (done) => {
        const text = E.detokenize(model, read.tokens.concat(steps.map((step) => step.word)));
        const rows = steps.map((step) => `<tr><td style='padding:0 8px;font-family:monospace'><b>${escape(step.word)}</b></td>` +
          step.candidates.map(([w, p]) => `<td style='padding:0 6px;font-family:monospace'>${escape(w)} ${fixed(p, 3)}</td>`).join("") + "</tr>").join("");
        const unknown = read.unknown.length ? `<div>Not in the vocabulary, read as &lt;unk&gt;: ${escape(read.unknown.join(", "))}</div>` : "";
        view.innerHTML = `<div style='font-size:110%;margin:4px 0' class='textgen-text'>${escape(text)}</div>${unknown}` +
          (done ? "" : `<div role='status'>Writing: ${steps.length} of ${s.numWords} words…</div>`) +
          `<table><tr><th>word written</th><th colspan='5' style='text-align:left'>the model's top 5 there (probability)</th></tr>${rows}</table>`;
      };
      const iterator = E.generateSteps(model, box.value, s);
      chunked(root, iterator, (step) => steps.push(step), () => show(true));
      if (steps.length < s.numWords) show(false);
    }
    for (const input of [box, c.strategy, c.temperature, c.topK, c.topP, c.length, c.seed]) input.addEventListener("change", update);
    return update;
  }

  const EXPLORERS = {
    text_explorer: mountTextToIds, neighbour_explorer: mountEmbedding, gate_explorer: mountLstmContext, summary_explorer: mountLstmSummary,
    softmax_explorer: mountSoftmaxHead, generation_explorer: mountDataFlow, next_word_explorer: mountWhyTwoLstms, try_the_model: mountTryModel,
  };

  function mount(model, root) {
    const kind = root.dataset.textgenExplorer;
    const settings = JSON.parse(root.dataset.textgenSettings || "{}");
    const view = root.querySelector(".textgen-explorer-view");
    const panel = element("form", { class: "textgen-controls", "aria-label": "explorer controls" });
    panel.addEventListener("submit", (event) => event.preventDefault());
    root.insertBefore(panel, view);
    view.setAttribute("aria-live", "polite");
    const first = EXPLORERS[kind](model, root, settings, panel, view);
    first(); // the saved first view, recomputed here: from now on every view is the page's own
    root.dataset.textgenReady = "true";
  }

  function start() {
    const roots = document.querySelectorAll(".textgen-explorer[data-textgen-explorer]");
    if (!roots.length || !BASE) return;
    for (const root of roots) {
      const status = element("p", { class: "textgen-loading", role: "status" }, "Loading the model into this page…");
      root.prepend(status);
    }
    loadModel().then((model) => {
      for (const root of roots) {
        root.querySelector(".textgen-loading").remove();
        try {
          mount(model, root);
        } catch (error) {
          root.prepend(element("p", { class: "textgen-message" }, `This explorer could not start: ${error.message}`));
        }
      }
      timings.mounted = performance.now();
    }, (error) => {
      for (const root of roots) root.querySelector(".textgen-loading").textContent = `The model could not be loaded (${error.message}): the view below is the saved first one.`;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
