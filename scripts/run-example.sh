#!/bin/bash
# The main job on the built-in example: set up and build, generate a realistic synthetic run with
# known motion (64x64x33 voxels of 3x3x3.5 mm, 100 frames, drift + sudden jumps up to 3 mm / 3 deg,
# noise), correct it with the MotionCorrectionCLI command line tool, and compare what it recovered with the truth.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${MC_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"

out=${MC_EXAMPLE_DIR:-$root/out/example}
mkdir -p "$out"
tools=$build/Modules/Tools
echo
echo "== 1. Generating the example run (known motion) in $out"
"$tools/GenerateSyntheticRun/GenerateSyntheticRun" --output "$out/run.nii.gz" --truth "$out/rp_true.txt" --frames 100
echo
echo "== 2. Motion correction (estimate: 2 passes, register to mean; reslice: 4th-degree B-spline)"
"$build/Modules/CLI/MotionCorrectionCLI/MotionCorrectionCLI" --input "$out/run.nii.gz" \
  --output "$out/rrun.nii.gz" --mean "$out/meanrun.nii.gz" --params "$out/rp_run.txt" \
  --confounds "$out/run_desc-confounds_timeseries.tsv" --transforms "$out/run_transforms.txt" --progress text 2>&1 \
  | grep -v -E '^\[ *[0-9.]+%\] (pass|mean|reslice)' || true
echo
echo "== 3. Recovered vs true motion"
"$tools/CompareMotion/CompareMotion" --estimated "$out/rp_run.txt" --truth "$out/rp_true.txt" --run "$out/run.nii.gz"
echo
echo "Outputs in $out:"
ls -1 "$out" | sed 's/^/  /'
app=$build/Modules/Applications/SlicerMotionCorrectionApp/SlicerMotionCorrectionApp
if [ -x "$app" ]; then
  echo
  echo "To look at it in the desktop app: $app $out/run.nii.gz"
fi
