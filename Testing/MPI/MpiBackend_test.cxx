// The MPI worker under the real mpirun, and the Qt-free launcher the CLI uses (runMpiBackend).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

#include <sys/wait.h>

#include <gtest/gtest.h>

#include "AtomicOutput.h"
#include "FrameExecutor.h"
#include "JobParameters.h"
#include "MpiLaunch.h"
#include "ParallelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

MpiOptions ranks(int n) {
  MpiOptions o;
  o.ranks = n;
  o.threadsPerRank = 1;
  return o;
}

struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const char* v) : name(n) { ::setenv(n, v, 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

// Runs the worker under mpirun directly and returns its stdout lines.
std::vector<std::string> runWorker(const JobSpec& spec, int n, int* exitCode) {
  ScratchDir jobDir;
  const std::string job = jobDir.file("job.txt");
  writeTextAtomically(job, formatJobFile(spec));
  std::string cmd;
  for (const auto& a : mpiCommandLine(ranks(n), findMpirun(), findMpiWorker(), job)) cmd += "'" + a + "' ";
  FILE* p = ::popen((cmd + "2>/dev/null").c_str(), "r");
  std::vector<std::string> lines;
  char buf[65536];
  while (p && std::fgets(buf, sizeof buf, p)) {
    std::string l(buf);
    if (!l.empty() && l.back() == '\n') l.pop_back();
    lines.push_back(l);
  }
  const int status = p ? ::pclose(p) : -1;
  *exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return lines;
}

}  // namespace

// A job file may be written by hand: the worker checks it as every face checks its request
// (RunRequest::validate), and says why in its error message, on every rank count.
TEST(MotionCorrectionMPI, HandWrittenJobWithoutOutputsIsRefused) {
  JobSpec spec;
  spec.input = shared().input;  // no output at all
  int code = -1;
  const auto lines = runWorker(spec, 2, &code);
  EXPECT_NE(code, 0);
  std::string error;
  for (const auto& l : lines)
    if (const auto m = parseProgressMessage(l); m && m->kind == ProgressMessage::Kind::Error) error = m->text;
  EXPECT_NE(error.find("no output requested"), std::string::npos) << error;
}

TEST(MotionCorrectionMPI, SplitsFramesSoThatNoneIsLostOrRepeated) {
  ScratchDir out;
  const JobSpec spec = jobFor(out, shared().input, "split");
  for (int n : {2, 3, 4}) {
    SCOPED_TRACE(std::to_string(n) + " ranks");
    int code = -1;
    const auto lines = runWorker(spec, n, &code);
    ASSERT_EQ(code, 0);
    std::map<Stage, std::vector<int>> seen;
    std::map<int, int> pass1PerRank;
    int unparsed = 0;
    for (const auto& l : lines) {
      const auto m = parseProgressMessage(l);
      if (!m) {
        ++unparsed;
        continue;
      }
      if (m->kind != ProgressMessage::Kind::Frame) continue;
      auto& v = seen[m->stage];
      v.resize(kFrames, 0);
      v[std::size_t(m->frame)]++;
      if (m->stage == Stage::Pass1) pass1PerRank[m->rank]++;
    }
    EXPECT_EQ(unparsed, 0) << "every stdout line is a whole JSON message";
    for (Stage s : {Stage::Pass1, Stage::Mean, Stage::Pass2, Stage::Reslice}) {
      ASSERT_EQ(seen[s].size(), std::size_t(kFrames)) << stageName(s);
      for (int j = 0; j < kFrames; ++j) EXPECT_EQ(seen[s][std::size_t(j)], 1) << stageName(s) << " frame " << j;
    }
    // 11 frames: every rank gets floor(11/n) or ceil(11/n).
    ASSERT_EQ(int(pass1PerRank.size()), n);
    for (const auto& [rank, count] : pass1PerRank) {
      EXPECT_GE(count, kFrames / n) << "rank " << rank;
      EXPECT_LE(count, (kFrames + n - 1) / n) << "rank " << rank;
    }
  }
}

TEST(RunMpiBackend, TwoAndThreeRanksMatchTheSerialEngine) {
  SerialReference& s = shared();
  for (int n : {2, 3}) {
    SCOPED_TRACE(std::to_string(n) + " ranks");
    ScratchDir out;
    const JobSpec spec = jobFor(out, s.input, "mpi");
    std::vector<double> fractions;
    int estimated = 0;
    const JobResult r = runMpiBackend(spec, ranks(n), [&](const ProgressEvent& e) {
      fractions.push_back(e.fraction);
      if (e.motion) ++estimated;
      return CallbackReturn::Continue;
    });
    expectSameParameters(r.parameters, s.serialResult.parameters);
    for (int j = 0; j < kFrames; ++j)
      EXPECT_NEAR(r.framewiseDisplacement[std::size_t(j)], s.serialResult.framewiseDisplacement[std::size_t(j)], 1e-6);
    expectSameImages(s.serial, spec);
    EXPECT_EQ(r.written.size(), 3u);
    EXPECT_GT(r.estimateSeconds, 0.0);
    EXPECT_EQ(estimated, 2 * kFrames);
    ASSERT_EQ(fractions.size(), std::size_t(4 * kFrames));
    for (std::size_t i = 1; i < fractions.size(); ++i) EXPECT_GT(fractions[i], fractions[i - 1]);
    EXPECT_DOUBLE_EQ(fractions.back(), 1.0);
  }
}

// A weight image (read by rank 0 only) and a run with an empty frame: the same
// parameters and the same warnings as the serial engine.
TEST(RunMpiBackend, WeightImageAndWarningsAreTheSerialEngines) {
  ScratchDir dir;
  SyntheticRun s = parallelTestRun();
  std::fill(s.run.frame(6), s.run.frame(6) + s.run.frameSize(), 0.0f);
  const std::string input = dir.file("repaired.nii.gz");
  writeVolumeSeries(input, s.run);
  Volume weight{s.run.geometry, std::vector<float>(s.run.frameSize(), 0.0f)};
  std::fill(weight.voxels.begin(), weight.voxels.begin() + std::ptrdiff_t(weight.voxels.size() / 2), 1.0f);
  writeVolume(dir.file("weight.nii.gz"), weight);
  JobSpec spec;
  spec.input = input;
  spec.weightImage = dir.file("weight.nii.gz");
  spec.estimateOnly = true;
  spec.parametersOutput = dir.file("rp_serial.txt");
  OpenMPFrameExecutor ex(1);
  const JobResult serial = runMotionCorrection(spec, ex);
  spec.parametersOutput = dir.file("rp_mpi.txt");
  const JobResult mpi = runMpiBackend(spec, ranks(3));
  expectSameParameters(mpi.parameters, serial.parameters);
  EXPECT_EQ(mpi.warnings, serial.warnings);
  ASSERT_EQ(serial.warnings.size(), 1u);
  EXPECT_EQ(serial.warnings[0],
            "frame 6: all voxels zero; left out of the reference and the mean, marked as motion outliers");
}

TEST(RunMpiBackend, WeightImageOffTheGridFailsNamingIt) {
  ScratchDir out;
  ImageGeometry small;
  small.size = {8, 8, 8};
  writeVolume(out.file("small_weight.nii.gz"), Volume{small, std::vector<float>(512, 1.0f)});
  JobSpec spec = jobFor(out, shared().input, "weighted");
  spec.weightImage = out.file("small_weight.nii.gz");
  try {
    runMpiBackend(spec, ranks(2));
    FAIL() << "a weight image off the run's grid must fail the run";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("small_weight.nii.gz: weight image is not on the run's voxel grid"), std::string::npos)
        << what;
  }
  EXPECT_EQ(out.entries(), std::vector<std::string>{"small_weight.nii.gz"});
}

TEST(RunMpiBackend, EstimateOnlyWritesParametersOnly) {
  SerialReference& s = shared();
  ScratchDir out;
  JobSpec spec;
  spec.input = s.input;
  spec.parametersOutput = out.file("rp_only.txt");
  spec.estimateOnly = true;
  const JobResult r = runMpiBackend(spec, ranks(2));
  expectSameParameters(r.parameters, s.serialResult.parameters);
  EXPECT_EQ(out.entries(), std::vector<std::string>{"rp_only.txt"});
}

TEST(RunMpiBackend, AbortFromTheCallbackCancelsAndLeavesNoOutput) {
  ScratchDir dir;
  const std::string input = dir.file("long.nii.gz");
  writeVolumeSeries(input, parallelTestRun(40, {40, 40, 24}).run);
  int events = 0;
  std::chrono::steady_clock::time_point cancelTime;
  EXPECT_THROW(runMpiBackend(jobFor(dir, input, "cancelled"), ranks(2),
                             [&](const ProgressEvent&) {
                               ++events;
                               cancelTime = std::chrono::steady_clock::now();
                               return CallbackReturn::Abort;
                             }),
               Cancelled);
  EXPECT_EQ(events, 1);
  // Promptly: the ranks go on SIGTERM, well before the SIGKILL fallback (3 s).
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelTime).count(), 2.5);
  EXPECT_EQ(unexpectedFiles(dir, {"long.nii.gz"}), std::vector<std::string>{});
}

TEST(RunMpiBackend, CrashingRankThrowsWithTheStderrTail) {
  ScratchDir out;
  const ScopedEnv hook("MC_MPI_TEST_ABORT_RANK", "1");
  try {
    runMpiBackend(jobFor(out, shared().input, "crash"), ranks(2));
    FAIL() << "a crashed rank must fail the run";
  } catch (const Cancelled&) {
    FAIL() << "not a cancel";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("rank 1"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_TRUE(out.entries().empty());
}

TEST(RunMpiBackend, UnreadableInputNamesTheFile) {
  ScratchDir out;
  std::ofstream(out.file("broken_bold.nii.gz")) << "not a NIfTI";
  try {
    runMpiBackend(jobFor(out, out.file("broken_bold.nii.gz"), "bad"), ranks(2));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("broken_bold.nii.gz"), std::string::npos) << e.what();
  }
  EXPECT_EQ(out.entries(), std::vector<std::string>{"broken_bold.nii.gz"});
}

TEST(RunMpiBackend, BadOptionsFailBeforeLaunching) {
  ScratchDir out;
  JobSpec spec = jobFor(out, shared().input, "badopt");
  spec.estimation.fwhm = -1;
  EXPECT_THROW(runMpiBackend(spec, ranks(2)), std::invalid_argument);
}

TEST(MpiLaunch, FindsProgramsOrSaysWhatIsMissing) {
  EXPECT_NO_THROW(findMpirun());
  try {
    findMpirun("/no/such/mpirun");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/mpirun"), std::string::npos);
  }
  EXPECT_NO_THROW(findMpiWorker());  // MC_MPI_WORKER is set by the test registration
  try {
    findMpiWorker("/no/such/MotionCorrectionMPI");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/no/such/MotionCorrectionMPI"), std::string::npos);
  }
}
