// Fuzz target: an image file from outside (NIfTI-1/2 plain or gzipped, NRRD). The IO layer reads
// paths, so each input is written to a private file whose extension comes from the build
// (MC_FUZZ_EXTENSION): one binary per format. Every failure must be an ImageIOError (a one-line
// message), never a crash, a sanitizer report, a hang or a huge allocation.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ImageIO.h"

namespace {

// In TMPDIR (run-fuzzers.sh points it into the build folder), removed by an atexit handler: libFuzzer
// ends a timed run with exit(), which runs atexit handlers; a function-local static's destructor
// could run before a global's, so the path is a plain array that outlives both.
char gScratchPath[4096];

void removeScratch() { std::remove(gScratchPath); }

const char* scratchPath() {
  if (!gScratchPath[0]) {
    const char* tmp = std::getenv("TMPDIR");
    std::snprintf(gScratchPath, sizeof gScratchPath, "%s/mc-fuzz-%d%s", tmp && *tmp ? tmp : "/tmp", int(::getpid()),
                  MC_FUZZ_EXTENSION);
    std::atexit(removeScratch);
  }
  return gScratchPath;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(scratchPath(), "wb");
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
