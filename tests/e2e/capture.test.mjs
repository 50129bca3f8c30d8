// A consumer fills in the demo lead form in real Chromium; the SDK captures and uploads a CDR
// to the real server; a lead buyer claims it through the share URL.
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { api, fillDemoForm, launchBrowser, servePage, startServer, submitDemoForm } from "./helpers.mjs";

const LEAD = { name: "Dana Whitfield", email: "dana.whitfield@example.org", phone: "(555) 201-8890", zip: "94107" };
const DISCLOSURE_SNIPPET = "including by autodialed or prerecorded calls and text messages";

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The demo form as the server renders it (absolute SDK URL, demo cid filled in). */
async function demoHtml() {
  const res = await fetch(`${server.baseUrl}/demo/`);
  assert.equal(res.status, 200);
  return res.text();
}

async function storedEvidence(cdrId) {
  return readFile(join(server.dataDir, "evidence", "cdrs", cdrId, "capture.json"), "utf8");
}

/** Evidence files the server stored: captures (images, reports and archived assets are
 * derived in the background, so their number moves on its own after a capture). */
async function storedFileCount() {
  const root = join(server.dataDir, "evidence", "cdrs");
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && e.name === "capture.json").length;
}

describe("a lead form on the generator's own origin", () => {
  test("captures a CDR that a buyer can claim exactly once", async () => {
    const site = await servePage(await demoHtml(), "localhost");
    const page = await browser.newPage();
    try {
      await page.goto(site.url);
      await fillDemoForm(page, LEAD);
      const { result, error } = await submitDemoForm(page);

      assert.equal(error, undefined, `capture failed: ${JSON.stringify(error)}`);
      assert.match(result.cdrId, /^cdr_/);
      assert.match(result.packageData.packageId, /\S/);
      const shareUrl = new URL(result.shareUrl);
      assert.equal(shareUrl.origin, new URL(server.baseUrl).origin, "shareUrl is absolute, on the API host");
      assert.equal(shareUrl.pathname, `/v1/shares/${result.shareToken}`);
      assert.ok(result.shareExpiresAt > Date.now() + 29 * 24 * 3600 * 1000, "default expiry is 30 days");

      const first = await api(server.baseUrl, result.shareUrl, { key: server.buyer.apiKey });
      assert.equal(first.status, 200);
      assert.equal(first.body.ok, true);
      assert.equal(first.body.data.claimed, true);
      assert.equal(first.body.data.alreadyClaimed, false);
      assert.equal(first.body.data.cdrId, result.cdrId);
      assert.equal(first.body.data.domainId, "localhost");
      assert.match(first.body.data.shareEventId, /^se_/);

      const second = await api(server.baseUrl, result.shareUrl, { key: server.buyer.apiKey });
      assert.equal(second.status, 200);
      assert.equal(second.body.data.alreadyClaimed, true);

      const evidence = await storedEvidence(result.cdrId);
      assert.ok(evidence.includes(LEAD.email), "the snapshot holds the typed email address");
      assert.ok(evidence.includes(DISCLOSURE_SNIPPET), "the snapshot holds the disclosure text");
      assert.ok(!evidence.includes("fall-promo-internal"), "hidden inputs' values never leave the browser");

      const details = await api(server.baseUrl, `/v1/cdrs/${result.cdrId}`, { key: server.buyer.apiKey, method: "GET" });
      assert.equal(details.status, 200);
      assert.equal(details.body.data.disclosures[0].id, "tcpa");
      assert.equal(details.body.data.disclosures[0].consentMechanism, "checkbox");
      assert.equal(details.body.data.trigger.isTrusted, true);
    } finally {
      await page.close();
      await site.close();
    }
  });

  test("a submit without the box ticked is recorded as unchecked consent", async () => {
    const site = await servePage(await demoHtml(), "localhost");
    const page = await browser.newPage();
    try {
      await page.goto(site.url);
      await fillDemoForm(page, LEAD);
      await page.click("input[name=consent]"); // untick it again
      const { result } = await submitDemoForm(page);
      const details = await api(server.baseUrl, `/v1/cdrs/${result.cdrId}`, { key: server.generator.apiKey, method: "GET" });
      assert.equal(details.body.data.disclosures[0].consentMechanism, "unchecked");
    } finally {
      await page.close();
      await site.close();
    }
  });

  test("the script tag installs captureCDR at once, before the wasm module has loaded", async () => {
    const site = await servePage(await demoHtml(), "localhost");
    const page = await browser.newPage();
    try {
      await page.goto(site.url, { waitUntil: "commit" });
      await page.waitForFunction(() => typeof window.ExpressConsent?.captureCDR === "function");
      const rejected = await page.evaluate(() =>
        window.ExpressConsent.captureCDR({ autoShare: { expiresInMs: 0 } }).then(
          () => null,
          (e) => ({ code: e.code, isError: e instanceof Error }),
        ),
      );
      assert.deepEqual(rejected, { code: "INVALID_ARGUMENT", isError: true });
    } finally {
      await page.close();
      await site.close();
    }
  });
});

describe("the demo form served by the server itself", () => {
  test("loads the SDK in two compressed requests: the script and the wasm", async () => {
    const page = await browser.newPage();
    const sdkResponses = [];
    page.on("response", (res) => {
      if (new URL(res.url()).pathname.startsWith("/sdk/v1/")) sdkResponses.push(res);
    });
    try {
      await page.goto(`${server.baseUrl}/demo/`);
      await page.evaluate(() => window.ExpressConsent.ready);
      const files = await Promise.all(
        sdkResponses.map(async (res) => ({
          file: new URL(res.url()).pathname.slice("/sdk/v1/".length),
          encoding: (await res.allHeaders())["content-encoding"],
        })),
      );
      assert.deepEqual(files.map((f) => f.file).sort(), ["expressconsent_sdk_bg.wasm", "sdk.js"]);
      for (const f of files) assert.ok(["gzip", "br"].includes(f.encoding), `${f.file} came as ${f.encoding}`);
    } finally {
      await page.close();
    }
  });

  test("captures with a custom share expiry", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.baseUrl}/demo/`);
      await fillDemoForm(page, LEAD);
      await page.waitForFunction(() => window.ExpressConsent?.ready);
      const result = await page.evaluate(() =>
        window.ExpressConsent.captureCDR({ autoShare: { expiresInMs: 7 * 24 * 3600 * 1000 } }),
      );
      assert.match(result.cdrId, /^cdr_/);
      const week = 7 * 24 * 3600 * 1000;
      assert.ok(Math.abs(result.shareExpiresAt - (Date.now() + week)) < 60_000, "expiry honours expiresInMs");
      assert.ok((await storedEvidence(result.cdrId)).includes(LEAD.email));
    } finally {
      await page.close();
    }
  });

  test("without autoShare the result has no share fields", async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.baseUrl}/demo/`);
      const result = await page.evaluate(() => window.ExpressConsent.captureCDR());
      assert.match(result.cdrId, /^cdr_/);
      assert.equal(result.shareUrl, undefined);
      assert.equal(result.shareToken, undefined);
    } finally {
      await page.close();
    }
  });
});

describe("a page on a host that is not a registered domain", () => {
  test("cannot upload, is told why, and nothing is stored", async () => {
    const before = await storedFileCount();
    const site = await servePage(await demoHtml(), "unregistered.test");
    const page = await browser.newPage();
    try {
      await page.goto(site.url);
      await fillDemoForm(page, LEAD);
      const { result, error } = await submitDemoForm(page);
      assert.equal(result, undefined);
      // CORS is refused for unregistered origins, so the browser cannot even send the upload.
      assert.equal(error.code, "NETWORK");
      assert.match(error.message, /not registered/);
      assert.equal(await storedFileCount(), before);
    } finally {
      await page.close();
      await site.close();
    }
  });
});
