// The course's JavaScript checks: a small rule set in the spirit of ESLint's recommended rules,
// on the syntax tree acorn parses (vendor/acorn.mjs, the parser ESLint's own is built on).
//
//   node tests/library/js/lint.mjs FILE...     prints one line per problem; exits 1 when there is one
//
// tests/library/test_javascript.py runs it on the book's scripts and on these tests, and checks
// that each rule finds a planted mistake. The rules:
//   syntax          the file parses (an ES module for .mjs, a classic script for .js)
//   no-undef        every name read or written is declared in the file or is a known global
//   no-unused-vars  every declared function and variable is used (exports and parameters aside)
//   eqeqeq          === and !== (== null and != null are allowed: both null and undefined)
//   no-var          const and let only
//   no-debugger, no-console (console.error and console.warn aside)
//   no-inline-style a style attribute written in a string of a page's script holds one property
//                   whose value is computed (`style='width:${...}`): every other style is a
//                   class in a .css file
//   mirror-comment  each function named mount... says, in a comment on its first line, the
//                   Python it mirrors
import { readFileSync } from "node:fs";
import { parse } from "./vendor/acorn.mjs";

const GLOBALS = new Set([
  // the language
  "Array", "ArrayBuffer", "BigInt", "Boolean", "DataView", "Date", "Error", "Float32Array", "Float64Array", "Infinity",
  "Int8Array", "Int16Array", "Int32Array", "JSON", "Map", "Math", "NaN", "Number", "Object", "Promise", "Proxy", "RangeError",
  "Reflect", "RegExp", "Set", "String", "Symbol", "SyntaxError", "TypeError", "Uint8Array", "Uint16Array", "Uint32Array",
  "WeakMap", "WeakSet", "WebAssembly", "decodeURIComponent", "encodeURIComponent", "globalThis", "isFinite", "isNaN",
  "parseFloat", "parseInt", "undefined", "queueMicrotask", "structuredClone", "atob", "btoa", "console", "TextEncoder",
  "TextDecoder", "setTimeout", "clearTimeout", "setInterval", "clearInterval", "performance", "URL", "URLSearchParams",
  // the browser
  "document", "window", "history", "location", "navigator", "Event", "requestAnimationFrame", "cancelAnimationFrame",
  // Node (the tests)
  "process",
]);

function children(node) {
  // the nodes directly inside a node
  const out = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "type" || key === "start" || key === "end") continue;
    if (Array.isArray(value)) for (const item of value) { if (item && typeof item.type === "string") out.push(item); }
    else if (value && typeof value.type === "string") out.push(value);
  }
  return out;
}

function walk(node, visit, parent = null) {
  visit(node, parent);
  for (const child of children(node)) walk(child, visit, node);
}

function patternNames(pattern, out = []) {
  // the names a declaration's pattern binds: x, {a, b: c}, [d, ...e], f = 1
  if (!pattern) return out;
  if (pattern.type === "Identifier") out.push(pattern);
  else if (pattern.type === "ObjectPattern") for (const p of pattern.properties) patternNames(p.type === "RestElement" ? p.argument : p.value, out);
  else if (pattern.type === "ArrayPattern") for (const p of pattern.elements) patternNames(p, out);
  else if (pattern.type === "RestElement") patternNames(pattern.argument, out);
  else if (pattern.type === "AssignmentPattern") patternNames(pattern.left, out);
  return out;
}

function isReference(node, parent) {
  // An Identifier that names a variable (not a property name, a label or an object key).
  if (!parent) return true;
  if (parent.type === "MemberExpression" && parent.property === node && !parent.computed) return false;
  if ((parent.type === "Property" || parent.type === "MethodDefinition" || parent.type === "PropertyDefinition") &&
      parent.key === node && !parent.computed && !(parent.shorthand && parent.value === node)) return false;
  if (["LabeledStatement", "BreakStatement", "ContinueStatement"].includes(parent.type)) return false;
  if (parent.type === "ExportSpecifier" && parent.exported === node && parent.local !== node) return false;
  if (parent.type === "ImportSpecifier" && parent.imported === node && parent.local !== node) return false;
  return true;
}

export function lint(path, source) {
  const problems = [];
  const report = (node, rule, text) => {
    const line = source.slice(0, node.start).split("\n").length;
    problems.push(`${path}:${line}: ${rule}: ${text}`);
  };
  let tree;
  try {
    tree = parse(source, { ecmaVersion: "latest", sourceType: path.endsWith(".mjs") ? "module" : "script", allowHashBang: true });
  } catch (error) {
    return [`${path}: syntax: ${error.message}`];
  }

  // declarations: every name the file binds, and which of them must be used
  const declared = new Set();
  const declarations = []; // [identifier node, kind]
  const exported = new Set();
  walk(tree, (node) => {
    if (node.type === "FunctionDeclaration" || node.type === "ClassDeclaration") {
      declared.add(node.id.name);
      declarations.push([node.id, "function"]);
    }
    if (node.type === "FunctionExpression" && node.id) declared.add(node.id.name);
    if (node.type === "VariableDeclarator") for (const id of patternNames(node.id)) { declared.add(id.name); declarations.push([id, "variable"]); }
    if (["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"].includes(node.type)) {
      for (const param of node.params) for (const id of patternNames(param)) declared.add(id.name);
    }
    if (node.type === "CatchClause" && node.param) for (const id of patternNames(node.param)) declared.add(id.name);
    if (["ImportSpecifier", "ImportDefaultSpecifier", "ImportNamespaceSpecifier"].includes(node.type)) declared.add(node.local.name);
    if (node.type === "ExportNamedDeclaration") {
      const declaration = node.declaration;
      if (declaration && declaration.id) exported.add(declaration.id.name);
      if (declaration && declaration.declarations) for (const d of declaration.declarations) for (const id of patternNames(d.id)) exported.add(id.name);
      for (const specifier of node.specifiers || []) exported.add(specifier.local.name);
    }
  });

  // references, and the rules on single nodes
  const uses = new Map(); // name -> how often it is referenced (declarations not counted)
  const bindingNodes = new Set(declarations.map(([id]) => id));
  walk(tree, (node, parent) => {
    if (node.type === "Identifier" && isReference(node, parent) && !bindingNodes.has(node)) {
      const binding = parent && (
        (["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"].includes(parent.type) && parent.params.includes(node)) ||
        (parent.type === "FunctionExpression" && parent.id === node) ||
        (parent.type === "CatchClause" && parent.param === node) ||
        ["ImportSpecifier", "ImportDefaultSpecifier", "ImportNamespaceSpecifier"].includes(parent.type));
      if (!binding) {
        uses.set(node.name, (uses.get(node.name) || 0) + 1);
        if (!declared.has(node.name) && !GLOBALS.has(node.name)) report(node, "no-undef", `${node.name} is not declared`);
      }
    }
    if (node.type === "BinaryExpression" && (node.operator === "==" || node.operator === "!=")) {
      const withNull = [node.left, node.right].some((side) => side.type === "Literal" && side.value === null);
      if (!withNull) report(node, "eqeqeq", `use ${node.operator}= instead of ${node.operator}`);
    }
    if (node.type === "VariableDeclaration" && node.kind === "var") report(node, "no-var", "use const or let");
    if (node.type === "DebuggerStatement") report(node, "no-debugger", "a debugger statement");
    if (node.type === "MemberExpression" && node.object.type === "Identifier" && node.object.name === "console" &&
        !["error", "warn"].includes(node.property.name)) report(node, "no-console", `console.${node.property.name}`);
    const texts = node.type === "Literal" && typeof node.value === "string" ? [node.value]
      : node.type === "TemplateLiteral" ? node.quasis.map((q, i) => (i < node.quasis.length - 1 ? q.value.raw + "${" : q.value.raw)) : [];
    for (const text of path.includes("tests/") ? [] : texts) { // the pages' scripts
      for (const match of text.matchAll(/style\s*=\s*(['"]?)([^'"]*)/g)) {
        if (!/^[a-z-]+:\$\{$/.test(match[2])) report(node, "no-inline-style", `style="${match[2].slice(0, 40)}": use a class (textgen_explorers.css)`);
      }
    }
    if (node.type === "FunctionDeclaration" && /^mount[A-Z]/.test(node.id.name)) {
      const firstLine = source.slice(node.body.start, source.indexOf("\n", node.body.start + 1) + 1);
      const next = source.slice(source.indexOf("\n", node.body.start) + 1).split("\n")[0];
      if (!/\/\/ *[a-z_]+/.test(firstLine + next)) report(node, "mirror-comment", `${node.id.name} does not name the Python it mirrors`);
    }
  });
  for (const [id, kind] of declarations) {
    if (!exported.has(id.name) && !uses.get(id.name) && !id.name.startsWith("_")) report(id, "no-unused-vars", `${kind} ${id.name} is never used`);
  }
  return problems;
}

if (process.argv[1] && process.argv[1].endsWith("lint.mjs")) {
  const problems = process.argv.slice(2).flatMap((path) => lint(path, readFileSync(path, "utf8")));
  for (const problem of problems) console.error(problem);
  console.error(`${problems.length} problem(s) in ${process.argv.length - 2} file(s)`);
  process.exit(problems.length ? 1 : 0);
}
