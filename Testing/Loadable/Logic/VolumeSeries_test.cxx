// vtkSlicerMotionCorrectionVolumeSeries on a real scene: volume sequences and multivolumes to the
// engine's in-memory run and back, against what the file route (a 4D NIfTI written and read back)
// gives. Voxels go across bit for bit; IJKToRAS to double rounding (MRML keeps a volume's geometry
// as origin, spacing and directions), where the file's float sform rounds to about 1e-5 mm.
#include <cstring>

#include <vtkShortArray.h>

#include "LogicTestSupport.h"
#include "vtkSlicerMotionCorrectionVolumeSeries.h"

using namespace mc;
using namespace mc::test;
using Conversion = vtkSlicerMotionCorrectionVolumeSeries;

namespace {

double largestDifference(const Matrix4& a, const Matrix4& b) {
  double d = 0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) d = std::max(d, std::fabs(a(r, c) - b(r, c)));
  return d;
}

bool sameVoxels(const VolumeSeries& a, const VolumeSeries& b) {
  return a.voxels.size() == b.voxels.size() &&
         std::memcmp(a.voxels.data(), b.voxels.data(), a.voxels.size() * sizeof(float)) == 0;
}

vtkMRMLSequenceNode* addSequence(vtkMRMLScene* scene, const char* name) {
  return vtkMRMLSequenceNode::SafeDownCast(scene->AddNewNodeByClass("vtkMRMLSequenceNode", name));
}

// A volume of `components` short components with distinct values per voxel and component, on an
// oblique grid with anisotropic voxels.
vtkSmartPointer<vtkMRMLScalarVolumeNode> shortVolume(int components, int seed) {
  vtkNew<vtkImageData> image;
  image->SetDimensions(5, 4, 3);
  image->AllocateScalars(VTK_SHORT, components);
  auto* v = static_cast<short*>(image->GetScalarPointer());
  for (int i = 0; i < 5 * 4 * 3 * components; ++i) v[i] = short((i * 37 + seed * 1001) % 30000 - 15000);
  auto volume = vtkSmartPointer<vtkMRMLScalarVolumeNode>::New();
  volume->SetSpacing(2.5, 3.0, 3.5);
  volume->SetOrigin(-10.25, 20.5, -7.125);
  const double c = std::cos(0.3), s = std::sin(0.3);
  double directions[3][3] = {{c, -s, 0}, {s, c, 0}, {0, 0, 1}};
  volume->SetIJKToRASDirections(directions);
  volume->SetAndObserveImageData(image);
  return volume;
}

}  // namespace

TEST(VolumeSeriesConversion, SequenceToRunAndBackIsExact) {
  const SyntheticRun generated = phantomRun(4, 5, /*obliqueDeg=*/20, /*tr=*/0.72);
  SlicerWorld w;
  vtkMRMLSequenceNode* sequence = addSequence(w.scene, "bold");
  Conversion::FillSequence(generated.run, sequence);
  ASSERT_EQ(sequence->GetNumberOfDataNodes(), 4);
  EXPECT_EQ(sequence->GetNthIndexValue(3), "2.16");
  EXPECT_STREQ(sequence->GetNthDataNode(2)->GetName(), "bold 2");
  EXPECT_EQ(Conversion::CheckInput(sequence), "");

  VolumeSeries run;
  std::string error;
  ASSERT_TRUE(Conversion::ToVolumeSeries(sequence, run, error)) << error;
  EXPECT_EQ(error, "");
  EXPECT_EQ(run.frameCount, 4);
  EXPECT_EQ(run.geometry.size, generated.run.geometry.size);
  EXPECT_TRUE(sameVoxels(run, generated.run));
  EXPECT_LT(largestDifference(run.geometry.voxelToWorld, generated.run.geometry.voxelToWorld), 1e-12);
  EXPECT_NEAR(run.repetitionTime, 0.72, 1e-15);

  // Back into a second sequence: the same voxels and geometry again.
  vtkMRMLSequenceNode* copy = addSequence(w.scene, "copy");
  Conversion::FillSequence(run, copy);
  VolumeSeries again;
  ASSERT_TRUE(Conversion::ToVolumeSeries(copy, again, error)) << error;
  EXPECT_TRUE(sameVoxels(again, generated.run));
  EXPECT_LT(largestDifference(again.geometry.voxelToWorld, generated.run.geometry.voxelToWorld), 1e-12);
}

TEST(VolumeSeriesConversion, MatchesTheFileRoute) {
  // Today's route: the sequence written as a 4D NIfTI (WriteRun) and read back by the engine.
  ScratchDir dir;
  const SyntheticRun generated = phantomRun(3, 9, /*obliqueDeg=*/15, /*tr=*/2.0);
  const std::string original = dir.file("bold.nii");
  writeVolumeSeries(original, generated.run);
  SlicerWorld w;
  vtkMRMLSequenceNode* sequence = w.logic->LoadRunAsSequence(original.c_str());
  ASSERT_NE(sequence, nullptr) << w.logic->GetLastError();
  const std::string written = dir.file("written.nii");
  ASSERT_TRUE(w.logic->WriteRun(sequence, written.c_str())) << w.logic->GetLastError();
  const VolumeSeries viaFile = readVolumeSeries(written);

  VolumeSeries inMemory;
  std::string error;
  ASSERT_TRUE(Conversion::ToVolumeSeries(sequence, inMemory, error)) << error;
  EXPECT_EQ(inMemory.frameCount, viaFile.frameCount);
  EXPECT_EQ(inMemory.geometry.size, viaFile.geometry.size);
  EXPECT_TRUE(sameVoxels(inMemory, viaFile));
  EXPECT_EQ(inMemory.repetitionTime, viaFile.repetitionTime);
  EXPECT_EQ(inMemory.repetitionTime, 2.0);
  // The loaded sequence holds the file's geometry; the memory route passes it on unrounded.
  const VolumeSeries read = readVolumeSeries(original);
  EXPECT_LT(largestDifference(inMemory.geometry.voxelToWorld, read.geometry.voxelToWorld), 1e-12);
  EXPECT_LT(largestDifference(viaFile.geometry.voxelToWorld, inMemory.geometry.voxelToWorld), 1e-4);
}

TEST(VolumeSeriesConversion, ShortVoxelsAndMultivolumeFrames) {
  SlicerWorld w;
  // A sequence of short volumes: every value exactly as float.
  vtkMRMLSequenceNode* sequence = addSequence(w.scene, "shorts");
  sequence->SetIndexUnit("frame");  // a new sequence's unit is "s"
  for (int t = 0; t < 2; ++t) sequence->SetDataNodeAtValue(shortVolume(1, t), std::to_string(t));
  VolumeSeries run;
  std::string error;
  ASSERT_TRUE(Conversion::ToVolumeSeries(sequence, run, error)) << error;
  ASSERT_EQ(run.frameCount, 2);
  EXPECT_EQ(run.repetitionTime, 0);  // index in frames, not seconds: no TR
  for (int t = 0; t < 2; ++t) {
    auto* v = static_cast<short*>(vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t))
                                      ->GetImageData()
                                      ->GetScalarPointer());
    for (std::size_t i = 0; i < run.frameSize(); ++i) ASSERT_EQ(run.frame(t)[i], float(v[i])) << t << " " << i;
  }
  vtkNew<vtkMatrix4x4> expected;
  shortVolume(1, 0)->GetIJKToRASMatrix(expected);
  EXPECT_LT(largestDifference(expected, run.geometry.voxelToWorld), 1e-12);
  EXPECT_NEAR(run.geometry.voxelToWorld(0, 1), -std::sin(0.3) * 3.0, 1e-12);

  // A multivolume: component t of every voxel is frame t.
  vtkSmartPointer<vtkMRMLScalarVolumeNode> multi = shortVolume(3, 7);
  w.scene->AddNode(multi);
  ASSERT_EQ(Conversion::CheckInput(multi), "");
  ASSERT_TRUE(Conversion::ToVolumeSeries(multi, run, error)) << error;
  ASSERT_EQ(run.frameCount, 3);
  auto* v = static_cast<short*>(multi->GetImageData()->GetScalarPointer());
  for (int t = 0; t < 3; ++t)
    for (std::size_t i = 0; i < run.frameSize(); ++i) ASSERT_EQ(run.frame(t)[i], float(v[3 * i + t])) << t << " " << i;
}

TEST(VolumeSeriesConversion, VolumeFromTheEngineImage) {
  const SyntheticRun generated = phantomRun(2, 4, /*obliqueDeg=*/10);
  const Volume mean = generated.run.extractFrame(1);
  vtkNew<vtkMRMLScalarVolumeNode> volume;
  Conversion::FillVolume(mean, volume);
  int dims[3];
  volume->GetImageData()->GetDimensions(dims);
  EXPECT_EQ(dims[0], mean.geometry.size[0]);
  EXPECT_EQ(dims[1], mean.geometry.size[1]);
  EXPECT_EQ(dims[2], mean.geometry.size[2]);
  EXPECT_EQ(std::memcmp(voxels(volume), mean.voxels.data(), mean.voxels.size() * sizeof(float)), 0);
  vtkNew<vtkMatrix4x4> ijkToRas;
  volume->GetIJKToRASMatrix(ijkToRas);
  EXPECT_LT(largestDifference(ijkToRas, mean.geometry.voxelToWorld), 1e-12);
}

TEST(VolumeSeriesConversion, InputsThatDoNotConvertSayWhy) {
  SlicerWorld w;
  VolumeSeries run;
  std::string error;
  EXPECT_FALSE(Conversion::ToVolumeSeries(nullptr, run, error));
  EXPECT_EQ(error, "no input node given: expected a volume sequence or a multivolume");
  vtkMRMLSequenceNode* one = addSequence(w.scene, "one");
  one->SetDataNodeAtValue(shortVolume(1, 0), "0");
  EXPECT_FALSE(Conversion::ToVolumeSeries(one, run, error));
  EXPECT_EQ(error, "input \"one\": has 1 frame, a run needs at least 2");
  EXPECT_EQ(run.frameCount, 0);
  // A second item on another grid.
  vtkSmartPointer<vtkMRMLScalarVolumeNode> moved = shortVolume(1, 1);
  moved->SetOrigin(0, 0, 0);
  one->SetDataNodeAtValue(moved, "1");
  EXPECT_FALSE(Conversion::ToVolumeSeries(one, run, error));
  EXPECT_EQ(error, "input \"one\": item 1 is not on the grid of the first one");
}
