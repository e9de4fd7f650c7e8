#include "NiftiFormat.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "Gzip.h"
#include "ImageIO.h"  // ImageIOError

namespace mc {
namespace nifti {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) { throw ImageIOError(path + ": " + what); }

template <class T>
T load(const unsigned char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof b);
  if (swap) std::reverse(b, b + sizeof b);
  T v;
  std::memcpy(&v, b, sizeof v);
  return v;
}

const char* typeName(int datatype) {
  switch (datatype) {
    case 2: return "uint8";
    case 4: return "int16";
    case 8: return "int32";
    case 16: return "float32";
    case 64: return "float64";
    case 256: return "int8";
    case 512: return "uint16";
    case 768: return "uint32";
    case 1: return "binary";
    case 32: return "complex64";
    case 128: return "rgb24";
    case 1024: return "int64";
    case 1280: return "uint64";
    case 1536: return "float128";
    case 1792: return "complex128";
    case 2048: return "complex256";
    case 2304: return "rgba32";
    default: return "unknown";
  }
}

int datatypeOf(StoredType t) {
  switch (t) {
    case StoredType::UInt8: return 2;
    case StoredType::Int8: return 256;
    case StoredType::UInt16: return 512;
    case StoredType::Int16: return 4;
    case StoredType::UInt32: return 768;
    case StoredType::Int32: return 8;
    case StoredType::Float64: return 64;
    default: return 16;
  }
}

std::size_t sizeOf(int datatype) {
  switch (datatype) {
    case 2: case 256: return 1;
    case 4: case 512: return 2;
    case 8: case 768: case 16: return 4;
    case 64: return 8;
    default: return 0;
  }
}

StoredType storedTypeOf(int datatype) {
  switch (datatype) {
    case 2: return StoredType::UInt8;
    case 256: return StoredType::Int8;
    case 4: return StoredType::Int16;
    case 512: return StoredType::UInt16;
    case 8: return StoredType::Int32;
    case 768: return StoredType::UInt32;
    case 16: return StoredType::Float32;
    case 64: return StoredType::Float64;
    default: return StoredType::Other;
  }
}

std::string humanBytes(long double b) {
  const char* units[] = {"bytes", "KB", "MB", "GB", "TB", "PB", "EB"};
  int u = 0;
  while (b >= 1000 && u < 6) b /= 1000, ++u;
  char s[64];
  std::snprintf(s, sizeof s, u == 0 ? "%.0Lf %s" : "%.3Lg %s", b, units[u]);
  return s;
}

std::string dimsText(const Header& h) {
  std::string s;
  for (int i = 1; i <= h.dim[0]; ++i) s += (i > 1 ? "x" : "") + std::to_string(h.dim[i]);
  return s;
}

// What the header claims, for error messages (may exceed 64 bits: dims are int64 in NIfTI-2).
long double claimedBytes(const Header& h) {
  long double n = h.bytesPerVoxel;
  for (int i = 1; i <= h.dim[0]; ++i) n *= (long double)h.dim[i];
  return n;
}

std::string claimText(const Header& h) {
  return "the header claims " + dimsText(h) + " " + typeName(h.datatype) + " voxels (" + humanBytes(claimedBytes(h)) +
         ")";
}

// ---- conversion of stored values to float (ITK's arithmetic: double(value) * slope + inter) ----

template <class T>
void convertTyped(const unsigned char* src, std::size_t n, float* dst, bool swap, bool scaled, double slope,
                  double inter) {
  // Ascending and one element at a time: dst may overlap src (in-place forward conversion).
  for (std::size_t i = 0; i < n; ++i) {
    const T v = load<T>(src + i * sizeof(T), swap);
    dst[i] = scaled ? float(double(v) * slope + inter) : float(v);
  }
}

void convert(const Header& h, const unsigned char* src, std::size_t n, float* dst) {
  const bool scaled = h.scaled();
  const double s = h.slope, b = h.inter;
  if (h.datatype == 16 && !h.swapped && !scaled) {
    std::memmove(dst, src, n * 4);
    return;
  }
  switch (h.datatype) {
    case 2: convertTyped<std::uint8_t>(src, n, dst, false, scaled, s, b); break;
    case 256: convertTyped<std::int8_t>(src, n, dst, false, scaled, s, b); break;
    case 4: convertTyped<std::int16_t>(src, n, dst, h.swapped, scaled, s, b); break;
    case 512: convertTyped<std::uint16_t>(src, n, dst, h.swapped, scaled, s, b); break;
    case 8: convertTyped<std::int32_t>(src, n, dst, h.swapped, scaled, s, b); break;
    case 768: convertTyped<std::uint32_t>(src, n, dst, h.swapped, scaled, s, b); break;
    case 16: convertTyped<float>(src, n, dst, h.swapped, scaled, s, b); break;
    default: convertTyped<double>(src, n, dst, h.swapped, scaled, s, b); break;
  }
}

// ---- files ----

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::size_t preadAll(int fd, unsigned char* out, std::size_t n, std::uint64_t offset) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd, out + got, n - got, off_t(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += std::size_t(r);
  }
  return got;
}

bool isGzip(int fd) {
  unsigned char m[2] = {0, 0};
  return preadAll(fd, m, 2, 0) == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

// Header bytes as decompressed: zlib streams just these few hundred bytes (libdeflate cannot stop
// early), and reads plain files as they are.
std::vector<unsigned char> headerBytes(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) fail(path, std::string("cannot open: ") + std::strerror(errno));
  std::vector<unsigned char> h(544);
  const int got = gzread(f, h.data(), unsigned(h.size()));
  gzclose(f);
  h.resize(got > 0 ? std::size_t(got) : 0);
  return h;
}

// ---- geometry as ITK 5.2 (NiftiImageIO + nifti1_io) derives it ----

struct Mat {
  double m[3][4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
};

// nifti1_io rounds its mat44 to float for NIfTI-1; NIfTI-2 headers hold doubles.
double stored(double v, int version) { return version == 1 ? double(float(v)) : v; }

double positiveOr1(double d) { return d > 0 ? d : 1.0; }

// nifti_quatern_to_mat44, in its long double arithmetic.
Mat qformMatrix(const Header& h) {
  long double b = h.quatern[0], c = h.quatern[1], d = h.quatern[2];
  long double a = 1.0L - (b * b + c * c + d * d);
  if (a < 1.e-7L) {
    a = 1.0L / std::sqrt(b * b + c * c + d * d);
    b *= a, c *= a, d *= a;
    a = 0.0L;
  } else {
    a = std::sqrt(a);
  }
  const long double xd = positiveOr1(h.pixdim[1]), yd = positiveOr1(h.pixdim[2]);
  long double zd = positiveOr1(h.pixdim[3]);
  if (h.pixdim[0] < 0) zd = -zd;
  const long double r[3][3] = {{(a * a + b * b - c * c - d * d) * xd, 2.0L * (b * c - a * d) * yd, 2.0L * (b * d + a * c) * zd},
                               {2.0L * (b * c + a * d) * xd, (a * a + c * c - b * b - d * d) * yd, 2.0L * (c * d - a * b) * zd},
                               {2.0L * (b * d - a * c) * xd, 2.0L * (c * d + a * b) * yd, (a * a + d * d - c * c - b * b) * zd}};
  Mat m;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) m.m[i][j] = stored(double(r[i][j]), h.version);
    m.m[i][3] = stored(h.qoffset[i], h.version);
  }
  return m;
}

Mat sformMatrix(const Header& h) {
  Mat m;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 4; ++j) m.m[i][j] = stored(h.srow[i][j], h.version);
  return m;
}

double columnNorm(const Mat& a, int c) {
  return std::sqrt(a.m[0][c] * a.m[0][c] + a.m[1][c] * a.m[1][c] + a.m[2][c] * a.m[2][c]);
}

double det3(const Mat& a) {
  const auto& m = a.m;
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

// ITK's "sform decomposable without skew": invertible, and its columns, normalized, orthonormal
// within 1e-4.
bool sformIsRotationAndScale(const Mat& s) {
  if (!(std::fabs(det3(s)) > 1e-12)) return false;
  double n[3];
  for (int c = 0; c < 3; ++c) n[c] = columnNorm(s, c);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double dot = 0;
      for (int r = 0; r < 3; ++r) dot += s.m[r][i] / n[i] * (s.m[r][j] / n[j]);
      if (std::fabs(dot - (i == j ? 1.0 : 0.0)) > 1e-4) return false;
    }
  return true;
}

// ITK's two "similar" tests, with plain column norms and directions in place of its SVD (the same
// for the orthogonal matrices both forms hold when they are similar at all).
bool elementwiseSimilar(const Mat& s, const Mat& q) {
  double translation = 0;
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j)
      if (std::fabs(s.m[i][j] - q.m[i][j]) > 1e-5) return false;
    translation += std::fabs(s.m[i][3] - q.m[i][3]);
  }
  return translation <= 1e-7;
}

bool verySimilar(const Mat& s, const Mat& q) {
  for (int c = 0; c < 3; ++c) {
    const double ns = columnNorm(s, c), nq = columnNorm(q, c);
    if (std::fabs(ns - nq) > 1e-4) return false;
    for (int r = 0; r < 3; ++r)
      if (std::fabs(s.m[r][c] / ns - q.m[r][c] / nq) > 1e-4) return false;
  }
  for (int r = 0; r < 3; ++r)
    if (std::fabs(s.m[r][3] - q.m[r][3]) > 1e-4) return false;
  return true;
}

// ---- header writing ----

template <class T>
void put(std::string& b, std::size_t at, T v) {
  std::memcpy(&b[at], &v, sizeof v);
}

// nifti_mat44_to_quatern for an orthonormal R (columns = directions): quaternion and qfac.
void quaternionOf(double r[3][3], double q[3], double& qfac) {
  const double zd = det3([&] {
    Mat m;
    for (int i = 0; i < 3; ++i)
      for (int j = 0; j < 3; ++j) m.m[i][j] = r[i][j];
    return m;
  }());
  if (zd > 0) {
    qfac = 1;
  } else {
    qfac = -1;
    r[0][2] = -r[0][2], r[1][2] = -r[1][2], r[2][2] = -r[2][2];
  }
  double a = r[0][0] + r[1][1] + r[2][2] + 1.0, b, c, d;
  if (a > 0.5) {
    a = 0.5 * std::sqrt(a);
    b = 0.25 * (r[2][1] - r[1][2]) / a;
    c = 0.25 * (r[0][2] - r[2][0]) / a;
    d = 0.25 * (r[1][0] - r[0][1]) / a;
  } else {
    const double xd = 1.0 + r[0][0] - (r[1][1] + r[2][2]), yd = 1.0 + r[1][1] - (r[0][0] + r[2][2]),
                 zz = 1.0 + r[2][2] - (r[0][0] + r[1][1]);
    if (xd > 1.0) {
      b = 0.5 * std::sqrt(xd);
      c = 0.25 * (r[0][1] + r[1][0]) / b;
      d = 0.25 * (r[0][2] + r[2][0]) / b;
      a = 0.25 * (r[2][1] - r[1][2]) / b;
    } else if (yd > 1.0) {
      c = 0.5 * std::sqrt(yd);
      b = 0.25 * (r[0][1] + r[1][0]) / c;
      d = 0.25 * (r[1][2] + r[2][1]) / c;
      a = 0.25 * (r[0][2] - r[2][0]) / c;
    } else {
      d = 0.5 * std::sqrt(zz);
      b = 0.25 * (r[0][2] + r[2][0]) / d;
      c = 0.25 * (r[1][2] + r[2][1]) / d;
      a = 0.25 * (r[1][0] - r[0][1]) / d;
    }
    if (a < 0) b = -b, c = -c, d = -d;
  }
  q[0] = b, q[1] = c, q[2] = d;
}

template <class T>
T roundAndClamp(float v, double slope, double inter) {
  if constexpr (std::is_floating_point_v<T>) {
    return T(v);
  } else {
    if (std::isnan(v)) return T(0);
    const double x = (slope == 1 && inter == 0) ? double(v) : (double(v) - inter) / slope;
    const double r = std::nearbyint(x);
    return T(std::clamp(r, double(std::numeric_limits<T>::lowest()), double(std::numeric_limits<T>::max())));
  }
}

template <class T>
void storeTyped(const float* src, std::size_t n, unsigned char* dst, double slope, double inter) {
  for (std::size_t i = 0; i < n; ++i) {
    const T v = roundAndClamp<T>(src[i], slope, inter);
    std::memcpy(dst + i * sizeof(T), &v, sizeof(T));
  }
}

void store(StoredType t, const float* src, std::size_t n, unsigned char* dst, double slope, double inter) {
  switch (t) {
    case StoredType::UInt8: storeTyped<std::uint8_t>(src, n, dst, slope, inter); break;
    case StoredType::Int8: storeTyped<std::int8_t>(src, n, dst, slope, inter); break;
    case StoredType::UInt16: storeTyped<std::uint16_t>(src, n, dst, slope, inter); break;
    case StoredType::Int16: storeTyped<std::int16_t>(src, n, dst, slope, inter); break;
    case StoredType::UInt32: storeTyped<std::uint32_t>(src, n, dst, slope, inter); break;
    case StoredType::Int32: storeTyped<std::int32_t>(src, n, dst, slope, inter); break;
    case StoredType::Float64: storeTyped<double>(src, n, dst, slope, inter); break;
    default: std::memcpy(dst, src, n * 4); break;
  }
}

bool isInteger(StoredType t) { return t != StoredType::Float32 && t != StoredType::Float64 && t != StoredType::Other; }

}  // namespace

std::uint64_t Header::voxelCount() const {
  std::uint64_t n = 1;
  for (int i = 1; i <= dim[0]; ++i) n *= std::uint64_t(dim[i]);
  return n;
}

bool Header::scaled() const {
  const double eps = std::numeric_limits<double>::epsilon();
  return std::isfinite(slope) && std::isfinite(inter) && std::fabs(slope) > eps &&
         (std::fabs(slope - 1.0) > eps || std::fabs(inter) > eps);
}

Header parseHeader(const std::string& path, const unsigned char* b, std::size_t got) {
  const std::string bad = "not a readable NIfTI file: bad header: ";
  if (got < 4) fail(path, "not a readable NIfTI file: truncated header (" + std::to_string(got) + " bytes)");
  Header h;
  const std::int32_t size = load<std::int32_t>(b, false), swappedSize = load<std::int32_t>(b, true);
  if (size == 348 || swappedSize == 348) {
    h.version = 1, h.headerBytes = 348, h.swapped = size != 348;
  } else if (size == 540 || swappedSize == 540) {
    h.version = 2, h.headerBytes = 540, h.swapped = size != 540;
  } else {
    fail(path, bad + "sizeof_hdr is " + std::to_string(size) + ", expected 348 or 540");
  }
  if (got < h.headerBytes)
    fail(path, "not a readable NIfTI file: truncated header (" + std::to_string(got) + " of " +
                   std::to_string(h.headerBytes) + " bytes)");
  const bool s = h.swapped;
  const auto magicText = [&](const unsigned char* m) {
    std::string t;
    for (int i = 0; i < 4 && m[i]; ++i) t += std::isprint(m[i]) ? char(m[i]) : '?';
    return "'" + t + "'";
  };
  if (h.version == 1) {
    const unsigned char* m = b + 344;
    if (std::memcmp(m, "ni1", 4) == 0) fail(path, bad + "magic 'ni1' is a two-file NIfTI (.hdr/.img), not supported");
    if (std::memcmp(m, "n+1", 4) != 0) fail(path, bad + "magic is " + magicText(m) + ", expected 'n+1'");
    for (int i = 0; i < 8; ++i) h.dim[i] = load<std::int16_t>(b + 40 + 2 * i, s);
    h.datatype = load<std::int16_t>(b + 70, s);
    h.bitpix = load<std::int16_t>(b + 72, s);
    for (int i = 0; i < 8; ++i) h.pixdim[i] = load<float>(b + 76 + 4 * i, s);
    const float vox = load<float>(b + 108, s);
    // Found by FuzzNifti: a float vox_offset past 2^64 does not convert to an integer (UB).
    if (std::isfinite(vox) && vox > 1e18) fail(path, bad + "vox_offset is " + std::to_string(vox) + ", past any file");
    h.voxOffset = std::isfinite(vox) && vox >= 352 ? std::uint64_t(vox) : 352;
    h.slope = load<float>(b + 112, s);
    h.inter = load<float>(b + 116, s);
    h.xyztUnits = b[123];
    h.qformCode = load<std::int16_t>(b + 252, s);
    h.sformCode = load<std::int16_t>(b + 254, s);
    for (int i = 0; i < 3; ++i) h.quatern[i] = load<float>(b + 256 + 4 * i, s);
    for (int i = 0; i < 3; ++i) h.qoffset[i] = load<float>(b + 268 + 4 * i, s);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) h.srow[r][c] = load<float>(b + 280 + 16 * r + 4 * c, s);
  } else {
    const unsigned char* m = b + 4;
    if (std::memcmp(m, "ni2", 4) == 0) fail(path, bad + "magic 'ni2' is a two-file NIfTI (.hdr/.img), not supported");
    if (std::memcmp(m, "n+2", 4) != 0) fail(path, bad + "magic is " + magicText(m) + ", expected 'n+2'");
    h.datatype = load<std::int16_t>(b + 12, s);
    h.bitpix = load<std::int16_t>(b + 14, s);
    for (int i = 0; i < 8; ++i) h.dim[i] = load<std::int64_t>(b + 16 + 8 * i, s);
    for (int i = 0; i < 8; ++i) h.pixdim[i] = load<double>(b + 104 + 8 * i, s);
    const std::int64_t vox = load<std::int64_t>(b + 168, s);
    h.voxOffset = vox >= 544 ? std::uint64_t(vox) : 544;
    h.slope = load<double>(b + 176, s);
    h.inter = load<double>(b + 184, s);
    h.qformCode = load<std::int32_t>(b + 344, s);
    h.sformCode = load<std::int32_t>(b + 348, s);
    for (int i = 0; i < 3; ++i) h.quatern[i] = load<double>(b + 352 + 8 * i, s);
    for (int i = 0; i < 3; ++i) h.qoffset[i] = load<double>(b + 376 + 8 * i, s);
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) h.srow[r][c] = load<double>(b + 400 + 32 * r + 8 * c, s);
    h.xyztUnits = load<std::int32_t>(b + 500, s);
  }
  if (h.dim[0] < 1 || h.dim[0] > 7)
    fail(path, bad + "dim[0] is " + std::to_string(h.dim[0]) + ", expected 1 to 7 dimensions");
  for (int i = 1; i <= h.dim[0]; ++i)
    if (h.dim[i] <= 0) fail(path, bad + "dim[" + std::to_string(i) + "] is " + std::to_string(h.dim[i]) + ", must be positive");
  for (int i = int(h.dim[0]) + 1; i < 8; ++i) h.dim[i] = 1;
  h.bytesPerVoxel = sizeOf(h.datatype);
  h.type = storedTypeOf(h.datatype);
  if (h.bytesPerVoxel == 0)
    fail(path, "unsupported NIfTI datatype " + std::to_string(h.datatype) + " (" + typeName(h.datatype) +
                   "); expected uint8, int8, uint16, int16, uint32, int32, float32 or float64");
  return h;
}

Header readHeader(const std::string& path) {
  const std::vector<unsigned char> b = headerBytes(path);
  return parseHeader(path, b.data(), b.size());
}

ImageGeometry geometryOf(const std::string& path, const Header& h) {
  ImageGeometry g;
  for (int a = 0; a < 3; ++a) g.size[a] = int(h.dim[a + 1]);
  const int dims = int(std::min<std::int64_t>(h.dim[0], 3));
  double spacingScale = 1;
  switch (h.xyztUnits & 0x07) {
    case 1: spacingScale = 1e3; break;   // metres
    case 3: spacingScale = 1e-3; break;  // microns
    default: break;
  }
  double spacing[3];
  for (int a = 0; a < 3; ++a)
    spacing[a] = a < dims ? double(h.version == 1 ? float(h.pixdim[a + 1]) : h.pixdim[a + 1]) * spacingScale : 1.0;
  Matrix4 m;
  if (h.qformCode <= 0 && h.sformCode <= 0) {
    // Neither form: ITK keeps its identity direction in LPS and a zero origin, which is -x, -y in RAS.
    for (int a = 0; a < 3; ++a) m(a, a) = (a < 2 ? -1.0 : 1.0) * spacing[a];
    g.voxelToWorld = m;
    return g;
  }
  const Mat q = h.qformCode > 0 ? qformMatrix(h) : Mat{};
  const Mat sf = sformMatrix(h);
  bool preferS = h.qformCode > 0 && h.sformCode > 0 && elementwiseSimilar(sf, q);
  if (h.sformCode > 0 && sformIsRotationAndScale(sf)) {
    if (h.qformCode <= 0 || h.sformCode == 1)
      preferS = true;
    else
      preferS = verySimilar(sf, q);
  }
  if (!preferS && h.qformCode <= 0) {
    // A sheared sform and no qform: ITK refuses the file; NIfTI's own rule is the sform as it is,
    // which the engine can resample (its grids are any affine).
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 4; ++c) m(r, c) = sf.m[r][c];
    g.voxelToWorld = m;
    return g;
  }
  const Mat& t = preferS ? sf : q;
  for (int c = 0; c < 3; ++c) {
    const double n = c < dims ? columnNorm(t, c) : 0;
    for (int r = 0; r < 3; ++r) {
      double dir = c < dims ? (n > 0 ? t.m[r][c] / n : 0) : (r == c ? 1.0 : 0.0);
      if (c < dims && r >= dims) dir = 0;
      m(r, c) = dir * spacing[c];
    }
  }
  for (int r = 0; r < 3; ++r) m(r, 3) = r < dims ? t.m[r][3] : 0.0;
  g.voxelToWorld = m;
  return g;
}

double repetitionTimeOf(const Header& h) {
  if (h.dim[0] < 4) return 0;
  const double dt = h.version == 1 ? double(float(h.pixdim[4])) : h.pixdim[4];
  switch (h.xyztUnits & 0x38) {
    case 16: return dt * 1e-3;
    case 24: return dt * 1e-6;
    default: return dt;
  }
}

VolumeSeries readSeries(const std::string& path, int threads) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) fail(path, std::string("cannot open: ") + std::strerror(errno));
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) fail(path, std::string("cannot read: ") + std::strerror(errno));
  const std::uint64_t fileSize = std::uint64_t(st.st_size);
  const bool gz = isGzip(f.fd);
  const Header h = readHeader(path);

  // Check what the header claims against the file before allocating anything of that size.
  const long double claim = claimedBytes(h);
  const std::string claim1 = claimText(h);
  std::vector<gzip::Member> members;
  bool ours = false;
  if (!gz) {
    if (h.voxOffset > fileSize)
      fail(path, "bad NIfTI header: vox_offset is " + std::to_string(h.voxOffset) + ", past the end of the file (" +
                     std::to_string(fileSize) + " bytes)");
    if ((long double)h.voxOffset + claim > (long double)fileSize)
      fail(path, "truncated file: " + claim1 + " from byte " + std::to_string(h.voxOffset) + " but the file holds " +
                     humanBytes((long double)fileSize));
  } else {
    try {
      ours = gzip::scanMembers(path, fileSize,
                               [&](std::uint64_t at, std::size_t n, unsigned char* out) { return preadAll(f.fd, out, n, at); },
                               members);
    } catch (const std::runtime_error& e) {
      throw ImageIOError(e.what());
    }
    if (ours) {
      const std::uint64_t stream = members.back().streamOffset + members.back().uncompressedSize;
      if (h.voxOffset > stream)
        fail(path, "bad NIfTI header: vox_offset is " + std::to_string(h.voxOffset) +
                       ", past the end of the data (" + std::to_string(stream) + " bytes)");
      if ((long double)h.voxOffset + claim > (long double)stream)
        fail(path, "truncated file: " + claim1 + " but the gzip stream holds " + humanBytes((long double)stream));
      // Our reader places whole elements; members must start on them (ours do).
      for (const auto& m : members)
        if (m.streamOffset > h.voxOffset && (m.streamOffset - h.voxOffset) % h.bytesPerVoxel != 0) ours = false;
    } else {
      // Deflate expands at most ~1032:1; a larger claim cannot be in this file.
      if ((long double)h.voxOffset + claim > (long double)fileSize * 1032.0L + 65536.0L)
        fail(path, "truncated or bad file: " + claim1 + " but the file holds " + humanBytes((long double)fileSize) +
                       " of gzip");
    }
  }
  if (claim > (long double)(std::numeric_limits<std::size_t>::max() / 8)) fail(path, claim1 + ": too large");

  const std::size_t n = std::size_t(h.voxelCount()), bpv = h.bytesPerVoxel;
  const std::uint64_t dataBytes = std::uint64_t(n) * bpv;
  std::vector<float> voxels;
  if (!gz) {
    voxels.resize(n);
    unsigned char* const dst = reinterpret_cast<unsigned char*>(voxels.data());
    const bool direct = h.datatype == 16 && !h.swapped && !h.scaled();
    const std::size_t chunk = gzip::kBlockBytes;  // a multiple of every element size
    const std::size_t chunks = std::size_t((dataBytes + chunk - 1) / chunk);
    gzip::parallelFor(chunks, threads, [&](std::size_t k) {
      const std::uint64_t begin = std::uint64_t(k) * chunk;
      const std::size_t len = std::size_t(std::min<std::uint64_t>(chunk, dataBytes - begin));
      thread_local std::vector<unsigned char> buf;
      unsigned char* target = dst + begin;
      if (!direct) {
        buf.resize(chunk);
        target = buf.data();
      }
      if (preadAll(f.fd, target, len, h.voxOffset + begin) != len)
        fail(path, "truncated file: it ended while reading the voxels");
      if (!direct) convert(h, target, len / bpv, voxels.data() + begin / bpv);
    });
  } else if (ours) {
    voxels.resize(n);
    const std::uint64_t dataEnd = h.voxOffset + dataBytes;
    std::vector<std::size_t> needed;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const auto& m = members[i];
      if (m.streamOffset + m.uncompressedSize > h.voxOffset && m.streamOffset < dataEnd && m.uncompressedSize > 0)
        needed.push_back(i);
    }
    const bool nativeFloat = h.datatype == 16 && !h.swapped && !h.scaled();
    try {
      gzip::parallelFor(needed.size(), threads, [&](std::size_t k) {
        const gzip::Member& m = members[needed[k]];
        thread_local std::vector<unsigned char> packed, plain;
        packed.resize(m.compressedSize);
        if (preadAll(f.fd, packed.data(), m.compressedSize, m.offset) != m.compressedSize)
          fail(path, "truncated file: it ended while reading the voxels");
        const std::uint64_t from = std::max<std::uint64_t>(m.streamOffset, h.voxOffset);
        const std::uint64_t to = std::min<std::uint64_t>(m.streamOffset + m.uncompressedSize, dataEnd);
        const std::size_t firstVoxel = std::size_t((from - h.voxOffset) / bpv);
        if (nativeFloat && from == m.streamOffset && to == m.streamOffset + m.uncompressedSize) {
          gzip::decompressMember(path, packed.data(), m, reinterpret_cast<unsigned char*>(voxels.data() + firstVoxel));
        } else {
          plain.resize(m.uncompressedSize);
          gzip::decompressMember(path, packed.data(), m, plain.data());
          convert(h, plain.data() + (from - m.streamOffset), std::size_t((to - from) / bpv), voxels.data() + firstVoxel);
        }
      });
    } catch (const ImageIOError&) {
      throw;
    } catch (const std::runtime_error& e) {
      throw ImageIOError(e.what());
    }
  } else {
    // Any other gzip: one libdeflate call per member, into one buffer. For elements of up to 4
    // bytes the stream lands at the end of the float buffer (with room for the header before it)
    // and is converted forward in place, so the file is held once; float64 needs its own buffer.
    void* map = ::mmap(nullptr, fileSize, PROT_READ, MAP_PRIVATE, f.fd, 0);
    if (map == MAP_FAILED) fail(path, std::string("cannot map the file: ") + std::strerror(errno));
    ::madvise(map, fileSize, MADV_SEQUENTIAL);
    struct Unmap {
      void* p;
      std::size_t n;
      ~Unmap() { ::munmap(p, n); }
    } unmap{map, fileSize};
    const auto* in = static_cast<const unsigned char*>(map);
    const std::size_t tail = 1 << 16;  // room for bytes after the voxels (rare, harmless)
    const std::size_t need = std::size_t(h.voxOffset + dataBytes);
    const auto inflate = [&](unsigned char* out, std::size_t capacity) {
      std::size_t produced = 0;
      try {
        produced = gzip::decompressAll(path, in, fileSize, out, capacity);
      } catch (const std::runtime_error& e) {
        throw ImageIOError(e.what());
      }
      if (produced < need)
        fail(path, "truncated file: " + claim1 + " but the gzip stream holds " + humanBytes((long double)produced));
    };
    if (bpv <= 4) {
      const std::size_t padBytes = (std::size_t(h.voxOffset) + 3) / 4 * 4;
      voxels.resize(n + padBytes / 4 + tail / 4);
      unsigned char* base = reinterpret_cast<unsigned char*>(voxels.data());
      const std::size_t start = padBytes - std::size_t(h.voxOffset) + (4 * n - std::size_t(dataBytes));
      inflate(base + start, voxels.size() * 4 - start);
      convert(h, base + start + h.voxOffset, n, voxels.data());
      voxels.resize(n);
    } else {
      std::vector<unsigned char> raw(need + tail);
      inflate(raw.data(), raw.size());
      voxels.resize(n);
      convert(h, raw.data() + h.voxOffset, n, voxels.data());
    }
  }

  VolumeSeries run;
  run.geometry = geometryOf(path, h);
  run.frameCount = int(n / std::max<std::size_t>(1, run.geometry.voxelCount()));
  run.repetitionTime = repetitionTimeOf(h);
  run.storedType = h.type;
  if (h.scaled()) {
    run.storedSlope = h.slope;
    run.storedIntercept = h.inter;
  }
  run.voxels = std::move(voxels);
  return run;
}

std::string encodeHeader(const ImageGeometry& g, int frames, double tr, const StoredFormat& format) {
  std::string b(352, '\0');
  put(b, 0, std::int32_t(348));
  b[38] = 'r';
  const bool is4d = frames > 1;
  const std::int16_t dim[8] = {std::int16_t(is4d ? 4 : 3), std::int16_t(g.size[0]), std::int16_t(g.size[1]),
                               std::int16_t(g.size[2]), std::int16_t(is4d ? frames : 1), 1, 1, 1};
  for (int i = 0; i < 8; ++i) put(b, 40 + 2 * i, dim[i]);
  const int datatype = datatypeOf(format.type);
  put(b, 70, std::int16_t(datatype));
  put(b, 72, std::int16_t(8 * sizeOf(datatype)));
  // Direction cosines and spacing as ITK holds them, then its header: qform from the directions
  // (float), sform = directions * spacing (float), both code 1 (scanner anatomical).
  const auto sp = g.spacing();
  double r[3][3];
  float dirf[3][3];
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 3; ++i) {
      dirf[i][c] = float(sp[c] > 0 ? g.voxelToWorld(i, c) / sp[c] : (i == c ? 1.0 : 0.0));
      r[i][c] = dirf[i][c];
    }
  double q[3], qfac = 1;
  quaternionOf(r, q, qfac);
  const float pixdim[8] = {float(qfac), float(sp[0]), float(sp[1]), float(sp[2]), float(is4d ? tr : 0), 0, 0, 0};
  for (int i = 0; i < 8; ++i) put(b, 76 + 4 * i, pixdim[i]);
  put(b, 108, 352.0f);
  double slope = 1, inter = 0;
  if (isInteger(format.type) && format.slope != 0 && std::isfinite(format.slope) && std::isfinite(format.intercept))
    slope = format.slope, inter = format.intercept;
  put(b, 112, float(slope));
  put(b, 116, float(inter));
  b[123] = char(2 | 8);  // mm, s
  put(b, 252, std::int16_t(1));
  put(b, 254, std::int16_t(1));
  for (int i = 0; i < 3; ++i) put(b, 256 + 4 * i, float(q[i]));
  for (int i = 0; i < 3; ++i) put(b, 268 + 4 * i, float(g.voxelToWorld(i, 3)));
  for (int i = 0; i < 3; ++i) {
    for (int c = 0; c < 3; ++c) put(b, 280 + 16 * i + 4 * c, dirf[i][c] * float(sp[c]));
    put(b, 280 + 16 * i + 12, float(g.voxelToWorld(i, 3)));
  }
  std::memcpy(&b[344], "n+1", 4);
  return b;
}

// ---- streaming writer ----

// A file with no name yet in `path`'s folder (O_TMPFILE), or -1 where that is not possible (file
// system without O_TMPFILE, no /proc to name it from later). Why: a stream is written over the whole
// reslice stage, and a SIGKILL, which no handler sees, would leave a named partial file behind; an
// unnamed one is freed by the kernel with the process.
int openUnnamed(const std::string& path) {
  if (::access("/proc/self/fd", X_OK) != 0) return -1;
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  return ::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
}

struct StreamWriter::Impl {
  std::string path, display;
  int fd = -1;
  bool gz = false, finished = false;
  bool unnamed = false;  // fd is an O_TMPFILE file, given `path` as its name by finish()
  StoredFormat format;
  double slope = 1, inter = 0;
  std::size_t frameSize = 0, bpv = 4;
  int frames = 0, written = 0;
  std::vector<unsigned char> pending;

  struct Job {
    std::vector<unsigned char> raw, packed;
    bool done = false;
    std::exception_ptr error;
  };
  std::mutex mutex;
  std::condition_variable workCv, doneCv;
  std::deque<std::shared_ptr<Job>> queue, inflight;
  std::vector<std::thread> workers;
  std::size_t limit = 3;
  bool stop = false;

  void writeAll(const unsigned char* p, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(fd, p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) fail(display, std::string("cannot write: ") + std::strerror(errno ? errno : EIO));
      p += w, n -= std::size_t(w);
    }
  }

  void work() {
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock<std::mutex> lock(mutex);
        workCv.wait(lock, [&] { return stop || !queue.empty(); });
        if (stop) return;
        job = queue.front();
        queue.pop_front();
      }
      try {
        job->packed = gzip::compressMember(job->raw.data(), job->raw.size());
      } catch (...) {
        job->error = std::current_exception();
      }
      std::vector<unsigned char>().swap(job->raw);
      {
        std::lock_guard<std::mutex> lock(mutex);
        job->done = true;
      }
      doneCv.notify_all();
    }
  }

  // Writes finished blocks in order; waits while too many are in flight (or for all of them).
  void drain(bool all) {
    std::unique_lock<std::mutex> lock(mutex);
    while (!inflight.empty()) {
      std::shared_ptr<Job> front = inflight.front();
      if (!front->done) {
        if (!all && inflight.size() <= limit) return;
        doneCv.wait(lock, [&] { return front->done; });
      }
      inflight.pop_front();
      lock.unlock();
      if (front->error) std::rethrow_exception(front->error);
      writeAll(front->packed.data(), front->packed.size());
      lock.lock();
    }
  }

  void submit() {
    if (pending.empty()) return;
    if (!gz) {
      writeAll(pending.data(), pending.size());
      pending.clear();
      return;
    }
    auto job = std::make_shared<Job>();
    job->raw.swap(pending);
    pending.clear();
    pending.reserve(gzip::kBlockBytes);
    {
      std::lock_guard<std::mutex> lock(mutex);
      queue.push_back(job);
      inflight.push_back(job);
    }
    workCv.notify_one();
    drain(false);
  }

  void stopWorkers() {
    {
      std::lock_guard<std::mutex> lock(mutex);
      stop = true;
    }
    workCv.notify_all();
    for (auto& t : workers) t.join();
    workers.clear();
  }
};

StreamWriter::StreamWriter(const std::string& path, const std::string& displayName, const ImageGeometry& g, int frames,
                           double tr, const StoredFormat& format, int threads)
    : impl_(new Impl) {
  Impl& w = *impl_;
  w.path = path;
  w.display = displayName.empty() ? path : displayName;
  w.gz = path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
  w.format = format;
  if (format.type == StoredType::Other) w.format.type = StoredType::Float32;
  if (isInteger(w.format.type) && format.slope != 0 && std::isfinite(format.slope) && std::isfinite(format.intercept))
    w.slope = format.slope, w.inter = format.intercept;
  w.bpv = sizeOf(datatypeOf(w.format.type));
  w.frameSize = g.voxelCount();
  w.frames = frames;
  for (int a = 0; a < 3; ++a)
    if (g.size[a] <= 0 || g.size[a] > 32767)
      fail(w.display, "cannot write NIfTI-1: grid size " + std::to_string(g.size[a]) + " is outside 1..32767");
  if (frames < 1 || frames > 32767) fail(w.display, "cannot write NIfTI-1: " + std::to_string(frames) + " frames");
  w.fd = openUnnamed(path);
  w.unnamed = w.fd >= 0;
  if (!w.unnamed) w.fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (w.fd < 0) fail(w.display, std::string("cannot write: ") + std::strerror(errno));
  const std::string header = encodeHeader(g, frames, tr, w.format);
  const auto* hb = reinterpret_cast<const unsigned char*>(header.data());
  try {
    if (w.gz) {
      // The header is a member of its own, so that every voxel member starts on a voxel.
      const auto m = gzip::compressMember(hb, header.size());
      w.writeAll(m.data(), m.size());
      const int n = gzip::resolveThreads(threads);
      w.limit = std::size_t(2 * n + 1);
      for (int t = 0; t < n; ++t) w.workers.emplace_back([&w] { w.work(); });
    } else {
      w.writeAll(hb, header.size());
    }
  } catch (...) {
    w.stopWorkers();
    ::close(w.fd);
    if (!w.unnamed) ::unlink(path.c_str());
    throw;
  }
  w.pending.reserve(gzip::kBlockBytes);
}

StreamWriter::~StreamWriter() {
  if (!impl_) return;
  Impl& w = *impl_;
  w.stopWorkers();
  if (w.fd >= 0) ::close(w.fd);
  // An unnamed file is gone with its descriptor, unless finish() named it and then failed to close.
  if (!w.finished && (!w.unnamed || w.fd < 0)) ::unlink(w.path.c_str());
}

void StreamWriter::writeFrame(const float* voxels) {
  Impl& w = *impl_;
  if (w.written >= w.frames)
    fail(w.display, "writer: frame " + std::to_string(w.written + 1) + " of " + std::to_string(w.frames));
  std::size_t done = 0;
  while (done < w.frameSize) {
    const std::size_t room = (gzip::kBlockBytes - w.pending.size()) / w.bpv;
    const std::size_t k = std::min(room, w.frameSize - done);
    const std::size_t at = w.pending.size();
    w.pending.resize(at + k * w.bpv);
    store(w.format.type, voxels + done, k, w.pending.data() + at, w.slope, w.inter);
    done += k;
    if (w.pending.size() >= gzip::kBlockBytes) w.submit();
  }
  ++w.written;
}

void StreamWriter::finish() {
  Impl& w = *impl_;
  if (w.finished) return;
  if (w.written != w.frames)
    fail(w.display, "writer finished after " + std::to_string(w.written) + " of " + std::to_string(w.frames) + " frames");
  w.submit();
  w.drain(true);
  w.stopWorkers();
  if (w.unnamed) {
    // Complete: now it gets its (staged) name. The path is new, so linkat does not replace anything.
    const std::string self = "/proc/self/fd/" + std::to_string(w.fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, w.path.c_str(), AT_SYMLINK_FOLLOW) != 0)
      fail(w.display, std::string("cannot write: ") + std::strerror(errno));
  }
  const int fd = w.fd;
  w.fd = -1;
  if (::close(fd) != 0) fail(w.display, std::string("cannot write: ") + std::strerror(errno));
  w.finished = true;
}

}  // namespace nifti
}  // namespace mc
