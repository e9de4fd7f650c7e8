#pragma once
// Resampling of frames into the reference grid with a B-spline of degree 0..7, SPM's mask, and the
// mean image.
#include <cstdint>
#include <vector>

#include "BSplineCoefficients.h"
#include "Collective.h"
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

// Reslices every frame; motions[j] is frame j's motion relative to the grid's frame. Over several
// ranks (every rank holding the whole run and all motions): each reslices its share of the frames
// (shareOf), reporting them to its own `progress`; SPM's mask comes from coverage counts summed over
// ranks, and rank 0 receives the resliced frames and forms the mean (the other ranks' result holds
// the mask only). The numbers do not depend on the number of ranks.
//
// With a `sink`, rank 0 hands each resliced frame to it in frame order (one call at a time, from
// whichever thread; the pointer is valid during the call only) and does not keep the frames:
// `realigned` holds the geometry, frame count, TR and stored format but no voxels, so a caller can
// stream them to a file. The mean is the same (formed from the same frames as they pass). An
// exception thrown by the sink stops the run and propagates.
//
// The frames in `leaveOut` (damaged frames, see DamagedFrame) are resliced like the others but add
// nothing to the mean, and SPM's mask counts only the other frames (a damaged frame's motion is not
// trusted to shrink the field of view).
using ResliceSink = std::function<void(int frame, const float* voxels)>;
ResliceResult resliceRun(const VolumeSeries& run, const std::vector<Matrix4>& motions, const ResliceOptions& options,
                         FrameExecutor& executor, const ProgressCallback& progress = {},
                         const ProgressPlan& plan = {}, Collective& collective = localCollective(),
                         const ResliceSink& sink = {}, const std::vector<int>& leaveOut = {});

// Mean of the run after moving each frame by its motion, counting only frames that cover each voxel.
// onFrame(frame, done) is called after each frame (serialised); returning false cancels (Cancelled).
// Over several ranks: each moves its share of the frames (only those motions are read) and the sums
// and counts are summed over ranks; every rank gets the mean. The frames in `leaveOut` (damaged
// frames) add nothing (onFrame is still called for them, so progress counts every frame).
Volume alignedMean(const VolumeSeries& run, const std::vector<Matrix4>& motions, int degree,
                   const std::array<bool, 3>& wrap, FrameExecutor& executor,
                   const std::function<bool(int frame, int done)>& onFrame = {},
                   Collective& collective = localCollective(), const std::vector<int>& leaveOut = {});

}  // namespace mc
