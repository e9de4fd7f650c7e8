#pragma once
// A scanner's export, replayed: a writer thread puts the volumes of a real run into a folder one
// file per volume at a fixed interval (each renamed into place by writeVolume), as the follow-mode
// tests of the core do (Testing/Core/FollowSession_test.cxx). Used by the engine's and the panel's
// follow tests.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "ImageIO.h"
#include "TestSupport.h"

namespace mc::test {

// The first `frames` volumes of the real BOLD run in /work/shared/data (64x64x34), read once.
inline const VolumeSeries& realRun(int frames) {
  static const VolumeSeries all = readVolumeSeries(dataFile("pydecnef_sub-1_run-1_bold_vols000-149.nii.gz"));
  static std::map<int, VolumeSeries> cut;
  auto it = cut.find(frames);
  if (it == cut.end()) {
    VolumeSeries s = all;
    s.voxels.resize(s.frameSize() * std::size_t(frames));
    s.frameCount = frames;
    it = cut.emplace(frames, std::move(s)).first;
  }
  return it->second;
}

inline std::string replayVolumeName(int j) {
  char s[32];
  std::snprintf(s, sizeof s, "vol%04d.nii", j);
  return s;
}

struct ReplayPlan {
  int intervalMs = 20;      // the replay's TR
  std::set<int> corrupt;    // these volumes are cut to 600 bytes and never finished
  bool endMarker = false;   // write END after the last volume
  int startDelayMs = 0;     // before the first volume (e.g. to let a session wait first)
};

// Starts writing at construction; the destructor waits for the writer.
class FollowReplay {
public:
  FollowReplay(const std::string& folder, const VolumeSeries& run, ReplayPlan plan)
      : writer_([folder, &run, plan] {
          std::this_thread::sleep_for(std::chrono::milliseconds(plan.startDelayMs));
          const std::string dir = folder + "/";
          for (int j = 0; j < run.frameCount; ++j) {
            if (plan.corrupt.count(j)) {
              const std::string staged = dir + ".staged.nii";
              writeVolume(staged, run.extractFrame(j));
              std::filesystem::resize_file(staged, 600);
              std::filesystem::rename(staged, dir + replayVolumeName(j));
            } else {
              writeVolume(dir + replayVolumeName(j), run.extractFrame(j));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(plan.intervalMs));
          }
          if (plan.endMarker) std::ofstream(dir + "END").put('\n');
        }) {}
  ~FollowReplay() { join(); }
  void join() {
    if (writer_.joinable()) writer_.join();
  }

private:
  std::thread writer_;
};

}  // namespace mc::test
