"""realign_file gives what the MotionCorrectionCLI CLI module gives on the same file, with the same parameters."""
import os
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import DATA_DIR, GeneratedRunTest, run_cli


class CliEquivalenceTest(GeneratedRunTest):

    def test_default_run_equals_cli_outputs(self):
        run_cli("--input", self.run_path, "--output", self.path("r_cli.nii.gz"), "--mean", self.path("mean_cli.nii.gz"),
                "--params", self.path("rp_cli.txt"), "--transforms", self.path("tf_cli.txt"),
                "--confounds", self.path("conf_cli.tsv"))
        r = mc.realign_file(self.run_path, self.path("r_py.nii.gz"), params=self.path("rp_py.txt"),
                            transforms=self.path("tf_py.txt"), confounds=self.path("conf_py.tsv"),
                            mean=self.path("mean_py.nii.gz"))

        cli_rp = np.loadtxt(self.path("rp_cli.txt"))
        self.assertEqual(r.parameters.shape, (8, 6))
        np.testing.assert_allclose(r.parameters, cli_rp, rtol=0, atol=1e-6)
        # The files the Python run wrote are the CLI's, byte for byte.
        for a, b in [("rp_py.txt", "rp_cli.txt"), ("tf_py.txt", "tf_cli.txt"), ("conf_py.tsv", "conf_cli.tsv")]:
            with open(self.path(a)) as fa, open(self.path(b)) as fb:
                self.assertEqual(fa.read(), fb.read(), f"{a} differs from {b}")
        cli_tf = np.loadtxt(self.path("tf_cli.txt")).reshape(-1, 4, 4)
        np.testing.assert_allclose(r.matrices, cli_tf, rtol=0, atol=1e-9)
        cli_conf = np.genfromtxt(self.path("conf_cli.tsv"), names=True, delimiter="\t", missing_values="n/a")
        np.testing.assert_allclose(r.fd[1:], cli_conf["framewise_displacement"][1:], rtol=0, atol=1e-6)
        self.assertEqual(r.fd[0], 0.0)

        cli_img = nib.load(self.path("r_cli.nii.gz"))
        np.testing.assert_array_equal(r.resliced, np.asanyarray(cli_img.dataobj, dtype=np.float32))
        np.testing.assert_array_equal(r.mean, nib.load(self.path("mean_cli.nii.gz")).get_fdata(dtype=np.float32))
        self.assertEqual(sorted(r.written), sorted(self.path(n) for n in
                                                   ["r_py.nii.gz", "rp_py.txt", "tf_py.txt", "conf_py.tsv",
                                                    "mean_py.nii.gz"]))

    def test_keywords_are_the_cli_flags(self):
        flags = ["--fwhm", "4", "--sep", "3", "--quality", "0.8", "--interp", "3", "--reference", "first",
                 "--wrap", "0,1,0", "--reslice-interp", "1", "--mask=false"]
        run_cli("--input", self.run_path, "--params", self.path("rp_cli_opts.txt"), "--output",
                self.path("r_cli_opts.nii.gz"), *flags)
        r = mc.realign_file(self.run_path, fwhm=4, sep=3, quality=0.8, interp=3, reference="first", wrap=(0, 1, 0),
                            reslice_interp=1, mask=False, threads=2)
        np.testing.assert_allclose(r.parameters, np.loadtxt(self.path("rp_cli_opts.txt")), rtol=0, atol=1e-6)
        np.testing.assert_array_equal(r.resliced, nib.load(self.path("r_cli_opts.nii.gz")).get_fdata(dtype=np.float32))
        # And they changed something: the default run's parameters differ.
        default = mc.realign_file(self.run_path, estimate_only=True)
        self.assertGreater(np.abs(default.parameters - r.parameters).max(), 1e-4)

    def test_estimate_only_and_reference_frame_index(self):
        run_cli("--input", self.run_path, "--params", self.path("rp_cli_ref.txt"), "--reference", "3",
                "--estimate-only")
        r = mc.realign_file(self.run_path, reference=3, estimate_only=True)
        np.testing.assert_allclose(r.parameters, np.loadtxt(self.path("rp_cli_ref.txt")), rtol=0, atol=1e-6)
        np.testing.assert_array_equal(r.parameters[3], np.zeros(6))
        self.assertIsNone(r.resliced)
        self.assertIsNone(r.mean)

    def test_weight_image_equals_cli(self):
        img = nib.load(self.run_path)
        weight = np.zeros(img.shape[:3], dtype=np.float32)
        weight[8:24, 8:24, 4:16] = 1  # estimate from the centre of the head only
        nib.save(nib.Nifti1Image(weight, img.affine), self.path("weight.nii.gz"))
        run_cli("--input", self.run_path, "--params", self.path("rp_cli_w.txt"), "--weight", self.path("weight.nii.gz"),
                "--estimate-only")
        r = mc.realign_file(self.run_path, weight=self.path("weight.nii.gz"), estimate_only=True)
        np.testing.assert_allclose(r.parameters, np.loadtxt(self.path("rp_cli_w.txt")), rtol=0, atol=1e-6)
        unweighted = mc.realign_file(self.run_path, estimate_only=True)
        self.assertGreater(np.abs(unweighted.parameters - r.parameters).max(), 1e-5)

    def test_real_run_equals_cli(self):
        path = os.path.join(DATA_DIR, "nibabel_example4d.nii.gz")
        if not os.path.isfile(path):
            self.skipTest(f"{path} not found (MC_DATA_DIR)")
        run_cli("--input", path, "--params", self.path("rp_cli_real.txt"), "--output", self.path("r_cli_real.nii.gz"))
        r = mc.realign_file(path)
        np.testing.assert_allclose(r.parameters, np.loadtxt(self.path("rp_cli_real.txt")), rtol=0, atol=1e-6)
        np.testing.assert_array_equal(r.resliced, nib.load(self.path("r_cli_real.nii.gz")).get_fdata(dtype=np.float32))

    def test_defaults_are_the_engines(self):
        d = mc.defaults()
        self.assertEqual(set(d), set(mc.parameter_names()))
        self.assertEqual(float(d["quality"]), 0.9)
        self.assertEqual(float(d["fwhm"]), 5.0)
        self.assertEqual(float(d["sep"]), 4.0)
        self.assertEqual(d["interp"], "2")
        self.assertEqual(d["reslice_interp"], "4")
        self.assertEqual(d["reference"], "mean")
        self.assertEqual(d["mask"], "true")


if __name__ == "__main__":
    unittest.main()
