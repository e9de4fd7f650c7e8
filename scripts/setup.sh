#!/bin/bash
# Installs what a fresh Debian 12 lacks, then configures and builds everything (Release, Ninja).
# Safe to run again: installed packages are skipped and the build is incremental.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MC_BUILD_DIR:-$root/build}

packages=(
  build-essential cmake ninja-build make pkg-config git ca-certificates procps
  zlib1g-dev libeigen3-dev libinsighttoolkit5-dev
  libgtest-dev libgmock-dev libbenchmark-dev libxml2-utils
  qt6-base-dev qt6-base-dev-tools libqt6charts6-dev libqt6opengl6-dev libqt6svg6-dev libgl-dev
  qtbase5-dev libqt5charts5-dev libqt5svg5-dev
  libopenmpi-dev openmpi-bin
  python3 python3-dev pybind11-dev python3-numpy python3-nibabel
  xvfb xauth fonts-dejavu-core
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
