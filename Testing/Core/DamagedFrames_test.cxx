// Damaged frames (NaN/Inf voxels, all-zero frames): found and named in one line, kept out of the
// reference and the means, marked as motion outliers in the confounds TSV, and harmless to the
// other frames' estimates, over one rank or several.
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "ImageIO.h"
#include "MotionCorrectionJob.h"
#include "ParameterFiles.h"
#include "Realigner.h"
#include "TestSupport.h"
#include "ThreadCollective.h"

using namespace mc;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// EPI-like voxels (as MotionCorrectionJob_test's runs) moved by a realistic trajectory.
SyntheticRun phantomRun(int frames) {
  PhantomOptions p;
  p.size = {48, 56, 28};
  p.spacing = {3.5, 3.5, 4.0};
  TrajectoryOptions t;
  t.frames = frames;
  t.seed = 4;
  return generatePhantomRun(p, realisticTrajectory(t));
}

// Frame t's slices z0..z1-1 set to `value` (a slab of dropped-out voxels, as a corrupted volume has).
void damageSlab(VolumeSeries& run, int t, int z0, int z1, float value) {
  const auto& n = run.geometry.size;
  const std::size_t plane = std::size_t(n[0]) * std::size_t(n[1]);
  std::fill(run.frame(t) + plane * std::size_t(z0), run.frame(t) + plane * std::size_t(z1), value);
}

void damageWholeFrame(VolumeSeries& run, int t, float value) { damageSlab(run, t, 0, run.geometry.size[2], value); }

// Frame motions with frame `reference` as the identity (the truth in SPM's convention when the
// reference is not frame 0).
std::vector<FrameMotion> truthRelativeTo(const std::vector<RigidParameters>& truth, int reference) {
  std::vector<FrameMotion> frames(truth.size());
  for (std::size_t j = 0; j < truth.size(); ++j) frames[j].transform = spmMatrix(truth[j]);
  makeRelativeTo(frames, reference);
  return frames;
}

// Largest displacement (mm, over the head) between two estimates of frame j, or against the truth.
double displacement(const Matrix4& a, const Matrix4& b, const std::vector<std::array<double, 3>>& head) {
  return displacementBetween(a, b, head).max;
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::vector<std::string>> readTsv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(readText(path));
  for (std::string line; std::getline(in, line);) {
    rows.emplace_back();
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, '\t');) rows.back().push_back(cell);
  }
  return rows;
}

std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no exception)";
}

JobResult correct(const VolumeSeries& run, const EstimationOptions& o = {}, const std::string& confounds = "") {
  JobSpec spec;
  spec.estimation = o;
  spec.confoundsOutput = confounds;
  OpenMPFrameExecutor ex(2);
  return runMotionCorrection(spec, run, ex);
}

}  // namespace

TEST(DamagedFrames, AreFoundRepairedAndNamedInOneLine) {
  SyntheticRun s = phantomRun(10);
  damageSlab(s.run, 3, 10, 12, kNaN);
  damageSlab(s.run, 7, 0, 1, std::numeric_limits<float>::infinity());
  damageWholeFrame(s.run, 5, kNaN);
  damageWholeFrame(s.run, 9, 0.0f);
  const std::vector<DamagedFrame> found = findDamagedFrames(s.run);
  const std::vector<DamagedFrame> repaired = sanitizeRun(s.run);
  ASSERT_EQ(frameNumbers(found), (std::vector<int>{3, 5, 7, 9}));
  ASSERT_EQ(frameNumbers(repaired), frameNumbers(found));
  const std::size_t plane = 48 * 56;
  EXPECT_EQ(repaired[0].nonFiniteVoxels, 2 * plane);
  EXPECT_FALSE(repaired[0].empty);
  EXPECT_TRUE(repaired[1].empty);
  EXPECT_EQ(repaired[2].nonFiniteVoxels, plane);
  EXPECT_TRUE(repaired[3].empty);
  EXPECT_EQ(repaired[3].nonFiniteVoxels, 0u);
  for (float v : s.run.voxels) ASSERT_TRUE(std::isfinite(v));
  EXPECT_TRUE(findDamagedFrames(s.run).size() == 2u);  // once repaired, only the empty frames show
  EXPECT_EQ(describeDamagedFrames(repaired),
            "frames 3, 7: NaN/Inf voxels (set to 0); frame 5: all voxels NaN/Inf or zero; frame 9: all voxels zero;"
            " left out of the reference and the mean, marked as motion outliers");
  EXPECT_EQ(describeDamagedFrames({}), "");
}

// The job reports the damaged frames once, carries them in its result and marks them in the TSV.
TEST(DamagedFrames, JobNamesThemOnceAndMarksThemAsMotionOutliers) {
  test::ScratchDir dir;
  SyntheticRun s = phantomRun(10);
  const JobResult clean = correct(s.run, {}, dir.file("clean.tsv"));
  EXPECT_TRUE(clean.damagedFrames.empty());
  EXPECT_EQ(readText(dir.file("clean.tsv")).find("motion_outlier"), std::string::npos);

  // Through a NIfTI file, as the CLI reads one (float32 keeps the NaN).
  damageSlab(s.run, 3, 10, 14, kNaN);
  damageWholeFrame(s.run, 8, 0.0f);
  writeVolumeSeries(dir.file("damaged.nii.gz"), s.run, StoredType::Float32);
  JobSpec spec;
  spec.input = dir.file("damaged.nii.gz");
  spec.confoundsOutput = dir.file("damaged.tsv");
  OpenMPFrameExecutor ex(2);
  const JobResult r = runMotionCorrection(spec, ex);
  EXPECT_EQ(frameNumbers(r.damagedFrames), (std::vector<int>{3, 8}));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "frame 3: NaN/Inf voxels (set to 0); frame 8: all voxels zero;"
                           " left out of the reference and the mean, marked as motion outliers");

  const auto rows = readTsv(dir.file("damaged.tsv"));
  ASSERT_EQ(rows.size(), 11u);
  ASSERT_EQ(rows[0].size(), 9u);
  EXPECT_EQ(rows[0][7], "motion_outlier00");
  EXPECT_EQ(rows[0][8], "motion_outlier01");
  for (int j = 0; j < 10; ++j) {
    ASSERT_EQ(rows[std::size_t(j) + 1].size(), 9u) << j;
    EXPECT_EQ(rows[std::size_t(j) + 1][7], j == 3 ? "1" : "0") << j;
    EXPECT_EQ(rows[std::size_t(j) + 1][8], j == 8 ? "1" : "0") << j;
  }
  // The motion columns are the result's, as without outliers.
  const std::string plain = dir.file("plain.tsv");
  std::ofstream(plain) << formatConfoundsTsv(r.parameters, r.framewiseDisplacement);
  const auto expected = readTsv(plain);
  for (std::size_t j = 0; j < rows.size(); ++j)
    EXPECT_EQ(std::vector<std::string>(rows[j].begin(), rows[j].begin() + 7), expected[j]) << j;
}

// A frame with half its voxels NaN: the other frames' motions are as accurate as without it, and
// the mean image (pass 2's and the written one) is that of the other frames.
TEST(DamagedFrames, LeaveTheOtherFramesAndTheMeanAsWithoutThem) {
  const int n = 10, bad = 5;
  const SyntheticRun s = phantomRun(n);
  const auto head = headPoints(s.run.extractFrame(0));
  const JobResult clean = correct(s.run);
  VolumeSeries damaged = s.run;
  damageSlab(damaged, bad, 0, 14, kNaN);
  const JobResult r = correct(damaged);
  ASSERT_EQ(frameNumbers(r.damagedFrames), std::vector<int>{bad});
  EXPECT_EQ(r.motion.referenceFrame, 0);

  double cleanWorst = 0, worst = 0, gap = 0;
  for (int j = 0; j < n; ++j) {
    const Matrix4 truth = spmMatrix(s.truth[std::size_t(j)]);
    cleanWorst = std::max(cleanWorst, displacement(clean.motion.frames[std::size_t(j)].transform, truth, head));
    if (j == bad) continue;
    worst = std::max(worst, displacement(r.motion.frames[std::size_t(j)].transform, truth, head));
    gap = std::max(gap, displacement(r.motion.frames[std::size_t(j)].transform,
                                     clean.motion.frames[std::size_t(j)].transform, head));
  }
  const double bound = 0.1;  // mm, the largest error of any head point (Realigner_accuracy_test: 0.2)
  EXPECT_LE(cleanWorst, bound);
  EXPECT_LE(worst, bound);
  // Averaged into pass 2's mean (as before this check existed) it moves them by 0.011 mm.
  EXPECT_LE(gap, 0.005) << "the damaged frame moved the other frames' estimates";

  // The written mean: where frame `bad` lost its voxels it would pull the mean down by about 1/n
  // if it were averaged in; left out, the mean there is the other frames', within noise.
  const std::size_t plane = 48 * 56;
  double lost = 0, kept = 0;
  for (std::size_t i = 4 * plane; i < 12 * plane; ++i) {  // slices inside the slab, away from its edge
    lost += r.mean.voxels[i];
    kept += clean.mean.voxels[i];
  }
  ASSERT_GT(kept, 0);
  EXPECT_NEAR(lost / kept, 1.0, 0.01);
}

// Frame 0 is damaged and the reference was not chosen: the first undamaged frame is the reference
// and the parameters are relative to it (SPM's convention), said in one line.
TEST(DamagedFrames, DamagedFirstFrameHandsTheReferenceToTheFirstUsableFrame) {
  const int n = 8;
  const SyntheticRun s = phantomRun(n);
  for (const bool registerToMean : {true, false}) {
    SCOPED_TRACE(registerToMean ? "reference mean" : "reference first");
    EstimationOptions o;
    o.registerToMean = registerToMean;
    // A NaN slab in frame 0 (today it would have been the reference, with a hole) and frame 1 empty.
    VolumeSeries run = s.run;
    damageSlab(run, 0, 6, 16, kNaN);
    damageWholeFrame(run, 1, 0.0f);
    const JobResult r = correct(run, o);
    EXPECT_EQ(r.motion.referenceFrame, 2);
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_EQ(r.warnings[1], "reference frame 0 is damaged: frame 2, the first undamaged frame, is the reference and"
                             " the parameters are relative to it");
    EXPECT_EQ(r.motion.frames[2].transform.m, Matrix4::identity().m);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(r.parameters[2][i], 0.0);
    // Against the truth relative to frame 2, with the bound the undamaged run meets with frame 2 as
    // its reference, and against that run's estimates.
    EstimationOptions fromFrame2 = o;
    fromFrame2.referenceFrame = 2;
    const JobResult clean = correct(s.run, fromFrame2);
    const auto truth = truthRelativeTo(s.truth, 2);
    const auto head = headPoints(s.run.extractFrame(2));
    double cleanWorst = 0, worst = 0, gap = 0;
    for (int j = 2; j < n; ++j) {
      const Matrix4& t = truth[std::size_t(j)].transform;
      cleanWorst = std::max(cleanWorst, displacement(clean.motion.frames[std::size_t(j)].transform, t, head));
      worst = std::max(worst, displacement(r.motion.frames[std::size_t(j)].transform, t, head));
      gap = std::max(gap, displacement(r.motion.frames[std::size_t(j)].transform,
                                       clean.motion.frames[std::size_t(j)].transform, head));
    }
    const double bound = 0.2;  // mm, the largest error of any head point (Realigner_accuracy_test's)
    EXPECT_LE(cleanWorst, bound);
    EXPECT_LE(worst, bound);
    // One pass to frame 2 is the undamaged run's computation exactly; with two passes the mean
    // holds 6 frames instead of 8 (frames 0 and 1 are left out), which moves the estimates a little.
    EXPECT_LE(gap, registerToMean ? 0.02 : 1e-9);
  }
  // Frame 0 all NaN: today "reference frame 0 is empty (all zero)".
  VolumeSeries run = s.run;
  damageWholeFrame(run, 0, kNaN);
  EXPECT_EQ(correct(run).motion.referenceFrame, 1);
}

TEST(DamagedFrames, ADamagedReferenceChosenByTheUserOrNoUsableFrameFails) {
  SyntheticRun s = phantomRun(6);
  damageSlab(s.run, 3, 10, 12, kNaN);
  damageWholeFrame(s.run, 2, 0.0f);
  EstimationOptions o;
  o.registerToMean = false;
  o.referenceFrame = 3;
  EXPECT_EQ(messageOf([&] { correct(s.run, o); }),
            "reference frame 3 has NaN/Inf voxels; choose an undamaged frame as reference");
  o.referenceFrame = 2;
  EXPECT_EQ(messageOf([&] { correct(s.run, o); }),
            "reference frame 2 is empty (all zero); choose an undamaged frame as reference");
  o.referenceFrame = 4;
  EXPECT_EQ(correct(s.run, o).motion.referenceFrame, 4);

  for (int t : {0, 1, 4, 5}) damageSlab(s.run, t, 0, 1, kNaN);
  EXPECT_EQ(messageOf([&] { correct(s.run); }),
            "no usable frame: every frame is empty (all zero) or has NaN/Inf voxels");
  // The estimator alone (no job) finds them too.
  OpenMPFrameExecutor ex(1);
  EXPECT_EQ(messageOf([&] { Realigner().estimate(s.run, ex); }),
            "no usable frame: every frame is empty (all zero) or has NaN/Inf voxels");
}

// The job over 2 and 3 ranks (threads standing in for MPI ranks, as Collective_test does) gives
// one rank's answer: the same damaged frames, reference, warnings, parameters and mean.
TEST(DamagedFrames, OverRanksGiveOneRanksAnswer) {
  const int n = 7;
  SyntheticRun s = phantomRun(n);
  damageSlab(s.run, 0, 6, 16, kNaN);  // the reference moves to frame 1, owned by rank 0
  damageSlab(s.run, 4, 0, 10, kNaN);  // a frame of another rank's share
  const JobSpec spec;
  OpenMPFrameExecutor one(1);
  const JobResult serial = runMotionCorrection(spec, s.run, one);
  for (int ranks : {2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const std::vector<JobResult> results = test::onRanks<JobResult>(ranks, [&](Collective& c) {
      OpenMPFrameExecutor ex(1);
      return runMotionCorrection(spec, s.run, ex, {}, c);
    });
    for (const JobResult& r : results) {
      EXPECT_EQ(frameNumbers(r.damagedFrames), frameNumbers(serial.damagedFrames));
      EXPECT_EQ(r.motion.referenceFrame, 1);
      EXPECT_EQ(r.warnings, serial.warnings);
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < 6; ++i)
          EXPECT_NEAR(r.parameters[std::size_t(j)][i], serial.parameters[std::size_t(j)][i], 1e-9) << j << " " << i;
    }
    ASSERT_EQ(results[0].mean.voxels.size(), serial.mean.voxels.size());
    for (std::size_t i = 0; i < serial.mean.voxels.size(); ++i)
      ASSERT_NEAR(results[0].mean.voxels[i], serial.mean.voxels[i], 1e-4f * (1 + std::abs(serial.mean.voxels[i])));
  }
}
