// Serves tests/fixtures/ for the fidelity and privacy tests on two origins of one port:
// `http://localhost:<port>` (a registered domain of the demo generator, where the pages
// run) and `http://127.0.0.1:<port>` (the "other" origin, for cross-origin style sheets).
// In each page `{{SDK}}` becomes the SDK's script tag and `{{OTHER_ORIGIN}}` the second
// origin; `serveFixtures(server, { vars })` replaces `{{NAME}}` with `vars.NAME` too (e.g.
// a test's own asset origin). `/__snapshot/<key>` serves HTML handed to `publish()`, so
// that a snapshot can be opened from the page's own origin, as its fonts require.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { ROOT } from "./helpers.mjs";
import { LEAD_PAGES, fillLead } from "./lead-pages.mjs";

const DIR = join(ROOT, "tests/fixtures");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".png": "image/png",
};

export async function serveFixtures(server, { vars = {} } = {}) {
  const published = new Map();
  const http = createServer(async (req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    if (path.startsWith("/__snapshot/")) {
      const html = published.get(path.slice("/__snapshot/".length));
      if (html === undefined) return res.writeHead(404).end();
      return res.writeHead(200, { "content-type": TYPES[".html"] }).end(html);
    }
    const file = normalize(join(DIR, path === "/" ? "index.html" : path));
    if (!file.startsWith(DIR)) return res.writeHead(403).end();
    try {
      let body = await readFile(file);
      if (extname(file) === ".html") {
        body = body
          .toString("utf8")
          .replaceAll("{{SDK}}", `<script src="${server.baseUrl}/sdk/v1/sdk.js" data-ec-cid="${server.generator.cid ?? server.generator.orgId}" async></script>`)
          .replaceAll("{{OTHER_ORIGIN}}", other);
        for (const [name, value] of Object.entries(vars)) body = body.replaceAll(`{{${name}}}`, value);
      }
      res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  const port = http.address().port;
  const origin = `http://localhost:${port}`;
  const other = `http://127.0.0.1:${port}`;
  return {
    url: (name) => `${origin}/${name}`,
    /** Serves `html` at a fresh URL on the pages' origin and returns that URL. */
    publish(key, html) {
      published.set(key, html);
      return `${origin}/__snapshot/${key}`;
    },
    close: () => new Promise((r) => http.close(r)),
  };
}

/** Waits until a page (and its frames) has its fonts and images and the SDK is ready. */
export async function settle(page, { sdk = true } = {}) {
  if (sdk) await page.evaluate(() => window.ExpressConsent.ready);
  for (const frame of page.frames()) {
    await frame.evaluate(async () => {
      await document.fonts.ready;
      await Promise.all([...document.images].map((img) => img.decode().catch(() => {})));
    });
  }
}

/**
 * The fixture pages of the fidelity suite (and the lead forms of the privacy suite) and
 * what a consumer did on each before submitting: `act(page)`; `lead` for a lead form that
 * is submitted by its own button; `warning`, a snapshot warning the capture must record.
 * The evidence image suite renders the same pages.
 */
export const PAGES = [
  {
    name: "form-state.html",
    async act(page) {
      await page.fill("#name", "Jane Q. Example");
      await page.fill("#email", "jane@example.org");
      await page.selectOption("#state", "New York");
      await page.check("#agree");
      await page.check("#plan-b");
      await page.fill("#notes", "Call me after 5pm.\nThanks!");
      await page.click("#widget");
      await page.fill("#range", "7");
    },
  },
  { name: "cssom.html" },
  { name: "cross-origin.html", warning: /style sheet kept as a link \(cross-origin\): http:\/\/127\.0\.0\.1:\d+\/assets\/remote\.css/ },
  { name: "urls.html" },
  {
    name: "shadow.html",
    async act(page) {
      await page.fill("lead-card >> #phone", "(555) 010-4477");
    },
  },
  {
    name: "iframe.html",
    async act(page) {
      await page.frameLocator("iframe").locator("#framed").fill("typed in the frame");
    },
  },
  { name: "canvas.html" },
  {
    name: "scroll.html",
    async act(page) {
      await page.evaluate(() => {
        window.scrollTo(0, 260);
        document.getElementById("box").scrollTop = 95;
        document.getElementById("wide").scrollLeft = 140;
      });
    },
  },
  {
    name: "lead-form.html",
    async act(page) {
      await page.fill("input[name=name]", "Dana Whitfield");
      await page.fill("input[name=email]", "dana@example.org");
      await page.fill("input[name=phone]", "(555) 201-8890");
      await page.fill("input[name=zip]", "94107");
      await page.check("input[name=consent]");
    },
  },
  ...LEAD_PAGES.map((lead) => ({ name: lead.name, lead, act: (page) => fillLead(page, lead) })),
];

/**
 * Opens `fixture` in `page` as a consumer would use it: loads it, waits for the SDK, does the
 * fixture's actions, then clears focus rings (not form state; a click leaves one on the last
 * field), in every frame.
 */
export async function openAndAct(page, fixtures, fixture) {
  await page.goto(fixtures.url(fixture.name));
  await settle(page);
  await fixture.act?.(page);
  await page.evaluate(() => document.activeElement?.blur());
  for (const frame of page.frames()) await frame.evaluate(() => document.activeElement?.blur());
}
