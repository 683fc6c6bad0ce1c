#!/usr/bin/env bash
# linux-uapi's public API (every feature) against the version before the last change to
# generated/ (committed or not): a regeneration that breaks users fails here unless the
# crate's version says so (cargo semver-checks; 0.x: a breaking change needs the minor).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo semver-checks --version >/dev/null 2>&1; then
  echo "semver: cargo-semver-checks is missing: cargo install cargo-semver-checks --locked (scripts/install-deps.sh does)" >&2
  exit 1
fi
# A shallow clone has no history to compare with: fetch it.
if [ "$(git rev-parse --is-shallow-repository)" = true ]; then
  git fetch --quiet --unshallow
fi
last=$(git rev-list -n 1 HEAD -- generated)
if [ -z "$last" ] || ! git rev-parse --quiet --verify "$last~1^{commit}" >/dev/null; then
  echo "semver: no earlier version of generated/ in the history to compare with" >&2
  exit 1
fi
base=$(git rev-parse "$last~1")
echo "semver: linux-uapi as in the working tree against $(git log -n 1 --format='%h %s' "$base" | cut -c1-80)" >&2
cargo semver-checks check-release -p linux-uapi --all-features --baseline-rev "$base"
