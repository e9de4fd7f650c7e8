"""Shared helpers of the CLI tests: generated runs, rp files, running the CLI. Standard library only."""
import os
import subprocess
import sys
import tempfile


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def workdir():
    return tempfile.TemporaryDirectory(prefix="mc-cli-test-")


def generate(gen, folder, name="run.nii.gz", frames=10, size="32,32,20", spacing="4,4,5", seed=5, extra=()):
    """A synthetic run with known motion; returns (run path, truth rp path)."""
    run = os.path.join(folder, name)
    truth = os.path.join(folder, name.split(".")[0] + "_rp_true.txt")
    subprocess.run([gen, "--output", run, "--truth", truth, "--frames", str(frames), "--size", size,
                    "--spacing", spacing, "--seed", str(seed), *extra],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return run, truth


def read_rp(path):
    with open(path) as f:
        return [[float(v) for v in line.split()] for line in f if line.strip()]


def run_cli(mc, *args, env_progress=None):
    """Runs the CLI with stdout and stderr captured (stdout is a pipe, as under Slicer)."""
    env = dict(os.environ)
    env.pop("MC_PROGRESS", None)
    if env_progress is not None:
        env["MC_PROGRESS"] = env_progress
    return subprocess.run([mc, *args], capture_output=True, text=True, env=env)
