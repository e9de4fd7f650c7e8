#!/bin/bash
# Bad input to the plain CLI: a one-line error naming the file and the problem, a non-zero exit,
# and no output file (not even a partial or temporary one) left behind.
set -u
MC=$1 GEN=$2 DATA=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0

expect_error() {  # expect_error <fragment> <args...>
  local fragment=$1; shift
  rm -rf "$dir/out"; mkdir "$dir/out"
  "$MC" "$@" --output "$dir/out/r.nii.gz" --params "$dir/out/rp.txt" --quiet > "$dir/stdout" 2> "$dir/stderr"
  local rc=$?
  local lines; lines=$(grep -c . "$dir/stderr")
  if [ $rc -eq 0 ]; then echo "FAIL: exit 0 for $*"; fail=1; fi
  if ! grep -q -- "$fragment" "$dir/stderr"; then echo "FAIL: '$fragment' not in: $(cat "$dir/stderr")"; fail=1; fi
  if [ "$lines" -ne 1 ]; then echo "FAIL: $lines error lines for $*: $(cat "$dir/stderr")"; fail=1; fi
  if [ -n "$(ls -A "$dir/out")" ]; then echo "FAIL: files left for $*: $(ls -A "$dir/out")"; fail=1; fi
  echo "ok ($rc): $(cat "$dir/stderr")"
}

"$GEN" --output "$dir/run.nii.gz" --truth "$dir/rp_true.txt" --frames 4 --size 24,24,12 --spacing 6,6,8 2> /dev/null
gzip -dc "$dir/run.nii.gz" | head -c 40000 | gzip > "$dir/truncated.nii.gz"
echo "not an image" > "$dir/text.nii.gz"
echo "not an image" > "$dir/plain.nii"

expect_error "missing.nii.gz: no such file" --input "$dir/missing.nii.gz"
expect_error "plain.nii: not a readable NIfTI" --input "$dir/plain.nii"
expect_error "text.nii.gz" --input "$dir/text.nii.gz"
expect_error "truncated.nii.gz: truncated" --input "$dir/truncated.nii.gz"
expect_error "allineate_epi3d.nii.gz: is a single 3D volume" --input "$DATA/allineate_epi3d.nii.gz"
expect_error "--fwhm: must be >= 0" --input "$dir/run.nii.gz" --fwhm -2
expect_error "--quality: must be in (0, 1]" --input "$dir/run.nii.gz" --quality 1.5
expect_error "--reference: expected first, mean or a frame index" --input "$dir/run.nii.gz" --reference middle
expect_error "--input: required" --fwhm 5
expect_error "--bogus: unknown parameter" --input "$dir/run.nii.gz" --bogus 1
expect_error "reference frame 9 is past the last frame" --input "$dir/run.nii.gz" --reference 9
expect_error "output would overwrite the input" --input "$dir/run.nii.gz" --mean "$dir/run.nii.gz"

# Every output is checked before any work: a folder where the realigned run should go, or an
# unwritable folder, fails at once and leaves none of the other outputs behind.
mkdir -p "$dir/out/r.nii.gz"
"$MC" --input "$dir/run.nii.gz" --output "$dir/out/r.nii.gz" --params "$dir/out/rp.txt" --quiet 2> "$dir/stderr"
rc=$?
[ $rc -eq 2 ] || { echo "FAIL: exit $rc for a folder as the output"; fail=1; }
grep -q "r.nii.gz: is a folder" "$dir/stderr" || { echo "FAIL: folder output: $(cat "$dir/stderr")"; fail=1; }
[ "$(ls -A "$dir/out")" = "r.nii.gz" ] || { echo "FAIL: files left beside the folder output: $(ls -A "$dir/out")"; fail=1; }
echo "ok ($rc): $(cat "$dir/stderr")"
rm -rf "$dir/out"
if [ "$(id -u)" -ne 0 ]; then  # root writes anywhere
  mkdir -p "$dir/ro" && chmod 555 "$dir/ro"
  "$MC" --input "$dir/run.nii.gz" --output "$dir/ro/r.nii.gz" --quiet 2> "$dir/stderr"
  grep -q "is not writable" "$dir/stderr" || { echo "FAIL: read-only folder: $(cat "$dir/stderr")"; fail=1; }
  chmod 755 "$dir/ro"
fi
expect_error "w.nii.gz: output would overwrite the input" --input "$dir/run.nii.gz" --weight "$dir/w.nii.gz" --mean "$dir/w.nii.gz"

# The input is never touched.
before=$(sha256sum "$dir/run.nii.gz")
"$MC" --input "$dir/run.nii.gz" --output "$dir/out/ok.nii.gz" --quiet 2> /dev/null || { echo "FAIL: good run failed"; fail=1; }
[ "$before" = "$(sha256sum "$dir/run.nii.gz")" ] || { echo "FAIL: input changed"; fail=1; }
exit $fail
