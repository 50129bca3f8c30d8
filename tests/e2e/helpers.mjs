// Shared helpers of the end-to-end tests: the real server on a free port with a fresh data
// folder, a second origin that serves pages, and Debian's headless Chromium.
import { spawn } from "node:child_process";
import { access, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = resolve(fileURLToPath(import.meta.url), "../../..");
const SERVER_BIN = process.env.EC_SERVER_BIN ?? join(ROOT, "target/debug/expressconsent-server");

/** Chromium flags for running as root on a machine with no outside network. */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // Lets a test serve a page from a host that is not a registered domain.
  "--host-resolver-rules=MAP unregistered.test 127.0.0.1",
];

/**
 * Starts `expressconsent-server serve --demo` on 127.0.0.1:0 with a fresh data folder and
 * resolves once it prints its address. `stop()` ends it and removes the folder. `env`
 * adds or overrides variables (e.g. `{ EC_CAPTURE_RATE_PER_IP: "0" }`), or is a function
 * of the data folder that returns them; `bin` is the server build (the benchmarks run the
 * release one) and `dataRoot` where the data folder is made.
 */
export async function startServer({ env = {}, bin = SERVER_BIN, dataRoot = tmpdir() } = {}) {
  const dataDir = await mkdtemp(join(dataRoot, "ec-run-"));
  const child = spawn(bin, ["serve", "--demo"], {
    cwd: ROOT,
    env: {
      ...process.env,
      EC_DATA_DIR: dataDir,
      EC_BIND: "127.0.0.1:0",
      EC_SDK_DIR: join(ROOT, "pkg"),
      EC_WWW_DIR: join(ROOT, "www"),
      RUST_LOG: process.env.RUST_LOG ?? "warn",
      // Fixture pages and their assets are served from 127.0.0.1.
      EC_ARCHIVE_PRIVATE_NETWORKS: "allow",
      ...(typeof env === "function" ? env(dataDir) : env),
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((_, reject) =>
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`))),
  );
  const listening = new Promise((resolveUrl) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /^listening on (http:\/\/\S+)/.exec(line);
      if (match) resolveUrl(match[1]);
    });
  });
  const baseUrl = await Promise.race([listening, exited]);
  const demo = JSON.parse(await readFile(join(dataDir, "demo-credentials.json"), "utf8"));
  return {
    baseUrl,
    dataDir,
    generator: demo.generator,
    buyer: demo.buyer,
    async stop() {
      child.removeAllListeners("exit");
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Serves fixed HTML at `/` from another origin (`http://<host>:<port>/`), as a lead
 * generator's own site would.
 */
export async function servePage(html, host = "localhost") {
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(html);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://${host}:${server.address().port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Headless Chromium from Debian's package, with a fresh profile. */
export function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** Calls the API with an org's key and returns `{ status, body }`. */
export async function api(baseUrl, path, { key, method = "POST", body } = {}) {
  const headers = {};
  if (key) headers["x-api-key"] = key;
  if (body !== undefined) headers["content-type"] = "application/json";
  const url = path.startsWith("http") ? path : `${baseUrl}${path}`;
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** Fills in the demo form like a person: clicks each field and types with key presses. */
export async function fillDemoForm(page, lead) {
  for (const [name, value] of Object.entries(lead)) {
    await page.click(`input[name=${name}]`);
    await page.keyboard.type(value, { delay: 15 });
  }
  await page.click("input[name=consent]");
}

/** Clicks submit and waits until the demo page reports the capture's outcome. */
export async function submitDemoForm(page) {
  await page.click("button[data-ec-submit]");
  await page.waitForSelector("#ec-status[data-state=done], #ec-status[data-state=error]");
  return page.evaluate(() => ({ result: window.lastCapture, error: window.lastCaptureError }));
}

/**
 * The ids of the CDRs whose evidence the server has stored, from its data folder: folders
 * that hold a `capture.json` (a folder appears a moment before its file is renamed into it).
 */
export async function storedCdrIds(dataDir) {
  const root = join(dataDir, "evidence", "cdrs");
  const names = await readdir(root).catch(() => []);
  const stored = await Promise.all(
    names.map((name) => name.startsWith("cdr_") && access(join(root, name, "capture.json")).then(() => true, () => false)),
  );
  return names.filter((_, i) => stored[i]);
}

/** The capture a CDR was made from, as the SDK uploaded it. */
export async function storedCapture(dataDir, cdrId) {
  return JSON.parse(await readFile(join(dataDir, "evidence", "cdrs", cdrId, "capture.json"), "utf8"));
}

/**
 * Resolves with `check()`'s first truthy result; rejects once `timeoutMs` has passed
 * without one. For outcomes that arrive in the background (a re-sent capture).
 */
export async function waitFor(check, { timeoutMs = 15_000, what = "the condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A lead form page that loads the script-tag SDK from `server` with the generator's cid. */
export function formPage(server, body) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Test form</title>
<script src="${server.baseUrl}/sdk/v1/sdk.js" data-ec-cid="${server.generator.orgId}"></script>
</head><body>${body}</body></html>`;
}
