// The task's whole result (MotionCorrectionTask::result): a run handed over in memory, the images
// kept in the result instead of files, for every backend; and the one request check (RunRequest::validate).
#include <stdlib.h>  // mkdtemp, setenv
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "EngineTestSupport.h"
#include "ImageIO.h"
#include "MotionCorrectionTask.h"
#include "ParallelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

// The shared run as the serial reference read it from its file (same voxels, same header geometry).
std::shared_ptr<const VolumeSeries> sharedRunInMemory() {
  static const auto run = std::make_shared<const VolumeSeries>(readVolumeSeries(shared().input));
  return run;
}

EngineRequest inMemoryRequest(Backend backend) {
  EngineRequest r;
  r.spec.threads = 1;
  r.backend = backend;
  r.poolThreads = 2;
  r.mpi.ranks = 2;
  r.mpi.threadsPerRank = 1;
  r.inputRun = sharedRunInMemory();
  r.keepImages = true;
  return r;
}

// A temporary folder of the test's own as TMPDIR (the launcher's and the worker's), so that other
// tests running at the same time cannot add or remove mc-run-* folders under the one being counted.
class OwnTemporaryFolder {
public:
  OwnTemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "mc-test-tmp-XXXXXX").string();
    dir_ = ::mkdtemp(pattern.data()) ? pattern : std::string();
    if (const char* t = std::getenv("TMPDIR")) old_ = t, hadOld_ = true;
    ::setenv("TMPDIR", dir_.c_str(), 1);
  }
  ~OwnTemporaryFolder() {
    if (hadOld_) ::setenv("TMPDIR", old_.c_str(), 1);
    else ::unsetenv("TMPDIR");
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

private:
  std::string dir_, old_;
  bool hadOld_ = false;
};

int privateFoldersLeft() {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(std::filesystem::temp_directory_path()))
    if (e.path().filename().string().rfind("mc-run-", 0) == 0) ++n;
  return n;
}

void expectResultMatchesSerial(const MotionCorrectionTask& task, double parameterTolerance, double voxelTolerance) {
  const SerialReference& s = shared();
  const JobResult& r = task.result();
  EXPECT_TRUE(r.written.empty());
  const double dp = expectSameParameters(r.parameters, s.serialResult.parameters, parameterTolerance);
  ASSERT_EQ(r.motion.frames.size(), s.serialResult.parameters.size());
  ASSERT_EQ(r.displacement.size(), s.serialResult.displacement.size());
  for (std::size_t i = 0; i < r.displacement.size(); ++i)
    EXPECT_NEAR(r.displacement[i].max, s.serialResult.displacement[i].max, 1e-6) << "frame " << i;
  ASSERT_EQ(r.realigned.frameCount, s.serialResult.realigned.frameCount);
  EXPECT_TRUE(r.realigned.geometry.sameGridAs(sharedRunInMemory()->geometry, 0));
  EXPECT_TRUE(r.mean.geometry.sameGridAs(sharedRunInMemory()->geometry, 0));
  const double dv = relativeVoxelDifference(s.serialResult.realigned.voxels, r.realigned.voxels);
  const double dm = relativeVoxelDifference(s.serialResult.mean.voxels, r.mean.voxels);
  EXPECT_LE(dv, voxelTolerance);
  EXPECT_LE(dm, voxelTolerance);
  std::printf("in-memory %s vs serial: parameters %.3g, realigned %.3g, mean %.3g\n",
              backendName(task.request().backend), dp, dv, dm);
}

}  // namespace

TEST(MotionCorrectionTaskResult, InMemoryRunGivesTheSerialEnginesImagesInProcess) {
  for (Backend backend : {Backend::Serial, Backend::Threads}) {
    SCOPED_TRACE(backendName(backend));
    MotionCorrectionTask task(inMemoryRequest(backend));
    const TaskLog log = runTask(task);
    ASSERT_EQ(log.count("finished"), 1) << log.reason.toStdString();
    EXPECT_TRUE(log.written.isEmpty());
    expectResultMatchesSerial(task, 0.0, 0.0);  // the same code on the same voxels: bit-identical
  }
}

TEST(MotionCorrectionTaskResult, WithoutKeepImagesTheResultHoldsNoImages) {
  ScratchDir out;
  EngineRequest r = inMemoryRequest(Backend::Threads);
  r.keepImages = false;
  r.spec.parametersOutput = out.file("rp.txt");
  MotionCorrectionTask task(r);
  ASSERT_EQ(runTask(task).count("finished"), 1);
  EXPECT_EQ(task.result().written, std::vector<std::string>{out.file("rp.txt")});
  EXPECT_TRUE(task.result().realigned.voxels.empty());
  EXPECT_TRUE(task.result().mean.voxels.empty());
  EXPECT_EQ(task.result().parameters.size(), shared().serialResult.parameters.size());
}

#ifndef MC_TEST_WITHOUT_MPI
TEST(MotionCorrectionTaskResult, InMemoryRunUnderMpiReadsTheImagesBackAndLeavesNoTemporaryFiles) {
  const OwnTemporaryFolder tmp;
  const int before = privateFoldersLeft();
  MotionCorrectionTask task(inMemoryRequest(Backend::Mpi));
  const TaskLog log = runTask(task, 60000);
  ASSERT_EQ(log.count("finished"), 1) << log.reason.toStdString();
  EXPECT_TRUE(log.written.isEmpty());
  // Bit-identical too: the worker prints its parameters exactly and writes float32 images.
  expectResultMatchesSerial(task, 0.0, 0.0);
  EXPECT_EQ(privateFoldersLeft(), before);
}

TEST(MotionCorrectionTaskResult, DamagedFramesUnderMpiAreTheInProcessEngines) {
  // NaN voxels in frame 0 and an all-zero frame 3: the reference moves to frame 1. The MPI result
  // names the same damaged frames and measures displacement from the same reference as threads.
  const OwnTemporaryFolder tmp;
  auto damaged = std::make_shared<VolumeSeries>(*sharedRunInMemory());
  for (std::size_t i = 0; i < damaged->frameSize() / 4; ++i) damaged->frame(0)[i] = std::nanf("");
  std::fill(damaged->frame(3), damaged->frame(3) + damaged->frameSize(), 0.0f);
  JobResult results[2];
  int k = 0;
  for (Backend backend : {Backend::Threads, Backend::Mpi}) {
    SCOPED_TRACE(backendName(backend));
    EngineRequest r = inMemoryRequest(backend);
    r.inputRun = damaged;
    r.keepImages = false;
    ScratchDir out;
    r.spec.parametersOutput = out.file("rp.txt");
    MotionCorrectionTask task(r);
    const TaskLog log = runTask(task, 60000);
    ASSERT_EQ(log.count("finished"), 1) << log.reason.toStdString();
    results[k++] = task.result();
  }
  for (const JobResult& r : results) {
    ASSERT_EQ(r.damagedFrames.size(), 2u);
    EXPECT_EQ(r.damagedFrames[0].frame, 0);
    EXPECT_EQ(r.damagedFrames[1].frame, 3);
    EXPECT_EQ(r.motion.referenceFrame, 1);
    ASSERT_GT(r.displacement.size(), 1u);
    EXPECT_EQ(r.displacement[1].max, 0.0);  // the reference frame does not move
  }
  ASSERT_EQ(results[0].displacement.size(), results[1].displacement.size());
  for (std::size_t i = 0; i < results[0].displacement.size(); ++i)
    EXPECT_NEAR(results[0].displacement[i].max, results[1].displacement[i].max, 1e-6) << "frame " << i;
}

TEST(MotionCorrectionTaskResult, FailedMpiRunLeavesNoTemporaryFiles) {
  const OwnTemporaryFolder tmp;
  const int before = privateFoldersLeft();
  EngineRequest r = inMemoryRequest(Backend::Mpi);
  r.spec.estimation.interpolation = 1;
  r.spec.weightImage = "/nonexistent/weight.nii";  // the worker fails reading it, after the input was written
  MotionCorrectionTask task(r);
  const TaskLog log = runTask(task, 60000);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_TRUE(log.reason.contains("weight.nii")) << log.reason.toStdString();
  EXPECT_EQ(privateFoldersLeft(), before);
}
#endif

TEST(MotionCorrectionTaskResult, RequestNeedsAnInputAndAnOutput) {
  EngineRequest noInput = inMemoryRequest(Backend::Threads);
  noInput.inputRun.reset();
  EngineRequest noOutput = inMemoryRequest(Backend::Threads);
  noOutput.keepImages = false;
  EngineRequest noRanks = inMemoryRequest(Backend::Mpi);
  noRanks.mpi.ranks = 0;
  for (const auto& [request, message] :
       {std::pair{noInput, "--input: required (the 4D run to correct)"},
        std::pair{noOutput, "--output: no output requested (give --output, --mean, --params, --transforms or --confounds)"},
        std::pair{noRanks, "--mpi-ranks: expected a whole number >= 1, got '0'"}}) {
    MotionCorrectionTask task(request);
    const TaskLog log = runTask(task);
    ASSERT_EQ(log.count("failed"), 1);
    EXPECT_EQ(log.reason.toStdString(), message);
    EXPECT_EQ(log.count("frame"), 0);
  }
}
