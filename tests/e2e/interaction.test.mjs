// How the form was filled in and what was pressed, as the evidence records it: a consumer
// types, pastes and clicks in real Chromium; script fills other fields; the server stores
// what the SDK observed, which is read back from its data folder.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { formPage, launchBrowser, servePage, startServer, storedCapture } from "./helpers.mjs";

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

const FORM = `
<form id="lead">
  <input name="typed"> <input name="pasted"> <input name="scripted"> <input name="overwritten">
  <input name="phone" id="phone"> <input type="password" name="secret">
  <label><input type="checkbox" data-ec-consent-checkbox data-ec-consent-for="tcpa"> I agree</label>
  <p data-ec-disclosure="tcpa" style="font-size:13px;color:#555">By clicking Send you agree to calls.</p>
  <button type="submit" data-ec-submit>Send</button>
</form>
<script>
  // An input mask, as many lead forms have: digits become (555) 201-8890 while typing.
  document.getElementById("phone").addEventListener("input", (e) => {
    const d = e.target.value.replace(/\\D/g, "").slice(0, 10);
    e.target.value = d.length > 6 ? "(" + d.slice(0, 3) + ") " + d.slice(3, 6) + "-" + d.slice(6) : d;
  });
  document.getElementById("lead").addEventListener("submit", async (event) => {
    event.preventDefault();
    const options = window.passEvent ? { triggerEvent: event } : {};
    try { window.lastCapture = await window.ExpressConsent.captureCDR(options); }
    catch (e) { window.lastCaptureError = { code: e.code, message: e.message }; }
  });
</script>`;

async function openForm(context) {
  const site = await servePage(formPage(server, FORM), "localhost");
  const page = await context.newPage();
  await page.goto(site.url);
  await page.waitForFunction(() => window.ExpressConsent?.ready);
  await page.evaluate(() => window.ExpressConsent.ready);
  return { site, page };
}

async function capture(page) {
  await page.waitForFunction(() => window.lastCapture || window.lastCaptureError);
  const { result, error } = await page.evaluate(() => ({
    result: window.lastCapture,
    error: window.lastCaptureError,
  }));
  assert.equal(error, undefined, `capture failed: ${JSON.stringify(error)}`);
  return storedCapture(server.dataDir, result.cdrId);
}

describe("telemetry from load to submit", () => {
  test("says per field whether it was typed, pasted or set by script, and never keeps a value", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(site.url).origin });
      await page.evaluate(() => { window.passEvent = true; });

      await page.click("[name=typed]");
      await page.keyboard.type("Dana", { delay: 10 });
      await page.evaluate(() => navigator.clipboard.writeText("555-0100"));
      await page.click("[name=pasted]");
      await page.keyboard.press("Control+V");
      assert.equal(await page.inputValue("[name=pasted]"), "555-0100", "the paste happened");
      await page.click("[name=overwritten]");
      await page.keyboard.type("real", { delay: 10 });
      await page.click("[name=phone]");
      await page.keyboard.type("5552018890", { delay: 10 });
      assert.equal(await page.inputValue("[name=phone]"), "(555) 201-8890", "the mask ran");
      await page.click("[name=secret]");
      await page.keyboard.type("hunter2-secret", { delay: 5 });
      await page.evaluate(() => {
        document.querySelector("[name=scripted]").value = "bot@example.org";
        document.querySelector("[name=overwritten]").value = "replaced by script";
      });
      await page.click("[type=checkbox]");
      await page.click("[data-ec-submit]");
      const stored = await capture(page);

      const { fields, pointerActivity, touchActivity, timeOnPageMs } = stored.telemetry;
      assert.equal(fields.typed.fillMethod, "typed");
      assert.equal(fields.typed.keystrokes, 4);
      assert.ok(fields.typed.focusToSubmitMs > 0 && fields.typed.focusToSubmitMs < timeOnPageMs);
      assert.equal(fields.pasted.fillMethod, "pasted");
      assert.equal(fields.scripted.fillMethod, "programmatic");
      assert.equal(fields.scripted.keystrokes, 0);
      assert.equal(fields.scripted.focusToSubmitMs, undefined, "never focused");
      assert.equal(fields.overwritten.fillMethod, "programmatic", "script replaced what was typed");
      assert.equal(fields.phone.fillMethod, "typed", "a mask reformatting typed digits is not script");
      assert.equal(fields.phone.keystrokes, 10);
      assert.equal(fields.secret.fillMethod, "typed", "masked fields record the method");
      assert.ok(!JSON.stringify(stored).includes("hunter2-secret"), "a password never leaves the browser");
      assert.equal(pointerActivity, true);
      assert.equal(touchActivity, false);

      assert.equal(stored.trigger.isTrusted, true);
      assert.equal(stored.trigger.isTaggedSubmit, true);
      assert.equal(stored.trigger.eventType, "submit");
      assert.equal(stored.trigger.autoDetected, undefined, "the page passed its event");
      const tcpa = stored.disclosures.find((d) => d.id === "tcpa");
      assert.equal(tcpa.text, "By clicking Send you agree to calls.");
      assert.equal(tcpa.rendered && tcpa.inViewport, true);
      assert.equal(tcpa.fontSizePx, 13);
      assert.ok(tcpa.contrastRatio > 7 && tcpa.contrastRatio < 8, `#555 on white is 7.46: ${tcpa.contrastRatio}`);
      assert.deepEqual(stored.consentCheckboxes, [{ consentFor: "tcpa", checked: true }]);
    } finally {
      await context.close();
      await site.close();
    }
  });
});

describe("the trigger without a triggerEvent", () => {
  test("is the tagged control the consumer pressed, here by Enter in a field", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      await page.click("[name=typed]");
      await page.keyboard.type("Dana");
      await page.keyboard.press("Enter"); // implicit submission clicks the submit button
      const stored = await capture(page);

      assert.equal(stored.trigger.autoDetected, true);
      assert.equal(stored.trigger.isTrusted, true);
      assert.equal(stored.trigger.isTaggedSubmit, true);
      assert.equal(stored.trigger.tagName, "button");
      assert.equal(stored.trigger.text, "Send");
    } finally {
      await context.close();
      await site.close();
    }
  });

  test("is absent when nothing tagged was pressed by the consumer", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      // Script clicks: untrusted, so not a press by the consumer.
      await page.evaluate(() => document.querySelector("[data-ec-submit]").click());
      const stored = await capture(page);

      assert.equal(stored.trigger, undefined);
    } finally {
      await context.close();
      await site.close();
    }
  });

  test("a submit that script caused is recorded as not trusted, though the browser fired it", async () => {
    const context = await browser.newContext();
    const { site, page } = await openForm(context);
    try {
      await page.evaluate(() => {
        window.passEvent = true;
        document.querySelector("[data-ec-submit]").click();
      });
      const stored = await capture(page);

      assert.equal(stored.trigger.eventType, "submit");
      assert.equal(stored.trigger.isTaggedSubmit, true);
      assert.equal(stored.trigger.isTrusted, false);
    } finally {
      await context.close();
      await site.close();
    }
  });
});
