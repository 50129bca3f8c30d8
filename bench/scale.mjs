// Issue 12, point 5: the dashboard's API with a year of data. For each backend (SQLite and
// PostgreSQL) a database of 1,000,000 CDRs across 50 orgs is seeded by the server's
// `seed` example (server/examples/seed/), or reused from target/bench-data/ when a
// complete one made by the same migrations is there; the release server is started on it
// and each row of ROWS is timed: p50 and p99 over 300 requests from 4 concurrent clients,
// after a warm-up, against the p99 target of 100 ms. Then the query plans of every
// statement each row's request ran — taken from the server's own log, so they are the
// server's SQL — are printed, with any full scan of cdrs, cdr_access or cdr_leads.
//
// Run by bench/run.mjs (`--only scale`); options: --scale-cdrs N (default 1000000),
// --scale-orgs N (50), --scale-requests N (300), --scale-backends sqlite,postgres,
// --scale-reseed (seed again even when a seeded folder is there). PostgreSQL is the one
// scripts/postgres.sh starts. A dashboard page is one more entry in ROWS.
import { spawn, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../tests/e2e/helpers.mjs";
import { percentile } from "./flood.mjs";
import { SERVER_BIN, serverBuild } from "./server.mjs";

export const P99_TARGET_MS = 100;
const SEED_BIN = process.env.EC_SEED_BIN ?? join(ROOT, "target/release/examples/seed");
const CLIENTS = 4;
const WARMUP = 30;

/**
 * What is timed: `name`, `method`, `path(seed, i)` and optionally `body(seed, i)` for the
 * i-th request, `key(seed)` (the org whose API key is sent; default the large generator)
 * and `check(data)`, which says what is wrong with an answer (a list that finds nothing
 * measures nothing).
 */
export const ROWS = [
  {
    name: "list, large generator (GET /v1/cdrs)",
    method: "GET",
    path: () => "/v1/cdrs",
    check: (d) => (d.cdrs?.length ? null : "empty list"),
  },
  {
    name: "list, top buyer (GET /v1/cdrs)",
    method: "GET",
    path: () => "/v1/cdrs",
    key: (seed) => seed.keys.find((k) => !k.generator).apiKey,
    check: (d) => (d.cdrs?.length ? null : "empty list"),
  },
  {
    name: "filtered list: relation + domainId + from/to (30 days)",
    method: "GET",
    path: (seed, i) => {
      const day = 24 * 3600 * 1000;
      const to = seed.now - (i % 10) * 30 * day;
      const domain = seed.large.domains[i % seed.large.domains.length];
      return `/v1/cdrs?relation=paid&domainId=${encodeURIComponent(domain)}&from=${to - 30 * day}&to=${to}`;
    },
    check: (d) => (d.cdrs?.length ? null : "empty list"),
  },
  {
    name: "phone search (POST /v1/cdrs/search)",
    method: "POST",
    path: () => "/v1/cdrs/search",
    body: (seed, i) => ({ phone: sample(seed, i).phone }),
    check: (d) => (d.cdrs?.length ? null : "the phone was not found"),
  },
  {
    name: "CDR read (GET /v1/cdrs/:id)",
    method: "GET",
    path: (seed, i) => `/v1/cdrs/${sample(seed, i).cdrId}`,
    check: (d) => (d.cdrId ? null : "no cdrId"),
  },
  // The dashboard's pages for a signed-in user of the large generator: the same queries
  // plus the page around them.
  {
    name: "dashboard: CDR list page (GET /dashboard/)",
    method: "GET",
    page: true,
    path: () => "/dashboard/",
    check: (html) => (html.includes("/dashboard/cdrs/cdr_") ? null : "no CDR on the page"),
  },
  {
    name: "dashboard: one CDR page (GET /dashboard/cdrs/:id)",
    method: "GET",
    page: true,
    path: (seed, i) => `/dashboard/cdrs/${sample(seed, i).cdrId}`,
    check: (html) => (html.includes("Disclosures") ? null : "not the CDR page"),
  },
];

const sample = (seed, i) => seed.large.samples[(i * 7) % seed.large.samples.length];

const flag = (name) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);

/** Seeds (or reuses), times and explains every backend; resolves with the figures. */
export async function scaleBench({
  cdrs = Number(flag("--scale-cdrs")) || 1_000_000,
  orgs = Number(flag("--scale-orgs")) || 50,
  requests = Number(flag("--scale-requests")) || 300,
  backends = flag("--scale-backends")?.split(",") ?? ["sqlite", "postgres"],
  reseed = process.argv.includes("--scale-reseed"),
} = {}) {
  const results = [];
  for (const backend of backends) {
    const data = await seeded(backend, { cdrs, orgs, reseed });
    const timing = await withServer(data, {}, (server) => timeRows(server, data.seed, requests));
    const plans = await withServer(data, { RUST_LOG: "warn,sqlx::query=debug,tower_http=debug" }, (server) =>
      explainRows(server, data),
    );
    results.push({ backend, seed: data.seed, reused: data.reused, timing, plans });
  }
  return { cdrs, orgs, requests, results };
}

/** The seeded folder (and database) of a backend: reused when complete and current. */
async function seeded(backend, { cdrs, orgs, reseed }) {
  const dataDir = join(ROOT, "target/bench-data", `scale-${backend}-${cdrs}-${orgs}`);
  const databaseUrl =
    backend === "sqlite"
      ? `sqlite://${join(dataDir, "expressconsent.db")}?mode=rwc`
      : `${postgresServer().replace(/\/postgres$/, "")}/ec_scale_${cdrs}_${orgs}`;
  const current = await currentSeed(dataDir, backend, { cdrs, orgs });
  if (current && !reseed) return { backend, dataDir, databaseUrl, seed: current, reused: true };

  await rm(dataDir, { recursive: true, force: true });
  await mkdir(dataDir, { recursive: true });
  if (backend === "postgres") {
    const admin = postgresServer();
    const name = `ec_scale_${cdrs}_${orgs}`;
    execFileSync("psql", [admin, "-q", "-c", `DROP DATABASE IF EXISTS ${name}`, "-c", `CREATE DATABASE ${name}`]);
  }
  console.log(`\nSeeding ${cdrs.toLocaleString("en")} CDRs across ${orgs} orgs on ${backend} (${dataDir})…`);
  await run(SEED_BIN, ["--database-url", databaseUrl, "--data-dir", dataDir, "--cdrs", String(cdrs), "--orgs", String(orgs)]);
  return { backend, dataDir, databaseUrl, seed: JSON.parse(await readFile(join(dataDir, "seed.json"), "utf8")), reused: false };
}

/** seed.json of a complete seeding with these sizes and the repository's migrations. */
async function currentSeed(dataDir, backend, { cdrs, orgs }) {
  const file = join(dataDir, "seed.json");
  if (!existsSync(file)) return null;
  const seed = JSON.parse(await readFile(file, "utf8"));
  const versions = (await readdir(join(ROOT, "server/migrations", backend)))
    .filter((f) => f.endsWith(".sql"))
    .map((f) => Number(f.split("_")[0]))
    .sort((a, b) => a - b);
  const same = seed.complete && seed.cdrs === cdrs && seed.orgs === orgs && JSON.stringify(seed.migrations) === JSON.stringify(versions);
  return same ? seed : null;
}

let pgUrl;
function postgresServer() {
  pgUrl ??= process.env.EC_TEST_POSTGRES_URL ?? execFileSync("bash", [join(ROOT, "scripts/postgres.sh"), "start"], { encoding: "utf8" }).trim();
  return pgUrl;
}

function run(bin, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "inherit", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited with ${code}`))));
  });
}

/** Starts the release server on the seeded folder, runs `fn(server)`, stops it. */
async function withServer(data, env, fn) {
  const child = spawn(SERVER_BIN, ["serve"], {
    cwd: ROOT,
    env: {
      ...process.env,
      EC_DATA_DIR: data.dataDir,
      EC_DATABASE_URL: data.databaseUrl,
      EC_BIND: "127.0.0.1:0",
      EC_SDK_DIR: join(ROOT, "pkg"),
      EC_WWW_DIR: join(ROOT, "www"),
      EC_RENDER: "off",
      NO_COLOR: "1",
      RUST_LOG: "error",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log = logLines(child);
  try {
    const baseUrl = await new Promise((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`server exited early with ${code}`)));
      createInterface({ input: child.stdout }).on("line", (line) => {
        const match = /^listening on (http:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]);
      });
    });
    const session = await signedIn(data, baseUrl);
    return await fn({ baseUrl, log, session });
  } finally {
    child.removeAllListeners("exit");
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await gone;
  }
}

/** The server's stderr as lines, and a way to wait for a line. */
function logLines(child) {
  const lines = [];
  let waiters = [];
  createInterface({ input: child.stderr }).on("line", (raw) => {
    const line = raw.replace(/\x1b\[[0-9;]*m/g, "");
    lines.push(line);
    waiters = waiters.filter((w) => !(w.test(line) && (w.resolve(), true)));
  });
  return {
    lines,
    /** Resolves once a line after position `from` passes `test`. */
    until(from, test) {
      if (lines.slice(from).some(test)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}

async function request(server, seed, row, i) {
  if (row.page) {
    const res = await fetch(`${server.baseUrl}${row.path(seed, i)}`, {
      headers: { cookie: `ec_session=${server.session}` },
      redirect: "manual",
    });
    const html = await res.text();
    if (res.status !== 200) return `HTTP ${res.status}`;
    return row.check?.(html) ?? null;
  }
  const key = row.key?.(seed) ?? seed.large.apiKey;
  const body = row.body?.(seed, i);
  const res = await fetch(`${server.baseUrl}${row.path(seed, i)}`, {
    method: row.method,
    headers: { "x-api-key": key, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (res.status !== 200) return `HTTP ${res.status} ${json.error?.code ?? ""}`;
  return row.check?.(json.data) ?? null;
}

/** p50/p99 of every row: warm-up, then `requests` from CLIENTS concurrent clients. */
async function timeRows(server, seed, requests) {
  const out = [];
  for (const row of ROWS) {
    for (let i = 0; i < WARMUP; i++) await request(server, seed, row, i);
    const times = [];
    const problems = new Set();
    let next = 0;
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < requests) {
          const i = next++;
          const start = performance.now();
          const problem = await request(server, seed, row, WARMUP + i);
          times.push(performance.now() - start);
          if (problem) problems.add(problem);
        }
      }),
    );
    out.push({ name: row.name, p50: percentile(times, 50), p99: percentile(times, 99), max: Math.max(...times), problems: [...problems] });
  }
  return out;
}

/** Each row's request once, the statements it ran (from the server's log), their plans. */
async function explainRows(server, data) {
  const byRow = [];
  for (const row of ROWS) {
    const from = server.log.lines.length;
    const path = row.path(data.seed, 0);
    const uri = path.split("?")[0];
    const problem = await request(server, data.seed, row, 0);
    await server.log.until(from, (l) => l.includes("finished processing request") && l.includes(`uri=${path}`));
    const statements = [];
    for (const line of server.log.lines.slice(from)) {
      if (!line.includes("sqlx::query") || !line.includes(`uri=${uri}`)) continue;
      const sql = statementOf(line);
      if (sql && /^\s*(SELECT|WITH)\b/i.test(sql) && !statements.includes(sql)) statements.push(sql);
    }
    byRow.push({ name: row.name, problem, statements });
  }
  const all = [...new Set(byRow.flatMap((r) => r.statements))];
  const plans = JSON.parse(await output(SEED_BIN, ["--database-url", data.databaseUrl, "--explain"], JSON.stringify(all)));
  const planOf = new Map(plans.map((p) => [p.sql, p]));
  return byRow.map((r) => ({ ...r, plans: r.statements.map((s) => planOf.get(s)) }));
}

/** The SQL of one sqlx::query log line (the full statement, or the summary when short). */
function statementOf(line) {
  const field = (name) => {
    const match = new RegExp(`${name.replace(".", "\\.")}="((?:[^"\\\\]|\\\\.)*)"`).exec(line);
    return match ? JSON.parse(`"${match[1]}"`) : "";
  };
  return (field("db.statement") || field("summary")).trim();
}

function output(bin, args, stdin) {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`${bin} exited with ${code}`))));
    child.stdin.end(stdin);
  });
}

const fmt = (x) => `${x.toFixed(1)} ms`;

export function printScale({ cdrs, orgs, requests, results }) {
  console.log(
    `\nThe dashboard's API with a year of data: ${cdrs.toLocaleString("en")} CDRs across ${orgs} orgs, ${serverBuild()} server, ` +
      `${requests} requests per row from ${CLIENTS} concurrent clients after ${WARMUP} warm-up requests (target p99 ≤ ${P99_TARGET_MS} ms)`,
  );
  for (const { backend, seed, reused, timing, plans } of results) {
    const how = reused
      ? "reused seeded data"
      : `seeded in ${(seed.seconds / 60).toFixed(1)} min: ${Math.round(seed.cdrsPerSecond).toLocaleString("en")} CDRs/s, ${Math.round(seed.rowsPerSecond).toLocaleString("en")} rows/s`;
    console.log(`\n${backend}: ${seed.rows.toLocaleString("en")} rows, large org ${seed.large.cdrs.toLocaleString("en")} CDRs (${how})`);
    console.log("| request | p50 | p99 | max | target |");
    console.log("|---|---|---|---|---|");
    for (const t of timing) {
      const verdict = t.problems.length ? `NOT met: ${t.problems.join("; ")}` : t.p99 <= P99_TARGET_MS ? "met" : "NOT met";
      console.log(`| ${t.name} | ${fmt(t.p50)} | ${fmt(t.p99)} | ${fmt(t.max)} | ${verdict} |`);
    }
    console.log(`\nQuery plans on ${backend} (${backend === "sqlite" ? "EXPLAIN QUERY PLAN" : "EXPLAIN, generic plan"}) of every statement each request ran:`);
    for (const row of plans) {
      const scans = row.plans.flatMap((p) => p?.fullScans ?? []);
      const errors = row.plans.filter((p) => !p || p.error);
      const verdict = row.problem ? `request failed: ${row.problem}` : errors.length ? `no plan: ${errors.map((p) => p?.error).join("; ")}` : scans.length ? `FULL SCAN: ${scans.join(" | ")}` : "no full scan";
      console.log(`\n- ${row.name}: ${verdict}`);
      for (const p of row.plans) {
        if (!p) continue;
        console.log(`    ${p.sql.replace(/\s+/g, " ")}`);
        for (const line of p.plan) console.log(`      ${line}`);
      }
    }
  }
}

/** A dashboard session of a new admin of the large generator (`user create`, then the
 * one-time link's password form), for the page rows. */
async function signedIn(data, baseUrl) {
  const email = `bench-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
  const out = await new Promise((resolve, reject) => {
    const child = spawn(
      SERVER_BIN,
      ["user", "create", "--org", data.seed.large.orgId, "--email", email, "--public-url", baseUrl],
      {
        env: { ...process.env, EC_DATA_DIR: data.dataDir, EC_DATABASE_URL: data.databaseUrl, RUST_LOG: "error" },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let text = "";
    child.stdout.on("data", (chunk) => (text += chunk));
    child.once("exit", (code) => (code === 0 ? resolve(text) : reject(new Error(`user create exited with ${code}`))));
  });
  const link = new URL(JSON.parse(out).signInUrl);
  const password = "bench password, long enough";
  const res = await fetch(`${baseUrl}/dashboard/welcome`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: link.searchParams.get("token"), password, confirm: password }),
  });
  const cookie = (res.headers.getSetCookie?.() ?? []).find((c) => c.startsWith("ec_session="));
  if (!cookie) throw new Error(`choosing the bench user's password answered ${res.status}`);
  return cookie.slice("ec_session=".length).split(";")[0];
}
