#!/usr/bin/env bash
# The whole test suite: installs what it needs, then checks formatting, lints, that
# generated/ is current, and runs every test. This is the command CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase's wall time, printed as it ends and again at the end (information only: no
# time decides anything).
TIMES=""
phase() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  local took=$((SECONDS - start))
  echo "test.sh: ${name}: ${took} s" >&2
  TIMES="${TIMES}  ${name}: ${took} s"$'\n'
}

phase install-deps scripts/install-deps.sh
phase fmt cargo fmt --all -- --check
phase clippy cargo clippy --workspace --all-targets --all-features -- -D warnings
phase generate-check cargo run -q -p uapigen --bin uapigen -- generate --check
# The reference page of every spec (docs/spec/) is current.
phase doc-check cargo run -q -p uapigen --bin uapigen -- doc --check
# linux-uapi's rustdoc as docs.rs builds it (nightly, --cfg docsrs: feature and
# architecture badges), every intra-doc link resolving, no rustdoc warning.
phase rustdoc env RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo +nightly doc -q -p linux-uapi --no-deps --all-features
phase lint sh -c 'cargo run -q -p uapigen --bin uapigen -- lint > /dev/null'
# Every test, the import corpus (tests/tests/import_corpus.rs) included.
phase tests cargo test --workspace --all-features
# The runtime without alloc/std (stack buffers, FlexBuf not constructible).
phase runtime-no-std cargo test -p uapigen-runtime --no-default-features
# The benchmarks' own workspace: formatted, lint-clean, and its tests (the hand-written
# payload code it measures against gives the generated code's bytes and decisions).
phase bench-fmt cargo fmt --manifest-path bench/Cargo.toml --all -- --check
phase bench-clippy cargo clippy --manifest-path bench/Cargo.toml -p uapigen-bench -p uapigen-bench-payloads --all-targets -- -D warnings
phase bench-tests cargo test --manifest-path bench/Cargo.toml -p uapigen-bench-payloads
# The crates meant for crates.io package and build as published (versions on every path
# dependency, license files, metadata): cargo's dry run of a release, without uploading.
# linux-uapi's API against the version before the last change to generated/: a breaking
# regeneration must bump the version.
phase semver scripts/semver.sh
phase publish-dry-run scripts/publish-dry-run.sh
# A bounded fuzzing smoke run (about a minute) of the spec pipeline, the decoders and the
# importer's parsing of clang's output.
phase fuzz-smoke scripts/fuzz.sh smoke
printf 'test.sh: every phase passed; wall time per phase:\n%s' "$TIMES" >&2
