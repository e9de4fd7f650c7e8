"""An array loaded with nibabel gives what the file gives; what realign_file writes is what it returns."""
import os
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import DATA_DIR, GeneratedRunTest


class NibabelRoundTripTest(GeneratedRunTest):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.img = nib.load(cls.run_path)
        cls.from_file = mc.realign_file(cls.run_path, cls.path(cls, "r_file.nii.gz"))

    def test_array_run_equals_file_run(self):
        r = mc.realign(self.img.get_fdata(), self.img.affine)
        np.testing.assert_allclose(r.parameters, self.from_file.parameters, rtol=0, atol=1e-6)
        np.testing.assert_allclose(r.matrices, self.from_file.matrices, rtol=0, atol=1e-6)
        np.testing.assert_allclose(r.fd, self.from_file.fd, rtol=0, atol=1e-6)
        self.assertEqual(r.resliced.shape, self.img.shape)
        self.assertEqual(r.resliced.dtype, np.float32)
        np.testing.assert_allclose(r.resliced, self.from_file.resliced, rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(r.mean, self.from_file.mean, rtol=1e-6, atol=1e-4)
        np.testing.assert_allclose(r.affine, self.img.affine, rtol=0, atol=1e-5)
        self.assertEqual(r.written, [])

    def test_written_run_loads_as_returned(self):
        written = nib.load(self.path("r_file.nii.gz"))
        self.assertEqual(written.shape, self.from_file.resliced.shape)
        np.testing.assert_array_equal(written.get_fdata(dtype=np.float32), self.from_file.resliced)
        np.testing.assert_allclose(written.affine, self.from_file.affine, rtol=0, atol=1e-5)
        np.testing.assert_allclose(written.affine, self.img.affine, rtol=0, atol=1e-5)
        # The realigned run is not the input: motion was removed.
        self.assertGreater(np.abs(written.get_fdata() - self.img.get_fdata()).max(), 1.0)

    def test_resliced_array_builds_a_nibabel_image(self):
        tr = float(self.img.header.get_zooms()[3])
        r = mc.realign(self.img.get_fdata(), self.img.affine, output=self.path("r_array.nii.gz"), repetition_time=tr)
        self.assertEqual(r.written, [self.path("r_array.nii.gz")])
        written = nib.load(self.path("r_array.nii.gz"))
        np.testing.assert_array_equal(written.get_fdata(dtype=np.float32), r.resliced)
        self.assertAlmostEqual(float(written.header.get_zooms()[3]), tr, places=5)
        self.assertEqual(r.repetition_time, tr)
        nib.save(nib.Nifti1Image(r.resliced, r.affine), self.path("r_nibabel.nii.gz"))
        np.testing.assert_array_equal(nib.load(self.path("r_nibabel.nii.gz")).get_fdata(dtype=np.float32), r.resliced)

    def test_c_order_and_fortran_order_agree(self):
        data = self.img.get_fdata(dtype=np.float32)
        c = np.ascontiguousarray(data)
        f = np.asfortranarray(data)
        self.assertTrue(c.flags.c_contiguous and not c.flags.f_contiguous)
        rc = mc.realign(c, self.img.affine, estimate_only=True)
        rf = mc.realign(f, self.img.affine, estimate_only=True)
        np.testing.assert_array_equal(rc.parameters, rf.parameters)
        # A non-contiguous view (every frame, reversed twice) too.
        view = data[:, :, :, ::-1][:, :, :, ::-1]
        np.testing.assert_array_equal(mc.realign(view, self.img.affine, estimate_only=True).parameters,
                                      rf.parameters)
        # Big-endian float64 (as nibabel may hand out) converts the same way.
        np.testing.assert_array_equal(mc.realign(data.astype(">f8"), self.img.affine, estimate_only=True).parameters,
                                      rf.parameters)
        np.testing.assert_allclose(rf.parameters, self.from_file.parameters, rtol=0, atol=1e-6)

    def test_integer_input_and_keep_datatype(self):
        data = np.round(self.img.get_fdata()).astype(np.int16)
        r = mc.realign(data, self.img.affine, output=self.path("r_int16.nii.gz"), keep_datatype=True)
        written = nib.load(self.path("r_int16.nii.gz"))
        self.assertEqual(written.get_data_dtype(), np.int16)
        self.assertEqual(r.resliced.dtype, np.float32)
        np.testing.assert_array_equal(np.asanyarray(written.dataobj), np.clip(np.round(r.resliced), -32768, 32767))
        # Rounding the input to integers barely moves the estimate.
        np.testing.assert_allclose(r.parameters, self.from_file.parameters, rtol=0, atol=2e-3)

    def test_real_run_from_nibabel_equals_file(self):
        path = os.path.join(DATA_DIR, "nibabel_example4d.nii.gz")
        if not os.path.isfile(path):
            self.skipTest(f"{path} not found (MC_DATA_DIR)")
        img = nib.load(path)  # real EPI, int16, oblique sform; 2 frames
        r_array = mc.realign(img.get_fdata(), img.affine)
        r_file = mc.realign_file(path)
        # ITK reads the header's affine in single precision: agreement to 1e-6, not bitwise.
        np.testing.assert_allclose(r_array.parameters, r_file.parameters, rtol=0, atol=1e-6)
        np.testing.assert_allclose(r_file.affine, img.affine, rtol=0, atol=1e-5)
        scale = np.abs(r_file.resliced).max()
        np.testing.assert_allclose(r_array.resliced, r_file.resliced, rtol=0, atol=1e-5 * scale)


if __name__ == "__main__":
    unittest.main()
