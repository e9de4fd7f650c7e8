"""Bad flags and bad values: a one-line error on stderr naming the flag, a non-zero exit, and no
output (nor temporary file) left in the output folder."""
import os
import sys

from cli_test_support import check, generate, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]
with workdir() as d:
    run, _ = generate(gen, d, frames=4, size="16,16,10", spacing="6,6,8")
    cases = [
        (["--fwhm", "-2"], "--fwhm: must be >= 0"),
        (["--fwhm=-2"], "--fwhm: must be >= 0"),
        (["--fwhm", "wide"], "--fwhm: expected a number"),
        (["--quality", "0"], "--quality: must be in (0, 1]"),
        (["--quality", "1.5"], "--quality: must be in (0, 1]"),
        (["--reference", "middle"], "--reference: expected first, mean or a frame index"),
        (["--reference", "-1"], "--reference: expected first, mean or a frame index"),
        (["--interp", "9"], "--interp: B-spline degree must be 1..7"),
        (["--reslice-interp", "8"], "--reslice-interp: B-spline degree must be 0..7"),
        (["--wrap", "1,1"], "--wrap: expected three values"),
        (["--sep", "0"], "--sep: must be > 0"),
        (["--threads", "-1"], "--threads: must be >= 0"),
        (["--mask", "sometimes"], "--mask: expected true or false"),
        (["--backend", "gpu"], "--backend: expected serial, threads or mpi"),
        (["--mpi-ranks", "0"], "--mpi-ranks: expected a whole number >= 1"),
        (["--progress", "loud"], "--progress: expected auto, slicer, text or none"),
        (["--bogus", "1"], "--bogus: unknown parameter"),
        (["--fwhm"], "--fwhm: missing value"),
        (["stray.nii.gz"], "stray.nii.gz: unexpected argument"),
        (["--quality", "0.5", "--quality", "0.6"], "--quality: given twice"),
    ]
    n = 0
    for extra, fragment in cases + [([], None)]:
        outdir = os.path.join(d, f"out{n}")
        os.mkdir(outdir)
        args = ["--output", os.path.join(outdir, "r.nii.gz"), "--params", os.path.join(outdir, "rp.txt")]
        if fragment is None:  # missing input
            p, fragment = run_cli(mc, *args), "--input: required"
        else:
            p = run_cli(mc, "--input", run, *args, *extra)
        lines = p.stderr.splitlines()
        check(p.returncode != 0, f"exit 0 for {extra}")
        check(len(lines) == 1, f"{len(lines)} stderr lines for {extra}: {p.stderr!r}")
        check(fragment in p.stderr, f"'{fragment}' not in {p.stderr!r}")
        check(os.listdir(outdir) == [], f"files left for {extra}: {os.listdir(outdir)}")
        print(f"ok (exit {p.returncode}): {lines[0]}")
        n += 1
    # A run-time failure (an input that does not exist) is also one line naming the file.
    p = run_cli(mc, "--input", os.path.join(d, "missing.nii.gz"), "--params", os.path.join(d, "rp.txt"))
    check(p.returncode != 0 and len(p.stderr.splitlines()) == 1 and "missing.nii.gz: no such file" in p.stderr,
          p.stderr)
    check(not os.path.exists(os.path.join(d, "rp.txt")), "rp written for a failed run")
print(f"ok: {n + 1} bad invocations rejected with one line each")
