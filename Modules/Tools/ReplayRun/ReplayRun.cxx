// ReplayRun: plays a 4D run into a folder one volume file at a time at a fixed TR, as a scanner's
// real-time export does, to try follow mode (MotionCorrectionFollowCLI, Python's follow(), the
// panel's Live mode) without a scanner, and to test it. Each volume is written beside its name and
// renamed into place when complete (mc::writeVolume), so a follower never sees half a file.
//
//   ReplayRun --input RUN --folder DIR [--tr S] [--frames N] [--gz | --dicom] [--prefix vol]
//             [--end-marker END] [--corrupt K] [--no-end-marker]
//   --dicom       one DICOM file per volume (int16), as many scanners export
//   --corrupt K   volume K is written cut short (half its bytes, in place): a follower must report
//                 and skip it once the next volume has arrived
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "ImageIO.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::string input, folder, prefix = "vol", endMarker = "END";
  double tr = 0;
  int frames = 0, corrupt = -1;
  bool gz = false, dicom = false;
  auto usage = [&] {
    std::fprintf(stderr,
                 "usage: %s --input RUN --folder DIR [--tr S] [--frames N] [--gz] [--prefix vol] [--end-marker END]"
                 " [--no-end-marker] [--corrupt K] [--dicom]\n",
                 argv[0]);
    return 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool hasValue = i + 1 < argc;
    if (a == "--input" && hasValue) input = argv[++i];
    else if (a == "--folder" && hasValue) folder = argv[++i];
    else if (a == "--tr" && hasValue) tr = std::atof(argv[++i]);
    else if (a == "--frames" && hasValue) frames = std::atoi(argv[++i]);
    else if (a == "--prefix" && hasValue) prefix = argv[++i];
    else if (a == "--end-marker" && hasValue) endMarker = argv[++i];
    else if (a == "--no-end-marker") endMarker.clear();
    else if (a == "--corrupt" && hasValue) corrupt = std::atoi(argv[++i]);
    else if (a == "--gz") gz = true;
    else if (a == "--dicom") dicom = true;
    else return usage();
  }
  if (input.empty() || folder.empty()) return usage();
  try {
    const mc::VolumeSeries run = mc::readVolumeSeries(input);
    const double period = tr > 0 ? tr : (run.repetitionTime > 0 ? run.repetitionTime : 1.0);
    const int count = frames > 0 ? std::min(frames, run.frameCount) : run.frameCount;
    fs::create_directories(folder);
    const auto write = [&](const std::string& path, int j) {
      if (dicom) return mc::writeDicomVolume(path, run.extractFrame(j));
      mc::writeVolume(path, run.extractFrame(j), period);
    };
    using Clock = std::chrono::steady_clock;
    Clock::time_point next = Clock::now();
    for (int j = 0; j < count; ++j) {
      std::this_thread::sleep_until(next);
      next += std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(period));
      char name[256];
      std::snprintf(name, sizeof name, "%s%05d%s", prefix.c_str(), j, dicom ? ".dcm" : gz ? ".nii.gz" : ".nii");
      const fs::path path = fs::path(folder) / name;
      if (j == corrupt) {
        const fs::path whole = fs::path(folder) / ("." + std::string(name));  // a staging name: never read
        write(whole.string(), j);
        const auto size = fs::file_size(whole);
        std::ifstream in(whole, std::ios::binary);
        std::string bytes(size / 2, '\0');
        in.read(bytes.data(), std::streamsize(bytes.size()));
        std::ofstream(path, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
        fs::remove(whole);
      } else {
        write(path.string(), j);
      }
      std::printf("%s\n", path.c_str());
      std::fflush(stdout);
    }
    if (!endMarker.empty()) {
      std::this_thread::sleep_until(next);
      std::ofstream(fs::path(folder) / endMarker).put('\n');
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ReplayRun: error: %s\n", e.what());
    return 1;
  }
}
