#!/bin/bash
# The README's main job in small: generate a run with known motion, correct it with the CLI, and
# compare the written rp file with the truth (mean absolute error per column).
set -eu
MC=$1 GEN=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$GEN" --output "$dir/run.nii.gz" --truth "$dir/rp_true.txt" --frames 10 --size 52,60,30 --spacing 3.5,3.5,4 --seed 5
"$MC" --input "$dir/run.nii.gz" --output "$dir/rrun.nii.gz" --mean "$dir/mean.nii.gz" --params "$dir/rp.txt" \
      --confounds "$dir/confounds.tsv" --transforms "$dir/transforms.txt" 2> "$dir/log"
for f in rrun.nii.gz mean.nii.gz rp.txt confounds.tsv transforms.txt; do [ -s "$dir/$f" ] || { echo "missing $f"; exit 1; }; done
python3 - "$dir/rp.txt" "$dir/rp_true.txt" <<'PY'
import sys
est = [list(map(float, l.split())) for l in open(sys.argv[1]) if l.strip()]
tru = [list(map(float, l.split())) for l in open(sys.argv[2]) if l.strip()]
assert len(est) == len(tru) == 10, (len(est), len(tru))
for c in range(6):
    err = sum(abs(e[c] - t[c]) for e, t in zip(est, tru)) / len(est)
    limit = 0.05 if c < 3 else 0.001
    print(f"column {c}: mean abs error {err:.5f} (limit {limit})")
    assert err < limit, (c, err)
PY
