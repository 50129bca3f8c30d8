// What is stored, hashed and served is inert as a file: a page full of scripts, inline
// handlers, javascript: URLs, a scripted iframe and a shadow root with handlers is
// captured by the real SDK in Chromium and accepted by the server's snapshot checker; its
// snapshot, downloaded through the API and opened from disk with JavaScript on (no CSP
// header protects a file), runs nothing: no marker, no console message, no dialog, no
// navigation, even when the consumer's clicks and hovers are replayed on it.
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import { api, formPage, launchBrowser, servePage, startServer } from "./helpers.mjs";

let server;
let browser;
let dir;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), "ec-inert-"));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// What every payload does when it runs: count in `window.ecRan` and log to the console.
// No quotes or spaces, so it fits any attribute, URL or string of the page as is.
const RUN = "window.ecRan=(window.ecRan||0)+1;console.log(String.fromCharCode(69,67))";
const HOSTILE = `
<script>${RUN};</script>
<form id="lead" onsubmit="${RUN}">
  <label><input type="checkbox" id="agree" data-ec-consent-checkbox onclick="${RUN}"> Acepto</label>
  <p data-ec-disclosure="tcpa" onmouseover="${RUN}">Al hacer clic en Enviar acepto recibir llamadas. ¡Gracias! ✓</p>
  <a id="js-link" href="javascript:${RUN}">Términos</a>
  <a id="vb-link" href=" JaVaScRiPt:${RUN}">Privacidad</a>
  <img id="broken" src="/missing.png" alt="" onerror="${RUN}">
  <svg width="20" height="20"><script>${RUN}</script><rect id="svg-rect" width="20" height="20" onclick="${RUN}"/></svg>
  <iframe id="framed" srcdoc="<p onclick=&quot;${RUN}&quot;>inner</p><script>${RUN}</script>"></iframe>
  <div id="host"></div>
  <button type="submit" id="send" data-ec-submit onclick="${RUN}">Enviar</button>
</form>
<script>
  document.getElementById("host").attachShadow({ mode: "open" }).innerHTML =
    '<button id="shadow-button" onclick="${RUN}">sombra</button><img src="/x.png" onerror="${RUN}">';
  document.getElementById("lead").addEventListener("submit", async (event) => {
    event.preventDefault();
    try { window.lastCapture = await window.ExpressConsent.captureCDR({ triggerEvent: event, autoShare: true }); }
    catch (e) { window.lastCaptureError = { code: e.code, message: e.message }; }
  });
</script>`;

/** Captures the hostile page through the real SDK and returns the CDR's share URL. */
async function captureHostilePage() {
  const site = await servePage(formPage(server, HOSTILE), "localhost");
  const page = await browser.newPage();
  try {
    await page.goto(site.url);
    await page.waitForFunction(() => window.ExpressConsent?.ready);
    await page.evaluate(() => window.ExpressConsent.ready);
    await page.click("#agree");
    await page.click("#send");
    await page.waitForFunction(() => window.lastCapture || window.lastCaptureError);
    const { result, error } = await page.evaluate(() => ({
      result: window.lastCapture,
      error: window.lastCaptureError,
    }));
    assert.equal(error, undefined, `the server refused a real page: ${JSON.stringify(error)}`);
    return result;
  } finally {
    await page.close();
    await site.close();
  }
}

describe("a snapshot opened from disk with JavaScript on", () => {
  test("runs nothing, even when the consumer's clicks are replayed on it", async () => {
    const result = await captureHostilePage();
    const claimed = await api(server.baseUrl, result.shareUrl, { key: server.buyer.apiKey });
    assert.equal(claimed.status, 200);
    // The facts the server derived from this real capture agree with the SDK's report.
    const details = await api(server.baseUrl, `/v1/cdrs/${result.cdrId}`, { key: server.buyer.apiKey, method: "GET" });
    assert.deepEqual(details.body.data.discrepancies, []);
    assert.equal(details.body.data.disclosures[0].consentMechanism, "checkbox");
    assert.equal(details.body.data.trigger.submitControl, true);
    const download = await fetch(`${server.baseUrl}/v1/cdrs/${result.cdrId}/snapshot`, {
      headers: { "x-api-key": server.buyer.apiKey },
    });
    assert.equal(download.status, 200);
    const html = await download.text();
    assert.ok(html.includes("Al hacer clic en Enviar"), "the download is the captured page");
    const file = join(dir, "snapshot.html");
    await writeFile(file, html);

    const context = await browser.newContext({ javaScriptEnabled: true });
    const page = await context.newPage();
    const heard = [];
    page.on("console", (message) => {
      // The page's images point at the closed test site: the browser says so, no script.
      if (!message.text().startsWith("Failed to load resource")) heard.push(`console: ${message.text()}`);
    });
    page.on("pageerror", (error) => heard.push(`error: ${error.message}`));
    page.on("dialog", (dialog) => {
      heard.push(`dialog: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    const url = pathToFileURL(file).href;
    try {
      await page.goto(url, { waitUntil: "load" });
      assert.equal(await page.evaluate(() => typeof window), "object", "JavaScript is on in this page");
      // Not the submit button: submitting a form navigates without any script.
      for (const selector of ["#agree", "#js-link", "#vb-link", "#svg-rect"]) {
        await page.click(selector, { timeout: 5_000 });
      }
      await page.hover("[data-ec-disclosure]");
      await page.hover("#send");
      await page.click("#host >> #shadow-button", { timeout: 5_000 });
      // Let anything queued (timers, a refresh of 0 s, image errors) have its turn: wait
      // for two animation frames and a macrotask in the page itself.
      await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r)))),
      );

      assert.deepEqual(heard, [], "no console message, page error or dialog");
      assert.equal(await page.evaluate(() => window.ecRan), undefined, "no payload ran");
      assert.equal(page.url(), url, "no navigation");
      const frames = page.frames().filter((f) => f !== page.mainFrame()).map((f) => f.url());
      assert.deepEqual(frames, ["about:srcdoc"], "the iframe still shows its captured srcdoc");
    } finally {
      await context.close();
    }
  });
});
