#!/usr/bin/env bash
# cargo's dry run of a release of the crates meant for crates.io: each is packaged and built
# from its tarball, against the other packages' tarballs (a local registry cargo puts under
# target/package/).
#
# cargo unpacks that local registry's crates into $CARGO_HOME/registry/src/-<hash>/, the hash
# taken from the registry's path, and never unpacks a crate again once its folder is there.
# A checkout at the same path as an earlier run (a CI machine that keeps its cargo home)
# would build the dependents against the earlier run's sources of the same version: stale
# code that fails or, worse, passes. Those folders are removed first. Builds of a registry
# crate are reused by name and version too, so the dry run builds in a target directory of
# its own, emptied first.
set -euo pipefail
cd "$(dirname "$0")/.."

crates=(uapigen-attr uapigen uapigen-macros uapigen-runtime linux-uapi)
src="${CARGO_HOME:-$HOME/.cargo}/registry/src"
if [ -d "$src" ]; then
  for dir in "$src"/-*/; do
    [ -d "$dir" ] || continue
    for crate in "${crates[@]}"; do
      if compgen -G "$dir$crate-[0-9]*" >/dev/null; then
        echo "publish-dry-run: removing an earlier run's unpacked packages: $dir" >&2
        rm -rf "$dir"
        break
      fi
    done
  done
fi
args=()
for crate in "${crates[@]}"; do args+=(-p "$crate"); done
rm -rf target/publish-dry-run
cargo publish --dry-run --target-dir target/publish-dry-run "${args[@]}"
