// Accuracy figures on volumes moved by known motion, for comparing settings (not a test).
// Usage:
//   MotionCorrectionAccuracyReport <volume.nii.gz> [noise] [frames]; env FWHM, QUALITY, SEP,
//     RTM (0/1), CONVERGENCE (mm, 0: SPM's stopping rule), FIRSTFRAME (1: take frame 0 of a 4D file).
//   MotionCorrectionAccuracyReport --run-types <allineate_epi3d.nii.gz> [run type] [--per-frame]
//     the hard run types of AccuracyRuns.h, each estimated by the defaults, the SPM-style
//     configuration and the defaults with one factor switched to SPM's (or another) choice; with
//     --per-frame, every frame's mean error under each configuration.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "AccuracyRuns.h"
#include "ImageIO.h"
#include "MotionMetrics.h"
#include "Realigner.h"
#include "SyntheticRun.h"

using namespace mc;

namespace {

struct Configuration {
  const char* name;
  EstimationOptions options;
};

std::vector<Configuration> configurations() {
  std::vector<Configuration> c;
  const EstimationOptions ours;
  c.push_back({"ours (defaults)", ours});
  c.push_back({"SPM-style", accuracy::spmStyle()});
  EstimationOptions o = ours;
  o.sampleGridEdges = true;
  c.push_back({"ours + edge samples", o});
  o = ours;
  o.mirrorSmoothingEdges = false;
  c.push_back({"ours + zero-edge smoothing", o});
  o = ours;
  o.convergenceMm = 0;
  c.push_back({"ours + SPM stopping rule", o});
  o = ours;
  o.quality = 1;
  c.push_back({"ours, no pruning (quality 1)", o});
  o = ours;
  o.meanInterpolation = 2;
  c.push_back({"ours, mean degree 2", o});
  o = ours;
  o.meanInterpolation = 4;
  c.push_back({"ours, mean degree 4", o});
  o = ours;
  o.registerToMean = false;
  c.push_back({"ours, one pass (no mean)", o});
  o = ours;
  o.referenceInterpolation = 3;
  c.push_back({"ours, reference degree 3", o});
  o = ours;
  o.referenceInterpolation = 4;
  c.push_back({"ours, reference degree 4", o});
  o = accuracy::spmStyle();
  o.quality = 1;
  c.push_back({"SPM-style, no pruning", o});
  o = accuracy::spmStyle();
  o.mirrorSmoothingEdges = true;
  c.push_back({"SPM-style + mirrored smoothing", o});
  o = accuracy::spmStyle();
  o.sampleGridEdges = false;
  c.push_back({"SPM-style, no edge samples", o});
  o = accuracy::spmStyle();
  o.meanInterpolation = 2;
  c.push_back({"SPM-style, mean degree 2", o});
  return c;
}

int runTypes(int argc, char** argv) {
  const Volume epi = readVolume(argv[2], true);
  bool perFrame = false;
  std::vector<std::string> names;
  for (int i = 3; i < argc; ++i) {
    if (std::strcmp(argv[i], "--per-frame") == 0) perFrame = true;
    else names.push_back(argv[i]);
  }
  if (names.empty()) names = accuracy::runTypeNames();
  const auto configs = configurations();
  for (const auto& name : names) {
    const accuracy::RunType t = accuracy::makeRunType(name, epi);
    double fd = 0;
    for (double f : framewiseDisplacement(t.run.truth)) fd = std::max(fd, f);
    std::printf("\n%s: %d frames, %dx%dx%d, largest FD %.1f mm\n", name.c_str(), t.run.run.frameCount,
                t.run.run.geometry.size[0], t.run.run.geometry.size[1], t.run.run.geometry.size[2], fd);
    std::printf("  %-30s %10s %12s %6s %12s %6s\n", "configuration", "mean (mm)", "worst frame", "frame",
                "worst point", "iters");
    std::vector<accuracy::FrameErrors> all;
    for (const auto& c : configs) {
      all.push_back(accuracy::frameErrors(t.run, c.options));
      const auto& e = all.back();
      std::printf("  %-30s %10.4f %12.4f %6d %12.4f %6d\n", c.name, e.mean, e.worst, e.worstFrame, e.worstPoint,
                  e.iterations);
      std::fflush(stdout);
    }
    if (!perFrame) continue;
    std::printf("  per-frame mean error (mm), columns in the order above\n  frame    FD");
    for (std::size_t c = 0; c < configs.size(); ++c) std::printf(" %7zu", c);
    std::printf("\n");
    const auto fds = framewiseDisplacement(t.run.truth);
    for (int j = 0; j < t.run.run.frameCount; ++j) {
      std::printf("  %5d %5.1f", j, fds[std::size_t(j)]);
      for (const auto& e : all) std::printf(" %7.4f", e.frames[std::size_t(j)].mean);
      std::printf("\n");
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 3 && std::strcmp(argv[1], "--run-types") == 0) return runTypes(argc, argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s volume.nii.gz [noise] [frames]\n       %s --run-types epi.nii.gz [type...] "
                 "[--per-frame]\n", argv[0], argv[0]);
    return 2;
  }
  const Volume base = readVolume(argv[1], true);
  TrajectoryOptions t;
  t.frames = argc > 3 ? std::atoi(argv[3]) : 12;
  t.seed = 3;
  const SyntheticRun s = moveVolume(base, realisticTrajectory(t), argc > 2 ? std::atof(argv[2]) : 0.02);
  EstimationOptions o;
  if (const char* v = std::getenv("FWHM")) o.fwhm = std::atof(v);
  if (const char* v = std::getenv("QUALITY")) o.quality = std::atof(v);
  if (const char* v = std::getenv("SEP")) o.separation = std::atof(v);
  if (const char* v = std::getenv("RTM")) o.registerToMean = std::atoi(v) != 0;
  if (const char* v = std::getenv("CONVERGENCE")) o.convergenceMm = std::atof(v);
  OpenMPFrameExecutor ex;
  const MotionEstimate est = Realigner(o).estimate(s.run, ex);
  const auto head = headPoints(s.run.extractFrame(0));
  double mean = 0, mx = 0, iterations = 0;
  for (int j = 0; j < s.run.frameCount; ++j) {
    const auto d = displacementBetween(est.frames[j].transform, spmMatrix(s.truth[j]), head);
    mean += d.mean;
    mx = std::max(mx, d.max);
    iterations += est.frames[j].iterations;
    std::printf("frame %2d: error mean %.4f max %.4f mm\n", j, d.mean, d.max);
  }
  std::printf("%s: mean error %.4f mm, max %.4f mm, %d sample points, fwhm %.1f quality %.2f, "
              "%.2f last-pass iterations/frame\n", argv[1], mean / s.run.frameCount, mx, est.samplePoints, o.fwhm,
              o.quality, iterations / s.run.frameCount);
  return 0;
}
