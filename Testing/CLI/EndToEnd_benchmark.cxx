// What a user waits for, file to file: the MotionCorrectionCLI executable run on a generated run
// with known motion (.nii.gz in, realigned run and mean .nii.gz out, defaults), as a separate process
// so that start-up, reading, gzip and peak memory count. Prints the wall time, the CLI's own stage
// times, the peak RSS against the run's voxels, and the displacement error against the truth.
// Not a test: figures for the README and issue 12.
//
//   MotionCorrectionEndToEndBenchmark CLI [--frames N] [--repeat R] [--threads T] [--hcp]
//                                         [--backend threads|mpi] [--mpi-ranks N] [--keep DIR]
// --hcp: an HCP-like run instead (104x90x72 voxels of 2 mm, 1200 frames unless --frames; 3.2 GB as
// float), printing its per-voxel cost against the small run's.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "ImageIO.h"
#include "MotionMetrics.h"
#include "ParameterFiles.h"
#include "SyntheticRun.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Shape {
  std::array<int, 3> size;
  std::array<double, 3> spacing;
  int frames;
  const char* name;
};

struct Measured {
  double wall = 0, read = 0, estimate = 0, reslice = 0, write = 0;
  double peakRssMb = 0;
  std::string output;
};

// Runs argv, waits, and returns its wall time, peak RSS (wait4: the child alone) and its output.
Measured runProcess(const std::vector<std::string>& argv, const fs::path& log) {
  const auto t0 = Clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    std::FILE* out = std::fopen(log.c_str(), "w");
    if (out) {
      dup2(fileno(out), 1);
      dup2(fileno(out), 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    std::perror(args[0]);
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) != pid) throw std::runtime_error("wait4 failed");
  Measured m;
  m.wall = std::chrono::duration<double>(Clock::now() - t0).count();
  m.peakRssMb = double(usage.ru_maxrss) / 1024.0;
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  m.output = ss.str();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(argv[0] + " failed (status " + std::to_string(status) + "):\n" + m.output);
  // "...; read 0.92 s, estimate 1.13 s, reslice 0.91 s, write 2.31 s; ..."
  const auto pos = m.output.find("; read ");
  if (pos == std::string::npos || std::sscanf(m.output.c_str() + pos, "; read %lf s, estimate %lf s, reslice %lf s, write %lf s",
                                              &m.read, &m.estimate, &m.reslice, &m.write) != 4)
    throw std::runtime_error("no stage times in the CLI's output:\n" + m.output);
  return m;
}

struct Accuracy {
  double mean = 0, max = 0;
};

Accuracy accuracyOf(const fs::path& rp, const std::vector<mc::RigidParameters>& truth, const mc::Volume& reference) {
  const auto est = mc::parseRpFile(rp.string());
  const auto head = mc::headPoints(reference);
  Accuracy a;
  for (std::size_t j = 0; j < est.size() && j < truth.size(); ++j) {
    const auto d = mc::displacementBetween(mc::spmMatrix(est[j]), mc::spmMatrix(truth[j]), head);
    a.mean += d.mean / double(est.size());
    a.max = std::max(a.max, d.max);
  }
  return a;
}

struct Options {
  std::string cli;
  int frames = -1, repeat = 3, threads = 0, ranks = 2;
  bool hcp = false;
  std::string backend = "threads";
  std::string keep;
};

// Best-of-R run of one shape; prints one block and returns the best wall time per voxel-frame.
double benchmark(const Options& o, const Shape& shape, const fs::path& dir) {
  mc::PhantomOptions p;
  p.size = shape.size;
  p.spacing = shape.spacing;
  mc::TrajectoryOptions t;
  t.frames = shape.frames;
  const auto truth = mc::realisticTrajectory(t);
  const fs::path input = dir / "run.nii.gz";
  mc::Volume reference;
  std::uint64_t voxels = 0;
  {
    const auto g0 = Clock::now();
    mc::SyntheticRun s = mc::generatePhantomRun(p, truth);
    reference = s.run.extractFrame(0);
    voxels = s.run.voxels.size();
    mc::writeVolumeSeries(input.string(), s.run, mc::StoredType::Float32);
    std::printf("%s: %dx%dx%dx%d float32 (%.0f MB of voxels, %.0f MB .nii.gz), generated in %.1f s\n", shape.name,
                shape.size[0], shape.size[1], shape.size[2], shape.frames, double(voxels) * 4 / 1e6,
                double(fs::file_size(input)) / 1e6, std::chrono::duration<double>(Clock::now() - g0).count());
  }
  std::vector<std::string> argv = {o.cli, "--input", input.string(), "--output", (dir / "rrun.nii.gz").string(),
                                   "--mean", (dir / "mean.nii.gz").string(), "--params", (dir / "rp.txt").string(),
                                   "--threads", std::to_string(o.threads), "--backend", o.backend};
  if (o.backend == "mpi") {
    argv.push_back("--mpi-ranks");
    argv.push_back(std::to_string(o.ranks));
  }
  Measured best;
  best.wall = 1e30;
  for (int r = 0; r < o.repeat; ++r) {
    for (const char* f : {"rrun.nii.gz", "mean.nii.gz", "rp.txt"}) fs::remove(dir / f);
    const Measured m = runProcess(argv, dir / "cli.log");
    std::printf("  run %d: wall %.2f s (read %.2f, estimate %.2f, reslice+write %.2f, write rest %.2f), peak RSS %.0f MB\n",
                r + 1, m.wall, m.read, m.estimate, m.reslice, m.write, m.peakRssMb);
    if (m.wall < best.wall) best = m;
  }
  const Accuracy a = accuracyOf(dir / "rp.txt", truth, reference);
  const double voxelMb = double(voxels) * 4 / (1024.0 * 1024.0);
  std::printf("  best of %d: wall %.2f s | read %.2f s | estimate %.2f s | reslice (+ streamed write) %.2f s |"
              " write rest %.2f s | peak RSS %.0f MB = %.2fx the voxels | output %.0f MB\n",
              o.repeat, best.wall, best.read, best.estimate, best.reslice, best.write, best.peakRssMb,
              best.peakRssMb / voxelMb, double(fs::file_size(dir / "rrun.nii.gz")) / 1e6);
  std::printf("  displacement error against the truth: mean %.4f mm, max %.4f mm\n", a.mean, a.max);
  return best.wall / double(voxels);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CLI [--frames N] [--repeat R] [--threads T] [--hcp] [--backend threads|mpi]"
                         " [--mpi-ranks N] [--keep DIR]\n", argv[0]);
    return 2;
  }
  o.cli = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    const auto next = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + ": needs a value");
      return argv[++i];
    };
    if (a == "--frames") o.frames = std::atoi(next().c_str());
    else if (a == "--repeat") o.repeat = std::max(1, std::atoi(next().c_str()));
    else if (a == "--threads") o.threads = std::atoi(next().c_str());
    else if (a == "--hcp") o.hcp = true;
    else if (a == "--backend") o.backend = next();
    else if (a == "--mpi-ranks") o.ranks = std::atoi(next().c_str());
    else if (a == "--keep") o.keep = next();
    else {
      std::fprintf(stderr, "%s: unknown option %s\n", argv[0], a.c_str());
      return 2;
    }
  }
  try {
    fs::path dir = o.keep.empty() ? fs::temp_directory_path() / ("mc-e2e-" + std::to_string(getpid())) : fs::path(o.keep);
    fs::create_directories(dir);
    std::printf("MotionCorrectionCLI file to file, backend %s, threads %s, %ld cores\n", o.backend.c_str(),
                o.threads ? std::to_string(o.threads).c_str() : "all", sysconf(_SC_NPROCESSORS_ONLN));
    const Shape small{{64, 64, 33}, {3.0, 3.0, 3.5}, o.frames > 0 && !o.hcp ? o.frames : 200, "small run"};
    const double perVoxelSmall = benchmark(o, small, dir);
    if (o.hcp) {
      Options big = o;
      big.repeat = 1;
      const Shape hcp{{104, 90, 72}, {2.0, 2.0, 2.0}, o.frames > 0 ? o.frames : 1200, "HCP-like run"};
      for (const char* f : {"run.nii.gz", "rrun.nii.gz", "mean.nii.gz", "rp.txt"}) fs::remove(dir / f);
      const double perVoxelHcp = benchmark(big, hcp, dir);
      std::printf("per voxel-frame: HCP-like %.3g s against the small run's %.3g s: ratio %.2f\n", perVoxelHcp,
                  perVoxelSmall, perVoxelHcp / perVoxelSmall);
    }
    if (o.keep.empty()) fs::remove_all(dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", argv[0], e.what());
    return 1;
  }
  return 0;
}
