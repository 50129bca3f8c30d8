// What the consumer saw, where they saw it: each fixture page is captured by the real SDK
// and stored by the real server; the stored snapshot is then opened in a fresh page with
// JavaScript OFF, from the fixtures' other origin (as a buyer opens it: not the page's), and
// the test checks what a person looking at it would notice — no viewer script helps.
//
// - view-scroll.html: the window and two containers are where the consumer left them.
// - view-video.html: a video paused on a green frame shows green, not its red frame 0.
// - view-sprite.html: icons drawn with <use href="sprite.svg#id"> render, in a shadow
//   root too, and nothing of the sprite file runs.
// - view-blob.html: images shown through blob: URLs render, a revoked one too.
// - view-webgl.html: a WebGL canvas without preserveDrawingBuffer shows its drawing.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { PNG } from "pngjs";
import { launchBrowser, startServer } from "./helpers.mjs";
import { serveFixtures, settle } from "./fixtures.mjs";

const VIEWPORT = { width: 800, height: 600 };

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

/**
 * Opens fixture `name`, lets `act` do what the consumer did, captures with the real SDK and
 * opens the stored snapshot with JavaScript off from the other origin. Calls `check` with
 * the live page, the snapshot's page and what was stored.
 */
async function viewed(name, act, check) {
  const live = await browser.newContext({ viewport: VIEWPORT });
  const view = await browser.newContext({ viewport: VIEWPORT, javaScriptEnabled: false });
  try {
    const page = await live.newPage();
    await page.goto(fixtures.url(name));
    await settle(page);
    await act?.(page);
    const result = await page.evaluate(() => window.ExpressConsent.captureCDR());
    assert.match(result.cdrId, /^cdr_/);
    const stored = JSON.parse(await readFile(join(server.dataDir, "evidence", "cdrs", result.cdrId, "capture.json"), "utf8"));
    const html = stored.snapshot.html;
    assert.doesNotMatch(html, /<script/i, "the snapshot has no scripts");
    const shown = await view.newPage();
    // From the other origin: resources of the page's origin are then cross-origin, as they
    // are for a buyer who opens the evidence.
    const url = fixtures.publish(result.cdrId, html).replace("//localhost:", "//127.0.0.1:");
    await shown.goto(url);
    await shown.waitForLoadState("load");
    await check({ page, shown, stored });
  } finally {
    await live.close();
    await view.close();
  }
}

/** The colour `[r, g, b]` at the centre of the element `selector` as the page shows it. */
async function centreColour(page, selector) {
  const png = PNG.sync.read(await page.locator(selector).screenshot({ animations: "disabled" }));
  const at = (Math.floor(png.height / 2) * png.width + Math.floor(png.width / 2)) * 4;
  return [png.data[at], png.data[at + 1], png.data[at + 2]];
}

/** Whether a colour is, by eye, mostly `channel` ("red", "green" or "blue"). */
function isMostly(channel, [r, g, b]) {
  const value = { red: r, green: g, blue: b }[channel];
  const others = [r, g, b].filter((_, i) => i !== ["red", "green", "blue"].indexOf(channel));
  return value > 90 && others.every((other) => other < value - 50);
}

test("the window and scrolled containers open at the offsets the consumer left them", async () => {
  await viewed(
    "view-scroll.html",
    async (page) => {
      await page.evaluate(() => {
        window.scrollTo(0, 230);
        document.getElementById("box").scrollTop = 95;
        document.getElementById("box").scrollLeft = 60;
        document.getElementById("sticky").scrollTop = 70;
      });
      // Scroll events (which the SDK tracks) fire at the next frame.
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    },
    async ({ page, shown }) => {
      const offsets = (p) =>
        p.evaluate(() => {
          const box = document.getElementById("box");
          const sticky = document.getElementById("sticky");
          return {
            window: [scrollX, scrollY],
            box: [box.scrollLeft, box.scrollTop],
            sticky: [sticky.scrollLeft, sticky.scrollTop],
            boxAt: Math.round(box.getBoundingClientRect().top),
          };
        });
      const [before, after] = [await offsets(page), await offsets(shown)];
      assert.deepEqual(before.window, [0, 230], "the live page was scrolled");
      for (const key of ["window", "box", "sticky"]) {
        for (const axis of [0, 1]) {
          assert.ok(Math.abs(after[key][axis] - before[key][axis]) <= 1, `${key}: ${after[key]} opened, ${before[key]} captured`);
        }
      }
      assert.equal(after.boxAt, before.boxAt, "the box is at the same place in the window");
    },
  );
});

test("a video shows the frame it was paused on, not its first frame", async () => {
  await viewed(
    "view-video.html",
    (page) => page.evaluate(() => window.videoReady),
    async ({ page, shown, stored }) => {
      assert.ok(isMostly("green", await centreColour(page, "#clip")), "the live video is paused on green");
      const poster = await shown.locator("#clip").getAttribute("poster");
      assert.match(poster ?? "", /^data:image\/jpeg;base64,/, "the frame is the poster");
      assert.match((await shown.locator("#clip").getAttribute("src")) ?? "", /^data:video\/webm;base64,/, "the blob: source is a data: URL");
      const colour = await centreColour(shown, "#clip");
      assert.ok(isMostly("green", colour), `the snapshot's video shows green, not frame 0's red: ${colour}`);
      assert.doesNotMatch(stored.snapshot.html, /["(]blob:/, "no blob: URL is left");
    },
  );
});

test("icons from an external SVG sprite render, and the sprite's script is not copied", async () => {
  await viewed("view-sprite.html", null, async ({ shown, stored }) => {
    const html = stored.snapshot.html;
    assert.ok(!/onclick/i.test(html), "the sprite's handlers are not copied");
    assert.ok(isMostly("green", await centreColour(shown, "#leaf-icon")), "the leaf (a gradient in the sprite) renders");
    assert.ok(isMostly("blue", await centreColour(shown, "#dot-icon")), "the dot (xlink:href) renders");
    assert.ok(isMostly("blue", await centreColour(shown, "sprite-card >> #shadow-icon")), "the icon in a shadow root renders");
  });
});

test("images shown through blob: URLs render, even once the URL was revoked", async () => {
  await viewed(
    "view-blob.html",
    (page) => page.evaluate(() => window.blobsReady),
    async ({ shown, stored }) => {
      assert.doesNotMatch(stored.snapshot.html, /["(]blob:/, "no blob: URL is left");
      assert.ok(isMostly("blue", await centreColour(shown, "#kept")), "the image whose blob lives renders");
      assert.ok(isMostly("green", await centreColour(shown, "#revoked")), "the image whose blob was revoked renders");
    },
  );
});

test("a WebGL canvas without preserveDrawingBuffer shows its drawing", async () => {
  await viewed(
    "view-webgl.html",
    (page) => page.evaluate(() => window.glReady),
    async ({ page, shown }) => {
      assert.ok(isMostly("green", await centreColour(page, "#gl")), "the live canvas is green");
      const colour = await centreColour(shown, "#gl");
      assert.ok(isMostly("green", colour), `the snapshot's canvas is green: ${colour}`);
    },
  );
});
