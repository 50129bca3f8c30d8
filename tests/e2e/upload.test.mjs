// The upload never loses a submission: it is compressed and keyed, retried through server
// failures, kept in localStorage when the server stays unreachable (or the page goes away
// mid-upload) and delivered by the next page load, stored once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  formPage,
  launchBrowser,
  servePage,
  startServer,
  storedCapture,
  storedCdrIds,
  waitFor,
} from "./helpers.mjs";

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

const CAPTURES = "**/v1/captures?**";

async function openForm(context) {
  const site = await servePage(formPage(server, `<form><input name="email"></form>`), "localhost");
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => window.ExpressConsent?.ready);
  await page.evaluate(() => window.ExpressConsent.ready);
  return { site, page };
}

/** Calls captureCDR in the page; resolves `{ result }` or `{ error: { code, message } }`. */
function captureIn(page, options) {
  return page.evaluate(
    (options) =>
      window.ExpressConsent.captureCDR(options).then(
        (result) => ({ result }),
        (e) => ({ error: { code: e.code, message: e.message } }),
      ),
    options,
  );
}

function pendingItems(page) {
  return page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("ec_pending_v1:")));
}

/** The stored CDRs whose capture carries `key`. */
async function cdrsWithKey(key) {
  const ids = await storedCdrIds(server.dataDir);
  const captures = await Promise.all(ids.map((id) => storedCapture(server.dataDir, id)));
  return ids.filter((_, i) => captures[i].idempotencyKey === key);
}

describe("an upload through server failures", () => {
  test("is retried with the same key and compressed body until the server takes it, stored once", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    const seen = [];
    try {
      await page.route(CAPTURES, async (route) => {
        const request = route.request();
        seen.push({ key: request.headers()["x-idempotency-key"], encoding: request.headers()["content-encoding"] });
        if (seen.length === 1) return route.abort("connectionrefused");
        if (seen.length === 2) {
          return route.fulfill({
            status: 503,
            headers: { "access-control-allow-origin": new URL(site.url).origin },
            body: "<html>maintenance</html>",
          });
        }
        return route.continue();
      });

      const { result, error } = await captureIn(page, { timeoutMs: 15_000 });

      assert.equal(error, undefined, JSON.stringify(error));
      assert.equal(seen.length, 3, "two failures, then delivered");
      assert.ok(seen.every((s) => s.encoding === "gzip"), JSON.stringify(seen));
      assert.ok(seen[0].key && seen.every((s) => s.key === seen[0].key), "one idempotency key");
      const stored = await cdrsWithKey(seen[0].key);
      assert.deepEqual(stored, [result.cdrId], "exactly one CDR");
      assert.deepEqual(await pendingItems(page), [], "nothing left to re-send");
    } finally {
      await context.close();
      await site.close();
    }
  });

  test("that is refused for good is not retried and not kept", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    let attempts = 0;
    try {
      await page.route(CAPTURES, (route) => {
        attempts += 1;
        return route.fulfill({
          status: 403,
          headers: { "access-control-allow-origin": new URL(site.url).origin, "content-type": "application/json" },
          body: JSON.stringify({ ok: false, error: { code: "FORBIDDEN", message: "not yours", requestId: "r" } }),
        });
      });

      const { error } = await captureIn(page, {});

      assert.equal(error.code, "REJECTED");
      assert.equal(attempts, 1);
      assert.deepEqual(await pendingItems(page), []);
    } finally {
      await context.close();
      await site.close();
    }
  });
});

describe("a capture the server cannot receive", () => {
  test("is kept in localStorage and delivered by the next page load with the same key", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      await page.route(CAPTURES, (route) => route.abort("connectionrefused"));
      const before = (await storedCdrIds(server.dataDir)).length;

      const { error } = await captureIn(page, { timeoutMs: 3_000 });

      assert.ok(["NETWORK", "TIMEOUT"].includes(error?.code), JSON.stringify(error));
      const items = await pendingItems(page);
      assert.equal(items.length, 1, "kept for later");
      const key = items[0].split(":").slice(3).join(":");
      assert.equal((await storedCdrIds(server.dataDir)).length, before, "nothing stored yet");

      await page.unroute(CAPTURES);
      await page.reload();

      const [cdrId] = await waitFor(async () => {
        const ids = await cdrsWithKey(key);
        return ids.length ? ids : null;
      }, { what: "the kept capture to arrive" });
      await waitFor(async () => (await pendingItems(page)).length === 0, { what: "the item to be removed" });
      assert.deepEqual(await cdrsWithKey(key), [cdrId], "stored once");
    } finally {
      await context.close();
      await site.close();
    }
  });

  test("is kept when the page goes away mid-upload, and delivered by the next load", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      let held = null;
      await page.route(CAPTURES, (route) => {
        if (!held) {
          held = route.request(); // never answered: the consumer leaves while it is in flight
          return;
        }
        return route.continue();
      });
      await page.evaluate(() => { window.ExpressConsent.captureCDR().catch(() => {}); });
      await waitFor(() => held, { what: "the upload to start" });
      const key = held.headers()["x-idempotency-key"];

      await page.reload();

      const [cdrId] = await waitFor(async () => {
        const ids = await cdrsWithKey(key);
        return ids.length ? ids : null;
      }, { what: "the capture to arrive" });
      assert.match(cdrId, /^cdr_/);
      await waitFor(async () => (await pendingItems(page)).length === 0, { what: "the item to be removed" });
    } finally {
      await context.close();
      await site.close();
    }
  });
});

describe("custom over 16 KiB", () => {
  test("is INVALID_ARGUMENT before anything is sent or stored", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    let attempts = 0;
    try {
      await page.route(CAPTURES, (route) => {
        attempts += 1;
        return route.continue();
      });
      const before = (await storedCdrIds(server.dataDir)).length;

      const { error } = await captureIn(page, { custom: { note: "x".repeat(16 * 1024) } });

      assert.equal(error.code, "INVALID_ARGUMENT");
      assert.match(error.message, /custom/);
      assert.equal(attempts, 0);
      assert.equal((await storedCdrIds(server.dataDir)).length, before);
      assert.deepEqual(await pendingItems(page), []);
    } finally {
      await context.close();
      await site.close();
    }
  });
});
