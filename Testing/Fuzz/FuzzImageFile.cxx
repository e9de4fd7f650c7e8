// Fuzz target: an image file from outside (NIfTI-1/2 plain or gzipped, NRRD). The IO layer reads
// paths, so each input is written to a private file whose extension comes from the build
// (MC_FUZZ_EXTENSION): one binary per format. Every failure must be an ImageIOError (a one-line
// message), never a crash, a sanitizer report, a hang or a huge allocation.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "ImageIO.h"

namespace {

const std::string& scratchPath() {
  static const std::string path = "/tmp/mc-fuzz-" + std::to_string(::getpid()) + MC_FUZZ_EXTENSION;
  return path;
}

struct RemoveAtExit {
  ~RemoveAtExit() { std::remove(scratchPath().c_str()); }
} removeAtExit;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratchPath().c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const mc::VolumeSeries run = mc::readVolumeSeries(scratchPath(), 1);
    (void)run;
  } catch (const mc::ImageIOError&) {
  }
  try {
    const mc::Volume v = mc::readVolume(scratchPath(), true);
    (void)v;
  } catch (const mc::ImageIOError&) {
  }
  (void)mc::niftiFrameCount(scratchPath());
  return 0;
}
