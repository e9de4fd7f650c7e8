#include "FrameEstimator.h"

#include <cmath>
#include <limits>
#include <string>

#include <Eigen/Dense>

#include "GaussianSmoothing.h"
#include "Reslicer.h"
#include "RigidTransform.h"

namespace mc {
namespace {

// Partial sums of one block of sample points: the upper triangle of A'A (7x7), A'b (7), the
// residual sum of squares and the number of points inside the frame.
constexpr int kBlock = 1024;
constexpr int kSums = 28 + 7 + 2;

}  // namespace

template <int D>
void FrameEstimator::accumulateBlocks(const ReferenceModel& ref, const Matrix4& v, int nl, const int* lkp) {
  // Fixed-size blocks summed in order by the caller: the same numbers whatever the thread count.
  const int n = ref.sampleCount();
  const int blocks = (n + kBlock - 1) / kBlock;
#pragma omp parallel for schedule(static) if (blocks > 8)
    for (int blk = 0; blk < blocks; ++blk) {
      double s[kSums] = {0};
      const int k1 = std::min(n, (blk + 1) * kBlock);
      for (int k = blk * kBlock; k < k1; ++k) {
        const double* x = ref.point(k);
        const double y0 = v.m[0] * x[0] + v.m[1] * x[1] + v.m[2] * x[2] + v.m[3];
        const double y1 = v.m[4] * x[0] + v.m[5] * x[1] + v.m[6] * x[2] + v.m[7];
        const double y2 = v.m[8] * x[0] + v.m[9] * x[1] + v.m[10] * x[2] + v.m[11];
        if (!coefficients_.inside(y0, y1, y2)) continue;
        const double f = coefficients_.template valueOfDegree<D>(y0, y1, y2) * ref.weight(k);
        const double bk = ref.value(k);
        const double* a0 = ref.jacobian(k);
        double a[7];
        for (int i = 0; i < nl; ++i) a[i] = a0[lkp[i]];
        a[nl] = -f;
        int t = 0;
        for (int i = 0; i <= nl; ++i)
          for (int j = i; j <= nl; ++j) s[t++] += a[i] * a[j];
        for (int i = 0; i <= nl; ++i) s[28 + i] += a[i] * bk;
        s[35] += (bk - f) * (bk - f);
        s[36] += 1;
      }
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
  for (int iter = 1; iter <= o.maxIterations; ++iter) {
    const Matrix4 v = referenceToFrameVoxel(g, q);
    withSplineDegree(o.interpolation, [&](auto degree) { accumulateBlocks<decltype(degree)::value>(ref, v, nl, lkp); });
    double s[kSums] = {0};
    for (int blk = 0; blk < blocks; ++blk)
      for (int t = 0; t < kSums; ++t) s[t] += residualBlocks_[std::size_t(blk) * kSums + t];

    const int inside = int(s[36]);
    result.samplePoints = inside;
    if (inside < 32) {
      result.warning = "frame " + std::to_string(frameIndex) + ": only " + std::to_string(inside) +
                       " sample points inside its field of view; motion left at its starting value";
      break;
    }
    Eigen::MatrixXd alpha(nl + 1, nl + 1);
    Eigen::VectorXd beta(nl + 1);
    int t = 0;
    for (int i = 0; i <= nl; ++i)
      for (int j = i; j <= nl; ++j) alpha(i, j) = alpha(j, i) = s[t++];
    for (int i = 0; i <= nl; ++i) beta[i] = s[28 + i];
    const Eigen::VectorXd soln = alpha.ldlt().solve(beta);
    if (!soln.allFinite()) {
      result.warning = "frame " + std::to_string(frameIndex) + ": estimation is singular (empty or flat frame)";
      break;
    }
    RigidParameters dp;
    for (int i = 0; i < nl; ++i) dp[lkp[i]] = soln[i];
    q = spmMatrix(dp).inverse() * q;

    const double pss = ss;
    ss = s[35] / inside;
    result.meanSquaredResidual = ss;
    result.iterations = iter;
    // SPM's stopping rule: two more iterations once the sum of squares stops improving. Those two
    // are skipped when the update itself is negligible (it moves no point within 100 mm of the
    // origin by 1e-4 mm), which saves a third of the iterations without changing the answer.
    const double updateMm = std::fabs(dp[0]) + std::fabs(dp[1]) + std::fabs(dp[2]) +
                            100.0 * (std::fabs(dp[3]) + std::fabs(dp[4]) + std::fabs(dp[5]));
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
