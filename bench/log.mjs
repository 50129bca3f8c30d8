// Issue 13, point 6: the transparency log, measured. For each backend (SQLite, then
// PostgreSQL, each in a fresh data folder / database) the log key is made by
// `expressconsent-server log key`, two witnesses are started (`expressconsent-server witness`,
// each with its own data folder), and the release server is started with both in
// EC_WITNESSES and EC_RENDER=off. Then, against real HTTP on 127.0.0.1:
//
// - entries sequenced per second: a burst of --log-captures captures (default 2,000) from
//   CLIENTS concurrent clients, timed from the first capture sent to `/log/checkpoint`
//   reaching the final tree size (polled every POLL_MS); entries/s = captures / that time.
//   Also printed: how fast the captures themselves were accepted, how long after the last
//   capture's 200 the checkpoint reached the final size, and when a checkpoint of that size
//   carried both witnesses' cosignatures;
// - ingest → witnessed checkpoint: for --log-singles captures (default 50) sent one at a
//   time, from the capture's 200 to `/v1/cdrs/:id/proof` answering 200 with a checkpoint
//   carrying both witnesses' cosignature lines (polled every POLL_MS), p50/p99;
// - proof size: every CDR's proof at the final tree size, p50/max bytes, and the inclusion
//   path's length;
// - verify time: `expressconsent-server verify --evidence … --proof … --key … --witness A
//   --witness B --quorum 2` as a process, --log-verify-runs times (default 20), p50; and the
//   same check in process (the `verify_bench` example: 1,000 calls, p50), when built.
//
// Captures are rate-limited by default; the bench lifts both limits (EC_CAPTURE_RATE_PER_IP=0,
// EC_CAPTURE_RATE_PER_CID=0) because every capture comes from 127.0.0.1 for one org. The
// capture bodies (bench/flood.mjs's, a 30 KB lead form like render.mjs's) are made before the
// burst. Data folders, witness folders and the PostgreSQL database are removed afterwards.
//
// Run by bench/run.mjs (`--only log`); options: --log-captures N, --log-singles N,
// --log-verify-runs N, --log-backends sqlite,postgres.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../tests/e2e/helpers.mjs";
import { bodyPool, percentile, postCapture, snapshotHtml } from "./flood.mjs";
import { SERVER_BIN, serverBuild, startBenchServer } from "./server.mjs";

const VERIFY_BENCH_BIN = process.env.EC_VERIFY_BENCH_BIN ?? join(ROOT, "target/release/examples/verify_bench");
const DATA_ROOT = join(ROOT, "target/bench-data");
const CLIENTS = 16;
const POLL_MS = 10;
const IN_PROCESS_RUNS = 1000;

const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs the log bench on every backend; resolves with the figures. */
export async function logBench({
  captures = Number(flag("--log-captures")) || 2_000,
  singles = Number(flag("--log-singles")) || 50,
  verifyRuns = Number(flag("--log-verify-runs")) || 20,
  backends = flag("--log-backends")?.split(",") ?? ["sqlite", "postgres"],
} = {}) {
  await mkdir(DATA_ROOT, { recursive: true });
  const html = snapshotHtml(30_000);
  const results = [];
  for (const backend of backends) {
    console.log(`\nLog bench on ${backend}…`);
    results.push({ backend, ...(await withLog(backend, (setup) => measure(setup, { html, captures, singles, verifyRuns }))) });
  }
  return { captures, singles, verifyRuns, results };
}

/** The log key, two witnesses and the server for one backend; `fn(setup)`; then all removed. */
async function withLog(backend, fn) {
  const cleanup = [];
  try {
    const keyDir = await mkdtemp(join(DATA_ROOT, "log-key-"));
    cleanup.push(() => rm(keyDir, { recursive: true, force: true }));
    const logVkey = (
      await output(SERVER_BIN, ["log", "key"], { EC_DATA_DIR: keyDir, EC_PUBLIC_URL: "https://bench.example" })
    ).trim();
    const logSkey = (await readFile(join(keyDir, "log.key"), "utf8")).trim();

    const witnesses = [];
    for (const name of ["bench-witness-a", "bench-witness-b"]) {
      const w = await startWitness(name, logVkey);
      cleanup.push(w.stop);
      witnesses.push(w);
    }

    const env = {
      EC_LOG_KEY: logSkey,
      EC_WITNESSES: witnesses.map((w) => `${w.vkey}@${w.url}`).join(","),
      EC_RENDER: "off",
      EC_CAPTURE_RATE_PER_IP: "0",
      EC_CAPTURE_RATE_PER_CID: "0",
    };
    if (backend === "postgres") {
      const admin = postgresServer();
      const name = `ec_log_bench_${process.pid}_${Date.now()}`;
      execFileSync("psql", [admin, "-q", "-c", `CREATE DATABASE ${name}`]);
      // Dropped after the server has stopped (cleanup runs in reverse order).
      cleanup.push(() => execFileSync("psql", [admin, "-q", "-c", `DROP DATABASE IF EXISTS ${name}`]));
      env.EC_DATABASE_URL = `${admin.replace(/\/postgres$/, "")}/${name}`;
    }
    const server = await startBenchServer({ env });
    cleanup.push(() => server.stop());
    return await fn({ server, logVkey, witnesses });
  } finally {
    for (const step of cleanup.reverse()) await step();
  }
}

/** `expressconsent-server witness` on 127.0.0.1:0 with its own data folder. */
async function startWitness(name, logVkey) {
  const dir = await mkdtemp(join(DATA_ROOT, "log-witness-"));
  const child = spawn(SERVER_BIN, ["witness", "--data-dir", dir, "--bind", "127.0.0.1:0", "--log-key", logVkey, "--name", name], {
    env: { ...process.env, RUST_LOG: "error", NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = await new Promise((resolve, reject) => {
    const seen = {};
    child.once("exit", (code) => reject(new Error(`witness ${name} exited early with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const url = /^witness listening on (http:\/\/\S+)/.exec(line);
      const key = /^witness key: (\S+)/.exec(line);
      if (url) seen.url = url[1];
      if (key) seen.vkey = key[1];
      if (seen.url && seen.vkey) resolve(seen);
    });
  });
  child.removeAllListeners("exit");
  return {
    ...started,
    name: started.vkey.split("+")[0],
    async stop() {
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let pgUrl;
function postgresServer() {
  pgUrl ??= process.env.EC_TEST_POSTGRES_URL ?? execFileSync("bash", [join(ROOT, "scripts/postgres.sh"), "start"], { encoding: "utf8" }).trim();
  return pgUrl;
}

/** The checkpoint text of a note or proof: its tree size and the witnesses that cosigned it. */
function readCheckpoint(text, witnesses) {
  // A proof is its head, an empty line, then the checkpoint note; a note is its text, an
  // empty line, then its signature lines (`— <name> <base64>`).
  const note = text.startsWith("c2sp.org/tlog-proof@v1\n") ? text.slice(text.indexOf("\n\n") + 2) : text;
  const [body, sigs = ""] = note.split("\n\n");
  const size = Number(body.split("\n")[1]);
  const names = new Set(sigs.split("\n").filter((l) => l.startsWith("\u2014 ")).map((l) => l.split(" ")[1]));
  return { size, cosigned: witnesses.filter((w) => names.has(w.name)).length };
}

async function checkpoint(server, witnesses) {
  const res = await fetch(`${server.baseUrl}/log/checkpoint`);
  if (res.status === 404) return { size: 0, cosigned: 0 };
  if (res.status !== 200) throw new Error(`/log/checkpoint answered ${res.status}`);
  return readCheckpoint(await res.text(), witnesses);
}

async function proofOf(server, cdrId) {
  const res = await fetch(`${server.baseUrl}/v1/cdrs/${cdrId}/proof`, { headers: { "x-api-key": server.generator.apiKey } });
  const text = await res.text();
  return { status: res.status, text, bytes: Buffer.byteLength(text) };
}

async function capture(server, body) {
  const { status, body: answer } = await postCapture(server, null, "127.0.0.1", { body });
  if (status !== 200) throw new Error(`capture answered ${status}: ${JSON.stringify(answer)}`);
  return answer.data.cdrId;
}

/** Polls `probe` every POLL_MS until it returns a truthy value; resolves with it. */
async function until(probe) {
  for (;;) {
    const got = await probe();
    if (got) return got;
    await sleep(POLL_MS);
  }
}

async function measure({ server, logVkey, witnesses }, { html, captures, singles, verifyRuns }) {
  const witnessed = (c) => c.cosigned === witnesses.length;

  // Warm-up: a few captures, then the log settled and witnessed at their size.
  const warm = bodyPool(html, 20);
  for (let i = 0; i < warm.size; i++) await capture(server, await warm.take());
  const base = await until(async () => {
    const c = await checkpoint(server, witnesses);
    return c.size >= warm.size && witnessed(c) ? c : null;
  });

  // The burst.
  const pool = bodyPool(html, captures);
  const target = base.size + captures;
  const ids = [];
  let sequencedAt, witnessedAt, ingestEnd;
  const start = performance.now();
  const watch = until(async () => {
    const c = await checkpoint(server, witnesses);
    if (c.size >= target) sequencedAt ??= performance.now();
    if (c.size >= target && witnessed(c)) witnessedAt = performance.now();
    return witnessedAt;
  });
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < captures) {
        next++;
        ids.push(await capture(server, await pool.take()));
      }
    }),
  );
  ingestEnd = performance.now();
  await watch;
  const burst = {
    seconds: (sequencedAt - start) / 1000,
    entriesPerSecond: captures / ((sequencedAt - start) / 1000),
    capturesPerSecond: captures / ((ingestEnd - start) / 1000),
    lagAfterLastMs: sequencedAt - ingestEnd,
    witnessedAfterMs: witnessedAt - start,
  };

  // Single captures: capture's 200 → a proof whose checkpoint both witnesses cosigned.
  const single = bodyPool(html, singles);
  const waits = [];
  for (let i = 0; i < singles; i++) {
    const body = await single.take();
    const cdrId = await capture(server, body);
    const t = performance.now();
    await until(async () => {
      const p = await proofOf(server, cdrId);
      if (p.status === 200) return witnessed(readCheckpoint(p.text, witnesses));
      if (p.status !== 202) throw new Error(`proof of ${cdrId} answered ${p.status}: ${p.text}`);
      return false;
    });
    waits.push(performance.now() - t);
    ids.push(cdrId);
  }

  // Proofs of every CDR at the final tree size (the log settles first).
  const final = await until(async () => {
    const c = await checkpoint(server, witnesses);
    return c.size >= target + singles && witnessed(c) ? c : null;
  });
  const sizes = [];
  const paths = [];
  let i = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (i < ids.length) {
        const cdrId = ids[i++];
        const p = await proofOf(server, cdrId);
        if (p.status !== 200) throw new Error(`proof of ${cdrId} answered ${p.status}`);
        const c = readCheckpoint(p.text, witnesses);
        if (c.size !== final.size || !witnessed(c)) throw new Error(`proof of ${cdrId} is at size ${c.size}, not the final ${final.size}`);
        sizes.push(p.bytes);
        const head = p.text.slice(0, p.text.indexOf("\n\n")).split("\n");
        paths.push(head.length - 3); // the tlog-proof line, extra, index, then the path
      }
    }),
  );

  // Verify: one CDR's evidence and proof, as a buyer would keep them.
  const files = await mkdtemp(join(DATA_ROOT, "log-verify-"));
  try {
    const cdrId = ids[ids.length - 1];
    const evidence = await fetch(`${server.baseUrl}/v1/cdrs/${cdrId}/evidence`, { headers: { "x-api-key": server.generator.apiKey } });
    if (evidence.status !== 200) throw new Error(`evidence of ${cdrId} answered ${evidence.status}`);
    const evidenceFile = join(files, "evidence");
    const proofFile = join(files, "proof");
    await writeFile(evidenceFile, Buffer.from(await evidence.arrayBuffer()));
    await writeFile(proofFile, (await proofOf(server, cdrId)).text);
    const args = ["--evidence", evidenceFile, "--proof", proofFile, "--key", logVkey, ...witnesses.flatMap((w) => ["--witness", w.vkey]), "--quorum", String(witnesses.length)];
    const processTimes = [];
    for (let r = 0; r < verifyRuns; r++) {
      const t = performance.now();
      const out = JSON.parse(await output(SERVER_BIN, ["verify", ...args]));
      processTimes.push(performance.now() - t);
      if (out.verified !== true) throw new Error(`verify printed ${JSON.stringify(out)}`);
    }
    const inProcess = existsSync(VERIFY_BENCH_BIN)
      ? JSON.parse(await output(VERIFY_BENCH_BIN, [...args, "--runs", String(IN_PROCESS_RUNS)]))
      : null;
    return {
      base: base.size,
      finalSize: final.size,
      burst,
      witnessWait: { p50: percentile(waits, 50), p99: percentile(waits, 99), max: Math.max(...waits) },
      proof: { min: Math.min(...sizes), p50: percentile(sizes, 50), max: Math.max(...sizes), count: sizes.length, pathMin: Math.min(...paths), pathMax: Math.max(...paths) },
      evidenceBytes: (await readFile(evidenceFile)).length,
      verify: { p50: percentile(processTimes, 50), max: Math.max(...processTimes) },
      inProcess,
    };
  } finally {
    await rm(files, { recursive: true, force: true });
  }
}

/** Runs a command; resolves with its stdout, rejects with its stderr on a non-zero exit. */
function output(bin, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env: { ...process.env, RUST_LOG: "error", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} ${args.join(" ")} exited with ${code}: ${err}`))));
  });
}

const ms = (x) => `${x.toFixed(1)} ms`;
const kb = (x) => `${x.toLocaleString("en")} B`;

export function printLog({ captures, singles, verifyRuns, results }) {
  console.log(
    `\nThe transparency log: ${serverBuild()} server, EC_RENDER=off, two witnesses (separate processes), ` +
      `${captures.toLocaleString("en")} captures from ${CLIENTS} concurrent clients, ${singles} single captures, ` +
      `${verifyRuns} verify processes; polled every ${POLL_MS} ms`,
  );
  const names = results.map((r) => (r.backend === "sqlite" ? "SQLite" : "PostgreSQL"));
  console.log(`| figure | ${names.join(" | ")} |`);
  console.log(`|---|${names.map(() => "---").join("|")}|`);
  const row = (label, f) => console.log(`| ${label} | ${results.map(f).join(" | ")} |`);
  row("**entries sequenced per second** (first capture → checkpoint at the final size)", (r) => `**${Math.round(r.burst.entriesPerSecond).toLocaleString("en")}/s** (${r.burst.seconds.toFixed(2)} s)`);
  row("captures accepted per second in the burst", (r) => `${Math.round(r.burst.capturesPerSecond).toLocaleString("en")}/s`);
  row("last capture's 200 → checkpoint at the final size", (r) => ms(r.burst.lagAfterLastMs));
  row("first capture → that size cosigned by both witnesses", (r) => ms(r.burst.witnessedAfterMs));
  row("**ingest → witnessed checkpoint** (p50 / p99 / max)", (r) => `**${ms(r.witnessWait.p50)} / ${ms(r.witnessWait.p99)}** / ${ms(r.witnessWait.max)}`);
  row("**proof size** (p50 / max; min)", (r) => `**${kb(r.proof.p50)} / ${kb(r.proof.max)}**; ${kb(r.proof.min)} (${r.proof.count.toLocaleString("en")} proofs at size ${r.finalSize.toLocaleString("en")}, ${r.proof.pathMin}–${r.proof.pathMax} path hashes)`);
  row("**verify as a process** (p50 / max)", (r) => `**${ms(r.verify.p50)}** / ${ms(r.verify.max)}`);
  row(`verify in process (p50 / p99 of ${IN_PROCESS_RUNS} calls)`, (r) =>
    r.inProcess ? `${r.inProcess.p50Us.toFixed(0)} / ${r.inProcess.p99Us.toFixed(0)} µs` : "not built (cargo build --release -p expressconsent-server --example verify_bench)",
  );
  console.log(`\nEvidence file of the verified CDR: ${results.map((r) => kb(r.evidenceBytes)).join(", ")}.`);
}
