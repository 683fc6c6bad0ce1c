#!/usr/bin/env bash
# Coverage-guided fuzzing (cargo fuzz / libFuzzer) of uapigen:
#   scripts/fuzz.sh TARGET SECONDS   run one target (spec | decoders | import) for SECONDS
#   scripts/fuzz.sh smoke            both targets briefly, then a sample of the accepted
#                                    specs through gcc and rustc (the test command runs this)
# The seed corpora are fuzz/corpus/<target>; new inputs go to target/fuzz-corpus/<target>.
# A crash is written to fuzz/artifacts/<target>/ and makes this script fail: add the input to
# fuzz/corpus/<target>/ (the smoke run replays the corpus) and fix the bug.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  echo "fuzz: the nightly toolchain is missing (cargo fuzz needs it for sanitizer coverage): rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

run() {
  local target=$1 seconds=$2
  local work="target/fuzz-corpus/$target"
  mkdir -p "$work"
  (cd fuzz && cargo +nightly fuzz run -O "$target" "../$work" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1)
}

case "${1:-}" in
  smoke)
    run spec 30
    run decoders 30
    run import 20
    # What the spec target accepted (seeds and new inputs), a bounded sample (the first 40
    # accepted in name order), through gcc and rustc in batches: one gcc run per spec, one
    # rustc run for all (tests/src/bin/fuzz-sample.rs).
    cargo run -q -p uapigen-tests --bin fuzz-sample -- --max 40 fuzz/corpus/spec target/fuzz-corpus/spec
    ;;
  spec|decoders|import)
    run "$1" "${2:-1800}"
    ;;
  *)
    echo "usage: scripts/fuzz.sh smoke | spec SECONDS | decoders SECONDS" >&2
    exit 2
    ;;
esac
