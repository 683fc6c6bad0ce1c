#!/usr/bin/env bash
# The whole test suite: installs what it needs, then checks formatting, lints, that
# generated/ is current, and runs every test. This is the command CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh

cargo fmt --all -- --check
cargo clippy --workspace --all-targets --all-features -- -D warnings
cargo run -q -p uapigen --bin uapigen -- generate --check
cargo run -q -p uapigen --bin uapigen -- lint > /dev/null
cargo test --workspace --all-features
# A bounded fuzzing smoke run (about a minute) of the spec pipeline and the decoders.
scripts/fuzz.sh smoke
