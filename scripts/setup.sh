#!/bin/bash
# Installs what a fresh Debian 12 lacks, then configures and builds everything (Release, Ninja).
# Safe to run again: installed packages are skipped and the build is incremental.
#
#   setup.sh          the standalone build in build/
#   setup.sh --kit    also the extension build in build-kit/ against ../shared/slicer-sdk: the kit
#                     (Slicer 5.2.2's MRML libraries, SlicerExecutionModel) is built once into
#                     build/slicer-sdk (about 9 minutes; later runs reuse it at once)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MC_BUILD_DIR:-$root/build}
with_kit=0
for arg in "$@"; do
  case "$arg" in
    --kit) with_kit=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --kit)" >&2; exit 2 ;;
  esac
done

packages=(
  build-essential cmake ninja-build make pkg-config git ca-certificates procps
  zlib1g-dev libeigen3-dev libinsighttoolkit5-dev nlohmann-json3-dev libexpat1-dev
  libgtest-dev libgmock-dev libbenchmark-dev libxml2-utils libdeflate-dev
  qt6-base-dev qt6-base-dev-tools libqt6charts6-dev libqt6opengl6-dev libqt6svg6-dev libgl-dev
  qtbase5-dev libqt5charts5-dev libqt5svg5-dev
  libopenmpi-dev openmpi-bin
  # run-fuzzers.sh: clang 14, its libFuzzer/ASan/UBSan runtimes (libclang-rt-14-dev is only a
  # Recommends of clang-14) and llvm-symbolizer for readable crash stacks
  clang libclang-rt-14-dev llvm
  python3 python3-dev pybind11-dev python3-numpy python3-nibabel
  xvfb xauth fonts-dejavu-core
  # Dataset.ReportScreenshot: the HTML report rendered by headless Chromium
  chromium
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  echo "setup: installing ${#missing[@]} Debian packages: ${missing[*]}"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j "$(nproc)"

if [ "$with_kit" = 1 ]; then
  sdk=$root/../shared/slicer-sdk
  kit_prefix=${MC_SLICER_KIT_PREFIX:-$build/slicer-sdk}
  kit_build=${MC_KIT_BUILD_DIR:-$root/build-kit}
  if [ ! -x "$sdk/build.sh" ]; then
    echo "setup: $sdk/build.sh not found (the slicer-sdk kit must be in ../shared beside the project)" >&2
    exit 1
  fi
  echo "setup: Slicer kit in $kit_prefix"
  "$sdk/build.sh" "$kit_prefix" > "$build/slicer-sdk-build.log" 2>&1 || { tail -40 "$build/slicer-sdk-build.log"; exit 1; }
  tail -4 "$build/slicer-sdk-build.log"
  echo "setup: extension build (Kit mode) in $kit_build"
  cmake -S "$root" -B "$kit_build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMC_SLICER_KIT_PREFIX="$kit_prefix" \
    > "$kit_build.configure.log" 2>&1 || { tail -60 "$kit_build.configure.log"; exit 1; }
  cmake --build "$kit_build" -j "$(nproc)"
fi
