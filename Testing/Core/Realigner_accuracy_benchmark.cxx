// Accuracy figures on real volumes moved by known motion, for comparing settings (not a test).
// Usage: MotionCorrectionAccuracyReport <volume.nii.gz> [noise] [frames]; env FWHM, QUALITY, SEP,
// RTM (0/1), CONVERGENCE (mm, 0: SPM's stopping rule), FIRSTFRAME (1: take frame 0 of a 4D file).
#include <cstdio>
#include <cstdlib>

#include "ImageIO.h"
#include "MotionMetrics.h"
#include "Realigner.h"
#include "SyntheticRun.h"

using namespace mc;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s volume.nii.gz [noise] [frames]\n", argv[0]);
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
