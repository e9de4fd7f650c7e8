"""A write that fails part way (the file-size limit of `ulimit -f`, a full disk) must end the run with
one stderr line naming the output and the problem and exit code 1, and leave nothing in the output
folder: no output (they are committed together or not at all) and no temporary file. The file-size
limit raises SIGXFSZ, which kills a process that does not ignore it and leaves its temporary behind.
Covered: the streamed realigned run (.nii and .nii.gz, the latter compressed on background threads),
the mean, and the parameter files. With "mpi" as third argument the same through --backend mpi,
where rank 0 of MotionCorrectionMPI writes. The full disk is a small tmpfs, mounted only when this
process may mount (root); otherwise that part is skipped and says so."""
import os
import re
import resource
import subprocess
import sys

from cli_test_support import check, generate, workdir

mc, gen = sys.argv[1], sys.argv[2]
backend = sys.argv[3] if len(sys.argv) > 3 else "threads"
# The MPI ranks write Open MPI's own session and shared-memory files under the same limit; a run of
# 64x64x33x20 float32 (10.8 MB realigned) lets the limit fall inside the output instead.
LIMIT = 5 * 1024 * 1024 if backend == "mpi" else 200 * 1024
backend_args = ["--backend", "mpi", "--mpi-ranks", "2", "--threads", "1"] if backend == "mpi" else ["--threads", "2"]


def limited(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def run(args, limit=None):
    return subprocess.run([mc, *args, *backend_args, "--progress", "none"], capture_output=True, text=True,
                          preexec_fn=limited(limit) if limit is not None else None, timeout=240)


def expect_failure(label, p, target, problem, folder):
    lines = p.stderr.splitlines()
    check(p.returncode == 1, f"{label}: exit code {p.returncode}, expected 1; stderr: {p.stderr!r}")
    check(len(lines) == 1, f"{label}: expected one stderr line, got {lines}")
    check(re.fullmatch(r"MotionCorrectionCLI: error: " + re.escape(target) + ": cannot write: " + problem, lines[0]),
          f"{label}: message {lines[0]!r} does not name {target} and '{problem}'")
    left = sorted(os.listdir(folder))
    check(left == [], f"{label}: left in the output folder: {left}")
    print(f"ok: {label}: exit 1, '{lines[0]}', output folder empty")


with workdir() as d:
    if backend == "mpi":
        src, _ = generate(gen, d, frames=20, size="64,64,33", spacing="3,3,3.5", seed=2)
    else:
        src, _ = generate(gen, d)

    cases = [  # (label, outputs, the output that fails, limit)
        ("realigned .nii", {"output": "r.nii", "params": "rp.txt"}, "r.nii", LIMIT),
        ("realigned .nii.gz", {"output": "r.nii.gz", "mean": "mean.nii.gz", "params": "rp.txt"}, "r.nii.gz", LIMIT),
    ]
    if backend != "mpi":  # under MPI a limit this small stops the MPI job file and Open MPI first
        cases += [
            # Parameter files only: no image is written, so the text file itself hits the limit.
            ("parameters", {"params": "rp.txt", "confounds": "confounds.tsv"}, "rp.txt", 0),
            # The mean (80 KiB) is written through a temporary of its own; the message still names it.
            ("mean .nii", {"mean": "mean.nii", "params": "rp.txt"}, "mean.nii", 40 * 1024),
        ]
    for label, outputs, failing, limit in cases:
        out = os.path.join(d, "out_" + re.sub(r"\W", "_", label))
        os.mkdir(out)
        args = ["--input", src]
        for flag, name in outputs.items():
            args += ["--" + flag, os.path.join(out, name)]
        p = run(args, limit)
        expect_failure(f"file-size limit, {label}", p, os.path.join(out, failing), "File too large", out)

    # A full disk: the same outputs on a 256 KiB tmpfs.
    full = os.path.join(d, "full")
    os.mkdir(full)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", full],
                             capture_output=True).returncode == 0 if os.geteuid() == 0 else False
    if not mounted:
        print("skipped: full disk (cannot mount a tmpfs here)")
    else:
        try:
            for name in ("r.nii", "r.nii.gz"):
                target = os.path.join(full, name)
                p = run(["--input", src, "--output", target, "--params", os.path.join(full, "rp.txt")])
                expect_failure(f"full disk, realigned {name}", p, target, "No space left on device", full)
            fd = os.open(os.path.join(full, "filler"), os.O_WRONLY | os.O_CREAT)  # no room for the text file either
            try:
                while os.write(fd, b"\0" * 4096) > 0:
                    pass
            except OSError:
                pass
            os.close(fd)
            target = os.path.join(full, "rp.txt")
            p = run(["--input", src, "--params", target])
            left = sorted(os.listdir(full))
            check(left == ["filler"], f"full disk, parameters: left in the output folder: {left}")
            os.unlink(os.path.join(full, "filler"))
            expect_failure("full disk, parameters", p, target, "No space left on device", full)
        finally:
            subprocess.run(["umount", full])
