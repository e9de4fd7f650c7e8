#!/bin/bash
# Builds the libFuzzer targets with Clang (every library instrumented: fuzzer coverage, AddressSanitizer,
# UndefinedBehaviorSanitizer) in build-fuzz/, replays every saved crash input in
# Testing/Fuzz/regressions/<target>/, then fuzzes each target for a bounded time from its seed corpus
# (Testing/Fuzz/seeds/<target>/ plus small generated runs and the small real files of ../shared/data).
# A crash fails the script and leaves its input in build-fuzz/crashes/<target>/: fix the bug, then
# move the input into regressions/<target>/ so it stays a test.
#
#   run-fuzzers.sh [seconds per target, default 60]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
build=${MC_FUZZ_BUILD_DIR:-$root/build-fuzz}
data=$root/../shared/data
targets=(Nifti NiftiGz Nrrd ExecutionModel CommandLine ProgressJson JobFile)

flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
# OpenMP off: Debian's clang has no libomp unless libomp-dev is installed, and the readers do not use it.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_DISABLE_FIND_PACKAGE_OpenMP=ON -DMC_BUILD_FUZZERS=ON -DMC_BUILD_TESTING=OFF -DMC_BUILD_BENCHMARKS=OFF \
  -DMC_BUILD_QT=OFF > "$build.configure.log" 2>&1 || { tail -40 "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" --target $(printf 'Fuzz%s ' "${targets[@]}") GenerateSyntheticRun

# Seeds: the checked-in text seeds, small generated runs in every format, the small real files.
work=$build/corpus
rm -rf "$work"
mkdir -p "$work"
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  [ -d "$root/Testing/Fuzz/seeds/$t" ] && cp "$root/Testing/Fuzz/seeds/$t/"* "$work/$t/"
done
gen=$build/Modules/Tools/GenerateSyntheticRun/GenerateSyntheticRun
for ext in nii nii.gz nrrd; do
  "$gen" --output "$build/seed.$ext" --truth "$build/seed_rp.txt" --frames 3 --size 8,8,4 --spacing 4,4,5 > /dev/null 2>&1
done
cp "$build/seed.nii" "$work/Nifti/generated.nii"
cp "$build/seed.nii.gz" "$work/NiftiGz/generated.nii.gz"
cp "$build/seed.nrrd" "$work/Nrrd/generated.nrrd"
if [ -d "$data" ]; then
  cp "$data/nibabel_example4d.nii.gz" "$data/allineate_epi3d.nii.gz" "$work/NiftiGz/"
  { gzip -dc "$data/nibabel_example4d.nii.gz" || true; } | head -c 200000 > "$work/Nifti/nibabel_example4d_part.nii"
fi
cp "$root/Modules/CLI/MotionCorrectionCLI/MotionCorrectionCLI.xml" "$work/ExecutionModel/"

# The image targets write each input to a scratch file in TMPDIR: one of the build's own, so that a
# crash (which skips the target's clean-up) leaves nothing in /tmp.
export TMPDIR=$build/tmp
mkdir -p "$TMPDIR"
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$root/Testing/Sanitizers/lsan.supp
status=0
for t in "${targets[@]}"; do
  exe=$build/Testing/Fuzz/Fuzz$t
  reg=$root/Testing/Fuzz/regressions/$t
  if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
    echo "== Fuzz$t: replaying $(ls "$reg" | wc -l) saved crash inputs"
    "$exe" -runs=1 "$reg"/* > "$build/Fuzz$t.regressions.log" 2>&1 || { tail -30 "$build/Fuzz$t.regressions.log"; status=1; }
  fi
  crashes=$build/crashes/$t
  mkdir -p "$crashes"
  echo "== Fuzz$t: fuzzing for $seconds s"
  # -rss_limit_mb: a reader that allocates what a header claims, unchecked, is a bug (issue 13).
  if ! "$exe" -max_total_time="$seconds" -max_len=262144 -rss_limit_mb=2048 -timeout=20 \
      -artifact_prefix="$crashes/" "$work/$t" > "$build/Fuzz$t.log" 2>&1; then
    tail -40 "$build/Fuzz$t.log"
    echo "FAIL: Fuzz$t found a crash: $(ls "$crashes")"
    status=1
  else
    grep -E "^#[0-9]+.*(DONE|pulse)" "$build/Fuzz$t.log" | tail -1 || true
  fi
done
exit $status
