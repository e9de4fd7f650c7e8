// Loading 4D NIfTI runs into a real scene (generated oblique runs and a real BOLD run), the header
// probe the file reader uses, IsVolumeSequence, and bad input for Run(): nothing added, one-line
// errors naming the node.
#include <cstdint>
#include <cstring>
#include <algorithm>
#include <fstream>

#include <zlib.h>

#include <vtkMRMLLabelMapVolumeNode.h>
#include <vtkMRMLLinearTransformNode.h>
#include <vtkMRMLSelectionNode.h>
#include <vtkMRMLSequenceBrowserNode.h>

#include "LogicTestSupport.h"
#include "ParameterTable.h"

using namespace mc;
using namespace mc::test;

namespace {

// The sform of a NIfTI-1 file, read here from the header bytes (not through the project's IO), as
// the independent reference for the loaded geometry. NIfTI's sform is RAS, like Slicer's IJKToRAS.
bool readSform(const std::string& path, double m[4][4]) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return false;
  unsigned char h[348];
  const int got = gzread(f, h, sizeof h);
  gzclose(f);
  if (got != 348) return false;
  std::int16_t sformCode;
  std::memcpy(&sformCode, h + 254, 2);
  if (sformCode <= 0) return false;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) {
      float v;
      std::memcpy(&v, h + 280 + 16 * r + 4 * c, 4);
      m[r][c] = v;
    }
  m[3][0] = m[3][1] = m[3][2] = 0;
  m[3][3] = 1;
  return true;
}

vtkMRMLSequenceNode* addVolumeSequence(vtkMRMLScene* scene, const char* name, int frames) {
  auto* sequence = vtkMRMLSequenceNode::SafeDownCast(scene->AddNewNodeByClass("vtkMRMLSequenceNode", name));
  for (int t = 0; t < frames; ++t) {
    vtkNew<vtkImageData> image;
    image->SetDimensions(8, 8, 4);
    image->AllocateScalars(VTK_FLOAT, 1);
    vtkNew<vtkMRMLScalarVolumeNode> volume;
    volume->SetAndObserveImageData(image);
    sequence->SetDataNodeAtValue(volume, std::to_string(t));
  }
  return sequence;
}

vtkMRMLSequenceNode* addTransformSequence(vtkMRMLScene* scene, const char* name, int frames) {
  auto* sequence = vtkMRMLSequenceNode::SafeDownCast(scene->AddNewNodeByClass("vtkMRMLSequenceNode", name));
  for (int t = 0; t < frames; ++t) {
    vtkNew<vtkMRMLLinearTransformNode> transform;
    sequence->SetDataNodeAtValue(transform, std::to_string(t));
  }
  return sequence;
}

// Writes bytes as a file (hand-made headers for the probe).
void writeBytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

template <typename T>
void put(std::vector<unsigned char>& b, std::size_t offset, T value, bool swap = false) {
  unsigned char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  if (swap) std::reverse(raw, raw + sizeof(T));
  std::memcpy(b.data() + offset, raw, sizeof(T));
}

}  // namespace

TEST(LoadRunAsSequence, ObliqueGeneratedRunKeepsTRGeometryAndVoxels) {
  ScratchDir dir;
  const SyntheticRun generated = phantomRun(5, 3, /*obliqueDeg=*/20, /*tr=*/2.5);
  const std::string path = dir.file("oblique_bold.nii.gz");
  writeVolumeSeries(path, generated.run);
  // The generator really made an oblique grid (off-diagonal direction cosines).
  ASSERT_GT(std::fabs(generated.run.geometry.voxelToWorld(1, 2)), 0.1);

  SlicerWorld w;
  vtkMRMLSequenceNode* sequence = w.logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(sequence, nullptr) << w.logic->GetLastError();
  EXPECT_STREQ(w.logic->GetLastError(), "");
  EXPECT_STREQ(sequence->GetName(), "oblique_bold");
  EXPECT_TRUE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(sequence));
  ASSERT_EQ(sequence->GetNumberOfDataNodes(), 5);
  EXPECT_EQ(sequence->GetIndexUnit(), std::string("s"));
  EXPECT_EQ(sequence->GetIndexType(), vtkMRMLSequenceNode::NumericIndex);
  const char* times[5] = {"0", "2.5", "5", "7.5", "10"};
  for (int t = 0; t < 5; ++t) {
    SCOPED_TRACE("item " + std::to_string(t));
    EXPECT_EQ(sequence->GetNthIndexValue(t), times[t]);
    auto* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
    ASSERT_NE(volume, nullptr);
    vtkNew<vtkMatrix4x4> ijkToRas;
    volume->GetIJKToRASMatrix(ijkToRas);
    EXPECT_LT(largestDifference(ijkToRas, generated.run.geometry.voxelToWorld), 1e-4);
    int dims[3];
    volume->GetImageData()->GetDimensions(dims);
    EXPECT_EQ(dims[0], 56);
    EXPECT_EQ(dims[1], 56);
    EXPECT_EQ(dims[2], 30);
    const float* v = voxels(volume);
    ASSERT_NE(v, nullptr);
    double largest = 0;
    for (std::size_t i = 0; i < generated.run.frameSize(); ++i)
      largest = std::max(largest, double(std::fabs(v[i] - generated.run.frame(t)[i])));
    EXPECT_EQ(largest, 0.0);
  }
  // Shown as Slicer's sequence reader shows one: a browser with a proxy volume, the active volume.
  vtkMRMLSequenceBrowserNode* browser = w.logic->GetSequenceBrowserNode(sequence);
  ASSERT_NE(browser, nullptr);
  EXPECT_EQ(browser->GetMasterSequenceNode(), sequence);
  auto* proxy = vtkMRMLScalarVolumeNode::SafeDownCast(browser->GetProxyNode(sequence));
  ASSERT_NE(proxy, nullptr);
  EXPECT_TRUE(w.scene->IsNodePresent(proxy));
  EXPECT_STREQ(w.app->GetSelectionNode()->GetActiveVolumeID(), proxy->GetID());
}

TEST(LoadRunAsSequence, RealObliqueBoldRunKeepsTRSformAndScaling) {
  // studyforrest: Philips 3T, 80x80x35x156, TR 2 s, ~13 degrees oblique, int16 with scl_slope 75.5.
  const std::string path = dataFile("studyforrest_localizer_bold.nii.gz");
  double sform[4][4];
  ASSERT_TRUE(readSform(path, sform)) << path;
  SlicerWorld w;
  vtkMRMLSequenceNode* sequence = w.logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(sequence, nullptr) << w.logic->GetLastError();
  ASSERT_EQ(sequence->GetNumberOfDataNodes(), 156);
  EXPECT_EQ(sequence->GetIndexUnit(), std::string("s"));
  EXPECT_EQ(sequence->GetNthIndexValue(1), "2");
  EXPECT_EQ(sequence->GetNthIndexValue(155), "310");
  for (int t : {0, 77, 155}) {
    auto* volume = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(t));
    ASSERT_NE(volume, nullptr);
    vtkNew<vtkMatrix4x4> ijkToRas;
    volume->GetIJKToRASMatrix(ijkToRas);
    double largest = 0;
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) largest = std::max(largest, std::fabs(ijkToRas->GetElement(r, c) - sform[r][c]));
    EXPECT_LT(largest, 1e-3) << "item " << t;
  }
  // Oblique indeed: the slice axis is tilted out of the z axis.
  EXPECT_GT(std::fabs(sform[1][2]), 0.3);
  // scl_slope applied: raw int16 values times 75.5 exceed the int16 range (README: up to ~6.2e4).
  auto* first = vtkMRMLScalarVolumeNode::SafeDownCast(sequence->GetNthDataNode(0));
  double range[2];
  first->GetImageData()->GetScalarRange(range);
  EXPECT_GT(range[1], 40000.0);
}

TEST(LoadRunAsSequence, WorksWithoutApplicationLogic) {
  // A bare scene (a batch script, the kit): the logic brings its own Sequences logic for the proxies.
  ScratchDir dir;
  const std::string path = dir.file("run.nii");
  writeVolumeSeries(path, phantomRun(3).run);
  vtkNew<vtkMRMLScene> scene;
  vtkNew<vtkSlicerMotionCorrectionLogic> logic;
  logic->SetMRMLScene(scene);
  vtkMRMLSequenceNode* sequence = logic->LoadRunAsSequence(path.c_str());
  ASSERT_NE(sequence, nullptr) << logic->GetLastError();
  EXPECT_EQ(sequence->GetNumberOfDataNodes(), 3);
  vtkMRMLSequenceBrowserNode* browser = logic->GetSequenceBrowserNode(sequence);
  ASSERT_NE(browser, nullptr);
  EXPECT_NE(vtkMRMLScalarVolumeNode::SafeDownCast(browser->GetProxyNode(sequence)), nullptr);
  logic->SetMRMLScene(nullptr);
}

TEST(LoadRunAsSequence, BadFilesGiveOneLineErrorsAndAddNothing) {
  SlicerWorld w;
  const std::vector<std::string> before = nodeIDs(w.scene);
  ScratchDir dir;
  const std::string text = dir.file("notes.nii");
  writeBytes(text, std::vector<unsigned char>(400, 'x'));
  const std::string oneFrame = dir.file("one_frame.nii.gz");
  VolumeSeries single = phantomRun(2).run;
  single.frameCount = 1;
  single.voxels.resize(single.frameSize());
  writeVolumeSeries(oneFrame, single);
  for (const std::string& path :
       {dataFile("allineate_epi3d.nii.gz"), dir.file("missing.nii.gz"), text, oneFrame}) {
    SCOPED_TRACE(path);
    EXPECT_EQ(w.logic->LoadRunAsSequence(path.c_str()), nullptr);
    const std::string error = w.logic->GetLastError();
    EXPECT_NE(error.find(path), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(nodeIDs(w.scene), before);
  }
  // The 3D volume's error says why it is not a run.
  EXPECT_EQ(w.logic->LoadRunAsSequence(dataFile("allineate_epi3d.nii.gz").c_str()), nullptr);
  EXPECT_NE(std::string(w.logic->GetLastError()).find("3D"), std::string::npos) << w.logic->GetLastError();
  EXPECT_EQ(w.logic->LoadRunAsSequence(nullptr), nullptr);
  EXPECT_STRNE(w.logic->GetLastError(), "");
  EXPECT_EQ(nodeIDs(w.scene), before);
}

TEST(GetNumberOfFramesInFile, RealFiles) {
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("studyforrest_localizer_bold.nii.gz").c_str()), 156);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("pydecnef_sub-1_run-1_bold_vols000-149.nii.gz").c_str()), 150);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("nibabel_example4d.nii.gz").c_str()), 2);
  // 3D volumes stay with Slicer's volume reader (pixdim[4] set, dim[0] = 3).
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("allineate_epi3d.nii.gz").c_str()), 1);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("colin27_ch2_t1.nii.gz").c_str()), 1);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dataFile("README.md").c_str()), -1);
}

TEST(GetNumberOfFramesInFile, WrittenAndHandMadeFiles) {
  ScratchDir dir;
  const SyntheticRun run = phantomRun(4);
  writeVolumeSeries(dir.file("run.nii"), run.run);     // uncompressed
  writeVolumeSeries(dir.file("run.nii.gz"), run.run);  // gzip
  writeVolume(dir.file("one.nii.gz"), run.run.extractFrame(0));
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("run.nii").c_str()), 4);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("run.nii.gz").c_str()), 4);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("one.nii.gz").c_str()), 1);

  // Big-endian NIfTI-1 header, 4D with 7 frames.
  std::vector<unsigned char> be(352, 0);
  put<std::int32_t>(be, 0, 348, true);
  const std::int16_t dims[8] = {4, 10, 10, 5, 7, 1, 1, 1};
  for (int i = 0; i < 8; ++i) put<std::int16_t>(be, 40 + 2 * i, dims[i], true);
  // A datatype (int16), as every real header has: the reader refuses datatype 0, so claiming such
  // a file for the 4D reader would only end in an error.
  put<std::int16_t>(be, 70, 4, true);
  put<std::int16_t>(be, 72, 16, true);
  std::memcpy(be.data() + 344, "n+1", 4);
  writeBytes(dir.file("bigendian.nii"), be);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("bigendian.nii").c_str()), 7);

  // NIfTI-2 header (540 bytes, int64 dims), 4D with 300 frames.
  std::vector<unsigned char> n2(544, 0);
  put<std::int32_t>(n2, 0, 540);
  std::memcpy(n2.data() + 4, "n+2\0\r\n\032\n", 8);
  put<std::int16_t>(n2, 12, 4);   // datatype int16
  put<std::int16_t>(n2, 14, 16);  // bitpix
  const std::int64_t dims2[8] = {4, 64, 64, 34, 300, 1, 1, 1};
  for (int i = 0; i < 8; ++i) put<std::int64_t>(n2, 16 + 8 * i, dims2[i]);
  writeBytes(dir.file("nifti2.nii"), n2);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("nifti2.nii").c_str()), 300);

  // A 5D (vector) image is not a run; a cut header and a missing file are not readable.
  std::vector<unsigned char> vec = be;
  const std::int16_t dims5[8] = {5, 10, 10, 5, 1, 3, 1, 1};
  for (int i = 0; i < 8; ++i) put<std::int16_t>(vec, 40 + 2 * i, dims5[i], true);
  writeBytes(dir.file("vector.nii"), vec);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("vector.nii").c_str()), -1);
  writeBytes(dir.file("cut.nii"), std::vector<unsigned char>(be.begin(), be.begin() + 100));
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("cut.nii").c_str()), -1);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(dir.file("missing.nii").c_str()), -1);
  EXPECT_EQ(vtkSlicerMotionCorrectionLogic::GetNumberOfFramesInFile(nullptr), -1);
}

TEST(IsVolumeSequence, OnlySequencesOfScalarVolumes) {
  SlicerWorld w;
  EXPECT_TRUE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(addVolumeSequence(w.scene, "volumes", 3)));
  EXPECT_TRUE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(addVolumeSequence(w.scene, "one volume", 1)));
  EXPECT_FALSE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(addTransformSequence(w.scene, "transforms", 3)));
  EXPECT_FALSE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(w.scene->AddNewNodeByClass("vtkMRMLSequenceNode", "empty")));
  EXPECT_FALSE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(w.scene->AddNewNodeByClass("vtkMRMLScalarVolumeNode", "volume")));
  auto* labels = vtkMRMLSequenceNode::SafeDownCast(w.scene->AddNewNodeByClass("vtkMRMLSequenceNode", "labels"));
  vtkNew<vtkMRMLLabelMapVolumeNode> labelMap;
  labels->SetDataNodeAtValue(labelMap, "0");
  EXPECT_FALSE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(labels));
  EXPECT_FALSE(vtkSlicerMotionCorrectionLogic::IsVolumeSequence(nullptr));
}

TEST(RunInput, BadInputGivesOneLineErrorNamingTheNodeAndAddsNothing) {
  SlicerWorld w;
  auto* volume3D = vtkMRMLScalarVolumeNode::SafeDownCast(w.scene->AddNewNodeByClass("vtkMRMLScalarVolumeNode", "T1 volume"));
  vtkNew<vtkImageData> image;
  image->SetDimensions(8, 8, 4);
  image->AllocateScalars(VTK_FLOAT, 1);
  volume3D->SetAndObserveImageData(image);
  vtkMRMLNode* oneFrame = addVolumeSequence(w.scene, "Single frame", 1);
  vtkMRMLNode* transforms = addTransformSequence(w.scene, "Motion transforms", 4);
  vtkMRMLNode* empty = w.scene->AddNewNodeByClass("vtkMRMLSequenceNode", "Empty sequence");
  vtkMRMLNode* table = w.scene->AddNewNodeByClass("vtkMRMLTableNode", "Some table");

  struct Case {
    vtkMRMLNode* node;
    std::string mustMention;
  };
  const std::vector<Case> cases = {{volume3D, "\"T1 volume\": is a single 3D volume"},
                                   {oneFrame, "\"Single frame\": has 1 frame"},
                                   {transforms, "\"Motion transforms\": is a sequence of vtkMRMLLinearTransformNode"},
                                   {empty, "\"Empty sequence\": the sequence is empty"},
                                   {table, "\"Some table\": is a vtkMRMLTableNode"},
                                   {nullptr, "no input node given"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.mustMention);
    const std::vector<std::string> before = nodeIDs(w.scene);
    EXPECT_FALSE(w.logic->Run(c.node));
    const std::string error = w.logic->GetLastError();
    EXPECT_NE(error.find(c.mustMention), std::string::npos) << error;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(nodeIDs(w.scene), before);  // not even the parameter node
    EXPECT_FALSE(w.logic->HasPendingResults());
  }
  EXPECT_EQ(w.scene->GetFirstNodeByClass("vtkMRMLScriptedModuleNode"), nullptr);
}

TEST(RunInput, BadParametersGiveOneLineErrorAndAddNothing) {
  ScratchDir dir;
  writeVolumeSeries(dir.file("run.nii"), phantomRun(3).run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(dir.file("run.nii").c_str());
  ASSERT_NE(input, nullptr);
  vtkMRMLScriptedModuleNode* parameters = w.logic->GetParameterNode();
  const std::map<std::string, std::string> refs = references(parameters);
  for (const auto& [name, value, mention] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
         {"mpi-ranks", "two", "--mpi-ranks: expected a whole number >= 1, got 'two'"},
         {"mpi-ranks", "0", "--mpi-ranks: expected a whole number >= 1, got '0'"},
         {"mpi-ranks", "99999999999999999999", "--mpi-ranks: expected a whole number >= 1"},
         {"backend", "gpu", "--backend: expected serial, threads or mpi, got 'gpu'"},
         {"fwhm", "-3", "--fwhm: must be >= 0 mm, got -3"}}) {
    SCOPED_TRACE(name + "=" + value);
    const std::string old = parameters->GetParameter(name);
    parameters->SetParameter(name, value);
    const std::vector<std::string> before = nodeIDs(w.scene);
    EXPECT_FALSE(w.logic->Run(input));  // an exception here would end the test program
    const std::string error = w.logic->GetLastError();
    EXPECT_EQ(error.rfind(mention, 0), 0u) << error;  // the table's line, as it is
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(nodeIDs(w.scene), before);
    EXPECT_EQ(references(parameters), refs);
    parameters->SetParameter(name, old);
  }
}

TEST(ParameterNode, TaggedForSlicerAndDefaultsFromTheEngine) {
  SlicerWorld w;
  vtkMRMLScriptedModuleNode* node = w.logic->GetParameterNode();
  ASSERT_NE(node, nullptr);
  EXPECT_STREQ(node->GetAttribute("ModuleName"), "MotionCorrection");  // what Slicer reads
  EXPECT_STREQ(node->GetSingletonTag(), "MotionCorrection");
  EXPECT_EQ(node->GetParameter("fwhm"), "5");
  EXPECT_EQ(node->GetParameter("backend"), "threads");
  EXPECT_EQ(node->GetParameter("mpi-ranks"), "2");
  // Every setting of the node is the table's default; the table's input and output paths are not
  // settings of the logic.
  std::vector<std::string> names;
  for (const mc::ParameterEntry& e : mc::parameterTable()) {
    SCOPED_TRACE(e.name);
    const bool path = e.type == mc::ParameterType::Path && (e.isOutput || e.name == "input");
    if (path) {
      EXPECT_EQ(node->GetParameter(e.name), "");
      continue;
    }
    if (!e.defaultValue.empty()) names.push_back(e.name);  // the weight image: none, not set
    EXPECT_EQ(node->GetParameter(e.name), e.defaultValue);
  }
  std::vector<std::string> set = node->GetParameterNames();
  std::sort(set.begin(), set.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(set, names);
  EXPECT_EQ(node->GetParameter("ranks"), "");
  EXPECT_EQ(w.logic->GetParameterNode(), node);  // one per scene
  EXPECT_EQ(w.scene->GetNumberOfNodesByClass("vtkMRMLScriptedModuleNode"), 1);
}

TEST(ParameterNode, OldScenesRankCountIsReadAsMpiRanks) {
  ScratchDir dir;
  writeVolumeSeries(dir.file("run.nii"), phantomRun(3).run);
  SlicerWorld w;
  vtkMRMLSequenceNode* input = w.logic->LoadRunAsSequence(dir.file("run.nii").c_str());
  ASSERT_NE(input, nullptr) << w.logic->GetLastError();
  // The parameter node of a scene saved before "mpi-ranks": "ranks", no "mpi-ranks".
  vtkNew<vtkMRMLScriptedModuleNode> old;
  old->SetSingletonTag("MotionCorrection");
  old->SetAttribute("ModuleName", "MotionCorrection");
  old->SetParameter("fwhm", "6");
  old->SetParameter("ranks", "0");
  w.scene->AddNode(old);
  // Read as the rank count before the node is touched (Run does not rename).
  EXPECT_FALSE(w.logic->Run(input));
  EXPECT_STREQ(w.logic->GetLastError(), "--mpi-ranks: expected a whole number >= 1, got '0'");
  ASSERT_EQ(w.logic->GetParameterNode(), old.GetPointer());
  EXPECT_EQ(old->GetParameter("mpi-ranks"), "0");
  EXPECT_EQ(old->GetParameter("ranks"), "");
  EXPECT_EQ(old->GetParameter("fwhm"), "6");
  // A node that has both keeps its "mpi-ranks".
  old->SetParameter("mpi-ranks", "3");
  old->SetParameter("ranks", "5");
  w.logic->GetParameterNode();
  EXPECT_EQ(old->GetParameter("mpi-ranks"), "3");
  EXPECT_EQ(old->GetParameter("ranks"), "");
}
