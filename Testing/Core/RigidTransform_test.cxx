#include "RigidTransform.h"

#include <cmath>
#include <random>

#include <gtest/gtest.h>

using namespace mc;

TEST(RigidTransform, SpmMatrixOfPureTranslationAndSingleRotations) {
  RigidParameters p;
  p[0] = 1;
  p[1] = -2;
  p[2] = 3;
  Matrix4 t = spmMatrix(p);
  EXPECT_DOUBLE_EQ(t(0, 3), 1);
  EXPECT_DOUBLE_EQ(t(1, 3), -2);
  EXPECT_DOUBLE_EQ(t(2, 3), 3);
  // spm_matrix([0 0 0 pi/2 0 0]) rotates y into -z: R1 = [1 0 0; 0 c s; 0 -s c].
  RigidParameters pitch;
  pitch[3] = M_PI / 2;
  const auto y = spmMatrix(pitch).apply({0, 1, 0});
  EXPECT_NEAR(y[0], 0, 1e-12);
  EXPECT_NEAR(y[1], 0, 1e-12);
  EXPECT_NEAR(y[2], -1, 1e-12);
  // Composition order T * R1 * R2 * R3: yaw is applied first, then roll, then pitch.
  RigidParameters all;
  all[3] = 0.1;
  all[4] = 0.2;
  all[5] = 0.3;
  RigidParameters a, b, c;
  a[3] = 0.1;
  b[4] = 0.2;
  c[5] = 0.3;
  EXPECT_LT(spmMatrix(all).maxAbsDifference(spmMatrix(a) * spmMatrix(b) * spmMatrix(c)), 1e-15);
}

TEST(RigidTransform, ImatrixInvertsMatrixForRandomParameters) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> t(-20, 20), r(-1.2, 1.2);
  for (int k = 0; k < 1000; ++k) {
    RigidParameters p;
    for (int i = 0; i < 3; ++i) p[i] = t(rng);
    for (int i = 3; i < 6; ++i) p[i] = r(rng);
    const RigidParameters q = spmImatrix(spmMatrix(p));
    for (int i = 0; i < 6; ++i) ASSERT_NEAR(q[i], p[i], 1e-10) << "parameter " << i;
  }
}

TEST(RigidTransform, DerivativeGeneratorsMatchFiniteDifferences) {
  const double h = 1e-6;
  for (int i = 0; i < 6; ++i) {
    RigidParameters p, m;
    p[i] = h;
    m[i] = -h;
    const Matrix4 plus = spmMatrix(p), minus = spmMatrix(m), d = spmMatrixDerivativeAtIdentity(i);
    for (int k = 0; k < 16; ++k) EXPECT_NEAR((plus.m[k] - minus.m[k]) / (2 * h), d.m[k], 1e-8) << i << "," << k;
  }
}

TEST(RigidTransform, ComposedMotionsDecomposeToTheComposition) {
  // SPM composes realignment updates as spm_matrix(dp) \ M; the decomposition of a product must be
  // the parameters of that product (round trip through matrices, not parameter addition).
  RigidParameters a, b;
  for (int i = 0; i < 3; ++i) {
    a[i] = 0.7 * (i + 1);
    b[i] = -0.4 * (i + 1);
  }
  a[3] = 0.03, a[4] = -0.02, a[5] = 0.05;
  b[3] = -0.01, b[4] = 0.04, b[5] = 0.02;
  const Matrix4 ab = spmMatrix(a) * spmMatrix(b);
  EXPECT_LT(spmMatrix(spmImatrix(ab)).maxAbsDifference(ab), 1e-12);
  EXPECT_LT((ab * ab.inverse()).maxAbsDifference(Matrix4::identity()), 1e-12);
}

TEST(RigidTransform, RasFromLpsFlipsXAndY) {
  Matrix4 lps;
  lps(0, 3) = 10;
  lps(1, 3) = 20;
  lps(2, 3) = 30;
  lps(0, 1) = 0.5;
  const Matrix4 ras = rasFromLps(lps);
  EXPECT_EQ(ras(0, 3), -10);
  EXPECT_EQ(ras(1, 3), -20);
  EXPECT_EQ(ras(2, 3), 30);
  EXPECT_EQ(ras(0, 1), -0.5);
  EXPECT_EQ(rasFromLps(ras).maxAbsDifference(lps), 0);
}
