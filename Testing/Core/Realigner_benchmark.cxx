// Speed of the core engine on the reference workload: a generated 64x64x33x200 run, default
// parameters (SPM12: ~41 s estimate + ~23 s reslice on this machine). Prints figures; not a test.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

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
  // A third argument "estimate" skips reslicing (quicker profiling of estimation alone).
  const bool reslice = !(argc > 3 && std::string(argv[3]) == "estimate");
  auto meanIterations = [](const MotionEstimate& e) {
    double s = 0;
    for (const auto& f : e.frames) s += f.iterations;
    return s / double(e.frames.size());
  };
  double bestEst = 1e9, bestRes = 1e9, bestPass1 = 1e9, bestRef = 1e9, bestMean = 1e9;
  MotionEstimate est, pass1;
  // MEAN_DEGREE (env): the pass-2 mean's B-spline degree, to time EstimationOptions::meanInterpolation.
  EstimationOptions defaults;
  if (const char* v = std::getenv("MEAN_DEGREE")) defaults.meanInterpolation = std::atoi(v);
  EstimationOptions onePass = defaults;
  onePass.registerToMean = false;
  for (int rep = 0; rep < 3; ++rep) {
    auto t0 = Clock::now();
    est = Realigner(defaults).estimate(s.run, ex);
    bestEst = std::min(bestEst, since(t0));
    // The parts of the estimate, timed alone: the reference model of frame 0, pass 1 (with its
    // model) and the pass-2 mean (resliced by Reslicer.cxx's alignedMean).
    t0 = Clock::now();
    const ReferenceModel ref0(s.run.frame(0), s.run.geometry, EstimationOptions{});
    bestRef = std::min(bestRef, since(t0));
    t0 = Clock::now();
    pass1 = Realigner(onePass).estimate(s.run, ex);
    bestPass1 = std::min(bestPass1, since(t0));
    std::vector<Matrix4> m1;
    for (const auto& f : pass1.frames) m1.push_back(f.transform);
    t0 = Clock::now();
    const Volume mean = alignedMean(s.run, m1, defaults.meanInterpolation, {false, false, false}, ex);
    bestMean = std::min(bestMean, since(t0));
    if (!reslice) continue;
    std::vector<Matrix4> m;
    for (const auto& f : est.frames) m.push_back(f.transform);
    t0 = Clock::now();
    const ResliceResult r = resliceRun(s.run, m, ResliceOptions{}, ex);
    bestRes = std::min(bestRes, since(t0));
  }
  std::printf("estimate (2 passes, register to mean): %.3f s\n", bestEst);
  std::printf("  of which: pass 1 %.3f s (reference model %.3f s; %.2f iterations/frame), pass-2 mean %.3f s,\n"
              "  pass 2 with its model ~%.3f s (%.2f iterations/frame)\n",
              bestPass1, bestRef, meanIterations(pass1), bestMean, bestEst - bestPass1 - bestMean,
              meanIterations(est));
  if (reslice) {
    std::printf("reslice (degree 4, mask, mean):        %.3f s\n", bestRes);
    std::printf("estimate + reslice:                    %.3f s  (SPM12 on this machine: ~64 s)\n", bestEst + bestRes);
  }

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
