"""Every kind of parameter reaches the run: a boolean (bare, under its alias), integers, doubles,
an integer vector, enumerations and a string change what is written exactly as they should. In an
extension build the values come from GenerateCLP's PARSE_ARGS, so this shows that its variables are
copied into the request, not only that the command line was accepted."""
import os
import sys

from cli_test_support import check, generate, read_rp, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]
NIFTI1_HEADER = 352  # .nii: header and extension flag, then the voxels


def voxels(path):
    with open(path, "rb") as f:
        return f.read()[NIFTI1_HEADER:]


with workdir() as d:
    run, _ = generate(gen, d, name="run.nii", frames=5, size="20,20,12", spacing="5,5,6", seed=11)
    n = [0]

    def correct(*extra, expect=0):
        """Runs the CLI into a fresh folder; returns (folder, process)."""
        n[0] += 1
        out = os.path.join(d, f"out{n[0]}")
        os.mkdir(out)
        args = [a.replace("OUT", out) for a in extra]
        p = run_cli(mc, "--input", run, *args, "--progress", "none")
        check(p.returncode == expect, f"exit {p.returncode} (expected {expect}) for {extra}: {p.stderr!r}")
        return out, p

    base, _ = correct("--output", "OUT/r.nii", "--params", "OUT/rp.txt")
    rp = read_rp(os.path.join(base, "rp.txt"))
    check(len(rp) == 5 and all(len(r) == 6 for r in rp), f"rp has {len(rp)} rows")

    # Booleans: bare, under the hyphenated alias; false by default.
    out, _ = correct("--params", "OUT/rp.txt", "--estimate-only")
    check(sorted(os.listdir(out)) == ["rp.txt"], f"--estimate-only wrote {os.listdir(out)}")
    check(read_rp(os.path.join(out, "rp.txt")) == rp, "--estimate-only changed the parameters")
    _, p = correct("--output", "OUT/r.nii", "--estimate_only", expect=2)
    check("estimate-only writes no images" in p.stderr, p.stderr)

    # Integers: the default given explicitly changes nothing; another degree changes the voxels.
    same, _ = correct("--output", "OUT/r.nii", "--reslice_interp", "4")
    check(voxels(os.path.join(same, "r.nii")) == voxels(os.path.join(base, "r.nii")),
          "--reslice_interp 4 (the default) changed the output")
    nearest, _ = correct("--output", "OUT/r.nii", "--reslice-interp", "0")
    check(voxels(os.path.join(nearest, "r.nii")) != voxels(os.path.join(base, "r.nii")),
          "--reslice-interp 0 gave the default's output")

    # An enumeration: mask true (default) zeroes voxels some frame did not see; false keeps them.
    unmasked, _ = correct("--output", "OUT/r.nii", "--mask", "false")
    check(voxels(os.path.join(unmasked, "r.nii")) != voxels(os.path.join(base, "r.nii")),
          "--mask false gave the masked output")

    # Doubles, an integer vector and a string move the estimate.
    for extra in (["--fwhm", "9"], ["--quality", "0.3"], ["--sep", "8"], ["--interp", "1"],
                  ["--wrap", "1,1,1"], ["--reference", "first"]):
        out, _ = correct("--params", "OUT/rp.txt", *extra)
        check(read_rp(os.path.join(out, "rp.txt")) != rp, f"{' '.join(extra)} left the parameters unchanged")

    # Execution parameters: the worker count reaches the run (text mode names it).
    for extra, workers in ((["--threads", "1"], "(1 thread)"), (["--backend", "serial", "--threads", "2"], "(1 thread)"),
                           (["--threads", "2"], "(2 threads)")):
        n[0] += 1
        p = run_cli(mc, "--input", run, "--params", os.path.join(d, f"rp{n[0]}.txt"), *extra, "--progress", "text")
        check(p.returncode == 0 and workers in p.stderr.splitlines()[0], f"{extra}: {p.stderr.splitlines()[:1]}")

    # --quiet: nothing on either stream, outputs still written.
    out, p = correct("--params", "OUT/rp.txt", "--transforms", "OUT/m.txt", "--confounds", "OUT/c.tsv", "--quiet")
    check(p.stdout == "" and p.stderr == "", f"--quiet printed {p.stdout!r} {p.stderr!r}")
    check(sorted(os.listdir(out)) == ["c.tsv", "m.txt", "rp.txt"], f"--quiet wrote {os.listdir(out)}")
print(f"ok: {n[0]} runs; booleans, integers, doubles, a vector, enumerations and strings all reach the run")
