#pragma once
// Shared by the engine and MPI tests: a generated run whose frame count is not divisible by the
// rank counts used (11 frames over 2 and 3 ranks), job specs, and result comparisons.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "FrameExecutor.h"
#include "ImageIO.h"
#include "MotionCorrectionJob.h"
#include "ParameterFiles.h"
#include "SyntheticRun.h"
#include "TestSupport.h"

namespace mc::test {

constexpr int kFrames = 11;

inline SyntheticRun parallelTestRun(int frames = kFrames, std::array<int, 3> size = {32, 32, 20},
                                    std::uint64_t seed = 5) {
  PhantomOptions p;
  p.size = size;
  p.spacing = {5.0, 5.0, 6.0};  // a 32x32x20 grid that holds the whole head phantom
  TrajectoryOptions t;
  t.frames = frames;
  t.seed = seed;
  return generatePhantomRun(p, realisticTrajectory(t));
}

// Outputs tag_realigned.nii.gz, tag_mean.nii.gz, rp_tag.txt in `dir`.
inline JobSpec jobFor(const ScratchDir& dir, const std::string& input, const std::string& tag) {
  JobSpec spec;
  spec.input = input;
  spec.realignedOutput = dir.file(tag + "_realigned.nii.gz");
  spec.meanOutput = dir.file(tag + "_mean.nii.gz");
  spec.parametersOutput = dir.file("rp_" + tag + ".txt");
  return spec;
}

// One generated run per test program, written once, and the serial engine's answer on it (the core's
// orchestration on the OpenMP executor, as the plain CLI runs it); each test writes beside it.
struct SerialReference {
  ScratchDir dir;
  SyntheticRun run = parallelTestRun();
  std::string input = dir.file("run.nii.gz");
  JobSpec serial;
  JobResult serialResult;
  SerialReference() {
    writeVolumeSeries(input, run.run);
    serial = jobFor(dir, input, "reference");
    OpenMPFrameExecutor ex(0);
    serialResult = runMotionCorrection(serial, ex);
  }
};

inline SerialReference& shared() {
  static SerialReference s;
  return s;
}

// Returns the largest difference found (printed by the identity tests as evidence).
inline double expectSameParameters(const std::vector<RigidParameters>& a, const std::vector<RigidParameters>& b,
                                   double tolerance = 1e-6) {
  EXPECT_EQ(a.size(), b.size());
  double largest = 0;
  for (std::size_t j = 0; j < std::min(a.size(), b.size()); ++j)
    for (int i = 0; i < 6; ++i) {
      EXPECT_NEAR(a[j][i], b[j][i], tolerance) << "frame " << j << " parameter " << i;
      largest = std::max(largest, std::fabs(a[j][i] - b[j][i]));
    }
  return largest;
}

// Largest |a - b| over all voxels, relative to the largest |a|.
inline double relativeVoxelDifference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double diff = 0, peak = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
    peak = std::max(peak, double(std::fabs(a[i])));
  }
  return peak > 0 ? diff / peak : diff;
}

// Same resliced run and mean (to float rounding) in the outputs of two jobs.
// Returns the larger relative difference of the two images.
inline double expectSameImages(const JobSpec& a, const JobSpec& b, double tolerance = 1e-5) {
  const VolumeSeries ra = readVolumeSeries(a.realignedOutput), rb = readVolumeSeries(b.realignedOutput);
  EXPECT_EQ(ra.frameCount, rb.frameCount);
  EXPECT_TRUE(ra.geometry.sameGridAs(rb.geometry));
  const double run = relativeVoxelDifference(ra.voxels, rb.voxels);
  EXPECT_LE(run, tolerance) << b.realignedOutput;
  const Volume ma = readVolume(a.meanOutput), mb = readVolume(b.meanOutput);
  const double mean = relativeVoxelDifference(ma.voxels, mb.voxels);
  EXPECT_LE(mean, tolerance) << b.meanOutput;
  return std::max(run, mean);
}

// Files in the folder other than `expected` (temporary files start with '.').
inline std::vector<std::string> unexpectedFiles(const ScratchDir& dir, const std::vector<std::string>& expected) {
  std::vector<std::string> extra;
  for (const auto& e : dir.entries())
    if (std::find(expected.begin(), expected.end(), e) == expected.end()) extra.push_back(e);
  return extra;
}

// The motion estimated for the run is close to the generator's truth (sanity: the comparison
// above is not between two equally wrong answers).
inline double largestParameterError(const std::vector<RigidParameters>& estimated,
                                    const std::vector<RigidParameters>& truth) {
  double e = 0;
  for (std::size_t j = 0; j < std::min(estimated.size(), truth.size()); ++j)
    for (int i = 0; i < 3; ++i) e = std::max(e, std::fabs(estimated[j][i] - truth[j][i]));
  return e;
}

}  // namespace mc::test
