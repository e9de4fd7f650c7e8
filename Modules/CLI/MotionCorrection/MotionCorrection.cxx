// MotionCorrection: realign a 4D fMRI run (SPM12-style estimate & reslice) from the command line.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <string>

#include "AtomicOutput.h"
#include "FrameExecutor.h"
#include "JobParameters.h"
#include "MotionCorrectionJob.h"

namespace {

const char* kUsage =
    "Usage: MotionCorrection --input run.nii.gz --output realigned.nii.gz [options]\n"
    "\n"
    "Rigid-body motion correction of a 4D fMRI run: estimates 6 parameters per frame against a\n"
    "reference (Gauss-Newton on B-spline interpolated, smoothed images, as SPM12 Realign), then\n"
    "reslices every frame into the reference grid.\n"
    "\n"
    "Inputs and outputs:\n"
    "  --input FILE          4D run (.nii, .nii.gz, .nrrd)\n"
    "  --output FILE         realigned run\n"
    "  --mean FILE           mean of the realigned run\n"
    "  --params FILE         motion parameters, SPM rp_*.txt convention (x y z mm, pitch roll yaw rad)\n"
    "  --transforms FILE     4x4 world (RAS mm) matrix per frame\n"
    "  --confounds FILE      TSV: trans_x trans_y trans_z rot_x rot_y rot_z framewise_displacement\n"
    "  --weight FILE         weighting/mask image on the run's grid for estimation\n"
    "Estimation:\n"
    "  --quality Q           fraction of sample information kept, (0,1] (default 0.9)\n"
    "  --sep MM              sample separation (default 4)\n"
    "  --fwhm MM             smoothing before estimation (default 5)\n"
    "  --interp N            B-spline degree 1..7 (default 2)\n"
    "  --wrap X,Y,Z          wrap-around per axis, e.g. 0,1,0 (default 0,0,0)\n"
    "  --reference R         first | mean (two passes, default) | frame index N (0-based)\n"
    "Reslicing:\n"
    "  --reslice-interp N    B-spline degree 0..7 (default 4)\n"
    "  --reslice-wrap X,Y,Z  (default 0,0,0)\n"
    "  --mask / --no-mask    zero voxels not seen by every frame (default on)\n"
    "  --keep-datatype       write the run in the input's datatype (rounded) instead of float32\n"
    "  --estimate-only       estimate and write parameter files only\n"
    "Other:\n"
    "  --threads N           worker threads, 0 = all cores (default 0)\n"
    "  --quiet               no progress lines on stderr\n"
    "  --help                this text\n";

const std::set<std::string> kSwitches = {"mask", "estimate-only", "keep-datatype"};

}  // namespace

int main(int argc, char** argv) {
  mc::installTemporaryFileCleanupOnSignals();
  mc::JobSpec spec;
  bool quiet = false;
  try {
    for (int i = 1; i < argc; ++i) {
      std::string a = argv[i];
      if (a == "--help" || a == "-h") {
        std::cout << kUsage;
        return 0;
      }
      if (a == "--quiet") {
        quiet = true;
        continue;
      }
      if (a == "--no-mask") {
        spec.reslice.mask = false;
        continue;
      }
      if (a.rfind("--", 0) != 0) throw std::invalid_argument(a + ": unexpected argument (flags start with --)");
      std::string name = a.substr(2), value;
      const auto eq = name.find('=');
      if (eq != std::string::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (kSwitches.count(name)) {
        value = "true";
      } else {
        if (i + 1 >= argc) throw std::invalid_argument("--" + name + ": missing value");
        value = argv[++i];
      }
      mc::setJobParameter(spec, name, value);
    }
    if (spec.input.empty()) throw std::invalid_argument("--input: required (the 4D run to correct)");
    if (spec.realignedOutput.empty() && spec.meanOutput.empty() && spec.parametersOutput.empty() &&
        spec.transformsOutput.empty() && spec.confoundsOutput.empty())
      throw std::invalid_argument("--output: no output requested (give --output, --mean, --params, ...)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "MotionCorrection: error: %s\n", e.what());
    return 2;
  }

  try {
    mc::OpenMPFrameExecutor executor(spec.threads);
    const auto progress = [&](const mc::ProgressEvent& e) {
      if (quiet) return mc::CallbackReturn::Continue;
      if (e.motion) {
        const auto& p = e.motion->parameters;
        std::fprintf(stderr, "[%5.1f%%] %s frame %d/%d: %8.4f %8.4f %8.4f mm %8.5f %8.5f %8.5f rad\n",
                     100 * e.fraction, mc::stageName(e.stage), e.frame, e.total, p[0], p[1], p[2], p[3], p[4], p[5]);
      } else if (e.completed == e.total) {
        std::fprintf(stderr, "[%5.1f%%] %s done\n", 100 * e.fraction, mc::stageName(e.stage));
      }
      return mc::CallbackReturn::Continue;
    };
    const mc::JobResult r = mc::runMotionCorrection(spec, executor, progress);
    for (const auto& w : r.warnings) std::fprintf(stderr, "MotionCorrection: warning: %s\n", w.c_str());
    double maxFd = 0, maxDisp = 0;
    for (double f : r.framewiseDisplacement) maxFd = std::max(maxFd, f);
    for (const auto& d : r.displacement) maxDisp = std::max(maxDisp, d.max);
    std::fprintf(stderr,
                 "MotionCorrection: %zu frames, %d threads; read %.2f s, estimate %.2f s, reslice %.2f s, write %.2f s;"
                 " max FD %.3f mm, max displacement %.3f mm\n",
                 r.parameters.size(), executor.workerCount(), r.readSeconds, r.estimateSeconds, r.resliceSeconds,
                 r.writeSeconds, maxFd, maxDisp);
    for (const auto& w : r.written) std::fprintf(stderr, "MotionCorrection: wrote %s\n", w.c_str());
    return 0;
  } catch (const mc::Cancelled&) {
    std::fprintf(stderr, "MotionCorrection: cancelled\n");
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "MotionCorrection: error: %s\n", e.what());
    return 1;
  }
}
