// The browser calls of an upload, each one promise for the SDK's wasm to await
// (src/upload/mod.rs and src/upload/body.rs). Kept here because web-sys would spend an
// import and a glue function on every step of these chains, and each await in Rust costs
// the async state machine code. Logic-free: every decision stays in Rust, and what throws
// here comes back to Rust as an `Err`. The build (scripts/shrink-glue.mjs) copies this file
// into the glue, so it costs no extra request.

// `text` gzipped by the browser's CompressionStream: a Uint8Array, or undefined when the
// compression fails. Throws where CompressionStream is missing.
export function gzip(text) {
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(compressed).arrayBuffer().then((b) => new Uint8Array(b), () => {});
}

// `fetch(url, init)` and its JSON body: resolves with [status, body], body undefined when
// it is not JSON; rejects when no answer came (network failure or abort).
export function fetchJson(url, init) {
  return fetch(url, init).then((r) => r.json().then((body) => [r.status, body], () => [r.status]));
}
