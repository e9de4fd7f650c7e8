"""MotionCorrectionFollowCLI through its command line, with volumes arriving from ReplayRun (a real
BOLD run from ../shared/data played into a folder at a fast TR, each file renamed into place):
  - the Slicer protocol on stdout with a readable line per volume and nothing on stderr; the rp
    rows equal an offline MotionCorrectionCLI run registering to the first frame, to 0.01 mm;
  - --frames gives <filter-progress> fractions rising to 1 and ends on the frame count;
  - a volume cut short in the middle is reported by name and skipped, the run goes on;
  - the time-out, SIGTERM while waiting (cancelled, exit 3, summary printed), bad flags (exit 2).
Usage: follow_test.py FOLLOW_CLI MOTIONCORRECTION_CLI REPLAYRUN DATA_DIR"""
import math
import os
import re
import signal
import subprocess
import sys
import time

from cli_test_support import check, read_rp, run_cli, workdir

follow, mc, replay, data = sys.argv[1:5]
real = os.path.join(data, "pydecnef_sub-1_run-1_bold_vols000-149.nii.gz")
VOLUMES = 10


def follow_while_replaying(d, replay_args, follow_args, progress="slicer"):
    folder = os.path.join(d, "in")
    os.makedirs(folder, exist_ok=True)
    env = dict(os.environ, MC_PROGRESS=progress)
    f = subprocess.Popen([follow, "--folder", folder, "--timeout", "30", *follow_args],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    r = subprocess.run([replay, "--input", real, "--folder", folder, *replay_args], capture_output=True, text=True)
    check(r.returncode == 0, f"ReplayRun exit {r.returncode}: {r.stderr}")
    out, err = f.communicate(timeout=120)
    return f.returncode, out, err


def volume_lines(out):
    return [l for l in out.splitlines() if l.startswith("volume ")]


with workdir() as d:
    # 1. Slicer protocol, end marker, rp equal to the offline run against the first frame.
    rp, conf = os.path.join(d, "rp.txt"), os.path.join(d, "confounds.tsv")
    code, out, err = follow_while_replaying(d, ["--tr", "0.05", "--frames", str(VOLUMES)],
                                            ["--params", rp, "--confounds", conf, "--tr", "2"])
    check(code == 0, f"follow exit {code}: {err}")
    check(err == "", "stderr must stay empty under the Slicer protocol, got: " + err)
    lines = out.splitlines()
    check(lines[0].startswith("<filter-start><filter-name>MotionCorrectionFollowCLI</filter-name>"), "first line: " + lines[0])
    check(lines[-1].startswith("<filter-end><filter-name>MotionCorrectionFollowCLI</filter-name><filter-time>"),
          "last line: " + lines[-1])
    vols = volume_lines(out)
    check(len(vols) == VOLUMES, f"{len(vols)} volume lines, expected {VOLUMES}:\n{out}")
    for j, line in enumerate(vols):
        check(line.startswith(f"volume {j} vol{j:05d}.nii: FD "), "volume line: " + line)
        check(re.search(r"FD < 0.2/0.3/0.5 mm: \d+/\d+/\d+ of %d \(" % (j + 1), line), "counts in: " + line)
    check("ended (end marker): %d volumes" % VOLUMES in out, "summary with the end marker:\n" + out)
    check(re.search(r"usable \d+ \([0-9.]+%, [0-9.]+ min\)", vols[-1]), "usable minutes (TR 2 s) in: " + vols[-1])
    follow_rows = read_rp(rp)
    check(len(follow_rows) == VOLUMES, f"{len(follow_rows)} rp rows")
    offline = os.path.join(d, "offline_rp.txt")
    p = run_cli(mc, "--input", real, "--params", offline, "--reference", "first", "--estimate_only", "--progress", "none")
    check(p.returncode == 0, f"offline exit {p.returncode}: {p.stderr}")
    offline_rows = read_rp(offline)[:VOLUMES]
    # Head-sized displacement of the difference: translations plus 50 mm x rotations.
    worst = max(sum(abs(a - b) for a, b in zip(fr[:3], orow[:3])) + 50 * sum(abs(a - b) for a, b in zip(fr[3:], orow[3:]))
                for fr, orow in zip(follow_rows, offline_rows))
    check(worst <= 0.01, f"follow differs from the offline run by {worst:.4f} mm")
    with open(conf) as c:
        rows = c.read().splitlines()
    check(rows[0].split("\t")[:2] == ["trans_x", "trans_y"] and len(rows) == VOLUMES + 1, "confounds: " + repr(rows[:2]))
    fd_in_lines = [float(re.search(r"FD ([0-9.]+) mm", l).group(1)) for l in vols]
    fd_in_tsv = [0.0 if r.split("\t")[6] == "n/a" else float(r.split("\t")[6]) for r in rows[1:]]
    check(all(abs(a - b) < 1e-3 for a, b in zip(fd_in_lines, fd_in_tsv)), f"FD {fd_in_lines} vs TSV {fd_in_tsv}")
    print(f"ok: Slicer protocol, {VOLUMES} volume lines, rp within {worst:.5f} mm of the offline run")

with workdir() as d:
    # 2. --frames: progress fractions, end on the count; text mode lines on stdout.
    code, out, err = follow_while_replaying(d, ["--tr", "0.03", "--frames", "6", "--no-end-marker"],
                                            ["--frames", "6"])
    check(code == 0, f"exit {code}: {err}")
    fractions = [float(m) for m in re.findall(r"<filter-progress>([0-9.]+)</filter-progress>", out)]
    check(fractions == sorted(fractions) and fractions[-1] == 1 and len(fractions) >= 6, f"fractions {fractions}")
    check(abs(fractions[0] - 1 / 6) < 1e-3, f"first fraction {fractions[0]}, expected 1/6")
    check("ended (frame count): 6 volumes" in out, out)
    print(f"ok: --frames 6: {len(fractions)} progress fractions rising to 1")

with workdir() as d:
    # 3. A volume cut short in the middle: named, skipped, the run goes on (text mode).
    code, out, err = follow_while_replaying(d, ["--tr", "0.05", "--frames", "8", "--corrupt", "3"], [], progress="text")
    check(code == 0, f"exit {code}: {err}")
    check(re.search(r"warning: .*vol00003\.nii.*skipped", err), "no warning naming vol00003.nii on stderr: " + err)
    vols = volume_lines(out)
    check(len(vols) == 7 and not any("vol00003" in l for l in vols), "volume lines:\n" + "\n".join(vols))
    check("ended (end marker): 7 volumes, 1 skipped" in out, out)
    print("ok: the volume cut short is reported and skipped; 7 of 8 aligned")

with workdir() as d:
    # 4. The time-out with no volume, then SIGTERM while waiting.
    empty = os.path.join(d, "empty")
    os.makedirs(empty)
    t0 = time.monotonic()
    p = run_cli(follow, "--folder", empty, "--timeout", "0.3", "--progress", "text")
    check(p.returncode == 0 and "ended (time-out): 0 volumes" in p.stdout, f"time-out: {p.returncode} {p.stdout} {p.stderr}")
    f = subprocess.Popen([follow, "--folder", empty, "--timeout", "0", "--progress", "text"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    # The "Following ..." line comes after the signal handlers are installed (a slow start, under a
    # sanitizer say, would otherwise meet SIGTERM's default action).
    first = f.stderr.readline()
    check("Following " in first, "no 'Following' line first on stderr: " + repr(first))
    time.sleep(0.3)
    check(f.poll() is None, "ended before any volume with --timeout 0 (wait for ever)")
    f.send_signal(signal.SIGTERM)
    out, err = f.communicate(timeout=30)
    check(f.returncode == 3 and "ended (cancelled): 0 volumes" in out, f"SIGTERM: exit {f.returncode}, {out!r} {err!r}")
    print("ok: time-out ends the run; SIGTERM while waiting cancels it (exit 3) with the summary")

    # 5. Bad flags and options: one line naming the flag or the folder, exit 2.
    for args, text in [(["--folder", empty, "--fd_threshold", "x"], "--fd_threshold: expected a number, got 'x'"),
                       (["--folder", empty, "--fd-levels", "0.2,a"], "--fd-levels: expected a number, got 'a'"),
                       (["--folder", os.path.join(d, "missing")], "missing: not a folder"),
                       (["--folder", empty, "--timeout", "-1"], "time-out must be >= 0 s")]:
        p = run_cli(follow, *args)
        lines = p.stderr.strip().splitlines()
        check(p.returncode == 2 and len(lines) == 1 and text in lines[0], f"{args}: exit {p.returncode}, {p.stderr!r}")
    print("ok: bad flags give one line naming them, exit 2")
