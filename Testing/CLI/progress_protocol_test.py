"""The CLI as Slicer runs it (stdout a pipe): stdout carries Slicer's progress protocol and nothing
readable goes to stderr; <filter-progress> is monotonic, ends at 1, one <filter-start> and one
<filter-end>; a stage progress after every frame of every pass and every resliced frame.
With --progress text the same run reports on stderr and stdout has no tags."""
import os
import re
import sys

from cli_test_support import check, generate, run_cli, workdir

mc, gen = sys.argv[1], sys.argv[2]
frames = 8
with workdir() as d:
    run, _ = generate(gen, d, frames=frames, size="24,24,16", spacing="5,5,6")
    out = os.path.join(d, "r.nii.gz")
    p = run_cli(mc, "--input", run, "--output", out, "--params", os.path.join(d, "rp.txt"))
    check(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
    check(p.stderr == "", "stderr must stay empty under the Slicer protocol, got: " + p.stderr)

    lines = p.stdout.splitlines()
    tags = [l for l in lines if l.startswith("<filter-")]
    check(tags and tags[0].startswith("<filter-start><filter-name>MotionCorrectionCLI</filter-name><filter-comment>"),
          "first tag is not <filter-start> with name and comment: " + (tags[0] if tags else "none"))
    check(sum(l.startswith("<filter-start>") for l in lines) == 1, "exactly one <filter-start>")
    ends = [l for l in lines if l.startswith("<filter-end>")]
    check(len(ends) == 1, f"{len(ends)} <filter-end> tags")
    m = re.fullmatch(r"<filter-end><filter-name>MotionCorrectionCLI</filter-name><filter-time>([0-9.]+)</filter-time></filter-end>",
                     ends[0])
    check(m is not None, "malformed <filter-end>: " + ends[0])
    check(tags[-1] == ends[0], "<filter-end> is not the last tag")

    progress = [float(x) for x in re.findall(r"<filter-progress>([^<]*)</filter-progress>", p.stdout)]
    stage = [float(x) for x in re.findall(r"<filter-stage-progress>([^<]*)</filter-stage-progress>", p.stdout)]
    check(all(b >= a for a, b in zip(progress, progress[1:])), f"not monotonic: {progress}")
    check(all(0 <= x <= 1 for x in progress + stage), "a fraction outside [0, 1]")
    check(progress[-1] == 1.0, f"last progress {progress[-1]}, expected 1")
    # pass 1, mean, pass 2 and reslice each report every frame (mean is the default reference).
    check(len(stage) >= 4 * frames, f"{len(stage)} stage reports for 4 stages x {frames} frames")
    check(stage.count(1.0) >= 4, "every stage reaches 1")
    check(os.path.exists(out), "no output")

    # Human-readable mode: progress on stderr, no protocol on stdout.
    t = run_cli(mc, "--input", run, "--params", os.path.join(d, "rp2.txt"), "--progress", "text")
    check(t.returncode == 0, t.stderr)
    check("<filter-" not in t.stdout + t.stderr, "protocol tags in text mode")
    check(re.search(r"pass 1 +frame", t.stderr) is not None, "no per-frame lines on stderr: " + t.stderr[:300])
    # The environment variable does the same when the flag is left at auto.
    e = run_cli(mc, "--input", run, "--params", os.path.join(d, "rp3.txt"), env_progress="text")
    check("<filter-" not in e.stdout and "pass 2" in e.stderr, "MC_PROGRESS=text ignored")
    q = run_cli(mc, "--input", run, "--params", os.path.join(d, "rp4.txt"), "--progress", "none")
    check(q.returncode == 0 and q.stdout == "" and q.stderr == "", "--progress none is not quiet")

print(f"ok: {len(progress)} progress reports, monotonic to 1; {len(stage)} stage reports; one <filter-end>"
      f" ({m.group(1)} s)")
