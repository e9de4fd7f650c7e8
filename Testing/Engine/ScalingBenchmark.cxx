// MotionCorrectionScalingBenchmark: how the engine's backends scale on one generated run.
// Not a test: it prints figures. Default run 64x64x33 voxels x 200 frames (a typical EPI run).
//
//   MotionCorrectionScalingBenchmark [--frames N] [--repeat R]
//
// Backends: serial (1 thread: OpenMP executor with 1 thread), OpenMP 2 threads (the CLI's default
// on 2 cores), QThreadPool 2 threads (the Qt engine), MPI 2 ranks x 1 thread (mpirun), the same
// with --bind-to core --map-by core. Estimate and reslice seconds are the engine's own timings
// (for MPI: rank 0's, around the collective steps); wall includes reading, writing and, for MPI,
// starting mpirun and broadcasting the run. Best of R repetitions.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <QThreadPool>

#include <omp.h>

#include "AtomicOutput.h"
#include "FrameExecutor.h"
#include "ImageIO.h"
#include "MotionCorrectionJob.h"
#include "MpiLaunch.h"
#include "QtFrameExecutor.h"
#include "SyntheticRun.h"

#include <chrono>
#include <filesystem>
#include <unistd.h>

using namespace mc;

namespace {

struct Timing {
  double estimate = 1e300, reslice = 1e300, wall = 1e300;
};

Timing best(int repeat, const std::function<JobResult()>& run) {
  Timing t;
  for (int i = 0; i < repeat; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const JobResult r = run();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    t.estimate = std::min(t.estimate, r.estimateSeconds);
    t.reslice = std::min(t.reslice, r.resliceSeconds);
    t.wall = std::min(t.wall, wall);
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  int frames = 200, repeat = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--frames") frames = std::atoi(argv[i + 1]);
    else if (a == "--repeat") repeat = std::max(1, std::atoi(argv[i + 1]));
  }
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("mc-scaling-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  PhantomOptions phantom;  // 64x64x33, 3x3x3.5 mm
  TrajectoryOptions trajectory;
  trajectory.frames = frames;
  const SyntheticRun run = generatePhantomRun(phantom, realisticTrajectory(trajectory));
  JobSpec spec;
  spec.input = (dir / "run.nii").string();
  spec.realignedOutput = (dir / "realigned.nii").string();
  spec.parametersOutput = (dir / "rp_run.txt").string();
  writeVolumeSeries(spec.input, run.run);

  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  std::printf("MotionCorrectionScalingBenchmark: %dx%dx%d voxels x %d frames, %d cores, best of %d\n",
              phantom.size[0], phantom.size[1], phantom.size[2], frames, cores, repeat);
  std::printf("(the machine may be shared: compare ratios taken in one run)\n\n");
  std::printf("%-34s %10s %10s %10s %9s %9s\n", "backend", "estimate s", "reslice s", "wall s", "est. x", "resl. x");

  struct Row {
    std::string name;
    std::function<JobResult()> run;
  };
  const int defaultOmp = omp_get_max_threads();
  std::vector<Row> rows;
  rows.push_back({"serial (1 thread)", [&] {
                    omp_set_num_threads(1);  // no OpenMP inside frames either
                    OpenMPFrameExecutor ex(1);
                    JobResult r = runMotionCorrection(spec, ex);
                    omp_set_num_threads(defaultOmp);
                    return r;
                  }});
  rows.push_back({"OpenMP executor, 2 threads", [&] {
                    OpenMPFrameExecutor ex(2);
                    return runMotionCorrection(spec, ex);
                  }});
  rows.push_back({"QThreadPool, 2 threads", [&] {
                    QThreadPool pool;
                    pool.setMaxThreadCount(2);
                    QtFrameExecutor ex(&pool, 2);
                    return runMotionCorrection(spec, ex);
                  }});
  MpiOptions mpi;
  mpi.ranks = 2;
  mpi.threadsPerRank = 1;
  rows.push_back({"MPI, 2 ranks x 1 thread", [&] { return runMpiBackend(spec, mpi); }});
  MpiOptions bound = mpi;
  bound.extraArguments = {"--bind-to", "core", "--map-by", "core"};
  rows.push_back({"MPI, 2 ranks, --bind-to core", [&] { return runMpiBackend(spec, bound); }});

  Timing serial;
  for (const Row& row : rows) {
    Timing t;
    try {
      t = best(repeat, row.run);
    } catch (const std::exception& e) {
      std::printf("%-34s failed: %s\n", row.name.c_str(), e.what());
      continue;
    }
    if (row.name.rfind("serial", 0) == 0) serial = t;
    std::printf("%-34s %10.2f %10.2f %10.2f %9.2f %9.2f\n", row.name.c_str(), t.estimate, t.reslice, t.wall,
                serial.estimate / t.estimate, serial.reslice / t.reslice);
    std::fflush(stdout);
  }
  fs::remove_all(dir);
  return 0;
}
