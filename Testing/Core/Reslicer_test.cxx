#include "Reslicer.h"

#include <cmath>

#include <gtest/gtest.h>

#include "SyntheticRun.h"
#include "TestSupport.h"

using namespace mc;

namespace {

SyntheticRun smallRun(const std::vector<RigidParameters>& m) { return test::smallPhantomRun(m, 0); }

double correlation(const float* a, const float* b, const std::vector<std::uint8_t>& mask) {
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0, n = 0;
  for (std::size_t i = 0; i < mask.size(); ++i) {
    if (!mask[i]) continue;
    sa += a[i], sb += b[i], saa += double(a[i]) * a[i], sbb += double(b[i]) * b[i], sab += double(a[i]) * b[i];
    n += 1;
  }
  const double cov = sab / n - sa / n * sb / n;
  return cov / std::sqrt((saa / n - sa / n * sa / n) * (sbb / n - sb / n * sb / n));
}

}  // namespace

TEST(Reslicer, IdentityReproducesTheFrameForEveryDegree) {
  const SyntheticRun s = smallRun(std::vector<RigidParameters>(1));
  for (int degree = 0; degree <= 7; ++degree) {
    ResliceOptions o;
    o.interpolation = degree;
    o.mask = false;
    Reslicer r(s.run.geometry, o);
    std::vector<float> out(s.run.frameSize());
    BSplineCoefficients scratch;
    r.resliceFrame(s.run.frame(0), Matrix4::identity(), out.data(), scratch);
    for (std::size_t i = 0; i < out.size(); ++i)
      ASSERT_NEAR(out[i], s.run.frame(0)[i], 1e-6 * 1000 + 1e-5 * std::fabs(s.run.frame(0)[i]))
          << "degree " << degree << " voxel " << i;
  }
}

TEST(Reslicer, TrueMotionBringsFramesBackOntoTheReference) {
  std::vector<RigidParameters> m(3);
  m[1][0] = 2.5;
  m[1][5] = 0.03;
  m[2][2] = -2.0;
  m[2][3] = -0.04;
  const SyntheticRun s = smallRun(m);
  std::vector<Matrix4> motions;
  for (const auto& p : m) motions.push_back(spmMatrix(p));
  OpenMPFrameExecutor ex(2);
  const ResliceResult r = resliceRun(s.run, motions, ResliceOptions{}, ex);
  for (int j = 1; j < 3; ++j) {
    const double before = correlation(s.run.frame(0), s.run.frame(j), r.mask);
    const double after = correlation(s.run.frame(0), r.realigned.frame(j), r.mask);
    EXPECT_GT(after, 0.995) << "frame " << j;
    EXPECT_GT(after, before) << "frame " << j;
  }
}

TEST(Reslicer, MaskZeroesVoxelsNotSeenByEveryFrameAndMeanAverages) {
  std::vector<RigidParameters> m(2);
  m[1][0] = 8.0;  // two voxels along x
  const SyntheticRun s = smallRun(m);
  std::vector<Matrix4> motions{spmMatrix(m[0]), spmMatrix(m[1])};
  OpenMPFrameExecutor ex(1);
  const ResliceResult r = resliceRun(s.run, motions, ResliceOptions{}, ex);
  const auto& g = s.run.geometry;
  int masked = 0;
  for (int z = 0; z < g.size[2]; ++z)
    for (int y = 0; y < g.size[1]; ++y)
      for (int x = 0; x < g.size[0]; ++x) {
        const std::size_t i = (std::size_t(z) * g.size[1] + y) * g.size[0] + x;
        // World +x is voxel +x here; reference voxel x is frame 1's voxel x - 2, so columns 0 and 1 are lost.
        const bool expectCovered = x >= 2;
        ASSERT_EQ(bool(r.mask[i]), expectCovered) << x;
        if (!r.mask[i]) {
          ++masked;
          ASSERT_EQ(r.realigned.frame(0)[i], 0.0f);
          ASSERT_EQ(r.realigned.frame(1)[i], 0.0f);
          ASSERT_EQ(r.mean.voxels[i], 0.0f);
        } else {
          ASSERT_NEAR(r.mean.voxels[i], 0.5 * (r.realigned.frame(0)[i] + r.realigned.frame(1)[i]), 1e-3);
        }
      }
  EXPECT_EQ(masked, 2 * g.size[1] * g.size[2]);
}
