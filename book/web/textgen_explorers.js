// The chapters' explorers, live in the built book: no Python kernel, the shipped model runs here.
//
// Each explorer's saved output (textgen_course/explorers/web.py) is a <div class="textgen-explorer">
// holding its first view, a <noscript> line and its settings. On a page that has one, this
// script loads the engine and the model once (classic scripts from ../textgen-web/, which
// also work from file://), adds labelled controls above the saved view, and recomputes the
// view in the page with textgen_engine.mjs. The Python explorers (textgen_course/explorers/)
// are the tested reference. An explorer has one name: the Python function try_the_model gives
// the kind "try_the_model", mounted here by mountTryTheModel. Each mount function names the
// Python functions it mirrors. Styles: textgen_explorers.css (a style attribute here only
// carries a number computed from the data: a bar's width, a unit's colour).
// Shareable settings: every explorer writes its controls' values into the page's address
// (#textgen-<kind>=<JSON>) and reads them back when the page opens (see "links" below).
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

  // ------------------------------------------------------------ small helpers, shared
  const escape = (text) => String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;" })[c]);
  const fixed = (x, digits) => x.toFixed(digits);
  const percent = (x) => (x * 100).toFixed(1) + "%";
  const round = (x, digits) => Number(x.toFixed(digits)); // Python's round(x, digits), as shown
  const bar = (kind, width) => `<div class='textgen-bar textgen-bar-${kind}' style='width:${width.toFixed(0)}px'></div>`;

  function element(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    if (text) node.textContent = text;
    return node;
  }

  // A labelled control with a message line beside it (role=status, read out when it changes).
  // key: the control's name in the page's address (links); null keeps it out of links.
  function control(panel, label, input, key = null) {
    const id = `textgen-control-${++counter}`;
    input.id = id;
    const row = element("div", { class: "textgen-control" });
    const message = element("span", { class: "textgen-message", role: "status", "aria-live": "polite" });
    row.append(element("label", { for: id }, label), input, message);
    panel.appendChild(row);
    input.message = (text) => { // a problem: the control is marked invalid
      message.textContent = text || "";
      input.setAttribute("aria-invalid", text ? "true" : "false");
    };
    input.note = (text) => { // information only (what was cut, what is read as <unk>)
      message.textContent = text || "";
      input.setAttribute("aria-invalid", "false");
    };
    if (key) panel.linked[key] = input;
    return input;
  }
  const textBox = (panel, label, value, key) => control(panel, label, element("input", { type: "text", value, size: "60" }), key);
  const numberBox = (panel, label, value, step, key) => control(panel, label, element("input", { type: "number", value: String(value), step }), key);
  function slider(panel, label, value, min, max, key) {
    const input = control(panel, label, element("input", { type: "range", min: String(min), max: String(max), step: "1", value: String(value) }), key);
    const shown = element("output", { for: input.id }, String(value));
    input.after(shown);
    input.addEventListener("input", () => (shown.textContent = input.value));
    input.setMax = (top) => { input.max = String(top); };
    input.show = () => (shown.textContent = input.value);
    return input;
  }
  function menu(panel, label, options, value, key) {
    const select = element("select");
    for (const option of options) select.appendChild(element("option", { value: option }, option));
    select.value = value;
    return control(panel, label, select, key);
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

  // Runs onItem for each item of an iterator in slices of ~25 ms, so long work keeps the page
  // responsive; onSlice after each slice; a newer run of the same explorer cancels an older one.
  function chunked(owner, iterator, onItem, onDone, onSlice = null) {
    const run = (owner.run = (owner.run || 0) + 1);
    function slice() {
      if (owner.run !== run) return;
      const until = performance.now() + 25;
      while (performance.now() < until) {
        const next = iterator.next();
        if (next.done) return onDone(next.value);
        onItem(next.value);
      }
      if (onSlice) onSlice();
      setTimeout(slice, 0);
    }
    slice();
  }

  // ------------------------------------------------------------ links: settings in the page's address
  // #textgen-<kind>=<the controls' values as JSON, URI-encoded>, several joined by "&". Read once
  // when an explorer mounts, written on every change. A value only ever becomes a control's
  // value (never HTML); anything malformed is ignored, with a note above the explorer.
  const LINK_TEXT_CAP = 20000; // characters of one value (the trainer's text); a longer one stays out of links

  function linkParts() {
    return location.hash.replace(/^#/, "").split("&").filter(Boolean);
  }

  function readLink(name) {
    // {values} from the address, or {values: null, problem} when it holds something unusable
    const part = linkParts().find((item) => item.startsWith(`${name}=`));
    if (!part) return { values: null, problem: null };
    let values;
    try {
      values = JSON.parse(decodeURIComponent(part.slice(name.length + 1)));
    } catch (error) {
      return { values: null, problem: "its settings in the link are not readable" };
    }
    if (!values || typeof values !== "object" || Array.isArray(values)) return { values: null, problem: "its settings in the link are not a list of settings" };
    for (const value of Object.values(values)) {
      const plain = typeof value === "number" || typeof value === "boolean" || (typeof value === "string" && value.length <= LINK_TEXT_CAP);
      if (!plain) return { values: null, problem: "a setting in the link is not a short number or text" };
    }
    return { values, problem: null };
  }

  function applyLink(name, panel, root) {
    // Sets the controls named in the link; unknown names and impossible menu choices are ignored.
    const { values, problem } = readLink(name);
    const ignored = [];
    if (values) {
      for (const [key, value] of Object.entries(values)) {
        const input = panel.linked[key];
        if (!input) { ignored.push(key); continue; }
        if (input.tagName === "SELECT" && !Array.from(input.options).some((option) => option.value === String(value))) { ignored.push(key); continue; }
        input.value = String(value);
        if (input.show) input.show();
      }
    }
    const why = problem || (ignored.length ? `the link names settings this explorer does not have (${ignored.length})` : null);
    if (why) root.insertBefore(element("p", { class: "textgen-note", role: "status" }, `The link was partly ignored: ${why}.`), panel);
  }

  function writeLink(name, panel) {
    // The controls' values into the address (history.replaceState: no new history entry).
    const values = {};
    let left = null;
    for (const [key, input] of Object.entries(panel.linked)) {
      if (input.value.length > LINK_TEXT_CAP) left = key;
      else values[key] = input.type === "number" || input.type === "range" ? Number(input.value) : input.value;
    }
    const parts = linkParts().filter((item) => !item.startsWith(`${name}=`));
    parts.push(`${name}=${encodeURIComponent(JSON.stringify(values))}`);
    try {
      history.replaceState(history.state, "", `#${parts.join("&")}`);
    } catch (error) {
      return; // a page that may not change its address: links keep the usual settings
    }
    if (panel.linkNote) panel.linkNote.textContent = left ? `The ${left} is longer than ${LINK_TEXT_CAP.toLocaleString("en-US")} characters: a link to this page keeps the other settings, not it.` : "";
  }

  // ------------------------------------------------------------ chapter 1: explorers/text_to_ids.py
  function chip(top, bottom, kind) {
    return `<span class="textgen-chip textgen-${kind}">${escape(top)}<br><small>${escape(bottom)}</small></span>`;
  }
  function mountTextExplorer(model, root, settings, panel, view) {
    // text_explorer: describe_text, report_html
    const box = textBox(panel, "Text:", settings.text, "text");
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
        `<div class='textgen-gap'><b>Unknown words</b> (id ${E.UNKNOWN_ID}): ${unknown.map(escape).join(", ") || "none"}</div>` +
        `<div class='textgen-gap'><b>The ${length} ids the model reads</b>${dropped ? ` (${dropped} earlier token(s) do not fit)` : ""}<br>` +
        `${window.map((id) => chip(model.words[id], String(id), kind(id))).join("")}</div>`;
    }
    box.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 2: explorers/embedding.py
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
  function mountNeighbourExplorer(model, root, settings, panel, view) {
    // neighbour_explorer: word_neighbours, neighbours_html
    const listId = `textgen-words-${++counter}`;
    const list = element("datalist", { id: listId });
    for (const word of settings.choices) list.appendChild(element("option", { value: word }));
    panel.appendChild(list);
    const box = textBox(panel, "Word:", settings.word, "word");
    box.setAttribute("list", listId);
    const count = slider(panel, "Neighbours:", settings.count, 3, 30, "count");
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
        return `<tr><td class='textgen-word'>${escape(model.words[r])}</td>` +
          `<td class='textgen-number'>${fixed(shown, 3)}</td><td>${bar("blue", Math.max(0, shown) * 150)}</td></tr>`;
      }).join("");
      const heading = known ? `Nearest neighbours of <b>${escape(word)}</b> (id ${id})` :
        `<b>${escape(word) || "(empty)"}</b> is not in the vocabulary: the model reads it as <b>&lt;unk&gt;</b>. These are &lt;unk&gt;'s neighbours.`;
      view.innerHTML = `<div>${heading}</div><table><tr><th class='textgen-left'>word</th><th>cosine</th><th></th></tr>${rows}</table>`;
    }
    box.addEventListener("change", update);
    count.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 3: explorers/lstm_context.py
  const GATES = ["input_gate", "forget_gate", "candidate", "output_gate"];
  const GATE_LABELS = { input_gate: "input gate i", forget_gate: "forget gate f", candidate: "candidate g", output_gate: "output gate o" };
  function colour(value, low, high) {
    // lstm_context._colour
    if (low < 0) {
      const share = Math.min(1, Math.max(-1, value / high));
      return share < 0 ? `rgb(255,${Math.trunc(255 * (1 + share))},${Math.trunc(255 * (1 + share))})` :
        `rgb(${Math.trunc(255 * (1 - share))},${Math.trunc(255 - 130 * share)},255)`;
    }
    const share = Math.min(1, Math.max(0, (value - low) / (high - low)));
    return `rgb(${Math.trunc(255 - 200 * share)},${Math.trunc(255 - 140 * share)},${Math.trunc(255 - 60 * share)})`;
  }
  function strip(values, low, high) {
    // lstm_context._strip: one coloured cell per unit
    let cells = "";
    values.forEach((v, u) => (cells += `<span class='textgen-unit' title='unit ${u}: ${fixed(v, 2)}' style='background:${colour(v, low, high)}'></span>`));
    return `<span class='textgen-strip'>${cells}</span>`;
  }
  const signed = (x) => (x >= 0 ? "+" : "") + fixed(x, 2);
  function mountGateExplorer(model, root, settings, panel, view) {
    // gate_explorer: trace_sentence, gate_step, step_html
    const length = model.config.sequence_length;
    const box = textBox(panel, "Sentence:", settings.text, "text");
    const step = slider(panel, "Step:", settings.step, 1, length, "step");
    let sentence = null;
    function retrace() {
      const read = readText(model, box, { needWords: false }); // trace_sentence
      const tokens = read.tokens.slice(-length);
      const window = E.padLeft(E.encode(model, tokens), length);
      const trace = {};
      E.lstmLayer(E.projectInputs(E.embed(model, window), length, model.config.embedding_dim, model.lstm_1), length, model.lstm_1, trace);
      const shown = new Array(length - tokens.length).fill("<pad>").concat(tokens.map((t) => (model.index.has(t) ? t : `${t} (<unk>)`)));
      sentence = { tokens: shown, unknown: read.unknown, trace };
      redraw();
    }
    function redraw() {
      const units = model.lstm_1.units;
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
      const words = sentence.tokens.map((token, i) => `<span class='textgen-token${i === t ? " textgen-current" : i > t ? " textgen-later" : ""}'>${escape(token)}</span>`).join(" ");
      const ranges = { input_gate: [0, 1], forget_gate: [0, 1], candidate: [-1, 1], output_gate: [0, 1] }; // step_html
      let strips = GATES.map((name) => `<tr><td class='textgen-label'>${GATE_LABELS[name]}</td><td class='textgen-number'>${fixed(means[name], 2)}</td><td>${strip(gates[name], ...ranges[name])}</td></tr>`).join("");
      for (const [label, change] of [["memory change c<sub>t</sub> − c<sub>t−1</sub>", cellChange], ["output change h<sub>t</sub> − h<sub>t−1</sub>", hiddenChange]]) {
        const scale = Math.max(Math.max(...change.map(Math.abs)), 1e-6);
        strips += `<tr><td class='textgen-label'>${label}</td><td class='textgen-number'>±${fixed(scale, 2)}</td><td>${strip(change, -scale, scale)}</td></tr>`;
      }
      const header = ["unit", "i", "f", "g", "o", "c before", "c after", "h before", "h after"].map((h) => `<th class='textgen-cell'>${h}</th>`).join("");
      const rows = order.map((u) => "<tr>" + [u, fixed(gates.input_gate[u], 2), fixed(gates.forget_gate[u], 2), signed(gates.candidate[u]), fixed(gates.output_gate[u], 2),
        signed(cellBefore[u]), signed(cell[u]), signed(hiddenBefore[u]), signed(hidden[u])].map((v) => `<td class='textgen-number'>${v}</td>`).join("") + "</tr>").join("");
      const unknown = sentence.unknown.length ? `<div class='textgen-warning'>Not in the vocabulary (read as &lt;unk&gt;): ${escape(sentence.unknown.join(", "))}</div>` : "";
      view.innerHTML = `<div class='textgen-gap-below'>${words}</div>${unknown}` +
        `<div>Step ${t + 1} of ${length}: LSTM-1 reads <b>${escape(sentence.tokens[t])}</b>. ${(kept * 100).toFixed(0)}% of the ${units} units keep at least half of their memory (f ≥ 0.5).</div>` +
        `<table class='textgen-spaced'><tr><th class='textgen-left'>each unit, left to right</th><th>mean</th><th></th></tr>${strips}</table>` +
        `<div>The ${order.length} units whose output (their number in the context vector) changed most at this word, and the gates that did it:</div>` +
        `<table><tr>${header}</tr>${rows}</table>`;
    }
    box.addEventListener("change", retrace);
    step.addEventListener("input", redraw);
    return retrace;
  }

  // ------------------------------------------------------------ chapter 4: explorers/lstm_summary.py
  const MOST_WORDS_TRACED = 60;
  function mountSummaryExplorer(model, root, settings, panel, view) {
    // summary_explorer: summaries_as_words_are_added, growth_html
    const box = textBox(panel, "Sentence:", settings.text, "text");
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
        return `<tr class='${k === k0 ? "textgen-current" : k > k0 ? "textgen-later" : ""}'><td class='textgen-word'>${escape(word)}${growth.unknown.includes(word) ? " (&lt;unk&gt;)" : ""}</td>` +
          `<td class='textgen-number'>${fixed(growth.change[i], 2)}</td><td>${bar("blue", growth.change[i] / scale * 160)}</td>` +
          `<td class='textgen-small'>${escape(growth.nextWords[k][0][0])}</td></tr>`;
      }).join("");
      const choices = growth.nextWords[k0].map(([word, p]) => `<tr><td class='textgen-word'>${escape(word)}</td><td class='textgen-number'>${fixed(p, 3)}</td>` +
        `<td>${bar("orange", p * 300)}</td></tr>`).join("");
      const read = E.detokenize(model, growth.words.slice(0, k0).slice(-model.config.sequence_length));
      view.innerHTML = `<table><tr><th class='textgen-left'>word added</th><th>summary moved</th><th></th><th class='textgen-left'>likeliest next</th></tr>${bars}</table>` +
        `<div class='textgen-gap-large'>After <b>${escape(read)}</b>, the model's most likely next words:</div><table>${choices}</table>`;
    }
    box.addEventListener("change", regrow);
    upto.addEventListener("input", redraw);
    return regrow;
  }

  // ------------------------------------------------------------ sampling settings, shared (explorers/data_flow.py strategy_settings)
  function strategyControls(panel, settings, { withSeed = false, withLength = null } = {}) {
    const c = {};
    c.strategy = menu(panel, "Strategy:", E.STRATEGIES, settings.strategy, "strategy");
    c.temperature = numberBox(panel, "Temperature:", settings.temperature, "0.1", "temperature");
    c.topK = numberBox(panel, "top-k:", settings.top_k, "1", "top_k");
    c.topP = numberBox(panel, "top-p:", settings.top_p, "0.01", "top_p");
    if (withLength) c.length = numberBox(panel, "Words:", settings.num_words, "1", "num_words");
    if (withSeed) c.seed = numberBox(panel, "Random seed:", settings.seed, "1", "seed");
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

  // ------------------------------------------------------------ chapter 5: explorers/softmax_head.py
  function effectiveWords(p) {
    // analysis.softmax_head.effective_number_of_words: exp of the entropy
    let entropy = 0;
    for (const q of p) if (q > 0) entropy -= q * Math.log(q);
    return Math.exp(entropy);
  }
  function mountSoftmaxExplorer(model, root, settings, panel, view) {
    // softmax_explorer: distribution_view, distribution_html
    const box = textBox(panel, "Context:", settings.context, "context");
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
      const rows = order.map((i) => `<tr><td class='textgen-word'>${escape(model.words[i])}</td><td class='textgen-number textgen-quiet'>${fixed(modelP[i], 3)}</td>` +
        `<td>${bar("model", modelP[i] / scale * 260)}${bar("sampled", sampled[i] / scale * 260)}</td>` +
        `<td class='textgen-number'>${fixed(sampled[i], 3)}</td></tr>`).join("");
      const kept = sampled.filter((q) => q > 0).length;
      view.innerHTML = `<div>After <b>${escape(box.value)}</b> &hellip;</div><table><tr><th class='textgen-left'>next word</th><th>model</th>` +
        `<th class='textgen-left'><span class='textgen-key textgen-bar-model'></span> model <span class='textgen-key textgen-bar-sampled'></span> sampled from</th><th>sampled</th></tr>${rows}</table>` +
        `<div class='textgen-gap'>Words the strategy can draw: <b>${kept.toLocaleString("en-US")}</b>. Effective number of choices (exp of the entropy): <b>${fixed(effectiveWords(sampled), 1)}</b> ` +
        `(the model's own: ${fixed(effectiveWords(modelP), 1)}).</div>` +
        // DistributionView.note(): the "model" column is renormalised without padding and <unk>
        `<div class='textgen-gap textgen-quiet'>Model: the softmax's probabilities without padding and &lt;unk&gt; ` +
        `(which had ${fixed(probabilities[0] + probabilities[1], 3)}), rescaled to sum to 1, as the generator draws.</div>`;
    }
    box.addEventListener("change", readContext);
    for (const input of [c.strategy, c.temperature, c.topK, c.topP]) input.addEventListener("change", redraw);
    return readContext;
  }

  // ------------------------------------------------------------ chapter 6: explorers/data_flow.py
  const g = (x) => String(Number(x.toPrecision(6))); // Python's f"{x:g}" for the values used here
  function mountGenerationExplorer(model, root, settings, panel, view) {
    // generation_explorer: generation_report, generation_html
    const box = textBox(panel, "Seed text:", settings.seed_text, "seed_text");
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
      const boxes = window.map((id) => `<span class='textgen-box${id === E.PAD_ID ? " textgen-quiet" : ""}'>${escape(model.words[id])}</span>`).join("");
      const unknown = read.unknown.length ? `<div class='textgen-caution'>Not in the vocabulary, read as &lt;unk&gt;: ${escape(read.unknown.join(", "))}</div>` : "";
      const seedPart = E.detokenize(model, read.tokens);
      const words = [];
      const show = (done) => {
        const text = E.detokenize(model, read.tokens.concat(words));
        view.innerHTML = `<div>The first window the model reads (${window.length} ids):</div><div>${boxes}</div>${unknown}` +
          `<div class='textgen-written'><b>${escape(seedPart)}</b><span class='textgen-new'>${escape(text.slice(seedPart.length))}</span></div>` +
          `<div class='textgen-small textgen-quiet'>${escape(parts.join(", "))}${done ? "" : ` (writing: ${words.length} of ${s.numWords} words)`}</div>`;
      };
      const steps = E.generateSteps(model, box.value, { ...s, numWords: s.numWords });
      chunked(root, steps, (step) => words.push(step.word), () => show(true));
      if (words.length < s.numWords) show(false);
    }
    for (const input of [box, c.strategy, c.temperature, c.topK, c.topP, c.length, c.seed]) input.addEventListener("change", update);
    return update;
  }

  // ------------------------------------------------------------ chapter 7: explorers/why_two_lstms.py
  function mountNextWordExplorer(model, root, settings, panel, view) {
    // next_word_explorer: compare_next_words (the neural model), comparison_html
    const length = model.config.sequence_length;
    const box = textBox(panel, "Context:", settings.context, "context");
    const wordsRead = slider(panel, "Words read:", settings.words_of_context, 1, length, "words_of_context");
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
      const rows = best.map(([word, p]) => `<tr><td class='textgen-word'>${escape(word)}</td><td class='textgen-number'>${percent(round(p, 6))}</td>` +
        `<td>${bar("blue", round(p, 6) * 200)}</td></tr>`).join("");
      const note = others.length ? `<div class='textgen-note'>In the page only the neural model runs: the ${others.map(escape).join(", ")} column needs the baseline's n-gram counts, which are too large to ship with the page. The saved view above (first context) shows it.</div>` : "";
      view.innerHTML = `${heading}<table><tr><th colspan='3' class='textgen-left'>${escape(name)}</th></tr>${rows}</table>${note}`;
    }
    box.addEventListener("change", update);
    wordsRead.addEventListener("input", update);
    return update;
  }

  // ------------------------------------------------------------ welcome page: explorers/welcome.py
  function mountTryTheModel(model, root, settings, panel, view) {
    // try_the_model: continuation_with_candidates, candidates_html
    const box = textBox(panel, "Seed text:", settings.seed_text, "seed_text");
    const c = strategyControls(panel, settings, { withSeed: true, withLength: 500 });
    function update() {
      const s = c.read(model);
      const read = readText(model, box);
      if (!s || !read) { view.innerHTML = "<div>Fix the input marked beside its box.</div>"; return; }
      const steps = [];
      const show = (done) => {
        const text = E.detokenize(model, read.tokens.concat(steps.map((step) => step.word)));
        const rows = steps.map((step) => `<tr><td class='textgen-word'><b>${escape(step.word)}</b></td>` +
          step.candidates.map(([w, p]) => `<td class='textgen-word'>${escape(w)} ${fixed(p, 3)}</td>`).join("") + "</tr>").join("");
        const unknown = read.unknown.length ? `<div>Not in the vocabulary, read as &lt;unk&gt;: ${escape(read.unknown.join(", "))}</div>` : "";
        view.innerHTML = `<div class='textgen-text'>${escape(text)}</div>${unknown}` +
          (done ? "" : `<div role='status'>Writing: ${steps.length} of ${s.numWords} words…</div>`) +
          `<table><tr><th>word written</th><th colspan='5' class='textgen-left'>the model's top 5 there (probability)</th></tr>${rows}</table>`;
      };
      const iterator = E.generateSteps(model, box.value, s);
      chunked(root, iterator, (step) => steps.push(step), () => show(true));
      if (steps.length < s.numWords) show(false);
    }
    for (const input of [box, c.strategy, c.temperature, c.topK, c.topP, c.length, c.seed]) input.addEventListener("change", update);
    return update;
  }

  // ------------------------------------------------------------ learning chapter: explorers/learning.py
  const PLOT = { width: 460, height: 220, left: 48, right: 12, top: 12, bottom: 36 }; // learning.PLOT
  const COLOURS = { step: "#9db8d2", text: "#1f5f99", heldOut: "#b35900" }; // learning.COLOURS

  function lossPlotSvg(stepLosses, passLosses, heldOutLosses, stepsPerPass, lossBefore, heldOutBefore, totalSteps) {
    // learning.loss_plot_svg: every step's loss (thin), each pass's on the text and held out (dots).
    // totalSteps: the x axis's end (the whole run's steps, so the plot does not rescale as it grows)
    const p = PLOT;
    const total = Math.max(totalSteps || stepLosses.length, 1);
    const texts = [lossBefore, ...passLosses];
    const held = heldOutBefore === null ? [] : [heldOutBefore, ...heldOutLosses];
    const values = [...stepLosses, ...texts, ...held];
    let low = Math.min(...values), high = Math.max(...values);
    if (high - low < 1e-9) { low -= 0.5; high += 0.5; }
    const x = (step) => p.left + (p.width - p.left - p.right) * step / total;
    const y = (loss) => p.top + (p.height - p.top - p.bottom) * (high - loss) / (high - low);
    const line = (points, colour, width, dots) => {
      const path = points.map(([s, v]) => `${x(s).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
      const marks = dots ? points.map(([s, v]) => `<circle cx='${x(s).toFixed(1)}' cy='${y(v).toFixed(1)}' r='3' fill='${colour}'/>`).join("") : "";
      return `<polyline points='${path}' fill='none' stroke='${colour}' stroke-width='${width}'/>${marks}`;
    };
    const axisY = p.height - p.bottom;
    const ticks = [low, (low + high) / 2, high].map((v) => `<text x='${p.left - 4}' y='${(y(v) + 4).toFixed(1)}' text-anchor='end' font-size='11'>${v.toFixed(2)}</text>`).join("");
    const heldWords = held.length ? ` and on the held-out part from ${held[0].toFixed(2)} to ${held[held.length - 1].toFixed(2)}` : "";
    const label = `Loss over ${stepLosses.length} steps: on the text from ${texts[0].toFixed(2)} to ${texts[texts.length - 1].toFixed(2)}${heldWords}.`;
    return `<svg class='textgen-loss-plot' role='img' aria-label='${escape(label)}' viewBox='0 0 ${p.width} ${p.height}' width='${p.width}' height='${p.height}'>` +
      `<line x1='${p.left}' y1='${axisY}' x2='${p.width - p.right}' y2='${axisY}' stroke='#555'/>` +
      `<line x1='${p.left}' y1='${p.top}' x2='${p.left}' y2='${axisY}' stroke='#555'/>${ticks}` +
      `<text x='${(p.width + p.left) / 2}' y='${axisY + 16}' text-anchor='middle' font-size='11'>step (0 to ${total})</text>` +
      line(stepLosses.map((v, i) => [i + 1, v]), COLOURS.step, 1, false) +
      line(texts.map((v, k) => [k * stepsPerPass, v]), COLOURS.text, 2, true) +
      line(held.map((v, k) => [k * stepsPerPass, v]), COLOURS.heldOut, 2, true) +
      `<text x='${p.left + 8}' y='${axisY + 30}' font-size='11'><tspan fill='${COLOURS.step}'>━ each step</tspan>  ` +
      `<tspan fill='${COLOURS.text}'>● each pass, the text</tspan>  <tspan fill='${COLOURS.heldOut}'>● held out</tspan></text></svg>`;
  }

  function* fineTuneRun(model, text, learningRate, passes, seedText, seed) {
    // fine_tuning.fine_tune_head, one small piece of work per `next()` (the page stays responsive).
    // Yields {phase: "reading", done, of}, then {phase: "ready", ...} and each trainHead event;
    // returns the finished run. readTrainingText's RangeError reaches the caller at the first next().
    const length = model.config.sequence_length;
    const reading = E.readTrainingText(model, text);
    const split = E.splitWindows(reading.ids, length);
    const total = split.train.windows.length + split.heldOut.windows.length;
    const summarizeAll = function* (windows, offset) {
      const steps = E.summarizeWindows(model, windows);
      let next = steps.next();
      while (!next.done) { yield { phase: "reading", done: offset + next.value, of: total }; next = steps.next(); }
      return next.value;
    };
    const summaries = yield* summarizeAll(split.train.windows, 0);
    const heldOut = { summaries: yield* summarizeAll(split.heldOut.windows, split.train.windows.length), targets: split.heldOut.targets };
    const trainer = E.headTrainer(model, { learningRate });
    const before = E.headLoss(trainer, summaries, split.train.targets);
    const heldOutBefore = heldOut.targets.length ? E.headLoss(trainer, heldOut.summaries, heldOut.targets).loss : null;
    const run = { reading, split, trainer, before, heldOutBefore, summaries, heldOut, seedText, seed, learningRate, passes,
      stepsPerPass: Math.ceil(split.train.targets.length / trainer.batchSize), steps: [], passLosses: [], heldOutLosses: [] };
    yield { phase: "ready", run };
    for (const event of E.trainHead(trainer, summaries, split.train.targets, passes, heldOut)) {
      if (event.loss !== undefined) run.steps.push(event.loss);
      else { run.passLosses.push(event.passLoss); if (event.heldOutLoss !== null) run.heldOutLosses.push(event.heldOutLoss); }
      yield { phase: "training", event, run };
    }
    return run;
  }

  function continuation(model, seedText, seed, head = null) {
    // fine_tune_head's continuations: top-p 0.9, 20 words, the same random seed before and after
    return E.generate(model, seedText, { numWords: 20, strategy: "top_p", topP: 0.9, seed, head, candidates: 0 }).text;
  }

  function mountFineTuneExplorer(model, root, settings, panel, view) {
    // fine_tune_explorer: fine_tuning.fine_tune_head, fine_tuning_html; Stop and Reset are the page's own
    const examples = settings.examples;
    const example = menu(panel, "Example:", ["your own text", ...Object.keys(examples)],
      Object.keys(examples).find((name) => examples[name] === settings.text) || "your own text", "example");
    const box = control(panel, "Text:", element("textarea", { rows: "6", cols: "60" }), "text");
    box.value = settings.text;
    const rate = numberBox(panel, "Learning rate:", settings.learning_rate, "0.001", "learning_rate");
    const passes = numberBox(panel, "Passes:", settings.passes, "1", "passes");
    const seedBox = textBox(panel, "Seed text:", settings.seed_text, "seed_text");
    const seedNumber = numberBox(panel, "Random seed:", settings.seed, "1", "seed");
    const buttons = element("div", { class: "textgen-control textgen-buttons" });
    const train = element("button", { type: "button" }, "Train");
    const stop = element("button", { type: "button" }, "Stop");
    const reset = element("button", { type: "button" }, "Reset");
    const status = element("span", { class: "textgen-message", role: "status", "aria-live": "polite" });
    buttons.append(train, stop, reset, status);
    panel.appendChild(buttons);
    let current = null; // the run being trained or shown, or null
    let running = false;
    const fine = (x) => String(Number(x.toPrecision(6))); // Python's f"{x:g}"

    function readSettings() {
      // the settings fine_tune_head takes, or null (a message beside the wrong control)
      const number = (input) => (input.value.trim() === "" ? NaN : Number(input.value));
      const problems = E.checkTrainingSettings(number(rate), number(passes));
      rate.message(problems.learningRate);
      passes.message(problems.passes);
      const seed = whole(seedNumber, 0, 4294967295, "The random seed");
      let reading;
      try {
        reading = E.readTrainingText(model, box.value);
        box.note(reading.notes.join(" "));
      } catch (error) {
        box.message(error.message);
        return null;
      }
      const seedText = seedBox.value.trim() || reading.ids.slice(0, 5).map((id) => model.words[id]).join(" ");
      if (!E.tokenize(model, seedText).some((token) => !model.punctuation.has(token))) {
        seedBox.message("The seed text has no words: give at least one word to continue, e.g. 'to be or not'.");
        return null;
      }
      seedBox.message("");
      if (problems.learningRate || problems.passes || seed === null) return null;
      return { learningRate: Number(rate.value), passes: Number(passes.value), seedText, seed, reading };
    }

    function ready() {
      // the view before training: what will be read, and the continuation before
      const s = readSettings();
      current = null;
      if (!s) { view.innerHTML = "<div>Fix the input marked beside its box, then press Train.</div>"; return; }
      const { train: trained, heldOut } = E.splitWindows(s.reading.ids, model.config.sequence_length);
      view.innerHTML = `<div>Ready to train the dense layer on ${trained.windows.length} windows of the text` +
        `${heldOut.windows.length ? `, ${heldOut.windows.length} held out` : " (too short to hold any out: fewer than 10 windows)"}: press Train.</div>` +
        `<div class='textgen-gap'>The seed text continued now, top-p 0.9:</div><div><b>Before:</b> ${escape(continuation(model, s.seedText, s.seed))}</div>`;
    }

    function show(run, state) {
      // fine_tuning_html, for a run in progress (state: a line saying where it is) or finished
      const held = run.split.heldOut.windows.length;
      const heldText = held ? `, ${held} held out` : " (too short to hold any out: fewer than 10 windows)";
      const notes = run.reading.notes.map((note) => `<div class='textgen-note'>${escape(note)}</div>`).join("");
      const plot = lossPlotSvg(run.steps, run.passLosses, run.heldOutLosses, run.stepsPerPass, run.before.loss, run.heldOutBefore,
        run.stepsPerPass * run.passes);
      let rest = `<div class='textgen-gap' role='status'>${escape(state)}</div>`;
      if (run.rising) {
        const rows = run.rising.map(([word, before, after]) => `<tr><td class='textgen-word'>${escape(word)}</td><td class='textgen-number'>${percentText(before)}</td>` +
          `<td class='textgen-number'>${percentText(after)}</td></tr>`).join("");
        rest += `<table><tr><th>word</th><th>mean probability before</th><th>after</th></tr>${rows}</table>` +
          `<div>The seed text continued with the same random seed, top-p 0.9:</div>` +
          `<div><b>Before:</b> ${escape(run.continuationBefore)}</div><div><b>After:</b> ${escape(run.continuationAfter)}</div>`;
      }
      view.innerHTML = `<div>Trained the dense layer on ${run.split.train.windows.length} windows of the text${heldText}: ${run.passes} pass(es) of ` +
        `${run.stepsPerPass} step(s), learning rate ${fine(run.learningRate)}.</div>${notes}${plot}${rest}`;
    }
    const percentText = (x) => `${(x * 100).toFixed(2)}%`; // Python's f"{x:.2%}"

    function finish(run, how) {
      // after the last step, or Stop: the rising words and the continuation after
      const after = E.headLoss(run.trainer, run.summaries, run.split.train.targets);
      run.rising = E.risingWords(model, run.before.meanProbabilities, after.meanProbabilities, 10);
      run.continuationBefore = continuation(model, run.seedText, run.seed);
      run.continuationAfter = continuation(model, run.seedText, run.seed, run.trainer);
      running = false;
      show(run, how);
      timings.fineTune.finished = performance.now();
    }

    train.addEventListener("click", () => {
      if (running) { status.textContent = "Training is already running: press Stop first, or wait for it to finish."; return; }
      const s = readSettings();
      if (!s) { status.textContent = "Fix the input marked beside its box first."; return; }
      status.textContent = "";
      writeLink(root.dataset.textgenLinkName, panel);
      running = true;
      timings.fineTune = { started: performance.now(), steps: 0 };
      const iterator = fineTuneRun(model, box.value, s.learningRate, s.passes, s.seedText, s.seed);
      let run = null, reading = null;
      chunked(root, iterator, (event) => {
        if (event.phase === "reading") reading = event;
        else {
          run = current = event.run;
          if (event.phase === "ready") timings.fineTune.summarized = performance.now();
          if (event.event && event.event.loss !== undefined) timings.fineTune.steps += 1;
          if (event.event && event.event.pass === 1 && event.event.passLoss !== undefined) timings.fineTune.firstPass = performance.now();
        }
      }, () => finish(run, `Done: ${run.steps.length} steps.`), () => {
        if (run) show(run, `Training: pass ${Math.min(run.passLosses.length + 1, run.passes)} of ${run.passes}, step ${run.steps.length} of ${run.stepsPerPass * run.passes}…`);
        else if (reading) view.innerHTML = `<div role='status'>Reading the text: ${reading.done} of ${reading.of} windows summarized (LSTM-2's summaries, computed once)…</div>`;
      });
    });
    stop.addEventListener("click", () => {
      if (!running) { status.textContent = "Nothing is training."; return; }
      root.run = (root.run || 0) + 1; // cancels the slices (chunked)
      if (current) finish(current, `Stopped after ${current.steps.length} of ${current.stepsPerPass * current.passes} steps.`);
      else { running = false; ready(); }
      status.textContent = "Stopped.";
    });
    reset.addEventListener("click", () => {
      root.run = (root.run || 0) + 1;
      running = false;
      status.textContent = "Reset: the model is the shipped one again.";
      ready();
    });
    example.addEventListener("change", () => {
      if (examples[example.value]) box.value = examples[example.value];
      if (!running) ready();
    });
    for (const input of [box, rate, passes, seedBox, seedNumber]) input.addEventListener("change", () => { if (!running) ready(); });
    return ready;
  }

  // ------------------------------------------------------------ mounting
  const EXPLORERS = {
    text_explorer: mountTextExplorer, neighbour_explorer: mountNeighbourExplorer, gate_explorer: mountGateExplorer,
    summary_explorer: mountSummaryExplorer, softmax_explorer: mountSoftmaxExplorer, generation_explorer: mountGenerationExplorer,
    next_word_explorer: mountNextWordExplorer, try_the_model: mountTryTheModel, fine_tune_explorer: mountFineTuneExplorer,
  };

  function mount(model, root, index) {
    const kind = root.dataset.textgenExplorer;
    const settings = JSON.parse(root.dataset.textgenSettings || "{}");
    const view = root.querySelector(".textgen-explorer-view");
    const panel = element("form", { class: "textgen-controls", "aria-label": "explorer controls" });
    panel.linked = {}; // key -> control, for links (control)
    panel.addEventListener("submit", (event) => event.preventDefault());
    root.insertBefore(panel, view);
    view.setAttribute("aria-live", "polite");
    const name = `textgen-${kind}${index ? `-${index + 1}` : ""}`; // its name in the page's address
    root.dataset.textgenLinkName = name;
    const first = EXPLORERS[kind](model, root, settings, panel, view);
    panel.linkNote = element("p", { class: "textgen-note" });
    panel.appendChild(panel.linkNote);
    applyLink(name, panel, root);
    panel.addEventListener("change", () => writeLink(name, panel));
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
      const seen = {};
      for (const root of roots) {
        root.querySelector(".textgen-loading").remove();
        const kind = root.dataset.textgenExplorer;
        seen[kind] = (seen[kind] || 0) + 1;
        try {
          if (!EXPLORERS[kind]) throw new Error(`no explorer called ${kind} in this page's script`);
          mount(model, root, seen[kind] - 1);
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
