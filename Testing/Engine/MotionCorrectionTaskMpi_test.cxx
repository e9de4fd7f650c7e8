// The Qt engine's MPI backend: QProcess running the real mpirun and MotionCorrectionMPI.
#include <chrono>
#include <cstdlib>

#include <QSignalSpy>

#include <gtest/gtest.h>

#include "EngineTestSupport.h"
#include "FrameExecutor.h"
#include "MotionCorrectionTask.h"
#include "ParallelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

EngineRequest mpiRequest(const JobSpec& spec, int ranks) {
  EngineRequest r;
  r.spec = spec;
  r.backend = Backend::Mpi;
  r.mpi.ranks = ranks;
  r.mpi.threadsPerRank = 1;
  return r;
}

// Sets an environment variable for the children started while it lives.
struct ScopedEnv {
  std::string name;
  ScopedEnv(const char* n, const char* v) : name(n) { ::setenv(n, v, 1); }
  ~ScopedEnv() { ::unsetenv(name.c_str()); }
};

}  // namespace

TEST(MotionCorrectionTaskMpi, BackendIsAvailable) {
  EXPECT_EQ(MotionCorrectionTask::backendUnavailableReason(Backend::Mpi).toStdString(), "");
}

TEST(MotionCorrectionTaskMpi, OneTwoAndThreeRanksMatchTheSerialEngine) {
  SerialReference& s = shared();
  for (int ranks : {1, 2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    ScratchDir out;
    const JobSpec spec = jobFor(out, s.input, "mpi" + std::to_string(ranks));
    MotionCorrectionTask task(mpiRequest(spec, ranks));
    const TaskLog log = runAndCompareWithSerial(task, spec, std::to_string(ranks) + " ranks");
    ASSERT_EQ(log.count("finished"), 1);
    EXPECT_GT(log.timings.value("estimate").toDouble(), 0.0);
  }
}

TEST(MotionCorrectionTaskMpi, LiveResultsArriveBeforeFinishedAndProgressEndsAtOne) {
  ScratchDir out;
  MotionCorrectionTask task(mpiRequest(jobFor(out, shared().input, "order"), 3));
  QSignalSpy frames(&task, &MotionCorrectionTask::frameEstimated);
  QSignalSpy progress(&task, &MotionCorrectionTask::progress);
  const TaskLog log = runTask(task);
  ASSERT_EQ(log.count("finished"), 1) << log.reason.toStdString();
  EXPECT_TRUE(log.allInReceiverThread);
  EXPECT_EQ(log.order.front(), "started");
  EXPECT_EQ(log.order.back(), "finished");
  EXPECT_EQ(frames.count(), 2 * kFrames);  // pass 1 and pass 2, from all ranks
  double last = -1;
  for (const auto& a : progress) {
    EXPECT_GE(a.at(0).toDouble(), last);
    last = a.at(0).toDouble();
  }
  EXPECT_EQ(last, 1.0);
  const auto final = toRigid(task.parameters());
  for (const auto& f : log.frames)
    if (f.stage == "pass 2")
      for (int i = 0; i < 6; ++i) EXPECT_NEAR(f.parameters[i], final[std::size_t(f.frame)][i], 1e-9);
}

TEST(MotionCorrectionTaskMpi, CancelTerminatesTheJobAndLeavesNoOutput) {
  ScratchDir dir;
  const std::string input = dir.file("long.nii.gz");
  writeVolumeSeries(input, parallelTestRun(40, {40, 40, 24}).run);
  MotionCorrectionTask task(mpiRequest(jobFor(dir, input, "cancelled"), 2));
  QSignalSpy cancelled(&task, &MotionCorrectionTask::cancelled);
  bool asked = false;
  std::chrono::steady_clock::time_point cancelTime;
  const TaskLog log = runTask(task, 60000, [&](const FrameResult&) {
    if (!asked) {
      asked = true;
      cancelTime = std::chrono::steady_clock::now();
      task.cancel();
    }
  });
  EXPECT_FALSE(log.timedOut);
  // Promptly: the ranks go on SIGTERM, well before the SIGKILL fallback (3 s).
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - cancelTime).count(), 2.5);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_EQ(log.count("finished"), 0);
  EXPECT_EQ(log.order.back(), "cancelled");
  EXPECT_LT(log.frames.size(), std::size_t(40));
  EXPECT_FALSE(task.isRunning());
  EXPECT_EQ(unexpectedFiles(dir, {"long.nii.gz"}), std::vector<std::string>{});
}

TEST(MotionCorrectionTaskMpi, CrashingRankFailsWithAClearMessage) {
  ScratchDir out;
  const ScopedEnv hook("MC_MPI_TEST_ABORT_RANK", "1");
  MotionCorrectionTask task(mpiRequest(jobFor(out, shared().input, "crash"), 2));
  const TaskLog log = runTask(task, 60000);
  EXPECT_FALSE(log.timedOut);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_TRUE(log.reason.contains("rank 1")) << log.reason.toStdString();
  EXPECT_FALSE(log.reason.contains('\n'));
  EXPECT_TRUE(out.entries().empty());
}

TEST(MotionCorrectionTaskMpi, UnreadableInputFailsNamingTheFile) {
  ScratchDir out;
  MotionCorrectionTask task(mpiRequest(jobFor(out, out.file("missing_run.nii.gz"), "bad"), 2));
  const TaskLog log = runTask(task, 60000);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_TRUE(log.reason.contains("missing_run.nii.gz")) << log.reason.toStdString();
  EXPECT_TRUE(out.entries().empty());
}

TEST(MotionCorrectionTaskMpi, MissingWorkerIsReported) {
  ScratchDir out;
  EngineRequest r = mpiRequest(jobFor(out, shared().input, "noworker"), 2);
  r.mpi.worker = out.file("NoSuchWorker");
  MotionCorrectionTask task(r);
  const TaskLog log = runTask(task, 60000);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_TRUE(log.reason.contains("NoSuchWorker")) << log.reason.toStdString();
}

TEST(MotionCorrectionTaskMpi, CommandHasRanksThreadsAndExtraArguments) {
  EngineRequest r = mpiRequest(JobSpec{}, 3);
  r.mpi.threadsPerRank = 2;
  r.mpi.extraArguments = {"--bind-to", "core"};
  MotionCorrectionTask task(r);
  const QStringList cmd = task.mpiCommand("/tmp/job.txt");
  EXPECT_TRUE(cmd.first().endsWith("mpirun"));
  EXPECT_EQ(cmd.at(cmd.indexOf("-n") + 1), "3");
  EXPECT_TRUE(cmd.contains("OMP_NUM_THREADS=2"));
  EXPECT_TRUE(cmd.contains("--bind-to"));
  EXPECT_TRUE(cmd.at(cmd.size() - 4).endsWith("MotionCorrectionMPI"));
  EXPECT_EQ(cmd.mid(cmd.size() - 3), (QStringList{"--job", "/tmp/job.txt", "--progress-json"}));
}
