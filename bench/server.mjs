// The server as the benchmarks run it: the release build (what an operator runs; the
// end-to-end tests use the debug one), its data folder on the repository's disk under
// target/bench-data/ (where fsyncs cost what they cost, which /dev/shm would hide), the
// SQLite `synchronous` mode chosen per run, and extra environment (e.g. rate limits and
// trusted proxies). Started by the end-to-end tests' `startServer`; `stop()` ends it and
// removes its data.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ROOT, startServer } from "../tests/e2e/helpers.mjs";

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
  const dataRoot = join(ROOT, "target/bench-data");
  await mkdir(dataRoot, { recursive: true });
  return startServer({
    bin: SERVER_BIN,
    dataRoot,
    env: (dataDir) => ({
      ...(synchronous === "default"
        ? {}
        : { EC_DATABASE_URL: `sqlite://${join(dataDir, "expressconsent.db")}?mode=rwc&synchronous=${synchronous}` }),
      RUST_LOG: process.env.RUST_LOG ?? "error",
      ...env,
    }),
  });
}
