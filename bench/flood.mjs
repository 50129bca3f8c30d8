// What one server holds: captures accepted per second from many addresses while a flood
// from one address is being refused, and the latency of share-link claims meanwhile (16
// concurrent claimers, SQLite), once with `synchronous=FULL` (the server's default) and
// once with NORMAL, to show what durability costs. Run by bench/run.mjs (`--only flood`).
//
// Every request goes to the server on 127.0.0.1. The server trusts 127.0.0.1 as a proxy
// (EC_TRUSTED_PROXIES), so an `X-Forwarded-For` header names the client address it
// rate-limits: one documentation address (198.51.100.7) for the flood, a rotating set of
// documentation addresses (192.0.2.0/24, 203.0.113.0/24) for the consumers. The per-cid
// limit is lifted (EC_CAPTURE_RATE_PER_CID=0) because the bench sends every consumer's
// capture for one org, where a real server receives many orgs' captures; the per-address
// limit is the default. Before the rate limits exist the flood is simply accepted: the
// bench prints what it sees.
//
// Every upload body (JSON + gzip, each with its own idempotency key) is made before the
// timed phases: made on the fly, the bench's own gzipSync calls would block the event
// loop that times the claims, and the claims would seem slower than the server made them.
//
// The load (flood and consumers) runs in a worker thread with its own event loop; the main
// thread only claims and times the claims, so a claim's time is not stretched by the load
// generator's own JavaScript waiting for its turn on a shared event loop. With
// EC_BENCH_LOAD_NICE=N the load runs in a child process at that niceness instead.
import { randomUUID } from "node:crypto";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import { gzip, gzipSync } from "node:zlib";
import { promisify } from "node:util";
import { serverBuild, startBenchServer } from "./server.mjs";

const FLOOD_ADDRESS = "198.51.100.7";
const CLAIMERS = 16;
/**
 * Issue 10's target: claims' p99 ≤ 50 ms at 16 concurrent on SQLite with synchronous=FULL,
 * against its baseline of "about 130 ms at 16 concurrent" (claims alone). The same bound is
 * also reported for claims during the flood, where this 2-core machine also runs the load.
 */
export const CLAIM_P99_TARGET_MS = 50;
const gzipAsync = promisify(gzip);

export const percentile = (xs, p) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** A lead form's snapshot of about `bytes` characters: what a consumer's capture carries. */
export function snapshotHtml(bytes) {
  const section = (i) =>
    `<section><h2>Paso ${i}</h2><form><label>Nombre <input name="n${i}" value="Persona ${i}"></label>` +
    `<label>Correo <input type="email" name="e${i}" value="p${i}@example.org"></label>` +
    `<select name="s${i}"><option selected>A</option><option>B</option></select>` +
    `<ul>${Array.from({ length: 6 }, (_, k) => `<li><a href="https://leads.example/i/${i}/${k}">Item ${k}</a></li>`).join("")}</ul></form></section>`;
  let body = "";
  for (let i = 0; body.length < bytes; i++) body += section(i);
  return `<!DOCTYPE html><html><head><title>Solicitud</title><style>body{font:15px sans-serif}</style></head><body>` +
    `<p data-ec-disclosure="tcpa">Al hacer clic acepto recibir llamadas.</p>` +
    `<input type="checkbox" checked data-ec-consent-checkbox data-ec-consent-for="tcpa">${body}` +
    `<button data-ec-submit>Enviar</button></body></html>`;
}

/** The JSON of one capture, as the SDK sends it (gzipped), with a fresh idempotency key. */
function captureJson(html, autoShare) {
  const request = {
    idempotencyKey: randomUUID(),
    packageId: `pkg_${randomUUID().replaceAll("-", "")}`,
    ...(autoShare ? { autoShare: {} } : {}),
    page: { url: "http://127.0.0.1/apply", title: "Solicitud", userAgent: "bench", language: "es-ES" },
    snapshot: { html, scrollX: 0, scrollY: 0 },
    disclosures: [{ id: "tcpa", text: "Al hacer clic acepto recibir llamadas.", rendered: true, inViewport: true, opacity: 1, fontSizePx: 15, contrastRatio: 12 }],
    consentCheckboxes: [{ consentFor: "tcpa", checked: true }],
    trigger: { tagName: "button", eventType: "click", isTrusted: true, isTaggedSubmit: true },
    telemetry: {},
    sdkVersion: "bench",
  };
  return JSON.stringify(request);
}

const captureBody = (html, autoShare) => gzipSync(captureJson(html, autoShare));

/**
 * Capture bodies made ahead of time, `size` of them, each used once; when they run out,
 * more are made as needed, compressed on libuv's thread pool (async gzip), not on the event loop.
 * With `cycle`, used bodies are reused instead (for the flood, whose requests are mostly
 * refused; `reused` counts them, so that the figures can say if any was accepted).
 */
export function bodyPool(html, size, { cycle = false } = {}) {
  const bodies = Array.from({ length: size }, () => captureBody(html, false));
  let used = 0;
  const pool = {
    size,
    made: 0,
    reused: 0,
    async take() {
      if (used < size) return bodies[used++];
      if (cycle) return bodies[pool.reused++ % size];
      pool.made++;
      return gzipAsync(captureJson(html, false));
    },
  };
  return pool;
}

export async function postCapture(server, html, address, { autoShare = false, body: ready } = {}) {
  const res = await fetch(`${server.baseUrl}/v1/captures?cid=${server.generator.orgId}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-encoding": "gzip",
      origin: "http://127.0.0.1",
      "x-forwarded-for": address,
    },
    body: ready ?? captureBody(html, autoShare),
  });
  const body = await res.json().catch(() => undefined);
  return { status: res.status, body };
}

async function claim(server, shareUrl) {
  const res = await fetch(shareUrl, { method: "POST", headers: { "x-api-key": server.buyer.apiKey } });
  await res.arrayBuffer();
  return res.status;
}

/** Runs `fn` in `concurrency` loops until `ms` have passed; each result is `[status, ms]`. */
export async function loops(concurrency, ms, fn) {
  const out = [];
  const end = performance.now() + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let n = 0; performance.now() < end; n++) {
        const start = performance.now();
        let status;
        try {
          status = await fn(worker, n);
        } catch {
          status = "no answer";
        }
        out.push([status, performance.now() - start]);
      }
    }),
  );
  return out;
}

export const consumerAddress = (() => {
  let n = 0;
  return () => {
    n++;
    return `${n % 2 ? "192.0.2" : "203.0.113"}.${1 + (n >> 1) % 254}`;
  };
})();

const count = (results, pred) => results.filter(([s]) => pred(s)).length;
const statuses = (results) => {
  const by = {};
  for (const [s] of results) by[s] = (by[s] ?? 0) + 1;
  return Object.entries(by).map(([s, n]) => `${s}: ${n}`).join(", ");
};

/**
 * Starts the load's worker thread, which makes its bodies and answers once they are ready;
 * `run()` then sends the flood and the consumers' captures for `seconds` and resolves with
 * their results.
 */
async function startLoad(options) {
  if (process.env.EC_BENCH_LOAD_NICE) return startNicedLoad(options);
  const worker = new Worker(new URL(import.meta.url), { workerData: { role: "load", ...options } });
  const message = () =>
    new Promise((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
  await message(); // ready
  return {
    async run() {
      const done = message();
      worker.postMessage("go");
      const results = await done;
      await worker.terminate();
      return results;
    },
  };
}

/**
 * The same load in a child process under `nice -n EC_BENCH_LOAD_NICE`: as if the flood came
 * from another machine, the load generator then only gets the CPU the server leaves (it also
 * sends less, so compare the flood's request rate too).
 */
async function startNicedLoad(options) {
  const { spawn } = await import("node:child_process");
  const child = spawn("nice", ["-n", process.env.EC_BENCH_LOAD_NICE, process.execPath, new URL(import.meta.url).pathname], {
    stdio: ["inherit", "inherit", "inherit", "ipc"],
    env: { ...process.env, EC_BENCH_LOAD_CHILD: JSON.stringify(options) },
  });
  const message = () => new Promise((resolve, reject) => { child.once("message", resolve); child.once("error", reject); });
  await message();
  return {
    async run() {
      const done = message();
      child.send("go");
      const results = await done;
      child.kill();
      return results;
    },
  };
}

// The niced child: the load, talking to its parent over the IPC channel.
if (process.env.EC_BENCH_LOAD_CHILD && process.send) {
  const port = { postMessage: (m) => process.send(m), once: (e, f) => process.once(e, f) };
  await runLoad(JSON.parse(process.env.EC_BENCH_LOAD_CHILD), port);
}

/** The load's worker thread: the flood and the consumers, with bodies made beforehand. */
async function runLoad({ baseUrl, orgId, html, seconds, floodLoops, consumerLoops }, parentPort) {
  const server = { baseUrl, generator: { orgId } };
  // Enough unique flood bodies for what the default per-address limit can accept in
  // the run (its burst of 600, then 10 a second), and a consumer body per capture at
  // up to 300 accepted a second.
  const floodBodies = bodyPool(html, 600 + 20 * seconds, { cycle: true });
  const consumerBodies = bodyPool(html, 300 * seconds);
  parentPort.postMessage("ready");
  await new Promise((resolve) => parentPort.once("message", resolve));
  const [consumers, flood] = await Promise.all([
    loops(consumerLoops, seconds * 1000, async () =>
      (await postCapture(server, html, consumerAddress(), { body: await consumerBodies.take() })).status),
    loops(floodLoops, seconds * 1000, async () =>
      (await postCapture(server, html, FLOOD_ADDRESS, { body: await floodBodies.take() })).status),
  ]);
  parentPort.postMessage({ consumers, flood, floodBodies: floodBodies.size, consumerBodiesMade: consumerBodies.made });
}

if (!isMainThread && workerData?.role === "load") await runLoad(workerData, parentPort);

/**
 * One server per synchronous mode: claims alone, then claims during the flood. Returns a
 * row of figures per mode.
 */
export async function floodBench({ seconds = 10, modes = ["full", "normal"], floodLoops = 16, consumerLoops = 8, snapshotBytes = 30_000 } = {}) {
  // (modes may also hold "default": the server's own default, see bench/server.mjs)
  const html = snapshotHtml(snapshotBytes);
  const rows = [];
  for (const synchronous of modes) {
    const server = await startBenchServer({
      synchronous,
      env: { EC_TRUSTED_PROXIES: "127.0.0.1/32", EC_CAPTURE_RATE_PER_CID: "0" },
    });
    try {
      // Share links for the claimers, from consumer captures with autoShare.
      const shares = [];
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (shares.length < 256) {
            const { status, body } = await postCapture(server, html, consumerAddress(), { autoShare: true });
            if (status !== 200) throw new Error(`setting up share links: capture answered ${status}: ${JSON.stringify(body)}`);
            shares.push(body.data.shareUrl);
          }
        }),
      );
      let next = 0;
      const claimOne = () => claim(server, shares[next++ % shares.length]);

      const alone = await loops(CLAIMERS, (seconds * 1000) / 2, claimOne);
      const load = await startLoad({
        baseUrl: server.baseUrl,
        orgId: server.generator.orgId,
        html,
        seconds,
        floodLoops,
        consumerLoops,
      });
      const [claims, { consumers, flood, floodBodies, consumerBodiesMade }] = await Promise.all([
        loops(CLAIMERS, seconds * 1000, claimOne),
        load.run(),
      ]);
      const ok = (s) => s === 200;
      const latencies = (rs) => rs.filter(([s]) => ok(s)).map(([, ms]) => ms);
      rows.push({
        synchronous,
        aloneP50: percentile(latencies(alone), 50),
        aloneP99: percentile(latencies(alone), 99),
        claimsOk: count(claims, ok),
        claimsFailed: claims.length - count(claims, ok),
        claimP50: percentile(latencies(claims), 50),
        claimP99: percentile(latencies(claims), 99),
        claimMax: Math.max(...latencies(claims)),
        consumerPerSecond: count(consumers, ok) / seconds,
        consumerStatuses: statuses(consumers),
        consumerP99: percentile(latencies(consumers), 99),
        floodSent: flood.length,
        floodStatuses: statuses(flood),
        floodPerSecond: flood.length / seconds,
        floodAccepted: count(flood, ok),
        floodBodies,
        consumerBodiesMade,
      });
    } finally {
      await server.stop();
    }
  }
  return { rows, seconds, floodLoops, consumerLoops, snapshotBytes: html.length };
}

/** Prints floodBench's figures, and whether the claim target is met. */
export function printFlood({ rows, seconds, floodLoops, consumerLoops, snapshotBytes }) {
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(
    `\nWhat one server holds (${serverBuild()} server, SQLite, ${seconds} s each; a flood of ${floodLoops} concurrent uploads from one address, ` +
      `${consumerLoops} concurrent consumer uploads from rotating addresses, ${CLAIMERS} concurrent claimers; captures of ${(snapshotBytes / 1024).toFixed(0)} KB of snapshot, gzip):`,
  );
  console.log("| synchronous | claims alone p50 / p99 | claims during flood p50 / p99 / max | consumer captures accepted/s (p99) | flood requests/s: statuses |");
  console.log("|---|---|---|---|---|");
  for (const r of rows) {
    console.log(
      `| ${r.synchronous.toUpperCase()} | ${ms(r.aloneP50)} / ${ms(r.aloneP99)} | ${ms(r.claimP50)} / **${ms(r.claimP99)}** / ${ms(r.claimMax)}` +
        `${r.claimsFailed ? ` (${r.claimsFailed} failed)` : ""} | ${r.consumerPerSecond.toFixed(0)} (${ms(r.consumerP99)}; ${r.consumerStatuses}) | ` +
        `${r.floodPerSecond.toFixed(0)}: ${r.floodStatuses} |`,
    );
  }
  for (const r of rows) {
    if (r.floodAccepted > r.floodBodies) {
      console.log(`(${r.synchronous}: the flood had ${r.floodAccepted} captures accepted, more than its ${r.floodBodies} distinct bodies: some were idempotent replays.)`);
    }
    if (r.consumerBodiesMade) {
      console.log(`(${r.synchronous}: ${r.consumerBodiesMade} consumer bodies were made during the run, on the thread pool.)`);
    }
  }
  const full = rows.find((r) => r.synchronous === "full");
  if (!full) {
    console.log(`Claim target (p99 ≤ ${CLAIM_P99_TARGET_MS} ms, 16 concurrent, synchronous=FULL): not measured (no FULL run).`);
  } else {
    const verdict = (p99) => (full.claimsFailed === 0 && p99 <= CLAIM_P99_TARGET_MS ? "MET" : "NOT MET");
    const failed = full.claimsFailed ? `, ${full.claimsFailed} claims failed` : "";
    console.log(
      `Claim target (p99 ≤ ${CLAIM_P99_TARGET_MS} ms at 16 concurrent, SQLite synchronous=FULL; the issue's baseline was 130 ms): ` +
        `${verdict(full.aloneP99)} — ${ms(full.aloneP99)}${failed}.`,
    );
    console.log(
      `The same bound during the flood (load generated on the same 2 cores): ${verdict(full.claimP99)} — ${ms(full.claimP99)}${failed}.`,
    );
  }
}
