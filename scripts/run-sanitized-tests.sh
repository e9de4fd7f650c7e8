#!/bin/bash
# The standalone test suite once more under AddressSanitizer + UndefinedBehaviorSanitizer (GCC, its
# own build folder build-asan/). Any sanitizer report fails it, also one from a child process whose
# exit status a test does not look at (the CLI run by the Python-driven tests, the MPI worker):
# every report goes to a file in build-asan/sanitizer-reports/, printed at the end. Needs setup.sh
# first; part of run-tests.sh (the fuzzers are run-fuzzers.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export QT_QPA_PLATFORM=offscreen
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

asan=${MC_ASAN_BUILD_DIR:-$root/build-asan}
sanitize="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMC_BUILD_BENCHMARKS=OFF \
  -DCMAKE_C_FLAGS="$sanitize" -DCMAKE_CXX_FLAGS="$sanitize" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
  -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" > "$asan.configure.log" 2>&1 || { cat "$asan.configure.log"; exit 1; }
cmake --build "$asan" -j "$(nproc)"

# Left out, each for a reason that is not a finding:
#   Python.*  load the module into Debian's uninstrumented python3 (the ASan runtime must come first).
#   Widgets.Panel.cancelLeavesNoOutput, destroyedDuringARunLeavesNothing: they cancel at the first
#             frame's report, and with fast_unwind_on_malloc=0 (below) the GUI thread's allocations
#             are so slow that its event loop reaches that report only after the whole run has
#             ended (reproduced alone: 16 s, outputs written). They test cancel timing, not memory;
#             they run in the standalone and Kit suites.
excluded='^(Python\.|Widgets\.Panel\.(cancelLeavesNoOutput|destroyedDuringARunLeavesNothing)$)'
reports=$asan/sanitizer-reports
rm -rf "$reports"
mkdir -p "$reports"
status=0
# Open MPI's one-time allocations are left to lsan.supp, which matches them by library. For that the
# leak stacks must name the library: Open MPI must not unload its components before the leak check
# (or their frames are "<unknown module>"), and the unwinder must not stop at the first frame of a
# library built without frame pointers (fast_unwind_on_malloc=0). print_suppressions=0: a process
# whose leaks were all suppressed writes no report file.
(cd "$asan" && \
  OMPI_MCA_mca_base_component_disable_dlclose=1 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:log_path="$reports/asan" \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path="$reports/ubsan" \
  LSAN_OPTIONS=suppressions="$root/Testing/Sanitizers/lsan.supp":print_suppressions=0 \
  ctest --output-on-failure -j 2 --timeout 1800 -E "$excluded") || status=1
if [ -n "$(ls -A "$reports")" ]; then
  for f in "$reports"/*; do
    echo "== sanitizer report $f"
    cat "$f"
  done
  echo "FAIL: $(ls "$reports" | wc -l) sanitizer reports (above)"
  status=1
fi
exit $status
