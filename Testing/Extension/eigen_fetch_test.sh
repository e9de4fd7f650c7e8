#!/bin/bash
# Eigen brought along by the extension: with find_package(Eigen3) disabled, a project using
# CMake/MotionCorrectionEigen.cmake unpacks Eigen from a release-style archive (made here from the
# installed headers, served as a file:// URL in place of gitlab's), checks its SHA-256, builds and
# runs a solve; an archive with the wrong hash is refused at configure time.
# usage: eigen_fetch_test.sh CMAKE MC_CMAKE_DIR WORK_DIR PROJECT_DIR
set -euo pipefail
cmake=$1 mc_cmake=$2 work=$3 project=$4
rm -rf "$work"; mkdir -p "$work/archive/eigen-3.4.0"
cp -r /usr/include/eigen3/Eigen "$work/archive/eigen-3.4.0/"
tar -C "$work/archive" -czf "$work/eigen-3.4.0.tar.gz" eigen-3.4.0
sha=$(sha256sum "$work/eigen-3.4.0.tar.gz" | cut -d' ' -f1)

common=(-DMC_CMAKE_DIR="$mc_cmake" -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON -DMC_EIGEN_URL="file://$work/eigen-3.4.0.tar.gz")
"$cmake" -S "$project" -B "$work/build" "${common[@]}" -DMC_EIGEN_SHA256="$sha" > "$work/configure.log" 2>&1 \
  || { cat "$work/configure.log"; exit 1; }
grep -q "Eigen 3.3+ not installed: using file://" "$work/configure.log" || { echo "FAIL: the archive was not used"; cat "$work/configure.log"; exit 1; }
"$cmake" --build "$work/build" > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
"$work/build/eigen_solve"

if "$cmake" -S "$project" -B "$work/build-badhash" "${common[@]}" -DMC_EIGEN_SHA256=0000000000000000000000000000000000000000000000000000000000000000 \
     > "$work/badhash.log" 2>&1; then
  echo "FAIL: an archive with the wrong SHA-256 was accepted"; exit 1
fi
grep -qi "hash" "$work/badhash.log" || { echo "FAIL: no hash error shown"; cat "$work/badhash.log"; exit 1; }
echo "wrong hash refused: $(grep -i -m1 'hash' "$work/badhash.log" | sed 's/^ *//')"
