// ExpressConsent SDK, npm entry (ES module).
//
//   import { init, captureCDR } from '<package>';
//   await init({ cid: 'cid_…', api: 'https://consent.example.com' });
//   form.addEventListener('submit', async (event) => {
//     event.preventDefault();
//     const { cdrId, shareUrl } = await captureCDR({ triggerEvent: event, autoShare: true });
//     …
//   });
//
// The package ships js/ (this file) and pkg/ (the wasm-pack output) side by side.
// Neither function throws: failures are rejected promises with an Error whose `code` is
// INVALID_ARGUMENT, TIMEOUT, NETWORK, REJECTED or NOT_INITIALIZED.

import loadWasm, { init as configure, captureCDR as capture } from '../pkg/expressconsent_sdk.js';

/** The promise of the latest init() call; null until init is called. */
let ready = null;
/** Whether the latest init() has finished, so that captures can start synchronously. */
let loaded = false;

function sdkError(code, message, cause) {
  const error = new Error(message, cause ? { cause } : undefined);
  error.name = 'ExpressConsentError';
  error.code = code;
  return error;
}

function withCode(error) {
  // Only a bug in the SDK itself fails without a code; still give callers one.
  throw error && error.code ? error : sdkError('REJECTED', `ExpressConsent failed: ${error}`, error);
}

/**
 * Loads the WebAssembly SDK and sets the org. `api` defaults to the page's origin;
 * `wasmUrl` overrides where the .wasm file is fetched from (bundlers that move assets).
 */
export function init({ cid, api, wasmUrl } = {}) {
  loaded = false;
  ready = (async () => {
    try {
      await loadWasm({
        module_or_path: wasmUrl ?? new URL('../pkg/expressconsent_sdk_bg.wasm', import.meta.url),
      });
    } catch (cause) {
      throw sdkError('NETWORK', 'the ExpressConsent SDK could not be loaded', cause);
    }
    configure({ cid, api });
    loaded = true;
  })();
  return ready;
}

/**
 * Captures the page and uploads it. Once init() has finished the page is read
 * synchronously, at the moment of the call; before that, as soon as init() is done.
 */
export function captureCDR(options) {
  if (!ready) {
    return Promise.reject(sdkError('NOT_INITIALIZED', 'call init({ cid }) before captureCDR'));
  }
  const run = () => {
    try {
      return capture(options).catch(withCode);
    } catch (error) {
      return Promise.reject(error).catch(withCode);
    }
  };
  return loaded ? run() : ready.then(run);
}
