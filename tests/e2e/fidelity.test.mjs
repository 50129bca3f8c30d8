// Fidelity: each fixture page of tests/fixtures/ is captured by the real SDK and stored by
// the real server; the stored snapshot is then opened in a fresh page with JavaScript
// disabled, at the same viewport and device pixel ratio, the recorded scroll offsets are
// applied by the test (as a viewer would), and its screenshot is compared pixel by pixel
// with the live page's.
//
// Threshold: every page must have at least 99.5 % identical pixels (MIN_IDENTICAL). The
// per-page figures are printed as a table.
//
// The lead forms in Spanish, Japanese, Arabic (right to left) and emoji are submitted by
// their own button, and their stored evidence must also say what the consumer did: the
// typed values in the snapshot, the text intact, no script or inline handler, and the
// consent checkbox read as ticked (`consentMechanism: "checkbox"`).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { api, launchBrowser, startServer } from "./helpers.mjs";
import { PAGES, openAndAct, serveFixtures, settle } from "./fixtures.mjs";
import { submitLead } from "./lead-pages.mjs";

/** The share of identical pixels each page must reach. */
const MIN_IDENTICAL = 0.995;
const VIEWPORT = { width: 800, height: 600 };
const SCALE = 1;

let server;
let fixtures;
let browser;
const results = [];

before(async () => {
  server = await startServer();
  fixtures = await serveFixtures(server);
  browser = await launchBrowser();
});

after(async () => {
  if (results.length) {
    console.log("\n| page | identical pixels | snapshot bytes | warnings |\n|---|---|---|---|");
    for (const r of results) {
      console.log(`| ${r.name} | ${(r.identical * 100).toFixed(3)} % | ${r.bytes} | ${r.warnings.join("; ") || "—"} |`);
    }
  }
  await browser?.close();
  await fixtures?.close();
  await server?.stop();
});

/** The stored snapshot: from the API when the server offers it, else the evidence file. */
async function storedSnapshot(cdrId) {
  const res = await fetch(`${server.baseUrl}/v1/cdrs/${cdrId}/snapshot`, {
    headers: { "x-api-key": server.generator.apiKey },
  });
  const evidence = JSON.parse(await readFile(join(server.dataDir, "evidence", "cdrs", cdrId, "capture.json"), "utf8").catch(() => "{}"));
  const html = res.status === 200 ? await res.text() : evidence.snapshot?.html;
  assert.ok(html, `snapshot of ${cdrId} is stored`);
  return { html, warnings: evidence.snapshot?.warnings ?? [] };
}

/** Share of pixels that are exactly equal in two same-sized PNG screenshots. */
function identicalShare(a, b) {
  const [x, y] = [PNG.sync.read(a), PNG.sync.read(b)];
  assert.deepEqual([x.width, x.height], [y.width, y.height], "screenshots have the same size");
  let same = 0;
  for (let i = 0; i < x.data.length; i += 4) {
    if (x.data.readUInt32LE(i) === y.data.readUInt32LE(i)) same++;
  }
  return same / (x.width * x.height);
}

/** Restores recorded scroll offsets in a page opened with JavaScript off. */
async function applyScrolls(page) {
  for (const frame of page.frames()) {
    await frame.evaluate(() => {
      const apply = (root) => {
        for (const el of root.querySelectorAll("[data-ec-scroll-x], [data-ec-scroll-y]")) {
          el.scrollLeft = Number(el.getAttribute("data-ec-scroll-x")) || 0;
          el.scrollTop = Number(el.getAttribute("data-ec-scroll-y")) || 0;
        }
        for (const el of root.querySelectorAll("*")) if (el.shadowRoot) apply(el.shadowRoot);
      };
      apply(document);
    });
  }
}

const SHOT = { animations: "disabled", caret: "hide" };

/** What a lead form's stored evidence must say: typed values, text, consent, nothing active. */
async function checkLeadEvidence(lead, cdrId, html) {
  assert.doesNotMatch(html, /<[a-z][^>]*\son[a-z]+=/i, "the snapshot has no inline handlers");
  for (const value of Object.values(lead.typed)) assert.ok(html.includes(`value="${value}"`), `typed value ${value} is in the snapshot`);
  for (const text of lead.text) assert.ok(html.includes(text), `text intact in the snapshot: ${text}`);
  const details = await api(server.baseUrl, `/v1/cdrs/${cdrId}`, { key: server.generator.apiKey, method: "GET" });
  assert.equal(details.status, 200);
  const [disclosure] = details.body.data.disclosures;
  assert.equal(disclosure.id, "tcpa");
  assert.equal(disclosure.consentMechanism, "checkbox", "the ticked consent box is read from the snapshot");
}

describe("a snapshot re-renders like the live page with scripts off", () => {
  for (const fixture of PAGES) {
    test(fixture.name, async () => {
      const live = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: SCALE });
      const view = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: SCALE, javaScriptEnabled: false });
      try {
        const page = await live.newPage();
        await openAndAct(page, fixtures, fixture);
        const liveShot = await page.screenshot(SHOT);
        const result = fixture.lead ? await submitLead(page) : await page.evaluate(() => window.ExpressConsent.captureCDR());
        assert.match(result.cdrId, /^cdr_/);

        const snapshot = await storedSnapshot(result.cdrId);
        assert.doesNotMatch(snapshot.html, /<script/i, "the snapshot has no scripts");
        if (fixture.lead) await checkLeadEvidence(fixture.lead, result.cdrId, snapshot.html);
        const shown = await view.newPage();
        await shown.goto(fixtures.publish(result.cdrId, snapshot.html));
        await settle(shown, { sdk: false });
        await applyScrolls(shown);
        const snapshotShot = await shown.screenshot(SHOT);

        const identical = identicalShare(liveShot, snapshotShot);
        results.push({ name: fixture.name, identical, bytes: snapshot.html.length, warnings: snapshot.warnings });
        if (fixture.warning) {
          assert.ok(snapshot.warnings.some((w) => fixture.warning.test(w)), `warning recorded: ${snapshot.warnings}`);
        }
        assert.ok(identical >= MIN_IDENTICAL, `${fixture.name}: ${(identical * 100).toFixed(3)} % identical pixels`);
      } finally {
        await live.close();
        await view.close();
      }
    });
  }
});
