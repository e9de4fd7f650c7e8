// Speed of the core engine on the reference workload: a generated 64x64x33x200 run, default
// parameters (SPM12: ~41 s estimate + ~23 s reslice on this machine). Prints figures; not a test.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <thread>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "CpuDispatch.h"
#include "FrameEstimator.h"
#include "Realigner.h"
#include "ReferenceModel.h"
#include "Reslicer.h"
#include "SyntheticRun.h"

using namespace mc;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

int main(int argc, char** argv) {
  const int frames = argc > 1 ? std::atoi(argv[1]) : 200;
#ifdef _OPENMP
  const int threads = argc > 2 ? std::atoi(argv[2]) : omp_get_max_threads();
#else
  const int threads = argc > 2 ? std::atoi(argv[2]) : int(std::thread::hardware_concurrency());
#endif
  TrajectoryOptions t;
  t.frames = frames;
  const SyntheticRun s = generatePhantomRun(PhantomOptions{}, realisticTrajectory(t));
  std::printf("run: 64x64x33x%d, 3x3x3.5 mm; threads: %d; kernels: %s (MC_CPU_DISPATCH=baseline forces baseline)\n",
              frames, threads, cpuPathName(activeCpuPath()));

  OpenMPFrameExecutor ex(threads);
  double bestEst = 1e9, bestRes = 1e9;
  MotionEstimate est;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    est = Realigner().estimate(s.run, ex);
    bestEst = std::min(bestEst, since(t0));
    std::vector<Matrix4> m;
    for (const auto& f : est.frames) m.push_back(f.transform);
    t0 = Clock::now();
    const ResliceResult r = resliceRun(s.run, m, ResliceOptions{}, ex);
    bestRes = std::min(bestRes, since(t0));
  }
  std::printf("estimate (2 passes, register to mean): %.3f s\n", bestEst);
  std::printf("reslice (degree 4, mask, mean):        %.3f s\n", bestRes);
  std::printf("estimate + reslice:                    %.3f s  (SPM12 on this machine: ~64 s)\n", bestEst + bestRes);

  // Real-time use: one frame against a prepared reference, on one thread.
#ifdef _OPENMP
  omp_set_num_threads(1);
#endif
  ReferenceModel ref(s.run.frame(0), s.run.geometry, EstimationOptions{});
  FrameEstimator fe;
  const int n = std::min(frames, 50);
  auto t0 = Clock::now();
  int iterations = 0;
  for (int j = 1; j <= n; ++j) iterations += fe.estimate(ref, s.run.frame(j % frames), Matrix4::identity(), j).iterations;
  std::printf("one frame, estimation alone, 1 thread: %.2f ms (%.1f iterations, %d sample points)\n",
              1000 * since(t0) / n, double(iterations) / n, ref.sampleCount());
  return 0;
}
