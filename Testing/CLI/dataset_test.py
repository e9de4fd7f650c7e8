"""MotionCorrectionDatasetCLI on a generated BIDS dataset, as a user scripts it:
- the BIDS-app form (bids_dir output_dir participant) writes the derivatives of every run, the motion
  recovered against the generator's truth, and exits 1 naming the one corrupt run (the others done);
- --participant-label / --task filter; the group level rebuilds the report from the summary;
- a batch killed with SIGKILL mid-way resumes: the finished runs are skipped, only the rest are done;
- SIGTERM stops after the run in flight with exit 3 and an up-to-date summary;
- the MPI backend (when given the worker) gives the same rows;
- bad input: one line naming the flag or the folder, exit 2, nothing written.
Usage: dataset_test.py MotionCorrectionDatasetCLI GenerateSyntheticRun [mpi]"""
import csv
import json
import os
import signal
import subprocess
import sys
import time

from cli_test_support import check, fail, generate, read_rp, run_cli, workdir

cli, gen = sys.argv[1], sys.argv[2]
with_mpi = len(sys.argv) > 3 and sys.argv[3] == "mpi"


def make_dataset(root, subjects=("01", "02"), runs=2, frames=8):
    truth = {}
    seed = 1
    for s in subjects:
        for r in range(1, runs + 1):
            folder = os.path.join(root, "sub-" + s, "func")
            os.makedirs(folder, exist_ok=True)
            name = "sub-%s_task-rest_run-%d_bold.nii.gz" % (s, r)
            run, rp = generate(gen, folder, name, frames=frames, seed=seed)
            os.rename(rp, os.path.join(os.path.dirname(root), "truth_%s_%d.txt" % (s, r)))
            truth["sub-%s/func/%s" % (s, name)] = os.path.join(os.path.dirname(root), "truth_%s_%d.txt" % (s, r))
            seed += 1
    # A nback task for one subject, and a corrupt run.
    folder = os.path.join(root, "sub-01", "func")
    _, rp = generate(gen, folder, "sub-01_task-nback_bold.nii.gz", frames=frames, seed=seed)
    os.remove(rp)
    os.makedirs(os.path.join(root, "sub-99", "func"))
    with open(os.path.join(root, "sub-99", "func", "sub-99_task-rest_bold.nii.gz"), "wb") as f:
        f.write(b"\x1f\x8b\x08\x00not a run")
    with open(os.path.join(root, "dataset_description.json"), "w") as f:
        json.dump({"Name": "test", "BIDSVersion": "1.9.0"}, f)
    return truth


def summary(out):
    with open(os.path.join(out, "motion_summary.tsv")) as f:
        return {row["run"]: row for row in csv.DictReader(f, delimiter="\t")}


def max_error(rp, truth):
    a, b = read_rp(rp), read_rp(truth)
    check(len(a) == len(b), "%s: %d rows, truth %d" % (rp, len(a), len(b)))
    return max(abs(x - y) for ra, rb in zip(a, b) for x, y in zip(ra[:3], rb[:3]))


with workdir() as d:
    bids = os.path.join(d, "bids")
    truth = make_dataset(bids)
    out = os.path.join(d, "out")

    # The BIDS-app form, text progress.
    p = run_cli(cli, bids, out, "participant", "--threads", "2", env_progress="text")
    check(p.returncode == 1, "one corrupt run: exit 1, got %d\n%s%s" % (p.returncode, p.stdout, p.stderr))
    rows = summary(out)
    check(len(rows) == 6, "6 runs in the summary, got %d" % len(rows))
    bad = "sub-99/func/sub-99_task-rest_bold.nii.gz"
    check(rows[bad]["status"] == "failed", "the corrupt run failed: %s" % rows[bad])
    check(os.path.join(bids, bad) in rows[bad]["reason"], "its reason names the file: " + rows[bad]["reason"])
    err = [line for line in p.stderr.splitlines() if "error" in line]
    check(len(err) == 1 and os.path.join(bids, bad) in err[0], "one error line naming the file: %r" % p.stderr)
    check(sum(r["status"] == "done" for r in rows.values()) == 5, "the other five are done: %s" % rows)
    check("[6/6]" in p.stdout and "5 done, 0 skipped, 1 failed" in p.stdout, "per-run lines: " + p.stdout)
    for rel, t in truth.items():
        func = os.path.join(out, os.path.dirname(rel))
        stem = os.path.basename(rel)[: -len("_bold.nii.gz")]
        for name in (stem + "_desc-realigned_bold.nii.gz", stem + "_desc-mean_boldref.nii.gz",
                     stem + "_desc-confounds_timeseries.tsv", stem + "_desc-confounds_timeseries.json",
                     "rp_" + stem + "_bold.txt"):
            check(os.path.isfile(os.path.join(func, name)), "missing " + name)
        e = max_error(os.path.join(func, "rp_" + stem + "_bold.txt"), t)
        check(e < 0.15, "%s: translation error %.3f mm" % (rel, e))
        with open(os.path.join(func, stem + "_desc-confounds_timeseries.json")) as f:
            side = json.load(f)
        check(side["framewise_displacement"]["Units"] == "mm", "sidecar describes its columns")
        check(side["MotionCorrection"]["Source"] == rel, "sidecar names its source")
    with open(os.path.join(out, "dataset_description.json")) as f:
        desc = json.load(f)
    check(desc["DatasetType"] == "derivative" and desc["GeneratedBy"][0]["Name"] == "SlicerMotionCorrection",
          "dataset_description: %s" % desc)

    # Filters: only sub-01's nback run.
    out2 = os.path.join(d, "out2")
    p = run_cli(cli, "--bids", bids, "--derivatives", out2, "--participant-label", "sub-01", "--task", "nback",
                env_progress="none")
    check(p.returncode == 0, "filtered run: exit 0, got %d %s" % (p.returncode, p.stderr))
    check(list(summary(out2)) == ["sub-01/func/sub-01_task-nback_bold.nii.gz"], "filtered: %s" % list(summary(out2)))
    p = run_cli(cli, bids, out2, "participant", "--participant-label", "09", env_progress="none")
    check(p.returncode == 2 and "--participant-label 09: no such participant" in p.stderr, "unknown label: " + p.stderr)

    # The report is written with the participant level; the group level writes it again from the summary.
    report = os.path.join(out, "motion_report.html")
    check(os.path.isfile(report), "the report is written")
    with open(report) as f:
        page = f.read()
    check(all(os.path.basename(r) in page for r in truth) and "sub-99_task-rest_bold.nii.gz" in page,
          "the report names every run")
    os.remove(report)
    p = run_cli(cli, bids, out, "group", env_progress="text")
    check(p.returncode == 0 and os.path.isfile(report), "group level rewrote the report: %d %s" % (p.returncode, p.stderr))
    check("wrote " + report in p.stdout, "group level says where: " + p.stdout)

    # Bad input: one line, exit 2, nothing written.
    for args, text in (((os.path.join(d, "nope"), os.path.join(d, "o3"), "participant"), "not a folder"),
                       ((bids, bids, "participant"), "is the BIDS folder itself"),
                       ((bids, os.path.join(d, "o3"), "everyone"), "unknown analysis level"),
                       (("--bids", bids, "--derivatives", os.path.join(d, "o3"), "--fd-threshold", "x"), "--fd-threshold")):
        p = run_cli(cli, *args, env_progress="text")
        check(p.returncode == 2, "%s: exit 2, got %d" % (args, p.returncode))
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        check(len(lines) == 1 and text in lines[0], "%s: one line with %r, got %r" % (args, text, p.stderr))
        check(not os.path.exists(os.path.join(d, "o3")), "nothing written for bad input")

    # Resume after SIGKILL: a bigger dataset, killed after its second run ended.
    big = os.path.join(d, "big")
    make_dataset(big, subjects=("01", "02", "03", "04"), runs=2, frames=24)
    out3 = os.path.join(d, "out3")
    env = dict(os.environ, MC_PROGRESS="text")
    proc = subprocess.Popen([cli, big, out3, "participant", "--threads", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    seen = []
    for line in proc.stdout:
        if line.startswith("["):
            seen.append(line)
        if len(seen) == 2:
            proc.kill()
            break
    proc.wait()
    check(proc.returncode == -signal.SIGKILL, "killed: %d" % proc.returncode)
    before = summary(out3)
    check(len(before) == 2, "the summary holds the two runs that ended: %s" % list(before))
    p = run_cli(cli, big, out3, "participant", "--threads", "2", env_progress="text")
    after = summary(out3)
    check(len(after) == 10, "all runs after the resume: %d" % len(after))
    for run, row in before.items():
        if row["status"] == "done":
            check(after[run]["status"] == "skipped", "%s: finished before the kill, skipped now: %s" % (run, after[run]))
    done_now = sum(r["status"] == "done" for r in after.values())
    check(done_now == 9 - sum(r["status"] == "done" for r in before.values()),
          "only the runs not finished before are corrected now: %d" % done_now)
    leftovers = [f for _, _, files in os.walk(out3) for f in files if ".tmp" in f or f.startswith(".")]
    check(not leftovers, "no temporary files left: %s" % leftovers)

    # SIGTERM: stops after the run in flight, exit 3, the summary written.
    out4 = os.path.join(d, "out4")
    proc = subprocess.Popen([cli, big, out4, "participant", "--threads", "1"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    for line in proc.stdout:
        if line.startswith("[1/"):
            proc.send_signal(signal.SIGTERM)
            break
    rest, _ = proc.communicate(timeout=120)
    check(proc.returncode == 3, "SIGTERM: exit 3, got %d" % proc.returncode)
    rows4 = summary(out4)
    check(1 <= len(rows4) < 10, "the summary holds the runs that ended: %d" % len(rows4))
    check("stopped before the rest" in rest, "the last line says it stopped: " + rest)

    if with_mpi:
        out5 = os.path.join(d, "out5")
        p = run_cli(cli, bids, out5, "participant", "--backend", "mpi", "--mpi-ranks", "2", env_progress="text")
        check(p.returncode == 1, "MPI: exit 1 for the corrupt run, got %d %s" % (p.returncode, p.stderr))
        rows5 = summary(out5)
        for run, row in rows.items():
            check(rows5[run]["status"] == row["status"], "MPI %s: %s vs %s" % (run, rows5[run]["status"], row["status"]))
            if row["status"] == "done":
                check(abs(float(rows5[run]["max_fd"]) - float(row["max_fd"])) < 1e-3, "MPI %s: max FD" % run)

print("dataset CLI: ok")
