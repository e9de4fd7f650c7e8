"""Bad arrays, parameters and paths raise clear Python exceptions carrying the engine's message."""
import os
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import LoadedRunTest


class BadArrayTest(LoadedRunTest):

    def assertRaisesWith(self, exc, fragments, fn, *args, **kwargs):
        with self.assertRaises(exc) as ctx:
            fn(*args, **kwargs)
        for f in fragments:
            self.assertIn(f, str(ctx.exception))
        return ctx.exception

    def test_3d_array(self):
        self.assertRaisesWith(ValueError, ["4D", "3D", "(32, 32, 20)"], mc.realign, self.data[..., 0], self.affine)

    def test_wrong_ndim(self):
        self.assertRaisesWith(ValueError, ["4D", "5D"], mc.realign, self.data[..., None], self.affine)
        self.assertRaisesWith(ValueError, ["4D", "2D"], mc.realign, self.data[..., 0, 0], self.affine)

    def test_complex_object_bool_and_string_dtypes(self):
        self.assertRaisesWith(ValueError, ["complex64"], mc.realign, self.data.astype(np.complex64), self.affine)
        self.assertRaisesWith(ValueError, ["object"], mc.realign, self.data.astype(object), self.affine)
        self.assertRaisesWith(ValueError, ["bool"], mc.realign, self.data > 0, self.affine)
        self.assertRaisesWith(ValueError, ["<U"], mc.realign, np.full((4, 4, 4, 2), "a"), self.affine)

    def test_nan_names_the_frame(self):
        bad = self.data.copy()
        bad[3, 4, 5, 3] = np.nan
        bad[:2, 0, 0, 6] = np.inf
        e = self.assertRaisesWith(ValueError, ["NaN", "frame 3 (1 voxels)", "frame 6 (2 voxels)"], mc.realign, bad,
                                  self.affine)
        self.assertNotIn("frame 0", str(e))
        # float64 values beyond float32's range become inf: refused the same way.
        big = self.data.astype(np.float64)
        big[0, 0, 0, 1] = 1e300
        self.assertRaisesWith(ValueError, ["frame 1"], mc.realign, big, self.affine)

    def test_bad_affine(self):
        self.assertRaisesWith(ValueError, ["affine", "(3, 3)"], mc.realign, self.data, np.eye(3))
        self.assertRaisesWith(ValueError, ["affine", "singular"], mc.realign, self.data, np.diag([1.0, 0, 1, 1]))
        nan_affine = self.affine.copy()
        nan_affine[0, 3] = np.nan
        self.assertRaisesWith(ValueError, ["affine", "NaN"], mc.realign, self.data, nan_affine)

    def test_single_frame_is_the_engines_error(self):
        self.assertRaisesWith(ValueError, ["1 frame(s)", "at least 2"], mc.realign, self.data[..., :1], self.affine)

    def test_all_zero_reference_frame(self):
        # Frame 0 by default: the first undamaged frame takes its place, and the result names it.
        zero = self.data.copy()
        zero[..., 0] = 0
        r = mc.realign(zero, self.affine, reference="first", estimate_only=True)
        self.assertEqual(r.damaged_frames, [0])
        self.assertTrue(any("reference frame 0 is damaged: frame 1" in w for w in r.warnings), r.warnings)
        self.assertEqual(r.parameters[1].tolist(), [0.0] * 6)
        # Chosen by the user: refused, naming it.
        zero[..., 2] = 0
        self.assertRaisesWith(ValueError, ["reference frame 2", "empty"], mc.realign, zero, self.affine,
                              reference="2")


class BadParameterTest(LoadedRunTest):

    def test_unknown_keyword_is_a_type_error_naming_it(self):
        with self.assertRaises(TypeError) as ctx:
            mc.realign(self.data, self.affine, fwmh=5)
        self.assertIn("'fwmh'", str(ctx.exception))
        with self.assertRaises(TypeError) as ctx:
            mc.realign_file(self.run_path, input=self.run_path)
        self.assertIn("'input'", str(ctx.exception))

    def test_bad_values_carry_the_engines_message(self):
        cases = [(dict(fwhm=-1), "--fwhm: must be >= 0 mm, got -1"),
                 (dict(quality=1.5), "--quality: must be in (0, 1]"),
                 (dict(interp=9), "--interp: B-spline degree must be 1..7"),
                 (dict(reslice_interp=-1), "--reslice-interp"),
                 (dict(reference="middle"), "--reference: expected first, mean or a frame index"),
                 (dict(wrap=(1, 0)), "--wrap: expected three values"),
                 (dict(threads=-2), "--threads: must be >= 0"),
                 (dict(sep=0), "--sep: must be > 0 mm")]
        for kwargs, message in cases:
            with self.subTest(**kwargs):
                with self.assertRaises(ValueError) as ctx:
                    mc.realign(self.data, self.affine, **kwargs)
                self.assertIn(message, str(ctx.exception))

    def test_values_of_the_wrong_type(self):
        with self.assertRaises(TypeError) as ctx:
            mc.realign(self.data, self.affine, fwhm=[1, 2])
        self.assertIn("fwhm", str(ctx.exception))
        with self.assertRaises(TypeError):
            mc.realign(self.data, self.affine, progress="not callable")

    def test_reference_past_the_last_frame(self):
        with self.assertRaises(ValueError) as ctx:
            mc.realign(self.data, self.affine, reference=20)
        self.assertIn("reference frame 20 is past the last frame (7)", str(ctx.exception))

    def test_missing_file_is_an_os_error_naming_it(self):
        missing = self.path("no_such_run.nii.gz")
        with self.assertRaises(OSError) as ctx:
            mc.realign_file(missing)
        self.assertIn(missing, str(ctx.exception))

    def test_output_problems(self):
        with self.assertRaises(ValueError) as ctx:
            mc.realign_file(self.run_path, self.path("no_folder/out.nii.gz"))
        self.assertIn("does not exist", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            mc.realign_file(self.run_path, self.run_path)
        self.assertIn("would overwrite the input", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            mc.realign_file(self.run_path, self.path("r.nii.gz"), estimate_only=True)
        self.assertIn("estimate-only writes no images", str(ctx.exception))
        with self.assertRaises(ValueError) as ctx:
            mc.realign_file(self.run_path, self.path("r.txt"))
        self.assertIn("unsupported output type", str(ctx.exception))
        self.assertNoLeftovers("r.nii.gz", "r.txt")

    def test_not_a_4d_file(self):
        vol = self.path("vol.nii.gz")
        nib.save(nib.Nifti1Image(self.data[..., 0], self.affine), vol)
        try:
            with self.assertRaises(OSError) as ctx:
                mc.realign_file(vol)
            self.assertIn(vol, str(ctx.exception))
        finally:
            os.remove(vol)


if __name__ == "__main__":
    unittest.main()
