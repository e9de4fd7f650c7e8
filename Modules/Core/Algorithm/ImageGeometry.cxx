#include "ImageGeometry.h"

#include <cmath>

namespace mc {

std::array<double, 3> ImageGeometry::spacing() const {
  std::array<double, 3> s{};
  for (int c = 0; c < 3; ++c)
    s[c] = std::sqrt(voxelToWorld(0, c) * voxelToWorld(0, c) + voxelToWorld(1, c) * voxelToWorld(1, c) +
                     voxelToWorld(2, c) * voxelToWorld(2, c));
  return s;
}

std::array<double, 3> ImageGeometry::centre() const {
  return voxelToWorld.apply({(size[0] - 1) / 2.0, (size[1] - 1) / 2.0, (size[2] - 1) / 2.0});
}

bool ImageGeometry::sameGridAs(const ImageGeometry& o, double tolerance) const {
  return size == o.size && voxelToWorld.maxAbsDifference(o.voxelToWorld) <= tolerance;
}

}  // namespace mc
