"""backend="mpi" from Python: the same numbers as the threads backend, through a real mpirun."""
import os
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import GeneratedRunTest


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


if __name__ == "__main__":
    unittest.main()
