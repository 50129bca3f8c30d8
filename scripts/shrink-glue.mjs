// Shrinks the wasm-bindgen glue to match a wasm whose import and export names binaryen
// minified (`wasm-opt --minify-imports-and-exports-and-modules`, which prints the mapping),
// copies the SDK's JS helpers (js/*.js, imported from snippets/) into it, then minifies the
// glue with terser (the npm package's ES module). It also writes the script-tag build: the
// loader template (js/sdk.js) with the same glue, turned into plain functions, in its
// `@glue` slot, minified as one classic script. Called by scripts/build-sdk.sh:
//
//   node scripts/shrink-glue.mjs MAPPING.json pkg/expressconsent_sdk_bg.wasm pkg/expressconsent_sdk.js \
//     js/sdk.js pkg/sdk.js [FILE.d.ts…]
//
// wasm-bindgen names each import after the JS function it wraps plus a hash
// (`__wbg_getAttribute_061ad00c16e2f622`), and each name is spelled out twice per page load:
// in the wasm's import section and as a key of the glue's imports object. The glue only ever
// names imports as those keys and exports as `wasm.NAME`, so renaming those spellings is
// the whole change; the module's own JS exports (`init`, `captureCDR`, …) are untouched.
// Every step is checked against the wasm itself, so a wasm-bindgen upgrade that changes the
// glue's shape fails the build instead of shipping a broken SDK.
import { readFile, writeFile } from "node:fs/promises";
import { Script } from "node:vm";
import { minify } from "terser";

const [mappingPath, wasmPath, gluePath, loaderPath, tagPath, ...typePaths] = process.argv.slice(2);
const fail = (message) => {
  console.error(`shrink-glue: ${message}`);
  process.exit(1);
};

const mapping = JSON.parse(await readFile(mappingPath, "utf8"));
const module = new WebAssembly.Module(await readFile(wasmPath));
const imports = WebAssembly.Module.imports(module);
const modules = [...new Set(imports.map((i) => i.module))];
if (modules.length !== 1) fail(`expected one import module, found ${modules.join(", ")}`);
const oldModules = [...new Set(mapping.imports.map(([m]) => m))];
if (oldModules.length !== 1) fail(`expected one original import module, found ${oldModules.join(", ")}`);
const newNames = new Set(imports.map((i) => i.name));
if (mapping.imports.length !== imports.length || !mapping.imports.every(([, , n]) => newNames.has(n))) {
  fail("the mapping does not describe the wasm's imports");
}
const exportNames = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
if (!mapping.exports.every(([, n]) => exportNames.has(n))) fail("the mapping does not describe the wasm's exports");

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const replaceAll = (text, pattern, replacement, what) => {
  let count = 0;
  const out = text.replace(pattern, (...m) => {
    count++;
    return replacement(...m);
  });
  if (!count) fail(`${what} not found in the glue`);
  return out;
};

let glue = await readFile(gluePath, "utf8");
// The SDK's own JS helpers (`#[wasm_bindgen(module = "/js/…")]`, which wasm-pack copies
// under snippets/): `import { a, b } from './snippets/…/x.js';` becomes the file's text with
// its `export`s dropped, so that the helpers cost no request of their own. Only named
// imports of plain function declarations are supported; anything else fails the build.
const glueDir = gluePath.replace(/[^/]*$/, "");
glue = await (async () => {
  let out = glue;
  for (const [line, names, path] of glue.matchAll(/^import \{([^}]*)\} from '(\.\/snippets\/[^']+)';$/gm)) {
    const source = await readFile(glueDir + path, "utf8");
    for (const name of names.split(",").map((n) => n.trim())) {
      if (!new RegExp(`^export function ${escape(name)}\\(`, "m").test(source)) fail(`${path} does not export function ${name}`);
    }
    if (/^(import|export (?!function ))/m.test(source)) fail(`${path} has imports or non-function exports`);
    out = out.replace(line, source.replace(/^export function /gm, "function "));
  }
  if (out.includes("./snippets/")) fail("the glue imports a snippet in a form this script cannot inline");
  return out;
})();
// The imports object: `"./x_bg.js": import0` becomes `"a": import0`.
glue = replaceAll(glue, new RegExp(`(["'])${escape(oldModules[0])}\\1:`, "g"), () => `${JSON.stringify(modules[0])}:`, "the import module");
// Its keys: `        __wbg_foo_0123: function(` (one per import).
for (const [, oldName, newName] of mapping.imports) {
  glue = replaceAll(glue, new RegExp(`^(\\s+)${escape(oldName)}:`, "m"), (_, indent) => `${indent}${JSON.stringify(newName)}:`, oldName);
}
// Uses of exports: `wasm.__wbindgen_malloc`.
const exportRenames = new Map(mapping.exports);
glue = glue.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
  if (!exportRenames.has(name)) fail(`the glue uses wasm.${name}, which the wasm does not export`);
  return `wasm[${JSON.stringify(exportRenames.get(name))}]`;
});

const minified = await minify(glue, {
  module: true,
  compress: { passes: 2 },
  mangle: true,
  format: { comments: /@ts-self-types/ },
});
await writeFile(gluePath, minified.code);

// The script-tag build. The glue's only module syntax is `export function`, one
// `export { … }` list and `import.meta.url` (the default wasm URL, which the loader never
// relies on); each is counted, and the result must parse as a classic script.
let classic = replaceAll(glue, /^export function /gm, () => "function ", "export function");
classic = replaceAll(classic, /^export \{[^}]*\};?$/m, () => "", "the export list");
classic = classic.replace(/\bimport\.meta\.url\b/g, "importMetaUrl");
if (/^\s*(import|export)\b|\bimport\.meta\b/m.test(classic)) fail("the glue has module syntax the tag build cannot turn into a classic script");
const loader = await readFile(loaderPath, "utf8");
if (loader.split("/* @glue */").length !== 2) fail(`${loaderPath} needs exactly one /* @glue */ slot`);
const tag = await minify(loader.replace("/* @glue */", () => classic), {
  compress: { passes: 2 },
  mangle: true,
  format: { comments: false },
});
new Script(tag.code, { filename: tagPath }); // throws if it is not a classic script
await writeFile(tagPath, tag.code);

// The wasm's TypeScript declarations name its exports.
for (const path of typePaths) {
  let types = await readFile(path, "utf8");
  for (const [oldName, newName] of mapping.exports) {
    types = types.replace(new RegExp(`\\bexport const ${escape(oldName)}\\b`, "g"), `export const ${JSON.stringify(newName).slice(1, -1)}`);
  }
  await writeFile(path, types);
}
