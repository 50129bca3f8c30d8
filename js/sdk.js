/*! ExpressConsent script-tag loader.
 *
 *   <script src="https://HOST/sdk/v1/sdk.js" data-ec-cid="cid_..." [data-ec-api="https://..."]></script>
 *
 * Installs window.ExpressConsent = { captureCDR(options), ready } at once, then loads the
 * WebAssembly SDK beside this file without blocking the page. captureCDR waits for the SDK
 * and never throws: every failure is a rejected promise with an Error whose `code` is
 * INVALID_ARGUMENT, TIMEOUT, NETWORK, REJECTED or NOT_INITIALIZED.
 */
(function () {
  'use strict';

  // A second copy of the tag must not replace the SDK the page is already using.
  if (window.ExpressConsent && window.ExpressConsent.captureCDR) return;

  // currentScript is only set while this file first runs, so read everything now.
  var script = document.currentScript || document.querySelector('script[data-ec-cid]');
  var src = script && script.src ? script.src : location.href;
  var cid = script && script.getAttribute('data-ec-cid');
  var api = (script && script.getAttribute('data-ec-api')) || new URL(src).origin;

  function sdkError(code, message, cause) {
    var error = new Error(message);
    error.name = 'ExpressConsentError';
    error.code = code;
    if (cause) error.cause = cause;
    return error;
  }

  function load() {
    if (!cid) {
      console.warn('ExpressConsent: the script tag needs data-ec-cid="cid_..."; captures will fail.');
      return Promise.reject(sdkError('INVALID_ARGUMENT', 'the ExpressConsent script tag has no data-ec-cid'));
    }
    // The wasm is fetched while the glue loads, not after; a failed fetch is reported below.
    var wasm = fetch(new URL('expressconsent_sdk_bg.wasm', src));
    wasm.catch(function () {});
    return import(new URL('expressconsent_sdk.js', src).href)
      .then(function (mod) {
        return mod.default({ module_or_path: wasm }).then(function () {
          return mod;
        });
      })
      .catch(function (cause) {
        throw sdkError('NETWORK', 'the ExpressConsent SDK could not be loaded from ' + src, cause);
      })
      .then(function (mod) {
        mod.init({ cid: cid, api: api }); // throws INVALID_ARGUMENT for a bad data-ec-api
        sdk = mod;
        return mod;
      });
  }

  var sdk = null; // the module, once loaded and initialised
  var ready = load();
  // Pages that never capture should not see an "unhandled rejection" for a failed load.
  ready.catch(function () {});

  function withCode(error) {
    // Only a bug in the SDK itself fails without a code; still give pages one to branch on.
    throw error && error.code ? error : sdkError('REJECTED', 'ExpressConsent failed: ' + error, error);
  }

  function run(mod, options) {
    try {
      return mod.captureCDR(options).catch(withCode);
    } catch (error) {
      return Promise.reject(error).catch(withCode);
    }
  }

  function captureCDR(options) {
    // Once loaded, capture synchronously, so the evidence is the page at the moment of the
    // call even if the page changes right after it (e.g. resets the form).
    if (sdk) return run(sdk, options);
    return ready.then(function (mod) {
      return run(mod, options);
    });
  }

  window.ExpressConsent = {
    captureCDR: captureCDR,
    ready: ready.then(function () {}),
  };
  window.ExpressConsent.ready.catch(function () {});
})();
