"""The CLI's accuracy on a generated run against the generator's truth: mean absolute error per rp
column below 0.05 mm (translations) and 0.001 rad (rotations). Also checks the confounds TSV
(fMRIPrep columns, same values as the rp file) and that every output was written."""
import math
import os
import sys

from cli_test_support import check, generate, read_rp, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]
frames = 12
with workdir() as d:
    run, truth = generate(gen, d, frames=frames, size="40,40,24", spacing="4,4,4.5", seed=11)
    out = {k: os.path.join(d, v) for k, v in
           dict(output="r.nii.gz", mean="mean.nii.gz", params="rp.txt", confounds="confounds.tsv",
                transforms="transforms.txt").items()}
    p = run_cli(mc, "--input", run, *[a for k, v in out.items() for a in ("--" + k, v)], "--progress", "none")
    check(p.returncode == 0, p.stderr)
    for path in out.values():
        check(os.path.getsize(path) > 0, path + " missing or empty")

    est, tru = read_rp(out["params"]), read_rp(truth)
    check(len(est) == len(tru) == frames, f"{len(est)} rows, truth {len(tru)}")
    report = []
    for c in range(6):
        err = sum(abs(e[c] - t[c]) for e, t in zip(est, tru)) / frames
        limit = 0.05 if c < 3 else 0.001
        report.append(f"{err:.4f}" if c < 3 else f"{err:.6f}")
        check(err < limit, f"rp column {c}: mean abs error {err:.6f} >= {limit}")
    truth_size = max(max(abs(v) for v in row[:3]) for row in tru)
    check(truth_size > 0.5, "the generated motion is too small to test anything")

    with open(out["confounds"]) as f:
        rows = [line.rstrip("\n").split("\t") for line in f]
    check(rows[0] == ["trans_x", "trans_y", "trans_z", "rot_x", "rot_y", "rot_z", "framewise_displacement"],
          f"confounds header {rows[0]}")
    check(len(rows) == frames + 1, f"{len(rows) - 1} confound rows")
    for r, e in zip(rows[1:], est):
        check(all(math.isclose(float(a), b, abs_tol=1e-6) for a, b in zip(r[:6], e)), f"confounds {r} != rp {e}")
    with open(out["transforms"]) as f:
        matrices = [l for l in f if l.strip() and not l.startswith("#")]
    check(len(matrices) == frames and all(len(m.split()) == 16 for m in matrices), "transforms: 16 numbers per frame")
print(f"ok: mean abs error x y z (mm) {report[:3]}, pitch roll yaw (rad) {report[3:]}; "
      f"largest true translation {truth_size:.2f} mm")
