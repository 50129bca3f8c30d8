// Privacy: what never leaves the browser, checked in the bytes actually uploaded. A page
// with a password, payment-card fields, a hidden input and `data-ec-mask` content — in the
// document, in an open shadow root and in a same-origin iframe — is captured by the real
// SDK; the test reads the POST /v1/captures body as Chromium sent it (decompressing it if
// the SDK compressed it) and the evidence the server stored, and finds none of the values.
// The same holds for real lead forms in Spanish, Japanese, Arabic and emoji, submitted by
// their own button.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { launchBrowser, startServer } from "./helpers.mjs";
import { serveFixtures, settle } from "./fixtures.mjs";
import { LEAD_PAGES, fillLead, leadSecrets, submitLead } from "./lead-pages.mjs";

const SECRETS = {
  "#password": "hunter2-password-value",
  "#card": "4111111111111111",
  // Not three digits: those turn up by chance in ids and timings of the body.
  "#cvc": "cvc-value-7q3z",
  "#masked-input": "masked-field-value-5521",
};
const IN_SHADOW = { "#shadow-password": "shadow-password-value-31", "#shadow-masked": "shadow-masked-value-77" };
const IN_FRAME = { "#frame-password": "frame-password-value-62", "#frame-card": "5500005555555559" };
const IN_MARKUP = [
  "hidden-token-5f2c9a",
  "masked-ssn-078051120",
  // The card-expiry choice, as it would read in the JSON body: <option selected="">…
  'selected=\\"\\">secret-month-07',
  "shadow-masked-text-4417",
  "frame-hidden-3391",
  "frame-masked-text-8821",
];

let server;
let fixtures;
let browser;

before(async () => {
  server = await startServer();
  fixtures = await serveFixtures(server);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await fixtures?.close();
  await server?.stop();
});

/** The request body as text, whatever compression the SDK applied. */
function bodyText(buffer) {
  for (const decode of [gunzipSync, inflateSync, inflateRawSync]) {
    try {
      return decode(buffer).toString("utf8");
    } catch {
      // not this encoding
    }
  }
  return buffer.toString("utf8");
}

test("passwords, card fields, hidden inputs and masked content are not in the uploaded bytes", async () => {
  const page = await browser.newPage();
  try {
    await page.goto(fixtures.url("private.html"));
    await settle(page);
    for (const [selector, value] of Object.entries(SECRETS)) await page.fill(selector, value);
    await page.selectOption("#exp", { index: 1 });
    for (const [selector, value] of Object.entries(IN_SHADOW)) await page.fill(`secret-widget >> ${selector}`, value);
    const frame = page.frameLocator("iframe");
    for (const [selector, value] of Object.entries(IN_FRAME)) await frame.locator(selector).fill(value);
    await page.fill("#name", "Visible Name 8080");

    const uploads = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/captures") {
        uploads.push(request.postDataBuffer());
      }
    });
    const result = await page.evaluate(() => window.ExpressConsent.captureCDR());
    assert.match(result.cdrId, /^cdr_/);

    assert.equal(uploads.length, 1, "one upload was sent");
    const sent = bodyText(uploads[0]);
    const stored = await readFile(join(server.dataDir, "evidence", "cdrs", result.cdrId, "capture.json"), "utf8").catch(() => "");
    assert.ok(sent.includes("Visible Name 8080"), "the body is readable: the visible value is in it");
    assert.ok(sent.includes("shadowrootmode") && sent.includes("srcdoc"), "shadow roots and the iframe were captured");
    const secrets = [...Object.values(SECRETS), ...Object.values(IN_SHADOW), ...Object.values(IN_FRAME), ...IN_MARKUP];
    for (const secret of secrets) {
      assert.ok(!sent.includes(secret), `${secret} was uploaded`);
      assert.ok(!stored.includes(secret), `${secret} was stored`);
    }
  } finally {
    await page.close();
  }
});

for (const lead of LEAD_PAGES) {
  test(`${lead.name}: the password, the hidden input and the masked text are not uploaded or stored`, async () => {
    const page = await browser.newPage();
    try {
      await page.goto(fixtures.url(lead.name));
      await settle(page);
      await fillLead(page, lead);
      const uploads = [];
      page.on("request", (request) => {
        if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/captures") {
          uploads.push(request.postDataBuffer());
        }
      });
      const result = await submitLead(page);

      assert.equal(uploads.length, 1, "one upload was sent");
      const sent = bodyText(uploads[0]);
      const stored = await readFile(join(server.dataDir, "evidence", "cdrs", result.cdrId, "capture.json"), "utf8");
      for (const value of Object.values(lead.typed)) {
        assert.ok(sent.includes(value) && stored.includes(value), `the typed ${value} is in the upload and the evidence`);
      }
      for (const secret of leadSecrets(lead)) {
        assert.ok(!sent.includes(secret), `${secret} was uploaded`);
        assert.ok(!stored.includes(secret), `${secret} was stored`);
      }
    } finally {
      await page.close();
    }
  });
}
