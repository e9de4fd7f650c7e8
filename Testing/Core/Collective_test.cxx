// The collective interface: one rank's semantics, the split of frames over ranks, and the pass
// sequence over ranks that are real threads in this process (ThreadCollective), against the serial
// answer.
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "Collective.h"
#include "Realigner.h"
#include "Reslicer.h"
#include "TestSupport.h"
#include "ThreadCollective.h"

using namespace mc;
using mc::test::ThreadCollective;
using mc::test::ThreadGroup;
using mc::test::onRanks;

namespace {

SyntheticRun sevenFrames() {
  std::vector<RigidParameters> m(7);
  for (int j = 0; j < 7; ++j) {
    m[std::size_t(j)][0] = 0.4 * j - 1.0;
    m[std::size_t(j)][2] = 0.2 * (j % 3);
    m[std::size_t(j)][3] = 0.01 * (j - 3);
    m[std::size_t(j)][5] = -0.008 * j;
  }
  return test::smallPhantomRun(m, 0.01);
}

void expectIdenticalFrames(const MotionEstimate& a, const MotionEstimate& b) {
  ASSERT_EQ(a.frames.size(), b.frames.size());
  for (std::size_t j = 0; j < a.frames.size(); ++j) {
    EXPECT_EQ(a.frames[j].transform.m, b.frames[j].transform.m) << "frame " << j;
    EXPECT_EQ(a.frames[j].iterations, b.frames[j].iterations) << "frame " << j;
    EXPECT_EQ(a.frames[j].meanSquaredResidual, b.frames[j].meanSquaredResidual) << "frame " << j;
  }
  EXPECT_EQ(a.samplePoints, b.samplePoints);
}

}  // namespace

TEST(Collective, LocalIsOneRankThatLeavesDataAsItIs) {
  LocalCollective c;
  EXPECT_EQ(c.rank(), 0);
  EXPECT_EQ(c.size(), 1);
  EXPECT_TRUE(c.isRoot());
  std::vector<double> d{1.5, -2.25};
  std::vector<std::uint32_t> u{7, 9};
  c.broadcast(d.data(), d.size() * sizeof(double), 0);
  c.sum(d.data(), d.size());
  c.sum(u.data(), u.size());
  EXPECT_EQ(d, (std::vector<double>{1.5, -2.25}));
  EXPECT_EQ(u, (std::vector<std::uint32_t>{7, 9}));
  const std::vector<float> mine{1, 2, 3, 4, 5, 6};
  std::vector<float> all(6, 0.0f);
  c.gather(mine.data(), all.data(), {3}, 2 * sizeof(float));
  EXPECT_EQ(all, mine);
  EXPECT_EQ(allGatherBytes(c, {'a', 'b'}), (std::vector<char>{'a', 'b'}));
  EXPECT_EQ(&localCollective(), &localCollective());
  // One rank: the step's own exception, not SharedFailure.
  EXPECT_THROW(runOnRoot(c, [] { throw std::invalid_argument("bad"); }), std::invalid_argument);
}

TEST(Collective, SharesCoverEveryFrameOnceWithFloorOrCeilEach) {
  for (int frames : {0, 1, 2, 7, 11, 100})
    for (int size : {1, 2, 3, 4, 8, 13}) {
      std::vector<int> seen(std::size_t(frames), 0);
      int next = 0;
      const std::vector<int> counts = shareCounts(frames, size);
      ASSERT_EQ(int(counts.size()), size);
      for (int q = 0; q < size; ++q) {
        const Share s = shareOf(frames, size, q);
        EXPECT_EQ(s.first, next) << frames << " frames, rank " << q << " of " << size;
        EXPECT_GE(s.count, frames / size);
        EXPECT_LE(s.count, (frames + size - 1) / size);
        EXPECT_EQ(counts[std::size_t(q)], s.count);
        for (int j = s.first; j < s.first + s.count; ++j) {
          ++seen[std::size_t(j)];
          EXPECT_EQ(ownerOf(j, frames, size), q);
        }
        next = s.first + s.count;
      }
      EXPECT_EQ(next, frames);
      for (int j = 0; j < frames; ++j) EXPECT_EQ(seen[std::size_t(j)], 1) << j;
    }
  EXPECT_THROW(ownerOf(7, 7, 2), std::out_of_range);
}

TEST(Collective, ThreadRanksBroadcastSumGatherAndShareFailures) {
  const auto results = onRanks<std::string>(3, [](Collective& c) {
    std::string text = c.isRoot() ? "job text" : "";
    broadcastString(c, text, 0);
    std::vector<std::uint32_t> counts{std::uint32_t(c.rank()), 10};
    c.sum(counts.data(), counts.size());
    const std::vector<char> mine(std::size_t(c.rank()), char('a' + c.rank()));  // "", "b", "cc"
    const std::vector<char> all = allGatherBytes(c, mine);
    std::string failure;
    try {
      runOnRoot(c, [] { throw std::invalid_argument("no such weight image"); });
    } catch (const SharedFailure& e) {
      failure = e.what();
    }
    return text + "|" + std::to_string(counts[0]) + "," + std::to_string(counts[1]) + "|" +
           std::string(all.begin(), all.end()) + "|" + failure;
  });
  for (const auto& r : results) EXPECT_EQ(r, "job text|3,30|bcc|no such weight image");
}

TEST(Collective, RunIsBroadcastWhole) {
  const SyntheticRun s = sevenFrames();
  const auto runs = onRanks<VolumeSeries>(2, [&](Collective& c) {
    VolumeSeries run;
    if (c.isRoot()) run = s.run;
    broadcastRun(c, run);
    return run;
  });
  for (const auto& r : runs) {
    EXPECT_TRUE(r.geometry.sameGridAs(s.run.geometry, 0));
    EXPECT_EQ(r.frameCount, s.run.frameCount);
    EXPECT_EQ(r.voxels, s.run.voxels);
  }
}

// The pass sequence over 2 and 3 thread ranks, each with one worker, against one rank with one worker.
// Pass 1 and reslicing do not depend on the split, bit for bit; the pass-2 mean sums frames in
// another grouping, so pass 2 agrees as closely as it does over threads (Realigner_accuracy_test).
TEST(Collective, RealignerAndReslicerOverThreadRanksMatchOneRank) {
  const SyntheticRun s = sevenFrames();
  EstimationOptions firstOnly;
  firstOnly.registerToMean = false;
  firstOnly.referenceFrame = 4;  // owned by rank 1 over 2 and 3 ranks: its motion is broadcast
  EstimationOptions toMean;
  toMean.referenceFrame = 4;
  OpenMPFrameExecutor one(1);
  const MotionEstimate serialFirst = Realigner(firstOnly).estimate(s.run, one);
  const MotionEstimate serialMean = Realigner(toMean).estimate(s.run, one);
  std::vector<Matrix4> motions;
  for (const auto& f : serialMean.frames) motions.push_back(f.transform);
  const ResliceResult serialReslice = resliceRun(s.run, motions, ResliceOptions{}, one);

  struct RankResult {
    MotionEstimate first, mean;
    ResliceResult reslice;
    std::map<Stage, std::vector<int>> reported;  // frames this rank's callback saw, per stage
  };
  for (int ranks : {2, 3}) {
    SCOPED_TRACE(std::to_string(ranks) + " ranks");
    const auto results = onRanks<RankResult>(ranks, [&](Collective& c) {
      RankResult r;
      OpenMPFrameExecutor ex(1);
      const ProgressCallback note = [&](const ProgressEvent& e) {
        r.reported[e.stage].push_back(e.frame);
        return CallbackReturn::Continue;
      };
      r.first = Realigner(firstOnly).estimate(s.run, ex, note, nullptr, {}, c);
      r.mean = Realigner(toMean).estimate(s.run, ex, note, nullptr, {}, c);
      r.reslice = resliceRun(s.run, motions, ResliceOptions{}, ex, note, {}, c);
      return r;
    });
    std::map<Stage, std::vector<int>> seen;
    for (int q = 0; q < ranks; ++q) {
      const RankResult& r = results[std::size_t(q)];
      expectIdenticalFrames(r.first, serialFirst);
      ASSERT_EQ(r.mean.frames.size(), serialMean.frames.size());
      for (std::size_t j = 0; j < r.mean.frames.size(); ++j)
        for (int i = 0; i < 6; ++i)
          EXPECT_NEAR(r.mean.frames[j].parameters[i], serialMean.frames[j].parameters[i], 1e-9) << j << " " << i;
      EXPECT_EQ(r.reslice.mask, serialReslice.mask);
      const Share mine = shareOf(s.run.frameCount, ranks, q);
      for (const auto& [stage, frames] : r.reported)
        for (int j : frames) {
          EXPECT_GE(j, mine.first) << stageName(stage);
          EXPECT_LT(j, mine.first + mine.count) << stageName(stage);
          seen[stage].push_back(j);
        }
    }
    EXPECT_EQ(results[0].reslice.realigned.voxels, serialReslice.realigned.voxels);
    EXPECT_EQ(results[0].reslice.mean.voxels, serialReslice.mean.voxels);
    EXPECT_TRUE(results[1].reslice.realigned.voxels.empty());
    // Pass 1 twice (both estimates), mean and pass 2 once, reslice once: every frame that often.
    const std::map<Stage, int> times{{Stage::Pass1, 2}, {Stage::Mean, 1}, {Stage::Pass2, 1}, {Stage::Reslice, 1}};
    for (const auto& [stage, n] : times) {
      std::vector<int> count(std::size_t(s.run.frameCount), 0);
      for (int j : seen[stage]) ++count[std::size_t(j)];
      for (int j = 0; j < s.run.frameCount; ++j) EXPECT_EQ(count[std::size_t(j)], n) << stageName(stage) << " " << j;
    }
  }
}
