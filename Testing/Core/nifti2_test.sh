#!/bin/bash
# NIfTI-2 input: the same run saved by nibabel as NIfTI-1 and as NIfTI-2 (oblique, int16 with a
# scale factor) must give the same parameters.
set -eu
MC=$1 GEN=$2 PY=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$GEN" --output "$dir/run.nii.gz" --truth "$dir/rp_true.txt" --frames 6 --size 40,44,24 --spacing 3.5,3.5,4 --oblique 12 2> /dev/null
"$PY" - "$dir" <<'PY'
import sys, numpy as np, nibabel as nib
d = sys.argv[1]
img = nib.load(f"{d}/run.nii.gz")
data = img.get_fdata()
for cls, name in ((nib.Nifti1Image, "n1"), (nib.Nifti2Image, "n2")):
    out = cls(np.round(data / 0.5).astype(np.int16), img.affine)
    out.header.set_slope_inter(0.5, 0)
    out.header.set_sform(img.affine, code=1)
    out.header.set_qform(img.affine, code=1)
    nib.save(out, f"{d}/{name}.nii.gz")
assert nib.load(f"{d}/n2.nii.gz").header.sizeof_hdr == 540
# qform only (sform_code 0): the reader must build the matrix from the quaternion.
q = nib.Nifti2Image(data.astype(np.float32), img.affine)
q.header.set_qform(img.affine, code=1)
q.header.set_sform(None, code=0)
nib.save(q, f"{d}/n2q.nii")
assert nib.load(f"{d}/n2q.nii").header["sform_code"] == 0
PY
"$MC" --input "$dir/n1.nii.gz" --params "$dir/rp1.txt" --estimate_only > /dev/null
"$MC" --input "$dir/n2.nii.gz" --params "$dir/rp2.txt" --estimate_only > /dev/null
"$MC" --input "$dir/n2q.nii" --params "$dir/rp2q.txt" --estimate_only > /dev/null
"$PY" - "$dir" <<'PY'
import sys, numpy as np
d = sys.argv[1]
a, b, q, t = (np.loadtxt(f"{d}/{n}") for n in ("rp1.txt", "rp2.txt", "rp2q.txt", "rp_true.txt"))
assert np.abs(q - b).max() < 2e-3, np.abs(q - b).max()  # float vs int16-rounded voxels
assert a.shape == (6, 6), a.shape
assert np.abs(a - b).max() < 1e-6, np.abs(a - b).max()
print("NIfTI-1 vs NIfTI-2 max difference", np.abs(a - b).max(), "; vs truth", np.abs(a - t).max(axis=0))
assert np.abs(a - t)[:, :3].max() < 0.08 and np.abs(a - t)[:, 3:].max() < 0.002
PY
