#include "MotionCorrectionJob.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "ImageIO.h"
#include "ParameterFiles.h"
#include "SyntheticRun.h"
#include "TestSupport.h"

using namespace mc;

namespace {

SyntheticRun smallRun(int frames, std::uint64_t seed = 3) {
  // EPI-like voxels (SPM's 5 mm smoothing assumes ~3 mm voxels; at 4.5 mm it under-smooths and the
  // estimates lose accuracy), a field of view that holds the head in-plane and cuts it along z.
  PhantomOptions p;
  p.size = {48, 56, 28};
  p.spacing = {3.5, 3.5, 4.0};
  TrajectoryOptions t;
  t.frames = frames;
  t.seed = seed;
  return generatePhantomRun(p, realisticTrajectory(t));
}

std::string readText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST(MotionCorrectionJob, WritesEveryOutputConsistently) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(6);
  writeVolumeSeries(dir.file("run.nii.gz"), s.run);
  JobSpec spec;
  spec.input = dir.file("run.nii.gz");
  spec.realignedOutput = dir.file("rrun.nii.gz");
  spec.meanOutput = dir.file("meanrun.nii");
  spec.parametersOutput = dir.file("rp_run.txt");
  spec.transformsOutput = dir.file("run_transforms.txt");
  spec.confoundsOutput = dir.file("run_confounds.tsv");
  OpenMPFrameExecutor ex(2);
  const JobResult r = runMotionCorrection(spec, ex);
  EXPECT_EQ(r.written.size(), 5u);

  const auto rp = parseRpFile(spec.parametersOutput);
  ASSERT_EQ(rp.size(), 6u);
  for (int j = 0; j < 6; ++j)
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(rp[j][i], r.parameters[j][i], 1e-8);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(rp[0][i], 0.0);  // relative to the reference frame

  const std::string tsv = readText(spec.confoundsOutput);
  EXPECT_EQ(tsv.substr(0, tsv.find('\n')), "trans_x\ttrans_y\ttrans_z\trot_x\trot_y\trot_z\tframewise_displacement");
  EXPECT_EQ(std::count(tsv.begin(), tsv.end(), '\n'), 7);

  const VolumeSeries realigned = readVolumeSeries(spec.realignedOutput);
  EXPECT_EQ(realigned.frameCount, 6);
  EXPECT_TRUE(realigned.geometry.sameGridAs(s.run.geometry, 1e-4));
  EXPECT_EQ(realigned.storedType, StoredType::Float32);
  const Volume mean = readVolume(spec.meanOutput);
  EXPECT_TRUE(mean.geometry.sameGridAs(s.run.geometry, 1e-4));
  // The reference frame is resliced with the identity: equal to the input within float rounding
  // (except where the mask removed voxels that other frames do not see).
  int compared = 0;
  for (std::size_t i = 0; i < s.run.frameSize(); ++i) {
    if (realigned.frame(0)[i] == 0.0f) continue;
    ASSERT_NEAR(realigned.frame(0)[i], s.run.frame(0)[i], 1e-2);
    ++compared;
  }
  EXPECT_GT(compared, int(s.run.frameSize() / 2));
  EXPECT_EQ(test::ScratchDir().entries().size(), 0u);
  EXPECT_EQ(dir.entries().size(), 6u);  // the input and five outputs, no temporary files
}

TEST(MotionCorrectionJob, KeepsTheInputDataType) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(3);
  writeVolumeSeries(dir.file("run16.nii.gz"), s.run, StoredType::Int16);
  JobSpec spec;
  spec.input = dir.file("run16.nii.gz");
  spec.realignedOutput = dir.file("r16.nii.gz");
  spec.keepDataType = true;
  OpenMPFrameExecutor ex(1);
  const JobResult r = runMotionCorrection(spec, ex);
  const VolumeSeries back = readVolumeSeries(spec.realignedOutput);
  EXPECT_EQ(back.storedType, StoredType::Int16);
  for (std::size_t i = 0; i < back.voxels.size(); i += 97)
    ASSERT_EQ(back.voxels[i], std::nearbyint(r.realigned.voxels[i]));
}

TEST(MotionCorrectionJob, NaNAndEmptyFramesGiveWarningsAndADefinedResult) {
  SyntheticRun s = smallRun(5);
  s.run.frame(2)[100] = std::nanf("");
  s.run.frame(2)[101] = INFINITY;
  std::fill(s.run.frame(3), s.run.frame(3) + s.run.frameSize(), 0.0f);
  JobSpec spec;
  OpenMPFrameExecutor ex(2);
  const JobResult r = runMotionCorrection(spec, s.run, ex);
  // One line for both (DamagedFrames_test covers the rest).
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "frame 2: NaN/Inf voxels (set to 0); frame 3: all voxels zero;"
                           " left out of the reference and the mean, marked as motion outliers");
  for (const auto& p : r.parameters)
    for (int i = 0; i < 6; ++i) EXPECT_TRUE(std::isfinite(p[i]));
  for (float v : r.realigned.voxels) ASSERT_TRUE(std::isfinite(v));
  // The good frames are still aligned.
  const auto head = headPoints(s.run.extractFrame(0));
  for (int j : {1, 2, 4})
    EXPECT_LT(displacementBetween(r.motion.frames[j].transform, spmMatrix(s.truth[j]), head).mean, 0.1) << j;
}

TEST(MotionCorrectionJob, CancelledOrFailedJobsLeaveNoFiles) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(6);
  writeVolumeSeries(dir.file("run.nii.gz"), s.run);
  JobSpec spec;
  spec.input = dir.file("run.nii.gz");
  spec.realignedOutput = dir.file("r.nii.gz");
  spec.parametersOutput = dir.file("rp.txt");
  OpenMPFrameExecutor ex(2);
  EXPECT_THROW(runMotionCorrection(spec, ex,
                                   [](const ProgressEvent& e) {
                                     return e.stage == Stage::Reslice && e.completed >= 2 ? CallbackReturn::Abort
                                                                                          : CallbackReturn::Continue;
                                   }),
               Cancelled);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.nii.gz"});

  // An output that would overwrite the input is refused before anything runs.
  JobSpec overwrite = spec;
  overwrite.realignedOutput = spec.input;
  try {
    runMotionCorrection(overwrite, ex);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("overwrite the input"), std::string::npos) << e.what();
  }
  JobSpec noFolder = spec;
  noFolder.meanOutput = dir.file("missing/mean.nii.gz");
  EXPECT_THROW(runMotionCorrection(noFolder, ex), std::invalid_argument);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"run.nii.gz"});
}

TEST(MotionCorrectionJob, EstimateOnlyAndChosenReference) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(6, 9);
  JobSpec spec;
  spec.estimateOnly = true;
  spec.estimation.registerToMean = false;
  spec.estimation.referenceFrame = 4;
  spec.parametersOutput = dir.file("rp.txt");
  OpenMPFrameExecutor ex(2);
  const JobResult r = runMotionCorrection(spec, s.run, ex);
  EXPECT_TRUE(r.realigned.voxels.empty());
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"rp.txt"});
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r.parameters[4][i], 0.0);
  const auto head = headPoints(s.run.extractFrame(4));
  const Matrix4 refInv = spmMatrix(s.truth[4]).inverse();
  for (int j = 0; j < 6; ++j)
    EXPECT_LT(displacementBetween(r.motion.frames[j].transform, spmMatrix(s.truth[j]) * refInv, head).mean, 0.1) << j;
}

TEST(MotionCorrectionJob, WeightImageRestrictsTheSamplePoints) {
  const SyntheticRun s = smallRun(5, 4);
  JobSpec spec;
  spec.estimateOnly = true;
  test::ScratchDir dir;
  // Weight 1 in the left half of the grid only.
  Volume w{s.run.geometry, std::vector<float>(s.run.frameSize(), 0.0f)};
  const auto& g = s.run.geometry;
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0] / 2; ++x) w.voxels[(std::size_t(z) * g.size[1] + y) * g.size[0] + x] = 1.0f;
  writeVolume(dir.file("weight.nii.gz"), w);
  spec.weightImage = dir.file("weight.nii.gz");
  OpenMPFrameExecutor ex(2);
  const JobResult weighted = runMotionCorrection(spec, s.run, ex);
  spec.weightImage.clear();
  const JobResult plain = runMotionCorrection(spec, s.run, ex);
  EXPECT_LT(weighted.motion.samplePoints, plain.motion.samplePoints * 0.7);
  const auto head = headPoints(s.run.extractFrame(0));
  for (int j = 1; j < 5; ++j)
    EXPECT_LT(displacementBetween(weighted.motion.frames[j].transform, spmMatrix(s.truth[j]), head).mean, 0.15) << j;
}

// Without kept images the realigned run goes from the reslicer to the file frame by frame: the file
// is byte for byte the one written from the whole run kept in memory, and the mean is the same.
TEST(MotionCorrectionJob, StreamedRealignedRunIsTheKeptOneByteForByte) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(7);
  JobSpec spec;
  spec.realignedOutput = dir.file("streamed.nii.gz");
  spec.meanOutput = dir.file("mean_streamed.nii");
  OpenMPFrameExecutor ex(2);
  const JobResult streamed = runMotionCorrection(spec, s.run, ex, {}, localCollective(), KeepImages::No);
  EXPECT_TRUE(streamed.realigned.voxels.empty());
  spec.realignedOutput = dir.file("kept.nii.gz");
  spec.meanOutput = dir.file("mean_kept.nii");
  const JobResult kept = runMotionCorrection(spec, s.run, ex, {}, localCollective(), KeepImages::Yes);
  ASSERT_EQ(kept.realigned.voxels.size(), s.run.voxels.size());
  writeVolumeSeries(dir.file("from_memory.nii.gz"), kept.realigned, StoredType::Float32);
  EXPECT_EQ(readText(dir.file("streamed.nii.gz")), readText(dir.file("kept.nii.gz")));
  EXPECT_EQ(readText(dir.file("streamed.nii.gz")), readText(dir.file("from_memory.nii.gz")));
  EXPECT_EQ(readText(dir.file("mean_streamed.nii")), readText(dir.file("mean_kept.nii")));
  EXPECT_EQ(streamed.mean.voxels, kept.mean.voxels);
}

// Only parameter files asked for: nothing is resliced (no reslice progress, no images).
TEST(MotionCorrectionJob, ParameterFilesAloneSkipReslicing) {
  test::ScratchDir dir;
  const SyntheticRun s = smallRun(5);
  JobSpec spec;
  spec.parametersOutput = dir.file("rp.txt");
  OpenMPFrameExecutor ex(2);
  int resliceEvents = 0;
  const JobResult r = runMotionCorrection(
      spec, s.run, ex,
      [&](const ProgressEvent& e) {
        if (e.stage == Stage::Reslice) ++resliceEvents;
        return CallbackReturn::Continue;
      },
      localCollective(), KeepImages::No);
  EXPECT_EQ(resliceEvents, 0);
  EXPECT_TRUE(r.mean.voxels.empty());
  EXPECT_EQ(parseRpFile(spec.parametersOutput).size(), 5u);
}
