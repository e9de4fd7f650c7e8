// Follow mode through the module logic, on a real vtkMRMLScene with a real Qt event loop: a real
// BOLD run replayed into a folder by a writer thread (one file per volume, renamed into place) while
// StartFollowing aligns the volumes; the motion table gets each volume's row as it arrives (checked
// at every FollowVolumeEvent), equal to the rp file the session appended; the summary getters; a
// cancel keeps the rows; bad options leave the scene unchanged.
#include <QCoreApplication>
#include <QEventLoop>

#include <cmath>
#include <fstream>
#include <sstream>

#include <vtkMRMLPlotChartNode.h>
#include <vtkMRMLTableNode.h>
#include <vtkTable.h>

#include "FollowReplay.h"
#include "MotionCorrectionFollowTask.h"
#include "LogicTestSupport.h"

using namespace mc;
using namespace mc::test;

namespace {

constexpr int kVolumes = 8;

std::vector<std::vector<double>> rpRows(const std::string& path) {
  std::vector<std::vector<double>> rows;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    std::istringstream s(line);
    std::vector<double> r;
    for (double v; s >> v;) r.push_back(v);
    if (!r.empty()) rows.push_back(r);
  }
  return rows;
}

void waitForEnd(SlicerWorld& w) {
  while (w.logic->IsFollowing()) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
}

}  // namespace

TEST(Follow, EachVolumeIsARowOfTheMotionTableAsItArrives) {
  ScratchDir dir;
  const std::string folder = dir.file("in");
  std::filesystem::create_directories(folder);
  SlicerWorld w;
  vtkMRMLScriptedModuleNode* node = w.logic->GetParameterNode();
  node->SetParameter("follow-params", dir.file("rp.txt"));
  node->SetParameter("tr", "2");
  node->SetParameter("timeout", "30");
  std::vector<int> rowsAtEvent;
  std::vector<int> rpRowsAtEvent;
  EventObserver onVolume(w.logic, vtkSlicerMotionCorrectionLogic::FollowVolumeEvent, [&] {
    rowsAtEvent.push_back(int(w.logic->GetMotionTableNode()->GetTable()->GetNumberOfRows()));
    rpRowsAtEvent.push_back(int(rpRows(dir.file("rp.txt")).size()));
  });
  int ended = 0;
  EventObserver onEnded(w.logic, vtkSlicerMotionCorrectionLogic::FollowEndedEvent, [&] { ++ended; });
  ASSERT_TRUE(w.logic->StartFollowing(folder.c_str())) << w.logic->GetLastError();
  EXPECT_TRUE(w.logic->IsFollowing());
  {
    FollowReplay replay(folder, realRun(kVolumes), ReplayPlan{20, {}, true, 0});
    waitForEnd(w);
  }
  EXPECT_EQ(ended, 1);
  EXPECT_STREQ(w.logic->GetFollowEndReason(), "end marker");
  EXPECT_STREQ(w.logic->GetLastError(), "");
  EXPECT_FALSE(w.logic->HasPendingResults());  // committed: the rows are the scan's
  // The table had one more row at every volume: it fills while the scan goes on.
  std::vector<int> expected;
  for (int j = 1; j <= kVolumes; ++j) expected.push_back(j);
  EXPECT_EQ(rowsAtEvent, expected);
  // The rp row is in the file before the volume reaches the table (the session may be a volume
  // ahead of the main thread by then).
  ASSERT_EQ(rpRowsAtEvent.size(), expected.size());
  for (std::size_t j = 0; j < expected.size(); ++j) EXPECT_GE(rpRowsAtEvent[j], expected[j]) << j;

  vtkMRMLTableNode* table = w.logic->GetMotionTableNode();
  const auto cells = tableCells(table);
  const auto rp = rpRows(dir.file("rp.txt"));
  ASSERT_EQ(int(table->GetTable()->GetNumberOfRows()), kVolumes);
  ASSERT_EQ(int(rp.size()), kVolumes);
  const double degrees = 180.0 / M_PI;
  int usable = 0;
  double maxFd = 0;
  for (int j = 0; j < kVolumes; ++j) {
    vtkTable* t = table->GetTable();
    EXPECT_EQ(t->GetValue(j, 0).ToInt(), j);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(t->GetValue(j, 1 + k).ToDouble(), rp[j][k], 1e-5) << j;
    for (int k = 3; k < 6; ++k) EXPECT_NEAR(t->GetValue(j, 1 + k).ToDouble(), rp[j][k] * degrees, 1e-4) << j;
    const double fd = t->GetValue(j, 7).ToDouble();
    EXPECT_TRUE(std::isfinite(fd)) << j;
    usable += fd < 0.5;
    maxFd = std::max(maxFd, fd);
  }
  EXPECT_EQ(w.logic->GetFollowedVolumes(), kVolumes);
  EXPECT_EQ(w.logic->GetFollowUsableVolumes(), usable);
  EXPECT_NEAR(w.logic->GetFollowUsableMinutes(), usable * 2.0 / 60, 1e-9);
  EXPECT_NEAR(w.logic->GetFollowMaxFD(), maxFd, 1e-6);
  EXPECT_GE(w.logic->GetFollowVolumesUnder(0.2), 1);
  EXPECT_LE(w.logic->GetFollowVolumesUnder(0.2), w.logic->GetFollowVolumesUnder(0.5));
  EXPECT_EQ(w.logic->GetFollowVolumesUnder(0.4), -1);
  // The charts plot that table.
  ASSERT_NE(w.logic->GetMotionChartNode(), nullptr);
  EXPECT_GT(w.logic->GetMotionChartNode()->GetNumberOfPlotSeriesNodes(), 0);
}

TEST(Follow, CancelKeepsTheRowsSoFarAndACorruptVolumeIsANotice) {
  ScratchDir dir;
  const std::string folder = dir.file("in");
  std::filesystem::create_directories(folder);
  SlicerWorld w;
  // A guard only: Cancel ends the run once the corrupt volume was reported. (That takes a volume
  // read after the corrupt one was found unreadable, which on a busy machine may be a few later.)
  w.logic->GetParameterNode()->SetParameter("timeout", "10");
  const std::string corrupt = replayVolumeName(2);
  EventObserver onVolume(w.logic, vtkSlicerMotionCorrectionLogic::FollowVolumeEvent, [&] {
    const bool reported = std::string(w.logic->GetFollowNotices()).find(corrupt) != std::string::npos;
    if (reported && w.logic->GetFollowedVolumes() >= 4) w.logic->Cancel();
  });
  ASSERT_TRUE(w.logic->StartFollowing(folder.c_str())) << w.logic->GetLastError();
  {
    FollowReplay replay(folder, realRun(10), ReplayPlan{20, {2}, false, 0});
    waitForEnd(w);
  }
  EXPECT_STREQ(w.logic->GetFollowEndReason(), "cancelled");
  EXPECT_FALSE(w.logic->HasPendingResults());
  const int rows = int(w.logic->GetMotionTableNode()->GetTable()->GetNumberOfRows());
  EXPECT_GE(rows, 4);
  EXPECT_EQ(rows, w.logic->GetFollowedVolumes());
  EXPECT_NE(std::string(w.logic->GetFollowNotices()).find(corrupt), std::string::npos) << w.logic->GetFollowNotices();
}

TEST(Follow, BadOptionsAreRefusedWithTheSceneUnchanged) {
  ScratchDir dir;
  SlicerWorld w;
  w.logic->GetParameterNode();
  const auto before = nodeIDs(w.scene);
  EXPECT_FALSE(w.logic->StartFollowing(dir.file("missing").c_str()));
  EXPECT_NE(std::string(w.logic->GetLastError()).find("missing: not a folder"), std::string::npos)
      << w.logic->GetLastError();
  w.logic->GetParameterNode()->SetParameter("fd-threshold", "small");
  EXPECT_FALSE(w.logic->StartFollowing(dir.file("").c_str()));
  EXPECT_STREQ(w.logic->GetLastError(), "--fd-threshold: expected a number, got 'small'");
  EXPECT_EQ(nodeIDs(w.scene), before);
  EXPECT_FALSE(w.logic->IsFollowing());
}

// A follow task started elsewhere (the panel's Live mode): the logic fills the table from it as
// from its own, and leaves the task to its owner.
TEST(Follow, ATaskStartedElsewhereFillsTheTableAndStaysItsOwners) {
  ScratchDir dir;
  const std::string folder = dir.file("in");
  std::filesystem::create_directories(folder);
  SlicerWorld w;
  FollowOptions options;
  options.folder = folder;
  options.frames = 5;
  options.timeoutSeconds = 30;
  MotionCorrectionFollowTask panelTask(options);
  w.logic->FollowLiveTask(&panelTask);
  EXPECT_TRUE(w.logic->IsFollowing());
  int ended = 0;
  EventObserver onEnded(w.logic, vtkSlicerMotionCorrectionLogic::FollowEndedEvent, [&] { ++ended; });
  panelTask.start();
  {
    FollowReplay replay(folder, realRun(5), ReplayPlan{20, {}, false, 0});
    waitForEnd(w);
  }
  QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);  // the task must survive this
  EXPECT_EQ(ended, 1);
  EXPECT_STREQ(w.logic->GetFollowEndReason(), "frame count");
  EXPECT_EQ(int(w.logic->GetMotionTableNode()->GetTable()->GetNumberOfRows()), 5);
  EXPECT_EQ(panelTask.result().volumes.size(), 5u);  // still alive: the logic did not delete it
}
