#include "MeanSlicePng.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "PngEncoder.h"

namespace mc::report {

Volume meanOverFrames(const VolumeSeries& run) {
  Volume mean{run.geometry, std::vector<float>(run.frameSize(), 0.0f)};
  if (run.frameCount <= 0) return mean;
  // Accumulated in double: hundreds of frames of float would lose the low bits.
  std::vector<double> sum(run.frameSize(), 0.0);
  for (int t = 0; t < run.frameCount; ++t) {
    const float* f = run.frame(t);
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += f[i];
  }
  for (std::size_t i = 0; i < sum.size(); ++i) mean.voxels[i] = float(sum[i] / run.frameCount);
  return mean;
}

std::string middleAxialSliceDataUri(const Volume& volume) {
  const int nx = volume.geometry.size[0], ny = volume.geometry.size[1], nz = volume.geometry.size[2];
  const int z = nz / 2;
  const float* slice = volume.voxels.data() + std::size_t(z) * std::size_t(nx) * std::size_t(ny);
  std::vector<float> sorted(slice, slice + std::size_t(nx) * std::size_t(ny));
  std::sort(sorted.begin(), sorted.end());
  const float high = sorted.empty() ? 0.0f : sorted[std::size_t(0.99 * double(sorted.size() - 1))];
  const float low = std::min(0.0f, sorted.empty() ? 0.0f : sorted.front());
  const float scale = high > low ? 255.0f / (high - low) : 0.0f;
  std::vector<std::uint8_t> pixels(std::size_t(nx) * std::size_t(ny));
  for (int y = 0; y < ny; ++y)
    for (int x = 0; x < nx; ++x) {
      const float v = (slice[std::size_t(y) * std::size_t(nx) + std::size_t(x)] - low) * scale;
      pixels[std::size_t(ny - 1 - y) * std::size_t(nx) + std::size_t(x)] =
          std::uint8_t(std::clamp(std::lround(v), 0L, 255L));
    }
  return grayscalePngDataUri(nx, ny, pixels);
}

}  // namespace mc::report
