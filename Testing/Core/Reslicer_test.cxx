#include "Reslicer.h"

#include <cmath>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "SyntheticRun.h"
#include "TestSupport.h"
#include "ThreadCollective.h"

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

// The reslicer's own evaluation (weights of the three axes together, taps summed z, y, then x in
// float) against BSplineCoefficients::value at the same positions: inside, near the edges
// (boundary rule per tap) and, wrapped, past them; both kernel paths.
TEST(Reslicer, MovedFrameMatchesTheSplineAtEveryVoxelForEveryDegree) {
  const SyntheticRun s = smallRun(std::vector<RigidParameters>(1));
  RigidParameters p{};
  p[0] = 3.3, p[1] = -2.1, p[2] = 1.7, p[3] = 0.05, p[4] = -0.03, p[5] = 0.04;
  const Matrix4 motion = spmMatrix(p);
  const auto& g = s.run.geometry;
  const CpuPath before = activeCpuPath();
  for (bool wrap : {false, true})
    for (CpuPath path : {CpuPath::Baseline, CpuPath::Avx2})
      for (int degree = 0; degree <= 7; ++degree) {
        forceCpuPath(path);
        ResliceOptions o;
        o.interpolation = degree;
        o.mask = false;
        o.wrap = {wrap, wrap, wrap};
        Reslicer r(g, o);
        std::vector<float> out(s.run.frameSize());
        BSplineCoefficients c;
        r.resliceFrame(s.run.frame(0), motion, out.data(), c);
        const Matrix4 v = referenceToFrameVoxel(g, motion);
        int inside = 0;
        for (int z = 0; z < g.size[2]; ++z)
          for (int y = 0; y < g.size[1]; ++y)
            for (int x = 0; x < g.size[0]; ++x) {
              const std::size_t i = (std::size_t(z) * g.size[1] + y) * g.size[0] + x;
              const double px = v.m[0] * x + v.m[1] * y + v.m[2] * z + v.m[3];
              const double py = v.m[4] * x + v.m[5] * y + v.m[6] * z + v.m[7];
              const double pz = v.m[8] * x + v.m[9] * y + v.m[10] * z + v.m[11];
              if (!c.inside(px, py, pz)) {
                ASSERT_EQ(out[i], 0.0f);
                continue;
              }
              ++inside;
              const double expected = c.value(px, py, pz);
              ASSERT_NEAR(out[i], expected, 1e-3 + 1e-5 * std::fabs(expected))
                  << "degree " << degree << " wrap " << wrap << " voxel " << x << " " << y << " " << z;
            }
        EXPECT_GT(inside, int(out.size()) / 2);
      }
  forceCpuPath(before);
}

// ---- The in-order frame sink (streaming the realigned run) ----

namespace {

// A run whose frames all move, so that every frame differs from its input and from the others.
SyntheticRun movingRun(int frames) {
  std::vector<RigidParameters> m(static_cast<std::size_t>(frames));
  for (int j = 0; j < frames; ++j) {
    m[std::size_t(j)][0] = 0.3 * j - 1.0;
    m[std::size_t(j)][1] = 0.1 * (j % 4);
    m[std::size_t(j)][3] = 0.005 * (j - 2);
    m[std::size_t(j)][5] = -0.004 * j;
  }
  SyntheticRun s = smallRun(m);
  s.run.repetitionTime = 2.5;
  s.run.storedType = StoredType::Int16;
  s.run.storedSlope = 0.5;
  s.run.storedIntercept = 3;
  return s;
}

std::vector<Matrix4> motionsOf(const SyntheticRun& s) {
  std::vector<Matrix4> motions;
  for (const auto& p : s.truth) motions.push_back(spmMatrix(p));
  return motions;
}

// What a sink saw: the frame numbers in call order and a copy of each frame.
struct Recorded {
  std::vector<int> order;
  std::vector<float> voxels;
  ResliceSink sink(std::size_t frameSize) {
    return [this, frameSize](int frame, const float* v) {
      order.push_back(frame);
      voxels.insert(voxels.end(), v, v + frameSize);
    };
  }
};

std::vector<int> iota(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  for (int j = 0; j < n; ++j) v[std::size_t(j)] = j;
  return v;
}

int reslicedFrames(const std::vector<int>& events) { return int(events.size()); }

struct SinkFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace

TEST(ResliceSink, FramesArriveInOrderAndEqualTheRealignedRunWithTheSameMean) {
  const SyntheticRun s = movingRun(9);
  const std::vector<Matrix4> motions = motionsOf(s);
  OpenMPFrameExecutor one(1);
  const ResliceResult kept = resliceRun(s.run, motions, ResliceOptions{}, one);
  for (bool mask : {true, false})
    for (int threads : {1, 2}) {
      SCOPED_TRACE("threads " + std::to_string(threads) + (mask ? ", mask" : ", no mask"));
      ResliceOptions o;
      o.mask = mask;
      const ResliceResult reference = mask ? kept : resliceRun(s.run, motions, o, one);
      OpenMPFrameExecutor ex(threads);
      Recorded seen;
      const ResliceResult r = resliceRun(s.run, motions, o, ex, {}, {}, localCollective(), seen.sink(s.run.frameSize()));
      EXPECT_EQ(seen.order, iota(s.run.frameCount));
      EXPECT_TRUE(seen.voxels == reference.realigned.voxels);  // bit for bit (== on float)
      EXPECT_TRUE(r.mean.voxels == reference.mean.voxels);
      EXPECT_EQ(r.mask, reference.mask);
      EXPECT_TRUE(r.realigned.voxels.empty());
      EXPECT_EQ(r.realigned.frameCount, s.run.frameCount);
      EXPECT_TRUE(r.realigned.geometry.sameGridAs(s.run.geometry, 0));
      EXPECT_EQ(r.realigned.repetitionTime, 2.5);
      EXPECT_EQ(r.realigned.storedType, StoredType::Int16);
      EXPECT_EQ(r.realigned.storedSlope, 0.5);
      EXPECT_EQ(r.realigned.storedIntercept, 3.0);
    }
}

TEST(ResliceSink, ThrowingSinkPropagatesAndStopsTheRunEarly) {
  const SyntheticRun s = movingRun(24);
  const std::vector<Matrix4> motions = motionsOf(s);
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    OpenMPFrameExecutor ex(threads);
    std::vector<int> resliced, sunk;
    std::mutex m;
    const ProgressCallback note = [&](const ProgressEvent& e) {
      std::lock_guard<std::mutex> lock(m);
      if (e.stage == Stage::Reslice) resliced.push_back(e.frame);
      return CallbackReturn::Continue;
    };
    const ResliceSink failing = [&](int frame, const float*) {
      sunk.push_back(frame);
      if (frame == 2) throw SinkFailure("disk full");
    };
    EXPECT_THROW(resliceRun(s.run, motions, ResliceOptions{}, ex, note, {}, localCollective(), failing), SinkFailure);
    EXPECT_EQ(sunk, iota(3));  // no call after the throw
    EXPECT_LT(reslicedFrames(resliced), s.run.frameCount / 2) << "the workers went on after the sink failed";
  }
}

TEST(ResliceSink, AbortStillCancels) {
  const SyntheticRun s = movingRun(24);
  const std::vector<Matrix4> motions = motionsOf(s);
  for (int threads : {1, 2}) {
    SCOPED_TRACE("threads " + std::to_string(threads));
    OpenMPFrameExecutor ex(threads);
    Recorded seen;
    const ProgressCallback abortAtThree = [&](const ProgressEvent& e) {
      return e.completed >= 3 ? CallbackReturn::Abort : CallbackReturn::Continue;
    };
    EXPECT_THROW(resliceRun(s.run, motions, ResliceOptions{}, ex, abortAtThree, {}, localCollective(),
                            seen.sink(s.run.frameSize())),
                 Cancelled);
    EXPECT_LT(int(seen.order.size()), s.run.frameCount);
    EXPECT_EQ(seen.order, iota(int(seen.order.size())));  // what did pass went in order
  }
}

TEST(ResliceSink, OverThreadRanksRankZeroSeesEveryFrameInOrder) {
  const SyntheticRun s = movingRun(7);
  const std::vector<Matrix4> motions = motionsOf(s);
  OpenMPFrameExecutor one(1);
  const ResliceResult serial = resliceRun(s.run, motions, ResliceOptions{}, one);
  for (int ranks : {2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    std::vector<Recorded> seen(static_cast<std::size_t>(ranks));
    const std::vector<ResliceResult> results = test::onRanks<ResliceResult>(ranks, [&](Collective& c) {
      OpenMPFrameExecutor ex(1);
      return resliceRun(s.run, motions, ResliceOptions{}, ex, {}, {}, c,
                        seen[std::size_t(c.rank())].sink(s.run.frameSize()));
    });
    EXPECT_EQ(seen[0].order, iota(s.run.frameCount));
    EXPECT_TRUE(seen[0].voxels == serial.realigned.voxels);
    EXPECT_TRUE(results[0].mean.voxels == serial.mean.voxels);
    for (int q = 0; q < ranks; ++q) {
      EXPECT_TRUE(results[std::size_t(q)].realigned.voxels.empty()) << "rank " << q;
      EXPECT_EQ(results[std::size_t(q)].mask, serial.mask) << "rank " << q;
      if (q > 0) EXPECT_TRUE(seen[std::size_t(q)].order.empty()) << "rank " << q;
    }
  }
}
