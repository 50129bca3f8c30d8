#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ for a bounded time each and fails on the first
# crash, hang, or runaway allocation; the input that caused it is left in
# fuzz/artifacts/<target>/ (replay: `RUSTC_BOOTSTRAP=1 cargo fuzz run <target> <file>`).
#   usage: scripts/fuzz.sh [seconds per target, default 25] [target…]
# `npm test` runs it with the default (four targets: about 100 s after the build); a longer
# run, e.g. before a release: `bash scripts/fuzz.sh 600`.
#
# The machine has a stable toolchain only; cargo-fuzz needs nightly flags (sanitizers,
# coverage instrumentation), which RUSTC_BOOTSTRAP=1 allows stable rustc to take.
# Seeds: fuzz/seeds/<target>/ (committed) plus, for the markup targets, the fixture pages of
# tests/fixtures/; what the fuzzer finds accumulates in fuzz/corpus/<target>/ (ignored).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export RUSTC_BOOTSTRAP=1

seconds=${1:-25}
# EC_FUZZ_BUILD=dev builds the targets without optimizations (debug assertions and the
# address sanitizer stay): a build of a few minutes instead of a quarter of an hour, for the
# short run of `npm test`; the default, release, explores far more inputs per second.
build=()
[ "${EC_FUZZ_BUILD:-release}" = dev ] && build=(--dev)
shift || true
TARGETS=(capture_body consent_derive snapshot_check snapshot_rewrite)
[ $# -gt 0 ] && TARGETS=("$@")

# Each limit makes a class of bug a failure rather than a slow run:
# - max_len: inputs up to 64 KiB, enough for a gzip bomb that inflates past the 16 MiB
#   capture limit;
# - malloc_limit_mb: any single allocation over 256 MiB (the largest legitimate one is the
#   capture limit's buffer, 32 MiB at most) is reported as a crash;
# - rss_limit_mb: the process growing past 2 GiB (sanitizer overhead included);
# - timeout: one input running over 10 s is a hang.
LIMITS=(-max_len=65536 -malloc_limit_mb=256 -rss_limit_mb=2048 -timeout=10)

for target in "${TARGETS[@]}"; do
  seeds="fuzz/seeds/$target"
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  extra=()
  case "$target" in
    consent_derive | snapshot_check | snapshot_rewrite)
      # The fixture pages as markup (the consent target reads markup after an odd byte).
      fixtures=$(mktemp -d)
      for page in tests/fixtures/*.html; do
        if [ "$target" = consent_derive ]; then
          { printf '\001'; cat "$page"; } > "$fixtures/$(basename "$page")"
        else
          cp "$page" "$fixtures/"
        fi
      done
      extra=("$fixtures")
      ;;
  esac
  printf '\n==> fuzzing %s for %s s\n' "$target" "$seconds" >&2
  # libFuzzer reports every new path it finds; keep that in a log and show its end only
  # when something failed (the build's errors included).
  log=$(mktemp)
  if ! cargo fuzz run "${build[@]}" "$target" "$corpus" "$seeds" "${extra[@]}" -- \
    "${LIMITS[@]}" -max_total_time="$seconds" -print_final_stats=1 >"$log" 2>&1; then
    tail -n 80 "$log" >&2
    printf '\nfuzzing %s failed; the input is in fuzz/artifacts/%s/\n' "$target" "$target" >&2
    exit 1
  fi
  grep -E '^(Done|stat::peak_rss_mb|INFO: seed corpus)' "$log" >&2 || true
  rm -f "$log"
  if [ ${#extra[@]} -gt 0 ]; then rm -rf "${extra[@]}"; fi
done
printf '\n==> fuzzing: no crash in %s\n' "${TARGETS[*]}" >&2
