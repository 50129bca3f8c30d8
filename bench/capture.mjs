// captureCDR end to end on a lead form of 3,000 form and list elements, split into its
// steps, next to rrweb-snapshot's snapshot() alone in the same browser run (interleaved,
// so neither gets a warmer machine). Run by bench/run.mjs (`--only capture`).
//
// The steps are timed from outside the SDK, so that it records nothing in the pages it
// runs on: the bench wraps, in the page, the three browser calls the SDK's upload makes
// in order — JSON.stringify (the body), CompressionStream (gzip) and fetch (the POST) —
// and notes when each starts and ends:
//   read the page   captureCDR called → JSON.stringify starts (the snapshot, disclosures,
//                   telemetry, environment; "of which the snapshot" is snapshotForBench(),
//                   the same snapshot step alone, timed just before)
//   encode          JSON.stringify
//   compress        CompressionStream created → fetch called
//   upload          the same gzip bytes POSTed to a sink on the page's own server that
//                   only reads them and answers, timed just after
//   server ingest   fetch called → response headers, less the upload
//   answer          response headers → captureCDR's promise resolved
// The page is on 127.0.0.1 (a registered domain of the demo generator) and uploads to the
// server's own port, so the upload is cross-origin as on a real lead form; its CORS
// preflight is cached after the warm-up capture, as a browser caches it for 10 minutes.
import { percentile } from "./flood.mjs";
import { serverBuild, startBenchServer } from "./server.mjs";

export const ELEMENTS = 3_000;

/** Runs `runs` interleaved rounds; returns per-step samples. */
export async function captureSplit(browser, filesUrl, runs) {
  const server = await startBenchServer();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(() => {
      const now = () => performance.now();
      window.__ec = {};
      const stringify = JSON.stringify;
      JSON.stringify = function (value, ...rest) {
        const start = now();
        const out = stringify.call(this, value, ...rest);
        if (value && typeof value === "object" && "idempotencyKey" in value) {
          Object.assign(window.__ec, { jsonStart: start, jsonEnd: now(), jsonChars: out.length });
        }
        return out;
      };
      const Gzip = CompressionStream;
      window.CompressionStream = class extends Gzip {
        constructor(format) {
          window.__ec.gzipStart = now();
          super(format);
        }
      };
      const realFetch = fetch;
      window.__realFetch = realFetch;
      window.fetch = function (url, init) {
        if (!String(url).includes("/v1/captures")) return realFetch(url, init);
        Object.assign(window.__ec, { fetchStart: now(), body: init.body });
        return realFetch(url, init).then((response) => {
          window.__ec.headers = now();
          return response;
        });
      };
    });
    await page.goto(`${filesUrl}/`);
    await page.addScriptTag({ url: "/page.js" });
    await page.addScriptTag({ url: "/rrweb.js" });
    const elements = await page.evaluate((n) => {
      const reached = buildBenchPage(n, "elements");
      // The lead form's tags, so the capture carries a disclosure, a box and a trigger.
      document.querySelector("main").insertAdjacentHTML(
        "afterbegin",
        `<p data-ec-disclosure="tcpa">By clicking Submit I agree to be called.</p>` +
          `<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">` +
          `<button data-ec-submit>Submit</button>`,
      );
      return reached;
    }, ELEMENTS);
    await page.evaluate(async ({ cid, api }) => {
      const sdk = await import("/pkg/expressconsent_sdk.js");
      await sdk.default({ module_or_path: "/pkg/expressconsent_sdk_bg.wasm" });
      sdk.init({ cid, api });
      window.sdk = sdk;
    }, { cid: server.generator.orgId, api: server.baseUrl });

    return await page.evaluate(async ({ runs, elements }) => {
      const now = () => performance.now();
      const capture = async () => {
        window.__ec = {};
        const t0 = now();
        await window.sdk.captureCDR({ autoShare: true });
        return { ...window.__ec, t0, end: now() };
      };
      const first = await capture(); // warm-up, with the CORS preflight
      await capture();
      const samples = [];
      for (let i = 0; i < runs; i++) {
        let start = now();
        rrwebSnapshot.snapshot(document, { inlineStylesheet: true, recordCanvas: true, maskAllInputs: false });
        const rrweb = now() - start;
        start = now();
        window.sdk.snapshotForBench();
        const snapshot = now() - start;
        const t = await capture();
        start = now();
        const sink = await window.__realFetch("/sink", {
          method: "POST",
          headers: { "content-type": "application/json", "content-encoding": "gzip" },
          body: t.body,
        });
        const uploaded = now() - start;
        await sink.arrayBuffer();
        samples.push({
          rrweb,
          snapshot,
          read: t.jsonStart - t.t0,
          encode: t.jsonEnd - t.jsonStart,
          compress: t.fetchStart - t.gzipStart,
          upload: uploaded,
          ingest: t.headers - t.fetchStart - uploaded,
          answer: t.end - t.headers,
          total: t.end - t.t0,
          jsonChars: t.jsonChars,
          gzipBytes: t.body.byteLength,
        });
      }
      return { elements, nodes: document.getElementsByTagName("*").length, first: first.end - first.t0, samples };
    }, { runs, elements });
  } finally {
    await server.stop();
  }
}

/** Prints captureSplit's medians. */
export function printCaptureSplit({ elements, first, samples }) {
  const med = (k) => percentile(samples.map((s) => s[k]), 50);
  const ms = (x) => `${x.toFixed(1)} ms`;
  const rrweb = med("rrweb");
  console.log(
    `\ncaptureCDR end to end on a page of ${elements.toLocaleString("en")} form and list elements (${serverBuild()} server, SQLite synchronous=FULL, autoShare), ` +
      `${samples.length} runs, medians; body ${(med("jsonChars") / 1024).toFixed(0)} KB JSON, ${(med("gzipBytes") / 1024).toFixed(0)} KB gzip:`,
  );
  console.log("| step | time | × rrweb snapshot() |");
  console.log("|---|---|---|");
  const row = (name, x) => console.log(`| ${name} | ${ms(x)} | ${(x / rrweb).toFixed(2)} |`);
  row("read the page (all evidence)", med("read"));
  row("  of which the snapshot (snapshotForBench alone)", med("snapshot"));
  row("encode (JSON.stringify)", med("encode"));
  row("compress (CompressionStream gzip)", med("compress"));
  row("upload (the same bytes to a sink)", med("upload"));
  row("server ingest", med("ingest"));
  row("answer (headers → promise resolved)", med("answer"));
  row("**captureCDR end to end**", med("total"));
  row("rrweb-snapshot snapshot() alone", rrweb);
  const ratios = samples.map((s) => s.total / s.rrweb);
  const ratio = percentile(ratios, 50);
  console.log(
    `captureCDR / rrweb, per run: median **${ratio.toFixed(2)}** (target ≤ 1.0), p90 ${percentile(ratios, 90).toFixed(2)}; ` +
      `the first capture of the page (CORS preflight included): ${ms(first)}`,
  );
  // Judged on the per-run ratio: both are timed in the same round, so a busier machine
  // during one round moves both; the ratio of the medians is printed beside it.
  console.log(
    `Capture target (captureCDR end to end ≤ 1.0 × rrweb snapshot() alone, ${elements.toLocaleString("en")} elements): ` +
      `${ratio <= 1 ? "MET" : "NOT MET"} — per-run median ratio ${ratio.toFixed(2)} (ratio of the medians ${(med("total") / rrweb).toFixed(2)}).`,
  );
}
