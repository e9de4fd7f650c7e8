"""backend="mpi" from Python: the same numbers as the threads backend, through a real mpirun (one
run split over ranks, and a BIDS dataset whose runs ranks take from a queue)."""
import os
import shutil
import tempfile
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import GENERATOR, GeneratedRunTest, generate_run


class MpiBackendTest(GeneratedRunTest):

    def test_array_under_mpi_equals_threads(self):
        img = nib.load(self.run_path)
        data = img.get_fdata(dtype=np.float32)
        threads = mc.realign(data, img.affine, threads=1)
        mpi = mc.realign(data, img.affine, backend="mpi", mpi_ranks=2, threads=1)
        np.testing.assert_array_equal(mpi.parameters, threads.parameters)
        np.testing.assert_array_equal(mpi.fd, threads.fd)
        np.testing.assert_array_equal(mpi.resliced, threads.resliced)
        np.testing.assert_array_equal(mpi.mean, threads.mean)
        np.testing.assert_allclose(mpi.matrices, threads.matrices, rtol=0, atol=1e-9)
        np.testing.assert_allclose(mpi.displacement_max, threads.displacement_max, rtol=0, atol=1e-9)
        self.assertEqual(mpi.written, [])

    def test_file_under_mpi_writes_the_threads_outputs(self):
        threads = mc.realign_file(self.run_path, params=self.path("rp_threads.txt"), threads=1)
        mpi = mc.realign_file(self.run_path, self.path("r_mpi.nii"), params=self.path("rp_mpi.txt"), backend="mpi",
                              mpi_ranks=2, threads=1)
        self.assertEqual(sorted(mpi.written), [self.path("r_mpi.nii"), self.path("rp_mpi.txt")])
        with open(self.path("rp_mpi.txt")) as a, open(self.path("rp_threads.txt")) as b:
            self.assertEqual(a.read(), b.read())
        np.testing.assert_array_equal(mpi.resliced, threads.resliced)
        np.testing.assert_array_equal(mpi.resliced, np.asanyarray(nib.load(self.path("r_mpi.nii")).dataobj))
        self.assertTrue(np.isnan(mpi.displacement_max).all())  # the run was read by the worker only

    def test_bad_rank_count_names_the_keyword(self):
        img = nib.load(self.run_path)
        with self.assertRaises(ValueError) as e:
            mc.realign(img.get_fdata(dtype=np.float32), img.affine, backend="mpi", mpi_ranks=0)
        self.assertEqual(str(e.exception), "--mpi-ranks: expected a whole number >= 1, got '0'")
        with self.assertRaises(ValueError) as e:
            mc.realign(img.get_fdata(dtype=np.float32), img.affine, backend="gpu")
        self.assertEqual(str(e.exception), "--backend: expected serial, threads or mpi, got 'gpu'")

    def test_keywords_and_defaults_come_from_the_table(self):
        self.assertIn("mpi_ranks", mc.parameter_names())
        self.assertIn("backend", mc.parameter_names())
        self.assertEqual(mc.defaults()["mpi_ranks"], "2")
        self.assertEqual(mc.defaults()["backend"], "threads")


class DatasetUnderMpiTest(unittest.TestCase):
    """correct_dataset(backend='mpi'): 2 ranks take the 3 runs of a dataset from the queue; every run
    is done, on_run hears each, and the rp files are those of backend='threads'."""

    def setUp(self):
        if not os.path.isfile(GENERATOR):
            self.skipTest("MC_GENERATOR is not set to the GenerateSyntheticRun tool")
        self.tmp = tempfile.mkdtemp(prefix="mc-py-dataset-mpi-")
        self.bids = os.path.join(self.tmp, "bids")
        self.runs = [("01", "1"), ("01", "2"), ("02", "1")]
        for seed, (sub, run) in enumerate(self.runs, start=1):
            folder = os.path.join(self.bids, f"sub-{sub}", "func")
            os.makedirs(folder, exist_ok=True)
            path, _ = generate_run(self.tmp, f"g{seed}", seed=seed)
            shutil.move(path, os.path.join(folder, f"sub-{sub}_task-rest_run-{run}_bold.nii.gz"))

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def rp(self, out, sub, run):
        with open(os.path.join(out, f"sub-{sub}", "func", f"rp_sub-{sub}_task-rest_run-{run}_bold.txt")) as f:
            return f.read()

    def test_ranks_take_the_runs_and_write_the_threads_numbers(self):
        seen = []
        mpi_out, threads_out = os.path.join(self.tmp, "mpi"), os.path.join(self.tmp, "threads")
        mpi = mc.correct_dataset(self.bids, mpi_out, backend="mpi", mpi_ranks=2, threads=1, report=False,
                                 on_run=lambda p: seen.append(p.run.relative_path))
        threads = mc.correct_dataset(self.bids, threads_out, threads=1, report=False)
        self.assertEqual([r.status for r in mpi.runs], ["done"] * 3, [r.reason for r in mpi.runs])
        self.assertEqual(sorted(seen), [r.relative_path for r in mpi.runs])
        self.assertTrue(set(r.rank for r in mpi.runs) <= {0, 1})
        for sub, run in self.runs:
            self.assertEqual(self.rp(mpi_out, sub, run), self.rp(threads_out, sub, run), (sub, run))


if __name__ == "__main__":
    unittest.main()
