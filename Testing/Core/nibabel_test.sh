#!/bin/bash
# NIfTI files written by our writer (every kind the engine writes: float32, float64, scaled int16
# and uint8, .nii and .nii.gz) read by nibabel: the same voxels and affine as our reader gives.
set -eu
TESTS=$1 PY=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
MC_NIBABEL_DIR=$dir "$TESTS" --gtest_filter=NiftiFormat.WriteFilesForNibabel > /dev/null
"$PY" - "$dir" <<'PY'
import sys, numpy as np, nibabel as nib
d = sys.argv[1]
n = 0
for line in open(f"{d}/files.txt"):
    f = line.split()
    img = nib.load(f"{d}/{f[0]}")
    data = np.asarray(img.dataobj, dtype=np.float64).astype(np.float32)
    ours = np.fromfile(f"{d}/{f[1]}", dtype=np.float32).reshape(data.shape, order="F")
    assert np.array_equal(data, ours), (f[0], np.abs(data - ours).max())
    aff = np.array([float(x) for x in f[2:]]).reshape(3, 4)
    assert np.abs(img.affine[:3] - aff).max() < 1e-5, (f[0], img.affine, aff)
    n += 1
assert n == 8, n
print("nibabel read", n, "files with the same voxels and affine")
PY
