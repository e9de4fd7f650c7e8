#!/bin/bash
# Set up and build both the standalone and the extension (Kit) build, then run the whole test suite
# of each; also builds the app's Qt libraries once against Qt 5.15 with Qt Charts.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MC_BUILD_DIR:-$root/build}
kit_build=${MC_KIT_BUILD_DIR:-$root/build-kit}
"$root/scripts/setup.sh" --kit

export QT_QPA_PLATFORM=offscreen
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
echo "== Standalone build: tests"
(cd "$build" && ctest --output-on-failure -j 2 --timeout 900)
echo "== Extension build against the Slicer kit (Slicer 5.2.2 MRML, SlicerExecutionModel, main's headers): tests"
(cd "$kit_build" && ctest --output-on-failure -j 2 --timeout 900)

echo "== Core and Qt engine without OpenMP (frames on std::thread, as with Apple clang)"
noomp=${MC_NOOMP_BUILD_DIR:-$root/build-noomp}
cmake -S "$root" -B "$noomp" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_BUILD_BENCHMARKS=OFF -DMC_BUILD_QT=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON > "$noomp.configure.log" 2>&1 || { cat "$noomp.configure.log"; exit 1; }
cmake --build "$noomp" -j "$(nproc)" --target MotionCorrectionCoreTests MotionCorrectionEngine
(cd "$noomp" && ctest --output-on-failure -j 2 --timeout 900 -R '^(FrameExecutor|Realigner|Reslicer|CpuDispatch|Collective)\.')

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
