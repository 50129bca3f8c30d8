// A real page never fails a capture for its size: on a page over every limit of the
// protocol, the real SDK cuts what it uploads to those limits, and the real server stores it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, startServer, storedCapture } from "./helpers.mjs";

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

test("a page with a huge title and URL, 60 disclosures and 600 fields is captured and stored", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(`${server.baseUrl}/demo/`);
    await page.waitForFunction(() => window.ExpressConsent?.ready);
    const result = await page.evaluate(async () => {
      history.replaceState(null, "", `${location.pathname}?q=${"é".repeat(9000)}`);
      document.title = "Título ✓ ".repeat(500);
      const extra = document.createElement("div");
      let html = "";
      for (let i = 0; i < 60; i++) {
        html += `<p data-ec-disclosure="d${i}">I agree (${i}) to be called.</p>`;
        html += `<input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="d${i}">`;
      }
      for (let i = 0; i < 600; i++) html += `<input name="${"n".repeat(300)}${i}">`;
      extra.innerHTML = html;
      document.body.append(extra);
      return window.ExpressConsent.captureCDR();
    });

    assert.match(result.cdrId, /^cdr_/);
    const stored = await storedCapture(server.dataDir, result.cdrId);
    assert.equal([...stored.page.title].length, 1024);
    assert.ok(stored.page.title.endsWith("…"));
    assert.equal([...stored.page.url].length, 8192);
    assert.equal(stored.disclosures.length, 50);
    assert.equal(Object.keys(stored.telemetry.fields).length, 500);
    assert.ok(stored.snapshot.warnings.some((w) => w.startsWith("61 disclosures on the page")));
  } finally {
    await page.close();
  }
});
