#!/bin/bash
# How an extension build configures on a Slicer build machine, checked on the kit:
#  1. Qt follows Slicer's (Slicer_REQUIRED_QT_VERSION, 5.15): asking for Qt 6 is refused with a
#     message naming both versions; the default is Qt 5.
#  2. Without GoogleTest and OpenMP (neither is on Slicer's build machines) the extension still
#     configures: tests skipped, frames on std::thread. (Eigen brought along is checked by
#     Extension.EigenFromArchiveWhenNotInstalled: Debian's VTK, which the kit links, itself needs
#     the system Eigen, so it cannot be hidden from this configure.)
# usage: extension_configure_test.sh CMAKE SOURCE_DIR KIT_PREFIX WORK_DIR
set -euo pipefail
cmake=$1 source=$2 kit=$3 work=$4
rm -rf "$work"; mkdir -p "$work"
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_SLICER_KIT_PREFIX="$kit" -DMC_BUILD_BENCHMARKS=OFF)

if "$cmake" -S "$source" -B "$work/qt6" "${common[@]}" -DMC_QT_VERSION=6 > "$work/qt6.log" 2>&1; then
  echo "FAIL: an extension build accepted Qt 6 while Slicer is built with Qt 5.15"; exit 1
fi
grep -q "MC_QT_VERSION=6, but this Slicer is built with Qt 5.15" "$work/qt6.log" \
  || { echo "FAIL: no clear message for the Qt mismatch:"; grep -A3 "CMake Error" "$work/qt6.log"; exit 1; }
echo "Qt 6 refused: $(grep -o 'MC_QT_VERSION=6, but this Slicer is built with Qt 5.15' "$work/qt6.log")"

"$cmake" -S "$source" -B "$work/bare" "${common[@]}" -DCMAKE_DISABLE_FIND_PACKAGE_GTest=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON > "$work/bare.log" 2>&1 \
  || { echo "FAIL: configure without GoogleTest/OpenMP:"; grep -A5 "CMake Error" "$work/bare.log"; exit 1; }
for expected in "GoogleTest not found" "OpenMP not found" "SlicerMotionCorrection: Kit build"; do
  grep -q "$expected" "$work/bare.log" || { echo "FAIL: configure log lacks '$expected'"; exit 1; }
done
qt=$(grep -E '^MC_QT_VERSION:' "$work/bare/CMakeCache.txt" | cut -d= -f2)
[ "$qt" = 5 ] || { echo "FAIL: default Qt in an extension build is $qt, expected 5"; exit 1; }
# The libraries Slicer needs are still there; the test executables are not.
targets=$("$cmake" --build "$work/bare" --target help)
for t in MotionCorrectionAlgorithm MotionCorrectionIO MotionCorrectionJob MotionCorrectionLaunch MotionCorrectionEngine vtkSlicerMotionCorrectionModuleLogic MotionCorrectionCLI; do
  grep -q "^$t:" <<< "$targets" || { echo "FAIL: target $t missing without GoogleTest/OpenMP"; exit 1; }
done
if grep -q "^MotionCorrectionLogicTests:" <<< "$targets"; then echo "FAIL: GoogleTest tests configured without GoogleTest"; exit 1; fi
echo "configured without GoogleTest and OpenMP: Qt $qt, libraries and CLI present, tests skipped"
