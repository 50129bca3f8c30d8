// The dashboard as people use it (issue 12 point 4), in real headless Chromium against the
// real server (`serve --demo`, rendering on):
//
// 1. a buyer chooses a password through its one-time link, signs in, claims a share URL,
//    finds the CDR by the consumer's phone number written differently, opens it, sees the
//    evidence image and the consent mechanism, and downloads the PDF report;
// 2. a generator admin turns auto-collect off, creates an API key and revokes it;
// 3. a viewer cannot reach settings;
// 4. no page or form shows one org another org's CDR (org Y captures from a host of its
//    own; the buyer and the generator try every dashboard route on Y's CDR);
// 5. a form posted from another origin with the victim's cookies changes nothing, and a
//    post without the `csrf` field or with a wrong one is refused;
// 6. axe-core finds no serious or critical violation on any page;
// 7. every page's full-page screenshots at 1280 and 375 px (target/e2e-screenshots/) are
//    not blank, and nothing scrolls sideways at 375 px.
//
// One server and one browser for the file; each person has a browser context of their own
// (their own cookies). The tests run in order and build on each other's state.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { api, servePage, startServer, waitFor } from "./helpers.mjs";
import {
  captureLead,
  choosePassword,
  cli,
  createUser,
  csrfOf,
  demoUsers,
  getFrom,
  launchDashboardBrowser,
  postForm,
  screenshotProblems,
  searchCdrs,
  seriousViolations,
  signIn,
} from "./dashboard-helpers.mjs";

const run = promisify(execFile);

/** The consumer of the buyer's lead types the phone number one way… */
const LEAD = { name: "Rosa Delgado", email: "rosa.delgado@example.org", phone: "(415) 555-0134", zip: "94107" };
/** …and the buyer searches for it written another way. */
const PHONE_AS_SEARCHED = "+14155550134";
/** Org Y's lead, captured on Y's own host. */
const Y_HOST = "other-org-y.test";
const LEAD_Y = { name: "Yusuf Okafor", email: "yusuf.okafor@example.net", phone: "(415) 555-0199", zip: "10001" };
const PASSWORD = "correct horse battery staple 12";
/** How long the evidence image may take to render after the capture. */
const IMAGE_TIMEOUT_MS = 90_000;

let server;
let browser;
let demoHtml;
/** Org Y: `{ orgId, apiKey }`, and what its capture returned. */
let orgY;
let leadY;
/** The buyer's lead: what the generator's capture returned. */
let lead;
/** Browser contexts (cookie jars) of the people, and one signed-in page each. */
const people = {};
/** Work directory for downloads. */
let downloads;

before(async () => {
  server = await startServer();
  browser = await launchDashboardBrowser();
  downloads = await mkdtemp(join(tmpdir(), "ec-dash-"));
  const res = await fetch(`${server.baseUrl}/demo/`);
  assert.equal(res.status, 200);
  demoHtml = await res.text();
  orgY = await cli(server, ["org", "create", "--name", "Other Org Y", "--domain", Y_HOST]);
  lead = await captureLead(browser, { demoHtml, orgId: server.generator.orgId, host: "localhost", lead: LEAD });
  leadY = await captureLead(browser, { demoHtml, orgId: orgY.orgId, host: Y_HOST, lead: LEAD_Y });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (downloads) await rm(downloads, { recursive: true, force: true });
});

/** A new browser context for a person, with one page that signs in later. */
async function person(name) {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  people[name] = { context, page };
  return people[name];
}

/** A user of `org` created by the operator, who chooses a password and signs in. */
async function newUser(name, { org, email, role }) {
  const { page } = await person(name);
  const created = await createUser(server, { org, email, role });
  assert.equal(created.email, email);
  assert.equal(created.role, role);
  assert.match(created.userId, /\S/);
  await choosePassword(page, created.signInUrl, PASSWORD);
  if ((await page.getByRole("button", { name: "Sign out" }).count()) === 0) {
    await signIn(page, server.baseUrl, { email, password: PASSWORD });
  }
  people[name].signInUrl = created.signInUrl;
  return people[name];
}

/** How many live keys the generator's settings page lists (its admin's page reloaded). */
async function activeKeys() {
  const { page } = people.generator;
  await page.goto(`${server.baseUrl}/dashboard/settings`);
  return page.getByRole("button", { name: /^Revoke key_/ }).count();
}

/** `GET /v1/org` with a key. */
async function orgSettings(apiKey) {
  return api(server.baseUrl, "/v1/org", { key: apiKey, method: "GET" });
}

describe("the dashboard", () => {
  test("a buyer chooses a password through the one-time link and claims a share URL on the Claim page", async () => {
    const { page } = await newUser("buyer", { org: server.buyer.orgId, email: "buyer.person@example.com", role: "admin" });
    await page.goto(`${server.baseUrl}/dashboard/claim`);
    await page.getByLabel("Share URL").fill(lead.shareUrl);
    await page.getByLabel(/^Collect/).check();
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Claim" }).click()]);
    await page.waitForLoadState("load");
    const outcome = page.getByRole("status");
    assert.match(await outcome.innerText(), /Claimed\./);
    assert.equal(await page.getByRole("link", { name: `Open CDR ${lead.cdrId}` }).count(), 1);

    // The one-time link does not let anyone choose the password a second time.
    const stranger = await browser.newContext();
    try {
      const again = await stranger.newPage();
      await again.goto(people.buyer.signInUrl);
      assert.equal(await again.locator("input[type=password]").count(), 0, "a used link offers no password form");
    } finally {
      await stranger.close();
    }
  });

  test("the buyer's CDR list shows the claimed CDR, also under the filters that match it", async () => {
    const { page } = people.buyer;
    for (const query of ["", "?relation=free", `?domainId=localhost`, `?packageId=${encodeURIComponent(lead.packageData.packageId)}`]) {
      await page.goto(`${server.baseUrl}/dashboard/${query}`);
      assert.ok(
        (await page.locator(`a[href="/dashboard/cdrs/${lead.cdrId}"]`).count()) >= 1,
        `/dashboard/${query} lists ${lead.cdrId} (so the isolation checks on the list are not vacuous)`,
      );
    }
  });

  test("the buyer finds the CDR in the list's search by the phone number written another way", async () => {
    const { page } = people.buyer;
    await searchCdrs(page, server.baseUrl, PHONE_AS_SEARCHED);
    const found = page.locator(`a[href="/dashboard/cdrs/${lead.cdrId}"]`);
    assert.ok((await found.count()) >= 1, `searching ${PHONE_AS_SEARCHED} lists ${lead.cdrId}`);
    assert.ok(!(await page.content()).includes(leadY.cdrId), "another org's CDR is not in the results");
    await Promise.all([page.waitForURL(`**/dashboard/cdrs/${lead.cdrId}`), found.first().click()]);
  });

  test("the buyer opens the CDR, sees the consent mechanism and the evidence image, and downloads the PDF report", async () => {
    const { page } = people.buyer;
    // From the claim's outcome (the search has its own test).
    await page.goto(`${server.baseUrl}/dashboard/claim`);
    await page.getByLabel("Share URL").fill(lead.shareUrl);
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Claim" }).click()]);
    await page.waitForLoadState("load");
    assert.match(await page.getByRole("status").innerText(), /already had this CDR/, "claiming twice says so");
    await Promise.all([page.waitForURL(`**/dashboard/cdrs/${lead.cdrId}`), page.getByRole("link", { name: `Open CDR ${lead.cdrId}` }).click()]);
    assert.ok((await page.getByText("checkbox checked").count()) >= 1, "the consent mechanism is shown");
    const loaded = await waitFor(
      async () => {
        const img = page.locator(`img[src="/dashboard/cdrs/${lead.cdrId}/image.png"]`);
        if ((await img.count()) === 1 && (await img.evaluate((el) => el.complete && el.naturalWidth > 0))) {
          return img.evaluate((el) => ({ width: el.naturalWidth, height: el.naturalHeight, alt: el.alt }));
        }
        await page.reload();
        return null;
      },
      { timeoutMs: IMAGE_TIMEOUT_MS, what: "the evidence image on the CDR page" },
    );
    assert.ok(loaded.width >= 300 && loaded.height >= 300, `a real image: ${JSON.stringify(loaded)}`);
    assert.match(loaded.alt, /\S/, "the image has a text alternative");

    // Download the PDF report.
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download PDF report" }).click(),
    ]);
    const pdfPath = join(downloads, "report.pdf");
    await download.saveAs(pdfPath);
    assert.equal(download.suggestedFilename(), `${lead.cdrId}.pdf`);
    const pdf = await readFile(pdfPath);
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    const { stdout: text } = await run("pdftotext", [pdfPath, "-"]);
    assert.ok(text.includes(lead.cdrId), "the report names the CDR");

    // The proof: the page says where the CDR is in the transparency log and offers it.
    await page.reload();
    const logged = page.getByText(/In the log at index \d+, witnessed by \d+\./);
    assert.equal(await logged.count(), 1, "the log index is shown");
    const [proofDownload] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download proof" }).click(),
    ]);
    const proofPath = join(downloads, "proof.txt");
    await proofDownload.saveAs(proofPath);
    const proofText = await readFile(proofPath, "utf8");
    assert.ok(proofText.startsWith("c2sp.org/tlog-proof@v1\n"), proofText.slice(0, 80));
  });

  test("a generator admin turns auto-collect off, creates an API key and revokes it", async () => {
    const { page } = await person("generator");
    const { generator } = await demoUsers(server);
    await signIn(page, server.baseUrl, generator);
    assert.equal((await orgSettings(server.generator.apiKey)).body.data.autoCollect, true, "the demo generator starts with auto-collect on");

    await page.getByRole("link", { name: "Settings" }).click();
    await page.waitForURL("**/dashboard/settings");
    const autoCollect = page.getByLabel(/^Auto-collect/);
    assert.equal(await autoCollect.isChecked(), true);
    await autoCollect.uncheck();
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Save", exact: true }).click()]);
    await page.goto(`${server.baseUrl}/dashboard/settings`);
    assert.equal(await page.getByLabel(/^Auto-collect/).isChecked(), false, "the setting shows off after a reload");
    assert.equal((await orgSettings(server.generator.apiKey)).body.data.autoCollect, false, "the API agrees");

    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: "Create API key" }).click()]);
    await page.waitForLoadState("load");
    const key = await page.locator("input[readonly]").first().inputValue();
    assert.match(key, /\S{20,}/, "the new key is shown once");
    const works = await orgSettings(key);
    assert.equal(works.status, 200, "the new key authenticates");
    assert.equal(works.body.data.orgId, server.generator.orgId);

    await page.goto(`${server.baseUrl}/dashboard/settings`);
    assert.ok(!(await page.content()).includes(key), "the key is never shown again");
    const revokeButtons = page.getByRole("button", { name: /^Revoke key_/ });
    const before = await revokeButtons.count();
    // A key is `<key id>.<secret>`; the page lists key ids.
    const keyId = key.split(".")[0];
    assert.match(keyId, /^key_/);
    page.once("dialog", (d) => d.accept());
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: `Revoke ${keyId}` }).click()]);
    await page.waitForLoadState("load");
    await waitFor(async () => (await page.getByRole("button", { name: /^Revoke key_/ }).count()) === before - 1, {
      what: "one Revoke button fewer",
    });
    assert.equal((await orgSettings(key)).status, 401, "the revoked key no longer authenticates");
    assert.equal((await orgSettings(server.generator.apiKey)).status, 200, "the demo key still works");
  });

  test("a viewer cannot reach settings: no link, a 403 page, and settings forms refused", async () => {
    const { page } = await newUser("viewer", { org: server.generator.orgId, email: "viewer@example.com", role: "viewer" });
    await page.goto(`${server.baseUrl}/dashboard/`);
    assert.equal(await page.getByRole("navigation").getByRole("link", { name: "Settings" }).count(), 0, "no Settings link");
    for (const name of ["CDRs", "Claim", "Packages", "Billing"]) {
      assert.equal(await page.getByRole("navigation").getByRole("link", { name }).count(), 1, `nav link ${name}`);
    }
    const res = await page.goto(`${server.baseUrl}/dashboard/settings`);
    assert.equal(res.status(), 403);
    const body = await page.content();
    assert.ok(!body.includes("Create API key") && !body.includes("Auto-collect"), "the 403 page shows no settings");

    const csrf = await csrfOf(page);
    const autoCollectBefore = (await orgSettings(server.generator.apiKey)).body.data.autoCollect;
    const keysBefore = await activeKeys();
    for (const [path, fields] of [
      ["/dashboard/settings/auto-collect", { csrf, autoCollect: autoCollectBefore ? "" : "on" }],
      ["/dashboard/settings/keys", { csrf }],
      ["/dashboard/settings/domains", { csrf, host: "viewer-added.example" }],
      ["/dashboard/settings/webhook", { csrf, url: "https://viewer.example/hook" }],
    ]) {
      const answer = await postForm(page, path, fields);
      assert.equal(answer.status, 403, `a viewer's POST ${path} is refused`);
    }
    const after = (await orgSettings(server.generator.apiKey)).body.data;
    assert.equal(after.autoCollect, autoCollectBefore, "auto-collect unchanged");
    assert.ok(!after.domains.includes("viewer-added.example"), "no domain added");
    assert.equal(after.webhookUrl ?? null, null, "no webhook set");
    assert.equal(await activeKeys(), keysBefore, "no key created");
  });

  test("no dashboard page or form shows org X any of org Y's CDRs", async () => {
    const y = await api(server.baseUrl, `/v1/cdrs/${leadY.cdrId}`, { key: orgY.apiKey, method: "GET" });
    assert.equal(y.status, 200, "Y's CDR exists (so a 404 for X means isolation, not absence)");
    const yPackage = y.body.data.packageId;
    const yPageUrl = y.body.data.pageUrl;
    assert.equal(y.body.data.domainId, Y_HOST);
    const yCdr = `/dashboard/cdrs/${leadY.cdrId}`;

    for (const who of ["buyer", "generator"]) {
      const { page } = people[who];
      await page.goto(`${server.baseUrl}/dashboard/`);
      const csrf = await csrfOf(page);
      /** Nothing of Y in a body; `echoed` is what the request itself carried. */
      const assertNothingOfY = (what, body, echoed = []) => {
        for (const secret of [leadY.cdrId, yPageUrl, Y_HOST, yPackage, LEAD_Y.email, LEAD_Y.name]) {
          if (echoed.includes(secret)) continue;
          assert.ok(!body.includes(secret), `${who}: ${what} shows ${secret}`);
        }
      };

      for (const path of [yCdr, `${yCdr}/image.png`, `${yCdr}/report.pdf`, `${yCdr}/snapshot`, `${yCdr}/snapshot.html`, `/dashboard/packages/${yPackage}`]) {
        const res = await getFrom(page, path);
        assert.equal(res.status, 404, `${who}: GET ${path}`);
        assertNothingOfY(`GET ${path}`, res.body);
      }
      for (const path of [`${yCdr}/collect`, `${yCdr}/share`]) {
        const res = await postForm(page, path, { csrf, days: "30" });
        assert.equal(res.status, 404, `${who}: POST ${path}`);
        assertNothingOfY(`POST ${path}`, res.body);
      }
      // Claiming with Y's CDR id where a share token goes.
      const claim = await postForm(page, "/dashboard/claim", { csrf, shareUrl: `${server.baseUrl}/v1/shares/${leadY.cdrId}`, mode: "save" });
      assertNothingOfY("POST /dashboard/claim", claim.body, [leadY.cdrId]);
      assert.ok(!claim.body.includes(`href="${yCdr}"`), `${who}: the claim page links to no Y CDR`);

      // Pages that list CDRs or their billing events.
      for (const path of ["/dashboard/billing", "/dashboard/packages", "/dashboard/claim"]) {
        const res = await getFrom(page, path);
        assert.equal(res.status, 200, `${who}: GET ${path}`);
        assertNothingOfY(`GET ${path}`, res.body);
      }

      // The list and its filters.
      for (const query of [
        "",
        `?domainId=${encodeURIComponent(Y_HOST)}`,
        `?packageId=${encodeURIComponent(yPackage)}`,
        ...["paid", "free", "saved", "unpaid"].map((r) => `?relation=${r}`),
        `?from=0&to=${Date.now() + 86_400_000}`,
      ]) {
        const res = await getFrom(page, `/dashboard/${query}`);
        assert.equal(res.status, 200, `${who}: GET /dashboard/${query}`);
        assertNothingOfY(`GET /dashboard/${query}`, res.body, [Y_HOST, yPackage]);
      }

    }
  });

  test("searching for org Y's consumer by phone or email shows org X nothing of Y", async () => {
    const y = (await api(server.baseUrl, `/v1/cdrs/${leadY.cdrId}`, { key: orgY.apiKey, method: "GET" })).body.data;
    for (const who of ["buyer", "generator"]) {
      const { page } = people[who];
      for (const term of [LEAD_Y.phone, "+14155550199", LEAD_Y.email]) {
        await searchCdrs(page, server.baseUrl, term);
        const body = await page.content();
        for (const secret of [leadY.cdrId, y.pageUrl, Y_HOST, y.packageId, LEAD_Y.name]) {
          assert.ok(!body.includes(secret), `${who}: searching ${term} shows ${secret}`);
        }
      }
    }
  });

  test("a CSRF attempt from another origin changes nothing; posts without or with a wrong csrf field are refused", async () => {
    const { page, context } = people.generator;
    await page.goto(`${server.baseUrl}/dashboard/settings`);
    const token = await csrfOf(page);
    const settingsBefore = (await orgSettings(server.generator.apiKey)).body.data;
    assert.equal(settingsBefore.autoCollect, false, "left off by the admin's test");
    const keysBefore = await activeKeys();

    // Same site (127.0.0.1, so SameSite=Lax cookies go along), another origin (port): only
    // the server's own checks stand in the way. The attacker even knows the token.
    const attacks = [
      ["/dashboard/settings/auto-collect", { csrf: token, autoCollect: "on" }],
      ["/dashboard/settings/keys", {}],
      ["/dashboard/settings/webhook", { csrf: token, url: "https://attacker.example/hook" }],
    ];
    for (const [path, fields] of attacks) {
      const inputs = Object.entries(fields)
        .map(([n, v]) => `<input type="hidden" name="${n}" value="${v}">`)
        .join("");
      const evil = await servePage(
        `<!DOCTYPE html><html><head><title>Win a prize</title></head><body>
<form id="f" method="post" action="${server.baseUrl}${path}">${inputs}</form>
<script>document.getElementById("f").submit();</script></body></html>`,
        "127.0.0.1",
      );
      const attacked = await context.newPage();
      try {
        const answered = attacked.waitForResponse((r) => r.url() === `${server.baseUrl}${path}` && r.request().method() === "POST");
        await attacked.goto(evil.url);
        const answer = await answered;
        // The session cookie went along (same site), so this is the server's CSRF
        // refusal and not a sign-in redirect.
        assert.ok((await answer.request().allHeaders()).cookie, `the forged POST ${path} carried the victim's cookies`);
        assert.equal(answer.status(), 403, `the forged POST ${path} is refused`);
      } finally {
        await attacked.close();
        await evil.close();
      }
    }
    const settingsAfter = (await orgSettings(server.generator.apiKey)).body.data;
    assert.equal(settingsAfter.autoCollect, false, "auto-collect was not turned on from another origin");
    assert.equal(settingsAfter.webhookUrl ?? null, settingsBefore.webhookUrl ?? null, "no webhook set from another origin");
    assert.equal(await activeKeys(), keysBefore, "no key created from another origin");

    // From the dashboard's own origin, without the csrf field or with a wrong one.
    for (const fields of [{ autoCollect: "on" }, { csrf: "not-the-token", autoCollect: "on" }, { csrf: "", autoCollect: "on" }]) {
      const res = await postForm(page, "/dashboard/settings/auto-collect", fields);
      assert.ok(res.status >= 400 && res.status < 500, `refused (${JSON.stringify(fields)}): ${res.status}`);
    }
    const res = await postForm(page, "/dashboard/settings/keys", { csrf: token.slice(0, -1) + (token.endsWith("a") ? "b" : "a") });
    assert.ok(res.status >= 400 && res.status < 500, `a near-miss token is refused: ${res.status}`);
    assert.equal((await orgSettings(server.generator.apiKey)).body.data.autoCollect, false, "still off");
    assert.equal(await activeKeys(), keysBefore, "still no new key");

    // The right token from the right origin works (so the refusals above are not vacuous).
    const ok = await postForm(page, "/dashboard/settings/auto-collect", { csrf: token, autoCollect: "on" });
    assert.equal(ok.status, 200);
    assert.equal((await orgSettings(server.generator.apiKey)).body.data.autoCollect, true);
  });

  test("signing out ends the session at once: the old cookie opens nothing", async () => {
    const { page, context } = people.viewer;
    await page.goto(`${server.baseUrl}/dashboard/`);
    const cookies = await context.cookies(`${server.baseUrl}/dashboard/`);
    assert.ok(cookies.length > 0, "the viewer has a session cookie");
    await Promise.all([page.waitForURL(/\/dashboard\/sign-in/), page.getByRole("button", { name: "Sign out" }).click()]);
    // Put the old cookie back, as a thief who copied it would.
    const replay = await browser.newContext();
    try {
      await replay.addCookies(cookies);
      const res = await replay.request.get(`${server.baseUrl}/dashboard/`, { maxRedirects: 0 });
      assert.equal(res.status() >= 300 && res.status() < 400, true, `redirected to sign-in, got ${res.status()}`);
      assert.match(res.headers().location ?? "", /\/dashboard\/sign-in/);
    } finally {
      await replay.close();
    }
  });

  /** Every page, as its user sees it: `[name, page]` after opening it. */
  /** Pages the tour could not open (they are failures of the tests that use it). */
  const missing = [];

  async function* everyPage() {
    missing.length = 0;
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const anon = await fresh.newPage();
      await anon.goto(`${server.baseUrl}/dashboard/sign-in`);
      yield ["sign-in", anon];
      const invited = await createUser(server, { org: server.buyer.orgId, email: `welcome-${Date.now()}@example.com`, role: "viewer" });
      await anon.goto(invited.signInUrl);
      yield ["welcome", anon];
    } finally {
      await fresh.close();
    }
    const { page } = people.buyer;
    for (const [name, path] of [
      ["list", "/dashboard/"],
      ["cdr", `/dashboard/cdrs/${lead.cdrId}`],
      ["claim", "/dashboard/claim"],
      ["packages", "/dashboard/packages"],
      ["package", `/dashboard/packages/${lead.packageData.packageId}`],
      ["billing", "/dashboard/billing"],
    ]) {
      const res = await page.goto(`${server.baseUrl}${path}`);
      assert.equal(res.status(), 200, `${name}: GET ${path}`);
      yield [name, page];
    }
    // The search results (a POST answer). Until the list has its search form this page is
    // reported as missing, and the other pages are still checked.
    let searched = null;
    try {
      await searchCdrs(page, server.baseUrl, PHONE_AS_SEARCHED);
      searched = page;
    } catch (err) {
      missing.push(`search results: ${err.message.split("\n")[0]}`);
    }
    if (searched) yield ["search", searched];
    const admin = people.generator.page;
    const res = await admin.goto(`${server.baseUrl}/dashboard/settings`);
    assert.equal(res.status(), 200);
    yield ["settings", admin];
  }

  test("axe-core finds no serious or critical violation on any page", async () => {
    const failures = [];
    for await (const [name, page] of everyPage()) {
      const violations = await seriousViolations(page);
      if (violations.length) failures.push({ page: name, url: page.url(), violations });
    }
    assert.deepEqual(failures, [], `axe violations:\n${JSON.stringify(failures, null, 2)}`);
    assert.deepEqual(missing, [], "every page was checked");
  });

  test("each page's screenshots at 1280 and 375 px are not blank and 375 px does not scroll sideways", async () => {
    const problems = [];
    for await (const [name, page] of everyPage()) {
      problems.push(...(await screenshotProblems(page, name)).map((p) => `${p} (${page.url()})`));
    }
    assert.deepEqual([...problems, ...missing], []);
  });
});
