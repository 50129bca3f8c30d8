// Serves tests/fixtures/ for the fidelity and privacy tests on two origins of one port:
// `http://localhost:<port>` (a registered domain of the demo generator, where the pages
// run) and `http://127.0.0.1:<port>` (the "other" origin, for cross-origin style sheets).
// In each page `{{SDK}}` becomes the SDK's script tag and `{{OTHER_ORIGIN}}` the second
// origin. `/__snapshot/<key>` serves HTML handed to `publish()`, so that a snapshot can be
// opened from the page's own origin, as its fonts require.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize } from "node:path";
import { ROOT } from "./helpers.mjs";

const DIR = join(ROOT, "tests/fixtures");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".woff2": "font/woff2",
  ".png": "image/png",
};

export async function serveFixtures(server) {
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
