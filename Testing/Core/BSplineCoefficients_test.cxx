#include "BSplineCoefficients.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

#include "GaussianSmoothing.h"

using namespace mc;

namespace {

std::vector<float> randomVolume(const std::array<int, 3>& s, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(std::size_t(s[0]) * s[1] * s[2]);
  for (float& x : v) x = u(rng);
  return v;
}

}  // namespace

class BSplineDegree : public ::testing::TestWithParam<int> {};

TEST_P(BSplineDegree, InterpolatesTheSamplesAtGridPoints) {
  const int degree = GetParam();
  const std::array<int, 3> s{17, 13, 11};
  const auto v = randomVolume(s, 1 + degree);
  for (bool wrap : {false, true}) {
    BSplineCoefficients c(v.data(), s, degree, {wrap, wrap, wrap});
    for (int z = 0; z < s[2]; ++z)
      for (int y = 0; y < s[1]; ++y)
        for (int x = 0; x < s[0]; ++x)
          // Float coefficients: rounding grows with the degree's filter gain (~5e-6 at degree 7).
          ASSERT_NEAR(c.value(x, y, z), v[(std::size_t(z) * s[1] + y) * s[0] + x], 1e-5)
              << "degree " << degree << " wrap " << wrap << " at " << x << "," << y << "," << z;
  }
}

TEST_P(BSplineDegree, ReproducesPolynomialsOfItsDegreeAlongEachAxis) {
  const int degree = GetParam();
  const int n = 90;
  std::mt19937 rng(degree);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<double> coef(degree + 1);
  for (double& c : coef) c = u(rng);
  auto poly = [&](double x) {
    const double t = (x - n / 2.0) / 30.0;
    double s = 0, tk = 1;
    for (double c : coef) {
      s += c * tk;
      tk *= t;
    }
    return s;
  };
  for (int axis = 0; axis < 3; ++axis) {
    std::array<int, 3> size{1, 1, 1};
    size[axis] = n;
    std::vector<float> v(n);
    for (int i = 0; i < n; ++i) v[i] = float(poly(i));
    BSplineCoefficients c(v.data(), size, degree);
    // Away from the mirrored ends, where the extension is no longer the polynomial.
    for (double x = 35; x <= 55; x += 0.37) {
      std::array<double, 3> p{0, 0, 0};
      p[axis] = x;
      ASSERT_NEAR(c.value(p[0], p[1], p[2]), poly(x), 2e-5) << "degree " << degree << " axis " << axis << " x " << x;
    }
  }
}

TEST_P(BSplineDegree, GradientMatchesFiniteDifferences) {
  const int degree = GetParam();
  if (degree < 2) GTEST_SKIP() << "degree " << degree << " has no continuous derivative";
  const std::array<int, 3> s{15, 14, 12};
  const auto v = randomVolume(s, 40 + degree);
  BSplineCoefficients c(v.data(), s, degree);
  std::mt19937 rng(degree);
  std::uniform_real_distribution<double> u(2.0, 9.0);
  const double h = 1e-4;
  for (int k = 0; k < 200; ++k) {
    const double x = u(rng), y = u(rng), z = u(rng);
    double g[3];
    const double val = c.valueAndGradient(x, y, z, g);
    // value() accumulates in float (the hot path); differences need the double evaluation.
    ASSERT_NEAR(val, c.value(x, y, z), 1e-5);
    double unused[3];
    auto f = [&](double a, double b, double d) { return c.valueAndGradient(a, b, d, unused); };
    const double fd[3] = {(f(x + h, y, z) - f(x - h, y, z)) / (2 * h), (f(x, y + h, z) - f(x, y - h, z)) / (2 * h),
                          (f(x, y, z + h) - f(x, y, z - h)) / (2 * h)};
    for (int a = 0; a < 3; ++a) ASSERT_NEAR(g[a], fd[a], 1e-5 * (1 + std::fabs(fd[a]))) << "axis " << a;
  }
}

// The x pass runs on bundles of rows (a transposed plane); each line must come out bit for bit as
// the line-by-line prefilter gives it, for both boundary rules and both kernel paths.
TEST_P(BSplineDegree, VolumePrefilterEqualsLineByLinePassesBitForBit) {
  const int degree = GetParam();
  const std::array<int, 3> s{23, 9, 7};
  const auto v = randomVolume(s, 40 + degree);
  const CpuPath before = activeCpuPath();
  for (bool wrap : {false, true})
    for (CpuPath path : {CpuPath::Baseline, CpuPath::Avx2}) {
      forceCpuPath(path);
      std::vector<float> fast = v, slow = v;
      prefilterVolume(fast.data(), s, degree, {wrap, wrap, wrap});
      const std::size_t stride[3] = {1, std::size_t(s[0]), std::size_t(s[0]) * s[1]};
      for (int axis = 0; axis < 3; ++axis) {
        const int a1 = axis == 0 ? 1 : 0, a2 = axis == 2 ? 1 : 2;
        std::vector<double> line(std::size_t(s[axis]));
        for (int p = 0; p < s[a2]; ++p)
          for (int q = 0; q < s[a1]; ++q) {
            float* start = slow.data() + p * stride[a2] + q * stride[a1];
            for (int k = 0; k < s[axis]; ++k) line[std::size_t(k)] = start[k * stride[axis]];
            bsplinePrefilterLine(line.data(), s[axis], degree, wrap);
            for (int k = 0; k < s[axis]; ++k) start[k * stride[axis]] = float(line[std::size_t(k)]);
          }
      }
      EXPECT_TRUE(fast == slow) << "wrap " << wrap << " path " << cpuPathName(activeCpuPath());
    }
  forceCpuPath(before);
}

INSTANTIATE_TEST_SUITE_P(Degrees0To7, BSplineDegree, ::testing::Range(0, 8));

TEST(BSplineKernel, WeightsArePartitionOfUnityAndDerivativesSumToZero) {
  for (int d = 0; d <= kMaxSplineDegree; ++d)
    for (double x = -3.3; x < 3.3; x += 0.173) {
      SplineTaps t;
      splineTaps(x, d, t, true);
      double s = 0, ds = 0;
      for (int m = 0; m <= d; ++m) {
        s += t.w[m];
        ds += t.dw[m];
        EXPECT_GE(t.w[m], -1e-15);
      }
      EXPECT_NEAR(s, 1.0, 1e-12);
      EXPECT_NEAR(ds, 0.0, 1e-12);
    }
}

TEST(BSplineKernel, MirrorAndWrapIndices) {
  EXPECT_EQ(boundaryIndex(-1, 5, false), 1);
  EXPECT_EQ(boundaryIndex(-2, 5, false), 2);
  EXPECT_EQ(boundaryIndex(5, 5, false), 3);
  EXPECT_EQ(boundaryIndex(6, 5, false), 2);
  EXPECT_EQ(boundaryIndex(-1, 5, true), 4);
  EXPECT_EQ(boundaryIndex(7, 5, true), 2);
  EXPECT_EQ(boundaryIndex(3, 1, false), 0);
}

TEST(GaussianSmoothing, KeepsConstantsAndTheCentroid) {
  const std::array<int, 3> s{20, 18, 16};
  std::vector<float> v(std::size_t(s[0]) * s[1] * s[2], 3.5f);
  gaussianSmooth(v.data(), s, {1.2, 0.8, 0.5});
  for (float x : v) ASSERT_NEAR(x, 3.5f, 1e-5);
  // A point source spreads symmetrically with the requested width.
  std::vector<float> p(v.size(), 0.0f);
  const std::size_t centre = (std::size_t(8) * s[1] + 9) * s[0] + 10;
  p[centre] = 1.0f;
  const double sigma = 1.5;
  gaussianSmooth(p.data(), s, {sigma, 0, 0});
  EXPECT_NEAR(p[centre + 1], p[centre - 1], 1e-7);
  EXPECT_NEAR(p[centre + 1] / p[centre], std::exp(-0.5 / (sigma * sigma)), 1e-5);
  const auto sv = fwhmToSigmaVoxels(5.0, {2.0, 2.5, 5.0});
  EXPECT_NEAR(sv[0], 5.0 / std::sqrt(8 * std::log(2.0)) / 2.0, 1e-12);
  EXPECT_NEAR(sv[2], 5.0 / std::sqrt(8 * std::log(2.0)) / 5.0, 1e-12);
}

TEST(GaussianSmoothing, ZeroEdgesAsSpmsConvolutionDarkenTheBorder) {
  // mirrorEdges false (EstimationOptions::mirrorSmoothingEdges, SPM's spm_conv_vol): zero outside the
  // grid, so a constant image keeps its value away from the edges and loses the kernel's missing
  // part at them; the mirrored default keeps it everywhere (the test above).
  const std::array<int, 3> s{24, 6, 5};
  std::vector<float> v(std::size_t(s[0]) * s[1] * s[2], 2.0f);
  const double sigma = 1.5;
  gaussianSmooth(v.data(), s, {sigma, 0, 0}, false);
  const std::vector<double> k = gaussianKernel(sigma);
  const int r = int(k.size() / 2);
  double kept = 0;  // the kernel's weight inside the grid at x = 0 and x = 1
  for (int j = 0; j <= r; ++j) kept += k[r + j];
  double kept1 = kept + k[r - 1];
  for (int z = 0; z < s[2]; ++z)
    for (int y = 0; y < s[1]; ++y) {
      const float* row = &v[(std::size_t(z) * s[1] + y) * s[0]];
      EXPECT_NEAR(row[0], 2.0 * kept, 1e-5);
      EXPECT_NEAR(row[1], 2.0 * kept1, 1e-5);
      EXPECT_NEAR(row[s[0] - 1], 2.0 * kept, 1e-5);
      EXPECT_NEAR(row[12], 2.0, 1e-5);
    }
}
