// The SDK and the server's snapshot checker agree on every page: whatever executable content
// a page holds (scripts, handlers, script and data: document URLs, refreshes, plugins,
// frames, animations of handlers, in shadow roots and same-origin frames too), the real SDK
// in Chromium removes or neutralizes it, so the real server accepts every capture (HTTP 200
// with a cdrId) and never refuses a real page. Pages: a few hundred random ones from the
// browser property test's generator (tests/web/property-gen.js, imported into the page as
// is), plus hand-written hostile ones. The base seed is printed; set EC_AGREEMENT_SEED to
// replay a run and EC_AGREEMENT_CASES to change how many random pages it builds.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { ROOT, launchBrowser, startServer } from "./helpers.mjs";

const CASES = Number(process.env.EC_AGREEMENT_CASES ?? 300);
const SEED = Number(process.env.EC_AGREEMENT_SEED ?? Date.now() % 2 ** 32) >>> 0;

let server;
let browser;
let site;

/** Serves `routes` (path → HTML) on 127.0.0.1, as a lead generator's own site would. */
async function serveSite(routes) {
  const http = createServer((req, res) => {
    const html = routes[new URL(req.url, "http://x").pathname];
    res.writeHead(html === undefined ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
    res.end(html ?? "");
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  return { url: `http://localhost:${http.address().port}`, close: () => new Promise((r) => http.close(r)) };
}

// A payload (the live page runs some of them, as a real page would); no quotes or spaces.
const RUN = "window.ecRan=(window.ecRan||0)+1";
const DATA_DOC = "data:text/html,%3Cscript%3Eparent.ecRan=1%3C/script%3E";

/** Every construct the checker refuses, as markup a page can hold. */
const HOSTILE = `
<script>${RUN}</script>
<p onclick="${RUN}" onmouseover="${RUN}">¡Hola! 日本語 مرحبا 😀</p>
<a href="javascript:${RUN}">js</a><a href=" VbScript:x">vb</a><img src="/x.png" alt="" title="javascript:x">
<a href="${DATA_DOC}">data a</a><a href=" DATA:image/svg+xml;base64,PHN2Zz4=">svg doc</a>
<map name="m"><area href="data:application/xhtml+xml,x" alt="x"></map>
<form action="data:text/html,x"><button formaction="data:text/xml,x" type="button">f</button></form>
<img src="data:image/png;base64,iVBORw0KGgo=" alt="kept: not a document">
<svg width="10" height="10"><script>${RUN}</script><rect width="5" height="5" onclick="${RUN}"/>
  <a href="${DATA_DOC}"><text>svg link</text></a><a href="javascript:${RUN}"><text>svg js</text></a>
  <set attributeName="onclick" to="${RUN}"/><animate attributeName=" onMouseOver" to="${RUN}" dur="1s"/>
  <animate attributeName="href" values="#a;javascript:${RUN}" dur="1s"/></svg>
<meta http-equiv="refresh" content="3600;url=https://evil.example/">
<object data="/x.swf"><p>object fallback</p></object><embed src="/x.swf">
<applet code="X.class"><p>applet fallback</p></applet>
<iframe src="/frame"></iframe><iframe sandbox="allow-scripts allow-same-origin" src="/frame"></iframe>
<iframe src="${DATA_DOC}"></iframe>
<iframe srcdoc="<base href='data:text/html,x'><p onclick='${RUN}'>srcdoc</p><a href='javascript:x'>x</a><object data='/x.swf'></object><iframe src='/frame'></iframe>"></iframe>
<div id="host"></div>`;

/** The same constructs inside an open shadow root, and inside a shadow root's shadow root. */
const SHADOW = `
const host = document.getElementById("host");
const root = host.attachShadow({ mode: "open" });
root.innerHTML = document.getElementById("payload").innerHTML;
const inner = root.appendChild(document.createElement("div")).attachShadow({ mode: "open" });
inner.innerHTML = document.getElementById("payload").innerHTML;`;

function hostilePage(sdk) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Hostil ✓</title>${sdk}</head>
<body>${HOSTILE}<template id="payload">${HOSTILE.replace('<div id="host"></div>', "")}</template>
<script>${SHADOW}</script></body></html>`;
}

/** A page the frames load: the same constructs, one frame deeper. */
function framePage() {
  return `<!DOCTYPE html><html><head><title>frame</title></head><body>${HOSTILE.replace(
    /<iframe[^]*?<\/iframe>/g,
    "",
  )}</body></html>`;
}

function framesetPage(sdk) {
  return `<!DOCTYPE html><html><head><title>Marcos</title>${sdk}</head>
<frameset rows="40%,*" onload="${RUN}"><frame src="/frame" name="a">
<frameset cols="1*,2*"><frame src="/frame"><frame src="javascript:'x'"></frameset></frameset></html>`;
}

before(async () => {
  // html5ever warns of every table it fosters; the random pages hold many.
  server = await startServer({ env: { EC_CAPTURE_RATE_PER_IP: "0", RUST_LOG: process.env.RUST_LOG ?? "error" } });
  browser = await launchBrowser();
  const sdk = `<script src="${server.baseUrl}/sdk/v1/sdk.js" data-ec-cid="${server.generator.orgId}"></script>`;
  site = await serveSite({
    "/": `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Casos</title>${sdk}</head><body></body></html>`,
    "/hostile": hostilePage(sdk),
    "/frameset": framesetPage(sdk),
    "/frame": framePage(),
  });
});

after(async () => {
  await browser?.close();
  await site?.close();
  await server?.stop();
});

/** Opens `path` of the site with the SDK ready, recording every capture's HTTP status. */
async function open(path) {
  const page = await browser.newPage();
  const statuses = [];
  page.on("response", (response) => {
    if (new URL(response.url()).pathname === "/v1/captures") statuses.push(response.status());
  });
  page.on("dialog", (dialog) => dialog.dismiss().catch(() => {}));
  await page.goto(site.url + path);
  await page.waitForFunction(() => window.ExpressConsent?.ready);
  await page.evaluate(() => window.ExpressConsent.ready);
  return { page, statuses };
}

/** Captures the page as it is now: `{ cdrId }` or `{ error }` with the SDK's code and message. */
function capture(page) {
  return page.evaluate(() =>
    window.ExpressConsent.captureCDR().then(
      (result) => ({ cdrId: result.cdrId }),
      (e) => ({ error: `${e.code}: ${e.message}` }),
    ),
  );
}

describe("the server's checker accepts every snapshot the SDK takes", () => {
  test("of hand-written pages holding every construct the checker refuses", async () => {
    for (const path of ["/hostile", "/frameset"]) {
      const { page, statuses } = await open(path);
      try {
        const result = await capture(page);
        assert.equal(result.error, undefined, `${path}: the server refused a real page`);
        assert.match(result.cdrId, /^cdr_/, path);
        assert.deepEqual(statuses, [200], path);
      } finally {
        await page.close();
      }
    }
  });

  test(`of ${CASES} random pages from the property test's generator (seed ${SEED})`, async () => {
    console.log(`checker agreement: base seed ${SEED} (EC_AGREEMENT_SEED=${SEED} to replay)`);
    const generator = await readFile(join(ROOT, "tests/web/property-gen.js"), "utf8");
    const { page, statuses } = await open("/");
    try {
      await page.evaluate(async (source) => {
        const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
        window.ecGen = await import(url);
      }, generator);
      const refused = [];
      for (let n = 0; n < CASES; n++) {
        const seed = (SEED + n) >>> 0;
        const chaos = n % 3 === 2;
        const result = await page.evaluate(
          async ({ seed, chaos }) => {
            const built = window.ecGen.buildCase(seed, chaos);
            try {
              return await window.ExpressConsent.captureCDR().then(
                (r) => ({ cdrId: r.cdrId }),
                (e) => ({ error: `${e.code}: ${e.message}` }),
              );
            } finally {
              window.ecGen.removeCase(built);
            }
          },
          { seed, chaos },
        );
        if (!/^cdr_/.test(result.cdrId ?? "")) refused.push({ seed, chaos, ...result });
      }
      assert.deepEqual(refused, [], `captures refused (base seed ${SEED})`);
      assert.equal(statuses.length, CASES);
      assert.ok(statuses.every((s) => s === 200), `statuses: ${statuses.filter((s) => s !== 200)}`);
    } finally {
      await page.close();
    }
  });
});
