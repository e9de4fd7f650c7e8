#include "Reslicer.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include "CpuDispatch.h"
#if MC_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

#include "CpuDispatch.h"

namespace mc {

Matrix4 referenceToFrameVoxel(const ImageGeometry& grid, const Matrix4& motion) {
  // The rigid inverse is taken once per frame (not per voxel).
  return grid.voxelToWorld.inverse() * motion.inverse() * grid.voxelToWorld;
}

Reslicer::Reslicer(const ImageGeometry& grid, const ResliceOptions& options) : grid_(grid), options_(options) {
  options.validate();
}

namespace {

// Where grid voxel (x, y, z) lies in the frame, in the frame's voxel coordinates (v from
// referenceToFrameVoxel).
MC_ALWAYS_INLINE void gridPosition(const Matrix4& v, int x, int y, int z, double& px, double& py, double& pz) {
  px = v.m[0] * x + v.m[1] * y + v.m[2] * z + v.m[3];
  py = v.m[4] * x + v.m[5] * y + v.m[6] * z + v.m[7];
  pz = v.m[8] * x + v.m[9] * y + v.m[10] * z + v.m[11];
}

// Positions advance linearly along a row, so the voxels of row (y, z) whose position lies within
// [-tol, size - 1 + tol] on every non-wrapped axis (insideGrid) form one interval
// of x, found with one division per axis instead of six comparisons per voxel. The interval is
// widened by a voxel on each side and only its two end voxels on each side keep the exact
// per-voxel test, so rounding in the division can never change which voxels are inside: the
// result is the per-voxel test's, bit for bit.
struct RowSpan {
  int first, last;        // candidates: voxels outside [first, last] are outside
  bool allExact = false;  // a row parallel to a bound and too close to it to decide: test every voxel
  bool exact(int x) const { return allExact || x <= first + 1 || x >= last - 1; }  // need the per-voxel test
};

MC_ALWAYS_INLINE RowSpan insideSpan(const Matrix4& v, int y, int z, const std::array<int, 3>& size,
                                    const std::array<bool, 3>& wrap) {
  constexpr double tol = kInsideTolerance;
  double lo = 0, hi = size[0] - 1;
  bool nearBound = false;
  for (int a = 0; a < 3; ++a) {
    if (wrap[a]) continue;
    const double slope = v.m[4 * a], offset = v.m[4 * a + 1] * y + v.m[4 * a + 2] * z + v.m[4 * a + 3];
    const double low = -tol, high = size[a] - 1 + tol;
    if (std::fabs(slope) < 1e-12) {
      if (offset < low - 1e-6 || offset > high + 1e-6) return {0, -1};
      if (offset < low + 1e-6 || offset > high - 1e-6) nearBound = true;
      continue;
    }
    double t0 = (low - offset) / slope, t1 = (high - offset) / slope;
    if (t0 > t1) std::swap(t0, t1);
    lo = std::max(lo, t0);
    hi = std::min(hi, t1);
  }
  if (lo > hi + 2) return {0, -1};
  return {std::max(0, int(std::ceil(lo)) - 1), std::min(size[0] - 1, int(std::floor(hi)) + 1), nearBound};
}

// The interpolating loops, one slice z at a time: the hot loop of reslicing and of the aligned
// mean, compiled baseline and AVX2+FMA (CpuDispatch.h). The slice loop (OpenMP) stays outside, in
// forEachSlice, since an OpenMP region is compiled baseline whatever encloses it.

typedef float Float8 __attribute__((vector_size(32)));
typedef int Int8 __attribute__((vector_size(32)));
typedef double Double4 __attribute__((vector_size(32)));

// floor for the positions met here (|s| < 2^31), without a libm call on the baseline path.
MC_ALWAYS_INLINE int floorInt(double s) {
  const int i = int(s);
  return i - (s < double(i));
}

// The spline at (x, y, z), for the reslicer's voxel loop. The weights of the three axes are formed
// together (one 4-lane Cox-de Boor instead of three scalar ones, the 1/d factors folded into one
// 1/D!). Inside the grid, the (D+1)^3 taps are summed as (D+1)^2 rows of 8 floats: along z first
// (broadcast z weight times row), then along y, then the x weights on the lanes; lanes past D are
// masked off (they hold the next coefficients, which must not reach the sum even as 0 * inf).
// Near the edge: the boundary rule per tap, as BSplineCoefficients::value.
template <int D>
MC_ALWAYS_INLINE double resliceValue(const BSplineCoefficients& c, double x, double y, double z) {
  const auto& size = c.size();
  const double h = 0.5 * (D + 1);
  const int ix = floorInt(x + h), iy = floorInt(y + h), iz = floorInt(z + h);
  const Double4 u = {x + h - ix, y + h - iy, z + h - iz, 0.0};
  Double4 w[D + 1];
  w[0] = Double4{1.0, 1.0, 1.0, 1.0};
  for (int d = 1; d <= D; ++d) {
    Double4 prevLeft = {0, 0, 0, 0};
    for (int m = 0; m < d; ++m) {
      const Double4 cur = w[m];
      w[m] = (u + double(d - m)) * prevLeft + (double(m + 1) - u) * cur;
      prevLeft = cur;
    }
    w[d] = u * prevLeft;
  }
  constexpr double factorial = D <= 1 ? 1.0 : D == 2 ? 2.0 : D == 3 ? 6.0 : D == 4 ? 24.0 : D == 5 ? 120.0 : D == 6 ? 720.0 : 5040.0;
  for (int m = 0; m <= D; ++m) w[m] *= 1.0 / factorial;
  const int fx = ix - D, fy = iy - D, fz = iz - D;
  const std::ptrdiff_t nx = size[0], nxy = nx * size[1];
  const float* coef = c.data();
  if (fx >= 0 && fy >= 0 && fz >= 0 && fx + D < size[0] && fy + D < size[1] && fz + D < size[2]) {
    const float* base = coef + fz * nxy + fy * nx + fx;
    float wz[D + 1];
    for (int k = 0; k <= D; ++k) wz[k] = float(w[k][2]);
    Float8 accY = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int j = 0; j <= D; ++j) {
      Float8 accZ = {0, 0, 0, 0, 0, 0, 0, 0};
      for (int k = 0; k <= D; ++k) {
        Float8 row;
        std::memcpy(&row, base + k * nxy + j * nx, sizeof row);  // padded: reading 7 past the end is safe
        accZ += wz[k] * row;
      }
      accY += float(w[j][1]) * accZ;
    }
    Float8 wx = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int i = 0; i <= D; ++i) wx[i] = float(w[i][0]);
    Int8 keep;
    for (int i = 0; i < 8; ++i) keep[i] = i <= D ? -1 : 0;
    Float8 p = accY * wx;
    Int8 bits;
    std::memcpy(&bits, &p, sizeof bits);
    bits &= keep;
    std::memcpy(&p, &bits, sizeof p);
    // GCC's and Clang's spellings of the same lane permutation (the fuzzers are built with Clang).
#if defined(__clang__)
    p += __builtin_shufflevector(p, p, 4, 5, 6, 7, 0, 1, 2, 3);
    p += __builtin_shufflevector(p, p, 2, 3, 0, 1, 6, 7, 4, 5);
    p += __builtin_shufflevector(p, p, 1, 0, 3, 2, 5, 4, 7, 6);
#else
    p += __builtin_shuffle(p, Int8{4, 5, 6, 7, 0, 1, 2, 3});
    p += __builtin_shuffle(p, Int8{2, 3, 0, 1, 6, 7, 4, 5});
    p += __builtin_shuffle(p, Int8{1, 0, 3, 2, 5, 4, 7, 6});
#endif
    return p[0];
  }
  const auto& wrap = c.wrap();
  std::ptrdiff_t ox[D + 1], oy[D + 1], oz[D + 1];
  for (int m = 0; m <= D; ++m) {
    ox[m] = boundaryIndex(fx + m, size[0], wrap[0]);
    oy[m] = boundaryIndex(fy + m, size[1], wrap[1]) * nx;
    oz[m] = boundaryIndex(fz + m, size[2], wrap[2]) * nxy;
  }
  double sum = 0;
  for (int k = 0; k <= D; ++k) {
    double sy = 0;
    for (int j = 0; j <= D; ++j) {
      const float* row = coef + oz[k] + oy[j];
      double sx = 0;
      for (int i = 0; i <= D; ++i) sx += w[i][0] * row[ox[i]];
      sy += w[j][1] * sx;
    }
    sum += w[k][2] * sy;
  }
  return sum;
}

// Stores: apply() for a voxel whose position is inside the frame, outside() for one that is not.
struct ResliceStore {
  float* out;
  const std::uint8_t* mask;
  template <int D>
  MC_ALWAYS_INLINE void apply(const BSplineCoefficients& c, std::size_t i, double x, double y, double z) const {
    out[i] = (mask && !mask[i]) ? 0.0f : float(resliceValue<D>(c, x, y, z));
  }
  MC_ALWAYS_INLINE void outside(std::size_t i) const { out[i] = 0.0f; }
};

// Trilinear interpolation of the voxels themselves (degree 1: the coefficients are the voxels), the
// estimation mean's interpolation: eight taps and seven blends, about a third of the general
// spline's work at this degree. Taps past the grid's last voxel (a point within the inside()
// tolerance of the far edge) take the general path and its boundary rule.
MC_ALWAYS_INLINE double trilinearValue(const BSplineCoefficients& c, double x, double y, double z) {
  const auto& size = c.size();
  const int ix = floorInt(x), iy = floorInt(y), iz = floorInt(z);
  if (ix < 0 || iy < 0 || iz < 0 || ix + 1 >= size[0] || iy + 1 >= size[1] || iz + 1 >= size[2])
    return c.template valueOfDegree<1>(x, y, z);
  const double fx = x - ix, fy = y - iy, fz = z - iz;
  const std::ptrdiff_t nx = size[0], nxy = nx * size[1];
  const float* p = c.data() + iz * nxy + iy * nx + ix;
  auto alongX = [&](const float* q) { return q[0] + fx * (double(q[1]) - q[0]); };
  const double y0 = alongX(p) + fy * (alongX(p + nx) - alongX(p));
  const double y1 = alongX(p + nxy) + fy * (alongX(p + nxy + nx) - alongX(p + nxy));
  return y0 + fz * (y1 - y0);
}

struct AccumulateStore {
  double* sum;
  std::uint32_t* count;
  template <int D>
  MC_ALWAYS_INLINE void apply(const BSplineCoefficients& c, std::size_t i, double x, double y, double z) const {
    if constexpr (D == 1) sum[i] += trilinearValue(c, x, y, z);
    else sum[i] += c.template valueOfDegree<D>(x, y, z);
    count[i] += 1;
  }
  MC_ALWAYS_INLINE void outside(std::size_t) const {}
};

template <int D, class Store>
MC_ALWAYS_INLINE void sliceBody(const BSplineCoefficients& c, const std::array<int, 3>& size, const Matrix4& v,
                                int z, const Store& store) {
  const int nx = size[0], ny = size[1];
  for (int y = 0; y < ny; ++y) {
    const std::size_t row = (std::size_t(z) * ny + y) * nx;
    const RowSpan span = insideSpan(v, y, z, size, c.wrap());
    for (int x = 0; x < std::min(span.first, nx); ++x) store.outside(row + x);
    for (int x = span.first; x <= span.last; ++x) {
      double px, py, pz;
      gridPosition(v, x, y, z, px, py, pz);
      if (span.exact(x) && !c.inside(px, py, pz)) store.outside(row + x);
      else store.template apply<D>(c, row + x, px, py, pz);
    }
    for (int x = span.first > span.last ? 0 : span.last + 1; x < nx; ++x) store.outside(row + x);
  }
}

#if MC_HAVE_AVX2_PATH
// The estimation mean's slice on the AVX2 path: as sliceBody<1>(AccumulateStore), but the voxels
// certainly inside (the row span's interior) go four at a time: positions, floors and fractions in
// 4 lanes, the eight taps gathered, the same blends as trilinearValue. A group with a lane whose
// taps reach past the grid's last voxel falls back to trilinearValue per voxel. (Measured: the
// mean was a fifth of estimation's instructions at about 140 per voxel.)
MC_TARGET_AVX2 void sliceTrilinearSumsAvx2(const BSplineCoefficients& c, const std::array<int, 3>& size,
                                           const Matrix4& v, int z, const AccumulateStore& store) {
  const int nx = size[0], ny = size[1];
  const int nxy = nx * ny;
  const float* coef = c.data();
  const __m256d step = _mm256_set_pd(3, 2, 1, 0);
  const __m128i one = _mm_set1_epi32(1);
  const __m128i limX = _mm_set1_epi32(size[0] - 1), limY = _mm_set1_epi32(size[1] - 1),
                limZ = _mm_set1_epi32(size[2] - 1);
  for (int y = 0; y < ny; ++y) {
    const std::size_t row = (std::size_t(z) * ny + y) * nx;
    const RowSpan span = insideSpan(v, y, z, size, c.wrap());
    auto scalar = [&](int x) {
      double px, py, pz;
      gridPosition(v, x, y, z, px, py, pz);
      if (span.exact(x) && !c.inside(px, py, pz)) return;
      store.sum[row + x] += trilinearValue(c, px, py, pz);
      store.count[row + x] += 1;
    };
    int x = span.first;
    for (; x <= span.last && span.exact(x); ++x) scalar(x);
    for (; x + 3 <= span.last && !span.exact(x + 3); x += 4) {
      const __m256d xs = _mm256_add_pd(_mm256_set1_pd(x), step);
      // (No lambdas here: a lambda does not inherit this function's target, so AVX2 intrinsics
      // would not compile in it.)
#define MC_POSITION(a)                                                                                  \
  _mm256_add_pd(_mm256_fmadd_pd(_mm256_set1_pd(v.m[4 * (a)]), xs,                                       \
                                _mm256_set1_pd(v.m[4 * (a) + 1] * y + v.m[4 * (a) + 2] * z)),            \
                _mm256_set1_pd(v.m[4 * (a) + 3]))
      const __m256d px = MC_POSITION(0), py = MC_POSITION(1), pz = MC_POSITION(2);
#undef MC_POSITION
      const __m256d fx0 = _mm256_floor_pd(px), fy0 = _mm256_floor_pd(py), fz0 = _mm256_floor_pd(pz);
      const __m128i ix = _mm256_cvtpd_epi32(fx0), iy = _mm256_cvtpd_epi32(fy0), iz = _mm256_cvtpd_epi32(fz0);
      // Every lane's taps inside: 0 <= i and i + 1 <= n - 1 on each axis.
      const __m128i bad = _mm_or_si128(
          _mm_or_si128(_mm_or_si128(_mm_cmplt_epi32(ix, _mm_setzero_si128()), _mm_cmplt_epi32(iy, _mm_setzero_si128())),
                       _mm_cmplt_epi32(iz, _mm_setzero_si128())),
          _mm_or_si128(_mm_or_si128(_mm_cmpgt_epi32(_mm_add_epi32(ix, one), limX),
                                    _mm_cmpgt_epi32(_mm_add_epi32(iy, one), limY)),
                       _mm_cmpgt_epi32(_mm_add_epi32(iz, one), limZ)));
      if (!_mm_testz_si128(bad, bad)) {
        for (int k = 0; k < 4; ++k) scalar(x + k);
        continue;
      }
      const __m256d fx = _mm256_sub_pd(px, fx0), fy = _mm256_sub_pd(py, fy0), fz = _mm256_sub_pd(pz, fz0);
      const __m128i base =
          _mm_add_epi32(_mm_add_epi32(_mm_mullo_epi32(iz, _mm_set1_epi32(nxy)), _mm_mullo_epi32(iy, _mm_set1_epi32(nx))), ix);
#define MC_ALONG_X(offset, out)                                                                        \
  {                                                                                                       \
    const __m256d q0 = _mm256_cvtps_pd(_mm_i32gather_ps(coef, _mm_add_epi32(base, _mm_set1_epi32(offset)), 4)); \
    const __m256d q1 =                                                                                    \
        _mm256_cvtps_pd(_mm_i32gather_ps(coef, _mm_add_epi32(base, _mm_set1_epi32((offset) + 1)), 4));    \
    out = _mm256_fmadd_pd(fx, _mm256_sub_pd(q1, q0), q0);                                                 \
  }
      __m256d a00, a10, a01, a11;
      MC_ALONG_X(0, a00)
      MC_ALONG_X(nx, a10)
      MC_ALONG_X(nxy, a01)
      MC_ALONG_X(nxy + nx, a11)
#undef MC_ALONG_X
      const __m256d y0 = _mm256_fmadd_pd(fy, _mm256_sub_pd(a10, a00), a00);
      const __m256d y1 = _mm256_fmadd_pd(fy, _mm256_sub_pd(a11, a01), a01);
      const __m256d value = _mm256_fmadd_pd(fz, _mm256_sub_pd(y1, y0), y0);
      double* sum = store.sum + row + x;
      _mm256_storeu_pd(sum, _mm256_add_pd(_mm256_loadu_pd(sum), value));
      std::uint32_t* count = store.count + row + x;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(count),
                       _mm_add_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(count)), one));
    }
    for (; x <= span.last; ++x) scalar(x);
  }
}

// The degree-1 slice's fast path, for the stores that have one (the estimation mean's sums).
template <class Store>
bool trilinearSlice(const BSplineCoefficients&, const std::array<int, 3>&, const Matrix4&, int, const Store&) {
  return false;
}
bool trilinearSlice(const BSplineCoefficients& c, const std::array<int, 3>& size, const Matrix4& v, int z,
                    const AccumulateStore& store) {
  sliceTrilinearSumsAvx2(c, size, v, z, store);
  return true;
}
#endif

template <int D, class Store>
void sliceBaseline(const BSplineCoefficients& c, const std::array<int, 3>& size, const Matrix4& v, int z,
                   const Store& store) {
  sliceBody<D>(c, size, v, z, store);
}

template <int D, class Store>
MC_TARGET_AVX2 void sliceAvx2(const BSplineCoefficients& c, const std::array<int, 3>& size, const Matrix4& v, int z,
                              const Store& store) {
  sliceBody<D>(c, size, v, z, store);
}

template <class Store>
void interpolateSlices(const ImageGeometry& grid, const Matrix4& v, const BSplineCoefficients& c, int degree,
                       const Store& store) {
  const bool avx2 = useAvx2Path();
  const bool big = grid.voxelCount() > 20000;
  // The gathers index with 32-bit integers.
  const bool trilinearGathers = grid.voxelCount() < (std::size_t(1) << 30);
  const int nz = grid.size[2];
  withSplineDegree(degree, [&](auto d) {
    constexpr int D = decltype(d)::value;
#pragma omp parallel for schedule(static) if (big)
    for (int z = 0; z < nz; ++z) {
#if MC_HAVE_AVX2_PATH
      if constexpr (D == 1) {
        if (avx2 && trilinearGathers && trilinearSlice(c, grid.size, v, z, store)) continue;
      }
#endif
      if (avx2) sliceAvx2<D>(c, grid.size, v, z, store);
      else sliceBaseline<D>(c, grid.size, v, z, store);
    }
  });
}

}  // namespace

void Reslicer::restrictCoverage(const Matrix4& motion, std::vector<std::uint8_t>& covered) const {
  covered.resize(grid_.voxelCount(), 1);
  const auto& w = options_.wrap;
  const auto& s = grid_.size;
  const Matrix4 v = referenceToFrameVoxel(grid_, motion);
  const int nx = s[0], ny = s[1], nz = s[2];
  const bool big = grid_.voxelCount() > 20000;
#pragma omp parallel for schedule(static) if (big)
  for (int z = 0; z < nz; ++z)
    for (int y = 0; y < ny; ++y) {
      std::uint8_t* row = covered.data() + (std::size_t(z) * ny + y) * nx;
      const RowSpan span = insideSpan(v, y, z, s, w);
      if (span.first > span.last) {
        std::fill(row, row + nx, std::uint8_t(0));
        continue;
      }
      std::fill(row, row + span.first, std::uint8_t(0));
      std::fill(row + span.last + 1, row + nx, std::uint8_t(0));
      for (int x = span.first; x <= span.last; ++x) {
        if (!span.exact(x)) continue;
        double px, py, pz;
        gridPosition(v, x, y, z, px, py, pz);
        if (!insideGrid(px, py, pz, s, w)) row[x] = 0;
      }
    }
}

void Reslicer::resliceFrame(const float* frame, const Matrix4& motion, float* out, BSplineCoefficients& c,
                            const std::uint8_t* mask) const {
  c.compute(frame, grid_.size, options_.interpolation, options_.wrap);
  interpolateSlices(grid_, referenceToFrameVoxel(grid_, motion), c, options_.interpolation, ResliceStore{out, mask});
}

void Reslicer::accumulate(const float* frame, const Matrix4& motion, double* sum, std::uint32_t* count,
                          BSplineCoefficients& c) const {
  c.compute(frame, grid_.size, options_.interpolation, options_.wrap);
  interpolateSlices(grid_, referenceToFrameVoxel(grid_, motion), c, options_.interpolation,
                    AccumulateStore{sum, count});
}

namespace {

// The steps below run over a range of frames [first, first + count): a rank's share.

// Per frame of the run: 1 if it is in `frames` (the frames left out of the mean), else 0.
std::vector<char> frameSet(int frameCount, const std::vector<int>& frames) {
  std::vector<char> in(std::size_t(std::max(0, frameCount)), 0);
  for (int j : frames)
    if (j >= 0 && j < frameCount) in[std::size_t(j)] = 1;
  return in;
}

// Number of frames of the range, those left out excepted, that see each voxel (integer sums:
// independent of the split).
std::vector<std::uint32_t> coverageCounts(const VolumeSeries& run, const std::vector<Matrix4>& motions,
                                          const Reslicer& reslicer, FrameExecutor& executor, int first, int count,
                                          const std::vector<char>& leftOut) {
  const std::size_t nvox = run.frameSize();
  const int workers = std::max(1, executor.workerCount());
  std::vector<std::vector<std::uint8_t>> cover(workers);
  std::vector<std::vector<std::uint32_t>> counts(workers, std::vector<std::uint32_t>(nvox, 0));
  executor.run(count, [&](int i, int w) {
    if (leftOut[std::size_t(first + i)]) return true;
    cover[w].assign(nvox, 1);
    reslicer.restrictCoverage(motions[first + i], cover[w]);
    for (std::size_t k = 0; k < nvox; ++k) counts[w][k] += cover[w][k];
    return true;
  });
  std::vector<std::uint32_t> total(nvox, 0);
  for (const auto& c : counts)
    for (std::size_t k = 0; k < nvox; ++k) total[k] += c[k];
  return total;
}

// SPM's mask: 1 where all `frames` frames see the voxel.
std::vector<std::uint8_t> maskFromCoverage(const std::vector<std::uint32_t>& coverage, int frames) {
  std::vector<std::uint8_t> mask(coverage.size(), 0);
  for (std::size_t k = 0; k < coverage.size(); ++k) mask[k] = coverage[k] == std::uint32_t(frames);
  return mask;
}

// The mean image of resliced frames, those left out excepted: the sum over frames (in frame order)
// divided by the coverage, zero where no frame sees the voxel or, when `mask` is given, outside it.
Volume meanOfResliced(const VolumeSeries& realigned, const std::vector<std::uint32_t>& coverage,
                      const std::uint8_t* mask, const std::vector<char>& leftOut) {
  const std::size_t nvox = realigned.frameSize();
  Volume mean{realigned.geometry, std::vector<float>(nvox, 0.0f)};
  // Summed in frame order per voxel: the same number whatever the split of the frames.
#pragma omp parallel for schedule(static) if (nvox > 20000)
  for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(nvox); ++i) {
    if (coverage[i] == 0 || (mask && !mask[i])) continue;
    double s = 0;
    for (int j = 0; j < realigned.frameCount; ++j)
      if (!leftOut[std::size_t(j)]) s += realigned.frame(j)[i];
    mean.voxels[i] = float(s / coverage[i]);
  }
  return mean;
}

// Sums of the frames of a range moved by their motions, and how many frames cover each voxel.
struct AlignedSums {
  std::vector<double> sum;
  std::vector<std::uint32_t> count;
  Volume mean(const ImageGeometry& geometry) const {  // sum / count, 0 where count is 0
    Volume m{geometry, std::vector<float>(sum.size(), 0.0f)};
    for (std::size_t k = 0; k < sum.size(); ++k) m.voxels[k] = count[k] ? float(sum[k] / count[k]) : 0.0f;
    return m;
  }
};

AlignedSums alignedSums(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                        const std::array<bool, 3>& wrap, FrameExecutor& executor, int first, int count,
                        const std::function<bool(int, int)>& onFrame, const std::vector<char>& leftOut) {
  ResliceOptions o;
  o.interpolation = degree;
  o.wrap = wrap;
  o.mask = false;
  const Reslicer reslicer(run.geometry, o);
  const std::size_t nvox = run.frameSize();
  const int workers = std::max(1, executor.workerCount());
  std::vector<std::vector<double>> sums(workers);
  std::vector<std::vector<std::uint32_t>> counts(workers);
  std::vector<BSplineCoefficients> scratch(workers);
  std::mutex mutex;
  int done = 0;
  bool aborted = false;
  executor.run(count, [&](int i, int w) {
    const int j = first + i;
    if (sums[w].empty()) {
      sums[w].assign(nvox, 0.0);
      counts[w].assign(nvox, 0);
    }
    if (!leftOut[std::size_t(j)])
      reslicer.accumulate(run.frame(j), motions[j], sums[w].data(), counts[w].data(), scratch[w]);
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    if (!aborted && onFrame && !onFrame(j, done)) aborted = true;
    return !aborted;
  });
  if (aborted) throw Cancelled();
  AlignedSums total{std::vector<double>(nvox, 0.0), std::vector<std::uint32_t>(nvox, 0)};
  for (int w = 0; w < workers; ++w)
    if (!sums[w].empty())
      for (std::size_t k = 0; k < nvox; ++k) {
        total.sum[k] += sums[w][k];
        total.count[k] += counts[w][k];
      }
  return total;
}

// The mean from per-voxel sums of the frames in frame order: the same numbers as meanOfResliced
// (which sums in that order, in double, from 0).
Volume meanFromSums(const ImageGeometry& geometry, const std::vector<double>& sum,
                    const std::vector<std::uint32_t>& coverage, const std::uint8_t* mask) {
  Volume mean{geometry, std::vector<float>(sum.size(), 0.0f)};
  for (std::size_t i = 0; i < sum.size(); ++i)
    if (coverage[i] != 0 && (!mask || mask[i])) mean.voxels[i] = float(sum[i] / coverage[i]);
  return mean;
}

// Frames finished in any order, handed to a sink in frame order. Each frame is resliced into a
// buffer from a small pool; a frame done before its predecessors waits in `ready_` with its buffer.
// Whichever worker finds the sink idle emits every frame that is next in line (so one call at a
// time, in order) and adds it (unless left out of the mean) to the per-voxel sums of the mean on the way.
class InOrderFrames {
public:
  InOrderFrames(const ResliceSink& sink, std::size_t frameSize, int first, int capacity,
                const std::vector<char>& leftOut)
      : sink_(sink), frameSize_(frameSize), next_(first), capacity_(capacity), sums_(frameSize, 0.0),
        leftOut_(leftOut) {}

  // A buffer for `frame`, or nullptr once stopped. Only the `capacity` frames from the next in line
  // on may hold a buffer; a worker given a later frame waits until the window reaches it. So the
  // pool never exceeds `capacity` buffers, and the frame next in line never waits (the frames are
  // handed out in order, so it is already running on some worker and frees the window).
  float* acquire(int frame) {
    std::unique_lock<std::mutex> lock(mutex_);
    freed_.wait(lock, [&] { return stopped_ || frame < next_ + capacity_; });
    if (stopped_) return nullptr;
    if (!free_.empty()) {
      float* b = free_.back();
      free_.pop_back();
      return b;
    }
    buffers_.emplace_back(new float[frameSize_]);
    return buffers_.back().get();
  }

  // Hands in a finished frame; returns false once stopped (the sink threw).
  bool deliver(int frame, float* buffer) {
    std::unique_lock<std::mutex> lock(mutex_);
    ready_.emplace(frame, buffer);
    if (emitting_) return !stopped_;  // the emitting worker will find it
    emitting_ = true;
    for (auto it = ready_.find(next_); !stopped_ && it != ready_.end(); it = ready_.find(next_)) {
      const int j = it->first;
      float* b = it->second;
      ready_.erase(it);
      lock.unlock();
      // The sink is called outside any lock (other workers go on reslicing); a throw is kept and
      // stops everyone: it must not cross the executor's OpenMP region.
      std::exception_ptr error;
      try {
        sink_(j, b);
        if (!leftOut_[std::size_t(j)])
          for (std::size_t i = 0; i < frameSize_; ++i) sums_[i] += b[i];
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      free_.push_back(b);
      if (error) {
        error_ = error;
        stopped_ = true;
      } else {
        ++next_;
      }
      freed_.notify_all();
    }
    emitting_ = false;
    return !stopped_;
  }

  // Wakes and turns away every waiting worker (cancel).
  void stop() {
    std::lock_guard<std::mutex> lock(mutex_);
    stopped_ = true;
    freed_.notify_all();
  }
  void rethrowSinkError() const {
    if (error_) std::rethrow_exception(error_);
  }
  // Per-voxel sums of the emitted frames, in frame order.
  const std::vector<double>& sums() const { return sums_; }

private:
  const ResliceSink& sink_;
  std::size_t frameSize_;
  int next_;
  int capacity_;
  std::vector<double> sums_;
  const std::vector<char>& leftOut_;
  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<float[]>> buffers_;
  std::vector<float*> free_;
  std::map<int, float*> ready_;
  bool emitting_ = false, stopped_ = false;
  std::exception_ptr error_;
};

}  // namespace

ResliceResult resliceRun(const VolumeSeries& run, const std::vector<Matrix4>& motions, const ResliceOptions& options,
                         FrameExecutor& executor, const ProgressCallback& progress, const ProgressPlan& plan,
                         Collective& collective, const ResliceSink& sink, const std::vector<int>& leaveOut) {
  if (int(motions.size()) != run.frameCount)
    throw std::invalid_argument("reslice: " + std::to_string(motions.size()) + " motions for " +
                                std::to_string(run.frameCount) + " frames");
  const Reslicer reslicer(run.geometry, options);
  const int workers = std::max(1, executor.workerCount());
  const std::size_t nvox = run.frameSize();
  const Share mine = shareOf(run.frameCount, collective.size(), collective.rank());
  const std::vector<char> leftOut = frameSet(run.frameCount, leaveOut);
  std::vector<std::uint32_t> coverage =
      coverageCounts(run, motions, reslicer, executor, mine.first, mine.count, leftOut);
  if (collective.size() > 1) collective.sum(coverage.data(), coverage.size());

  ResliceResult r;
  r.mask = maskFromCoverage(coverage, run.frameCount - int(std::count(leftOut.begin(), leftOut.end(), 1)));
  const std::uint8_t* mask = options.mask ? r.mask.data() : nullptr;
  r.realigned.geometry = run.geometry;
  r.realigned.frameCount = run.frameCount;
  r.realigned.repetitionTime = run.repetitionTime;
  r.realigned.storedType = run.storedType;
  r.realigned.storedSlope = run.storedSlope;
  r.realigned.storedIntercept = run.storedIntercept;
  // One rank with a sink streams: frames go to the sink as they are done, never all in memory.
  // Several ranks gather first (the other ranks' frames only arrive at the gather) and then stream.
  const bool streaming = sink && collective.size() == 1;

  std::vector<BSplineCoefficients> scratch(workers);
  std::mutex mutex;
  int done = 0;
  bool aborted = false;
  // Progress after each frame, serialised; false once the callback asked to abort.
  auto reportDone = [&](int j) {
    std::lock_guard<std::mutex> lock(mutex);
    ++done;
    if (progress && !aborted) {
      if (progress(plan.frameEvent(Stage::Reslice, j, done, run.frameCount)) == CallbackReturn::Abort) aborted = true;
    }
    return !aborted;
  };

  if (streaming) {
    InOrderFrames order(sink, nvox, mine.first, workers + 2, leftOut);
    executor.run(mine.count, [&](int i, int w) {
      const int j = mine.first + i;
      float* buffer = order.acquire(j);
      if (!buffer) return false;  // the sink failed or the run was cancelled
      reslicer.resliceFrame(run.frame(j), motions[j], buffer, scratch[w], mask);
      if (!reportDone(j)) {
        order.stop();
        return false;
      }
      return order.deliver(j, buffer);
    });
    order.rethrowSinkError();
    if (aborted) throw Cancelled();
    r.mean = meanFromSums(run.geometry, order.sums(), coverage, mask);
    return r;
  }

  // Rank 0 reslices straight into the whole run (its share comes first), another rank into a buffer
  // holding its share only.
  std::vector<float> share;
  float* out = nullptr;
  if (collective.isRoot()) {
    r.realigned.allocate(run.geometry, run.frameCount);
    out = r.realigned.frame(mine.first);
  } else {
    share.assign(std::size_t(mine.count) * nvox, 0.0f);
    out = share.data();
  }
  executor.run(mine.count, [&](int i, int w) {
    const int j = mine.first + i;
    reslicer.resliceFrame(run.frame(j), motions[j], out + std::size_t(i) * nvox, scratch[w], mask);
    return reportDone(j);
  });
  if (aborted) throw Cancelled();
  if (collective.size() > 1)
    collective.gather(out, r.realigned.voxels.data(), shareCounts(run.frameCount, collective.size()),
                      nvox * sizeof(float));
  if (!collective.isRoot()) return r;
  r.mean = meanOfResliced(r.realigned, coverage, mask, leftOut);
  if (sink) {
    for (int j = 0; j < run.frameCount; ++j) sink(j, r.realigned.frame(j));
    std::vector<float>().swap(r.realigned.voxels);  // the sink has them: no voxels, as with one rank
  }
  return r;
}

Volume alignedMean(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                   const std::array<bool, 3>& wrap, FrameExecutor& executor,
                   const std::function<bool(int, int)>& onFrame, Collective& collective,
                   const std::vector<int>& leaveOut) {
  const Share mine = shareOf(run.frameCount, collective.size(), collective.rank());
  AlignedSums sums = alignedSums(run, motions, degree, wrap, executor, mine.first, mine.count, onFrame,
                                 frameSet(run.frameCount, leaveOut));
  if (collective.size() > 1) {
    collective.sum(sums.sum.data(), sums.sum.size());
    collective.sum(sums.count.data(), sums.count.size());
  }
  return sums.mean(run.geometry);
}

}  // namespace mc
