#include "GaussianSmoothing.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "BSplineKernel.h"
#include "CpuDispatch.h"
#include "LineBundles.h"

namespace mc {

std::vector<double> gaussianKernel(double sigma) {
  // 4 sigma: the tail beyond holds < 1e-4 of the weight, and the smoothing of every frame is hot.
  const int r = std::max(1, int(std::ceil(4.0 * sigma)));
  std::vector<double> k(2 * r + 1);
  double sum = 0;
  for (int i = -r; i <= r; ++i) sum += k[i + r] = std::exp(-0.5 * i * i / (sigma * sigma));
  for (double& v : k) v /= sum;
  return k;
}

std::array<double, 3> fwhmToSigmaVoxels(double fwhmMm, const std::array<double, 3>& spacingMm) {
  const double s = fwhmMm / std::sqrt(8.0 * std::log(2.0));
  return {s / spacingMm[0], s / spacingMm[1], s / spacingMm[2]};
}

namespace {

typedef double Double4 __attribute__((vector_size(32)));

// Unaligned 4-lane load (by reference: a vector returned by value from baseline code changes the ABI).
MC_ALWAYS_INLINE void load4(Double4& v, const double* p) { std::memcpy(&v, p, sizeof v); }

// Kernels up to this radius keep their row pointers on the stack (FWHM 5 mm on 2-3 mm voxels has
// radius 3-4); wider ones take the plain loop.
constexpr int kMaxFastRadius = 32;

// The convolution of a bundle of lines: the smoothing of every frame, compiled baseline and
// AVX2+FMA (CpuDispatch.h). The kernel is symmetric, so the two samples at +-j share one multiply,
// and 8 lanes of the bundle are summed over all taps in registers before one store (summing tap by
// tap into memory took 3x the instructions). Mirror boundaries, as the B-spline prefilter's, or,
// when `zeros` is given (a line of w zeros), zero outside the grid.
MC_ALWAYS_INLINE void convolveBundleBody(const double* buf, int n, int w, const double* k, int r, double* out,
                                         const double* zeros) {
  auto line = [&](int i) { return zeros && (i < 0 || i >= n) ? zeros : buf + std::size_t(boundaryIndex(i, n, false)) * w; };
  if (r > kMaxFastRadius) {
    for (int i = 0; i < n; ++i) {
      double* o = out + std::size_t(i) * w;
      std::fill(o, o + w, 0.0);
      for (int j = -r; j <= r; ++j) {
        const double kj = k[j + r];
        const double* in = line(i + j);
        for (int l = 0; l < w; ++l) o[l] += kj * in[l];
      }
    }
    return;
  }
  const double* lo[kMaxFastRadius + 1];
  const double* hi[kMaxFastRadius + 1];
  for (int i = 0; i < n; ++i) {
    const double* centre = buf + std::size_t(i) * w;
    for (int j = 1; j <= r; ++j) {
      lo[j] = line(i - j);
      hi[j] = line(i + j);
    }
    double* o = out + std::size_t(i) * w;
    int l = 0;
    for (; l + 8 <= w; l += 8) {
      Double4 a, b, p, q;
      load4(a, centre + l);
      load4(b, centre + l + 4);
      a *= k[r];
      b *= k[r];
      for (int j = 1; j <= r; ++j) {
        load4(p, lo[j] + l);
        load4(q, hi[j] + l);
        a += k[r + j] * (p + q);
        load4(p, lo[j] + l + 4);
        load4(q, hi[j] + l + 4);
        b += k[r + j] * (p + q);
      }
      std::memcpy(o + l, &a, sizeof a);
      std::memcpy(o + l + 4, &b, sizeof b);
    }
    for (; l < w; ++l) {
      double a = k[r] * centre[l];
      for (int j = 1; j <= r; ++j) a += k[r + j] * (lo[j][l] + hi[j][l]);
      o[l] = a;
    }
  }
}

void convolveBundleBaseline(const double* buf, int n, int w, const double* k, int r, double* out,
                            const double* zeros) {
  convolveBundleBody(buf, n, w, k, r, out, zeros);
}

MC_TARGET_AVX2 void convolveBundleAvx2(const double* buf, int n, int w, const double* k, int r, double* out,
                                       const double* zeros) {
  convolveBundleBody(buf, n, w, k, r, out, zeros);
}

}  // namespace

void gaussianSmooth(float* v, const std::array<int, 3>& size, const std::array<double, 3>& sigma, bool mirrorEdges) {
  const bool avx2 = useAvx2Path();
  for (int axis = 0; axis < 3; ++axis) {
    if (sigma[axis] <= 0 || size[axis] < 2) continue;
    const std::vector<double> k = gaussianKernel(sigma[axis]);
    const int r = int(k.size() / 2);
    forEachLineBundle(v, size, axis, [&](double* buf, int n, int w) -> const double* {
      // One scratch bundle per thread, reused (allocating and zeroing one per bundle cost as much
      // as a tenth of estimation), and read back from directly rather than copied into buf.
      thread_local std::vector<double> out;
      thread_local std::vector<double> zeros;
      out.resize(std::size_t(n) * w);
      if (!mirrorEdges && zeros.size() < std::size_t(w)) zeros.assign(std::size_t(w), 0.0);
      const double* z = mirrorEdges ? nullptr : zeros.data();
      if (avx2) convolveBundleAvx2(buf, n, w, k.data(), r, out.data(), z);
      else convolveBundleBaseline(buf, n, w, k.data(), r, out.data(), z);
      return out.data();
    });
  }
}

}  // namespace mc
