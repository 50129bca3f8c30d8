// The browser side of an upload: the waits and network calls a delivery asks for, with no
// decision of its own. The delivery itself is Rust (src/upload/mod.rs), written as a
// state machine that `step` advances: given what its last action came to, it returns the
// next action. Driving it from here keeps an async runtime, a future per await and the
// glue of every step of these chains out of the wasm every lead form downloads. The build
// (scripts/shrink-glue.mjs) copies this file into the glue, so it costs no extra request.
//
// Actions, as arrays: [kind, ...arguments]; what each came to is passed to the next step.
//   [0, text]            gzip `text` (CompressionStream): a Uint8Array, or undefined
//   [1, url, init, ms]   fetch, aborted after `ms`: [status, body] (body undefined when
//                        not JSON), or undefined when no answer came
//   [2, ms]              wait `ms`
//   [3, ms]              wait until the browser is idle, at most `ms`
//   [4, value]           settle: resolve with `value`
//   [5, error]           settle: reject with `error`
// A step that throws (a bug) rejects with what it threw.
export function drive(step) {
  return new Promise((resolve, reject) => {
    const next = (outcome) => {
      let action;
      try {
        action = step(outcome);
      } catch (error) {
        return reject(error);
      }
      const [kind, a, b, ms] = action;
      const fail = () => next();
      if (kind === 0) {
        // Where CompressionStream is missing this throws, and the body goes as it is.
        Promise.resolve()
          .then(() => new Response(new Blob([a]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer())
          .then((bytes) => next(new Uint8Array(bytes)), fail);
      } else if (kind === 1) {
        const abort = new AbortController();
        const timer = setTimeout(() => abort.abort(), ms);
        b.signal = abort.signal;
        Promise.resolve()
          .then(() => fetch(a, b))
          .then((r) => r.json().then((body) => [r.status, body], () => [r.status]))
          .finally(() => clearTimeout(timer))
          .then(next, fail);
      } else if (kind === 2) {
        setTimeout(next, a);
      } else if (kind === 3) {
        self.requestIdleCallback ? requestIdleCallback(fail, { timeout: a }) : setTimeout(fail);
      } else {
        (kind === 4 ? resolve : reject)(a);
      }
    };
    next();
  });
}
