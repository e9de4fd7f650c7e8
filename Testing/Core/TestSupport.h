#pragma once
// Shared helpers of the core tests: scratch folders and ground-truth comparisons.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <stdlib.h>
#include <vector>

#include "MotionMetrics.h"
#include "Progress.h"
#include "RigidTransform.h"
#include "SyntheticRun.h"

namespace mc::test {

// A fresh folder under the system temp dir, removed when the object dies.
class ScratchDir {
public:
  ScratchDir() {
    // mkdtemp, not a pid-and-counter name: a folder left by an earlier process with the same pid,
    // or made by another test binary at the same moment, can never be shared.
    std::string tmpl = (std::filesystem::temp_directory_path() / "mc-test-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error(tmpl + ": cannot create a scratch folder");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::vector<std::string> entries() const {
    std::vector<std::string> e;
    for (const auto& d : std::filesystem::directory_iterator(path_)) e.push_back(d.path().filename().string());
    return e;
  }

private:
  std::filesystem::path path_;
};

inline std::string dataFile(const std::string& name) { return std::string(MC_DATA_DIR) + "/" + name; }

// A small phantom run (40x40x24 voxels of 4x4x5 mm) moved by `motion`: big enough for a real
// estimate, fast enough for unit tests.
inline SyntheticRun smallPhantomRun(const std::vector<RigidParameters>& motion, double noise) {
  PhantomOptions p;
  p.size = {40, 40, 24};
  p.spacing = {4, 4, 5};
  p.noise = noise;
  return generatePhantomRun(p, motion);
}

struct ErrorSummary {
  double mean = 0;  // mean over frames of the mean displacement error over the head (mm)
  double max = 0;   // largest displacement error of any head point in any frame (mm)
};

inline ErrorSummary motionError(const std::vector<FrameMotion>& estimated, const std::vector<RigidParameters>& truth,
                                const std::vector<std::array<double, 3>>& head) {
  ErrorSummary s;
  for (std::size_t j = 0; j < truth.size(); ++j) {
    const auto d = displacementBetween(estimated[j].transform, spmMatrix(truth[j]), head);
    s.mean += d.mean;
    s.max = std::max(s.max, d.max);
  }
  s.mean /= double(truth.size());
  return s;
}

}  // namespace mc::test

#include <unistd.h>
