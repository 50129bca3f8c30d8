// Helpers of the dashboard suite: the operator's CLI against a running server's data
// folder, people signing in through the real pages, leads captured for any org from a host
// of its own, axe-core on a page, and checked screenshots.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { PNG } from "pngjs";
import { CHROMIUM_ARGS, ROOT, servePage } from "./helpers.mjs";

const run = promisify(execFile);
const SERVER_BIN = process.env.EC_SERVER_BIN ?? join(ROOT, "target/debug/expressconsent-server");
const AXE_PATH = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
let axeSource;
export const SCREENSHOT_DIR = join(ROOT, "target/e2e-screenshots");

/**
 * Debian's headless Chromium, as `launchBrowser` starts it, where every `*.test` host is
 * this machine: each org's lead form is served from a host registered to that org only.
 */
export function launchDashboardBrowser() {
  const args = CHROMIUM_ARGS.map((a) =>
    a.startsWith("--host-resolver-rules=") ? "--host-resolver-rules=MAP *.test 127.0.0.1" : a,
  );
  return chromium.launch({ executablePath: "/usr/bin/chromium", args });
}

/** Runs an operator command against the server's data folder; returns its JSON line. */
export async function cli(server, args) {
  const { stdout } = await run(SERVER_BIN, args, {
    cwd: ROOT,
    // The public URL is where the one-time links printed by `user create` point.
    env: { ...process.env, EC_DATA_DIR: server.dataDir, EC_PUBLIC_URL: server.baseUrl, RUST_LOG: "warn" },
  });
  return JSON.parse(stdout.trim().split("\n").pop());
}

/** `user create`: a dashboard user of `org` and its one-time link to choose a password. */
export function createUser(server, { org, email, role = "admin" }) {
  return cli(server, ["user", "create", "--org", org, "--email", email, "--role", role]);
}

/**
 * The demo users that `serve --demo` made, from `<data_dir>/demo-credentials.json`:
 * `{ generator: { email, password }, buyer: { email, password } }`. The file's layout is
 * read loosely (a `user` object or `email`/`password` fields beside the org's keys).
 */
export async function demoUsers(server) {
  const demo = JSON.parse(await readFile(join(server.dataDir, "demo-credentials.json"), "utf8"));
  const pick = (side) => {
    const org = demo[side] ?? {};
    const found = [org.user, org.dashboardUser, demo.users?.[side], demo[`${side}User`], org].find(
      (u) => u && typeof u.email === "string" && typeof u.password === "string",
    );
    assert.ok(found, `demo-credentials.json names no ${side} user with email and password: ${Object.keys(org)}`);
    return { email: found.email, password: found.password };
  };
  return { generator: pick("generator"), buyer: pick("buyer") };
}

/** Opens the one-time link and chooses `password` (typed twice) like a person. */
export async function choosePassword(page, signInUrl, password) {
  const res = await page.goto(signInUrl);
  assert.equal(res.status(), 200, `the one-time link ${signInUrl} opens`);
  const fields = page.locator("input[type=password]");
  assert.equal(await fields.count(), 2, "the page asks for the password and its confirmation");
  await fields.nth(0).fill(password);
  await fields.nth(1).fill(password);
  await Promise.all([page.waitForLoadState("load"), fields.nth(1).press("Enter")]);
  await page.waitForLoadState("load");
}

/** Signs in through the sign-in page; ends on the page the server sends the user to. */
export async function signIn(page, baseUrl, { email, password }) {
  await page.goto(`${baseUrl}/dashboard/sign-in`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await Promise.all([page.waitForURL((u) => !u.pathname.endsWith("/sign-in")), page.getByRole("button", { name: /sign in/i }).click()]);
  assert.equal(await page.getByRole("button", { name: "Sign out" }).count(), 1, `signed in as ${email}`);
}

/**
 * Searches the CDR list for a phone number or an email through its search form, which
 * must POST to `/dashboard/search` (personal data never goes in a URL); ends on the results.
 */
export async function searchCdrs(page, baseUrl, term) {
  await page.goto(`${baseUrl}/dashboard/`);
  const form = page.locator('form[action="/dashboard/search"]');
  assert.equal(await form.count(), 1, "the CDR list (/dashboard/) has a search form with action /dashboard/search");
  assert.equal((await form.getAttribute("method"))?.toLowerCase(), "post", "the search form POSTs");
  await form.locator("input:not([type=hidden])").first().fill(term);
  await Promise.all([page.waitForURL(/\/dashboard\/search/), form.locator("button[type=submit], button:not([type])").first().click()]);
  await page.waitForLoadState("load");
}

/** The session's CSRF token, from any signed-in page's forms. */
export function csrfOf(page) {
  return page.locator("input[name=csrf]").first().inputValue();
}

/**
 * Posts a form from inside the signed-in page, as its own script would (the browser adds
 * the cookies, `Origin` and `Sec-Fetch-Site: same-origin`); `{ status, body }`.
 */
export function postForm(page, path, fields) {
  return page.evaluate(
    async ({ path, fields }) => {
      const res = await fetch(path, { method: "POST", body: new URLSearchParams(fields), redirect: "manual" });
      return { status: res.status, body: await res.text() };
    },
    { path, fields },
  );
}

/** A same-origin GET from inside the signed-in page; `{ status, body, type }`. */
export function getFrom(page, path) {
  return page.evaluate(async (path) => {
    const res = await fetch(path, { redirect: "manual" });
    return { status: res.status, body: await res.text(), type: res.headers.get("content-type") };
  }, path);
}

/**
 * A consumer fills in the demo lead form served from `host` (a host of `orgId`), with the
 * SDK loading for that org, and submits it: resolves with what `captureCDR` returned
 * (`cdrId`, `shareUrl`, `packageData`…). `demoHtml` is the server's `/demo/` page.
 */
export async function captureLead(browser, { demoHtml, orgId, host, lead }) {
  const html = demoHtml.replace(/data-ec-cid="[^"]*"/, `data-ec-cid="${orgId}"`);
  const site = await servePage(html, host);
  const page = await browser.newPage();
  try {
    await page.goto(site.url);
    for (const [name, value] of Object.entries(lead)) await page.fill(`input[name=${name}]`, value);
    await page.check("input[name=consent]");
    await page.click("button[data-ec-submit]");
    await page.waitForFunction(() => window.lastCapture || window.lastCaptureError);
    const { result, error } = await page.evaluate(() => ({ result: window.lastCapture, error: window.lastCaptureError }));
    assert.equal(error, undefined, `capture from ${host} failed: ${JSON.stringify(error)}`);
    assert.match(result.cdrId, /^cdr_/);
    return result;
  } finally {
    await page.close();
    await site.close();
  }
}

/**
 * axe-core's serious and critical violations on the page as it is now, each with the
 * rule, its help text and the offending elements, ready to print.
 */
export async function seriousViolations(page) {
  // Not `page.addScriptTag`: the dashboard's Content-Security-Policy (`script-src 'self'`)
  // rightly blocks an injected inline script. Evaluating the source through the DevTools
  // protocol is not subject to the page's CSP, and the page keeps its real policy.
  axeSource ??= await readFile(AXE_PATH, "utf8");
  await page.evaluate(axeSource);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.html.slice(0, 160)} (${n.target.join(" ")}): ${n.failureSummary?.replace(/\s+/g, " ")}`),
    }));
  });
  return found.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/**
 * Full-page screenshots of the page at 1280 and 375 px wide, written to
 * `target/e2e-screenshots/<name>-<width>.png`; returns what is wrong with them (a blank
 * image, horizontal scrolling at 375 px), empty when nothing is. The viewport is put back.
 */
export async function screenshotProblems(page, name) {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const before = page.viewportSize();
  const problems = [];
  try {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 800 });
      const png = await page.screenshot({ fullPage: true, animations: "disabled", caret: "hide" });
      await writeFile(join(SCREENSHOT_DIR, `${name}-${width}.png`), png);
      const colours = distinctColours(PNG.sync.read(png));
      if (colours < 8) problems.push(`${name} at ${width} px looks blank: ${colours} distinct colours`);
      if (width === 375) {
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > 375) {
          // The elements whose content sticks out of their box: what to fix.
          const culprits = await page.evaluate(() =>
            [...document.querySelectorAll("body *")]
              .filter((e) => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX === "visible")
              .map((e) => `<${e.tagName.toLowerCase()}> ${e.scrollWidth}/${e.clientWidth} px "${e.textContent.trim().slice(0, 50)}"`)
              .slice(-3),
          );
          problems.push(`${name} at 375 px scrolls sideways: scrollWidth ${scrollWidth}; overflowing: ${culprits.join(", ")}`);
        }
      }
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return problems;
}

/** How many distinct RGB colours an image has (counting stops at 1,000). */
function distinctColours({ data }) {
  const seen = new Set();
  for (let i = 0; i < data.length && seen.size < 1000; i += 4) {
    seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
  }
  return seen.size;
}
