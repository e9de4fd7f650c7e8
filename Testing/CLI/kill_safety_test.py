"""Slicer cancels a CLI by killing its process. Killed mid-run (SIGTERM, then SIGKILL) the CLI must
leave no output path and no child process; after SIGTERM no temporary file either (the signal
handler removes staged files). A third run is killed with SIGTERM while it writes its outputs: still
no output path and no temporary file. With "mpi" as third argument the same runs use --backend mpi
(mpirun and its ranks must die with the CLI)."""
import os
import re
import signal
import subprocess
import sys
import time

from cli_test_support import check, generate, workdir

mc, gen = sys.argv[1], sys.argv[2]
backend = sys.argv[3] if len(sys.argv) > 3 else "threads"
FRAMES = 40
OUTPUTS = {"output": "r.nii.gz", "mean": "mean.nii.gz", "params": "rp.txt", "confounds": "confounds.tsv",
           "transforms": "transforms.txt"}


def children_of(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    kids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return kids


def descendants_of(pid):
    out, todo = [], [pid]
    while todo:
        for k in children_of(todo.pop()):
            out.append(k)
            todo.append(k)
    return out


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(run, outdir, progress="slicer"):
    args = [mc, "--input", run, "--backend", backend]
    args += ["--mpi-ranks", "2", "--threads", "1"] if backend == "mpi" else ["--threads", "2"]
    for k, v in OUTPUTS.items():
        args += ["--" + k, os.path.join(outdir, v)]
    # A TMPDIR of its own, to see that the run leaves nothing there (MPI: job file, Open MPI's session folder).
    env = dict(os.environ, MC_PROGRESS=progress, TMPDIR=TMP)
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_progress(p, fraction):
    for line in p.stdout:
        m = re.match(r"<filter-progress>([0-9.]+)</filter-progress>", line)
        if m and float(m.group(1)) >= fraction:
            return float(m.group(1))
    fail_output = p.stderr.read()
    check(False, f"the run ended before reaching {fraction}: {fail_output}")


def tmp_left():
    deadline = time.time() + 5  # the ranks remove the job folder as they die
    while time.time() < deadline and os.listdir(TMP):
        time.sleep(0.05)
    return os.listdir(TMP)


with workdir() as d:
    TMP = os.path.join(d, "tmp")
    os.mkdir(TMP)
    run, _ = generate(gen, d, frames=FRAMES, size="64,64,33", spacing="3,3,3.5", seed=2)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        outdir = os.path.join(d, f"out_{sig.name}")
        os.mkdir(outdir)
        p = start(run, outdir)
        reached = wait_for_progress(p, 0.3)
        kids = descendants_of(p.pid)
        if backend == "mpi":
            check(len(kids) >= 3, f"expected mpirun and 2 ranks under the CLI, found {len(kids)} processes")
        p.send_signal(sig)
        killed_at = time.time()
        p.wait(timeout=30)
        p.stdout.close()
        p.stderr.close()
        check(p.returncode != 0, f"{sig.name}: exit code 0")
        left = os.listdir(outdir)
        for name in OUTPUTS.values():
            check(name not in left, f"{sig.name}: output {name} exists after the kill")
        if sig == signal.SIGTERM:
            check(left == [], f"SIGTERM: files left behind: {left}")
        deadline = time.time() + 15
        while time.time() < deadline and any(alive(k) for k in kids):
            time.sleep(0.01)
        gone_after = time.time() - killed_at
        stray = [k for k in kids if alive(k)]
        check(not stray, f"{sig.name}: child processes left: {stray}")
        # Nothing outlives the tool: its ranks die with it (not a second later, after mpirun's own shutdown).
        check(gone_after < 0.5, f"{sig.name}: the last child process died {gone_after:.2f} s after the CLI was killed")
        check(tmp_left() == [], f"{sig.name}: left in TMPDIR: {os.listdir(TMP)}")
        print(f"ok: {sig.name} at progress {reached:.2f}: exit {p.returncode}, no outputs, "
              f"{len(left)} files left, {len(kids)} descendant processes before, none {gone_after:.2f} s after,"
              f" TMPDIR empty")

    # SIGTERM while the outputs are being written (temporary files exist, nothing renamed yet).
    outdir = os.path.join(d, "out_writing")
    os.mkdir(outdir)
    p = start(run, outdir, progress="none")  # nobody reads stdout here
    seen = []
    deadline = time.time() + 120
    while time.time() < deadline and p.poll() is None:
        seen = os.listdir(outdir)
        if seen:
            p.send_signal(signal.SIGTERM)
            break
        time.sleep(0.0005)
    p.wait(timeout=30)
    p.stdout.close()
    p.stderr.close()
    check(tmp_left() == [], f"SIGTERM while writing: left in TMPDIR: {os.listdir(TMP)}")
    finals = [n for n in seen if n in OUTPUTS.values()]
    if seen and not finals and p.returncode != 0:
        left = sorted(os.listdir(outdir))
        if left and left == sorted(OUTPUTS.values()):
            # With the MPI backend the worker (another process) may already be renaming its finished
            # outputs when the signal reaches it: then every output is complete, none half-written.
            with open(os.path.join(outdir, OUTPUTS["params"])) as f:
                rows = [l for l in f if l.strip()]
            check(len(rows) == FRAMES, f"SIGTERM while writing: {len(rows)} rp rows, expected {FRAMES}")
            print(f"note: SIGTERM reached the writer after its commit: all {len(left)} outputs complete, no temporary file")
        else:
            check(left == [], f"SIGTERM while writing: files left behind: {left}")
            print(f"ok: SIGTERM while writing ({len(seen)} temporary files seen): exit {p.returncode}, nothing left")
    else:
        # The whole commit happened between two polls; every output must then be complete.
        left = sorted(os.listdir(outdir))
        check(p.returncode == 0 and left == sorted(OUTPUTS.values()),
              f"run not killed while writing yet incomplete: exit {p.returncode}, files {left}")
        print("note: the write window was missed (outputs were committed between two polls); all outputs complete")
