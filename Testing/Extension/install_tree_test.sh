#!/bin/bash
# The extension as a Slicer package lays it out: `cmake --install` of the Kit build into a scratch
# prefix puts the libraries in Slicer's qt-loadable-modules folder and the CLI with its MPI worker in
# cli-modules, nothing elsewhere; the installed programs resolve every library without the build
# tree, and the installed CLI runs a real job with the MPI backend, finding the worker beside it.
# usage: install_tree_test.sh CMAKE BUILD_DIR PREFIX GENERATOR LIB_DIR CLI_DIR
set -euo pipefail
cmake=$1 build=$2 prefix=$3 gen=$4 libdir=$5 clidir=$6
rm -rf "$prefix"
"$cmake" --install "$build" --prefix "$prefix" > "$prefix.log" 2>&1 || { cat "$prefix.log"; exit 1; }
fail=0
for f in "$libdir/libMotionCorrectionAlgorithm.so" "$libdir/libMotionCorrectionIO.so" "$libdir/libMotionCorrectionJob.so" \
         "$libdir/libMotionCorrectionLaunch.so" "$libdir/libMotionCorrectionEngine.so" "$libdir/libMotionCorrectionWidgets.so" \
         "$libdir/libvtkSlicerMotionCorrectionModuleLogic.so" "$clidir/MotionCorrectionCLI" "$clidir/MotionCorrectionMPI" \
         "$clidir/MotionCorrectionFollowCLI" "$clidir/MotionCorrectionFollowCLI.xml" \
         "$libdir/libMotionCorrectionDataset.so" "$clidir/MotionCorrectionDatasetCLI" "$clidir/MotionCorrectionDatasetCLI.xml"; do
  if [ ! -e "$prefix/$f" ]; then echo "FAIL: $f was not installed"; fail=1; fi
done
slicer_dir=${libdir%%/qt-loadable-modules}
stray=$(cd "$prefix" && find . -type f ! -path "./$slicer_dir/*" | sort)
if [ -n "$stray" ]; then echo "FAIL: installed outside $slicer_dir:"; echo "$stray"; fail=1; fi
for exe in "$prefix/$clidir/MotionCorrectionCLI" "$prefix/$clidir/MotionCorrectionMPI" "$prefix/$clidir/MotionCorrectionFollowCLI" \
           "$prefix/$clidir/MotionCorrectionDatasetCLI"; do
  [ -e "$exe" ] || continue
  deps=$(ldd "$exe")
  if grep -q "not found" <<< "$deps"; then echo "FAIL: $exe: unresolved libraries"; grep "not found" <<< "$deps"; fail=1; fi
  # (the scratch prefix may itself lie inside the build tree)
  from_build=$(grep -F "$build" <<< "$deps" | grep -vF "$prefix" || true)
  if [ -n "$from_build" ]; then echo "FAIL: $exe loads libraries from the build tree"; echo "$from_build"; fail=1; fi
done
# The libraries the loadable module loads (the panel): Slicer's launcher puts the module library
# folder on the library path, so that folder and the system must hold everything they need.
for lib in "$prefix/$libdir/libMotionCorrectionWidgets.so"; do
  [ -e "$lib" ] || continue
  deps=$(LD_LIBRARY_PATH="$prefix/$libdir" ldd "$lib")
  if grep -q "not found" <<< "$deps"; then echo "FAIL: $lib: unresolved libraries"; grep "not found" <<< "$deps"; fail=1; fi
  from_build=$(grep -F "$build" <<< "$deps" | grep -vF "$prefix" || true)
  if [ -n "$from_build" ]; then echo "FAIL: $lib loads libraries from the build tree"; echo "$from_build"; fail=1; fi
done
[ "$fail" = 0 ] || exit 1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$gen" --output "$work/run.nii.gz" --truth "$work/rp_true.txt" --frames 6 --size 40,40,24 --seed 3 > /dev/null
# No MC_MPI_WORKER and no build tree on the way: the worker must be found beside the installed CLI.
env -u MC_MPI_WORKER "$prefix/$clidir/MotionCorrectionCLI" --input "$work/run.nii.gz" --params "$work/rp.txt" \
  --backend mpi --mpi_ranks 2 --threads 1 --estimate_only 2> "$work/log" || { echo "FAIL: installed CLI, MPI backend:"; cat "$work/log"; exit 1; }
lines=$(grep -c . "$work/rp.txt")
[ "$lines" = 6 ] || { echo "FAIL: rp.txt has $lines rows, expected 6"; exit 1; }
echo "installed tree OK: $(cd "$prefix" && find . -type f | wc -l) files under $slicer_dir; MPI run from the install tree wrote $lines rows"
