#!/usr/bin/env bash
# Install what the test suite needs, idempotently: Debian packages with apt-get (only when
# something is missing, so a second run does nothing), Rust components with rustup.
set -euo pipefail

# Debian packages the tests use. Each line: a package and a file it provides.
PACKAGES=(
  "gcc /usr/bin/gcc"
  # codegen/tests/hostile.rs counts the instructions of scans that need not allocate.
  "valgrind /usr/bin/valgrind"
  "g++ /usr/bin/g++"
  "linux-libc-dev /usr/include/linux/vfio.h"
  # tests/tests/conformance_abis.rs: one compiler per ABI of codegen/src/abi.rs, with
  # clang where clang implements the Linux ABI, Debian's cross gcc where it does not (no
  # backend for alpha, hppa, sh4; a non-Linux layout for m68k).
  "clang-19 /usr/bin/clang-19"
  "gcc-alpha-linux-gnu /usr/bin/alpha-linux-gnu-gcc"
  "gcc-hppa-linux-gnu /usr/bin/hppa-linux-gnu-gcc"
  "gcc-sh4-linux-gnu /usr/bin/sh4-linux-gnu-gcc"
  "gcc-m68k-linux-gnu /usr/bin/m68k-linux-gnu-gcc"
  # ... and the Linux 6.1 uapi headers of every ABI, under /usr/<GNU triplet>/include.
  "linux-libc-dev-amd64-cross /usr/x86_64-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-i386-cross /usr/i686-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-x32-cross /usr/x86_64-linux-gnux32/include/linux/vfio.h"
  "linux-libc-dev-arm64-cross /usr/aarch64-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-armhf-cross /usr/arm-linux-gnueabihf/include/linux/vfio.h"
  "linux-libc-dev-powerpc-cross /usr/powerpc-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-ppc64-cross /usr/powerpc64-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-ppc64el-cross /usr/powerpc64le-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-mips-cross /usr/mips-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-mips64el-cross /usr/mips64el-linux-gnuabi64/include/linux/vfio.h"
  "linux-libc-dev-mipsn32-cross /usr/mips64-linux-gnuabin32/include/linux/vfio.h"
  "linux-libc-dev-s390x-cross /usr/s390x-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-riscv64-cross /usr/riscv64-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-sparc64-cross /usr/sparc64-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-m68k-cross /usr/m68k-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-alpha-cross /usr/alpha-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-hppa-cross /usr/hppa-linux-gnu/include/linux/vfio.h"
  "linux-libc-dev-sh4-cross /usr/sh4-linux-gnu/include/linux/vfio.h"
)

# `--bench`: also what scripts/bench.sh needs (libclang for bindgen; valgrind, above, for
# instruction counts).
if [ "${1:-}" = "--bench" ]; then
  PACKAGES+=(
    "libclang1-19 /usr/lib/llvm-19/lib/libclang-19.so.1"
    "libclang-19-dev /usr/lib/llvm-19/lib/libclang.so"
  )
fi

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

# tests/tests/kvm_arches.rs checks the generated crate for other architectures.
for target in aarch64-unknown-linux-gnu riscv64gc-unknown-linux-gnu; do
  if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
    rustup target add "$target"
  fi
done

# cargo fuzz for the fuzzing smoke run; it needs a nightly toolchain (sanitizer coverage),
# which the machine image carries; installed here when it does not.
if ! rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# cargo semver-checks: linux-uapi's API against its previous committed version
# (scripts/semver.sh).
if ! cargo semver-checks --version >/dev/null 2>&1; then
  cargo install cargo-semver-checks --locked
fi
