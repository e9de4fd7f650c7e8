#include "BSplineCoefficients.h"

#include "CpuDispatch.h"
#include "LineBundles.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace mc {
namespace {

int splinePoles(int degree, double z[3]) {
  switch (degree) {
    case 0:
    case 1: return 0;
    case 2: z[0] = std::sqrt(8.0) - 3.0; return 1;
    case 3: z[0] = std::sqrt(3.0) - 2.0; return 1;
    case 4:
      z[0] = std::sqrt(664.0 - std::sqrt(438976.0)) + std::sqrt(304.0) - 19.0;
      z[1] = std::sqrt(664.0 + std::sqrt(438976.0)) - std::sqrt(304.0) - 19.0;
      return 2;
    case 5:
      z[0] = std::sqrt(135.0 / 2.0 - std::sqrt(17745.0 / 4.0)) + std::sqrt(105.0 / 4.0) - 13.0 / 2.0;
      z[1] = std::sqrt(135.0 / 2.0 + std::sqrt(17745.0 / 4.0)) - std::sqrt(105.0 / 4.0) - 13.0 / 2.0;
      return 2;
    case 6:
      z[0] = -0.48829458930304475513011803888378906211227916123938;
      z[1] = -0.081679271076237512597937765737059080653379610398148;
      z[2] = -0.0014141518083258177510872439765585925278641690553467;
      return 3;
    case 7:
      z[0] = -0.53528043079643816554240378168164607183392315234269;
      z[1] = -0.12255461519232669051527226435935734360548654942730;
      z[2] = -0.0091486948096082769285930216516478534156925639545994;
      return 3;
    default: throw std::invalid_argument("B-spline degree must be 0..7, got " + std::to_string(degree));
  }
}

// Number of terms after which z^k is negligible for double precision work.
int horizon(double z) { return int(std::ceil(std::log(1e-15) / std::log(std::fabs(z)))); }

// Lines are processed as bundles of `w` side by side: sample k of line l is c[k * w + l].
MC_ALWAYS_INLINE void causalInitMirror(double* c, int n, int w, double z, double* out) {
  const int h = horizon(z);
  if (h < n) {
    for (int l = 0; l < w; ++l) out[l] = c[l];
    double zk = z;
    for (int k = 1; k < h; ++k, zk *= z)
      for (int l = 0; l < w; ++l) out[l] += zk * c[k * w + l];
    return;
  }
  const double zn = std::pow(z, n - 1);
  const double iz = 1.0 / z;
  double z2n = zn * zn * iz;  // z^(2n-3)
  for (int l = 0; l < w; ++l) out[l] = c[l] + zn * c[(n - 1) * w + l];
  double zk = z;
  for (int k = 1; k < n - 1; ++k, zk *= z, z2n *= iz)
    for (int l = 0; l < w; ++l) out[l] += (zk + z2n) * c[k * w + l];
  const double scale = 1.0 / (1.0 - zn * zn);
  for (int l = 0; l < w; ++l) out[l] *= scale;
}

MC_ALWAYS_INLINE void causalInitWrap(const double* c, int n, int w, double z, double* out) {
  const int terms = std::min(n, horizon(z));
  for (int l = 0; l < w; ++l) out[l] = 0;
  double zk = 1.0;
  for (int k = 0; k < terms; ++k, zk *= z)
    for (int l = 0; l < w; ++l) out[l] += zk * c[((n - k) % n) * w + l];
  const double scale = terms < n ? 1.0 : 1.0 / (1.0 - std::pow(z, n));
  for (int l = 0; l < w; ++l) out[l] *= scale;
}

MC_ALWAYS_INLINE void anticausalInitWrap(const double* c, int n, int w, double z, double* out) {
  const int terms = std::min(n, horizon(z));
  for (int l = 0; l < w; ++l) out[l] = 0;
  double zk = 1.0;
  for (int j = 0; j < terms; ++j, zk *= z)
    for (int l = 0; l < w; ++l) out[l] += zk * c[((n - 1 + j) % n) * w + l];
  const double scale = -(terms < n ? z : z / (1.0 - std::pow(z, n)));
  for (int l = 0; l < w; ++l) out[l] *= scale;
}

// The recursive filter over a bundle of lines: the prefilter of every frame (estimation and
// reslicing), compiled baseline and AVX2+FMA (CpuDispatch.h); the loops over the bundle's width
// are what vectorizes.
MC_ALWAYS_INLINE void prefilterBundleBody(double* c, int n, int w, const double* z, int np, bool wrap, double* init) {
  double gain = 1.0;
  for (int p = 0; p < np; ++p) gain *= (1.0 - z[p]) * (1.0 - 1.0 / z[p]);
  for (std::size_t i = 0; i < std::size_t(n) * w; ++i) c[i] *= gain;
  for (int p = 0; p < np; ++p) {
    const double zp = z[p];
    if (wrap) causalInitWrap(c, n, w, zp, init);
    else causalInitMirror(c, n, w, zp, init);
    for (int l = 0; l < w; ++l) c[l] = init[l];
    for (int k = 1; k < n; ++k)
      for (int l = 0; l < w; ++l) c[k * w + l] += zp * c[(k - 1) * w + l];
    double* last = c + std::size_t(n - 1) * w;
    if (wrap) {
      anticausalInitWrap(c, n, w, zp, init);
      for (int l = 0; l < w; ++l) last[l] = init[l];
    } else {
      const double a = zp / (zp * zp - 1.0);
      for (int l = 0; l < w; ++l) last[l] = a * (last[l] + zp * c[(n - 2) * w + l]);
    }
    for (int k = n - 2; k >= 0; --k)
      for (int l = 0; l < w; ++l) c[k * w + l] = zp * (c[(k + 1) * w + l] - c[k * w + l]);
  }
}

void prefilterBundleBaseline(double* c, int n, int w, const double* z, int np, bool wrap, double* init) {
  prefilterBundleBody(c, n, w, z, np, wrap, init);
}

MC_TARGET_AVX2 void prefilterBundleAvx2(double* c, int n, int w, const double* z, int np, bool wrap, double* init) {
  prefilterBundleBody(c, n, w, z, np, wrap, init);
}

}  // namespace

void bsplinePrefilterBundle(double* c, int n, int w, int degree, bool wrap) {
  double z[3];
  const int np = splinePoles(degree, z);
  if (np == 0 || n == 1) return;
  std::vector<double> init(w);
  if (useAvx2Path()) prefilterBundleAvx2(c, n, w, z, np, wrap, init.data());
  else prefilterBundleBaseline(c, n, w, z, np, wrap, init.data());
}

void bsplinePrefilterLine(double* c, int n, int degree, bool wrap) { bsplinePrefilterBundle(c, n, 1, degree, wrap); }

void prefilterVolume(float* v, const std::array<int, 3>& size, int degree, const std::array<bool, 3>& wrap) {
  for (int axis = 0; axis < 3; ++axis) {
    if (size[axis] < 2) continue;
    forEachLineBundle(v, size, axis, [&](double* buf, int n, int w) {
      bsplinePrefilterBundle(buf, n, w, degree, wrap[axis]);
    });
  }
}

BSplineCoefficients::BSplineCoefficients(const float* voxels, const std::array<int, 3>& size, int degree,
                                         const std::array<bool, 3>& wrap) {
  compute(voxels, size, degree, wrap);
}

void BSplineCoefficients::compute(const float* voxels, const std::array<int, 3>& size, int degree,
                                  const std::array<bool, 3>& wrap) {
  if (degree < 0 || degree > kMaxSplineDegree)
    throw std::invalid_argument("B-spline degree must be 0..7, got " + std::to_string(degree));
  size_ = size;
  wrap_ = wrap;
  degree_ = degree;
  const std::size_t nvox = std::size_t(size[0]) * size[1] * size[2];
  c_.resize(nvox + kCoefficientPadding);
  std::copy(voxels, voxels + nvox, c_.begin());
  std::fill(c_.begin() + std::ptrdiff_t(nvox), c_.end(), 0.0f);
  if (degree <= 1) return;

  prefilterVolume(c_.data(), size, degree, wrap);
}

double BSplineCoefficients::value(double x, double y, double z) const {
  return withSplineDegree(degree_, [&](auto d) { return valueOfDegree<decltype(d)::value>(x, y, z); });
}

double BSplineCoefficients::valueAndGradient(double x, double y, double z, double g[3]) const {
  const int D = degree_;
  SplineTaps tx, ty, tz;
  splineTaps(x, D, tx, true);
  splineTaps(y, D, ty, true);
  splineTaps(z, D, tz, true);
  int ix[kMaxSplineDegree + 1];
  std::size_t iy[kMaxSplineDegree + 1], iz[kMaxSplineDegree + 1];
  const std::size_t nx = std::size_t(size_[0]), nxy = nx * size_[1];
  for (int m = 0; m <= D; ++m) {
    ix[m] = boundaryIndex(tx.first + m, size_[0], wrap_[0]);
    iy[m] = boundaryIndex(ty.first + m, size_[1], wrap_[1]) * nx;
    iz[m] = boundaryIndex(tz.first + m, size_[2], wrap_[2]) * nxy;
  }
  double v = 0, gx = 0, gy = 0, gz = 0;
  for (int k = 0; k <= D; ++k) {
    double v1 = 0, gx1 = 0, gy1 = 0;
    for (int j = 0; j <= D; ++j) {
      const float* row = c_.data() + iz[k] + iy[j];
      double v0 = 0, gx0 = 0;
      for (int i = 0; i <= D; ++i) {
        v0 += tx.w[i] * row[ix[i]];
        gx0 += tx.dw[i] * row[ix[i]];
      }
      v1 += ty.w[j] * v0;
      gx1 += ty.w[j] * gx0;
      gy1 += ty.dw[j] * v0;
    }
    v += tz.w[k] * v1;
    gx += tz.w[k] * gx1;
    gy += tz.w[k] * gy1;
    gz += tz.dw[k] * v1;
  }
  g[0] = gx;
  g[1] = gy;
  g[2] = gz;
  return v;
}

}  // namespace mc
