#pragma once
#include <array>
#include <vector>

namespace mc {

// Separable Gaussian smoothing, in place, with the image mirrored at its edges (as the B-spline
// boundary is): zero padding would darken the edge slices of a field of view that cuts through the
// head, a feature fixed to the grid that biases motion estimates towards zero. sigma is in voxels per axis;
// an axis with sigma <= 0 is left alone. mirrorEdges false: zero outside the grid, as SPM's
// spm_conv_vol (EstimationOptions::mirrorSmoothingEdges).
void gaussianSmooth(float* voxels, const std::array<int, 3>& size, const std::array<double, 3>& sigmaVoxels,
                    bool mirrorEdges = true);

// The FWHM (mm) of a Gaussian expressed as sigma in voxels of the given spacing (mm).
std::array<double, 3> fwhmToSigmaVoxels(double fwhmMm, const std::array<double, 3>& spacingMm);

// Normalised sampled kernel of half-width ceil(4 sigma).
std::vector<double> gaussianKernel(double sigma);

}  // namespace mc
