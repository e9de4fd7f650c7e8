"""Follow mode from Python: a real BOLD run (../shared/data) replayed into a folder by a writer
thread at a fast TR, as a scanner's export writes it (each volume written beside its name with
nibabel, then renamed into place), followed by follow_volumes() (a generator) and follow() (a
callback): parameters equal realign() of the same frames against the first one; early stops;
a volume cut short reported and skipped; bad keywords and values."""
import os
import tempfile
import threading
import time
import unittest

import nibabel as nib
import numpy as np

import motioncorrection as mc
from mc_test_support import DATA_DIR

REAL = os.path.join(DATA_DIR, "pydecnef_sub-1_run-1_bold_vols000-149.nii.gz")
VOLUMES = 8
TR = 0.03


def head_mm(a, b):
    """Largest difference over frames, translations plus 50 mm x rotations (a head-sized error)."""
    d = np.abs(np.asarray(a) - np.asarray(b))
    return float(np.max(d[:, :3].sum(axis=1) + 50 * d[:, 3:].sum(axis=1)))


class Replay(threading.Thread):
    """Writes volumes of the real run into folder at a fixed TR; volume `corrupt` is cut short."""

    def __init__(self, folder, data, affine, count, corrupt=None, end_marker=True, tr=TR):
        super().__init__(daemon=True)
        self.tr = tr
        self.folder, self.data, self.affine, self.count = folder, data, affine, count
        self.corrupt, self.end_marker = corrupt, end_marker

    def run(self):
        for j in range(self.count):
            time.sleep(self.tr)
            name = os.path.join(self.folder, f"vol{j:05d}.nii")
            staged = os.path.join(self.folder, f".vol{j:05d}.nii")
            nib.save(nib.Nifti1Image(self.data[..., j], self.affine), staged)
            if j == self.corrupt:
                with open(staged, "rb") as f:
                    half = f.read()[: os.path.getsize(staged) // 2]
                os.remove(staged)
                with open(name, "wb") as f:
                    f.write(half)
            else:
                os.rename(staged, name)
        if self.end_marker:
            time.sleep(self.tr)
            open(os.path.join(self.folder, "END"), "w").close()


class FollowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        img = nib.load(REAL)
        cls.data = np.asarray(img.dataobj[..., :VOLUMES], dtype=np.float32)
        cls.affine = img.affine
        cls.offline = mc.realign(cls.data, cls.affine, reference="first", estimate_only=True).parameters

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="mc-py-follow-")
        self.dir = self._tmp.name
        self.folder = os.path.join(self.dir, "in")
        os.makedirs(self.folder)

    def tearDown(self):
        self._tmp.cleanup()

    def replay(self, **kw):
        r = Replay(self.folder, self.data, self.affine, VOLUMES, **kw)
        r.start()
        return r

    def test_generator_yields_each_volume_as_the_offline_run_aligns_it(self):
        rp = os.path.join(self.dir, "rp.txt")
        writer = self.replay()
        seen = []
        for v in mc.follow_volumes(self.folder, params=rp, tr=2.0, timeout=30):
            self.assertEqual(v.frame, len(seen))
            self.assertEqual(os.path.basename(v.path), f"vol{v.frame:05d}.nii")
            self.assertEqual(v.summary["volumes"], v.frame + 1)
            # The row of this volume is in the file when the volume is handed out (the follow
            # thread may already be further on).
            self.assertGreaterEqual(len(np.loadtxt(rp, ndmin=2)), v.frame + 1)
            seen.append(v)
        writer.join()
        self.assertEqual(len(seen), VOLUMES)
        self.assertLess(head_mm([v.parameters for v in seen], self.offline), 0.01)
        last = seen[-1].summary
        self.assertEqual(last["usable"], sum(v.fd < 0.5 for v in seen))
        self.assertAlmostEqual(last["usable_minutes"], last["usable"] * 2.0 / 60)
        self.assertEqual(sorted(last["under"]), [0.2, 0.3, 0.5])
        self.assertEqual(last["under"][0.2], sum(v.fd < 0.2 for v in seen))

    def test_callback_sees_every_volume_and_the_result_ends_on_the_end_marker(self):
        writer = self.replay()
        frames = []
        result = mc.follow(self.folder, on_volume=lambda v: frames.append(v.frame), timeout=30)
        writer.join()
        self.assertEqual(result.end, "end marker")
        self.assertEqual(frames, list(range(VOLUMES)))
        self.assertEqual(result.parameters.shape, (VOLUMES, 6))
        self.assertLess(head_mm(result.parameters, self.offline), 0.01)
        self.assertEqual(result.fd[0], 0.0)

    def test_callback_answering_false_cancels(self):
        writer = self.replay()
        result = mc.follow(self.folder, on_volume=lambda v: v.frame < 2, timeout=30)
        writer.join()
        self.assertEqual(result.end, "cancelled")
        self.assertEqual(len(result.volumes), 3)

    def test_leaving_the_loop_stops_following(self):
        rp = os.path.join(self.dir, "rp.txt")
        writer = self.replay(tr=0.15)  # slow enough that volumes are still to come when the loop is left
        for v in mc.follow_volumes(self.folder, params=rp, timeout=0):  # 0: would wait for ever
            if v.frame == 2:
                break
        rows = len(np.loadtxt(rp, ndmin=2))
        self.assertGreaterEqual(rows, 3)  # and any the follow thread aligned before it saw the stop
        self.assertLess(rows, VOLUMES, "followed to the end although the loop was left at volume 2")
        writer.join()
        time.sleep(5 * TR)
        self.assertEqual(len(np.loadtxt(rp, ndmin=2)), rows, "still following after the loop was left")

    def test_a_volume_cut_short_is_reported_and_skipped(self):
        writer = self.replay(corrupt=3)
        notices = []
        result = mc.follow(self.folder, on_notice=notices.append, timeout=30)
        writer.join()
        self.assertEqual(result.skipped, 1)
        self.assertEqual(len(result.volumes), VOLUMES - 1)
        self.assertTrue(any("vol00003.nii" in n and "skipped" in n for n in notices), notices)
        self.assertNotIn("vol00003.nii", [os.path.basename(v.path) for v in result.volumes])

    def test_bad_keywords_and_values(self):
        with self.assertRaisesRegex(TypeError, "unexpected keyword argument 'fd_treshold'"):
            mc.follow(self.folder, fd_treshold=0.3)
        with self.assertRaisesRegex(ValueError, "--fd-levels: expected a number, got 'x'"):
            mc.follow(self.folder, fd_levels=["x"])
        with self.assertRaisesRegex(ValueError, "not a folder"):
            mc.follow(os.path.join(self.dir, "missing"))
        with self.assertRaisesRegex(ValueError, "FD threshold must be > 0"):
            list(mc.follow_volumes(self.folder, fd_threshold=0))
        with self.assertRaisesRegex(TypeError, "on_volume: expected a callable"):
            mc.follow(self.folder, on_volume=3)
        self.assertEqual(mc.follow_defaults()["end_marker"], "END")
        self.assertEqual(mc.follow_defaults()["threads"], "1")


if __name__ == "__main__":
    unittest.main()
