#include "ImageIO.h"

#include <cmath>
#include <cstring>
#include <fstream>

#include <gtest/gtest.h>
#include <zlib.h>

#include "SyntheticRun.h"
#include "TestSupport.h"

using namespace mc;

namespace {

VolumeSeries smallObliqueRun(int frames = 3) {
  PhantomOptions o;
  o.size = {24, 20, 12};
  o.spacing = {3.0, 3.2, 4.0};
  o.obliqueDeg = 17;
  o.noise = 0;
  std::vector<RigidParameters> motion(frames);
  return generatePhantomRun(o, motion).run;
}

// The NIfTI-1 header as stored, read without ITK, to check what the file really says.
struct RawNifti1 {
  short dim[8];
  short datatype;
  float pixdim[8];
  float voxOffset, sclSlope, sclInter;
  short qformCode, sformCode;
  float srow[3][4];
};

RawNifti1 parseHeader(const unsigned char* h) {
  RawNifti1 r;
  std::memcpy(r.dim, h + 40, sizeof r.dim);
  std::memcpy(&r.datatype, h + 70, 2);
  std::memcpy(r.pixdim, h + 76, sizeof r.pixdim);
  std::memcpy(&r.voxOffset, h + 108, 4);
  std::memcpy(&r.sclSlope, h + 112, 4);
  std::memcpy(&r.sclInter, h + 116, 4);
  std::memcpy(&r.qformCode, h + 252, 2);
  std::memcpy(&r.sformCode, h + 254, 2);
  std::memcpy(r.srow, h + 280, sizeof r.srow);
  return r;
}

std::vector<unsigned char> gunzipPrefix(const std::string& path, std::size_t bytes) {
  gzFile f = gzopen(path.c_str(), "rb");
  EXPECT_NE(f, nullptr);
  std::vector<unsigned char> buf(bytes);
  const int got = gzread(f, buf.data(), unsigned(bytes));
  gzclose(f);
  buf.resize(got > 0 ? std::size_t(got) : 0);
  return buf;
}

}  // namespace

TEST(ImageIO, ObliqueRunRoundTripsThroughNiftiAndNrrd) {
  test::ScratchDir dir;
  const VolumeSeries run = smallObliqueRun();
  for (const char* name : {"run.nii.gz", "run.nii"}) {
    writeVolumeSeries(dir.file(name), run);
    const VolumeSeries back = readVolumeSeries(dir.file(name));
    EXPECT_EQ(back.frameCount, run.frameCount);
    EXPECT_TRUE(back.geometry.sameGridAs(run.geometry, 1e-4)) << name << "\n" << back.geometry.voxelToWorld;
    ASSERT_EQ(back.voxels.size(), run.voxels.size());
    for (std::size_t i = 0; i < run.voxels.size(); ++i) ASSERT_EQ(back.voxels[i], run.voxels[i]);
    EXPECT_NEAR(back.repetitionTime, 2.0, 1e-6);
  }
}

TEST(ImageIO, WrittenHeaderHoldsTheRasMatrixAsSform) {
  // The world of this project is NIfTI's (RAS), not ITK's LPS: the file must say exactly M.
  test::ScratchDir dir;
  const VolumeSeries run = smallObliqueRun();
  writeVolumeSeries(dir.file("run.nii"), run);
  std::ifstream in(dir.file("run.nii"), std::ios::binary);
  unsigned char h[348];
  in.read(reinterpret_cast<char*>(h), 348);
  const RawNifti1 r = parseHeader(h);
  EXPECT_GT(r.sformCode, 0);
  EXPECT_GT(r.qformCode, 0);
  EXPECT_EQ(r.dim[0], 4);
  EXPECT_EQ(r.dim[4], 3);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(r.srow[i][j], run.geometry.voxelToWorld(i, j), 1e-4) << i << "," << j;
}

TEST(ImageIO, RealObliqueScaledRunMatchesItsRawHeader) {
  const std::string path = test::dataFile("studyforrest_localizer_bold.nii.gz");
  const auto raw = gunzipPrefix(path, 352 + 2 * 4000);
  ASSERT_GE(raw.size(), 352u);
  const RawNifti1 h = parseHeader(raw.data());
  const VolumeSeries run = readVolumeSeries(path);
  EXPECT_EQ(run.frameCount, 156);
  EXPECT_EQ(run.geometry.size[0], 80);
  EXPECT_EQ(run.geometry.size[2], 35);
  // Scaled integers are reported as float: keeping "the input datatype" would lose the slope.
  EXPECT_EQ(run.storedType, StoredType::Float32);
  ASSERT_EQ(h.sformCode, 1);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) EXPECT_NEAR(run.geometry.voxelToWorld(i, j), h.srow[i][j], 1e-3) << i << "," << j;
  // The header's ~13 degree tilt is kept, not snapped to the axes.
  EXPECT_GT(std::fabs(run.geometry.voxelToWorld(1, 2)), 0.3);
  // Voxels are the stored int16 scaled by scl_slope.
  const std::size_t off = std::size_t(h.voxOffset);
  ASSERT_GT(h.sclSlope, 75.0f);
  for (std::size_t i = 0; i < 3000; ++i) {
    short s;
    std::memcpy(&s, raw.data() + off + 2 * i, 2);
    ASSERT_NEAR(run.voxels[i], s * h.sclSlope + h.sclInter, 1e-2 * std::fabs(h.sclSlope)) << i;
  }
}

TEST(ImageIO, KeepDataTypeRoundsAndClamps) {
  test::ScratchDir dir;
  VolumeSeries run = smallObliqueRun(2);
  run.voxels[0] = 12.6f;
  run.voxels[1] = -3.4f;
  run.voxels[2] = 1e6f;
  writeVolumeSeries(dir.file("i16.nii.gz"), run, StoredType::Int16);
  const VolumeSeries back = readVolumeSeries(dir.file("i16.nii.gz"));
  EXPECT_EQ(back.storedType, StoredType::Int16);
  EXPECT_EQ(back.voxels[0], 13.0f);
  EXPECT_EQ(back.voxels[1], -3.0f);
  EXPECT_EQ(back.voxels[2], 32767.0f);
}

TEST(ImageIO, BadFilesGiveOneLineErrorsNamingTheFile) {
  test::ScratchDir dir;
  auto expectError = [](const std::string& path, const std::string& fragment) {
    try {
      readVolumeSeries(path);
      ADD_FAILURE() << "no error for " << path;
    } catch (const ImageIOError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(path), std::string::npos) << m;
      EXPECT_NE(m.find(fragment), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  };
  expectError(dir.file("missing.nii.gz"), "no such file");
  expectError(dir.file(""), "folder");
  {
    std::ofstream(dir.file("text.nii")) << "this is not an image\n";
  }
  expectError(dir.file("text.nii"), "not a readable NIfTI");
  {
    std::ofstream(dir.file("notes.txt")) << "x";
  }
  expectError(dir.file("notes.txt"), "unsupported file type");

  Volume v{smallObliqueRun(1).geometry, std::vector<float>(smallObliqueRun(1).voxels)};
  writeVolume(dir.file("vol3d.nii.gz"), v);
  expectError(dir.file("vol3d.nii.gz"), "single 3D volume");

  // A truncated .nii.gz: the header reads but the voxels run out.
  writeVolumeSeries(dir.file("full.nii.gz"), smallObliqueRun(4));
  std::ifstream in(dir.file("full.nii.gz"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir.file("cut.nii.gz"), std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  expectError(dir.file("cut.nii.gz"), "truncated");
}

TEST(ImageIO, WritingLeavesNoTemporaryFiles) {
  test::ScratchDir dir;
  writeVolumeSeries(dir.file("a.nii.gz"), smallObliqueRun(2));
  const auto e = dir.entries();
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0], "a.nii.gz");
  EXPECT_THROW(writeVolumeSeries(dir.file("nofolder/a.nii.gz"), smallObliqueRun(2)), std::exception);
  EXPECT_EQ(dir.entries().size(), 1u);
}
