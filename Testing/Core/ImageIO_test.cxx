#include "ImageIO.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
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

// A NIfTI-2 file written field by field (540-byte header, then the 4-byte extension flag), in
// either byte order: the reader must take what the standard says, not what a writer we own does.
struct Nifti2File {
  std::int64_t dim[4] = {5, 4, 3, 2};  // x, y, z, frames
  double slope = 0.5, inter = 3;
  int qformCode = 0, sformCode = 1;
  double quatern[3] = {0, 0, 0}, qoffset[3] = {0, 0, 0}, pixdim[5] = {1, 2, 2.5, 3, 2000};
  double srow[3][4] = {{2, 0.1, 0, -10}, {0, 2.5, 0.2, -20}, {0.05, 0, 3, -30}};
  int xyztUnits = 2 | 16;  // mm, ms
  bool bigEndian = false;

  std::size_t voxels() const { return std::size_t(dim[0] * dim[1] * dim[2] * dim[3]); }
  std::int16_t stored(std::size_t i) const { return std::int16_t(int(i % 97) - 40); }

  std::string bytes() const {
    std::string b(544, '\0');
    auto put = [&](std::size_t at, auto v) {
      unsigned char raw[sizeof v];
      std::memcpy(raw, &v, sizeof v);
      if (bigEndian) std::reverse(raw, raw + sizeof v);
      std::memcpy(&b[at], raw, sizeof v);
    };
    put(0, std::int32_t(540));
    std::memcpy(&b[4], "n+2\0\r\n\032\n", 8);
    put(12, std::int16_t(4));   // DT_INT16
    put(14, std::int16_t(16));  // bitpix
    put(16, std::int64_t(4));
    for (int i = 0; i < 4; ++i) put(24 + 8 * i, dim[i]);
    for (int i = 5; i < 8; ++i) put(16 + 8 * i, std::int64_t(1));
    put(104, double(1));  // qfac
    for (int i = 0; i < 4; ++i) put(112 + 8 * i, pixdim[i + 1]);
    put(168, std::int64_t(544));
    put(176, slope);
    put(184, inter);
    put(344, std::int32_t(qformCode));
    put(348, std::int32_t(sformCode));
    for (int i = 0; i < 3; ++i) put(352 + 8 * i, quatern[i]);
    for (int i = 0; i < 3; ++i) put(376 + 8 * i, qoffset[i]);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) put(400 + 32 * r + 8 * c, srow[r][c]);
    put(500, std::int32_t(xyztUnits));
    for (std::size_t i = 0; i < voxels(); ++i) {
      b.resize(b.size() + 2);
      put(b.size() - 2, stored(i));
    }
    return b;
  }

  void save(const std::string& path) const {
    const std::string b = bytes();
    if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
      gzFile f = gzopen(path.c_str(), "wb");
      gzwrite(f, b.data(), unsigned(b.size()));
      gzclose(f);
    } else {
      std::ofstream(path, std::ios::binary) << b;
    }
  }
};

void expectOneLineError(const std::string& path, const std::string& fragment) {
  try {
    readVolumeSeries(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const ImageIOError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find(fragment), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
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
  // The stored int16 and its scaling, so that an output can be written back the same way.
  EXPECT_EQ(run.storedType, StoredType::Int16);
  EXPECT_EQ(run.storedSlope, double(h.sclSlope));
  EXPECT_EQ(run.storedIntercept, double(h.sclInter));
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
  const auto expectError = expectOneLineError;
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

TEST(ImageIO, Nifti2ReadsTheSameInBothByteOrdersPlainAndGzipped) {
  test::ScratchDir dir;
  Nifti2File file;
  for (bool big : {false, true})
    for (const char* ext : {".nii", ".nii.gz"}) {
      file.bigEndian = big;
      const std::string path = dir.file(std::string(big ? "be" : "le") + ext);
      file.save(path);
      EXPECT_EQ(niftiFrameCount(path), 2) << path;
      const VolumeSeries run = readVolumeSeries(path);
      EXPECT_EQ(run.frameCount, 2) << path;
      EXPECT_EQ(run.geometry.size[0], 5);
      EXPECT_EQ(run.geometry.size[2], 3);
      EXPECT_EQ(run.storedType, StoredType::Int16) << path;
      EXPECT_EQ(run.storedSlope, 0.5);
      EXPECT_EQ(run.storedIntercept, 3.0);
      EXPECT_DOUBLE_EQ(run.repetitionTime, 2.0) << "2000 ms";
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) EXPECT_EQ(run.geometry.voxelToWorld(r, c), file.srow[r][c]) << path;
      ASSERT_EQ(run.voxels.size(), file.voxels());
      for (std::size_t i = 0; i < file.voxels(); ++i)
        ASSERT_EQ(run.voxels[i], float(file.stored(i) * 0.5 + 3)) << path << " voxel " << i;
    }
}

TEST(ImageIO, Nifti2WithoutSformUsesTheQformThenPixdim) {
  test::ScratchDir dir;
  Nifti2File file;
  file.sformCode = 0;
  file.qformCode = 1;
  file.quatern[2] = std::sin(0.25);  // 0.5 rad about z
  file.qoffset[0] = 7;
  file.qoffset[2] = -4;
  file.bigEndian = true;
  file.save(dir.file("q.nii"));
  const Matrix4 q = readVolumeSeries(dir.file("q.nii")).geometry.voxelToWorld;
  const double expected[3][4] = {{2 * std::cos(0.5), -2.5 * std::sin(0.5), 0, 7},
                                 {2 * std::sin(0.5), 2.5 * std::cos(0.5), 0, 0},
                                 {0, 0, 3, -4}};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_NEAR(q(r, c), expected[r][c], 1e-12) << r << "," << c;

  file.qformCode = 0;
  file.slope = 0;  // no scaling: the stored integers as they are
  file.xyztUnits = 2 | 8;
  file.pixdim[4] = 0;  // the file does not say
  file.save(dir.file("p.nii"));
  const VolumeSeries p = readVolumeSeries(dir.file("p.nii"));
  // Neither form: ITK (and so Slicer) keeps an identity direction in its LPS world, which is -x, -y
  // in RAS; the pixdim-only matrix of NIfTI's method 1 would put the image mirrored in Slicer.
  const double diagonal[3] = {-2, -2.5, 3};
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_EQ(p.geometry.voxelToWorld(r, c), r == c ? diagonal[r] : 0.0);
  EXPECT_EQ(p.storedType, StoredType::Int16);
  EXPECT_EQ(p.repetitionTime, 0.0);
  EXPECT_EQ(p.voxels[1], float(file.stored(1)));
}

TEST(ImageIO, TruncatedNifti2IsAOneLineErrorNamingTheFile) {
  test::ScratchDir dir;
  const std::string bytes = Nifti2File{}.bytes();
  std::ofstream(dir.file("cut.nii"), std::ios::binary) << bytes.substr(0, bytes.size() - 10);
  expectOneLineError(dir.file("cut.nii"), "truncated");
  gzFile f = gzopen(dir.file("cut.nii.gz").c_str(), "wb");
  gzwrite(f, bytes.data(), unsigned(bytes.size() - 10));
  gzclose(f);
  expectOneLineError(dir.file("cut.nii.gz"), "truncated");
  std::ofstream(dir.file("header.nii"), std::ios::binary) << bytes.substr(0, 300);
  expectOneLineError(dir.file("header.nii"), "truncated");
  EXPECT_EQ(niftiFrameCount(dir.file("header.nii")), -1);
}

TEST(ImageIO, FrameCountFromTheHeaderAlone) {
  test::ScratchDir dir;
  Nifti2File file;
  file.dim[3] = 7;
  file.bigEndian = true;
  const std::string bytes = file.bytes();
  std::ofstream(dir.file("header-only.nii"), std::ios::binary) << bytes.substr(0, 544);  // no voxels needed
  EXPECT_EQ(niftiFrameCount(dir.file("header-only.nii")), 7);
  Volume v{smallObliqueRun(1).geometry, std::vector<float>(smallObliqueRun(1).voxels)};
  writeVolume(dir.file("vol3d.nii.gz"), v);
  EXPECT_EQ(niftiFrameCount(dir.file("vol3d.nii.gz")), 1);
  writeVolumeSeries(dir.file("run.nii"), smallObliqueRun(3));
  EXPECT_EQ(niftiFrameCount(dir.file("run.nii")), 3);
  EXPECT_EQ(niftiFrameCount(dir.file("missing.nii")), -1);
  std::ofstream(dir.file("text.nii")) << "not an image";
  EXPECT_EQ(niftiFrameCount(dir.file("text.nii")), -1);
}

TEST(ImageIO, OneFrameOfANiftiRunAsAVolume) {
  test::ScratchDir dir;
  const VolumeSeries run = smallObliqueRun(3);
  writeVolumeSeries(dir.file("run.nii.gz"), run);
  EXPECT_THROW(readVolume(dir.file("run.nii.gz")), ImageIOError);
  const Volume first = readVolume(dir.file("run.nii.gz"), true);
  EXPECT_TRUE(first.geometry.sameGridAs(run.geometry, 1e-4));
  ASSERT_EQ(first.voxels.size(), run.frameSize());
  for (std::size_t i = 0; i < run.frameSize(); ++i) ASSERT_EQ(first.voxels[i], run.voxels[i]);
}
