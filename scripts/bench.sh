#!/usr/bin/env bash
# The benchmarks of BENCHMARKS.md: installs what they need (idempotently), builds uapigen
# and the driver in release mode, runs every benchmark side by side and rewrites
# BENCHMARKS.md. Takes about 15 minutes on 2 cores (most of it the cold builds).
#
#   scripts/bench.sh                      # everything, writes BENCHMARKS.md
#   scripts/bench.sh --quick              # few rounds: a rough check in a few minutes
#   scripts/bench.sh --only scaling       # one benchmark (generation, scaling, growth, builds, rustc, payloads)
#   scripts/bench.sh --out /tmp/b.md      # write the report elsewhere
#
# Timing lives here, never in the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

# The test suite's packages (compilers, kernel headers) and libclang for bindgen.
scripts/install-deps.sh --bench
export LIBCLANG_PATH=/usr/lib/llvm-19/lib

# bindgen-cli from crates.io, pinned, in bench/tools (not on the PATH of anything else).
BINDGEN_VERSION=0.73.2
export BINDGEN="$root/bench/tools/bin/bindgen"
if ! "$BINDGEN" --version 2>/dev/null | grep -qx "bindgen $BINDGEN_VERSION"; then
  echo "bench: installing bindgen-cli $BINDGEN_VERSION"
  cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION" --root "$root/bench/tools"
fi

cargo build --release --locked -q -p uapigen --bin uapigen
cargo build --release --locked -q --manifest-path bench/Cargo.toml -p uapigen-bench
UAPIGEN_ROOT="$root" bench/target/release/uapigen-bench "$@"
