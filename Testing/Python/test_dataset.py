"""A BIDS dataset from Python (correct_dataset): a scratch dataset of 2 subjects x 2 runs written by
the project's generator (known motion), one run cut short. The good runs get their derivatives
under the BIDS names with parameters near the truth, the corrupt one fails with a reason naming it
and does not stop the others, on_run sees every run, a second call skips every completed run
(resume), participant_label filters, on_run answering False cancels, bad keywords and values raise
with one clear line."""
import os
import shutil
import tempfile
import unittest

import numpy as np

import motioncorrection as mc
from mc_test_support import GENERATOR, generate_run

SUBJECTS = ("01", "02")
RUNS = ("1", "2")
CORRUPT = "sub-02/func/sub-02_task-rest_run-2_bold.nii.gz"
# As in test_accuracy: a 32x32x20 run of 3 mm voxels is recovered within these.
MAX_TRANSLATION_ERROR_MM = 0.1
MAX_ROTATION_ERROR_RAD = 0.002


def relative(sub, run):
    return f"sub-{sub}/func/sub-{sub}_task-rest_run-{run}_bold.nii.gz"


def derivative(root, sub, run, suffix):
    return os.path.join(root, f"sub-{sub}", "func", f"sub-{sub}_task-rest_run-{run}_{suffix}")


class DatasetTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if not os.path.isfile(GENERATOR):
            raise unittest.SkipTest("MC_GENERATOR is not set to the GenerateSyntheticRun tool")
        cls.tmp = tempfile.mkdtemp(prefix="mc-py-dataset-")
        cls.bids = os.path.join(cls.tmp, "bids")
        scratch = os.path.join(cls.tmp, "generated")
        os.makedirs(scratch)
        cls.truth = {}
        for i, sub in enumerate(SUBJECTS):
            os.makedirs(os.path.join(cls.bids, f"sub-{sub}", "func"))
            for j, run in enumerate(RUNS):
                path, truth = generate_run(scratch, f"s{sub}r{run}", seed=1 + 2 * i + j)
                shutil.move(path, os.path.join(cls.bids, relative(sub, run)))
                cls.truth[(sub, run)] = truth
        # The corrupt run: its first half only (a transfer cut short).
        corrupt = os.path.join(cls.bids, CORRUPT)
        with open(corrupt, "rb") as f:
            head = f.read()[: os.path.getsize(corrupt) // 2]
        with open(corrupt, "wb") as f:
            f.write(head)
        cls.out = os.path.join(cls.tmp, "derivatives")
        cls.progress = []
        cls.first = mc.correct_dataset(cls.bids, cls.out, threads=2, on_run=cls.progress.append)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def good(self):
        return [(s, r) for s in SUBJECTS for r in RUNS if relative(s, r) != CORRUPT]

    def test_good_runs_have_their_derivatives_under_the_bids_names(self):
        for sub, run in self.good():
            for suffix in ("desc-realigned_bold.nii.gz", "desc-mean_boldref.nii.gz",
                           "desc-confounds_timeseries.tsv", "desc-confounds_timeseries.json"):
                self.assertTrue(os.path.isfile(derivative(self.out, sub, run, suffix)), (sub, run, suffix))
            rp = os.path.join(self.out, f"sub-{sub}", "func", f"rp_sub-{sub}_task-rest_run-{run}_bold.txt")
            err = np.abs(np.loadtxt(rp) - self.truth[(sub, run)])
            self.assertLess(err[:, :3].max(), MAX_TRANSLATION_ERROR_MM, (sub, run, err))
            self.assertLess(err[:, 3:].max(), MAX_ROTATION_ERROR_RAD, (sub, run, err))
        self.assertTrue(os.path.isfile(os.path.join(self.out, "dataset_description.json")))
        self.assertEqual(self.first.summary_path, os.path.join(self.out, "motion_summary.tsv"))
        # The report is the core's when it is built with one (DatasetReport.cxx); then it is there.
        if self.first.report_path:
            self.assertEqual(self.first.report_path, os.path.join(self.out, "motion_report.html"))
            self.assertTrue(os.path.isfile(self.first.report_path))
        # The corrupt run left nothing behind.
        self.assertFalse(os.path.exists(derivative(self.out, "02", "2", "desc-realigned_bold.nii.gz")))

    def test_statuses_reasons_and_motion_numbers(self):
        r = self.first
        self.assertFalse(r.cancelled)
        self.assertEqual([x.relative_path for x in r.runs], sorted(relative(s, n) for s in SUBJECTS for n in RUNS))
        self.assertEqual((len(r.done), len(r.skipped), len(r.failed)), (3, 0, 1))
        bad = r.failed[0]
        self.assertEqual(bad.relative_path, CORRUPT)
        self.assertIn("sub-02_task-rest_run-2_bold.nii.gz", bad.reason)
        self.assertNotIn("\n", bad.reason)
        for x in r.done:
            self.assertEqual(x.frames, 8)
            self.assertEqual(x.outputs["realigned"], derivative(self.out, x.subject, x.run, "desc-realigned_bold.nii.gz"))
            truth = self.truth[(x.subject, x.run)]
            self.assertAlmostEqual(x.max_translation, np.abs(truth[:, :3]).max(), delta=MAX_TRANSLATION_ERROR_MM)
            self.assertGreater(x.max_fd, 0)
            self.assertEqual(x.task, "rest")
        # The summary table says which failed and why.
        with open(r.summary_path) as f:
            rows = [line.rstrip("\n").split("\t") for line in f]
        header, body = rows[0], rows[1:]
        self.assertEqual(len(body), 4)
        failed = [row for row in body if row[header.index("status")] == "failed"]
        self.assertEqual([row[header.index("run")] for row in failed], [CORRUPT])

    def test_on_run_sees_every_finished_run(self):
        self.assertEqual(len(self.progress), 4)
        self.assertEqual(sorted(p.run.relative_path for p in self.progress), [x.relative_path for x in self.first.runs])
        last = self.progress[-1]
        self.assertEqual((last.total, last.done, last.skipped, last.failed), (4, 3, 0, 1))

    def test_second_call_skips_every_completed_run(self):
        before = {s: os.path.getmtime(derivative(self.out, *s, "desc-realigned_bold.nii.gz")) for s in self.good()}
        again = mc.correct_dataset(self.bids, self.out, threads=2)
        self.assertEqual((len(again.done), len(again.skipped), len(again.failed)), (0, 3, 1))
        for x in again.skipped:
            self.assertEqual(x.seconds, 0)
            self.assertEqual(x.frames, 8)  # the numbers come from the sidecar
        after = {s: os.path.getmtime(derivative(self.out, *s, "desc-realigned_bold.nii.gz")) for s in self.good()}
        self.assertEqual(before, after)

    def test_participant_label_filters(self):
        for label in ("01", ["sub-01"]):
            r = mc.correct_dataset(self.bids, self.out, participant_label=label, report=False)
            self.assertEqual([x.subject for x in r.runs], ["01", "01"], label)
            self.assertEqual(len(r.skipped), 2)
            self.assertEqual(r.report_path, "")  # report=False

    def test_on_run_answering_false_cancels(self):
        out = os.path.join(self.tmp, "cancelled")
        calls = []
        r = mc.correct_dataset(self.bids, out, task="rest", threads=2, on_run=lambda p: calls.append(p) or False)
        self.assertTrue(r.cancelled)
        self.assertEqual(len(calls), 1)
        self.assertLessEqual(len(r.done), 1)

    def test_what_on_run_raises_is_raised(self):
        def boom(p):
            raise KeyError("from on_run")
        with self.assertRaisesRegex(KeyError, "from on_run"):
            mc.correct_dataset(self.bids, os.path.join(self.tmp, "raised"), participant_label="01", on_run=boom)

    def test_bad_keywords_and_values(self):
        with self.assertRaisesRegex(TypeError, "unexpected keyword argument 'fhwm'"):
            mc.correct_dataset(self.bids, self.out, fhwm=5)
        with self.assertRaisesRegex(TypeError, "output keyword 'output'"):
            mc.correct_dataset(self.bids, self.out, output="x.nii.gz")
        with self.assertRaisesRegex(ValueError, "--fwhm"):
            mc.correct_dataset(self.bids, self.out, fwhm=-1)
        with self.assertRaisesRegex(ValueError, "--backend"):
            mc.correct_dataset(self.bids, self.out, backend="gpu")
        with self.assertRaisesRegex(ValueError, "99"):
            mc.correct_dataset(self.bids, self.out, participant_label="99")
        missing = os.path.join(self.tmp, "no-such-dataset")
        with self.assertRaisesRegex(ValueError, "no-such-dataset"):
            mc.correct_dataset(missing, self.out)
        with self.assertRaisesRegex(TypeError, "on_run"):
            mc.correct_dataset(self.bids, self.out, on_run=3)
        with self.assertRaisesRegex(TypeError, "participant_label"):
            mc.correct_dataset(self.bids, self.out, participant_label=[1])


if __name__ == "__main__":
    unittest.main()
