#include "MotionCorrectionTask.h"

#include <filesystem>
#include <memory>

#include <QSignalSpy>
#include <QTimer>

#include <gtest/gtest.h>

#include "EngineTestSupport.h"
#include "FrameExecutor.h"
#include "ParallelTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

EngineRequest requestFor(const JobSpec& spec, Backend backend, int poolThreads = 0) {
  EngineRequest r;
  r.spec = spec;
  r.backend = backend;
  r.poolThreads = poolThreads;
  return r;
}

}  // namespace

TEST(MotionCorrectionTask, ReferenceRunIsAccurate) {
  // The comparisons below are against this run: it must itself find the generator's motion.
  EXPECT_LT(largestParameterError(shared().serialResult.parameters, shared().run.truth), 0.25);
}

TEST(MotionCorrectionTask, SerialAndThreadPoolsGiveIdenticalResults) {
  SerialReference& s = shared();
  struct Case {
    Backend backend;
    int pool;
    const char* tag;
  };
  for (const Case& c : {Case{Backend::Serial, 0, "serial"}, Case{Backend::Threads, 1, "threads1"},
                        Case{Backend::Threads, 2, "threads2"}, Case{Backend::Threads, 4, "threads4"}}) {
    SCOPED_TRACE(c.tag);
    ScratchDir out;
    const JobSpec spec = jobFor(out, s.input, c.tag);
    MotionCorrectionTask task(requestFor(spec, c.backend, c.pool));
    const TaskLog log = runAndCompareWithSerial(task, spec, c.tag);
    ASSERT_EQ(log.count("finished"), 1);
    ASSERT_EQ(task.framewiseDisplacement().size(), kFrames);
    for (int j = 0; j < kFrames; ++j)
      EXPECT_NEAR(task.framewiseDisplacement()[j], s.serialResult.framewiseDisplacement[std::size_t(j)], 1e-6);
  }
}

TEST(MotionCorrectionTask, SignalsArriveInOrderInTheReceiversThread) {
  SerialReference& s = shared();
  ScratchDir out;
  MotionCorrectionTask task(requestFor(jobFor(out, s.input, "order"), Backend::Threads, 2));
  QSignalSpy started(&task, &MotionCorrectionTask::started);
  QSignalSpy frames(&task, &MotionCorrectionTask::frameEstimated);
  QSignalSpy progress(&task, &MotionCorrectionTask::progress);
  QSignalSpy finished(&task, &MotionCorrectionTask::finished);
  const TaskLog log = runTask(task);
  ASSERT_EQ(finished.count(), 1) << log.reason.toStdString();
  EXPECT_EQ(started.count(), 1);
  EXPECT_TRUE(log.allInReceiverThread);
  EXPECT_FALSE(task.isRunning());

  // started first, finished last, every frame result before finished.
  ASSERT_FALSE(log.order.empty());
  EXPECT_EQ(log.order.front(), "started");
  EXPECT_EQ(log.order.back(), "finished");
  // Each frame once per estimation pass (register to mean: pass 1 and pass 2).
  EXPECT_EQ(frames.count(), 2 * kFrames);
  std::vector<int> seen1(kFrames, 0), seen2(kFrames, 0);
  for (const auto& args : frames) {
    const auto f = args.at(0).value<FrameResult>();
    ASSERT_GE(f.frame, 0);
    ASSERT_LT(f.frame, kFrames);
    (f.stage == "pass 1" ? seen1 : seen2)[std::size_t(f.frame)]++;
  }
  for (int j = 0; j < kFrames; ++j) {
    EXPECT_EQ(seen1[std::size_t(j)], 1);
    EXPECT_EQ(seen2[std::size_t(j)], 1);
  }
  // What a live plot showed in pass 2 is already the final answer (relative to the reference frame).
  const auto final = toRigid(task.parameters());
  for (const auto& f : log.frames)
    if (f.stage == "pass 2")
      for (int i = 0; i < 6; ++i) EXPECT_NEAR(f.parameters[i], final[std::size_t(f.frame)][i], 1e-9);

  // Progress: monotonic, stages in order, ends at exactly 1.
  ASSERT_GE(progress.count(), 4 * kFrames);
  double last = -1;
  const QStringList stageOrder{"pass 1", "mean", "pass 2", "reslice"};
  int lastStage = 0;
  for (const auto& args : progress) {
    const double f = args.at(0).toDouble();
    EXPECT_GE(f, last);
    EXPECT_LE(f, 1.0);
    last = f;
    const int st = int(stageOrder.indexOf(args.at(1).toString()));
    EXPECT_GE(st, lastStage) << args.at(1).toString().toStdString();
    lastStage = std::max(lastStage, st);
  }
  EXPECT_EQ(last, 1.0);

  for (const QString& key : {"read", "estimate", "reslice", "write", "total"})
    EXPECT_TRUE(log.timings.contains(key)) << key.toStdString();
  EXPECT_GT(log.timings.value("estimate").toDouble(), 0.0);
  for (const QString& p : log.written) EXPECT_TRUE(std::filesystem::exists(p.toStdString())) << p.toStdString();
}

TEST(MotionCorrectionTask, CancelStopsPromptlyAndLeavesNoOutput) {
  // A longer run, so that the cancel lands mid-run.
  ScratchDir dir;
  const std::string input = dir.file("long.nii.gz");
  writeVolumeSeries(input, parallelTestRun(40, {40, 40, 24}).run);
  for (Backend backend : {Backend::Threads, Backend::Serial}) {
    SCOPED_TRACE(backend == Backend::Threads ? "threads" : "serial");
    MotionCorrectionTask task(requestFor(jobFor(dir, input, "cancelled"), backend, 2));
    QSignalSpy cancelled(&task, &MotionCorrectionTask::cancelled);
    int framesAtCancel = -1;
    const TaskLog log = runTask(task, 60000, [&](const FrameResult&) {
      if (framesAtCancel < 0) {
        framesAtCancel = 1;
        task.cancel();
      }
    });
    EXPECT_FALSE(log.timedOut);
    EXPECT_EQ(cancelled.count(), 1);
    EXPECT_EQ(log.count("finished"), 0);
    EXPECT_EQ(log.count("failed"), 0);
    EXPECT_EQ(log.order.back(), "cancelled");
    // It stopped within a frame or two of work per worker: pass 1 was never completed.
    EXPECT_LT(log.frames.size(), 10u);
    EXPECT_LT(log.fractions.empty() ? 0.0 : log.fractions.back(), 0.3);
    EXPECT_FALSE(task.isRunning());
    EXPECT_EQ(unexpectedFiles(dir, {"long.nii.gz"}), std::vector<std::string>{});
  }
}

TEST(MotionCorrectionTask, FailsWithOneLineNamingTheInput) {
  ScratchDir dir;
  const std::string missing = dir.file("no_such_run.nii.gz");
  MotionCorrectionTask task(requestFor(jobFor(dir, missing, "bad"), Backend::Threads, 2));
  const TaskLog log = runTask(task);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_EQ(log.order.front(), "started");
  EXPECT_TRUE(log.reason.contains("no_such_run.nii.gz")) << log.reason.toStdString();
  EXPECT_FALSE(log.reason.contains('\n'));
  EXPECT_FALSE(task.isRunning());
  EXPECT_TRUE(dir.entries().empty());
}

TEST(MotionCorrectionTask, RejectsBadOptionsBeforeWorking) {
  ScratchDir dir;
  JobSpec spec = jobFor(dir, shared().input, "badopt");
  spec.estimation.quality = 2.0;
  MotionCorrectionTask task(requestFor(spec, Backend::Threads, 2));
  const TaskLog log = runTask(task);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_TRUE(log.reason.contains("quality")) << log.reason.toStdString();
  EXPECT_EQ(log.count("frame"), 0);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(MotionCorrectionTask, DestroyingARunningTaskCancelsAndWaits) {
  ScratchDir dir;
  const std::string input = dir.file("long.nii.gz");
  writeVolumeSeries(input, parallelTestRun(30, {40, 40, 24}).run);
  auto task = std::make_unique<MotionCorrectionTask>(requestFor(jobFor(dir, input, "destroyed"), Backend::Threads, 2));
  QSignalSpy frames(task.get(), &MotionCorrectionTask::frameEstimated);
  task->start();
  ASSERT_TRUE(frames.wait(30000));
  EXPECT_TRUE(task->isRunning());
  task.reset();  // must not hang, crash, or leave files
  EXPECT_EQ(unexpectedFiles(dir, {"long.nii.gz"}), std::vector<std::string>{});
}

TEST(MotionCorrectionTask, TaskCanRunAgainAfterFinishing) {
  ScratchDir out;
  MotionCorrectionTask task(requestFor(jobFor(out, shared().input, "again"), Backend::Threads, 2));
  ASSERT_EQ(runTask(task).count("finished"), 1);
  const TaskLog second = runTask(task);
  ASSERT_EQ(second.count("finished"), 1);
  EXPECT_EQ(second.fractions.back(), 1.0);
}

TEST(MotionCorrectionTask, InProcessBackendsAreAlwaysAvailable) {
  EXPECT_TRUE(MotionCorrectionTask::backendUnavailableReason(Backend::Serial).isEmpty());
  EXPECT_TRUE(MotionCorrectionTask::backendUnavailableReason(Backend::Threads).isEmpty());
}

#ifdef MC_TEST_WITHOUT_MPI
// Configured without Open MPI: the backend says so, at once and at run time.
TEST(MotionCorrectionTask, MpiBackendReportsNotBuilt) {
  EXPECT_EQ(MotionCorrectionTask::backendUnavailableReason(Backend::Mpi).left(22).toStdString(), "MPI backend not built:");
  ScratchDir out;
  MotionCorrectionTask task(requestFor(jobFor(out, shared().input, "nompi"), Backend::Mpi));
  const TaskLog log = runTask(task, 10000);
  ASSERT_EQ(log.count("failed"), 1);
  EXPECT_EQ(log.reason, MotionCorrectionTask::backendUnavailableReason(Backend::Mpi));
  EXPECT_TRUE(out.entries().empty());
}
#endif
