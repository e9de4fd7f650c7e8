#include "MotionMetrics.h"

#include <cmath>

#include <gtest/gtest.h>

using namespace mc;

TEST(MotionMetrics, FramewiseDisplacementIsPower2012) {
  std::vector<RigidParameters> p(3);
  p[1][0] = 0.2;
  p[1][1] = -0.1;
  p[1][3] = 0.002;  // 0.1 mm on the 50 mm sphere
  p[2] = p[1];
  p[2][2] = 0.3;
  p[2][5] = -0.004;  // 0.2 mm
  const auto fd = framewiseDisplacement(p);
  ASSERT_EQ(fd.size(), 3u);
  EXPECT_DOUBLE_EQ(fd[0], 0.0);
  EXPECT_NEAR(fd[1], 0.2 + 0.1 + 0.1, 1e-12);
  EXPECT_NEAR(fd[2], 0.3 + 0.2, 1e-12);
  EXPECT_NEAR(framewiseDisplacement(p, 80.0)[1], 0.2 + 0.1 + 0.16, 1e-12);
}

TEST(MotionMetrics, DisplacementOfTranslationAndRotation) {
  RigidParameters t;
  t[0] = 3;
  t[1] = 4;
  std::vector<std::array<double, 3>> pts = {{0, 0, 0}, {10, 0, 0}, {0, 50, 0}};
  auto d = displacementBetween(spmMatrix(t), Matrix4::identity(), pts);
  EXPECT_NEAR(d.mean, 5.0, 1e-12);
  EXPECT_NEAR(d.max, 5.0, 1e-12);
  RigidParameters r;
  r[5] = 0.01;  // yaw about z: a point at 50 mm moves 2*50*sin(0.005)
  d = displacementBetween(spmMatrix(r), Matrix4::identity(), {{0, 50, 0}});
  EXPECT_NEAR(d.max, 2 * 50 * std::sin(0.005), 1e-12);
}

TEST(MotionMetrics, HeadPointsSelectBrightVoxelsInWorld) {
  Volume v;
  v.geometry.size = {4, 4, 4};
  v.geometry.voxelToWorld(0, 0) = 2;
  v.geometry.voxelToWorld(0, 3) = -10;
  v.voxels.assign(64, 0.0f);
  v.voxels[(2 * 4 + 2) * 4 + 2] = 100;
  const auto pts = headPoints(v, 0.2, 1);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_DOUBLE_EQ(pts[0][0], -6);
  EXPECT_DOUBLE_EQ(pts[0][1], 2);
  EXPECT_DOUBLE_EQ(pts[0][2], 2);
}
