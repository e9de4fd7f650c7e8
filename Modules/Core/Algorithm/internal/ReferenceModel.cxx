#include "ReferenceModel.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>

#include <Eigen/Dense>

#include "BSplineCoefficients.h"
#include "GaussianSmoothing.h"
#include "RigidTransform.h"
#include "VolumeSeries.h"

namespace mc {
namespace {

using Matrix7 = Eigen::Matrix<double, 7, 7>;
using Vector7 = Eigen::Matrix<double, 7, 1>;

// Rate of change of the reference's voxel coordinates under each rigid parameter:
// d/dp [inv(M) * inv(S(p)) * M * x] at p = 0 is -inv(M) * D_i * M * x; SPM's A0 is minus the
// gradient projected on it, i.e. grad . (inv(M) * D_i * M * x).
std::array<Matrix4, 6> voxelGenerators(const Matrix4& m) {
  std::array<Matrix4, 6> g;
  const Matrix4 mi = m.inverse();
  for (int i = 0; i < 6; ++i) g[i] = mi * spmMatrixDerivativeAtIdentity(i) * m;
  return g;
}

double logDet(const Matrix7& a) {
  Eigen::LDLT<Matrix7> ldlt(a);
  const auto d = ldlt.vectorD();
  double s = 0;
  for (int i = 0; i < 7; ++i) s += std::log(std::max(d[i], 1e-300));
  return s;
}

}  // namespace

ReferenceModel::ReferenceModel(const float* reference, const ImageGeometry& geometry, const EstimationOptions& options,
                               const Volume* weight)
    : geometry_(geometry), options_(options) {
  options.validate();
  const auto& dim = geometry.size;
  const auto spacing = geometry.spacing();

  // Sample grid: every `sep` mm, jittered by up to half a step as SPM does, with a fixed seed so
  // that every run (and every MPI rank) gets the same points.
  std::array<double, 3> skip;
  for (int a = 0; a < 3; ++a) skip[a] = std::max(options.separation / spacing[a], 1e-3);
  std::mt19937_64 rng(0);
  auto uniform = [&rng]() { return double(rng() >> 11) * (1.0 / 9007199254740992.0); };
  std::vector<double> pts;
  const bool thin = dim[2] < 3;
  // Unlike SPM, the first and last slices are not sampled: where the slab cuts through the
  // head (the slab's first and last slices) the smoothed image depends on the edge handling, a
  // feature fixed to the grid that pulls estimates towards zero motion (measured: mean error
  // 0.018 -> 0.012 mm on the phantom). sampleGridEdges restores SPM's grid.
  const double margin = options.sampleGridEdges ? 0.0 : 1.0;
  for (double z = thin ? 0 : margin; thin ? z < 1 : z < dim[2] - 1.5 - margin + 1e-9; z += thin ? 1 : skip[2])
    for (double y = margin; y < dim[1] - 1.5 - margin + 1e-9; y += skip[1])
      for (double x = margin; x < dim[0] - 1.5 - margin + 1e-9; x += skip[0]) {
        pts.push_back(x + uniform() * 0.5);
        pts.push_back(y + uniform() * 0.5);
        pts.push_back(thin ? z : z + uniform() * 0.5);
      }
  int n = int(pts.size() / 3);

  std::vector<float> smoothed(reference, reference + geometry.voxelCount());
  gaussianSmooth(smoothed.data(), dim, fwhmToSigmaVoxels(options.fwhm, spacing), options.mirrorSmoothingEdges);
  BSplineCoefficients coeffs(smoothed.data(), dim, options.referenceDegree(), options.wrap);
  std::unique_ptr<BSplineCoefficients> weightCoeffs;
  if (weight) {
    if (!weight->geometry.sameGridAs(geometry, 1e-3))
      throw std::invalid_argument("weight image is not on the run's voxel grid (size or orientation differ)");
    weightCoeffs = std::make_unique<BSplineCoefficients>(weight->voxels.data(), dim, 1);
  }

  const auto gen = voxelGenerators(geometry.voxelToWorld);
  // In a thin (2D) volume only in-plane motion is estimable: x, y and yaw (SPM's lkp = [1 2 6]).
  const std::array<bool, 6> active = thin ? std::array<bool, 6>{true, true, false, false, false, true}
                                          : std::array<bool, 6>{true, true, true, true, true, true};
  std::vector<double> a0(6 * std::size_t(n)), b(n), wt(weight ? n : 0);
  std::vector<char> keep(n, 1);
#pragma omp parallel for schedule(static) if (n > 4096)
  for (int k = 0; k < n; ++k) {
    const double* p = &pts[3 * std::size_t(k)];
    double w = 1.0;
    if (weightCoeffs) {
      w = weightCoeffs->value(p[0], p[1], p[2]);
      if (!(w >= 0.01)) {
        keep[k] = 0;
        continue;
      }
      wt[k] = w;
    }
    double g[3];
    b[k] = coeffs.valueAndGradient(p[0], p[1], p[2], g) * w;
    for (int i = 0; i < 6; ++i) {
      double v = 0;
      if (active[i]) {
        const std::array<double, 3> d = gen[i].apply({p[0], p[1], p[2]});
        // gen is linear in homogeneous coordinates with translation in the 4th column.
        v = (g[0] * d[0] + g[1] * d[1] + g[2] * d[2]) * w;
      }
      a0[6 * std::size_t(k) + i] = v;
    }
  }
  // Drop points excluded by the weight.
  {
    int m = 0;
    for (int k = 0; k < n; ++k) {
      if (!keep[k]) continue;
      for (int c = 0; c < 3; ++c) pts[3 * std::size_t(m) + c] = pts[3 * std::size_t(k) + c];
      for (int c = 0; c < 6; ++c) a0[6 * std::size_t(m) + c] = a0[6 * std::size_t(k) + c];
      b[m] = b[k];
      if (weight) wt[m] = wt[k];
      ++m;
    }
    n = m;
  }

  // Quality: drop the 10% of points that contribute least to the determinant of the information
  // matrix, repeatedly, while it keeps more than `quality` of the full determinant (SPM's scheme,
  // using det(A - t t') = det(A) (1 - t' A^-1 t) instead of n determinants).
  auto row = [&](int k) {
    Vector7 t;
    for (int i = 0; i < 6; ++i) t[i] = a0[6 * std::size_t(k) + i];
    t[6] = b[k];
    return t;
  };
  auto information = [&](const std::vector<int>& idx) {
    Matrix7 alpha = Matrix7::Zero();
    for (int k : idx) {
      const Vector7 t = row(k);
      alpha.selfadjointView<Eigen::Upper>().rankUpdate(t);
    }
    Matrix7 full = alpha.selfadjointView<Eigen::Upper>();
    // Inactive parameters give empty rows; keep the matrix invertible without changing the ratio.
    for (int i = 0; i < 6; ++i)
      if (!active[i]) full(i, i) = 1.0;
    return full;
  };
  std::vector<int> idx(n);
  std::iota(idx.begin(), idx.end(), 0);
  if (options.quality < 1.0 && n > 64) {
    Matrix7 alpha = information(idx);
    const double ld0 = logDet(alpha);
    double ld1 = ld0;
    std::vector<double> leverage;
    while (std::exp(ld1 - ld0) > options.quality && idx.size() > 64) {
      const Matrix7 inv = alpha.inverse();
      leverage.resize(idx.size());
      for (std::size_t j = 0; j < idx.size(); ++j) {
        const Vector7 t = row(idx[j]);
        leverage[j] = t.dot(inv * t);
      }
      std::vector<std::size_t> order(idx.size());
      std::iota(order.begin(), order.end(), 0);
      const std::size_t drop = std::max<std::size_t>(1, std::size_t(std::lround(idx.size() / 10.0)));
      // Ties broken by position so the result does not depend on the sort implementation.
      std::nth_element(order.begin(), order.begin() + drop, order.end(), [&](std::size_t a, std::size_t c) {
        return leverage[a] < leverage[c] || (leverage[a] == leverage[c] && a < c);
      });
      std::vector<char> dropped(idx.size(), 0);
      for (std::size_t j = 0; j < drop; ++j) dropped[order[j]] = 1;
      std::vector<int> next;
      next.reserve(idx.size() - drop);
      for (std::size_t j = 0; j < idx.size(); ++j)
        if (!dropped[j]) next.push_back(idx[j]);
      idx.swap(next);
      alpha = information(idx);
      ld1 = logDet(alpha);
    }
  }

  points_.resize(3 * idx.size());
  a0_.resize(6 * idx.size());
  b_.resize(idx.size());
  if (weight) wt_.resize(idx.size());
  for (std::size_t j = 0; j < idx.size(); ++j) {
    const int k = idx[j];
    for (int c = 0; c < 3; ++c) points_[3 * j + c] = pts[3 * std::size_t(k) + c];
    for (int c = 0; c < 6; ++c) a0_[6 * j + c] = a0[6 * std::size_t(k) + c];
    b_[j] = b[k];
    if (weight) wt_[j] = wt[k];
  }
  sumJacobianProducts();
}

void ReferenceModel::sumJacobianProducts() {
  // In point order: the same numbers on every rank and thread count.
  a0a0_.fill(0.0);
  a0b_.fill(0.0);
  for (std::size_t k = 0; k < b_.size(); ++k) {
    const double* a = &a0_[6 * k];
    for (int i = 0; i < 6; ++i) {
      for (int j = 0; j < 6; ++j) a0a0_[6 * i + j] += a[i] * a[j];
      a0b_[i] += a[i] * b_[k];
    }
  }
}

std::vector<double> ReferenceModel::serialize() const {
  std::vector<double> d;
  d.insert(d.end(), {double(geometry_.size[0]), double(geometry_.size[1]), double(geometry_.size[2])});
  d.insert(d.end(), geometry_.voxelToWorld.m.begin(), geometry_.voxelToWorld.m.end());
  const auto& o = options_;
  d.insert(d.end(), {o.quality, o.separation, o.fwhm, double(o.interpolation), double(o.wrap[0]), double(o.wrap[1]),
                     double(o.wrap[2]), double(o.referenceFrame), double(o.registerToMean),
                     double(o.maxIterations), o.convergenceMm, double(o.mirrorSmoothingEdges),
                     double(o.sampleGridEdges), double(o.referenceInterpolation), double(o.meanInterpolation),
                     double(b_.size()), double(wt_.size())});
  d.insert(d.end(), points_.begin(), points_.end());
  d.insert(d.end(), b_.begin(), b_.end());
  d.insert(d.end(), wt_.begin(), wt_.end());
  d.insert(d.end(), a0_.begin(), a0_.end());
  return d;
}

ReferenceModel ReferenceModel::deserialize(const std::vector<double>& d) {
  ReferenceModel r;
  std::size_t p = 0;
  auto next = [&]() {
    if (p >= d.size()) throw std::runtime_error("truncated reference model");
    return d[p++];
  };
  for (int a = 0; a < 3; ++a) r.geometry_.size[a] = int(next());
  for (double& v : r.geometry_.voxelToWorld.m) v = next();
  auto& o = r.options_;
  o.quality = next();
  o.separation = next();
  o.fwhm = next();
  o.interpolation = int(next());
  for (int a = 0; a < 3; ++a) o.wrap[a] = next() != 0;
  o.referenceFrame = int(next());
  o.registerToMean = next() != 0;
  o.maxIterations = int(next());
  o.convergenceMm = next();
  o.mirrorSmoothingEdges = next() != 0;
  o.sampleGridEdges = next() != 0;
  o.referenceInterpolation = int(next());
  o.meanInterpolation = int(next());
  const std::size_t n = std::size_t(next()), nw = std::size_t(next());
  if (d.size() - p != 3 * n + n + nw + 6 * n) throw std::runtime_error("reference model of inconsistent size");
  r.points_.assign(d.begin() + p, d.begin() + p + 3 * n);
  p += 3 * n;
  r.b_.assign(d.begin() + p, d.begin() + p + n);
  p += n;
  r.wt_.assign(d.begin() + p, d.begin() + p + nw);
  p += nw;
  r.a0_.assign(d.begin() + p, d.begin() + p + 6 * n);
  r.sumJacobianProducts();
  return r;
}

}  // namespace mc
