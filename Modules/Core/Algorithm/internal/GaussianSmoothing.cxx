#include "GaussianSmoothing.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

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

// The convolution of a bundle of lines: the smoothing of every frame, compiled baseline and
// AVX2+FMA (CpuDispatch.h). out starts at zero.
MC_ALWAYS_INLINE void convolveBundleBody(const double* buf, int n, int w, const double* k, int r, double* out) {
  for (int i = 0; i < n; ++i) {
    double* o = out + std::size_t(i) * w;
    for (int j = -r; j <= r; ++j) {
      const double kj = k[j + r];
      const double* in = buf + std::size_t(boundaryIndex(i + j, n, false)) * w;
      for (int l = 0; l < w; ++l) o[l] += kj * in[l];
    }
  }
}

void convolveBundleBaseline(const double* buf, int n, int w, const double* k, int r, double* out) {
  convolveBundleBody(buf, n, w, k, r, out);
}

MC_TARGET_AVX2 void convolveBundleAvx2(const double* buf, int n, int w, const double* k, int r, double* out) {
  convolveBundleBody(buf, n, w, k, r, out);
}

}  // namespace

void gaussianSmooth(float* v, const std::array<int, 3>& size, const std::array<double, 3>& sigma) {
  const bool avx2 = useAvx2Path();
  for (int axis = 0; axis < 3; ++axis) {
    if (sigma[axis] <= 0 || size[axis] < 2) continue;
    const std::vector<double> k = gaussianKernel(sigma[axis]);
    const int r = int(k.size() / 2);
    forEachLineBundle(v, size, axis, [&](double* buf, int n, int w) {
      std::vector<double> out(std::size_t(n) * w, 0.0);
      if (avx2) convolveBundleAvx2(buf, n, w, k.data(), r, out.data());
      else convolveBundleBaseline(buf, n, w, k.data(), r, out.data());
      std::copy(out.begin(), out.end(), buf);
    });
  }
}

}  // namespace mc
