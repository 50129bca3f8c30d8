// Writes FILE.gz and FILE.br beside each FILE given, for the server to send to browsers that
// accept them (server/src/http/routes/web.rs). gzip comes from zopfli (Debian's `zopfli`,
// installed by scripts/setup.sh), whose output any gzip reader takes and which is about 5 %
// smaller than `gzip -9`; without it, Node's zlib at level 9. Brotli from Node's zlib at
// quality 11. Called by scripts/build-sdk.sh.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, constants, gunzipSync, gzipSync } from "node:zlib";

const hasZopfli = (() => {
  try {
    execFileSync("zopfli", ["-h"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasZopfli) console.error("precompress: zopfli not found; using gzip -9 (run scripts/setup.sh)");

for (const path of process.argv.slice(2)) {
  const bytes = readFileSync(path);
  const gz = hasZopfli ? execFileSync("zopfli", ["-c", path], { maxBuffer: 64 << 20 }) : gzipSync(bytes, { level: 9 });
  if (!gunzipSync(gz).equals(bytes)) throw new Error(`precompress: ${path}.gz does not round-trip`);
  writeFileSync(`${path}.gz`, gz);
  const br = brotliCompressSync(bytes, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
  });
  writeFileSync(`${path}.br`, br);
}
