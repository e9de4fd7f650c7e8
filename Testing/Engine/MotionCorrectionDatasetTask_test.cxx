// MotionCorrectionDatasetTask with a real event loop: a BIDS folder of three generated runs and a
// broken one corrected into derivatives (signals, outputs, the failed run's reason), resumed by a
// second task (every complete run skipped), cancelled after its first run (only the finished runs
// keep outputs), and failing on a folder
// that does not exist.
#include "MotionCorrectionDatasetTask.h"

#include <filesystem>
#include <fstream>

#include <QEventLoop>
#include <QSignalSpy>
#include <QTimer>

#include <gtest/gtest.h>

#include "ParallelTestSupport.h"

using namespace mc;
using namespace mc::test;
namespace fs = std::filesystem;

namespace {

void runTask(MotionCorrectionDatasetTask& task, int timeoutMs = 180000) {
  QEventLoop loop;
  QObject::connect(&task, &MotionCorrectionDatasetTask::finished, &loop, &QEventLoop::quit);
  QObject::connect(&task, &MotionCorrectionDatasetTask::cancelled, &loop, &QEventLoop::quit);
  QObject::connect(&task, &MotionCorrectionDatasetTask::failed, &loop, &QEventLoop::quit);
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  task.start();
  loop.exec();
}

// sub-01 runs 1 and 2, sub-02 run 1 (generated, 6 frames), sub-02 run 2 not an image.
struct Dataset {
  ScratchDir dir;
  fs::path root = dir.file("bids"), out = dir.file("derivatives");

  Dataset() {
    for (const char* sub : {"sub-01", "sub-02"}) fs::create_directories(root / sub / "func");
    int seed = 3;
    for (const char* name : {"sub-01/func/sub-01_task-rest_run-1_bold.nii.gz", "sub-01/func/sub-01_task-rest_run-2_bold.nii.gz",
                             "sub-02/func/sub-02_task-rest_run-1_bold.nii.gz"})
      writeVolumeSeries((root / name).string(), parallelTestRun(6, {32, 32, 20}, seed++).run);
    std::ofstream(root / "sub-02/func/sub-02_task-rest_run-2_bold.nii.gz") << "not an image";
  }

  DatasetOptions options() const {
    DatasetOptions o;
    o.bidsRoot = root.string();
    o.derivativesRoot = out.string();
    o.job.threads = 2;
    return o;
  }
};

}  // namespace

TEST(MotionCorrectionDatasetTask, CorrectsTheDatasetAndReportsEachRun) {
  Dataset data;
  MotionCorrectionDatasetTask task(data.options());
  QSignalSpy started(&task, &MotionCorrectionDatasetTask::started);
  QSignalSpy runFinished(&task, &MotionCorrectionDatasetTask::runFinished);
  QSignalSpy progress(&task, &MotionCorrectionDatasetTask::progress);
  QSignalSpy finished(&task, &MotionCorrectionDatasetTask::finished);
  QSignalSpy failed(&task, &MotionCorrectionDatasetTask::failed);
  runTask(task);

  ASSERT_EQ(failed.count(), 0) << failed.at(0).at(0).toString().toStdString();
  EXPECT_EQ(started.count(), 1);
  ASSERT_EQ(finished.count(), 1);
  EXPECT_FALSE(task.isRunning());
  ASSERT_EQ(runFinished.count(), 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(runFinished.at(i).at(0).toInt(), i);
  ASSERT_EQ(progress.count(), 4);
  const QList<QVariant> last = progress.last();
  EXPECT_EQ(last.at(0).toInt(), 4);  // every run ended
  EXPECT_EQ(last.at(1).toInt(), 4);
  EXPECT_EQ(last.at(2).toInt(), 1);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(progress.at(i).at(0).toInt(), i + 1);

  const DatasetResult& r = task.result();
  EXPECT_EQ(r.count(RunStatus::Done), 3);
  EXPECT_EQ(r.count(RunStatus::Failed), 1);
  ASSERT_EQ(task.finishedRuns().size(), 4u);
  for (const auto& run : task.finishedRuns()) {
    if (run.status == RunStatus::Failed) {
      EXPECT_EQ(run.run.relativePath, "sub-02/func/sub-02_task-rest_run-2_bold.nii.gz");
      EXPECT_NE(run.reason.find("sub-02_task-rest_run-2_bold.nii.gz"), std::string::npos) << run.reason;
    } else {
      EXPECT_EQ(run.motion.frames, 6) << run.run.relativePath;
    }
  }
  for (const char* stem : {"sub-01/func/sub-01_task-rest_run-1", "sub-01/func/sub-01_task-rest_run-2",
                           "sub-02/func/sub-02_task-rest_run-1"}) {
    EXPECT_TRUE(fs::exists(data.out / (std::string(stem) + "_desc-realigned_bold.nii.gz"))) << stem;
    EXPECT_TRUE(fs::exists(data.out / (std::string(stem) + "_desc-confounds_timeseries.json"))) << stem;
  }
  EXPECT_EQ(parseRpFile((data.out / "sub-02/func/rp_sub-02_task-rest_run-1_bold.txt").string()).size(), 6u);
  EXPECT_TRUE(fs::exists(r.summaryPath));
  // The report is the core's when it is built with one (DatasetReport.cxx); then it is there.
  if (!r.reportPath.empty()) EXPECT_TRUE(fs::exists(r.reportPath));

  // A second task on the same folders: every complete run skipped, the broken one failing again.
  MotionCorrectionDatasetTask again(data.options());
  QSignalSpy againFinished(&again, &MotionCorrectionDatasetTask::finished);
  runTask(again);
  ASSERT_EQ(againFinished.count(), 1);
  EXPECT_EQ(again.result().count(RunStatus::Skipped), 3);
  EXPECT_EQ(again.result().count(RunStatus::Failed), 1);
  EXPECT_EQ(again.result().count(RunStatus::Done), 0);
}

TEST(MotionCorrectionDatasetTask, CancelStopsAndKeepsOnlyTheFinishedRuns) {
  Dataset data;
  MotionCorrectionDatasetTask task(data.options());
  QSignalSpy runFinished(&task, &MotionCorrectionDatasetTask::runFinished);
  QSignalSpy cancelled(&task, &MotionCorrectionDatasetTask::cancelled);
  QSignalSpy finished(&task, &MotionCorrectionDatasetTask::finished);
  QObject::connect(&task, &MotionCorrectionDatasetTask::runFinished, &task, [&] { task.cancel(); });
  runTask(task);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_EQ(finished.count(), 0);
  EXPECT_TRUE(task.result().cancelled);
  EXPECT_LT(runFinished.count(), 4);
  EXPECT_FALSE(task.isRunning());
  // Exactly the corrected runs have outputs: the run in flight at the cancel left nothing.
  int corrected = 0, realigned = 0;
  for (const auto& run : task.finishedRuns()) corrected += run.status == RunStatus::Done;
  for (const auto& e : fs::recursive_directory_iterator(data.out))
    realigned += e.path().filename().string().find("_desc-realigned_bold.nii.gz") != std::string::npos;
  EXPECT_EQ(realigned, corrected);
  EXPECT_EQ(task.result().runs.size(), task.finishedRuns().size());
}

TEST(MotionCorrectionDatasetTask, AMissingFolderFailsWithOneLineNamingIt) {
  ScratchDir dir;
  DatasetOptions o;
  o.bidsRoot = dir.file("no-such-dataset");
  o.derivativesRoot = dir.file("derivatives");
  MotionCorrectionDatasetTask task(o);
  QSignalSpy failed(&task, &MotionCorrectionDatasetTask::failed);
  runTask(task);
  ASSERT_EQ(failed.count(), 1);
  const QString reason = failed.at(0).at(0).toString();
  EXPECT_TRUE(reason.contains("no-such-dataset")) << reason.toStdString();
  EXPECT_FALSE(reason.contains('\n'));
  EXPECT_FALSE(task.isRunning());
}
