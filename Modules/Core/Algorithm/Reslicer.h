#pragma once
// Resampling of frames into the reference grid with a B-spline of degree 0..7, SPM's mask, and the
// mean image.
#include <cstdint>
#include <vector>

#include "BSplineCoefficients.h"
#include "FrameExecutor.h"
#include "Matrix4.h"
#include "Progress.h"
#include "RealignmentOptions.h"
#include "VolumeSeries.h"

namespace mc {

// Maps a voxel of the reference grid to the voxel of a frame moved by the world motion Q.
Matrix4 referenceToFrameVoxel(const ImageGeometry& grid, const Matrix4& motion);

class Reslicer {
public:
  Reslicer(const ImageGeometry& grid, const ResliceOptions& options);

  // Marks (sets to 0) the voxels of `covered` that the frame moved by `motion` does not see.
  void restrictCoverage(const Matrix4& motion, std::vector<std::uint8_t>& covered) const;
  // Resamples one frame; voxels where mask[i] == 0 (if a mask is given) are set to 0.
  // `scratch` holds the frame's coefficients and is reused between calls.
  void resliceFrame(const float* frame, const Matrix4& motion, float* out, BSplineCoefficients& scratch,
                    const std::uint8_t* mask = nullptr) const;
  // Same, also adding the value to sum and 1 to count where the frame covers the voxel (for means).
  void accumulate(const float* frame, const Matrix4& motion, double* sum, std::uint32_t* count,
                  BSplineCoefficients& scratch) const;

private:
  ImageGeometry grid_;
  ResliceOptions options_;
};

struct ResliceResult {
  VolumeSeries realigned;
  Volume mean;
  std::vector<std::uint8_t> mask;  // 1 where every frame covers the voxel
};

// Steps of resliceRun and alignedMean over a range of frames [first, first + count), so that a
// distributed backend (MPI) runs the same code on its share and only combines the sums.

// Number of frames of the range that see each voxel (integer sums: independent of the split).
std::vector<std::uint32_t> coverageCounts(const VolumeSeries& run, const std::vector<Matrix4>& motions,
                                          const Reslicer& reslicer, FrameExecutor& executor, int first, int count);
// SPM's mask: 1 where all `frames` frames see the voxel.
std::vector<std::uint8_t> maskFromCoverage(const std::vector<std::uint32_t>& coverage, int frames);
// The mean image of resliced frames: the sum over frames (in frame order) divided by the coverage,
// zero where no frame sees the voxel or, when `mask` is given, outside it.
Volume meanOfResliced(const VolumeSeries& realigned, const std::vector<std::uint32_t>& coverage,
                      const std::uint8_t* mask);

// Sums of the frames of the range moved by their motions, and how many frames cover each voxel.
struct AlignedSums {
  std::vector<double> sum;
  std::vector<std::uint32_t> count;
  Volume mean(const ImageGeometry& geometry) const;  // sum / count, 0 where count is 0
};
// onFrame(frame, done) is called after each frame (serialised); returning false cancels (Cancelled).
AlignedSums alignedSums(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                        const std::array<bool, 3>& wrap, FrameExecutor& executor, int first, int count,
                        const std::function<bool(int frame, int done)>& onFrame = {});

// Reslices every frame; motions[j] is frame j's motion relative to the grid's frame.
ResliceResult resliceRun(const VolumeSeries& run, const std::vector<Matrix4>& motions, const ResliceOptions& options,
                         FrameExecutor& executor, const ProgressCallback& progress = {},
                         const ProgressPlan& plan = {});

// Mean of the run after moving each frame by its motion, counting only frames that cover each voxel.
Volume alignedMean(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                   const std::array<bool, 3>& wrap, FrameExecutor& executor,
                   const std::function<bool(int frame, int done)>& onFrame = {});

}  // namespace mc
