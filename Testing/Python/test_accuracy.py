"""Parameters from Python match the generator's ground truth (SPM rp order, relative to frame 0)."""
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import GeneratedRunTest

# On 32x32x20 runs of 3 mm voxels with 2% noise the engine is within ~0.05 mm and ~0.001 rad.
MAX_TRANSLATION_ERROR_MM = 0.1
MAX_ROTATION_ERROR_RAD = 0.002  # 0.11 degrees


class AccuracyTest(GeneratedRunTest):

    def assertNearTruth(self, parameters, truth):
        self.assertEqual(parameters.shape, truth.shape)
        err = np.abs(parameters - truth)
        self.assertLess(err[:, :3].max(), MAX_TRANSLATION_ERROR_MM, err)
        self.assertLess(err[:, 3:].max(), MAX_ROTATION_ERROR_RAD, err)
        # The motion was real (up to 3 mm): the bounds are not met by doing nothing.
        self.assertGreater(np.abs(truth[:, :3]).max(), 10 * MAX_TRANSLATION_ERROR_MM)

    def test_file_run_matches_truth(self):
        self.assertNearTruth(mc.realign_file(self.run_path, estimate_only=True).parameters, self.truth)

    def test_nibabel_run_matches_truth(self):
        img = nib.load(self.run_path)
        r = mc.realign(img.get_fdata(), img.affine)
        self.assertNearTruth(r.parameters, self.truth)
        # Reslicing brought every frame back onto frame 0: far closer to it than the input was.
        data = img.get_fdata(dtype=np.float32)
        before = np.abs(data[..., -1] - data[..., 0]).mean()
        after = np.abs(r.resliced[..., -1] - r.resliced[..., 0])[r.resliced[..., -1] != 0].mean()
        self.assertLess(after, 0.5 * before)


class ObliqueAccuracyTest(AccuracyTest):
    """An oblique slab: the affine carries the tilt, so array and file must both get it right."""
    generator_args = ("--oblique", "15", "--seed", "3")


if __name__ == "__main__":
    unittest.main()
