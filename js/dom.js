// Batched reads of the page for the SDK's wasm (src/dom.rs): one property of every node of
// a list in one call, where a call per node would cross from wasm to the page ten thousand
// times on a large form. Logic-free. The build (scripts/shrink-glue.mjs) copies this file
// into the glue, so it costs no extra request.

// `list[i][property]` for every node, as an Array.
export function mapProperty(list, property) {
  return Array.from(list, (node) => node[property]);
}

// 1 where `list[i][property]` is set (neither null nor undefined), else 0.
export function presence(list, property) {
  return Uint8Array.from(list, (node) => node[property] != null);
}
