// Follow mode's Qt face in a real event loop, on volumes of a real run written into a folder by a
// writer thread while the task follows it.
#include "MotionCorrectionFollowTask.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <QEventLoop>
#include <QThread>
#include <QTimer>

#include <gtest/gtest.h>

#include "FollowReplay.h"
#include "ParameterFiles.h"

using namespace mc;
using namespace mc::test;

namespace {

struct FollowLog {
  std::vector<std::string> order;  // signal names as they arrived
  std::vector<FollowVolume> volumes;
  QStringList notices;
  QString endReason, failure;
  bool allInReceiverThread = true;
  bool timedOut = false;
  int count(const std::string& name) const { return int(std::count(order.begin(), order.end(), name)); }
};

// Starts the task and runs the event loop until finished/failed/cancelled (or the guard timeout).
FollowLog runFollow(MotionCorrectionFollowTask& task, const std::function<void(const FollowLog&)>& onEvent = {}) {
  FollowLog log;
  QEventLoop loop;
  QThread* const receiver = QThread::currentThread();
  QObject context;
  auto record = [&](const char* name) {
    log.allInReceiverThread = log.allInReceiverThread && QThread::currentThread() == receiver;
    log.order.push_back(name);
    if (onEvent) onEvent(log);
  };
  QObject::connect(&task, &MotionCorrectionFollowTask::started, &context, [&] { record("started"); });
  QObject::connect(&task, &MotionCorrectionFollowTask::volumeAligned, &context, [&](const FollowVolume& v) {
    log.volumes.push_back(v);
    record("volume");
  });
  QObject::connect(&task, &MotionCorrectionFollowTask::notice, &context, [&](const QString& n) {
    log.notices << n;
    record("notice");
  });
  QObject::connect(&task, &MotionCorrectionFollowTask::finished, &context, [&](const QString& why) {
    log.endReason = why;
    record("finished");
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionFollowTask::failed, &context, [&](const QString& why) {
    log.failure = why;
    record("failed");
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionFollowTask::cancelled, &context, [&] {
    record("cancelled");
    loop.quit();
  });
  QTimer guard;
  guard.setSingleShot(true);
  QObject::connect(&guard, &QTimer::timeout, &loop, [&] {
    log.timedOut = true;
    loop.quit();
  });
  guard.start(120000);
  QTimer::singleShot(0, &task, [&task] { task.start(); });
  loop.exec();
  return log;
}

FollowOptions followOptions(const std::string& folder) {
  FollowOptions o;
  o.folder = folder;
  o.estimation.registerToMean = false;  // follow mode is a run's pass 1
  o.timeoutSeconds = 30;                // a guard: the tests end otherwise
  o.pollSeconds = 0.002;
  return o;
}

}  // namespace

TEST(MotionCorrectionFollowTask, ReplayOfARealRunArrivesInOrderWithTheCoresParameters) {
  const int frames = 12;
  const VolumeSeries& run = realRun(frames);
  ScratchDir dir, out;
  FollowOptions o = followOptions(dir.file(""));
  o.frames = frames;
  o.repetitionTime = 2.0;
  o.params = out.file("rp.txt");
  MotionCorrectionFollowTask task(o);
  std::vector<std::size_t> rpRowsSeen;
  FollowLog log;
  {
    FollowReplay replay(dir.file(""), run, ReplayPlan{});
    log = runFollow(task, [&](const FollowLog& l) {
      if (l.order.back() == "volume") rpRowsSeen.push_back(parseRpFile(o.params).size());
    });
  }
  ASSERT_FALSE(log.timedOut);
  EXPECT_TRUE(log.allInReceiverThread);
  EXPECT_FALSE(task.isRunning());
  ASSERT_EQ(log.count("finished"), 1) << log.failure.toStdString();
  EXPECT_EQ(log.endReason, QStringLiteral("frame count"));
  // started, one signal per volume in arrival order, finished last.
  std::vector<std::string> expected{"started"};
  expected.insert(expected.end(), frames, "volume");
  expected.push_back("finished");
  EXPECT_EQ(log.order, expected);
  ASSERT_EQ(log.volumes.size(), std::size_t(frames));
  for (int j = 0; j < frames; ++j) {
    EXPECT_EQ(log.volumes[j].frame, j);
    EXPECT_EQ(std::filesystem::path(log.volumes[j].path).filename(), replayVolumeName(j));
    EXPECT_EQ(log.volumes[j].summary.volumes, j + 1);
    EXPECT_GE(rpRowsSeen[j], std::size_t(j + 1));  // the row was flushed before the signal
  }
  // The core's session on the same files gives the same numbers, bit for bit.
  FollowOptions direct = followOptions(dir.file(""));
  direct.frames = frames;
  direct.repetitionTime = 2.0;
  const FollowResult core = followFolder(direct);
  ASSERT_EQ(core.volumes.size(), std::size_t(frames));
  ASSERT_EQ(task.result().volumes.size(), std::size_t(frames));
  EXPECT_EQ(task.result().end, FollowEnd::FrameCount);
  for (int j = 0; j < frames; ++j) {
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(log.volumes[j].motion.parameters[i], core.volumes[j].motion.parameters[i]) << j << " " << i;
      EXPECT_EQ(task.result().volumes[j].motion.parameters[i], core.volumes[j].motion.parameters[i]);
    }
    EXPECT_EQ(log.volumes[j].fd, core.volumes[j].fd) << j;
  }
  const FollowSummary& got = log.volumes.back().summary;
  const FollowSummary& want = core.volumes.back().summary;
  EXPECT_EQ(got.under, want.under);
  EXPECT_EQ(got.usable, want.usable);
  EXPECT_DOUBLE_EQ(got.usableMinutes, want.usableMinutes);
  EXPECT_DOUBLE_EQ(got.maxFd, want.maxFd);
  EXPECT_EQ(parseRpFile(o.params).size(), std::size_t(frames));
}

TEST(MotionCorrectionFollowTask, CancelWhileWaitingEmitsCancelled) {
  ScratchDir dir;
  MotionCorrectionFollowTask task(followOptions(dir.file("")));
  bool cancelAsked = false;
  const FollowLog log = runFollow(task, [&](const FollowLog& l) {
    if (l.order.back() != "started" || cancelAsked) return;
    cancelAsked = true;  // the folder stays empty: the session is waiting
    QTimer::singleShot(50, &task, &MotionCorrectionFollowTask::cancel);
  });
  ASSERT_FALSE(log.timedOut);
  EXPECT_EQ(log.order, (std::vector<std::string>{"started", "cancelled"}));
  EXPECT_FALSE(task.isRunning());
  EXPECT_EQ(task.result().end, FollowEnd::Cancelled);
  EXPECT_TRUE(task.result().volumes.empty());
}

TEST(MotionCorrectionFollowTask, CancelDuringAReplayStopsItAndKeepsTheVolumesSoFar) {
  const VolumeSeries& run = realRun(12);
  ScratchDir dir;
  MotionCorrectionFollowTask task(followOptions(dir.file("")));
  FollowLog log;
  {
    FollowReplay replay(dir.file(""), run, ReplayPlan{});
    log = runFollow(task, [&](const FollowLog& l) {
      if (l.order.back() == "volume" && l.volumes.size() == 3) task.cancel();
    });
  }
  ASSERT_FALSE(log.timedOut);
  EXPECT_EQ(log.order.back(), "cancelled");
  EXPECT_EQ(log.count("finished"), 0);
  EXPECT_GE(log.volumes.size(), 3u);
  EXPECT_LT(log.volumes.size(), 12u);
  EXPECT_EQ(task.result().volumes.size(), log.volumes.size());  // every aligned volume was delivered
}

TEST(MotionCorrectionFollowTask, ACorruptVolumeGivesANoticeAndTheRunGoesOn) {
  const VolumeSeries& run = realRun(6);
  ScratchDir dir;
  MotionCorrectionFollowTask task(followOptions(dir.file("")));
  ReplayPlan plan;
  plan.corrupt = {3};
  plan.endMarker = true;
  FollowLog log;
  {
    FollowReplay replay(dir.file(""), run, plan);
    log = runFollow(task);
  }
  ASSERT_FALSE(log.timedOut);
  ASSERT_EQ(log.count("finished"), 1) << log.failure.toStdString();
  EXPECT_EQ(log.endReason, QStringLiteral("end marker"));
  ASSERT_EQ(log.volumes.size(), 5u);
  const char* names[] = {"vol0000.nii", "vol0001.nii", "vol0002.nii", "vol0004.nii", "vol0005.nii"};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(std::filesystem::path(log.volumes[i].path).filename(), names[i]);
  bool reported = false;
  for (const QString& n : log.notices)
    reported = reported || (n.contains(QLatin1String("vol0003.nii")) && n.contains(QLatin1String("skipped")));
  EXPECT_TRUE(reported) << log.notices.join(QLatin1Char('|')).toStdString();
  EXPECT_EQ(task.result().skipped, 1);
}

TEST(MotionCorrectionFollowTask, BadOptionsFailWithOneLineNamingTheProblem) {
  ScratchDir dir;
  MotionCorrectionFollowTask task(followOptions(dir.file("missing")));
  const FollowLog log = runFollow(task);
  EXPECT_EQ(log.order, (std::vector<std::string>{"started", "failed"}));
  EXPECT_TRUE(log.failure.contains(QLatin1String("missing: not a folder"))) << log.failure.toStdString();
  EXPECT_TRUE(task.result().volumes.empty());
  EXPECT_FALSE(task.isRunning());
}

TEST(MotionCorrectionFollowTask, DestroyedWhileWaitingStopsTheSessionAndReturns) {
  ScratchDir dir;
  FollowOptions o = followOptions(dir.file(""));
  o.timeoutSeconds = 0;  // the session would wait for ever
  auto task = std::make_unique<MotionCorrectionFollowTask>(o);
  task->start();
  EXPECT_TRUE(task->isRunning());
  QThread::msleep(30);
  task.reset();  // cancels and waits for the session's thread
  SUCCEED();
}
