#!/usr/bin/env bash
# Installs every Debian package Prism's build, tests and demo need (skipping
# those already present), then configures and builds into build/.
# Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config
  # compiler side: MLIR/LLVM 22 (libMLIR.so, mlir-tblgen, lit, FileCheck)
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # formats shared by compiler and runtime
  flatbuffers-compiler libflatbuffers-dev
  # runtime: BLAS for the CPU back end, JSON for checkpoints and metrics
  libopenblas-dev liblapacke-dev nlohmann-json3-dev
  # tests: GoogleTest, lit's python; numpy, scipy and torch as independent
  # references
  libgtest-dev libgmock-dev python3 python3-numpy python3-scipy python3-torch
  # report.html checked in headless Chromium (scripts/check-report.sh)
  chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: error: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
    SUDO=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all ${#PACKAGES[@]} Debian packages present"
fi

[ "${1:-}" = "--no-build" ] && exit 0

LLVM_PREFIX=/usr/lib/llvm-22
if [ ! -f build/build.ninja ]; then
  cmake -G Ninja -S . -B build \
    -DCMAKE_BUILD_TYPE=Release \
    -DMLIR_DIR="$LLVM_PREFIX/lib/cmake/mlir" \
    -DLLVM_EXTERNAL_LIT="$LLVM_PREFIX/bin/lit" \
    -DPython3_EXECUTABLE=/usr/bin/python3
fi
ninja -C build -j2
