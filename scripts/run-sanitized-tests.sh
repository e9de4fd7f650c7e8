#!/bin/bash
# The standalone test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer (GCC, its
# own build folder build-asan/), then the libFuzzer targets (run-fuzzers.sh). Needs setup.sh first.
# Not yet part of run-tests.sh (issue 13): it has not had a clean run on CI.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export QT_QPA_PLATFORM=offscreen
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

echo "== AddressSanitizer + UndefinedBehaviorSanitizer: the standalone test suite once more"
# Python tests are left out: they load the module into Debian's uninstrumented python3.
asan=${MC_ASAN_BUILD_DIR:-$root/build-asan}
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_BUILD_BENCHMARKS=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > "$asan.configure.log" 2>&1 || { cat "$asan.configure.log"; exit 1; }
cmake --build "$asan" -j "$(nproc)"
(cd "$asan" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  LSAN_OPTIONS=suppressions="$root/Testing/Sanitizers/lsan.supp" \
  ctest --output-on-failure -j 2 --timeout 1800 -E '^Python')

echo "== libFuzzer: every reader of outside bytes, a minute each"
"$root/scripts/run-fuzzers.sh" "${MC_FUZZ_SECONDS:-60}"
