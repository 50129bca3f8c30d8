// The SDK's speed and size, measured against rrweb-snapshot in the same Chromium run, and
// what one server holds. Run through `npm run bench` (scripts/bench.sh builds first).
// Options: --runs N (default 15); --only snapshot (just the snapshot-speed table, no server
// needed); --only capture (captureCDR split into its steps, bench/capture.mjs); --only flood
// (captures and claims under a flood, bench/flood.mjs); --only load (just the transfer size
// and the load time); --sizes 10000,50000; --flood-seconds N (default 10); --flood-modes
// full,normal (SQLite synchronous modes to compare; "default" for server builds that
// predate the setting); --only render (the evidence image's render time, reports per
// minute, captures while renders run: bench/render.mjs); --render-seconds N (its capture
// windows, default 10); --only scale (the dashboard's API with a year of data on SQLite and
// PostgreSQL, and its query plans: bench/scale.mjs, which lists its own --scale-* options);
// --only log (the transparency log on SQLite and PostgreSQL: entries sequenced per second,
// ingest → witnessed checkpoint, proof size, verify time: bench/log.mjs, which lists its own
// --log-* options); --pkg DIR (the built SDK to time instead of pkg/, to compare two builds); --loads N (page
// loads for the load-time figure, default 15).
import { readFile } from "node:fs/promises";
import { createServer, get } from "node:http";
import { join } from "node:path";
import { launchBrowser, ROOT } from "../tests/e2e/helpers.mjs";
import { captureSplit, printCaptureSplit } from "./capture.mjs";
import { floodBench, printFlood } from "./flood.mjs";
import { logBench, printLog } from "./log.mjs";
import { printRender, renderBench } from "./render.mjs";
import { printScale, scaleBench } from "./scale.mjs";
import { startBenchServer as startServer } from "./server.mjs";

const RUNS = Number(process.argv[process.argv.indexOf("--runs") + 1]) || 15;
const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const ONLY = flag("--only");
const PKG = flag("--pkg") ?? join(ROOT, "pkg");
const LOADS = Number(flag("--loads")) || 15;
const SIZES = flag("--sizes")?.split(",").map(Number) ?? [1_000, 10_000, 50_000];
const FLOOD_SECONDS = Number(flag("--flood-seconds")) || 10;
const RENDER_SECONDS = Number(flag("--render-seconds")) || 10;
const FLOOD_MODES = flag("--flood-modes")?.split(",") ?? ["full", "normal"];
const runs = (part) => !ONLY || ONLY === part;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${(x / 1024).toFixed(1)} KB`;

/**
 * Serves the built SDK (pkg/), rrweb-snapshot and the page builder on one origin, and
 * `POST /sink`, which reads a body and answers `{}` (the upload step's yardstick).
 */
async function serveBenchFiles() {
  const files = {
    "/": ["text/html", "<!DOCTYPE html><html><head><title>bench</title></head><body></body></html>"],
    "/page.js": ["text/javascript", await readFile(join(ROOT, "bench/page.js"))],
    "/rrweb.js": ["text/javascript", await readFile(join(ROOT, "node_modules/rrweb-snapshot/dist/rrweb-snapshot.umd.cjs"))],
    "/pkg/expressconsent_sdk.js": ["text/javascript", await readFile(join(PKG, "expressconsent_sdk.js"))],
    "/pkg/expressconsent_sdk_bg.wasm": ["application/wasm", await readFile(join(PKG, "expressconsent_sdk_bg.wasm"))],
  };
  const server = createServer((req, res) => {
    if (req.method === "POST" && req.url === "/sink") {
      req.resume();
      return req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end("{}"));
    }
    const file = files[new URL(req.url, "http://x").pathname];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": file[0] }).end(file[1]);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Our snapshot step vs rrweb-snapshot's snapshot(), plus the primitives behind the design. */
async function snapshotSpeed(browser, origin) {
  const rows = [];
  for (const size of SIZES) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${origin}/`);
    await page.addScriptTag({ url: "/page.js" });
    await page.addScriptTag({ url: "/rrweb.js" });
    const nodes = await page.evaluate((n) => buildBenchPage(n), size);
    await page.evaluate(async () => {
      const sdk = await import("/pkg/expressconsent_sdk.js");
      await sdk.default({ module_or_path: "/pkg/expressconsent_sdk_bg.wasm" });
      window.sdk = sdk;
    });
    const result = await page.evaluate((runs) => {
      const time = (f) => {
        f(); // warm-up: compile paths, fill caches
        const t = [];
        let out;
        for (let i = 0; i < runs; i++) {
          const start = performance.now();
          out = f();
          t.push(performance.now() - start);
        }
        return { t, out };
      };
      const all = () => document.getElementsByTagName("*");
      const call = (proto, prop) => Function.prototype.call.bind(Object.getOwnPropertyDescriptor(proto, prop).get);
      const shadowRoot = call(Element.prototype, "shadowRoot");
      const roots = Array.from(all(), shadowRoot).filter(Boolean);
      // Interleave ours and rrweb's so that neither gets a warmer machine.
      const ours = [], rrweb = [];
      let oursBytes = 0, rrwebBytes = 0;
      for (let i = 0; i < runs; i++) {
        let s = performance.now();
        oursBytes = window.sdk.snapshotForBench();
        ours.push(performance.now() - s);
        s = performance.now();
        const snap = rrwebSnapshot.snapshot(document, { inlineStylesheet: true, recordCanvas: true, maskAllInputs: false });
        rrweb.push(performance.now() - s);
        if (i === 0) rrwebBytes = JSON.stringify(snap).length;
      }
      return {
        ours, rrweb, oursBytes, rrwebBytes,
        primitives: {
          "importNode + outerHTML (copy-and-fix-up design)": time(() => {
            const d = document.implementation.createHTMLDocument("");
            return d.importNode(document.documentElement, true).outerHTML.length;
          }).t,
          "getHTML({shadowRoots}) (chosen)": time(() => document.documentElement.getHTML({ shadowRoots: roots }).length).t,
          "find shadow roots: Array.from(all, shadowRoot getter)": time(() => Array.from(all(), shadowRoot).filter(Boolean).length).t,
          "scroll scan: Array.from(all, scrollTop getter) (replaced by the scroll watch)": time(() => Array.from(all(), call(Element.prototype, "scrollTop")).length).t,
          "XPath //@*[starts-with(name(),'on')] on a copy": time(() => {
            const d = document.implementation.createHTMLDocument("");
            d.replaceChild(d.importNode(document.documentElement, true), d.documentElement);
            return d.evaluate("//@*[starts-with(name(),'on')]", d, null, 7, null).snapshotLength;
          }).t,
        },
      };
    }, RUNS);
    await page.close();
    rows.push({ size, nodes, ...result });
  }
  return rows;
}

/** captureCDR end to end on the demo form, against the real server. */
async function captureEndToEnd(browser) {
  const server = await startServer();
  try {
    const page = await browser.newPage();
    await page.goto(`${server.baseUrl}/demo/`);
    await page.waitForFunction(() => window.ExpressConsent?.ready);
    await page.evaluate(() => window.ExpressConsent.ready);
    await page.fill("input[name=name]", "Bench Person");
    await page.fill("input[name=email]", "bench@example.org");
    await page.check("input[name=consent]");
    const times = await page.evaluate(async (runs) => {
      const out = [];
      await window.ExpressConsent.captureCDR(); // warm-up
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await window.ExpressConsent.captureCDR({ autoShare: true });
        out.push(performance.now() - start);
      }
      return out;
    }, RUNS);
    await page.close();
    return times;
  } finally {
    await server.stop();
  }
}

/** Main-thread time the SDK takes while the demo page loads, from a Chromium trace. */
async function loadCost(browser, server) {
  const samples = [];
  for (let i = 0; i < LOADS; i++) {
    const page = await browser.newPage();
    await browser.startTracing(page, { categories: ["devtools.timeline", "v8", "disabled-by-default-devtools.timeline"] });
    await page.goto(`${server.baseUrl}/demo/`, { waitUntil: "load" });
    await page.evaluate(() => window.ExpressConsent.ready);
    const trace = JSON.parse((await browser.stopTracing()).toString("utf8"));
    const events = trace.traceEvents;
    const main = events.find((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain");
    const onMain = events
      .filter((e) => e.ph === "X" && e.pid === main?.pid && e.tid === main?.tid && e.dur)
      .sort((a, b) => a.ts - b.ts);
    // Outermost main-thread events that run SDK code (its URL is in their arguments):
    // `dur` is wall-clock time, `tdur` the main thread's own CPU time in them.
    let wall = 0, cpu = 0, end = 0;
    for (const e of onMain) {
      if (e.ts < end) continue;
      if (!JSON.stringify(e.args ?? {}).includes("/sdk/v1/")) continue;
      wall += e.dur / 1000;
      cpu += (e.tdur ?? e.dur) / 1000;
      end = e.ts + e.dur;
    }
    const longTasks = onMain.filter((e) => e.name === "RunTask" && e.dur > 50_000).length;
    const dcl = await page.evaluate(() => performance.getEntriesByType("navigation")[0].domContentLoadedEventEnd);
    samples.push({ wall, cpu, longTasks, dcl });
    await page.close();
  }
  return samples;
}

/** Bytes on the wire for each SDK file, as the server sends it for each Accept-Encoding. */
async function transferSize(server) {
  const size = (name, encoding) =>
    new Promise((resolve, reject) => {
      const headers = encoding ? { "accept-encoding": encoding } : {};
      get(`${server.baseUrl}/sdk/v1/${name}`, { headers }, (res) => {
        let bytes = 0;
        res.on("data", (chunk) => (bytes += chunk.length)); // not decompressed: what crossed the wire
        res.on("end", () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${name}: ${res.statusCode}`))));
      }).on("error", reject);
    });
  const rows = [];
  for (const [name, use] of [
    ["sdk.js", "script tag: loader and glue"],
    ["expressconsent_sdk_bg.wasm", "both: the wasm"],
    ["expressconsent_sdk.js", "npm: ES module glue"],
  ]) {
    rows.push({ name, use, raw: await size(name, ""), gzip: await size(name, "gzip"), br: await size(name, "gzip, deflate, br") });
  }
  return rows;
}

// The scale and log parts need no browser: with --only scale or --only log none is launched.
const BROWSER_PARTS = ["snapshot", "capture", "flood", "render", "load"];
const browser = !ONLY || BROWSER_PARTS.includes(ONLY) ? await launchBrowser() : null;
const files = browser ? await serveBenchFiles() : null;
try {
  if (browser) console.log(`Chromium ${browser.version()}, ${RUNS} runs each, medians.\n`);
  if (runs("snapshot")) {
    console.log("Snapshot step: ours (snapshotForBench) vs rrweb-snapshot snapshot()");
    console.log("| page | DOM nodes | ours | rrweb | ours / rrweb | ours bytes | rrweb JSON bytes |");
    console.log("|---|---|---|---|---|---|---|");
    const speed = await snapshotSpeed(browser, files.url);
    for (const r of speed) {
      const [o, w] = [median(r.ours), median(r.rrweb)];
      console.log(`| ${r.size / 1000}k | ${r.nodes} | ${ms(o)} | ${ms(w)} | ${(o / w).toFixed(2)} | ${kb(r.oursBytes)} | ${kb(r.rrwebBytes)} |`);
    }
    console.log("\nBrowser primitives measured for the design (medians)");
    console.log(`| primitive | ${speed.map((r) => `${r.size / 1000}k`).join(" | ")} |`);
    console.log(`|---|${speed.map(() => "---").join("|")}|`);
    for (const name of Object.keys(speed[0].primitives)) {
      console.log(`| ${name} | ${speed.map((r) => ms(median(r.primitives[name]))).join(" | ")} |`);
    }

  }

  if (runs("capture")) {
    const e2e = await captureEndToEnd(browser);
    console.log(`\ncaptureCDR end to end on the demo form (real server, autoShare): median ${ms(median(e2e))}, max ${ms(Math.max(...e2e))}`);
    printCaptureSplit(await captureSplit(browser, files.url, RUNS));
  }

  if (runs("flood")) printFlood(await floodBench({ seconds: FLOOD_SECONDS, modes: FLOOD_MODES }));

  if (runs("render")) printRender(await renderBench(browser, files.url, { runs: RUNS, seconds: RENDER_SECONDS }));

  if (runs("load")) {

    const server = await startServer();
    try {
      const sizes = await transferSize(server);
      console.log("\nSDK transfer size: bytes the server sends (precompressed files, scripts/precompress.mjs)");
      console.log("| file | used by | plain | gzip | brotli |");
      console.log("|---|---|---|---|---|");
      for (const s of sizes) console.log(`| ${s.name} | ${s.use} | ${kb(s.raw)} | ${kb(s.gzip)} | ${kb(s.br)} |`);
      for (const [label, names] of [
        ["script tag (sdk.js + wasm)", ["sdk.js", "expressconsent_sdk_bg.wasm"]],
        ["npm (glue + wasm)", ["expressconsent_sdk.js", "expressconsent_sdk_bg.wasm"]],
      ]) {
        const sum = (k) => sizes.filter((s) => names.includes(s.name)).reduce((a, s) => a + s[k], 0);
        console.log(`| **total, ${label}** | | ${kb(sum("raw"))} | **${kb(sum("gzip"))}** | ${kb(sum("br"))} |`);
      }

      const load = await loadCost(browser, server);
      const stat = (k) => `median ${ms(median(load.map((l) => l[k])))} (max ${ms(Math.max(...load.map((l) => l[k])))})`;
      console.log(`\nMain thread at page load (demo page, script tag async, ${LOADS} loads, SDK code from the trace):`);
      console.log(`- CPU time: ${stat("cpu")}`);
      console.log(`- wall-clock time: ${stat("wall")} (includes time the main thread was not running inside those tasks: descheduled, with 2 cores for Chromium's processes and the server, or waiting on the browser process)`);
      console.log(
        `- long tasks > 50 ms: ${Math.max(...load.map((l) => l.longTasks))}; DOMContentLoaded median ${ms(median(load.map((l) => l.dcl)))}`,
      );
    } finally {
      await server.stop();
    }
  }
  if (runs("scale")) printScale(await scaleBench());
  if (runs("log")) printLog(await logBench());
} finally {
  await files?.close();
  await browser?.close();
}
