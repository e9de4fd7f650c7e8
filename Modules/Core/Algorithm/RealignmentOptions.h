#pragma once
// Parameters of estimation and reslicing, kept in their own structs (as greedy does) so that every
// face (CLI, Qt, MPI, Python) passes the same thing. Defaults are SPM12's.
#include <array>
#include <string>

namespace mc {

struct EstimationOptions {
  double quality = 0.9;        // fraction of the sample points' information kept, in (0, 1]
  double separation = 4.0;     // sample grid spacing, mm
  double fwhm = 5.0;           // Gaussian smoothing before estimation, mm
  int interpolation = 2;       // B-spline degree for estimation, 1..7
  std::array<bool, 3> wrap{false, false, false};
  int referenceFrame = 0;      // 0-based; the frame whose position and grid are the reference
  bool registerToMean = true;  // two passes: to the reference frame, then to the mean of the aligned run
  int maxIterations = 64;
  // Gauss-Newton stops once the next update, predicted from the last two (they shrink by a steady
  // ratio near the optimum), would move no point within 100 mm of the origin by this much (mm).
  // 0 selects SPM12's rule instead: two more iterations after the sum of squares stops improving,
  // which takes about twice the iterations for answers within 1e-4 mm (see FrameEstimator.cxx).
  double convergenceMm = 1e-3;

  // How the engine departs from SPM12, each switchable to SPM's choice (used by the accuracy tests
  // and report to compare against an SPM-style configuration of the same engine; not exposed to users).
  // true: the Gaussian smoothing mirrors the image at its edges (as the B-spline prefilter does);
  // false: SPM's spm_conv_vol, zero outside the grid, which darkens the edges of a slab cutting the head.
  bool mirrorSmoothingEdges = true;
  // false: no sample points on the grid's first and last row, column and slice; true: SPM's grid,
  // which starts on the first voxel of each axis.
  bool sampleGridEdges = false;
  // B-spline degree of the reference's values and gradients (SPM: the same as `interpolation`); 0 means
  // the same as `interpolation`.
  int referenceInterpolation = 0;
  // Degree used to build the pass-2 mean (SPM: `interpolation`), see kMeanInterpolationDegree.
  int meanInterpolation = 1;

  int referenceDegree() const { return referenceInterpolation > 0 ? referenceInterpolation : interpolation; }

  // Throws std::invalid_argument with a one-line message naming the option.
  void validate() const;
};

struct ResliceOptions {
  int interpolation = 4;  // B-spline degree, 0..7
  std::array<bool, 3> wrap{false, false, false};
  bool mask = true;       // zero voxels not seen by every frame (SPM's mask)

  void validate() const;
};

}  // namespace mc
