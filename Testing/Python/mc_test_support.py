"""Shared fixtures of the Python tests: the build tree's tools and small generated runs."""
import os
import shutil
import subprocess
import tempfile
import unittest

import numpy as np

CLI = os.environ.get("MC_CLI", "")
GENERATOR = os.environ.get("MC_GENERATOR", "")
DATA_DIR = os.environ.get("MC_DATA_DIR", "")

# Small, so that every test stays fast on 2 shared cores.
SIZE = "32,32,20"
FRAMES = 8


def generate_run(folder, name="run", frames=FRAMES, size=SIZE, seed=1, extra=()):
    """Writes a synthetic run with known motion; returns (run path, true rp array)."""
    run = os.path.join(folder, name + ".nii.gz")
    truth = os.path.join(folder, "rp_true_" + name + ".txt")
    subprocess.run([GENERATOR, "--output", run, "--truth", truth, "--size", size, "--frames", str(frames),
                    "--seed", str(seed), *extra], check=True, capture_output=True)
    return run, np.loadtxt(truth)


def run_cli(*args):
    """Runs the MotionCorrectionCLI CLI module; returns the CompletedProcess (fails the test on a non-zero exit)."""
    p = subprocess.run([CLI, "--quiet", *args], capture_output=True, text=True)
    if p.returncode != 0:
        raise AssertionError(f"MotionCorrectionCLI {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p


class GeneratedRunTest(unittest.TestCase):
    """One generated run per test class, in a temporary folder removed afterwards."""

    generator_args = ()

    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(GENERATOR):
            raise unittest.SkipTest("MC_GENERATOR is not set to the GenerateSyntheticRun tool")
        cls.folder = tempfile.mkdtemp(prefix="mc-python-test-")
        cls.run_path, cls.truth = generate_run(cls.folder, extra=cls.generator_args)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.folder, name)

    def assertNoLeftovers(self, *names):
        """The named outputs do not exist and no temporary file was left beside them."""
        for n in names:
            self.assertFalse(os.path.exists(self.path(n)), f"{n} was written")
        expected = {os.path.basename(self.run_path), "rp_true_run.txt"}
        left = set(os.listdir(self.folder)) - expected
        self.assertEqual(left, set(), f"files left behind: {sorted(left)}")


class LoadedRunTest(GeneratedRunTest):
    """The generated run, also loaded with nibabel: cls.data (float32 x, y, z, t) and cls.affine."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import nibabel as nib  # only the classes that need the arrays pay for nibabel
        img = nib.load(cls.run_path)
        cls.data = img.get_fdata(dtype=np.float32)
        cls.affine = img.affine
