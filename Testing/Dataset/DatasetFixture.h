#pragma once
// A small BIDS dataset on disk for the dataset tests: real NIfTI runs made by the phantom generator
// with known motion, at BIDS places, and a corrupt one.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ImageIO.h"
#include "TestSupport.h"

namespace mc::test {

// Motion of `frames` frames, different per seed: up to about 1.5 mm and 1.5 degrees.
inline std::vector<RigidParameters> seededMotion(int frames, int seed) {
  std::vector<RigidParameters> m(static_cast<std::size_t>(frames));
  for (int j = 1; j < frames; ++j)
    for (int k = 0; k < 6; ++k) {
      const double phase = 0.7 * j + 1.3 * k + 0.9 * seed;
      m[std::size_t(j)][k] = (k < 3 ? 1.5 : 0.026) * std::sin(phase) * j / frames;
    }
  return m;
}

struct BidsFixture {
  ScratchDir dir;
  std::string root = dir.file("bids");
  std::string derivatives = dir.file("derivatives");
  std::map<std::string, std::vector<RigidParameters>> truth;  // by relative path

  // Writes sub-<s>/[ses-<e>/]func/sub-<s>[_ses-<e>]_task-<t>_run-<r>_bold.nii.gz with `frames` frames.
  std::string addRun(const std::string& subject, const std::string& session, const std::string& task, int run,
                     int frames, int seed) {
    std::string folder = "sub-" + subject + (session.empty() ? "" : "/ses-" + session) + "/func";
    std::string name = "sub-" + subject + (session.empty() ? "" : "_ses-" + session) + "_task-" + task + "_run-" +
                       std::to_string(run) + "_bold.nii.gz";
    std::filesystem::create_directories(std::filesystem::path(root) / folder);
    const std::string rel = folder + "/" + name;
    const SyntheticRun r = smallPhantomRun(seededMotion(frames, seed), 0.01);
    writeVolumeSeries((std::filesystem::path(root) / rel).string(), r.run);
    truth[rel] = r.truth;
    return rel;
  }
  // A run whose file is cut short: it must fail alone.
  std::string addCorruptRun(const std::string& subject, const std::string& task) {
    const std::string folder = "sub-" + subject + "/func";
    const std::string rel = folder + "/sub-" + subject + "_task-" + task + "_bold.nii.gz";
    std::filesystem::create_directories(std::filesystem::path(root) / folder);
    std::ofstream(std::filesystem::path(root) / rel, std::ios::binary) << std::string("\x1f\x8b\x08\x00garbage", 12);
    return rel;
  }
  std::string path(const std::string& rel) const { return (std::filesystem::path(root) / rel).string(); }
};

}  // namespace mc::test
