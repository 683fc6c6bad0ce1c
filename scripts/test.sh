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
# The runtime without alloc/std (stack buffers, FlexBuf not constructible).
cargo test -p uapigen-runtime --no-default-features
# The benchmarks' own workspace: formatted, lint-clean, and its tests (the hand-written
# payload code it measures against gives the generated code's bytes and decisions).
cargo fmt --manifest-path bench/Cargo.toml --all -- --check
cargo clippy --manifest-path bench/Cargo.toml -p uapigen-bench -p uapigen-bench-payloads --all-targets -- -D warnings
cargo test --manifest-path bench/Cargo.toml -p uapigen-bench-payloads
# A bounded fuzzing smoke run (about a minute) of the spec pipeline and the decoders.
scripts/fuzz.sh smoke
