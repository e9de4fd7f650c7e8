"""Damaged frames through the CLI: a frame with NaN voxels and an all-zero frame are named in one
warning line, frame 0 being damaged hands the reference to the first undamaged frame (one line,
rp row of that frame zero), the confounds TSV marks them in motion_outlierXX columns, a damaged
reference frame asked for explicitly fails naming it, and with `mpi` as third argument
--backend mpi gives the threads backend's answer."""
import math
import os
import struct
import sys

from cli_test_support import check, generate, read_rp, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]
backends = ["threads"] + (["mpi"] if len(sys.argv) > 3 and sys.argv[3] == "mpi" else [])
frames = 8


def damage(path, slabs):
    """Overwrites voxels of a float32 .nii: slabs is {frame: (first z, end z, value)}."""
    with open(path, "r+b") as f:
        header = f.read(352)
        dim = struct.unpack_from("<8h", header, 40)
        datatype = struct.unpack_from("<h", header, 70)[0]
        offset = int(struct.unpack_from("<f", header, 108)[0])
        check(datatype == 16, f"the generator wrote datatype {datatype}, expected float32 (16)")
        plane, frame = dim[1] * dim[2], dim[1] * dim[2] * dim[3]
        for t, (z0, z1, value) in slabs.items():
            f.seek(offset + 4 * (t * frame + z0 * plane))
            f.write(struct.pack("<f", value) * ((z1 - z0) * plane))
        return dim[3]


def read_tsv(path):
    with open(path) as f:
        return [line.rstrip("\n").split("\t") for line in f]


with workdir() as d:
    run, truth = generate(gen, d, name="run.nii", frames=frames, size="32,32,20", spacing="4,4,5", seed=9)
    nz = damage(run, {0: (4, 12, math.nan), 5: (0, 20, 0.0)})
    results = {}
    for backend in backends:
        out = os.path.join(d, backend)
        os.mkdir(out)
        p = run_cli(mc, "--input", run, "--params", os.path.join(out, "rp.txt"),
                    "--confounds", os.path.join(out, "confounds.tsv"), "--mean", os.path.join(out, "mean.nii"),
                    "--backend", backend, "--mpi-ranks", "2", "--threads", "1", "--progress", "text")
        check(p.returncode == 0, f"{backend}: exit {p.returncode}: {p.stderr}")
        warnings = [line for line in p.stderr.splitlines() if ": warning: " in line]
        check(warnings == [
            "MotionCorrectionCLI: warning: frame 0: NaN/Inf voxels (set to 0); frame 5: all voxels zero;"
            " left out of the reference and the mean, marked as motion outliers",
            "MotionCorrectionCLI: warning: reference frame 0 is damaged: frame 1, the first undamaged frame, is the"
            " reference and the parameters are relative to it"], f"{backend}: warnings {warnings}")
        rp = read_rp(os.path.join(out, "rp.txt"))
        check(len(rp) == frames and rp[1] == [0.0] * 6, f"{backend}: rp row 1 (the reference) is {rp[1]}")
        tsv = read_tsv(os.path.join(out, "confounds.tsv"))
        check(tsv[0][7:] == ["motion_outlier00", "motion_outlier01"], f"{backend}: TSV header {tsv[0]}")
        for j in range(frames):
            check(tsv[j + 1][7:] == ["1" if j == 0 else "0", "1" if j == 5 else "0"],
                  f"{backend}: TSV row {j}: {tsv[j + 1]}")
        # The good frames against the truth relative to frame 1 (translations only, small rotations:
        # t_j - t_1 is close to the relative translation; the core tests check full transforms).
        tru = read_rp(truth)
        for j in (2, 3, 4, 6, 7):
            for c in range(3):
                err = abs(rp[j][c] - (tru[j][c] - tru[1][c]))
                check(err < 0.25, f"{backend}: frame {j} column {c} off the truth by {err:.3f} mm")
        results[backend] = rp, tsv

    if "mpi" in results:
        gap = max(abs(a - b) for ra, rb in zip(results["mpi"][0], results["threads"][0]) for a, b in zip(ra, rb))
        check(gap < 1e-6, f"mpi and threads differ by {gap}")
        check([r[7:] for r in results["mpi"][1]] == [r[7:] for r in results["threads"][1]], "outlier columns differ")

    # The user asked for the empty frame as reference: refused naming it, nothing written. A bad
    # value is exit 2 in-process; the MPI launcher reports every worker failure as exit 1.
    for backend in backends:
        out = os.path.join(d, "explicit_" + backend)
        os.mkdir(out)
        p = run_cli(mc, "--input", run, "--params", os.path.join(out, "rp.txt"), "--reference", "5",
                    "--backend", backend, "--mpi-ranks", "2", "--threads", "1", "--progress", "text")
        expected = 2 if backend == "threads" else 1
        check(p.returncode == expected, f"{backend}, --reference 5: exit {p.returncode}: {p.stderr}")
        errors = [line for line in p.stderr.splitlines() if ": error: " in line]
        check(len(errors) == 1 and "reference frame 5 is empty (all zero)" in errors[0],
              f"{backend}, --reference 5: {p.stderr}")
        check(os.listdir(out) == [], f"{backend}, --reference 5 left {os.listdir(out)}")
print(f"ok: damaged frames named, reference moved to frame 1, outlier columns written ({', '.join(backends)})")
