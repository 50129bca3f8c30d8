// The npm package as a customer installs it: `npm pack` holds exactly the entry, its types
// and the wasm-pack output, and a page that imports the packed entry captures a CDR.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { launchBrowser, ROOT, startServer, storedCapture } from "./helpers.mjs";

const run = promisify(execFile);
const EXPECTED_FILES = [
  "README.md",
  "js/index.d.ts",
  "js/index.js",
  "package.json",
  "pkg/expressconsent_sdk.d.ts",
  "pkg/expressconsent_sdk.js",
  "pkg/expressconsent_sdk_bg.wasm",
  "pkg/expressconsent_sdk_bg.wasm.d.ts",
];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let server;
let browser;
let unpacked;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  const dir = await mkdtemp(join(tmpdir(), "ec-pack-"));
  const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", dir], { cwd: ROOT });
  const [packed] = JSON.parse(stdout);
  await run("tar", ["-xzf", join(dir, packed.filename), "-C", dir]);
  unpacked = { dir, root: join(dir, "package"), files: packed.files.map((f) => f.path).sort() };
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (unpacked) await rm(unpacked.dir, { recursive: true, force: true });
});

/** Serves the page at `/` and the unpacked package under `/node_modules/expressconsent/`. */
async function serveSite(pageHtml) {
  const prefix = "/node_modules/expressconsent/";
  const site = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path === "/") {
      res.writeHead(200, { "content-type": TYPES[".html"] });
      return res.end(pageHtml);
    }
    const file = normalize(path.slice(prefix.length));
    if (!path.startsWith(prefix) || file.startsWith("..")) {
      res.writeHead(404);
      return res.end();
    }
    try {
      const body = await readFile(join(unpacked.root, file));
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => site.listen(0, "127.0.0.1", r));
  return { url: `http://localhost:${site.address().port}/`, close: () => new Promise((r) => site.close(r)) };
}

describe("the npm package", () => {
  test("packs exactly the entry, its types and the wasm-pack output", () => {
    assert.deepEqual(unpacked.files, EXPECTED_FILES);
  });

  test("works when a page imports it: init, then captureCDR gets a cdrId", async () => {
    const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<script type="importmap">{ "imports": { "expressconsent": "/node_modules/expressconsent/js/index.js" } }</script>
</head><body><form><input name="email" value=""></form>
<script type="module">
  import { init, captureCDR } from "expressconsent";
  try {
    await init({ cid: ${JSON.stringify(server.generator.orgId)}, api: ${JSON.stringify(server.baseUrl)} });
    window.result = await captureCDR({ custom: { via: "npm" }, subGroupIds: ["partner-a"] });
  } catch (e) {
    window.failure = { code: e.code, message: e.message };
  }
</script></body></html>`;
    const site = await serveSite(html);
    const page = await browser.newPage();
    try {
      await page.goto(site.url);
      await page.waitForFunction(() => window.result || window.failure);
      const { result, failure } = await page.evaluate(() => ({ result: window.result, failure: window.failure }));

      assert.equal(failure, undefined, JSON.stringify(failure));
      assert.match(result.cdrId, /^cdr_/);
      assert.match(result.packageData.packageId, /^pkg_/);
      assert.deepEqual(Object.keys(result.packageData.subGroupIdMap), ["partner-a"]);
      const stored = await storedCapture(server.dataDir, result.cdrId);
      assert.deepEqual(stored.custom, { via: "npm" });
      assert.deepEqual(stored.subGroupIds, ["partner-a"]);
    } finally {
      await page.close();
      await site.close();
    }
  });
});
