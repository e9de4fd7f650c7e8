#pragma once
#include <array>
#include <cstddef>

#include "Matrix4.h"

namespace mc {

// The sampling grid of one volume: its size and the map from 0-based voxel indices to NIfTI world
// (RAS+, millimetres). Oblique grids are fine; the matrix carries them.
struct ImageGeometry {
  std::array<int, 3> size{0, 0, 0};
  Matrix4 voxelToWorld;

  std::size_t voxelCount() const { return std::size_t(size[0]) * size[1] * size[2]; }
  // Length of each voxel axis in millimetres (column norms of the 3x3 part).
  std::array<double, 3> spacing() const;
  // World position of the grid's centre voxel.
  std::array<double, 3> centre() const;
  bool sameGridAs(const ImageGeometry& o, double tolerance = 1e-4) const;
};

}  // namespace mc
