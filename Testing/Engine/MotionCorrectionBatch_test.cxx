#include "MotionCorrectionBatch.h"

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

void runBatch(MotionCorrectionBatch& batch, int timeoutMs = 120000) {
  QEventLoop loop;
  QObject::connect(&batch, &MotionCorrectionBatch::finished, &loop, &QEventLoop::quit);
  QObject::connect(&batch, &MotionCorrectionBatch::cancelled, &loop, &QEventLoop::quit);
  QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
  batch.start();
  loop.exec();
}

}  // namespace

TEST(MotionCorrectionBatch, CorrectsEveryBoldRunOfABidsFolder) {
  ScratchDir dir;
  const fs::path root = dir.file("bids"), out = dir.file("derivatives");
  fs::create_directories(root / "sub-01" / "func");
  fs::create_directories(root / "sub-02" / "func");
  fs::create_directories(root / "sub-01" / "anat");
  writeVolumeSeries((root / "sub-01" / "func" / "sub-01_task-rest_bold.nii.gz").string(), parallelTestRun(6).run);
  writeVolumeSeries((root / "sub-02" / "func" / "sub-02_task-rest_bold.nii.gz").string(),
                    parallelTestRun(7, {32, 32, 20}, 9).run);
  // Not a run: ignored by name. A broken run: reported, and the batch goes on.
  std::ofstream(root / "sub-01" / "anat" / "sub-01_T1w.nii.gz") << "not an image";
  std::ofstream(root / "sub-02" / "func" / "sub-02_task-broken_bold.nii.gz") << "not an image";

  EngineRequest templ;
  templ.backend = Backend::Threads;
  templ.poolThreads = 2;
  const QList<EngineRequest> runs =
      MotionCorrectionBatch::requestsForFolder(QString::fromStdString(root.string()),
                                               QString::fromStdString(out.string()), templ);
  ASSERT_EQ(runs.size(), 3);
  EXPECT_TRUE(QString::fromStdString(runs[0].spec.input).endsWith("sub-01_task-rest_bold.nii.gz"));

  MotionCorrectionBatch batch(runs);
  QSignalSpy runStarted(&batch, &MotionCorrectionBatch::runStarted);
  QSignalSpy runFinished(&batch, &MotionCorrectionBatch::runFinished);
  QSignalSpy runFailed(&batch, &MotionCorrectionBatch::runFailed);
  QSignalSpy runProgress(&batch, &MotionCorrectionBatch::runProgress);
  QSignalSpy overall(&batch, &MotionCorrectionBatch::progress);
  QSignalSpy frames(&batch, &MotionCorrectionBatch::frameEstimated);
  QSignalSpy finished(&batch, &MotionCorrectionBatch::finished);
  runBatch(batch);

  ASSERT_EQ(finished.count(), 1);
  EXPECT_EQ(finished.at(0).at(0).toInt(), 2);
  EXPECT_EQ(finished.at(0).at(1).toInt(), 1);
  EXPECT_EQ(runStarted.count(), 3);
  EXPECT_EQ(runFinished.count(), 2);
  ASSERT_EQ(runFailed.count(), 1);
  EXPECT_TRUE(runFailed.at(0).at(1).toString().contains("sub-02_task-broken_bold.nii.gz"))
      << runFailed.at(0).at(1).toString().toStdString();
  EXPECT_EQ(frames.count(), 2 * (6 + 7));  // two passes per frame of the two good runs

  double last = 0;
  for (const auto& a : overall) {
    EXPECT_GE(a.at(0).toDouble(), last);
    last = a.at(0).toDouble();
  }
  EXPECT_EQ(last, 1.0);
  // Per-run progress reaches 1 for each good run.
  std::map<int, double> runLast;
  for (const auto& a : runProgress) runLast[a.at(0).toInt()] = a.at(1).toDouble();
  EXPECT_EQ(runLast[0], 1.0);
  EXPECT_EQ(runLast[2], 1.0);

  for (const char* sub : {"sub-01", "sub-02"}) {
    const fs::path func = out / sub / "func";
    const std::string stem = std::string(sub) + "_task-rest";
    EXPECT_TRUE(fs::exists(func / (stem + "_desc-realigned_bold.nii.gz"))) << stem;
    EXPECT_TRUE(fs::exists(func / (stem + "_desc-mean_boldref.nii.gz"))) << stem;
    EXPECT_TRUE(fs::exists(func / ("rp_" + stem + "_bold.txt"))) << stem;
    EXPECT_TRUE(fs::exists(func / (stem + "_desc-confounds_timeseries.tsv"))) << stem;
  }
  EXPECT_EQ(parseRpFile((out / "sub-02" / "func" / "rp_sub-02_task-rest_bold.txt").string()).size(), 7u);
  // Nothing for the broken run.
  for (const auto& e : fs::directory_iterator(out / "sub-02" / "func"))
    EXPECT_EQ(e.path().filename().string().find("broken"), std::string::npos) << e.path();
}

TEST(MotionCorrectionBatch, CancelStopsTheBatch) {
  ScratchDir dir;
  QList<EngineRequest> runs;
  for (int i = 0; i < 3; ++i) {
    EngineRequest r;
    r.backend = Backend::Threads;
    r.poolThreads = 2;
    r.spec = jobFor(dir, dir.file("run" + std::to_string(i) + ".nii.gz"), "out" + std::to_string(i));
    writeVolumeSeries(r.spec.input, parallelTestRun(20, {40, 40, 24}).run);
    runs << r;
  }
  MotionCorrectionBatch batch(runs);
  QSignalSpy cancelled(&batch, &MotionCorrectionBatch::cancelled);
  QSignalSpy finished(&batch, &MotionCorrectionBatch::finished);
  QSignalSpy runStarted(&batch, &MotionCorrectionBatch::runStarted);
  QObject::connect(&batch, &MotionCorrectionBatch::frameEstimated, &batch, [&] { batch.cancel(); });
  runBatch(batch);
  EXPECT_EQ(cancelled.count(), 1);
  EXPECT_EQ(finished.count(), 0);
  EXPECT_EQ(runStarted.count(), 1);
  EXPECT_FALSE(batch.isRunning());
  EXPECT_TRUE(unexpectedFiles(dir, {"run0.nii.gz", "run1.nii.gz", "run2.nii.gz"}).empty());
}

TEST(MotionCorrectionBatch, MissingFolderIsAnError) {
  EXPECT_THROW(MotionCorrectionBatch::requestsForFolder("/no/such/folder", "/tmp", EngineRequest{}),
               std::runtime_error);
}
