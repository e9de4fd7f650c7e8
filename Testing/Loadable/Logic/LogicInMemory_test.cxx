// The logic runs the engine on the scene's voxels in memory: StartRun returns at once, the results
// arrive on the event loop (RunEndedEvent), no temporary file is written for the threads backend,
// and the realigned sequence holds exactly what mc::run gives for the same voxels.
#include <cstdlib>
#include <cstring>
#include <optional>

#include <QCoreApplication>
#include <QEventLoop>

#include "LogicTestSupport.h"
#include "Run.h"
#include "vtkSlicerMotionCorrectionVolumeSeries.h"

using namespace mc;
using namespace mc::test;

namespace {

// Points TMPDIR (what QTemporaryDir and std::filesystem use) at a folder while alive.
class TemporaryFolderOverride {
public:
  explicit TemporaryFolderOverride(const std::string& folder) {
    if (const char* old = std::getenv("TMPDIR")) old_ = old;
    setenv("TMPDIR", folder.c_str(), 1);
  }
  ~TemporaryFolderOverride() {
    if (old_) setenv("TMPDIR", old_->c_str(), 1);
    else unsetenv("TMPDIR");
  }

private:
  std::optional<std::string> old_;
};

}  // namespace

TEST(InMemoryRun, ThreadsRunWritesNoFileAndImportsTheEngineResult) {
  ScratchDir data, temporary;
  const SyntheticRun generated = phantomRun(6, 11, /*obliqueDeg=*/10, /*tr=*/2.0);
  const std::string path = data.file("bold.nii");
  writeVolumeSeries(path, generated.run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  vtkMRMLScriptedModuleNode* parameters = w.logic->GetParameterNode();
  parameters->SetParameter("backend", "threads");
  parameters->SetParameter("threads", "2");

  int ended = 0;
  EventObserver onEnded(w.logic, vtkSlicerMotionCorrectionLogic::RunEndedEvent, [&] { ++ended; });
  {
    TemporaryFolderOverride tmp(temporary.file(""));
    ASSERT_TRUE(w.logic->StartRun(input)) << w.logic->GetLastError();
    EXPECT_TRUE(w.logic->IsRunning());
    EXPECT_FALSE(w.logic->StartRun(input));  // one run at a time
    EXPECT_STREQ(w.logic->GetLastError(), "a motion correction is already running");
    while (ended == 0) QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents);
  }
  EXPECT_EQ(ended, 1);
  ASSERT_TRUE(w.logic->GetLastRunSucceeded()) << w.logic->GetLastError();
  EXPECT_STREQ(w.logic->GetLastError(), "");
  EXPECT_FALSE(w.logic->IsRunning());
  EXPECT_TRUE(temporary.entries().empty()) << temporary.entries().front();

  // The same voxels through mc::run directly (serial: the backends are bit-identical).
  RunRequest request;
  request.backend = Backend::Serial;
  request.keepImages = true;
  auto run = std::make_shared<VolumeSeries>();
  std::string error;
  ASSERT_TRUE(vtkSlicerMotionCorrectionVolumeSeries::ToVolumeSeries(input, *run, error)) << error;
  request.inputRun = run;
  const JobResult expected = mc::run(request);
  ASSERT_EQ(expected.realigned.frameCount, 6);

  vtkMRMLSequenceNode* output = w.logic->GetOutputSequenceNode();
  ASSERT_EQ(output->GetNumberOfDataNodes(), 6);
  EXPECT_EQ(output->GetNthIndexValue(5), "10");  // the input's frame times
  VolumeSeries imported;
  ASSERT_TRUE(vtkSlicerMotionCorrectionVolumeSeries::ToVolumeSeries(output, imported, error)) << error;
  ASSERT_EQ(imported.voxels.size(), expected.realigned.voxels.size());
  EXPECT_EQ(std::memcmp(imported.voxels.data(), expected.realigned.voxels.data(), imported.voxels.size() * sizeof(float)),
            0);
  EXPECT_TRUE(imported.geometry.sameGridAs(run->geometry, 1e-12));
  // The mean image as a volume node, the engine's voxels on the input's grid.
  auto* meanVolume =
      vtkMRMLScalarVolumeNode::SafeDownCast(w.logic->GetParameterNode()->GetNodeReference("MeanVolume"));
  ASSERT_NE(meanVolume, nullptr);
  EXPECT_EQ(meanVolume, w.logic->GetMeanVolumeNode());
  EXPECT_STREQ(meanVolume->GetName(), "Mean image");
  EXPECT_NE(meanVolume->GetDisplayNode(), nullptr);
  ASSERT_EQ(expected.mean.voxels.size(), run->frameSize());
  ASSERT_NE(voxels(meanVolume), nullptr);
  EXPECT_EQ(std::memcmp(voxels(meanVolume), expected.mean.voxels.data(), run->frameSize() * sizeof(float)), 0);
  EXPECT_TRUE(vtkSlicerMotionCorrectionVolumeSeries::GeometryOf(meanVolume).sameGridAs(run->geometry, 1e-12));
  vtkTable* table = w.logic->GetMotionTableNode()->GetTable();
  ASSERT_EQ(table->GetNumberOfRows(), 6);
  for (int f = 0; f < 6; ++f) {
    EXPECT_DOUBLE_EQ(table->GetValue(f, 1).ToDouble(), expected.parameters[f][0]) << f;
    EXPECT_DOUBLE_EQ(table->GetValue(f, 7).ToDouble(), expected.framewiseDisplacement[f]) << f;
  }
}

TEST(InMemoryRun, EstimateOnlyLeavesTheOutputSequenceAlone) {
  ScratchDir data;
  SlicerWorld w;
  vtkMRMLSequenceNode* input = loadPhantomSequence(w, data, 4, 2);
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  w.logic->GetParameterNode()->SetParameter("estimate-only", "true");
  ASSERT_TRUE(w.logic->Run(input)) << w.logic->GetLastError();
  EXPECT_EQ(w.logic->GetParameterNode()->GetNodeReference("OutputSequence"), nullptr);
  EXPECT_EQ(w.logic->GetParameterNode()->GetNodeReference("MeanVolume"), nullptr);
  EXPECT_EQ(w.scene->GetNumberOfNodesByClass("vtkMRMLScalarVolumeNode"), 1);  // the input's proxy only
  EXPECT_EQ(w.logic->GetTransformSequenceNode()->GetNumberOfDataNodes(), 4);
  EXPECT_EQ(w.logic->GetMotionTableNode()->GetTable()->GetNumberOfRows(), 4);
}
