/*! ExpressConsent script-tag loader.
 *
 *   <script src="https://HOST/sdk/v1/sdk.js" data-ec-cid="cid_..." [data-ec-api="https://..."]></script>
 *
 * Installs window.ExpressConsent = { captureCDR(options), ready } at once, then loads the
 * WebAssembly SDK beside this file without blocking the page. captureCDR waits for the SDK
 * and never throws: every failure is a rejected promise with an Error whose `code` is
 * INVALID_ARGUMENT, TIMEOUT, NETWORK, REJECTED or NOT_INITIALIZED.
 *
 * This file is a template: the build (scripts/shrink-glue.mjs) puts the wasm-bindgen glue,
 * turned from an ES module into plain functions, where the `@glue` comment is, and
 * minifies the whole. So a page that uses the tag makes two requests, this script and the
 * wasm, and its main thread runs one script and one instantiation: no `import()`, no
 * second script to compile and evaluate.
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

  // The wasm-bindgen glue, in a scope of its own (its names would clash with ours);
  // `importMetaUrl` stands for the module's `import.meta.url`.
  var glue = (function (importMetaUrl) {
    /* @glue */
    return { load: __wbg_init, init: init, captureCDR: captureCDR };
  })(src);

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
    // Compiled while it downloads (instantiateStreaming), off the main thread.
    return glue
      .load({ module_or_path: fetch(new URL('expressconsent_sdk_bg.wasm', src)) })
      .then(function () {
        return glue;
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
