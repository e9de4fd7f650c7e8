// Reads each NIfTI-1 file given on the command line through ITK and through nifti_clib and prints
// how far apart the results are (voxels, RAS geometry, TR, stored type) and the best of 5 read
// times of each. The numbers behind the choice of reader in NiftiReader.h.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <string>

#include "ImageIO.h"
#include "ItkImageReader.h"
#include "NiftiReader.h"

namespace {

double bestOfFiveSeconds(const std::function<void()>& read) {
  double best = 1e300;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    read();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

double geometryDifference(const mc::ImageGeometry& a, const mc::ImageGeometry& b) {
  double d = 0;
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 4; ++c) d = std::max(d, std::fabs(a.voxelToWorld(r, c) - b.voxelToWorld(r, c)));
  for (int i = 0; i < 3; ++i)
    if (a.size[i] != b.size[i]) return INFINITY;
  return d;
}

struct Compared {
  std::size_t voxels = 0, unequal = 0;
  double maxVoxelDifference = 0, geometry = 0;
};

Compared compare(const std::vector<float>& a, const std::vector<float>& b, const mc::ImageGeometry& ga,
                 const mc::ImageGeometry& gb) {
  Compared c;
  c.voxels = a.size();
  c.geometry = geometryDifference(ga, gb);
  if (a.size() != b.size()) {
    c.unequal = std::max(a.size(), b.size());
    return c;
  }
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) {
      ++c.unequal;
      c.maxVoxelDifference = std::max(c.maxVoxelDifference, double(std::fabs(a[i] - b[i])));
    }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s file.nii[.gz] ...\n", argv[0]);
    return 2;
  }
  std::printf("%-48s %8s %10s %12s %10s %8s %9s %9s\n", "file", "frames", "unequal", "max|dvoxel|", "max|dM|",
              "dTR", "itk s", "clib s");
  for (int i = 1; i < argc; ++i) {
    const std::string path = argv[i];
    const std::string name = path.substr(path.find_last_of('/') + 1);
    try {
      const int frames = mc::niftiFrameCount(path);
      Compared c;
      double dtr = 0, itk = 0, clib = 0;
      bool sameType = true;
      if (frames > 1) {
        const mc::VolumeSeries a = mc::readRunThroughItk(path), b = mc::readNiftiRun(path);
        c = compare(a.voxels, b.voxels, a.geometry, b.geometry);
        dtr = b.repetitionTime - a.repetitionTime;
        sameType = a.storedType == b.storedType;
        itk = bestOfFiveSeconds([&] { mc::readRunThroughItk(path); });
        clib = bestOfFiveSeconds([&] { mc::readNiftiRun(path); });
      } else {
        const mc::Volume a = mc::readVolumeThroughItk(path, true), b = mc::readNiftiVolume(path, true);
        c = compare(a.voxels, b.voxels, a.geometry, b.geometry);
        itk = bestOfFiveSeconds([&] { mc::readVolumeThroughItk(path, true); });
        clib = bestOfFiveSeconds([&] { mc::readNiftiVolume(path, true); });
      }
      std::printf("%-48s %8d %10zu %12.3g %10.3g %8.3g %9.3f %9.3f%s\n", name.c_str(), frames, c.unequal,
                  c.maxVoxelDifference, c.geometry, dtr, itk, clib, sameType ? "" : "  (stored types differ)");
    } catch (const std::exception& e) {
      std::printf("%-48s error: %s\n", name.c_str(), e.what());
    }
  }
  return 0;
}
