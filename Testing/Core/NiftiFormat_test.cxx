// The project's NIfTI reader/writer and gzip layer against ITK 5.2 (which 3D Slicer reads the same
// files with), zlib and hand-written headers.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zlib.h>

#include <itkImage.h>
#include <itkImageFileReader.h>
#include <itkNiftiImageIOFactory.h>

#include "AtomicOutput.h"
#include "Gzip.h"
#include "ImageIO.h"
#include "NiftiFormat.h"
#include "SyntheticRun.h"
#include "TestSupport.h"

using namespace mc;

namespace {

using ItkImage = itk::Image<float, 4>;

struct ItkRead {
  std::vector<float> voxels;
  Matrix4 voxelToWorld;  // RAS
  int size[4];
};

// What ITK (and so Slicer) sees: its LPS direction, spacing and origin turned into RAS.
ItkRead readWithItk(const std::string& path) {
  static const bool once = [] {
    itk::NiftiImageIOFactory::RegisterOneFactory();
    return true;
  }();
  (void)once;
  auto reader = itk::ImageFileReader<ItkImage>::New();
  reader->SetFileName(path);
  reader->Update();
  const ItkImage* image = reader->GetOutput();
  ItkRead r;
  const auto size = image->GetLargestPossibleRegion().GetSize();
  for (int a = 0; a < 4; ++a) r.size[a] = int(size[a]);
  const auto& dir = image->GetDirection();
  const auto& sp = image->GetSpacing();
  const auto& org = image->GetOrigin();
  for (int row = 0; row < 3; ++row) {
    const double flip = row < 2 ? -1.0 : 1.0;
    for (int c = 0; c < 3; ++c) r.voxelToWorld(row, c) = flip * dir(row, c) * sp[c];
    r.voxelToWorld(row, 3) = flip * org[row];
  }
  const std::size_t n = std::size_t(size[0]) * size[1] * size[2] * size[3];
  r.voxels.assign(image->GetBufferPointer(), image->GetBufferPointer() + n);
  return r;
}

void expectSameAsItk(const std::string& path, const VolumeSeries& ours) {
  const ItkRead itk = readWithItk(path);
  for (int a = 0; a < 3; ++a) EXPECT_EQ(ours.geometry.size[a], itk.size[a]) << path;
  ASSERT_EQ(ours.voxels.size(), itk.voxels.size()) << path;
  for (std::size_t i = 0; i < itk.voxels.size(); ++i)
    ASSERT_EQ(ours.voxels[i], itk.voxels[i]) << path << " voxel " << i;
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c)
      EXPECT_NEAR(ours.geometry.voxelToWorld(r, c), itk.voxelToWorld(r, c), 1e-5)
          << path << " (" << r << "," << c << ")\nours\n" << ours.geometry.voxelToWorld << "\nITK\n" << itk.voxelToWorld;
}

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void writeBytes(const std::string& path, const std::string& bytes) {
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    gzFile f = gzopen(path.c_str(), "wb6");  // one zlib member, no subfield: a "foreign" gzip
    gzwrite(f, bytes.data(), unsigned(bytes.size()));
    gzclose(f);
  } else {
    std::ofstream(path, std::ios::binary) << bytes;
  }
}

VolumeSeries obliqueRun(int frames, double obliqueDeg = 17) {
  PhantomOptions o;
  o.size = {24, 20, 12};
  o.spacing = {3.0, 3.2, 4.0};
  o.obliqueDeg = obliqueDeg;
  o.noise = 0.02;
  std::vector<RigidParameters> motion(frames);
  return generatePhantomRun(o, motion).run;
}

// A NIfTI-1 file written field by field, any datatype, either byte order.
struct Nifti1File {
  int nx = 5, ny = 4, nz = 3, nt = 2;
  int datatype = 4;  // int16
  float slope = 0, inter = 0;
  int qformCode = 1, sformCode = 0;
  float quatern[3] = {0.1f, -0.2f, 0.05f}, qoffset[3] = {10, -20, 30};
  float pixdim[5] = {-1, 2, 2.5f, 3, 1500};
  float srow[3][4] = {{-2, 0.1f, 0, 10}, {0, 2.5f, 0.2f, -20}, {0.05f, 0, 3, 30}};
  int xyztUnits = 2 | 16;
  float voxOffset = 352;
  bool bigEndian = false;
  std::int16_t sizeofHdr = 348;

  std::size_t count() const { return nx > 0 && ny > 0 && nz > 0 && nt > 0 ? std::size_t(nx) * ny * nz * nt : 0; }
  static std::size_t sizeOf(int dt) {
    switch (dt) {
      case 2: case 256: return 1;
      case 4: case 512: return 2;
      case 64: return 8;
      default: return 4;
    }
  }
  // A value representable in every type, different per voxel.
  double value(std::size_t i) const {
    const double v = double(int(i % 113));
    return datatype == 256 || datatype == 4 || datatype == 8 ? v - 50 : datatype == 16 || datatype == 64 ? v * 0.37 - 9 : v;
  }
  double expected(std::size_t i) const {
    const bool scaled = slope != 0 && (slope != 1 || inter != 0);
    return scaled ? float(value(i) * double(slope) + double(inter)) : float(value(i));
  }

  std::string bytes() const {
    std::string b(std::size_t(voxOffset), '\0');
    auto put = [&](std::size_t at, auto v) {
      unsigned char raw[sizeof v];
      std::memcpy(raw, &v, sizeof v);
      if (bigEndian) std::reverse(raw, raw + sizeof v);
      if (b.size() < at + sizeof v) b.resize(at + sizeof v);
      std::memcpy(&b[at], raw, sizeof v);
    };
    put(0, std::int32_t(sizeofHdr));
    const std::int16_t dim[8] = {4, std::int16_t(nx), std::int16_t(ny), std::int16_t(nz), std::int16_t(nt), 1, 1, 1};
    for (int i = 0; i < 8; ++i) put(40 + 2 * i, dim[i]);
    put(70, std::int16_t(datatype));
    put(72, std::int16_t(8 * sizeOf(datatype)));
    for (int i = 0; i < 5; ++i) put(76 + 4 * i, pixdim[i]);
    put(108, voxOffset);
    put(112, slope);
    put(116, inter);
    b[123] = char(xyztUnits);
    put(252, std::int16_t(qformCode));
    put(254, std::int16_t(sformCode));
    for (int i = 0; i < 3; ++i) put(256 + 4 * i, quatern[i]);
    for (int i = 0; i < 3; ++i) put(268 + 4 * i, qoffset[i]);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) put(280 + 16 * r + 4 * c, srow[r][c]);
    std::memcpy(&b[344], "n+1", 4);
    b.resize(std::size_t(voxOffset));
    for (std::size_t i = 0; i < count(); ++i) {
      const double v = value(i);
      const std::size_t at = b.size();
      switch (datatype) {
        case 2: put(at, std::uint8_t(v)); break;
        case 256: put(at, std::int8_t(v)); break;
        case 4: put(at, std::int16_t(v)); break;
        case 512: put(at, std::uint16_t(v)); break;
        case 8: put(at, std::int32_t(v)); break;
        case 768: put(at, std::uint32_t(v)); break;
        case 16: put(at, float(v)); break;
        default: put(at, double(v)); break;
      }
    }
    return b;
  }
};

void expectError(const std::string& path, const std::string& fragment) {
  try {
    readVolumeSeries(path);
    ADD_FAILURE() << "no error for " << path;
  } catch (const ImageIOError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind(path + ": ", 0), 0u) << m;
    EXPECT_NE(m.find(fragment), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
}

const StoredType kAllTypes[] = {StoredType::UInt8, StoredType::Int8,  StoredType::UInt16,  StoredType::Int16,
                                StoredType::UInt32, StoredType::Int32, StoredType::Float32, StoredType::Float64};
const int kDatatypes[] = {2, 256, 512, 4, 768, 8, 16, 64};

}  // namespace

TEST(NiftiFormat, RealFilesReadExactlyAsItkReadsThem) {
  for (const char* name : {"allineate_epi3d.nii.gz", "colin27_ch2_t1.nii.gz", "nibabel_example4d.nii.gz",
                           "pydecnef_sub-1_run-1_bold_vols000-149.nii.gz", "studyforrest_localizer_bold.nii.gz"}) {
    const std::string path = test::dataFile(name);
    expectSameAsItk(path, nifti::readSeries(path, 2));
  }
  const VolumeSeries bold = readVolumeSeries(test::dataFile("studyforrest_localizer_bold.nii.gz"));
  EXPECT_EQ(bold.storedType, StoredType::Int16);
  EXPECT_GT(bold.storedSlope, 75.0);
  EXPECT_DOUBLE_EQ(bold.repetitionTime, 2.0);
}

TEST(NiftiFormat, FilesWeWriteReadTheSameInItk) {
  test::ScratchDir dir;
  const VolumeSeries run = obliqueRun(3);
  for (const char* name : {"run.nii.gz", "run.nii"}) {
    writeVolumeSeries(dir.file(name), run, StoredFormat{}, 2);
    const VolumeSeries back = readVolumeSeries(dir.file(name));
    expectSameAsItk(dir.file(name), back);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) EXPECT_NEAR(back.geometry.voxelToWorld(r, c), run.geometry.voxelToWorld(r, c), 1e-4);
  }
  // A mirrored grid (qfac -1) and a 3D volume.
  VolumeSeries mirrored = obliqueRun(2, 5);
  for (int r = 0; r < 3; ++r) mirrored.geometry.voxelToWorld(r, 0) *= -1;
  writeVolumeSeries(dir.file("mirrored.nii.gz"), mirrored, StoredType::Int16);
  const VolumeSeries m = readVolumeSeries(dir.file("mirrored.nii.gz"));
  expectSameAsItk(dir.file("mirrored.nii.gz"), m);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 4; ++c) EXPECT_NEAR(m.geometry.voxelToWorld(r, c), mirrored.geometry.voxelToWorld(r, c), 1e-4);
  writeVolume(dir.file("vol.nii.gz"), run.extractFrame(1));
  const Volume v = readVolume(dir.file("vol.nii.gz"));
  VolumeSeries asRun;
  asRun.geometry = v.geometry;
  asRun.voxels = v.voxels;
  expectSameAsItk(dir.file("vol.nii.gz"), asRun);
}

TEST(NiftiFormat, HandWrittenHeadersEveryTypeBothByteOrdersAsItk) {
  test::ScratchDir dir;
  for (int k = 0; k < 8; ++k)
    for (bool big : {false, true})
      for (const char* ext : {".nii", ".nii.gz"}) {
        const int dt = kDatatypes[k];
        Nifti1File f;
        f.datatype = dt;
        f.bigEndian = big;
        const std::string path = dir.file("t" + std::to_string(dt) + (big ? "be" : "le") + ext);
        writeBytes(path, f.bytes());
        const VolumeSeries run = readVolumeSeries(path);
        EXPECT_EQ(run.storedType, kAllTypes[k]) << path;
        ASSERT_EQ(run.voxels.size(), f.count());
        for (std::size_t i = 0; i < f.count(); ++i) ASSERT_EQ(run.voxels[i], float(f.expected(i))) << path << " " << i;
        EXPECT_DOUBLE_EQ(run.repetitionTime, 1.5) << "1500 ms";
        expectSameAsItk(path, run);
      }
}

TEST(NiftiFormat, GeometryRulesAsItk) {
  test::ScratchDir dir;
  struct Case {
    const char* name;
    int q, s;
    bool shearQ;
  } cases[] = {{"qform-only", 1, 0, false}, {"sform-only", 0, 2, false}, {"both-scanner", 1, 1, false},
               {"both-aligned", 1, 2, false}, {"neither", 0, 0, false}};
  for (const auto& c : cases) {
    Nifti1File f;
    f.qformCode = c.q;
    f.sformCode = c.s;
    f.slope = 0.5f;
    f.inter = -3;
    // An orthogonal sform (rotation 30 degrees about z, spacing 2, 2.5, 3) unlike the qform.
    const float cs = std::cos(0.5236f), sn = std::sin(0.5236f);
    const float s[3][4] = {{2 * cs, -2.5f * sn, 0, 5}, {2 * sn, 2.5f * cs, 0, 6}, {0, 0, 3, 7}};
    std::memcpy(f.srow, s, sizeof s);
    const std::string path = dir.file(std::string(c.name) + ".nii");
    writeBytes(path, f.bytes());
    expectSameAsItk(path, readVolumeSeries(path));
  }
}

TEST(NiftiFormat, RoundTripEveryTypeWithScaling) {
  test::ScratchDir dir;
  VolumeSeries run = obliqueRun(2);
  for (float& v : run.voxels) v = std::floor(v * 0.1f) * 0.5f;  // on the int grid of slope 0.5
  for (StoredType t : kAllTypes)
    for (const char* ext : {".nii", ".nii.gz"}) {
      const bool integer = t != StoredType::Float32 && t != StoredType::Float64;
      const StoredFormat format{t, integer ? 0.5 : 1.0, 0.0};
      const std::string path = dir.file("rt" + std::to_string(int(t)) + ext);
      writeVolumeSeries(path, run, format, 2);
      const VolumeSeries back = readVolumeSeries(path);
      EXPECT_EQ(back.storedType, t) << path;
      EXPECT_EQ(back.storedSlope, format.slope) << path;
      ASSERT_EQ(back.voxels.size(), run.voxels.size());
      for (std::size_t i = 0; i < run.voxels.size(); ++i) {
        double expect = run.voxels[i];
        if (integer) {
          const double lo = t == StoredType::UInt8 || t == StoredType::UInt16 || t == StoredType::UInt32 ? 0
                            : t == StoredType::Int8                                                    ? -128
                                                                                                       : -1e12;
          const double hi = t == StoredType::UInt8 ? 255 : t == StoredType::Int8 ? 127 : 1e12;
          expect = std::clamp(std::nearbyint(expect / 0.5), lo, hi) * 0.5;
        }
        ASSERT_EQ(back.voxels[i], float(expect)) << path << " voxel " << i;
      }
      expectSameAsItk(path, back);
    }
}

TEST(NiftiFormat, Nifti2ReadsAsItsNifti1Twin) {
  // Same header fields in NIfTI-2 layout: the same voxels and matrix (ITK 5.2 cannot read NIfTI-2).
  test::ScratchDir dir;
  Nifti1File f;
  f.sformCode = 1;
  f.slope = 2;
  writeBytes(dir.file("one.nii"), f.bytes());
  const VolumeSeries one = readVolumeSeries(dir.file("one.nii"));
  const std::string b1 = f.bytes();
  std::string b(544, '\0');
  auto put = [&](std::size_t at, auto v) { std::memcpy(&b[at], &v, sizeof v); };
  auto get16 = [&](std::size_t at) { std::int16_t v; std::memcpy(&v, &b1[at], 2); return v; };
  auto getf = [&](std::size_t at) { float v; std::memcpy(&v, &b1[at], 4); return double(v); };
  put(0, std::int32_t(540));
  std::memcpy(&b[4], "n+2\0\r\n\032\n", 8);
  put(12, get16(70));
  put(14, get16(72));
  for (int i = 0; i < 8; ++i) put(16 + 8 * i, std::int64_t(get16(40 + 2 * i)));
  for (int i = 0; i < 8; ++i) put(104 + 8 * i, getf(76 + 4 * i));
  put(168, std::int64_t(544));
  put(176, getf(112));
  put(184, getf(116));
  put(344, std::int32_t(get16(252)));
  put(348, std::int32_t(get16(254)));
  for (int i = 0; i < 6; ++i) put(352 + 8 * i, getf(256 + 4 * i));
  for (int i = 0; i < 12; ++i) put(400 + 8 * i, getf(280 + 4 * i));
  put(500, std::int32_t(b1[123]));
  b += b1.substr(352);
  for (const char* name : {"two.nii", "two.nii.gz"}) {
    writeBytes(dir.file(name), b);
    const VolumeSeries two = readVolumeSeries(dir.file(name));
    EXPECT_EQ(two.voxels, one.voxels);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) EXPECT_NEAR(two.geometry.voxelToWorld(r, c), one.geometry.voxelToWorld(r, c), 1e-6);
    EXPECT_EQ(niftiFrameCount(dir.file(name)), 2);
  }
}

TEST(NiftiFormat, GzipOutputIsStandardAndIndependentOfThreads) {
  test::ScratchDir dir;
  VolumeSeries run = obliqueRun(12);
  writeVolumeSeries(dir.file("t1.nii.gz"), run, StoredFormat{}, 1);
  writeVolumeSeries(dir.file("t2.nii.gz"), run, StoredFormat{}, 2);
  writeVolumeSeries(dir.file("t3.nii.gz"), run, StoredFormat{}, 3);
  const std::string one = readBytes(dir.file("t1.nii.gz"));
  EXPECT_GT(one.size(), 1000u);
  EXPECT_EQ(one, readBytes(dir.file("t2.nii.gz")));
  EXPECT_EQ(one, readBytes(dir.file("t3.nii.gz")));
  EXPECT_EQ(std::system(("gzip -t " + dir.file("t1.nii.gz")).c_str()), 0);
  // zlib reads the concatenated members as one stream: header then voxels.
  gzFile f = gzopen(dir.file("t1.nii.gz").c_str(), "rb");
  std::vector<float> all(run.voxels.size() + 88);
  const int got = gzread(f, all.data(), unsigned(all.size() * 4));
  gzclose(f);
  ASSERT_EQ(got, int(352 + run.voxels.size() * 4));
  EXPECT_EQ(std::memcmp(all.data() + 88, run.voxels.data(), run.voxels.size() * 4), 0);
  for (int threads : {1, 2}) EXPECT_EQ(readVolumeSeries(dir.file("t1.nii.gz"), threads).voxels, run.voxels);
}

TEST(NiftiFormat, StreamingWriterMatchesWholeRunWriterAndCleansUp) {
  test::ScratchDir dir;
  const VolumeSeries run = obliqueRun(5);
  const StoredFormat i16{StoredType::Int16, 0.25, 1};
  for (const char* ext : {".nii.gz", ".nii", ".nrrd"}) {
    const std::string whole = dir.file(std::string("whole") + ext), streamed = dir.file(std::string("stream") + ext);
    writeVolumeSeries(whole, run, i16, 2);
    {
      VolumeSeriesWriter w(streamed, run.geometry, run.frameCount, run.repetitionTime, i16, 2);
      for (int t = 0; t < run.frameCount; ++t) w.writeFrame(run.frame(t));
      w.finish();
    }
    if (std::string(ext) != ".nrrd") EXPECT_EQ(readBytes(whole), readBytes(streamed)) << ext;
    EXPECT_EQ(readVolumeSeries(whole).voxels, readVolumeSeries(streamed).voxels) << ext;
    const std::string partial = dir.file(std::string("partial") + ext);
    {
      VolumeSeriesWriter w(partial, run.geometry, run.frameCount, run.repetitionTime, i16, 2);
      w.writeFrame(run.frame(0));
      w.writeFrame(run.frame(1));
    }
    EXPECT_FALSE(std::filesystem::exists(partial)) << ext;
  }
  // Through a transaction: the staged temporary becomes the target at commit, or disappears.
  {
    OutputTransaction tx;
    const std::string tmp = tx.stagePath(dir.file("tx.nii.gz"));
    VolumeSeriesWriter w(tmp, run.geometry, run.frameCount, run.repetitionTime, {}, 2, dir.file("tx.nii.gz"));
    for (int t = 0; t < run.frameCount; ++t) w.writeFrame(run.frame(t));
    w.finish();
    tx.commit();
  }
  EXPECT_EQ(readVolumeSeries(dir.file("tx.nii.gz")).voxels, run.voxels);
  {
    OutputTransaction tx;
    const std::string tmp = tx.stagePath(dir.file("abandoned.nii.gz"));
    VolumeSeriesWriter w(tmp, run.geometry, run.frameCount, run.repetitionTime, {}, 2);
    w.writeFrame(run.frame(0));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("abandoned.nii.gz")));
  for (const auto& e : dir.entries()) EXPECT_EQ(e.find(".tmp"), std::string::npos) << e;
}

TEST(NiftiFormat, BadHeadersGiveOneLineErrorsNamingFileAndField) {
  test::ScratchDir dir;
  const auto write = [&](const std::string& name, const Nifti1File& f) {
    writeBytes(dir.file(name), f.bytes());
    return dir.file(name);
  };
  Nifti1File f;
  f.sizeofHdr = 0;
  expectError(write("size0.nii", f), "bad header: sizeof_hdr is 0, expected 348 or 540");
  f = {};
  std::string b = f.bytes();
  std::memcpy(&b[344], "abc", 4);
  writeBytes(dir.file("magic.nii"), b);
  expectError(dir.file("magic.nii"), "magic is 'abc', expected 'n+1'");
  f = {};
  f.nz = 0;
  expectError(write("dim0.nii.gz", f), "dim[3] is 0, must be positive");
  f = {};
  f.nx = -4;
  expectError(write("dimneg.nii", f), "dim[1] is -4");
  f = {};
  f.datatype = 32;
  expectError(write("complex.nii", f), "unsupported NIfTI datatype 32 (complex64)");
  f = {};
  f.voxOffset = 352;
  b = f.bytes();
  const float past = 1e6f;
  std::memcpy(&b[108], &past, 4);
  writeBytes(dir.file("offset.nii"), b);
  expectError(dir.file("offset.nii"), "vox_offset is 1000000, past the end of the file");
  // A header claiming 100000^3 x 8 voxels fails at once, with nothing of that size allocated.
  f = {};
  b = f.bytes();
  auto put32 = [&](std::string& s, std::size_t at, std::int64_t v) { std::memcpy(&s[at], &v, 8); };
  std::string big(544, '\0');
  const std::int32_t s540 = 540;
  std::memcpy(&big[0], &s540, 4);
  std::memcpy(&big[4], "n+2\0\r\n\032\n", 8);
  const std::int16_t dt = 16, bp = 32;
  std::memcpy(&big[12], &dt, 2);
  std::memcpy(&big[14], &bp, 2);
  const std::int64_t dims[5] = {4, 100000, 100000, 100000, 8};
  for (int i = 0; i < 5; ++i) put32(big, 16 + 8 * i, dims[i]);
  put32(big, 168, 544);
  big += std::string(4096, '\1');
  for (const char* name : {"huge.nii", "huge.nii.gz"}) {
    writeBytes(dir.file(name), big);
    const auto t0 = std::chrono::steady_clock::now();
    expectError(dir.file(name), "claims 100000x100000x100000x8 float32 voxels (32 PB)");
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 1.0);
  }
}

TEST(NiftiFormat, TruncatedFilesAreRefused) {
  test::ScratchDir dir;
  const VolumeSeries run = obliqueRun(200);  // 4.6 MB: a header member and 5 voxel members
  writeVolumeSeries(dir.file("ours.nii.gz"), run, StoredFormat{}, 2);
  writeVolumeSeries(dir.file("plain.nii"), run, StoredFormat{}, 2);
  Nifti1File foreign;
  foreign.nt = 200;
  writeBytes(dir.file("zlib.nii.gz"), foreign.bytes());
  for (const char* name : {"ours.nii.gz", "plain.nii", "zlib.nii.gz"}) {
    const std::string bytes = readBytes(dir.file(name));
    for (double keep : {0.5, 0.99}) {
      const std::string cut = dir.file("cut-" + std::to_string(int(keep * 100)) + "-" + name);
      std::ofstream(cut, std::ios::binary) << bytes.substr(0, std::size_t(double(bytes.size()) * keep));
      expectError(cut, "truncated");
    }
  }
  // A whole member missing from the middle of ours: the stream is short, not corrupt.
  std::string bytes = readBytes(dir.file("ours.nii.gz"));
  std::vector<gzip::Member> members;
  gzip::scanMembers("x", bytes.size(), [&](std::uint64_t at, std::size_t n, unsigned char* out) {
    const std::size_t k = std::min<std::size_t>(n, bytes.size() - at);
    std::memcpy(out, bytes.data() + at, k);
    return k;
  }, members);
  ASSERT_GE(members.size(), 4u);
  bytes.erase(members[2].offset, members[2].compressedSize);
  std::ofstream(dir.file("gap.nii.gz"), std::ios::binary) << bytes;
  expectError(dir.file("gap.nii.gz"), "truncated");
}

TEST(NiftiFormat, CompressedSizeWithinTenPercentOfZlib6) {
  const auto zlib6 = [](const std::string& s) {
    uLongf n = compressBound(uLong(s.size()));
    std::vector<unsigned char> out(n);
    compress2(out.data(), &n, reinterpret_cast<const unsigned char*>(s.data()), uLong(s.size()), 6);
    return double(n);
  };
  test::ScratchDir dir;
  // (a) a phantom float32 run (with noise, as real data has).
  PhantomOptions o;
  o.size = {64, 64, 33};
  TrajectoryOptions t;
  t.frames = 12;
  const VolumeSeries phantom = generatePhantomRun(o, realisticTrajectory(t)).run;
  writeVolumeSeries(dir.file("phantom.nii.gz"), phantom, StoredFormat{}, 2);
  writeVolumeSeries(dir.file("phantom.nii"), phantom, StoredFormat{}, 2);
  const double ours = double(std::filesystem::file_size(dir.file("phantom.nii.gz")));
  EXPECT_LT(ours, 1.10 * zlib6(readBytes(dir.file("phantom.nii")))) << ours;
  // (b) real int16 BOLD data, rewritten as int16 with its scaling.
  const VolumeSeries bold = readVolumeSeries(test::dataFile("studyforrest_localizer_bold.nii.gz"));
  writeVolumeSeries(dir.file("bold.nii.gz"), bold, bold.storedFormat(), 2);
  writeVolumeSeries(dir.file("bold.nii"), bold, bold.storedFormat(), 2);
  const double oursBold = double(std::filesystem::file_size(dir.file("bold.nii.gz")));
  EXPECT_LT(oursBold, 1.10 * zlib6(readBytes(dir.file("bold.nii")))) << oursBold;
  EXPECT_EQ(readVolumeSeries(dir.file("bold.nii.gz")).voxels, bold.voxels);
}

// Not a check by itself: writes files and what they hold for the nibabel test (nibabel_test.sh).
TEST(NiftiFormat, WriteFilesForNibabel) {
  const char* out = std::getenv("MC_NIBABEL_DIR");
  if (!out) GTEST_SKIP() << "MC_NIBABEL_DIR not set";
  const VolumeSeries run = obliqueRun(3);
  std::ofstream list(std::string(out) + "/files.txt");
  list.precision(17);
  int k = 0;
  for (StoredType t : {StoredType::Float32, StoredType::Int16, StoredType::UInt8, StoredType::Float64})
    for (const char* ext : {".nii.gz", ".nii"}) {
      const std::string name = "f" + std::to_string(k++) + ext;
      const bool integer = t == StoredType::Int16 || t == StoredType::UInt8;
      writeVolumeSeries(std::string(out) + "/" + name, run, StoredFormat{t, integer ? 0.5 : 1.0, integer ? 2.0 : 0.0}, 2);
      const VolumeSeries back = readVolumeSeries(std::string(out) + "/" + name);
      const std::string raw = name + ".f32";
      std::ofstream(std::string(out) + "/" + raw, std::ios::binary)
          .write(reinterpret_cast<const char*>(back.voxels.data()), std::streamsize(back.voxels.size() * 4));
      list << name << " " << raw;
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) list << " " << back.geometry.voxelToWorld(r, c);
      list << "\n";
    }
}
