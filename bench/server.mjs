// The server as the benchmarks run it: the release build (what an operator runs; the
// end-to-end tests use the debug one), its data folder on the repository's disk under
// target/bench-data/ (where fsyncs cost what they cost, which /dev/shm would hide), the
// SQLite `synchronous` mode chosen per run, and extra environment (e.g. rate limits and
// trusted proxies). `stop()` ends it and removes its data.
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ROOT } from "../tests/e2e/helpers.mjs";

export const SERVER_BIN = process.env.EC_SERVER_BIN ?? join(ROOT, "target/release/expressconsent-server");

/** Which build the figures come from, for their captions: "release", "debug" or the path. */
export const serverBuild = () =>
  SERVER_BIN.includes("/release/") ? "release" : SERVER_BIN.includes("/debug/") ? "debug" : SERVER_BIN;

/**
 * Starts `serve --demo` on 127.0.0.1:0. `synchronous` is "full" (the server's default),
 * "normal", or "default" (the server's default database URL, for builds that predate the
 * setting); `env` is added to the server's environment.
 */
export async function startBenchServer({ synchronous = "full", env = {} } = {}) {
  await mkdir(join(ROOT, "target/bench-data"), { recursive: true });
  const dataDir = await mkdtemp(join(ROOT, "target/bench-data/run-"));
  const child = spawn(SERVER_BIN, ["serve", "--demo"], {
    cwd: ROOT,
    env: {
      ...process.env,
      EC_DATA_DIR: dataDir,
      ...(synchronous === "default"
        ? {}
        : { EC_DATABASE_URL: `sqlite://${join(dataDir, "expressconsent.db")}?mode=rwc&synchronous=${synchronous}` }),
      EC_BIND: "127.0.0.1:0",
      EC_SDK_DIR: join(ROOT, "pkg"),
      EC_WWW_DIR: join(ROOT, "www"),
      RUST_LOG: process.env.RUST_LOG ?? "error",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((_, reject) =>
    child.once("exit", (code) => reject(new Error(`server exited early with ${code}`))),
  );
  const listening = new Promise((resolveUrl) => {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const match = /^listening on (http:\/\/\S+)/.exec(line);
      if (match) resolveUrl(match[1]);
    });
  });
  const baseUrl = await Promise.race([listening, exited]);
  const demo = JSON.parse(await readFile(join(dataDir, "demo-credentials.json"), "utf8"));
  return {
    baseUrl,
    generator: demo.generator,
    buyer: demo.buyer,
    async stop() {
      child.removeAllListeners("exit");
      const gone = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await gone;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
