// The run-time choice of kernels (CpuDispatch.h): the dispatcher reports and honours the path, and
// the AVX2+FMA kernels give the baseline's numbers. They are not bit-identical: FMA rounds once
// where the baseline rounds twice, and the 8-wide B-spline accumulation is in float. Tolerances:
// prefilter and smoothing 1e-6 relative (a few float ulps through recursive filters of doubles
// stored as float), reslicing 2e-5 of the image's range (each value a sum of up to 512 float terms),
// estimated motion 1e-5 mm / 1e-7 rad (a thousandth of the accuracy tests' errors).
#include "CpuDispatch.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <random>

#include <gtest/gtest.h>

#include "BSplineCoefficients.h"
#include "GaussianSmoothing.h"
#include "Realigner.h"
#include "Reslicer.h"
#include "SyntheticRun.h"
#include "TestSupport.h"

using namespace mc;

namespace {

// Restores the path chosen at start-up when a test that forces one ends.
class PathGuard {
public:
  PathGuard() : saved_(activeCpuPath()) {}
  ~PathGuard() { forceCpuPath(saved_); }

private:
  CpuPath saved_;
};

// Calls f() once per path and hands back both results; skips where this CPU has only the baseline.
template <class F>
auto onBothPaths(F&& f) {
  PathGuard guard;
  EXPECT_EQ(forceCpuPath(CpuPath::Baseline), CpuPath::Baseline);
  auto base = f();
  EXPECT_EQ(forceCpuPath(CpuPath::Avx2), CpuPath::Avx2);
  auto fast = f();
  return std::make_pair(base, fast);
}

#define SKIP_WITHOUT_AVX2() \
  if (!avx2PathAvailable()) GTEST_SKIP() << "this CPU (or build) has only the baseline kernels"

std::vector<float> randomVolume(const std::array<int, 3>& size, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1000.0f);
  std::vector<float> v(std::size_t(size[0]) * size[1] * size[2]);
  for (float& x : v) x = u(rng);
  return v;
}

SyntheticRun smallRun(const std::vector<RigidParameters>& m) { return test::smallPhantomRun(m, 0.02); }

double maxRelativeDifference(const std::vector<float>& a, const std::vector<float>& b) {
  double scale = 0, diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    scale = std::max(scale, double(std::fabs(a[i])));
    diff = std::max(diff, double(std::fabs(a[i] - b[i])));
  }
  return diff / scale;
}

}  // namespace

TEST(CpuDispatch, ReportsTheAvailablePathAndHonoursForcing) {
  PathGuard guard;
  const char* env = std::getenv("MC_CPU_DISPATCH");
  const bool envBaseline = env && std::strcmp(env, "baseline") == 0;
  // Before any forcing in this test the start-up choice holds (other tests restore it).
  EXPECT_EQ(activeCpuPath(), avx2PathAvailable() && !envBaseline ? CpuPath::Avx2 : CpuPath::Baseline);
  EXPECT_EQ(forceCpuPath(CpuPath::Baseline), CpuPath::Baseline);
  EXPECT_EQ(activeCpuPath(), CpuPath::Baseline);
  EXPECT_STREQ(cpuPathName(activeCpuPath()), "baseline");
  // Avx2 is granted exactly where the CPU can run it; elsewhere forcing it leaves the baseline.
  EXPECT_EQ(forceCpuPath(CpuPath::Avx2), avx2PathAvailable() ? CpuPath::Avx2 : CpuPath::Baseline);
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // On x86-64 with GCC/Clang the AVX2 kernels are compiled in; whether they run is the CPU's answer.
  __builtin_cpu_init();
  EXPECT_EQ(avx2PathAvailable(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
#endif
}

// Run by its own ctest entry with MC_CPU_DISPATCH=baseline (CpuDispatch.EnvironmentForcesBaseline):
// the variable is read at the first kernel call of a process, so it needs a process of its own.
TEST(CpuDispatchEnvironment, BaselineVariableSelectsTheBaseline) {
  const char* env = std::getenv("MC_CPU_DISPATCH");
  if (!env || std::strcmp(env, "baseline") != 0) GTEST_SKIP() << "run with MC_CPU_DISPATCH=baseline";
  EXPECT_EQ(activeCpuPath(), CpuPath::Baseline);
  // The forced path computes: a reslice at identity gives the frame back.
  const SyntheticRun s = smallRun(std::vector<RigidParameters>(1));
  Reslicer r(s.run.geometry, ResliceOptions{});
  std::vector<float> out(s.run.frameSize());
  BSplineCoefficients scratch;
  r.resliceFrame(s.run.frame(0), Matrix4::identity(), out.data(), scratch);
  EXPECT_EQ(activeCpuPath(), CpuPath::Baseline);
  for (std::size_t i = 0; i < out.size(); ++i) ASSERT_NEAR(out[i], s.run.frame(0)[i], 0.01) << "voxel " << i;
}

TEST(CpuDispatch, PrefilterAndSmoothingAgreeOnBothPaths) {
  SKIP_WITHOUT_AVX2();
  const std::array<int, 3> size{37, 29, 17};  // odd widths: the vector loops' remainders run too
  const std::vector<float> input = randomVolume(size, 3);
  for (int degree = 2; degree <= 7; ++degree)
    for (bool wrap : {false, true}) {
      const auto [base, fast] = onBothPaths([&] {
        std::vector<float> v = input;
        prefilterVolume(v.data(), size, degree, {wrap, wrap, wrap});
        return v;
      });
      EXPECT_LT(maxRelativeDifference(base, fast), 1e-6) << "degree " << degree << " wrap " << wrap;
      EXPECT_GT(maxRelativeDifference(base, input), 0.01) << "the prefilter changed nothing";
    }
  const auto [base, fast] = onBothPaths([&] {
    std::vector<float> v = input;
    gaussianSmooth(v.data(), size, {1.3, 0.8, 2.1});
    return v;
  });
  EXPECT_LT(maxRelativeDifference(base, fast), 1e-6);
}

TEST(CpuDispatch, ReslicedFramesAgreeOnBothPathsForEveryDegree) {
  SKIP_WITHOUT_AVX2();
  std::vector<RigidParameters> m(2);
  m[1] = {1.7, -2.2, 0.9, 0.03, -0.02, 0.05};
  const SyntheticRun s = smallRun(m);
  for (int degree = 0; degree <= 7; ++degree) {
    ResliceOptions o;
    o.interpolation = degree;
    o.mask = false;
    const Reslicer r(s.run.geometry, o);
    const auto [base, fast] = onBothPaths([&] {
      std::vector<float> out(s.run.frameSize());
      BSplineCoefficients scratch;
      r.resliceFrame(s.run.frame(1), spmMatrix(m[1]), out.data(), scratch);
      return out;
    });
    EXPECT_LT(maxRelativeDifference(base, fast), 2e-5) << "degree " << degree;
    const auto [baseSum, fastSum] = onBothPaths([&] {
      std::vector<double> sum(s.run.frameSize(), 0.0);
      std::vector<std::uint32_t> count(s.run.frameSize(), 0);
      BSplineCoefficients scratch;
      r.accumulate(s.run.frame(1), spmMatrix(m[1]), sum.data(), count.data(), scratch);
      return std::make_pair(std::vector<float>(sum.begin(), sum.end()), count);
    });
    EXPECT_LT(maxRelativeDifference(baseSum.first, fastSum.first), 2e-5) << "degree " << degree;
    EXPECT_EQ(baseSum.second, fastSum.second) << "degree " << degree;
  }
}

TEST(CpuDispatch, EstimatedMotionAgreesOnBothPaths) {
  SKIP_WITHOUT_AVX2();
  TrajectoryOptions t;
  t.frames = 6;
  const std::vector<RigidParameters> truth = realisticTrajectory(t);
  const SyntheticRun s = smallRun(truth);
  OpenMPFrameExecutor ex(2);
  const auto [base, fast] = onBothPaths([&] { return Realigner().estimate(s.run, ex); });
  ASSERT_EQ(base.frames.size(), fast.frames.size());
  for (std::size_t j = 0; j < base.frames.size(); ++j)
    for (int i = 0; i < 6; ++i)
      EXPECT_NEAR(base.frames[j].parameters[i], fast.frames[j].parameters[i], i < 3 ? 1e-5 : 1e-7)
          << "frame " << j << " parameter " << i;
  // Both found the motion (so the comparison is of two working estimators).
  for (std::size_t j = 1; j < truth.size(); ++j)
    EXPECT_NEAR(fast.frames[j].parameters[0], truth[j][0], 0.1) << "frame " << j;
}
