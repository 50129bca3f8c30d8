// The evidence image (issue 11 point 3): each fixture page of the fidelity and privacy
// suites is captured by the real SDK and stored by the real server, which archives its
// assets and renders the image with headless Chromium in the background. The test takes a
// live full-page screenshot at the same viewport and device pixel ratio just before the
// capture, polls `GET /v1/cdrs/:id/image` until it answers 200 (honouring `Retry-After`),
// and compares the two pixel by pixel outside the outlined boxes that
// `GET /v1/cdrs/:id` lists (plus OUTLINE_MARGIN pixels): at least 99.5 % must be
// identical (MIN_IDENTICAL). The per-page figures are printed as a table.
//
// The outline is checked too: along each outlined box's ring the rendered image is red and
// the live screenshot is not. Every answer seen while polling that was not the image must
// be the documented `202` with a positive integer `Retry-After`.
//
// Then the archive: a page whose colours come from a cross-origin style sheet, an image it
// references in `url()` and an `<img>`, all served by an origin of this test. Once the
// server lists them as archived the origin switches to other colours; the image (rendered
// again after the switch, since the test removes the first one and the server renders a
// missing image anew when asked) still shows the original colours, and the origin is asked
// for nothing more.
//
// The live browser is playwright-core's launch of Debian's Chromium (`launchBrowser`), which
// like the renderer runs `--headless=new`; Playwright adds `--hide-scrollbars` in headless
// mode, and the renderer's Chromium shows no scrollbar in a full-page capture either, so
// the two images have the same size.
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PNG } from "pngjs";
import { api, launchBrowser, startServer } from "./helpers.mjs";
import { PAGES, openAndAct, serveFixtures, settle } from "./fixtures.mjs";
import { submitLead } from "./lead-pages.mjs";

/** The share of identical pixels outside the outlined boxes each page must reach. */
const MIN_IDENTICAL = 0.995;
/** Pixels around each outlined box left out of the comparison (antialiased edges). */
const OUTLINE_MARGIN = 4;
const VIEWPORT = { width: 800, height: 600 };
const SCALE = 1;
/** The longest the test waits for an image, from the capture's answer. */
const IMAGE_TIMEOUT_MS = 60_000;
const SHOT = { fullPage: true, animations: "disabled", caret: "hide" };

let server;
let fixtures;
let browser;
let swapOrigin;
const results = [];

before(async () => {
  server = await startServer();
  swapOrigin = await serveSwitchableAssets();
  fixtures = await serveFixtures(server, { vars: { SWAP_ORIGIN: swapOrigin.url } });
  browser = await launchBrowser();
});

after(async () => {
  if (results.length) {
    console.log(
      "\n| page | identical pixels outside outlines | image size | outlined boxes | image after capture | 202 answers |\n|---|---|---|---|---|---|",
    );
    for (const r of results) {
      console.log(
        `| ${r.name} | ${(r.identical * 100).toFixed(3)} % | ${r.width} × ${r.height} | ${r.outlined} | ${(r.waitedMs / 1000).toFixed(1)} s | ${r.pending} |`,
      );
    }
  }
  await browser?.close();
  await fixtures?.close();
  await swapOrigin?.close();
  await server?.stop();
});

/**
 * Asks for the image until it is there, waiting what each `202` says in `Retry-After`
 * (bounded by IMAGE_TIMEOUT_MS in all). Every answer that is not the image must be the
 * documented pending one. Resolves with the PNG's bytes and the pending answers seen.
 */
async function fetchImage(cdrId) {
  const started = Date.now();
  const deadline = started + IMAGE_TIMEOUT_MS;
  let pending = 0;
  for (;;) {
    const res = await fetch(`${server.baseUrl}/v1/cdrs/${cdrId}/image`, { headers: { "x-api-key": server.generator.apiKey } });
    if (res.status === 200) {
      assert.equal(res.headers.get("content-type"), "image/png");
      return { png: Buffer.from(await res.arrayBuffer()), pending, waitedMs: Date.now() - started };
    }
    const body = await res.text();
    assert.equal(res.status, 202, `GET /image answered ${res.status}: ${body}`);
    const retryAfter = res.headers.get("retry-after");
    assert.match(retryAfter ?? "", /^[1-9][0-9]*$/, "a 202 carries a positive whole number of seconds in Retry-After");
    const { ok, data } = JSON.parse(body);
    assert.deepEqual({ ok, data }, { ok: true, data: { status: "pending", retryAfterSeconds: Number(retryAfter) } });
    pending++;
    if (Date.now() >= deadline) throw new Error(`no image for ${cdrId} after ${IMAGE_TIMEOUT_MS} ms (${pending} answers of 202)`);
    await new Promise((r) => setTimeout(r, Math.min(Number(retryAfter) * 1000, deadline - Date.now())));
  }
}

/** `GET /v1/cdrs/:id` as the generator. */
async function details(cdrId) {
  const res = await api(server.baseUrl, `/v1/cdrs/${cdrId}`, { key: server.generator.apiKey, method: "GET" });
  assert.equal(res.status, 200);
  return res.body.data;
}

/** Whether image pixel (x, y) lies in one of `boxes` grown by `margin` on each side. */
const inBoxes = (boxes, margin) => (x, y) =>
  boxes.some((b) => x >= b.x - margin && x < b.x + b.width + margin && y >= b.y - margin && y < b.y + b.height + margin);

/** Share of identical pixels of two same-sized images, counting only where `skip` is false. */
function identicalOutside(a, b, skip) {
  let same = 0;
  let counted = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (skip(x, y)) continue;
      const i = (y * a.width + x) * 4;
      counted++;
      if (a.data.readUInt32LE(i) === b.data.readUInt32LE(i)) same++;
    }
  }
  return same / counted;
}

/** The RGB of pixel (x, y). */
const rgb = (png, x, y) => {
  const i = (Math.round(y) * png.width + Math.round(x)) * 4;
  return [png.data[i], png.data[i + 1], png.data[i + 2]];
};
const isRed = ([r, g, b]) => r >= 200 && g <= 70 && b <= 70;

/**
 * Pixels along the middle of the 3 px outline ring of `box` (its outer edge is the box's),
 * leaving out the corners, which follow a rounded border.
 */
function ringPixels(box) {
  const points = [];
  const inset = 1;
  const [x0, y0, x1, y1] = [box.x + inset, box.y + inset, box.x + box.width - 1 - inset, box.y + box.height - 1 - inset];
  for (let x = x0 + box.width * 0.2; x <= x1 - box.width * 0.2; x++) points.push([x, y0], [x, y1]);
  for (let y = y0 + box.height * 0.25; y <= y1 - box.height * 0.25; y++) points.push([x0, y], [x1, y]);
  return points;
}

const redShare = (png, points) => points.filter(([x, y]) => isRed(rgb(png, x, y))).length / points.length;

describe("the evidence image looks like the live page", () => {
  for (const fixture of PAGES) {
    test(fixture.name, async () => {
      const live = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: SCALE });
      try {
        const page = await live.newPage();
        await openAndAct(page, fixtures, fixture);
        // Nor is hover: Playwright leaves the pointer on the last control it used.
        await page.mouse.move(0, 0);
        const liveShot = PNG.sync.read(await page.screenshot(SHOT));
        const result = fixture.lead ? await submitLead(page) : await page.evaluate(() => window.ExpressConsent.captureCDR());
        assert.match(result.cdrId, /^cdr_/);

        const { png, pending, waitedMs } = await fetchImage(result.cdrId);
        const rendered = PNG.sync.read(png);
        const { image } = await details(result.cdrId);
        assert.ok(image, "GET /v1/cdrs/:id describes the image once it is served");
        assert.deepEqual([image.width, image.height], [rendered.width, rendered.height], "the listed size is the PNG's");
        assert.equal(image.truncated, false);
        assert.equal(rendered.width, VIEWPORT.width * SCALE, "the image is the captured viewport width × device pixel ratio");
        assert.deepEqual(
          [rendered.width, rendered.height],
          [liveShot.width, liveShot.height],
          "the image is the size of the live full-page screenshot",
        );

        const identical = identicalOutside(liveShot, rendered, inBoxes(image.outlined, OUTLINE_MARGIN));
        results.push({
          name: fixture.name,
          identical,
          width: rendered.width,
          height: rendered.height,
          outlined: image.outlined.length,
          waitedMs,
          pending,
        });

        if (fixture.lead) {
          // Submitted by its button: the trigger is outlined in the image and not on the page.
          assert.ok(image.outlined.length >= 1, "the trigger control is outlined");
        }
        for (const box of image.outlined) {
          const ring = ringPixels(box);
          assert.ok(ring.length > 20, `outlined box ${JSON.stringify(box)} is large enough to check`);
          const inImage = redShare(rendered, ring);
          const onPage = redShare(liveShot, ring);
          assert.ok(inImage >= 0.95, `${fixture.name}: the outline of ${JSON.stringify(box)} is red in the image (${(inImage * 100).toFixed(1)} %)`);
          assert.ok(onPage <= 0.05, `${fixture.name}: and not on the live page (${(onPage * 100).toFixed(1)} % red)`);
        }
        assert.ok(identical >= MIN_IDENTICAL, `${fixture.name}: ${(identical * 100).toFixed(3)} % identical pixels outside the outlines`);
      } finally {
        await live.close();
      }
    });
  }
});

/** The colours the test origin serves: what the consumer saw, then what it switches to. */
const ORIGINAL = { sheet: [0, 128, 0], background: [30, 144, 255], picture: [255, 165, 0] };
const SWITCHED = { sheet: [200, 0, 200], background: [90, 90, 90], picture: [0, 200, 200] };

/** A solid `rgb` PNG of 16 × 16 pixels. */
function solidPng([r, g, b]) {
  const png = new PNG({ width: 16, height: 16 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([r, g, b, 255], i);
  return PNG.sync.write(png);
}

/**
 * An origin on 127.0.0.1 for archive-swap.html: `/swap.css` (the panel's colour, and a
 * background image in `url()`), `/tile.png` and `/picture.png`, each in the ORIGINAL
 * colours until `switch()`, in SWITCHED ones after. Nothing may be cached; `requests` lists
 * the paths asked for since the last `switch()`.
 */
async function serveSwitchableAssets() {
  let colours = ORIGINAL;
  let requests = [];
  const css = (c) => `.panel { background-color: rgb(${c.sheet.join(",")}); }\n.tiled { background-image: url(tile.png); }\n`;
  const http = createServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    requests.push(path);
    const headers = { "cache-control": "no-store", "access-control-allow-origin": "*" };
    if (path === "/swap.css") return res.writeHead(200, { ...headers, "content-type": "text/css" }).end(css(colours));
    if (path === "/tile.png") return res.writeHead(200, { ...headers, "content-type": "image/png" }).end(solidPng(colours.background));
    if (path === "/picture.png") return res.writeHead(200, { ...headers, "content-type": "image/png" }).end(solidPng(colours.picture));
    res.writeHead(404).end();
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${http.address().port}`,
    get requests() {
      return requests;
    },
    switch() {
      colours = SWITCHED;
      requests = [];
    },
    close: () => new Promise((r) => http.close(r)),
  };
}

/** The centres of archive-swap.html's three coloured elements, in image pixels. */
async function swatchCentres(page) {
  return page.evaluate((scale) => {
    const centre = (selector) => {
      const r = document.querySelector(selector).getBoundingClientRect();
      return [(r.left + r.width / 2 + window.scrollX) * scale, (r.top + r.height / 2 + window.scrollY) * scale];
    };
    return { sheet: centre(".panel"), background: centre(".tiled"), picture: centre("img") };
  }, SCALE);
}

/** Asserts each swatch of `png` shows `colours` (within a small tolerance for colour management). */
function assertColours(png, centres, colours, what) {
  for (const [name, [x, y]] of Object.entries(centres)) {
    const seen = rgb(png, x, y);
    const close = seen.every((v, i) => Math.abs(v - colours[name][i]) <= 3);
    assert.ok(close, `${what}: the ${name} is rgb(${colours[name]}), not rgb(${seen})`);
  }
}

describe("the evidence image is drawn from the archive made at ingest", () => {
  test("an asset changed on its origin after the capture still shows as it was", async () => {
    const live = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: SCALE });
    try {
      const page = await live.newPage();
      await page.goto(fixtures.url("archive-swap.html"));
      await settle(page);
      const centres = await swatchCentres(page);
      assertColours(PNG.sync.read(await page.screenshot(SHOT)), centres, ORIGINAL, "the live page before the capture");
      const { cdrId } = await page.evaluate(() => window.ExpressConsent.captureCDR());

      // Wait until the server lists the origin's three assets as archived.
      const wanted = ["/swap.css", "/tile.png", "/picture.png"].map((p) => `${swapOrigin.url}${p}`);
      const deadline = Date.now() + IMAGE_TIMEOUT_MS;
      for (;;) {
        const { assets } = await details(cdrId);
        const archived = new Set(assets.filter((a) => a.status === "archived").map((a) => a.url));
        if (wanted.every((url) => archived.has(url))) break;
        assert.ok(Date.now() < deadline, `assets archived in time: ${JSON.stringify(assets)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      swapOrigin.switch();

      const first = PNG.sync.read((await fetchImage(cdrId)).png);
      assertColours(first, centres, ORIGINAL, "the evidence image");

      // Render it again now that the origin has changed: the server renders a missing image
      // anew when it is asked for.
      await rm(join(server.dataDir, "evidence", "cdrs", cdrId, "image.png"));
      const again = await fetchImage(cdrId);
      assert.ok(again.pending >= 1, "the removed image was rendered again");
      assertColours(PNG.sync.read(again.png), centres, ORIGINAL, "the evidence image rendered after the switch");
      assert.deepEqual(swapOrigin.requests, [], "the renders asked the origin for nothing");

      // The origin really serves other colours now: the live page shows them.
      await page.reload();
      await settle(page);
      assertColours(PNG.sync.read(await page.screenshot(SHOT)), centres, SWITCHED, "the live page after the switch");
    } finally {
      await live.close();
    }
  });
});
