#include "Nifti2Reader.h"
#include "ImageIO.h"  // niftiFrameCount is public

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <zlib.h>

namespace mc {
namespace {

struct GzFile {
  gzFile f;
  explicit GzFile(const std::string& path) : f(gzopen(path.c_str(), "rb")) {}
  ~GzFile() {
    if (f) gzclose(f);
  }
};

template <class T>
T at(const unsigned char* h, std::size_t offset) {
  T v;
  std::memcpy(&v, h + offset, sizeof v);
  return v;
}

template <class T>
T atSwapped(const unsigned char* h, std::size_t offset, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, h + offset, sizeof b);
  if (swap) std::reverse(b, b + sizeof b);
  return at<T>(b, 0);
}

template <class T>
void convert(const unsigned char* src, std::size_t n, float* dst, double slope, double inter, bool swap) {
  for (std::size_t i = 0; i < n; ++i) dst[i] = float(double(atSwapped<T>(src, i * sizeof(T), swap)) * slope + inter);
}

}  // namespace

bool isNifti2File(const std::string& path) {
  GzFile g(path);
  if (!g.f) return false;
  unsigned char h[4];
  if (gzread(g.f, h, 4) != 4) return false;
  const std::int32_t size = at<std::int32_t>(h, 0);
  return size == 540 || size == 0x1C020000;  // 540 byte-swapped
}

int niftiFrameCount(const std::string& path) {
  GzFile g(path);  // gzopen reads plain files as they are: .nii and .nii.gz alike
  if (!g.f) return -1;
  unsigned char h[540];
  const int got = gzread(g.f, h, sizeof h);
  if (got < 348) return -1;
  std::int64_t dim[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const std::int32_t size = at<std::int32_t>(h, 0), swappedSize = atSwapped<std::int32_t>(h, 0, true);
  if ((size == 348 || swappedSize == 348) && (std::memcmp(h + 344, "n+1", 4) == 0 || std::memcmp(h + 344, "ni1", 4) == 0)) {
    for (int i = 0; i < 8; ++i) dim[i] = atSwapped<std::int16_t>(h, 40 + 2 * i, size != 348);
  } else if ((size == 540 || swappedSize == 540) && got >= 540 &&
             (std::memcmp(h + 4, "n+2", 4) == 0 || std::memcmp(h + 4, "ni2", 4) == 0)) {
    for (int i = 0; i < 8; ++i) dim[i] = atSwapped<std::int64_t>(h, 16 + 8 * i, size != 540);
  } else {
    return -1;
  }
  if (dim[0] < 1 || dim[0] > 7) return -1;
  for (int i = 5; i <= dim[0]; ++i)
    if (dim[i] > 1) return -1;  // vectors, tensors: not a time series of scalars
  if (dim[0] < 4 || dim[4] < 1) return 1;
  return dim[4] > 0x7fffffff ? -1 : int(dim[4]);
}

VolumeSeries readNifti2(const std::string& path) {
  GzFile g(path);
  if (!g.f) throw std::runtime_error(path + ": cannot open");
  unsigned char h[540];
  if (gzread(g.f, h, sizeof h) != int(sizeof h)) throw std::runtime_error(path + ": truncated NIfTI-2 header");
  // Either byte order: sizeof_hdr reads 540 in the file's own.
  const bool swap = at<std::int32_t>(h, 0) != 540;
  if (swap && atSwapped<std::int32_t>(h, 0, true) != 540) throw std::runtime_error(path + ": not a NIfTI-2 header");
  const auto get = [&](auto zero, std::size_t offset) { return atSwapped<decltype(zero)>(h, offset, swap); };
  const std::int16_t datatype = get(std::int16_t(), 12);
  std::int64_t dim[8];
  double pixdim[8];
  for (int i = 0; i < 8; ++i) {
    dim[i] = get(std::int64_t(), 16 + 8 * i);
    pixdim[i] = get(double(), 104 + 8 * i);
  }
  const std::int64_t voxOffset = get(std::int64_t(), 168);
  double slope = get(double(), 176), inter = get(double(), 184);
  if (slope == 0 || !std::isfinite(slope)) {
    slope = 1;
    inter = 0;
  }
  if (dim[0] != 4 || dim[4] < 1)
    throw std::runtime_error(path + ": is not a 4D run (NIfTI-2 with " + std::to_string(dim[0]) + " dimensions)");
  for (int i = 5; i <= 7; ++i)
    if (dim[0] >= i && dim[i] > 1) throw std::runtime_error(path + ": has more than 4 dimensions");

  VolumeSeries run;
  ImageGeometry geo;
  for (int a = 0; a < 3; ++a) geo.size[a] = int(dim[a + 1]);
  const std::int32_t qcode = get(std::int32_t(), 344), scode = get(std::int32_t(), 348);
  Matrix4 m;
  if (scode > 0) {
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) m(r, c) = get(double(), 400 + 32 * r + 8 * c);
  } else if (qcode > 0) {
    const double b = get(double(), 352), c = get(double(), 360), d = get(double(), 368);
    const double a = std::sqrt(std::max(0.0, 1.0 - (b * b + c * c + d * d)));
    const double qfac = pixdim[0] < 0 ? -1.0 : 1.0;
    const double R[3][3] = {{a * a + b * b - c * c - d * d, 2 * (b * c - a * d), 2 * (b * d + a * c)},
                            {2 * (b * c + a * d), a * a + c * c - b * b - d * d, 2 * (c * d - a * b)},
                            {2 * (b * d - a * c), 2 * (c * d + a * b), a * a + d * d - c * c - b * b}};
    const double s[3] = {pixdim[1], pixdim[2], pixdim[3] * qfac};
    for (int r = 0; r < 3; ++r)
      for (int k = 0; k < 3; ++k) m(r, k) = R[r][k] * s[k];
    m(0, 3) = get(double(), 376);
    m(1, 3) = get(double(), 384);
    m(2, 3) = get(double(), 392);
  } else {
    for (int a = 0; a < 3; ++a) m(a, a) = pixdim[a + 1] > 0 ? pixdim[a + 1] : 1.0;
  }
  geo.voxelToWorld = m;
  run.allocate(geo, int(dim[4]));
  const std::int32_t units = get(std::int32_t(), 500) & 0x38;
  run.repetitionTime = pixdim[4] * (units == 16 ? 1e-3 : units == 24 ? 1e-6 : 1.0);

  std::size_t bytesPer = 0;
  switch (datatype) {
    case 2: run.storedType = StoredType::UInt8; bytesPer = 1; break;
    case 256: run.storedType = StoredType::Int8; bytesPer = 1; break;
    case 4: run.storedType = StoredType::Int16; bytesPer = 2; break;
    case 512: run.storedType = StoredType::UInt16; bytesPer = 2; break;
    case 8: run.storedType = StoredType::Int32; bytesPer = 4; break;
    case 768: run.storedType = StoredType::UInt32; bytesPer = 4; break;
    case 16: run.storedType = StoredType::Float32; bytesPer = 4; break;
    case 64: run.storedType = StoredType::Float64; bytesPer = 8; break;
    case 1024: run.storedType = StoredType::Other; bytesPer = 8; break;  // int64
    case 1280: run.storedType = StoredType::Other; bytesPer = 8; break;  // uint64
    default: throw std::runtime_error(path + ": unsupported NIfTI-2 datatype " + std::to_string(datatype));
  }
  if (slope != 1 || inter != 0) run.storedType = StoredType::Float32;  // scaled: written back as float
  // Skip to the voxels (extensions may sit between the header and vox_offset).
  if (gzseek(g.f, z_off_t(voxOffset), SEEK_SET) < 0) throw std::runtime_error(path + ": truncated before the voxels");
  const std::size_t n = run.voxels.size();
  std::vector<unsigned char> raw(n * bytesPer);
  std::size_t got = 0;
  while (got < raw.size()) {
    const unsigned chunk = unsigned(std::min<std::size_t>(raw.size() - got, 1u << 30));
    const int r = gzread(g.f, raw.data() + got, chunk);
    if (r <= 0) break;
    got += std::size_t(r);
  }
  if (got < raw.size())
    throw std::runtime_error(path + ": truncated file (" + std::to_string(got) + " of " + std::to_string(raw.size()) +
                             " voxel bytes)");
  float* dst = run.voxels.data();
  switch (datatype) {
    case 2: convert<std::uint8_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 256: convert<std::int8_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 4: convert<std::int16_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 512: convert<std::uint16_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 8: convert<std::int32_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 768: convert<std::uint32_t>(raw.data(), n, dst, slope, inter, swap); break;
    case 16: convert<float>(raw.data(), n, dst, slope, inter, swap); break;
    case 64: convert<double>(raw.data(), n, dst, slope, inter, swap); break;
    case 1024: convert<std::int64_t>(raw.data(), n, dst, slope, inter, swap); break;
    default: convert<std::uint64_t>(raw.data(), n, dst, slope, inter, swap); break;
  }
  return run;
}

}  // namespace mc
