// Writes a synthetic 4D run with known motion (the built-in example) and its true rp parameters.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "AtomicOutput.h"
#include "ImageIO.h"
#include "ParameterFiles.h"
#include "SyntheticRun.h"

namespace {

const char* kUsage =
    "Usage: GenerateSyntheticRun --output run.nii.gz --truth rp_true.txt [options]\n"
    "  --frames N        number of frames (default 100)\n"
    "  --size X,Y,Z      grid (default 64,64,33)\n"
    "  --spacing X,Y,Z   voxel size in mm (default 3,3,3.5)\n"
    "  --noise F         Rician noise sigma as a fraction of brain intensity (default 0.02)\n"
    "  --max-trans MM    largest translation (default 3)\n"
    "  --max-rot DEG     largest rotation (default 3)\n"
    "  --oblique DEG     tilt of the slab (default 0)\n"
    "  --seed N          motion trajectory seed (default 1)\n"
    "  --base FILE       move this real 3D volume (or the first frame of a 4D run) instead of the phantom\n";

template <class T>
void parseTriple(const std::string& s, T out[3]) {
  if (std::sscanf(s.c_str(), "%lf,%lf,%lf", &out[0], &out[1], &out[2]) != 3)
    throw std::invalid_argument("expected three comma-separated numbers, got '" + s + "'");
}

}  // namespace

int main(int argc, char** argv) {
  mc::installTemporaryFileCleanupOnSignals();
  std::string output, truth, base;
  mc::PhantomOptions phantom;
  mc::TrajectoryOptions traj;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (a == "--help") {
        std::printf("%s", kUsage);
        return 0;
      }
      if (i + 1 >= argc) throw std::invalid_argument(a + ": missing value");
      const std::string v = argv[++i];
      double t[3];
      if (a == "--output") output = v;
      else if (a == "--truth") truth = v;
      else if (a == "--base") base = v;
      else if (a == "--frames") traj.frames = std::stoi(v);
      else if (a == "--noise") phantom.noise = std::stod(v);
      else if (a == "--max-trans") traj.maxTranslationMm = std::stod(v);
      else if (a == "--max-rot") traj.maxRotationDeg = std::stod(v);
      else if (a == "--oblique") phantom.obliqueDeg = std::stod(v);
      else if (a == "--seed") traj.seed = std::stoull(v);
      else if (a == "--size") {
        parseTriple(v, t);
        for (int k = 0; k < 3; ++k) phantom.size[k] = int(t[k]);
      } else if (a == "--spacing") {
        parseTriple(v, t);
        for (int k = 0; k < 3; ++k) phantom.spacing[k] = t[k];
      } else throw std::invalid_argument(a + ": unknown option");
    }
    if (output.empty() || truth.empty()) throw std::invalid_argument("--output and --truth are required");
    if (traj.frames < 2) throw std::invalid_argument("--frames: need at least 2");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "GenerateSyntheticRun: error: %s\n", e.what());
    return 2;
  }
  try {
    const auto motion = mc::realisticTrajectory(traj);
    const mc::SyntheticRun s = base.empty() ? mc::generatePhantomRun(phantom, motion)
                                            : mc::moveVolume(mc::readVolume(base, true), motion, phantom.noise);
    mc::writeVolumeSeries(output, s.run);
    mc::writeTextAtomically(truth, mc::formatRpFile(s.truth));
    std::fprintf(stderr, "GenerateSyntheticRun: wrote %s (%dx%dx%dx%d) and %s\n", output.c_str(),
                 s.run.geometry.size[0], s.run.geometry.size[1], s.run.geometry.size[2], s.run.frameCount,
                 truth.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "GenerateSyntheticRun: error: %s\n", e.what());
    return 1;
  }
}
