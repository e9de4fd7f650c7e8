// Not a test: a generated dataset (default 24 runs of 64x64x33x200) corrected with the MPI run queue
// on 1, 2 and 3 local ranks, and in this process for reference; prints runs per minute and the
// scaling. A multi-host run is simulated with a hostfile naming `localhost slots=N` and ranks
// bound to cores (--bind-to core), as a cluster's hostfile would place them.
//
//   MotionCorrectionDatasetScalingBenchmark [--runs 24] [--frames 200] [--ranks 1,2,3] [--keep DIR]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "DatasetFixture.h"
#include "DatasetRun.h"

namespace fs = std::filesystem;
using namespace mc;

namespace {

double secondsOf(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 24, frames = 200;
  std::vector<int> rankCounts{1, 2, 3};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--runs") runs = std::atoi(v.c_str());
    else if (a == "--frames") frames = std::atoi(v.c_str());
    else if (a == "--ranks") {
      rankCounts.clear();
      std::stringstream s(v);
      for (std::string x; std::getline(s, x, ',');) rankCounts.push_back(std::atoi(x.c_str()));
    } else {
      std::fprintf(stderr, "usage: %s [--runs N] [--frames F] [--ranks 1,2,3]\n", argv[0]);
      return 2;
    }
  }
  const int cores = int(std::max(1u, std::thread::hardware_concurrency()));
  test::ScratchDir dir;
  const std::string root = dir.file("bids");
  // Four distinct runs (motion trajectories), copied round the dataset: every run is the same work
  // as a distinct one, and generating 24 analytic phantoms would take minutes.
  constexpr int kDistinct = 4;
  const double generate = secondsOf([&] {
    for (int r = 0; r < runs; ++r) {
      const std::string sub = (r / 2 + 1 < 10 ? "0" : "") + std::to_string(r / 2 + 1);
      const std::string rel = "sub-" + sub + "/func/sub-" + sub + "_task-rest_run-" + std::to_string(r % 2 + 1) + "_bold.nii.gz";
      const fs::path target = fs::path(root) / rel;
      fs::create_directories(target.parent_path());
      if (r < kDistinct) {
        PhantomOptions p;  // 64x64x33, 3x3x3.5 mm
        writeVolumeSeries(target.string(), generatePhantomRun(p, test::seededMotion(frames, r + 1)).run);
      } else {
        const int from = r % kDistinct;
        const std::string fsub = (from / 2 + 1 < 10 ? "0" : "") + std::to_string(from / 2 + 1);
        fs::copy_file(fs::path(root) / ("sub-" + fsub + "/func/sub-" + fsub + "_task-rest_run-" +
                                        std::to_string(from % 2 + 1) + "_bold.nii.gz"),
                      target);
      }
    }
  });
  std::printf("dataset: %d runs of 64x64x33x%d (%d distinct, generated in %.1f s), %d cores\n", runs, frames,
              std::min(runs, kDistinct), generate, cores);
  std::printf("%-34s %9s %11s %9s %8s\n", "configuration", "wall (s)", "runs/min", "scaling", "failed");

  const std::string hostfile = dir.file("hostfile");
  double base = 0;
  auto report = [&](const std::string& name, double wall, const DatasetResult& r, bool isBase) {
    const double perMinute = runs / wall * 60;
    if (isBase) base = perMinute;
    std::printf("%-34s %9.1f %11.1f %8.2fx %8d\n", name.c_str(), wall, perMinute, base > 0 ? perMinute / base : 1.0,
                r.count(RunStatus::Failed));
    std::fflush(stdout);
  };
  DatasetOptions o;
  o.bidsRoot = root;
  o.resume = false;
  o.report = false;
  {
    DatasetOptions local = o;
    local.derivativesRoot = dir.file("out-threads");
    local.job.threads = cores;
    DatasetResult r;
    const double wall = secondsOf([&] { r = runDataset(local); });
    report("in process, " + std::to_string(cores) + " threads", wall, r, false);
  }
  for (std::size_t i = 0; i < rankCounts.size(); ++i) {
    const int n = rankCounts[i];
    DatasetOptions m = o;
    m.derivativesRoot = dir.file("out-mpi-" + std::to_string(n));
    m.backend = Backend::Mpi;
    m.mpi.ranks = n;
    m.mpi.threadsPerRank = std::max(1, cores / n);
    // Simulated hosts: one hostfile slot per rank on localhost, each rank bound to its own core
    // (with more ranks than cores they share: --oversubscribe, binding to none).
    std::ofstream(hostfile) << "localhost slots=" << n << "\n";
    m.mpi.hostfile = hostfile;
    m.mpi.extraArguments = n <= cores ? std::vector<std::string>{"--bind-to", "core", "--map-by", "core"}
                                      : std::vector<std::string>{"--oversubscribe", "--bind-to", "none"};
    DatasetResult r;
    const double wall = secondsOf([&] { r = runDataset(m); });
    report("MPI queue, " + std::to_string(n) + " rank" + (n > 1 ? "s" : "") + " x " +
               std::to_string(m.mpi.threadsPerRank) + " thread" + (m.mpi.threadsPerRank > 1 ? "s" : ""),
           wall, r, i == 0);
  }
  return 0;
}
