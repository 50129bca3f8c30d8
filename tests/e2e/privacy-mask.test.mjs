// Masking hides everything: tests/fixtures/mask-attributes.html has a `data-ec-mask`
// section whose every attribute that could name the consumer (links, titles, alt text,
// placeholders, aria labels, data-* values, image sources, a background image, a poster,
// a canvas signature), in an open shadow root and in a same-origin iframe too, carries the
// word "quist" or the phone digits. The real SDK captures it; the test reads the POST
// /v1/captures body as Chromium sent it and the evidence the server stored, and finds
// neither — then opens the stored snapshot with JavaScript off and checks that the
// attributes that give the page its shape are still there and the boxes keep their size.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { launchBrowser, startServer } from "./helpers.mjs";
import { serveFixtures, settle } from "./fixtures.mjs";

const PERSONAL = [/quist/i, /5550104477/];
/** The image an image under data-ec-mask shows instead of its picture. */
const PLACEHOLDER = /^data:image\/svg\+xml,/;
/**
 * Elements whose laid-out box must not change. (Text and labels become bullets, one per
 * character, which are not as wide as the letters they replace; so boxes sized by their
 * text, and the lines they wrap into, may differ by a few pixels.)
 */
const BOXES = ["#photo", "#natural", "#picked", "#avatar", "#email", "#notes", "#clip", "#signature", "#drawn", "#framed"];

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

/** The boxes of `BOXES` as `[width, height]`, rounded to the pixel. */
function boxes(page) {
  return page.evaluate((selectors) => {
    const out = {};
    for (const selector of selectors) {
      const box = document.querySelector(selector).getBoundingClientRect();
      out[selector] = [Math.round(box.width), Math.round(box.height)];
    }
    return out;
  }, BOXES);
}

test("nothing personal under data-ec-mask is uploaded or stored, and the masked section keeps its shape", async () => {
  const live = await browser.newContext({ viewport: { width: 800, height: 900 } });
  const view = await browser.newContext({ viewport: { width: 800, height: 900 }, javaScriptEnabled: false });
  try {
    const page = await live.newPage();
    await page.goto(fixtures.url("mask-attributes.html"));
    await settle(page);
    await page.fill("#notes", "Call Zelda Quist after 5");
    const uploads = [];
    page.on("request", (request) => {
      if (request.method() === "POST" && new URL(request.url()).pathname === "/v1/captures") uploads.push(request.postDataBuffer());
    });
    const liveBoxes = await boxes(page);
    const result = await page.evaluate(() => window.ExpressConsent.captureCDR());
    assert.match(result.cdrId, /^cdr_/);

    assert.equal(uploads.length, 1, "one upload was sent");
    const sent = (() => {
      try {
        return gunzipSync(uploads[0]).toString("utf8");
      } catch {
        return uploads[0].toString("utf8");
      }
    })();
    const stored = await readFile(join(server.dataDir, "evidence", "cdrs", result.cdrId, "capture.json"), "utf8");
    assert.ok(sent.includes("Visible title 6161") && sent.includes("mailto:visible@example.org"), "what is not masked is uploaded as it is");
    for (const personal of PERSONAL) {
      assert.doesNotMatch(sent, personal, "uploaded");
      assert.doesNotMatch(stored, personal, "stored");
    }

    const html = JSON.parse(stored).snapshot.html;
    const shown = await view.newPage();
    await shown.goto(fixtures.publish(result.cdrId, html));
    await shown.waitForLoadState("load");
    const attrs = await shown.evaluate(() => {
      const get = (selector, root = document) => {
        const element = root.querySelector(selector);
        return element && Object.fromEntries([...element.attributes].map((a) => [a.name, a.value]));
      };
      const shadow = document.querySelector("masked-card").shadowRoot;
      const frame = new DOMParser().parseFromString(document.querySelector("#child").getAttribute("srcdoc") ?? "", "text/html");
      return {
        profile: get("#profile"),
        mail: get("#mail"),
        phone: get("#phone"),
        page: get("#page"),
        photo: get("#photo"),
        natural: get("#natural"),
        source: get("#pictured source"),
        picked: get("#picked"),
        avatar: get("#avatar"),
        email: get("#email"),
        notes: get("#notes"),
        option: get("#who option"),
        send: get("#send"),
        clip: get("#clip"),
        signature: get("#signature"),
        signatureContent: document.querySelector("#signature").innerHTML,
        drawn: get("#drawn"),
        framed: get("#framed"),
        shadowPhoto: get("#shadow-photo", shadow),
        shadowMail: get("#shadow-mail", shadow),
        frameMail: get("#frame-mail", frame),
        framePhoto: get("#frame-photo", frame),
        visible: get("#visible"),
      };
    });
    const bullets = (text) => text.replace(/\S/g, "•");

    // Layout-bearing attributes and the SDK's own tags stay.
    assert.equal(attrs.profile.class, "card");
    assert.ok("data-ec-mask" in attrs.profile);
    assert.equal(attrs.profile.title, bullets("Profile of Zelda Quist"), "a title keeps its length");
    assert.equal(attrs.profile["aria-label"], bullets("Zelda Quist's profile"));
    assert.equal(attrs.profile["data-user"], bullets("zelda-quist-77"));
    // Links keep looking like links.
    for (const link of [attrs.mail, attrs.phone, attrs.page, attrs.shadowMail, attrs.frameMail]) assert.equal(link.href, "#");
    assert.equal(attrs.mail.class, "contact");
    assert.equal(attrs.shadowMail.class, "shadow-contact");
    assert.equal(attrs.frameMail.class, "frame-contact");
    // Images show the placeholder in the same box.
    for (const image of [attrs.photo, attrs.natural, attrs.picked, attrs.shadowPhoto, attrs.framePhoto]) assert.match(image.src, PLACEHOLDER);
    assert.equal(attrs.photo.class, "portrait");
    assert.deepEqual([attrs.photo.width, attrs.photo.height], ["40", "40"]);
    assert.equal(attrs.photo.alt, bullets("Photo of Zelda Quist"));
    assert.ok(!("srcset" in attrs.picked) && !("data-ec-srcset" in attrs.picked) && !("srcset" in attrs.source), "no image candidates");
    assert.match(attrs.avatar.style, /background-image: url\("data:image\/svg\+xml,/);
    assert.match(attrs.avatar.style, /border: 1px solid/);
    assert.deepEqual([attrs.avatar.class, attrs.avatar.role], ["avatar", "img"]);
    // Fields keep their kind and size, not their words.
    assert.deepEqual([attrs.email.type, attrs.email.size], ["email", "24"]);
    assert.equal(attrs.email.placeholder, bullets("zelda.quist@example.org"));
    assert.ok(!("value" in attrs.email), "the value is not captured");
    assert.deepEqual([attrs.notes.rows, attrs.notes.cols], ["3", "20"]);
    assert.equal(attrs.option.label, bullets("Zelda Quist"));
    assert.equal(attrs.send.value, bullets("send-to-zelda-quist"));
    assert.ok("data-ec-submit" in attrs.send);
    // Media: the poster is the placeholder, the source is gone; the canvas is blank.
    assert.match(attrs.clip.poster, PLACEHOLDER);
    assert.ok(!("src" in attrs.clip));
    assert.deepEqual([attrs.signature.width, attrs.signature.height], ["120", "40"]);
    assert.equal(attrs.signatureContent, "", "the canvas's pixels are not captured");
    assert.equal(attrs.drawn.viewBox, "0 0 60 20");
    assert.ok(!("src" in attrs.framed) && !("srcdoc" in attrs.framed), "a masked iframe is not captured");
    // Outside the mask nothing changes.
    assert.equal(attrs.visible.title, "Visible title 6161");

    assert.deepEqual(await boxes(shown), liveBoxes, "every masked box keeps its size");
  } finally {
    await live.close();
    await view.close();
  }
});
