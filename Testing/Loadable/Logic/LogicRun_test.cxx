// Run() on a real scene with the real engine (QThreadPool and mpirun): the motion table filled live
// and close to the known motion, the transform and realigned sequences in one browser, cancel that
// leaves the scene as it was, and the steps the module widget drives (BeginResults, FollowTask,
// ImportResults, DiscardResults) around a task of its own.
#include <memory>
#include <set>

#include <QEventLoop>
#include <QTimer>

#include <vtkMRMLLinearTransformNode.h>
#include <vtkMRMLPlotChartNode.h>
#include <vtkMRMLPlotSeriesNode.h>
#include <vtkMRMLSequenceBrowserNode.h>

#include "LogicTestSupport.h"
#include "MotionCorrectionTask.h"
#include "MotionMetrics.h"

using namespace mc;
using namespace mc::test;

namespace {

constexpr double kDeg = 180.0 / M_PI;

// Runs an engine task in a real event loop until it ends; returns "finished", "failed: ..." or
// "cancelled" ("timeout" after two minutes).
std::string runToEnd(MotionCorrectionTask& task) {
  std::string outcome = "timeout";
  QEventLoop loop;
  QObject context;
  QObject::connect(&task, &MotionCorrectionTask::finished, &context, [&] {
    outcome = "finished";
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionTask::failed, &context, [&](const QString& why) {
    outcome = "failed: " + why.toStdString();
    loop.quit();
  });
  QObject::connect(&task, &MotionCorrectionTask::cancelled, &context, [&] {
    outcome = "cancelled";
    loop.quit();
  });
  QTimer::singleShot(120000, &loop, &QEventLoop::quit);
  QTimer::singleShot(0, &task, &MotionCorrectionTask::start);
  loop.exec();
  return outcome;
}

// Calls logic->Cancel() when the run's table reaches `rows` rows, from the table's Modified event
// (as a widget reacting to the table would), so the cancel lands mid-run however loaded the
// machine is. The table may not exist yet: it is followed from the scene's NodeAddedEvent. Also
// adds a node of the user's at that moment, which the cancel must leave alone.
struct CancelWhenRows {
  int rowsAtCancel = -1;
  std::string userNodeID;
  std::vector<std::unique_ptr<EventObserver>> onTables;
  std::unique_ptr<EventObserver> onScene;
  CancelWhenRows(vtkSlicerMotionCorrectionLogic* logic, vtkMRMLScene* scene, int rows) {
    auto follow = [this, logic, scene, rows](vtkMRMLTableNode* table) {
      onTables.emplace_back(new EventObserver(table, vtkCommand::ModifiedEvent, [=] {
        if (rowsAtCancel >= 0 || !logic->IsRunning() || table->GetNumberOfRows() < rows) return;
        rowsAtCancel = int(table->GetNumberOfRows());
        userNodeID = scene->AddNewNodeByClass("vtkMRMLTableNode", "user's notes")->GetID();
        logic->Cancel();
      }));
    };
    std::vector<vtkMRMLNode*> tables;
    scene->GetNodesByClass("vtkMRMLTableNode", tables);
    for (vtkMRMLNode* t : tables) follow(vtkMRMLTableNode::SafeDownCast(t));
    onScene.reset(new EventObserver(scene, vtkMRMLScene::NodeAddedEvent, [=](void* added) {
      if (auto* table = vtkMRMLTableNode::SafeDownCast(static_cast<vtkObject*>(added))) follow(table);
    }));
  }
};

std::vector<std::vector<double>> matrices(vtkMRMLSequenceNode* transforms) {
  std::vector<std::vector<double>> all;
  for (int j = 0; j < transforms->GetNumberOfDataNodes(); ++j) {
    auto* t = vtkMRMLLinearTransformNode::SafeDownCast(transforms->GetNthDataNode(j));
    vtkNew<vtkMatrix4x4> m;
    t->GetMatrixTransformToParent(m);
    all.emplace_back(m->GetData(), m->GetData() + 16);
  }
  return all;
}

double meanAbsoluteDifference(const float* a, const float* b, std::size_t n) {
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += std::fabs(double(a[i]) - double(b[i]));
  return sum / double(n);
}

}  // namespace

class RunOnBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(RunOnBackend, FillsTableLiveCloseToTruthWithOutputsInOneBrowser) {
  const std::string backend = GetParam();
  ScratchDir dir;
  const int frames = 16;
  const SyntheticRun generated = phantomRun(frames, 3);
  const std::string path = dir.file("moved.nii.gz");
  writeVolumeSeries(path, generated.run);

  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  vtkMRMLScriptedModuleNode* parameters = w.logic->GetParameterNode();
  parameters->SetParameter("backend", backend);
  parameters->SetParameter("mpi-ranks", "2");
#ifdef MC_TEST_WITHOUT_MPI
  if (backend == "mpi") {
    const std::vector<std::string> before = nodeIDs(w.scene);
    EXPECT_FALSE(w.logic->Run(input));
    EXPECT_STREQ(w.logic->GetLastError(), "MPI backend not built");
    EXPECT_EQ(nodeIDs(w.scene), before);
    return;
  }
#endif
  // The chart the layout shows, and its table, as the widget gets them before a run.
  vtkMRMLPlotChartNode* chart = w.logic->GetMotionChartNode();
  vtkMRMLTableNode* table = w.logic->GetMotionTableNode();
  ASSERT_NE(chart, nullptr);
  ASSERT_EQ(chart->GetNumberOfPlotSeriesNodes(), 6);
  EXPECT_EQ(vtkMRMLPlotSeriesNode::SafeDownCast(chart->GetNthPlotSeriesNode(0))->GetTableNode(), table);

  // What the table and the chart show while the engine still runs.
  std::vector<int> rowsWhileRunning;
  int tableEventsWhileRunning = 0, chartEventsWhileRunning = 0;
  EventObserver onTable(table, vtkCommand::ModifiedEvent, [&] {
    if (w.logic->IsRunning()) {
      ++tableEventsWhileRunning;
      rowsWhileRunning.push_back(int(table->GetNumberOfRows()));
    }
  });
  EventObserver onChart(chart, vtkMRMLPlotChartNode::PlotModifiedEvent, [&] {
    if (w.logic->IsRunning()) ++chartEventsWhileRunning;
  });

  ASSERT_TRUE(w.logic->Run(input)) << w.logic->GetLastError();
  EXPECT_STREQ(w.logic->GetLastError(), "");
  EXPECT_FALSE(w.logic->IsRunning());
  EXPECT_FALSE(w.logic->HasPendingResults());

  // Live: the rows grew frame by frame before the task finished (not one update at the end).
  const std::set<int> distinctRows(rowsWhileRunning.begin(), rowsWhileRunning.end());
  EXPECT_GE(tableEventsWhileRunning, frames);  // one per frame and pass at least
  EXPECT_GE(distinctRows.size(), 5u);
  ASSERT_FALSE(rowsWhileRunning.empty());
  EXPECT_LT(*std::min_element(rowsWhileRunning.begin(), rowsWhileRunning.end()), frames / 2);
  EXPECT_GE(chartEventsWhileRunning, frames);

  // The same nodes, filled: one row per frame, motion within 0.1 mm / 0.1 degree of the truth.
  EXPECT_EQ(w.logic->GetMotionTableNode(), table);
  ASSERT_EQ(table->GetNumberOfRows(), frames);
  const std::vector<double> trueFd = framewiseDisplacement(generated.truth);
  double worstMm = 0, worstDeg = 0;
  for (int j = 0; j < frames; ++j) {
    vtkTable* t = table->GetTable();
    EXPECT_EQ(t->GetValue(j, 0).ToInt(), j);
    for (int i = 0; i < 3; ++i) {
      worstMm = std::max(worstMm, std::fabs(t->GetValue(j, 1 + i).ToDouble() - generated.truth[j][i]));
      worstDeg = std::max(worstDeg, std::fabs(t->GetValue(j, 4 + i).ToDouble() - generated.truth[j][3 + i] * kDeg));
    }
    EXPECT_NEAR(t->GetValue(j, 7).ToDouble(), trueFd[j], 0.1) << "FD of frame " << j;
  }
  std::cout << backend << ": largest error " << worstMm << " mm, " << worstDeg << " deg\n";
  EXPECT_LT(worstMm, 0.1);
  EXPECT_LT(worstDeg, 0.1);
  // The truth moves enough for these bounds to mean something.
  double largestTrue = 0;
  for (const auto& p : generated.truth) largestTrue = std::max({largestTrue, std::fabs(p[0]), std::fabs(p[1]), std::fabs(p[2])});
  EXPECT_GT(largestTrue, 1.0);

  // The transform sequence: one matrix per frame, the known motion, on the input's time axis.
  vtkMRMLSequenceNode* transforms = w.logic->GetTransformSequenceNode();
  ASSERT_EQ(transforms->GetNumberOfDataNodes(), frames);
  EXPECT_EQ(transforms->GetDataNodeClassName(), "vtkMRMLLinearTransformNode");
  for (int j = 0; j < frames; ++j) {
    EXPECT_EQ(transforms->GetNthIndexValue(j), input->GetNthIndexValue(j));
    auto* transform = vtkMRMLLinearTransformNode::SafeDownCast(transforms->GetNthDataNode(j));
    vtkNew<vtkMatrix4x4> m;
    transform->GetMatrixTransformToParent(m);
    EXPECT_LT(largestDifference(m, spmMatrix(generated.truth[j])), 0.1) << "frame " << j;
  }

  // The realigned run: the input's grid, and the most moved frame now close to the first.
  vtkMRMLSequenceNode* output = w.logic->GetOutputSequenceNode();
  ASSERT_EQ(output->GetNumberOfDataNodes(), frames);
  EXPECT_TRUE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(output));
  vtkNew<vtkMatrix4x4> inputGrid, outputGrid;
  vtkMRMLScalarVolumeNode::SafeDownCast(input->GetNthDataNode(0))->GetIJKToRASMatrix(inputGrid);
  vtkMRMLScalarVolumeNode::SafeDownCast(output->GetNthDataNode(0))->GetIJKToRASMatrix(outputGrid);
  EXPECT_LT(largestDifference(inputGrid, outputGrid), 1e-4);
  int moved = 1;
  double largestShift = -1;
  for (int j = 1; j < frames; ++j) {
    const double shift = std::fabs(generated.truth[j][0]) + std::fabs(generated.truth[j][1]) + std::fabs(generated.truth[j][2]);
    if (shift > largestShift) {
      largestShift = shift;
      moved = j;
    }
  }
  const std::size_t n = generated.run.frameSize();
  const double before = meanAbsoluteDifference(voxels(input->GetNthDataNode(moved)), voxels(input->GetNthDataNode(0)), n);
  const double after = meanAbsoluteDifference(voxels(output->GetNthDataNode(moved)), voxels(output->GetNthDataNode(0)), n);
  EXPECT_LT(after, 0.5 * before) << "frame " << moved;

  // One browser plays both, with proxies in the scene.
  vtkMRMLSequenceBrowserNode* browser = w.logic->GetSequenceBrowserNode(output);
  ASSERT_NE(browser, nullptr);
  EXPECT_EQ(browser->GetMasterSequenceNode(), output);
  EXPECT_TRUE(browser->IsSynchronizedSequenceNode(transforms, true));
  EXPECT_EQ(w.logic->GetSequenceBrowserNode(transforms), browser);
  EXPECT_NE(vtkMRMLScalarVolumeNode::SafeDownCast(browser->GetProxyNode(output)), nullptr);
  EXPECT_NE(vtkMRMLLinearTransformNode::SafeDownCast(browser->GetProxyNode(transforms)), nullptr);

  // The parameter node remembers all of it.
  EXPECT_EQ(parameters->GetNodeReference("InputNode"), input);
  EXPECT_EQ(parameters->GetNodeReference("OutputSequence"), output);
  EXPECT_EQ(parameters->GetNodeReference("TransformSequence"), transforms);
  EXPECT_EQ(parameters->GetNodeReference("MotionTable"), table);
  EXPECT_EQ(parameters->GetNodeReference("MotionChart"), chart);
  EXPECT_NE(parameters->GetNodeReference("DisplacementChart"), nullptr);

  // A second run refills the same nodes and browser instead of adding new ones.
  const std::vector<std::string> afterFirst = nodeIDs(w.scene);
  ASSERT_TRUE(w.logic->Run(input)) << w.logic->GetLastError();
  EXPECT_EQ(nodeIDs(w.scene), afterFirst);
  EXPECT_EQ(table->GetNumberOfRows(), frames);
}

INSTANTIATE_TEST_SUITE_P(Backends, RunOnBackend, ::testing::Values("threads", "mpi"));

namespace {

// Runs a 40-frame `input` and cancels it once the table has 3 rows (the user adds a node meanwhile):
// the cancel must come mid-run, and the scene must then hold exactly `before` plus the user's node.
void runAndCancelMidRun(SlicerWorld& w, vtkMRMLSequenceNode* input, const std::vector<std::string>& before) {
  CancelWhenRows cancel(w.logic, w.scene, 3);
  EXPECT_FALSE(w.logic->Run(input));
  EXPECT_STREQ(w.logic->GetLastError(), "cancelled");
  // The cancel really came mid-run: the table had some frames, not all.
  EXPECT_GE(cancel.rowsAtCancel, 3);
  EXPECT_LT(cancel.rowsAtCancel, 40);
  // What the run added is gone; what the user added meanwhile stays.
  std::vector<std::string> expected = before;
  expected.push_back(cancel.userNodeID);
  EXPECT_EQ(nodeIDs(w.scene), expected);
}

}  // namespace

TEST(RunCancel, MidRunOnAFreshSceneRemovesEverythingTheRunAdded) {
  ScratchDir dir;
  writeVolumeSeries(dir.file("long.nii.gz"), phantomRun(40, 5).run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(dir.file("long.nii.gz").c_str());
  ASSERT_NE(input, nullptr);
  const std::vector<std::string> before = nodeIDs(w.scene);  // no parameter node yet

  runAndCancelMidRun(w, input, before);
  EXPECT_EQ(w.scene->GetNumberOfNodesByClass("vtkMRMLTableNode"), 1);
  EXPECT_EQ(w.scene->GetNumberOfNodesByClass("vtkMRMLPlotChartNode"), 0);
  EXPECT_EQ(w.scene->GetNumberOfNodesByClass("vtkMRMLScriptedModuleNode"), 0);
  EXPECT_FALSE(w.logic->HasPendingResults());
  EXPECT_FALSE(w.logic->IsRunning());
}

class CancelOnBackend : public ::testing::TestWithParam<std::string> {};

TEST_P(CancelOnBackend, MidRunAfterAPreviousRunRestoresItsResults) {
#ifdef MC_TEST_WITHOUT_MPI
  if (GetParam() == "mpi") GTEST_SKIP() << "MPI backend not built";
#endif
  ScratchDir dir;
  writeVolumeSeries(dir.file("first.nii.gz"), phantomRun(8, 3).run);
  writeVolumeSeries(dir.file("second.nii.gz"), phantomRun(40, 9).run);
  SlicerWorld w;
  vtkMRMLSequenceNode* first = w.logic->LoadRunAsSequence(dir.file("first.nii.gz").c_str());
  ASSERT_NE(first, nullptr);
  w.logic->GetParameterNode()->SetParameter("backend", GetParam());
  ASSERT_TRUE(w.logic->Run(first)) << w.logic->GetLastError();

  vtkMRMLSequenceNode* second = w.logic->LoadRunAsSequence(dir.file("second.nii.gz").c_str());
  ASSERT_NE(second, nullptr);
  vtkMRMLScriptedModuleNode* parameters = w.logic->GetParameterNode();
  const std::vector<std::string> ids = nodeIDs(w.scene);
  const auto cells = tableCells(w.logic->GetMotionTableNode());
  const auto refs = references(parameters);
  const auto motion = matrices(w.logic->GetTransformSequenceNode());
  const int realignedFrames = w.logic->GetOutputSequenceNode()->GetNumberOfDataNodes();
  ASSERT_EQ(cells.size(), 8u);

  runAndCancelMidRun(w, second, ids);
  EXPECT_EQ(tableCells(w.logic->GetMotionTableNode()), cells);
  EXPECT_EQ(references(parameters), refs);
  EXPECT_EQ(parameters->GetNodeReference("InputNode"), first);
  EXPECT_EQ(matrices(w.logic->GetTransformSequenceNode()), motion);
  EXPECT_EQ(w.logic->GetOutputSequenceNode()->GetNumberOfDataNodes(), realignedFrames);
}

INSTANTIATE_TEST_SUITE_P(Backends, CancelOnBackend, ::testing::Values("threads", "mpi"));

TEST(WidgetFlow, PanelTaskFollowedImportedOrDiscarded) {
  // What qSlicerMotionCorrectionModuleWidget does around the panel's own task.
  ScratchDir dir;
  const SyntheticRun generated = phantomRun(8, 3);
  writeVolumeSeries(dir.file("run.nii.gz"), generated.run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(dir.file("run.nii.gz").c_str());
  ASSERT_NE(input, nullptr);
  const std::string scratchRun = dir.file("scratch_run.nii.gz");
  ASSERT_TRUE(w.logic->WriteRun(input, scratchRun.c_str())) << w.logic->GetLastError();
  EXPECT_DOUBLE_EQ(w.logic->GetWrittenRunRepetitionTime(), 2.0);

  EngineRequest request;
  request.spec.input = scratchRun;
  request.spec.realignedOutput = dir.file("rrun.nii.gz");
  request.spec.parametersOutput = dir.file("rp_run.txt");
  MotionCorrectionTask task(request);
  w.logic->BeginResults(0);
  w.logic->FollowTask(&task);
  vtkMRMLTableNode* table = w.logic->GetMotionTableNode();
  int rowsBeforeEnd = 0;
  QObject context;
  QObject::connect(&task, &MotionCorrectionTask::finished, &context,
                   [&] { rowsBeforeEnd = int(table->GetNumberOfRows()); });
  ASSERT_EQ(runToEnd(task), "finished");
  EXPECT_GT(rowsBeforeEnd, 0);  // the followed frames arrived before the end
  std::vector<std::vector<double>> rows;
  for (const auto& r : task.parameters()) rows.emplace_back(r.begin(), r.end());
  const auto fd = task.framewiseDisplacement();
  ASSERT_TRUE(w.logic->ImportResults(rows, std::vector<double>(fd.begin(), fd.end()),
                                     request.spec.realignedOutput.c_str(), w.logic->GetWrittenRunRepetitionTime()))
    << w.logic->GetLastError();
  EXPECT_FALSE(w.logic->HasPendingResults());
  EXPECT_EQ(table->GetNumberOfRows(), 8);
  EXPECT_EQ(w.logic->GetOutputSequenceNode()->GetNumberOfDataNodes(), 8);
  EXPECT_EQ(w.logic->GetTransformSequenceNode()->GetNthIndexValue(7), "14");
  EXPECT_NEAR(table->GetTable()->GetValue(7, 1).ToDouble(), generated.truth[7][0], 0.1);

  // A failed task (its input vanished): DiscardResults puts the scene back.
  const std::vector<std::string> ids = nodeIDs(w.scene);
  const auto cells = tableCells(table);
  EngineRequest bad = request;
  bad.spec.input = dir.file("vanished.nii.gz");
  MotionCorrectionTask failing(bad);
  w.logic->BeginResults(0);
  w.logic->FollowTask(&failing);
  EXPECT_EQ(table->GetNumberOfRows(), 0);  // emptied for the new run...
  const std::string outcome = runToEnd(failing);
  EXPECT_EQ(outcome.rfind("failed: ", 0), 0u) << outcome;
  w.logic->DiscardResults();
  EXPECT_EQ(nodeIDs(w.scene), ids);
  EXPECT_EQ(tableCells(table), cells);  // ...and given back
  EXPECT_FALSE(w.logic->HasPendingResults());

  // ImportResults with a realigned file that cannot be read fails and discards as well.
  w.logic->BeginResults(0);
  EXPECT_FALSE(w.logic->ImportResults(rows, {}, dir.file("missing_rrun.nii.gz").c_str(), 2.0));
  EXPECT_NE(std::string(w.logic->GetLastError()).find("missing_rrun.nii.gz"), std::string::npos);
  EXPECT_EQ(nodeIDs(w.scene), ids);
  EXPECT_EQ(tableCells(table), cells);
}
