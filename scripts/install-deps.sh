#!/usr/bin/env bash
# Install what the test suite needs, idempotently: Debian packages with apt-get (only when
# something is missing, so a second run does nothing), Rust components with rustup.
set -euo pipefail

# Debian packages the tests use. Each line: a package and a file it provides.
PACKAGES=(
  "gcc /usr/bin/gcc"
  "g++ /usr/bin/g++"
  "linux-libc-dev /usr/include/linux/vfio.h"
)

missing=()
for entry in "${PACKAGES[@]}"; do
  pkg=${entry%% *}
  file=${entry#* }
  [ -e "$file" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

for comp in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$comp"; then
    rustup component add "$comp"
  fi
done
