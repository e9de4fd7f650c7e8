// GetActiveTask: the engine task of the logic's own run, what the module widget's panel follows to
// show a run started from Python. Non-null from StartRun until RunEndedEvent; its signals are the
// run's (frames, end); nullptr again when the run ended, was cancelled, or never started.
#include <QCoreApplication>
#include <QEventLoop>
#include <QObject>
#include <QPointer>

#include "LogicTestSupport.h"
#include "MotionCorrectionTask.h"

using namespace mc;
using namespace mc::test;

namespace {

struct Outcome {
  int ended = 0;
  bool taskAtEnd = true;  // GetActiveTask() != nullptr while RunEndedEvent was invoked
  std::set<int> framesSeen;
  int finishedSignals = 0;
  int cancelledSignals = 0;
};

// Starts a run, follows GetActiveTask() as a panel would, and waits for RunEndedEvent.
Outcome runFollowingTheActiveTask(SlicerWorld& w, vtkMRMLNode* input, bool cancelAtFirstFrame) {
  Outcome o;
  EventObserver onEnded(w.logic, vtkSlicerMotionCorrectionLogic::RunEndedEvent, [&] {
    ++o.ended;
    o.taskAtEnd = w.logic->GetActiveTask() != nullptr;
  });
  EXPECT_TRUE(w.logic->StartRun(input)) << w.logic->GetLastError();
  MotionCorrectionTask* task = w.logic->GetActiveTask();
  EXPECT_NE(task, nullptr);
  if (!task) return o;
  EXPECT_EQ(w.logic->GetActiveTask(), task);  // the same task until the end
  QPointer<MotionCorrectionTask> alive(task);
  QObject panel;
  QObject::connect(task, &MotionCorrectionTask::frameEstimated, &panel, [&](const FrameResult& r) {
    o.framesSeen.insert(r.frame);
    if (cancelAtFirstFrame) w.logic->Cancel();
  });
  QObject::connect(task, &MotionCorrectionTask::finished, &panel, [&] { ++o.finishedSignals; });
  QObject::connect(task, &MotionCorrectionTask::cancelled, &panel, [&] { ++o.cancelledSignals; });
  while (o.ended == 0) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
  // The task is deleted once control is back in the event loop after the end.
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
  EXPECT_TRUE(alive.isNull());
  return o;
}

}  // namespace

TEST(ActiveTask, FollowsTheOwnRunFromStartRunUntilRunEndedEvent) {
  ScratchDir data;
  const int frames = 5;
  const std::string path = data.file("bold.nii");
  writeVolumeSeries(path, phantomRun(frames, 5).run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  w.logic->GetParameterNode()->SetParameter("threads", "2");
  EXPECT_EQ(w.logic->GetActiveTask(), nullptr);

  // A run that does not start has no task.
  EXPECT_FALSE(w.logic->StartRun(nullptr));
  EXPECT_EQ(w.logic->GetActiveTask(), nullptr);

  const Outcome o = runFollowingTheActiveTask(w, input, /*cancelAtFirstFrame=*/false);
  EXPECT_EQ(o.ended, 1);
  EXPECT_FALSE(o.taskAtEnd);
  EXPECT_TRUE(w.logic->GetLastRunSucceeded()) << w.logic->GetLastError();
  EXPECT_EQ(o.finishedSignals, 1);
  EXPECT_EQ(o.framesSeen.size(), std::size_t(frames));  // the panel saw every frame of the run
  EXPECT_EQ(w.logic->GetActiveTask(), nullptr);
  EXPECT_EQ(w.logic->GetMotionTableNode()->GetNumberOfRows(), frames);
}

TEST(ActiveTask, NullAgainAfterACancelledRun) {
  ScratchDir data;
  SlicerWorld w;
  vtkMRMLSequenceNode* input = loadPhantomSequence(w, data, 12, 6);
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  w.logic->GetParameterNode()->SetParameter("threads", "1");

  const Outcome o = runFollowingTheActiveTask(w, input, /*cancelAtFirstFrame=*/true);
  EXPECT_EQ(o.ended, 1);
  EXPECT_FALSE(o.taskAtEnd);
  EXPECT_EQ(o.cancelledSignals, 1);
  EXPECT_EQ(o.finishedSignals, 0);
  EXPECT_STREQ(w.logic->GetLastError(), "cancelled");
  EXPECT_EQ(w.logic->GetActiveTask(), nullptr);
  EXPECT_FALSE(w.logic->IsRunning());
}
