#!/bin/bash
# Set up and build both the standalone and the extension (Kit) build, then run the whole test suite
# of each; also builds the app's Qt libraries once against Qt 5.15 with Qt Charts; then the standalone
# suite once more under ASan + UBSan (run-sanitized-tests.sh, build-asan/) and every libFuzzer target
# for a bounded time after replaying its saved crash inputs (run-fuzzers.sh, build-fuzz/). Any failure
# or sanitizer report fails the command; the time each part took is printed at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
timings=()
part_start=$SECONDS
part_done() { timings+=("$(printf '%5d s  %s' $((SECONDS - part_start)) "$1")"); part_start=$SECONDS; }
print_timings() {
  echo "== Time per part (total $SECONDS s)"
  for t in "${timings[@]}"; do echo "$t"; done
}
trap print_timings EXIT
build=${MC_BUILD_DIR:-$root/build}
kit_build=${MC_KIT_BUILD_DIR:-$root/build-kit}
"$root/scripts/setup.sh" --kit
part_done "setup.sh --kit (packages, standalone and extension builds)"

export QT_QPA_PLATFORM=offscreen
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== Standalone build: tests"
(cd "$build" && ctest --output-on-failure -j 2 --timeout 900)
part_done "standalone tests"
echo "== Extension build against the Slicer kit (Slicer 5.2.2 MRML, SlicerExecutionModel, main's headers): tests"
(cd "$kit_build" && ctest --output-on-failure -j 2 --timeout 900)
part_done "extension build tests"

echo "== Core and Qt engine without OpenMP (frames on std::thread, as with Apple clang)"
noomp=${MC_NOOMP_BUILD_DIR:-$root/build-noomp}
cmake -S "$root" -B "$noomp" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_BUILD_BENCHMARKS=OFF -DMC_BUILD_QT=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON > "$noomp.configure.log" 2>&1 || { cat "$noomp.configure.log"; exit 1; }
cmake --build "$noomp" -j "$(nproc)" --target MotionCorrectionCoreTests MotionCorrectionEngine
(cd "$noomp" && ctest --output-on-failure -j 2 --timeout 900 -R '^(FrameExecutor|Realigner|Reslicer|CpuDispatch|Collective)\.')
part_done "build and tests without OpenMP"

echo "== Qt 5.15 build of the Qt engine, the panel with Qt Charts and the app"
qt5=${MC_QT5_BUILD_DIR:-$root/build-qt5}
cmake -S "$root" -B "$qt5" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_QT_VERSION=5 -DMC_BUILD_TESTING=OFF \
  -DMC_BUILD_BENCHMARKS=OFF > "$qt5.configure.log" 2>&1 || { cat "$qt5.configure.log"; exit 1; }
targets=$(cmake --build "$qt5" --target help | grep -o -E '^(MotionCorrectionEngine|MotionCorrectionWidgets|SlicerMotionCorrectionApp)\b' | sort -u | tr '\n' ' ')
if [ -n "$targets" ]; then
  cmake --build "$qt5" -j "$(nproc)" --target $targets
  echo "Qt 5 build OK: $targets"
else
  echo "Qt 5 build: no Qt targets configured"; exit 1
fi
part_done "Qt 5.15 build"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer (GCC): the standalone test suite once more"
"$root/scripts/run-sanitized-tests.sh"
part_done "ASan + UBSan build and tests"

echo "== libFuzzer (Clang, ASan + UBSan): saved crash inputs, then each target for ${MC_FUZZ_SECONDS:-60} s"
"$root/scripts/run-fuzzers.sh" "${MC_FUZZ_SECONDS:-60}"
part_done "libFuzzer build, regressions and fuzzing"
