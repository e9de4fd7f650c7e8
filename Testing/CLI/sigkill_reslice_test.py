"""SIGKILL while the realigned run is being resliced (and streamed to its staged file) must leave
nothing in the output folder: no output and no temporary. A SIGKILL cannot be handled, so the
streamed file has no name until it is complete (O_TMPFILE, named at the writer's finish); only the
short moment between that and the final renames can leave a temporary.

The kill lands inside the reslice stage by construction, not by timing: the CLI's stdout (the Slicer
protocol, flushed per report) is a pipe shrunk to one page that this test stops reading once the
reslice stage is 10% done; the CLI can then get at most a page of reports ahead before it blocks,
far fewer than the frames left, and it cannot commit before they are all reported. (With --backend
mpi the reports pass through two more pipes that hold far more, so that backend is not tested here;
its ranks remove their staged files as they die, see Docs/CLI.md.)"""
import fcntl
import os
import re
import signal
import subprocess
import sys

from cli_test_support import check, generate, workdir

mc, gen = sys.argv[1], sys.argv[2]
FRAMES = 200
F_SETPIPE_SZ = 1031  # Linux fcntl
# Stages of the default two-pass run, in the protocol's order: pass 1, mean, pass 2, reslice.
RESLICE_STAGE = 4


def reports(fd):
    """The protocol's lines, read a little at a time so that this side holds no more than 256 bytes."""
    pending = b""
    while True:
        chunk = os.read(fd, 256)
        if not chunk:
            return
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from (l.decode() for l in lines)


with workdir() as d:
    run, _ = generate(gen, d, frames=FRAMES)
    for name in ("r.nii.gz", "r.nii"):
        out = os.path.join(d, "out_" + name.replace(".", "_"))
        os.mkdir(out)
        args = [mc, "--input", run, "--output", os.path.join(out, name), "--mean", os.path.join(out, "mean.nii"),
                "--params", os.path.join(out, "rp.txt"), "--threads", "1"]
        p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0,
                             env=dict(os.environ, MC_PROGRESS="slicer"))
        fcntl.fcntl(p.stdout.fileno(), F_SETPIPE_SZ, 4096)
        stage, last, reached = 0, 1.0, None
        for line in reports(p.stdout.fileno()):
            m = re.match(r"<filter-stage-progress>([0-9.]+)</filter-stage-progress>", line)
            if not m:
                continue
            value = float(m.group(1))
            if value < last:  # a new stage starts at a smaller fraction
                stage += 1
            last = value
            if stage == RESLICE_STAGE and value >= 0.1:
                reached = value
                break
        check(reached is not None, f"{name}: the run ended before its reslice stage (exit {p.poll()})")
        p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        p.stdout.close()
        left = sorted(os.listdir(out))
        check(p.returncode == -signal.SIGKILL, f"{name}: exit {p.returncode}: the run was not killed mid-way")
        check(left == [], f"{name}: SIGKILL at {reached:.2f} of the reslice stage left {left}")
        print(f"ok: {name}: SIGKILL at {reached:.2f} of the reslice stage, output folder empty")
