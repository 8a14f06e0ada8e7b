#!/usr/bin/env bash
# Fuzzes the .sae front end with libFuzzer under ASan and UBSan.
# Usage: scripts/fuzz.sh [SECONDS]   (default 600)
# Builds into build-fuzz/ with Debian's clang 22, starts from the seed corpus
# test/fuzz/corpus (and the examples), and keeps new inputs in
# build-fuzz/corpus. Crashing inputs land in build-fuzz/artifacts/: copy each
# into test/fuzz/corpus/ so ctest replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_TO_RUN=${1:-600}

scripts/setup.sh --no-build
for pkg in clang-22 libclang-rt-22-dev; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    SUDO=(); [ "$(id -u)" -ne 0 ] && SUDO=(sudo)
    "${SUDO[@]}" apt-get install -y -qq --no-install-recommends clang-22 libclang-rt-22-dev
    break
  fi
done

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang-22 CXX=clang++-22 cmake -G Ninja -S . -B build-fuzz \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS="$SAN -fsanitize=fuzzer-no-link" \
    -DCMAKE_CXX_FLAGS="$SAN -fsanitize=fuzzer-no-link" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DPRISM_ENABLE_FUZZER=ON -DPRISM_BUILD_TESTS=OFF \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DPython3_EXECUTABLE=/usr/bin/python3
fi
ninja -C build-fuzz -j2 prism-frontend-fuzzer

mkdir -p build-fuzz/corpus build-fuzz/artifacts
cp -n test/fuzz/corpus/* examples/*.sae build-fuzz/corpus/ 2>/dev/null || true
cd build-fuzz
# UBSan aborts on its first report, so it counts as a crash.
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
ASAN_OPTIONS=detect_leaks=1 \
  ./bin/prism-frontend-fuzzer corpus -artifact_prefix=artifacts/ \
    -max_total_time="$SECONDS_TO_RUN" -timeout=10 -rss_limit_mb=4096 \
    -max_len=4096 -print_final_stats=1
