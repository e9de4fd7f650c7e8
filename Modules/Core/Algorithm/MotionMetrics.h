#pragma once
// Summaries of motion: framewise displacement (Power et al. 2012), displacement of the head per
// frame, and the error between two sets of motions (for accuracy checks against ground truth).
#include <array>
#include <vector>

#include "Matrix4.h"
#include "RigidTransform.h"
#include "VolumeSeries.h"

namespace mc {

// FD_j = sum |d translation| + 50 mm * sum |d rotation|; FD_0 = 0.
std::vector<double> framewiseDisplacement(const std::vector<RigidParameters>& params, double radiusMm = 50.0);

struct DisplacementStats {
  double mean = 0;
  double max = 0;
};

// World positions of voxels of `volume` brighter than `fraction` of its robust maximum (the head),
// taking every `step`-th voxel per axis.
std::vector<std::array<double, 3>> headPoints(const Volume& volume, double fraction = 0.2, int step = 2);

// |a p - b p| over the points.
DisplacementStats displacementBetween(const Matrix4& a, const Matrix4& b, const std::vector<std::array<double, 3>>& pts);

}  // namespace mc
