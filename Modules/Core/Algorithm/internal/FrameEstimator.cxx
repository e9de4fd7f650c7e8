#include "FrameEstimator.h"

#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Dense>

#include "CpuDispatch.h"
#include "GaussianSmoothing.h"
#include "Reslicer.h"
#include "RigidTransform.h"

namespace mc {
namespace {

// Partial sums of one block of sample points. For points inside the frame: f * a0 (6), f^2, f * b,
// (b - f)^2 and their count; for points outside: a0 a0' (6x6 upper, 21) and a0 * b (6), to take off
// the reference model's precomputed totals (points rarely leave, so this is cheaper than adding
// the 28 products of every inside point at every iteration).
constexpr int kBlock = 1024;
enum : int { kFA = 0, kFF = 6, kFB = 7, kRR = 8, kIn = 9, kOutAA = 10, kOutAB = 31, kSums = 37 };

}  // namespace

namespace {

// One block of sample points: the hot loop of estimation (every point, every iteration, every
// frame). Compiled twice, baseline and AVX2+FMA (CpuDispatch.h); the spline evaluation is inlined
// into each.
template <int D>
MC_ALWAYS_INLINE void accumulateBlockBody(const BSplineCoefficients& c, const ReferenceModel& ref, const Matrix4& v,
                                          int k0, int k1, double* s) {
  for (int k = k0; k < k1; ++k) {
    const double* x = ref.point(k);
    const double y0 = v.m[0] * x[0] + v.m[1] * x[1] + v.m[2] * x[2] + v.m[3];
    const double y1 = v.m[4] * x[0] + v.m[5] * x[1] + v.m[6] * x[2] + v.m[7];
    const double y2 = v.m[8] * x[0] + v.m[9] * x[1] + v.m[10] * x[2] + v.m[11];
    const double* a0 = ref.jacobian(k);
    const double bk = ref.value(k);
    if (!c.inside(y0, y1, y2)) {
      int t = kOutAA;
      for (int i = 0; i < 6; ++i)
        for (int j = i; j < 6; ++j) s[t++] += a0[i] * a0[j];
      for (int i = 0; i < 6; ++i) s[kOutAB + i] += a0[i] * bk;
      continue;
    }
    const double f = c.template valueOfDegree<D>(y0, y1, y2) * ref.weight(k);
    for (int i = 0; i < 6; ++i) s[kFA + i] += f * a0[i];
    s[kFF] += f * f;
    s[kFB] += f * bk;
    s[kRR] += (bk - f) * (bk - f);
    s[kIn] += 1;
  }
}

template <int D>
void accumulateBlockBaseline(const BSplineCoefficients& c, const ReferenceModel& ref, const Matrix4& v, int k0,
                             int k1, double* s) {
  accumulateBlockBody<D>(c, ref, v, k0, k1, s);
}

template <int D>
MC_TARGET_AVX2 void accumulateBlockAvx2(const BSplineCoefficients& c, const ReferenceModel& ref, const Matrix4& v,
                                        int k0, int k1, double* s) {
  accumulateBlockBody<D>(c, ref, v, k0, k1, s);
}

}  // namespace

template <int D>
void FrameEstimator::accumulateBlocks(const ReferenceModel& ref, const Matrix4& v) {
  // Fixed-size blocks summed in order by the caller: the same numbers whatever the thread count.
  const int n = ref.sampleCount();
  const int blocks = (n + kBlock - 1) / kBlock;
  const bool avx2 = useAvx2Path();
#pragma omp parallel for schedule(static) if (blocks > 8)
  for (int blk = 0; blk < blocks; ++blk) {
    double s[kSums] = {0};
    const int k0 = blk * kBlock, k1 = std::min(n, (blk + 1) * kBlock);
    if (avx2) accumulateBlockAvx2<D>(coefficients_, ref, v, k0, k1, s);
    else accumulateBlockBaseline<D>(coefficients_, ref, v, k0, k1, s);
    std::copy(s, s + kSums, residualBlocks_.begin() + std::size_t(blk) * kSums);
  }
}

FrameMotion FrameEstimator::estimate(const ReferenceModel& ref, const float* frame, const Matrix4& initial,
                                     int frameIndex) {
  const ImageGeometry& g = ref.geometry();
  const EstimationOptions& o = ref.options();
  smoothed_.assign(frame, frame + g.voxelCount());
  gaussianSmooth(smoothed_.data(), g.size, fwhmToSigmaVoxels(o.fwhm, g.spacing()));
  coefficients_.compute(smoothed_.data(), g.size, o.interpolation, o.wrap);

  const bool thin = g.size[2] < 3;
  const int nl = thin ? 3 : 6;
  const int lkp[6] = {0, 1, thin ? 5 : 2, 3, 4, 5};
  const int n = ref.sampleCount();
  const int blocks = (n + kBlock - 1) / kBlock;
  residualBlocks_.assign(std::size_t(blocks) * kSums, 0.0);

  FrameMotion result;
  result.frame = frameIndex;
  Matrix4 q = initial;
  double ss = std::numeric_limits<double>::infinity();
  int countdown = -1;
  double previousUpdateMm = 0;
  for (int iter = 1; iter <= o.maxIterations; ++iter) {
    const Matrix4 v = referenceToFrameVoxel(g, q);
    withSplineDegree(o.interpolation, [&](auto degree) { accumulateBlocks<decltype(degree)::value>(ref, v); });
    double s[kSums] = {0};
    for (int blk = 0; blk < blocks; ++blk)
      for (int t = 0; t < kSums; ++t) s[t] += residualBlocks_[std::size_t(blk) * kSums + t];

    const int inside = int(s[kIn]);
    result.samplePoints = inside;
    if (inside < 32) {
      result.warning = "frame " + std::to_string(frameIndex) + ": only " + std::to_string(inside) +
                       " sample points inside its field of view; motion left at its starting value";
      break;
    }
    // The system of SPM's A = [A0 -F] over the inside points: A'A and A'b.
    double outAA[6][6];
    for (int i = 0, t = kOutAA; i < 6; ++i)
      for (int j = i; j < 6; ++j, ++t) outAA[i][j] = outAA[j][i] = s[t];
    const auto& aa = ref.jacobianProducts();
    const auto& ab = ref.jacobianTimesValue();
    Eigen::MatrixXd alpha(nl + 1, nl + 1);
    Eigen::VectorXd beta(nl + 1);
    for (int i = 0; i < nl; ++i) {
      for (int j = 0; j < nl; ++j) alpha(i, j) = aa[6 * lkp[i] + lkp[j]] - outAA[lkp[i]][lkp[j]];
      alpha(i, nl) = alpha(nl, i) = -s[kFA + lkp[i]];
      beta[i] = ab[lkp[i]] - s[kOutAB + lkp[i]];
    }
    alpha(nl, nl) = s[kFF];
    beta[nl] = -s[kFB];
    const Eigen::VectorXd soln = alpha.ldlt().solve(beta);
    if (!soln.allFinite()) {
      result.warning = "frame " + std::to_string(frameIndex) + ": estimation is singular (empty or flat frame)";
      break;
    }
    RigidParameters dp;
    for (int i = 0; i < nl; ++i) dp[lkp[i]] = soln[i];
    q = spmMatrix(dp).inverse() * q;

    const double pss = ss;
    ss = s[kRR] / inside;
    result.meanSquaredResidual = ss;
    result.iterations = iter;
    // How far the update moved the frame: no point within 100 mm of the origin moves further.
    const double updateMm = std::fabs(dp[0]) + std::fabs(dp[1]) + std::fabs(dp[2]) +
                            100.0 * (std::fabs(dp[3]) + std::fabs(dp[4]) + std::fabs(dp[5]));
    if (o.convergenceMm > 0) {
      // Near the optimum Gauss-Newton's updates shrink by a steady ratio r = u_k / u_{k-1}, so the
      // next would be about u_k * r. Stopping when that is below the tolerance saves the
      // iterations SPM's rule spends confirming convergence: on the phantom 5.6 -> 3.0
      // iterations in pass 1 and 4.3 -> 2.0 in pass 2, with answers within 1e-4 mm of SPM's rule.
      // A growing update (r > 1) predicts more than u_k and never stops early.
      const double predictedMm = previousUpdateMm > 0 ? updateMm * (updateMm / previousUpdateMm) : updateMm;
      previousUpdateMm = updateMm;
      if (predictedMm < o.convergenceMm) break;
      continue;
    }
    // SPM's stopping rule: two more iterations once the sum of squares stops improving. Those two
    // are skipped when the update itself is negligible (it moves no point within 100 mm of the
    // origin by 1e-4 mm), which saves a third of the iterations without changing the answer.
    if (countdown == -1 && (pss - ss) / pss < 1e-8) countdown = 2;
    if (countdown != -1 && updateMm < 1e-4) break;
    if (countdown != -1) {
      if (countdown == 0) break;
      --countdown;
    }
  }
  result.transform = q;
  result.parameters = spmImatrix(q);
  return result;
}

}  // namespace mc
